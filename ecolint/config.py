"""Settings from the nearest ``.ecolint.toml``, ``ecolint.toml`` or pyproject.toml with a
``[tool.ecolint]`` table, as ruff finds its configuration, with ``--config KEY = VALUE``
overrides on top."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ecolint.i18n import LANGS
from ecolint.selectors import SelectorError, check_selectors
from ecolint.sources.python import DEFAULT_MAX_BYTES
from ecolint.workload import Workload, WorkloadError, parse_workload

DEFAULT_GPU = "rtx4090d"
CONFIG_NAMES = (".ecolint.toml", "ecolint.toml", "pyproject.toml")  # first found in a folder wins
KNOWN_KEYS = frozenset(
    {
        "select",
        "extend-select",
        "ignore",
        "exclude",
        "gpu",
        "per-file-ignores",
        "models",
        "max-file-size",
        "lang",
        "workload",
        "baseline",
        "include-tests",
    }
)


class ConfigError(ValueError):
    """A configuration problem; the message names the file and the key."""


@dataclass(unsafe_hash=True)
class Settings:
    select: tuple[str, ...] = ("ECO",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    gpu: str = DEFAULT_GPU
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    models: dict[str, float] = field(default_factory=dict)
    max_file_size: int = DEFAULT_MAX_BYTES
    lang: str | None = None  # None: the locale decides
    workload: Workload = field(default_factory=Workload)
    root: Path = field(default_factory=Path.cwd)
    source: Path | None = None
    baseline: Path | None = None
    include_tests: bool = False  # test code is not reported unless asked for


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _codes(value: Any, key: str, where: str) -> tuple[str, ...]:
    try:
        return check_selectors(_strings(value, key, where), f"{where} '{key}'")
    except SelectorError as error:
        raise ConfigError(str(error)) from None


def _check_keys(table: dict[str, Any], where: str) -> None:
    for key in table:
        if key not in KNOWN_KEYS:
            import difflib  # only for a mistake: most runs have none

            close = difflib.get_close_matches(str(key), sorted(KNOWN_KEYS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ConfigError(
                f"{where}: unknown key '{key}'{hint} (known keys: {', '.join(sorted(KNOWN_KEYS))})"
            )


def _parse(table: dict[str, Any], where: str, root: Path, source: Path | None) -> Settings:
    _check_keys(table, where)
    values: dict[str, Any] = {"root": root, "source": source}
    if "select" in table:
        values["select"] = _codes(table["select"], "select", where)
    if "extend-select" in table:
        extra = _codes(table["extend-select"], "extend-select", where)
        values["select"] = (*values.get("select", Settings.select), *extra)
    if "ignore" in table:
        values["ignore"] = _codes(table["ignore"], "ignore", where)
    if "exclude" in table:
        values["exclude"] = _strings(table["exclude"], "exclude", where)
    if "gpu" in table:
        if not isinstance(table["gpu"], str):
            raise ConfigError(f"{where}: 'gpu' must be a string such as \"rtx4090d\"")
        values["gpu"] = table["gpu"]
    if "per-file-ignores" in table:
        mapping = table["per-file-ignores"]
        if not isinstance(mapping, dict):
            raise ConfigError(f"{where}: 'per-file-ignores' must be a table of glob = [codes]")
        values["per_file_ignores"] = {
            str(pattern): _codes(codes, f"per-file-ignores.{pattern}", where)
            for pattern, codes in mapping.items()
        }
    if "models" in table:
        mapping = table["models"]
        if not isinstance(mapping, dict):
            raise ConfigError(f"{where}: 'models' must be a table of \"model/id\" = billions")
        models = {}
        for model_id, params in mapping.items():
            if isinstance(params, bool) or not isinstance(params, (int, float)) or params <= 0:
                raise ConfigError(
                    f'{where}: models."{model_id}" must be a positive number of billions'
                    " of parameters"
                )
            models[str(model_id)] = float(params)
        values["models"] = models
    if "max-file-size" in table:
        size = table["max-file-size"]
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise ConfigError(f"{where}: 'max-file-size' must be a positive number of bytes")
        values["max_file_size"] = size
    if "lang" in table:
        if table["lang"] not in LANGS:
            raise ConfigError(f"{where}: 'lang' must be one of {', '.join(LANGS)}")
        values["lang"] = table["lang"]
    if "workload" in table:
        if not isinstance(table["workload"], dict):
            raise ConfigError(f"{where}: 'workload' must be a table ([tool.ecolint.workload])")
        try:
            values["workload"] = parse_workload(table["workload"])
        except WorkloadError as error:
            raise ConfigError(f"{where}: workload: {error}") from None
    if "baseline" in table:
        if not isinstance(table["baseline"], str) or not table["baseline"]:
            raise ConfigError(
                f"{where}: 'baseline' must be a path such as \".ecolint-baseline.json\""
            )
        values["baseline"] = root / table["baseline"]
    if "include-tests" in table:
        if not isinstance(table["include-tests"], bool):
            raise ConfigError(f"{where}: 'include-tests' must be true or false")
        values["include_tests"] = table["include-tests"]
    return Settings(**values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None


def merged_tables(table: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``overrides`` on top of ``table``; tables (``workload``, ``models``) merge key by key."""
    merged = dict(table)
    for key, value in overrides.items():
        below = merged.get(key)
        both_tables = isinstance(below, dict) and isinstance(value, dict)
        merged[key] = merged_tables(below, value) if both_tables else value  # type: ignore[arg-type]
    return merged


def parse_override(text: str) -> dict[str, Any]:
    """``--config "gpu = 'a800'"``: one TOML ``KEY = VALUE`` pair of ``[tool.ecolint]``."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"--config '{text}': neither a configuration file nor TOML KEY = VALUE ({error})"
        ) from None
    _parse(table, f"--config '{text}'", Path.cwd(), None)
    return table


def load_file(path: Path, overrides: dict[str, Any] | None = None) -> Settings:
    document = _read_toml(path)
    root = path.resolve().parent
    where = str(path)
    table: Any = document
    if path.name == "pyproject.toml":
        tool = document.get("tool", {})
        table = tool.get("ecolint", {}) if isinstance(tool, dict) else {}
        where = f"{path} [tool.ecolint]"
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.ecolint] must be a table")
    _check_keys(table, where)
    return _parse(merged_tables(table, overrides or {}), where, root, path)


def _governs(candidate: Path) -> bool:
    """A ``.ecolint.toml``/``ecolint.toml`` always governs its folder; a pyproject.toml only
    with a ``[tool.ecolint]`` table."""
    if not candidate.is_file():
        return False
    if candidate.name != "pyproject.toml":
        return True
    tool = _read_toml(candidate).get("tool", {})
    return isinstance(tool, dict) and "ecolint" in tool


def config_in(folder: Path) -> Path | None:
    """The configuration file of this folder itself, if it has one."""
    return next((folder / name for name in CONFIG_NAMES if _governs(folder / name)), None)


def find_config(start: Path) -> Path | None:
    """The nearest configuration file in ``start``'s folder or above."""
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        found = config_in(candidate)
        if found is not None:
            return found
    return None


def load_settings(
    start: Path, explicit: Path | None = None, overrides: dict[str, Any] | None = None
) -> Settings:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} does not exist")
        return load_file(explicit, overrides)
    found = find_config(start)
    if found is None:
        return unconfigured(
            start.resolve() if start.is_dir() else start.resolve().parent, overrides
        )
    return load_file(found, overrides)


def unconfigured(
    root: Path, overrides: dict[str, Any] | None = None, where: str = "--config"
) -> Settings:
    """The defaults (with ``--config KEY = VALUE`` overrides) where no file configures;
    ``where`` names the overrides in error messages."""
    return _parse(overrides or {}, where, root, None)
