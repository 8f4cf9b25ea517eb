"""What the user serves: ``[tool.ecolint.workload]`` and the matching command-line options.

Only validation lives here; ``ecolint.evidence.cost`` turns a workload into tokens, kWh,
dollars and CO2 with the constants of the data. Every problem names the key (or option) and
the values it accepts, like the rest of the configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

# Region → (electricity price key, grid intensity key) in data/constants.csv. A region the
# data has no price for says so instead of borrowing another region's price.
REGION_KEYS: dict[str, tuple[str | None, str]] = {
    "us": ("electricity_usd_per_kwh.us_average", "grid_gco2_per_kwh.us_average"),
    "eu": ("electricity_usd_per_kwh.eu_average", "grid_gco2_per_kwh.eu_average"),
    "china": ("electricity_usd_per_kwh.china_industrial", "grid_gco2_per_kwh.china_average"),
    "france": (None, "grid_gco2_per_kwh.france"),
    "norway": (None, "grid_gco2_per_kwh.norway"),
    "india": (None, "grid_gco2_per_kwh.india"),
}
DEFAULT_REGION = "us"
PUE_NAMES = ("cloud", "local")
USE_CASES = ("api", "chat", "batch")

# Exactly one of these says how much is generated per month.
VOLUME_KEYS = (
    "requests_per_month",
    "requests_per_day",
    "users_per_day",
    "tokens_per_month",
    "text_gb_per_month",
    "chinese_chars_per_month",
    "hours_per_day",
)
_NUMBER_KEYS = (*VOLUME_KEYS, "requests_per_user", "days_per_month", "usd_per_kwh", "gco2_per_kwh")
_INTEGER_KEYS = ("prompt_tokens", "generated_tokens", "batch_size")


class WorkloadError(ValueError):
    """A bad workload value; the message names the key and what it accepts."""


@dataclass(unsafe_hash=True)
class Workload:
    requests_per_month: float | None = None
    requests_per_day: float | None = None
    users_per_day: float | None = None
    tokens_per_month: float | None = None
    text_gb_per_month: float | None = None
    chinese_chars_per_month: float | None = None
    hours_per_day: float | None = None
    requests_per_user: float | None = None  # default: nl_conversion.requests_per_user_per_day
    days_per_month: float | None = None  # default: 30, a calendar convention
    prompt_tokens: int | None = None  # default: skill_default.sequence_length
    generated_tokens: int | None = None  # default: protocol.max_new_tokens
    batch_size: int | None = None  # default: skill_default.batch_size
    region: str | None = None  # default: DEFAULT_REGION
    usd_per_kwh: float | None = None
    gco2_per_kwh: float | None = None
    pue: float | str | None = None  # number, "cloud" or "local"; default by GPU class

    @property
    def volume_key(self) -> str | None:
        return next((key for key in VOLUME_KEYS if getattr(self, key) is not None), None)

    @property
    def has_volume(self) -> bool:
        return self.volume_key is not None

    def merged(self, other: Workload) -> Workload:
        """``other``'s explicit values over this one's; a volume replaces the other volume."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        if other.has_volume:
            values.update({key: None for key in VOLUME_KEYS})
        for f in fields(other):
            value = getattr(other, f.name)
            if value is not None:
                values[f.name] = value
        return Workload(**values)


KNOWN_KEYS = tuple(f.name for f in fields(Workload))


def config_name(key: str) -> str:
    return f"'{key}'"


def option_name(key: str) -> str:
    return "--" + key.replace("_", "-")


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise WorkloadError(f"{name} must be a number ≥ 0, not {value!r}")
    return float(value)


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise WorkloadError(f"{name} must be a whole number ≥ 1, not {value!r}")
    return value


def _pue(value: Any, name: str) -> float | str:
    choices = f"a number ≥ 1 or one of {', '.join(PUE_NAMES)}"
    if isinstance(value, str):
        if value not in PUE_NAMES:
            raise WorkloadError(f"{name} must be {choices}, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1:
        raise WorkloadError(f"{name} must be {choices}, not {value!r}")
    return float(value)


def parse_workload(table: Mapping[str, Any], name: Callable[[str], str] = config_name) -> Workload:
    """Validate a ``[tool.ecolint.workload]`` table, or with ``name=option_name`` the options
    given on the command line (errors then name the option)."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if value is None:
            continue
        if key not in KNOWN_KEYS:
            raise WorkloadError(f"unknown key '{key}' (known keys: {', '.join(KNOWN_KEYS)})")
        if key in _NUMBER_KEYS:
            values[key] = _number(value, name(key))
        elif key in _INTEGER_KEYS:
            values[key] = _integer(value, name(key))
        elif key == "pue":
            values[key] = _pue(value, name(key))
        elif key == "region":
            if not isinstance(value, str) or value.lower() not in REGION_KEYS:
                raise WorkloadError(
                    f"{name(key)} must be one of {', '.join(REGION_KEYS)}, not {value!r}"
                )
            values[key] = value.lower()
    given = [name(key) for key in VOLUME_KEYS if key in values]
    if len(given) > 1:
        every = ", ".join(name(key) for key in VOLUME_KEYS)
        raise WorkloadError(f"give only one of {every} (found {', '.join(given)})")
    hours = values.get("hours_per_day")
    if hours is not None and hours > 24:
        raise WorkloadError(f"{name('hours_per_day')} must be at most 24, not {hours:g}")
    return Workload(**values)
