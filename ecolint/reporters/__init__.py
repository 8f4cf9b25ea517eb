"""Reporters turn a run's findings into text for people, JSON for tools, SARIF for code
scanning, workflow commands for GitHub annotations, and Markdown for a job summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecolint.results import RunResult

FORMATS = ("text", "json", "sarif", "github", "markdown")


def render(
    result: RunResult, fmt: str, color: bool, gpu: str, quiet: bool = False, lang: str = "en"
) -> str:
    """Each reporter is imported when its format is asked for (SARIF pulls in sarif-om)."""
    if fmt == "json":
        from ecolint.reporters.json_report import render_json

        return render_json(result, gpu)
    if fmt == "sarif":
        from ecolint.reporters.sarif import render_sarif

        return render_sarif(result, gpu)
    if fmt == "github":
        from ecolint.reporters.github import render_github

        return render_github(result)
    if fmt == "markdown":
        from ecolint.reporters.markdown import render_markdown

        return render_markdown(result, gpu, lang=lang)
    from ecolint.reporters.text import render_text

    return render_text(result, color=color, quiet=quiet, lang=lang)
