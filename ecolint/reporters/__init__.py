"""Reporters turn a run's findings into text for people or JSON for tools."""

from __future__ import annotations

from ecolint.engine import RunResult
from ecolint.reporters.json_report import render_json
from ecolint.reporters.text import render_text

FORMATS = ("text", "json")


def render(
    result: RunResult, fmt: str, color: bool, gpu: str, quiet: bool = False, lang: str = "en"
) -> str:
    if fmt == "json":
        return render_json(result, gpu)
    return render_text(result, color=color, quiet=quiet, lang=lang)
