"""``path:line:col: ECO101 [orange] message (+30.7% energy vs FP16, ★★★ RTX 4090D ...)``"""

from __future__ import annotations

from collections import Counter

import click

from ecolint.engine import RunResult
from ecolint.findings import Finding
from ecolint.rules import MOODS

MOOD_COLORS = {
    "red": "red",
    "orange": "bright_red",
    "yellow": "yellow",
    "gray": "bright_black",
    "green": "green",
}


def _line(finding: Finding, color: bool) -> str:
    mood = f"[{finding.mood}]"
    if color:
        mood = click.style(mood, fg=MOOD_COLORS[finding.mood], bold=finding.mood == "red")
    location = f"{finding.path}:{finding.line}:{finding.column}:"
    if finding.cell is not None:
        location = f"{finding.location}:col {finding.cell_column}:"
    code = click.style(finding.code, bold=True) if color else finding.code
    text = f"{location} {code} {mood} {finding.message}"
    if finding.headline:
        text += f" ({finding.headline})"
    fix = (finding.fix or {}).get("summary")
    if fix:
        text += f"\n    fix: {fix}"
        if finding.edits:
            text += f" [{finding.safety} autofix]"
    return text


def summary_line(result: RunResult) -> str:
    """``Found 3 findings (1 red, 2 orange) in 4 analysed of 9 files.``"""
    counts = Counter(finding.mood for finding in result.findings)
    if not result.findings:
        return f"No findings in {result.files_seen} files ({result.files_analysed} analysed)."
    moods = ", ".join(f"{counts[mood]} {mood}" for mood in MOODS if counts[mood])
    return (
        f"Found {len(result.findings)} finding{'s' * (len(result.findings) != 1)} ({moods})"
        f" in {result.files_analysed} analysed of {result.files_seen} files."
    )


def _fixable(findings: list[Finding]) -> str:
    """How many findings ``--fix`` (and ``--fix --unsafe-fixes``) would fix, as ruff says it."""
    safe = sum(finding.safety == "safe" for finding in findings)
    unsafe = sum(finding.safety == "unsafe" for finding in findings)
    if safe and unsafe:
        return f"{safe} fixable with --fix, {unsafe} more with --fix --unsafe-fixes."
    if safe:
        return f"{safe} fixable with --fix."
    return f"{unsafe} fixable with --fix --unsafe-fixes." if unsafe else ""


def render_text(result: RunResult, color: bool, quiet: bool = False) -> str:
    lines = [] if quiet and not result.findings else [_line(f, color) for f in result.findings]
    if not quiet or result.findings:
        lines.append(summary_line(result))
    outcome = result.baseline
    if outcome is not None and (outcome.matched or outcome.fixed):
        lines.append(
            f"{outcome.matched} baselined finding{'s' * (outcome.matched != 1)} not shown;"
            f" {len(outcome.fixed)} fixed since the baseline"
            + (" (drop them with --write-baseline)." if outcome.fixed else ".")
        )
    fixable = _fixable(result.findings)
    if fixable:
        lines.append(fixable)
    return "\n".join(lines) + ("\n" if lines else "")
