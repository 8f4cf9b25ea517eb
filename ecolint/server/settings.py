"""The server's settings for a file: the configuration nearest it (``[tool.ecolint]``, found as
``ecolint check`` finds it), with the client's ``initializationOptions`` on top the way
``--config "KEY = VALUE"`` overrides go on top, so an editor can pick the GPU or the language
without touching the project. A bad option is named to the user and left out; it never stops
the server."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ecolint.config import ConfigError, Settings, load_settings, unconfigured
from ecolint.evidence.gpus import GpuError, resolve_gpu
from ecolint.i18n import Phrase, detect_lang, phrase

WHERE = "initializationOptions"
OPTION_KEYS = ("gpu", "select", "extend-select", "ignore", "lang", "workload", "include-tests")


@dataclass(frozen=True)
class ClientOptions:
    """The valid options as a ``[tool.ecolint]`` table, and what was wrong with the others."""

    table: dict[str, Any] = field(default_factory=dict)
    problems: list[str | Phrase] = field(default_factory=list)

    @classmethod
    def parse(cls, raw: object) -> ClientOptions:
        """Each option is checked on its own, so one bad value costs only itself. Keys may be
        written as in TOML (``extend-select``) or as JSON habit has it (``extend_select``)."""
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            return cls(problems=[phrase("server.options_not_object", known=_known())])
        table: dict[str, Any] = {}
        problems: list[str | Phrase] = []
        for key, value in raw.items():
            name = str(key).replace("_", "-")
            if name not in OPTION_KEYS:
                problems.append(phrase("server.unknown_option", key=str(key), known=_known()))
                continue
            problem = _problem(name, value)
            if problem is None:
                table[name] = value
            else:
                problems.append(problem)
        return cls(table, problems)

    def settings_for(self, path: Path) -> tuple[Settings, str | None]:
        """The settings of ``path``, and the configuration problem that made the server fall
        back to the defaults (a misspelt key in the project's ``pyproject.toml``), if any."""
        try:
            settings, problem = load_settings(path, None, self.table), None
        except ConfigError as error:
            settings, problem = unconfigured(path.resolve().parent, self.table), str(error)
        return replace(settings, lang=detect_lang(None, settings.lang)), problem


def _known() -> str:
    return ", ".join(OPTION_KEYS)


def _problem(name: str, value: object) -> str | None:
    """Why ``name = value`` cannot be used, in the words ``ecolint check`` would use."""
    try:
        settings = unconfigured(Path.cwd(), {name: value}, WHERE)
        if name == "gpu":
            resolve_gpu(settings.gpu)
    except ConfigError as error:
        return str(error)
    except GpuError as error:
        return f"{WHERE}: 'gpu': {error}"
    return None
