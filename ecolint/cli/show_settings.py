"""``--show-settings``: the settings that govern one file, with the configuration file they
come from, in the TOML spelling of ``[tool.ecolint]`` so a line can be pasted back."""

from __future__ import annotations

import json
from dataclasses import asdict

from ecolint.config import Settings
from ecolint.reporters.inert import inert


def _toml(value: object) -> str:
    if isinstance(value, dict):
        pairs = ", ".join(f"{json.dumps(str(k))} = {_toml(v)}" for k, v in value.items())
        return f"{{ {pairs} }}" if pairs else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def settings_text(path: str, settings: Settings) -> str:
    source = settings.source.resolve() if settings.source is not None else "none (defaults)"
    lines = [f"Settings for: {path}", f"Configuration: {source}"]
    values = asdict(settings)
    values.pop("source")
    values["workload"] = {k: v for k, v in values["workload"].items() if v is not None}
    for key, value in values.items():
        if value is None:
            continue
        lines.append(f"{key.replace('_', '-')} = {_toml(value)}")
    return "".join(inert(line) + "\n" for line in lines)
