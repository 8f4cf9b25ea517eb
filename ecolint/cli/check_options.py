"""What ``ecolint check``'s options change in a configuration. With one configuration per
folder, each governing configuration gets the same options on top, so the command line wins
everywhere as it does in ruff."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ecolint.config import (
    ConfigError,
    Settings,
    load_file,
    merged_tables,
    parse_override,
    unconfigured,
)
from ecolint.workload import Workload


@dataclass(unsafe_hash=True)
class CommandLine:
    """Selectors are already checked; ``lang`` is the run's language, one for all files."""

    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    gpu: str | None = None
    lang: str = "en"
    workload: Workload = field(default_factory=Workload)
    config_table: dict[str, Any] | None = None
    include_tests: bool = False

    def apply(self, settings: Settings) -> Settings:
        """``--select`` replaces the configuration's selection (its ``extend-select`` too);
        ``--extend-select`` and ``--ignore`` add to it."""
        select = self.select or settings.select
        values: dict[str, Any] = {
            "select": (*select, *self.extend_select),
            "ignore": (*settings.ignore, *self.ignore),
            "workload": settings.workload.merged(self.workload),
        }
        if self.gpu:
            values["gpu"] = self.gpu
        if self.include_tests:
            values["include_tests"] = True
        return replace(settings, lang=self.lang, **values)

    def settings_for(self, config: Path | None) -> Settings:
        """The settings of files governed by ``config`` (None: by no configuration file)."""
        if config is None:
            return self.apply(unconfigured(Path.cwd(), self.config_table))
        return self.apply(load_file(config, self.config_table))


def split_config(values: tuple[str, ...]) -> tuple[Path | None, dict[str, Any]]:
    """``--config`` values: at most one file, and any number of ``KEY = VALUE`` overrides (a
    value that names an existing file is a file, as in ruff)."""
    files = [Path(value) for value in values if Path(value).is_file()]
    if len(files) > 1:
        raise ConfigError(f"--config: one configuration file at most, got {len(files)}")
    table: dict[str, Any] = {}
    for value in values:
        if Path(value).is_file():
            continue
        if "=" not in value:
            raise ConfigError(f"config file {value} does not exist")
        table = merged_tables(table, parse_override(value))
    return (files[0] if files else None), table
