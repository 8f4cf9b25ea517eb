"""Monthly energy, money and carbon of a measured configuration under the user's workload.

    kWh/month = J per 1k generated tokens × generated tokens per month / 1000 × PUE / 3.6e6
    $/month   = kWh × USD per kWh        (data/constants.csv by region, or the user's price)
    kg CO2    = kWh × gCO2 per kWh / 1000 (data/constants.csv by region, or the user's own)
    km driven, smartphone charges = kg CO2 / the US EPA factors in data/equivalents.csv

The joules always come from rows of data/measurements.csv (a finding's cost uses the
difference of its two same-session rows); every conversion the user did not type is shown
with the constant it used.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ecolint.evidence.dataset import Constant, Gpu, Row, constants
from ecolint.evidence.select import STARS, Evidence
from ecolint.evidence.sessions import Pair
from ecolint.i18n import Phrase, phrase
from ecolint.resources import data_dir
from ecolint.workload import DEFAULT_REGION, REGION_KEYS, Workload

J_PER_KWH = 3_600_000.0  # definition of the kilowatt-hour
G_PER_METRIC_TON = 1_000_000.0
SECONDS_PER_HOUR = 3600.0
DAYS_PER_MONTH = 30.0  # calendar convention; ``days_per_month`` in the workload overrides it
EQUIVALENTS = "equivalents.csv"


class CostError(ValueError):
    """The workload cannot be turned into tokens for this row (the phrase says why)."""

    def __init__(self, reason: Phrase) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Figure:
    """A number and where it came from (a constants key or the user's own setting)."""

    value: float
    source: str


@dataclass(frozen=True)
class Tariff:
    region: str
    usd_per_kwh: Figure | None  # None: the data has no price for the region
    gco2_per_kwh: Figure
    pue: Figure

    def as_dict(self) -> dict[str, object]:
        return {
            "region": self.region,
            "usd_per_kwh": self.usd_per_kwh.value if self.usd_per_kwh else None,
            "usd_per_kwh_source": self.usd_per_kwh.source if self.usd_per_kwh else None,
            "gco2_per_kwh": self.gco2_per_kwh.value,
            "gco2_per_kwh_source": self.gco2_per_kwh.source,
            "pue": self.pue.value,
            "pue_source": self.pue.source,
        }


@dataclass(frozen=True)
class Volume:
    """Generated tokens per month and the conversions that produced them."""

    tokens_per_month: float
    steps: tuple[Phrase, ...]


@dataclass(frozen=True)
class Monthly:
    kwh: float
    usd: float | None
    kg_co2: float
    km_driven: float
    smartphone_charges: float

    def as_dict(self) -> dict[str, float | None]:
        return {
            "kwh": rounded(self.kwh, 3),
            "usd": rounded(self.usd, 2) if self.usd is not None else None,
            "kg_co2": rounded(self.kg_co2, 3),
            "km_driven": rounded(self.km_driven, 1),
            "smartphone_charges": round(self.smartphone_charges),
        }


def rounded(value: float, decimals: int) -> float:
    """``decimals`` places, but three significant digits for small amounts (a few requests a
    day must not round to zero)."""
    if value == 0 or abs(value) >= 1:
        return round(value, decimals)
    return float(f"{value:.3g}")


@dataclass(frozen=True)
class Equivalent:
    key: str
    value: float
    unit: str
    source: str
    quote: str


@cache
def equivalents() -> dict[str, Equivalent]:
    """Real-world equivalents with their public source (data/equivalents.csv)."""
    with (data_dir() / EQUIVALENTS).open(newline="", encoding="utf-8") as handle:
        return {
            raw["key"]: Equivalent(
                raw["key"], float(raw["value"]), raw["unit"], raw["source"], raw["quote"]
            )
            for raw in csv.DictReader(handle)
        }


def constant(key: str) -> Constant:
    return constants()[key]


def _figure(key: str) -> Figure:
    return Figure(float(constant(key).value), f"constants.csv {key}")


def tariff(workload: Workload, gpu: Gpu) -> Tariff:
    """Price, grid intensity and PUE: the user's numbers, else the region's constants; PUE
    defaults to local (1.0) for a GeForce card and to cloud (1.1) for other GPUs."""
    region = workload.region or DEFAULT_REGION
    price_key, grid_key = REGION_KEYS[region]
    price: Figure | None = None
    if workload.usd_per_kwh is not None:
        price = Figure(workload.usd_per_kwh, "workload.usd_per_kwh")
    elif price_key is not None:
        price = _figure(price_key)
    grid = (
        Figure(workload.gco2_per_kwh, "workload.gco2_per_kwh")
        if workload.gco2_per_kwh is not None
        else _figure(grid_key)
    )
    if isinstance(workload.pue, float):
        pue = Figure(workload.pue, "workload.pue")
    else:
        kind = workload.pue or ("local" if gpu.consumer else "cloud")
        pue = _figure(f"pue.{kind}_default")
    return Tariff(region, price, grid, pue)


def generated_tokens(workload: Workload) -> Figure:
    if workload.generated_tokens is not None:
        return Figure(float(workload.generated_tokens), "workload.generated_tokens")
    return _figure("protocol.max_new_tokens")


def days(workload: Workload) -> float:
    return workload.days_per_month if workload.days_per_month is not None else DAYS_PER_MONTH


def requests_per_month(workload: Workload) -> tuple[float, list[Phrase]] | None:
    """Requests per month from requests/month, requests/day or users/day, with the steps."""
    steps: list[Phrase] = []
    n_days = days(workload)
    if workload.requests_per_month is not None:
        return workload.requests_per_month, steps
    per_day = workload.requests_per_day
    if workload.users_per_day is not None:
        per_user = (
            Figure(workload.requests_per_user, "workload.requests_per_user")
            if workload.requests_per_user is not None
            else _figure("nl_conversion.requests_per_user_per_day")
        )
        per_day = workload.users_per_day * per_user.value
        steps.append(
            phrase(
                "cost.step.users",
                users=workload.users_per_day,
                per_user=per_user.value,
                source=per_user.source,
                per_day=per_day,
            )
        )
    if per_day is None:
        return None
    total = per_day * n_days
    steps.append(phrase("cost.step.days", per_day=per_day, days=n_days, requests=total))
    return total, steps


def volume(workload: Workload, row: Row | None = None) -> Volume | None:
    """Generated tokens per month; ``row`` supplies the throughput for ``hours_per_day``."""
    key = workload.volume_key
    if key is None:
        return None
    n_days = days(workload)
    if key == "tokens_per_month":
        tokens = float(workload.tokens_per_month or 0.0)
        return Volume(tokens, (phrase("cost.step.tokens", tokens=tokens),))
    if key == "text_gb_per_month":
        per_gb = _figure("nl_conversion.english_tokens_per_gb_text")
        gb = float(workload.text_gb_per_month or 0.0)
        tokens = gb * per_gb.value
        step = phrase(
            "cost.step.gb", gb=gb, per_gb=per_gb.value, source=per_gb.source, tokens=tokens
        )
        return Volume(tokens, (step,))
    if key == "chinese_chars_per_month":
        per_token = _figure("nl_conversion.chinese_chars_per_token")
        chars = float(workload.chinese_chars_per_month or 0.0)
        tokens = chars / per_token.value
        step = phrase(
            "cost.step.chars",
            chars=chars,
            per_token=per_token.value,
            source=per_token.source,
            tokens=tokens,
        )
        return Volume(tokens, (step,))
    if key == "hours_per_day":
        if row is None or row.throughput_tok_s is None:
            raise CostError(phrase("cost.no_throughput", line=row.line if row else "—"))
        hours = float(workload.hours_per_day or 0.0)
        tokens = hours * SECONDS_PER_HOUR * row.throughput_tok_s * n_days
        step = phrase(
            "cost.step.hours",
            hours=hours,
            throughput=row.throughput_tok_s,
            line=row.line,
            days=n_days,
            tokens=tokens,
        )
        return Volume(tokens, (step,))
    found = requests_per_month(workload)
    assert found is not None
    requests, steps = found
    per_request = generated_tokens(workload)
    tokens = requests * per_request.value
    steps.append(
        phrase(
            "cost.step.requests",
            requests=requests,
            per_request=per_request.value,
            source=per_request.source,
            tokens=tokens,
        )
    )
    return Volume(tokens, tuple(steps))


def monthly(j_per_1k_tok: float, tokens_per_month: float, rates: Tariff) -> Monthly:
    kwh = j_per_1k_tok * tokens_per_month / 1000.0 * rates.pue.value / J_PER_KWH
    usd = kwh * rates.usd_per_kwh.value if rates.usd_per_kwh else None
    grams = kwh * rates.gco2_per_kwh.value
    table = equivalents()
    per_mile_g = table["epa.tco2e_per_mile_driven"].value * G_PER_METRIC_TON
    per_km_g = per_mile_g / table["unit.km_per_mile"].value
    per_charge_g = table["epa.tco2_per_smartphone_charge"].value * G_PER_METRIC_TON
    return Monthly(kwh, usd, grams / 1000.0, grams / per_km_g, grams / per_charge_g)


def span(values: Iterable[Monthly]) -> dict[str, list[float | None]] | None:
    """Lowest and highest monthly figures when several sessions disagree."""
    figures = list(values)
    if len(figures) < 2:
        return None
    result: dict[str, list[float | None]] = {}
    for name in ("kwh", "usd", "kg_co2"):
        numbers = [getattr(figure, name) for figure in figures]
        if any(number is None for number in numbers):
            result[name] = [None, None]
            continue
        digits = 2 if name == "usd" else 3
        result[name] = [rounded(min(numbers), digits), rounded(max(numbers), digits)]
    return result


def assumptions(found: Volume, rates: Tariff, lang: str) -> dict[str, object]:
    return {
        "tokens_per_month": round(found.tokens_per_month),
        "conversions": [step.render(lang) for step in found.steps],
        **rates.as_dict(),
        "equivalents_source": f"data/{EQUIVALENTS}",
    }


def waste_j(pair: Pair) -> float:
    """J per 1k tokens the reported configuration uses above its fix (negative: a saving).
    A precision pair reports the quantised row against FP16; a batch pair reports batch size 1
    (its base row) against the larger batch that fixes it."""
    quant, base = pair.quant.energy_j_per_1k_tok, pair.base.energy_j_per_1k_tok
    assert quant is not None and base is not None
    if pair.quant.batch_size != pair.base.batch_size:
        return base - quant
    return quant - base


def finding_cost(
    evidence: Evidence, workload: Workload, gpu: Gpu, lang: str
) -> dict[str, object] | None:
    """The monthly cost of one finding: the energy difference of its two same-session rows
    (``waste_j``) × the workload's tokens; other sessions give the range."""
    pair = evidence.pair
    if pair is None or not workload.has_volume:
        return None
    rates = tariff(workload, gpu)
    notes: list[str] = []
    try:
        found = volume(workload, pair.quant)
    except CostError as error:
        return {"unavailable": error.reason.render(lang)}
    assert found is not None
    sessions = [pair, *evidence.alternatives]
    figures = [monthly(waste_j(session), found.tokens_per_month, rates) for session in sessions]
    delta_j = waste_j(pair)
    if workload.batch_size is not None and workload.batch_size != pair.quant.batch_size:
        notes.append(
            phrase(
                "cost.batch_mismatch", batch=workload.batch_size, measured=pair.quant.batch_size
            ).render(lang)
        )
    if rates.usd_per_kwh is None:
        notes.append(phrase("cost.no_price", region=rates.region).render(lang))
    return {
        "per_month": figures[0].as_dict(),
        "range": span(figures),
        "delta_j_per_1k_tok": round(delta_j, 3),
        "rows": [row.line for row in (evidence.written, evidence.baseline) if row],
        "confidence": STARS[evidence.stars],
        "stars": evidence.stars,
        "assumptions": assumptions(found, rates, lang),
        "notes": notes,
    }


def from_kwh(kwh: float, found: dict[str, Any]) -> dict[str, float | None]:
    """Dollars, CO2 and equivalents of an energy figure under the tariff in ``found`` (the
    ``assumptions`` of a finding's cost)."""
    price = found["usd_per_kwh"]
    grams = kwh * found["gco2_per_kwh"]
    table = equivalents()
    per_km_g = (
        table["epa.tco2e_per_mile_driven"].value
        * G_PER_METRIC_TON
        / table["unit.km_per_mile"].value
    )
    per_charge_g = table["epa.tco2_per_smartphone_charge"].value * G_PER_METRIC_TON
    figures = Monthly(
        kwh,
        kwh * price if price is not None else None,
        grams / 1000,
        grams / per_km_g,
        grams / per_charge_g,
    )
    return figures.as_dict()


def total(costs: Sequence[tuple[str, dict[str, Any] | None]]) -> dict[str, Any] | None:
    """The monthly waste of the run, each traffic path costed once.

    ``costs`` pairs each finding's cost with the traffic it describes (its file: one program,
    one load and generation path, taken to serve the whole workload). Findings on the same
    traffic overlap (batch size 1 and a loop of single calls waste the same joules), so each
    path counts its largest waste only; paths are added. Savings are not subtracted."""
    largest: dict[str, dict[str, Any]] = {}
    wasting = 0
    for traffic, cost in costs:
        if not cost or "per_month" not in cost or float(cost["delta_j_per_1k_tok"]) <= 0:
            continue
        wasting += 1
        kept = largest.get(traffic)
        if kept is None or float(cost["per_month"]["kwh"]) > float(kept["per_month"]["kwh"]):
            largest[traffic] = cost
    if not largest:
        return None
    kwh = sum(float(cost["per_month"]["kwh"]) for cost in largest.values())
    found = next(iter(largest.values()))["assumptions"]
    return {
        "findings": wasting,
        "counted": len(largest),
        "paths": sorted(largest),
        "by_path": [
            {"path": path, "kwh": largest[path]["per_month"]["kwh"], "rows": largest[path]["rows"]}
            for path in sorted(largest)
        ],
        "per_month": from_kwh(kwh, found),
        "assumptions": found,
    }
