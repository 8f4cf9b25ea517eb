"""Reporters turn a run's findings into text for people (``text``, ``concise``, ``full``),
JSON for tools (``json``, ``json-lines``), SARIF for code scanning, workflow commands for
GitHub annotations, GitLab Code Quality, JUnit XML for CI test views, and Markdown for a job
summary. Each is imported when its format is asked for (SARIF pulls in sarif-om)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecolint.results import RunResult

FORMATS = (
    "text",
    "concise",
    "full",
    "json",
    "json-lines",
    "sarif",
    "github",
    "gitlab",
    "junit",
    "markdown",
)
TERMINAL_FORMATS = frozenset({"text", "concise", "full"})  # for people: colour, progress, -q
# The formats that print each finding's fix edits; the others need none built.
EDIT_FORMATS = frozenset({"json", "json-lines", "sarif"})


def render(
    result: RunResult, fmt: str, color: bool, gpu: str, quiet: int = 0, lang: str = "en"
) -> str:
    """``quiet``: 1 prints the findings only, 2 nothing (for the formats people read)."""
    if fmt == "json":
        from ecolint.reporters.inert import inert_json
        from ecolint.reporters.json_report import render_json

        return inert_json(render_json(result, gpu))
    if fmt == "json-lines":
        from ecolint.reporters.json_lines import render_json_lines

        return render_json_lines(result)
    if fmt == "sarif":
        from ecolint.reporters.inert import inert_json
        from ecolint.reporters.sarif import render_sarif

        return inert_json(render_sarif(result, gpu))
    if fmt == "github":
        from ecolint.reporters.github import render_github

        return render_github(result)
    if fmt == "gitlab":
        from ecolint.reporters.gitlab import render_gitlab

        return render_gitlab(result)
    if fmt == "junit":
        from ecolint.reporters.junit import render_junit

        return render_junit(result)
    if fmt == "markdown":
        from ecolint.reporters.markdown import render_markdown

        return render_markdown(result, gpu, lang=lang)
    from ecolint.reporters.text import first_line, render_text

    if fmt == "concise":
        return render_text(result, color=color, quiet=quiet, lang=lang, line=first_line)
    if fmt == "full":
        from ecolint.reporters.full import full_line

        return render_text(result, color=color, quiet=quiet, lang=lang, line=full_line)
    return render_text(result, color=color, quiet=quiet, lang=lang)
