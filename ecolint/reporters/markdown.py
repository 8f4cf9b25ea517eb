"""A GitHub job summary (``$GITHUB_STEP_SUMMARY``) in GitHub-flavoured Markdown: totals per
mood, a table of findings, a bar chart of the measured deltas, and the place where the yearly
energy and cost at the configured workload will go once ecolint has a workload model."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ecolint.engine import RunResult
from ecolint.evidence.dataset import data_version
from ecolint.findings import Finding
from ecolint.rules import MOODS

MOOD_MARKS = {"red": "🔴", "orange": "🟠", "yellow": "🟡", "gray": "⚪", "green": "🟢"}
BAR_WIDTH = 30
EIGHTHS = " ▏▎▍▌▋▊▉"
# Backslash-escaping every ASCII punctuation mark that Markdown or a table cell could act on
# keeps message text literal (``**kwargs``, ``a|b``, ``<module>``).
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")
YEARLY_MARKER = "<!-- ecolint: yearly energy and cost at the configured workload -->"


def escape(text: str) -> str:
    """Literal text inside a GFM table cell: one line, Markdown punctuation escaped."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def render_markdown(result: RunResult, gpu: str) -> str:
    parts = [_heading(result), _totals(result, gpu)]
    if result.findings:
        parts += [_table(result.findings)]
    chart = _chart(result.findings)
    if chart:
        parts += [chart]
    parts += [_yearly()]
    not_checked = _not_checked(result)
    if not_checked:
        parts += [not_checked]
    return "\n\n".join(parts) + "\n"


def _heading(result: RunResult) -> str:
    count = len(result.findings)
    return f"## ecolint: {count} finding{'s' * (count != 1)}" if count else "## ecolint: clean"


def _totals(result: RunResult, gpu: str) -> str:
    counts = Counter(finding.mood for finding in result.findings)
    rows = "\n".join(f"| {MOOD_MARKS[mood]} {mood} | {counts.get(mood, 0)} |" for mood in MOODS)
    return (
        f"{result.files_analysed} analysed of {result.files_seen} files · GPU `{gpu}` · "
        f"data `{data_version()}`\n\n| mood | findings |\n|:--|--:|\n{rows}"
    )


def _table(findings: list[Finding]) -> str:
    lines = [
        "### Findings",
        "",
        "| file:line | rule | message | Δ energy | confidence | fix |",
        "|:--|:--|:--|--:|:--|:--|",
    ]
    for finding in findings:
        evidence = finding.evidence or {}
        fix = (finding.fix or {}).get("summary") or "—"
        lines.append(
            "| "
            + " | ".join(
                [
                    escape(finding.location),
                    f"{MOOD_MARKS[finding.mood]} {finding.code} `{finding.name}`",
                    escape(finding.message),
                    escape(_delta(evidence)),
                    escape(_confidence(evidence)),
                    escape(fix),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def _delta(evidence: dict[str, Any]) -> str:
    delta = evidence.get("delta_pct")
    return "—" if delta is None else f"{delta:+.1f}%"


def _confidence(evidence: dict[str, Any]) -> str:
    """``★★★ RTX 4090D Qwen2-1.5B``: the stars and what they grade, from the headline."""
    stars = str(evidence.get("confidence") or "")
    headline = str(evidence.get("headline") or "")
    if not stars:
        return "—"
    return headline[headline.index(stars) :] if stars in headline else stars


def _chart(findings: list[Finding]) -> str:
    """Bars in a code block (monospace keeps them aligned); a saving is drawn in light shade."""
    measured = [
        (f"{finding.location} {finding.code}", finding.evidence["delta_pct"])
        for finding in findings
        if finding.evidence and finding.evidence.get("delta_pct") is not None
    ]
    if not measured:
        return ""
    largest = max(abs(delta) for _, delta in measured) or 1.0
    width = max(len(label) for label, _ in measured)
    lines = [
        f"{label:<{width}}  {delta:+8.1f}%  {_bar(delta, largest)}" for label, delta in measured
    ]
    body = "\n".join(lines)
    return f"### Measured energy deltas\n\n```text\n{body}\n```"


def _bar(delta: float, largest: float) -> str:
    cells = abs(delta) / largest * BAR_WIDTH
    if delta < 0:
        return "░" * max(1, round(cells)) + " saving"
    whole, eighths = int(cells), round((cells - int(cells)) * 8)
    if eighths == 8:
        whole, eighths = whole + 1, 0
    bar = "█" * whole + (EIGHTHS[eighths] if eighths else "")
    return bar or "▏"


def _yearly() -> str:
    """The slot for the yearly estimate at the configured workload. ecolint has no workload
    or cost model yet, so it says so instead of printing a figure nobody measured."""
    return (
        f"### Estimated yearly energy and cost\n\n{YEARLY_MARKER}\n"
        "_Not estimated: ecolint has no workload model yet. The deltas above are relative, "
        "each formed from two rows measured in one session._"
    )


def _not_checked(result: RunResult) -> str:
    items = [
        f"- {escape(error.path)}: internal error in {error.code}: {escape(error.message)}"
        for error in result.internal_errors
    ]
    items += [f"- {escape(path)}: {escape(problem)}" for path, problem in result.problems]
    return "### Not checked\n\n" + "\n".join(items) if items else ""
