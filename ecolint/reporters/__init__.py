"""Reporters turn a run's findings into text for people, JSON for tools, SARIF for code
scanning, workflow commands for GitHub annotations, and Markdown for a job summary."""

from __future__ import annotations

from ecolint.engine import RunResult
from ecolint.reporters.github import render_github
from ecolint.reporters.json_report import render_json
from ecolint.reporters.markdown import render_markdown
from ecolint.reporters.sarif import render_sarif
from ecolint.reporters.text import render_text

FORMATS = ("text", "json", "sarif", "github", "markdown")


def render(
    result: RunResult, fmt: str, color: bool, gpu: str, quiet: bool = False, lang: str = "en"
) -> str:
    if fmt == "json":
        return render_json(result, gpu)
    if fmt == "sarif":
        return render_sarif(result, gpu)
    if fmt == "github":
        return render_github(result)
    if fmt == "markdown":
        return render_markdown(result, gpu, lang=lang)
    return render_text(result, color=color, quiet=quiet, lang=lang)
