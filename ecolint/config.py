"""Settings from ``[tool.ecolint]`` in the nearest pyproject.toml (or an ``ecolint.toml``)."""

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
from ecolint.sources.python import DEFAULT_MAX_BYTES
from ecolint.workload import Workload, WorkloadError, parse_workload

DEFAULT_GPU = "rtx4090d"


class ConfigError(ValueError):
    """A configuration problem; the message names the file and the key."""


@dataclass(frozen=True)
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


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _codes(value: Any, key: str, where: str) -> tuple[str, ...]:
    codes = _strings(value, key, where)
    for code in codes:
        if not code.startswith("ECO") or (not code[3:].isdigit() and code != "ECO"):
            raise ConfigError(f"{where}: '{key}' has '{code}', which is not an ECO code prefix")
    return codes


def _parse(table: dict[str, Any], where: str, root: Path, source: Path | None) -> Settings:
    known = {
        "select",
        "ignore",
        "exclude",
        "gpu",
        "per-file-ignores",
        "models",
        "max-file-size",
        "lang",
        "workload",
        "baseline",
    }
    for key in table:
        if key not in known:
            raise ConfigError(
                f"{where}: unknown key '{key}' (known keys: {', '.join(sorted(known))})"
            )
    values: dict[str, Any] = {"root": root, "source": source}
    if "select" in table:
        values["select"] = _codes(table["select"], "select", where)
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
    return Settings(**values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None


def load_file(path: Path) -> Settings:
    document = _read_toml(path)
    root = path.resolve().parent
    if path.name == "pyproject.toml":
        tool = document.get("tool", {})
        table = tool.get("ecolint", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.ecolint] must be a table")
        return _parse(table, f"{path} [tool.ecolint]", root, path)
    return _parse(document, str(path), root, path)


def find_config(start: Path) -> Path | None:
    """The nearest ``ecolint.toml``, or pyproject.toml with a ``[tool.ecolint]`` table."""
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        own = candidate / "ecolint.toml"
        if own.is_file():
            return own
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            tool = _read_toml(pyproject).get("tool", {})
            if isinstance(tool, dict) and "ecolint" in tool:
                return pyproject
    return None


def load_settings(start: Path, explicit: Path | None = None) -> Settings:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} does not exist")
        return load_file(explicit)
    found = find_config(start)
    if found is None:
        return Settings(root=start.resolve() if start.is_dir() else start.resolve().parent)
    return load_file(found)
