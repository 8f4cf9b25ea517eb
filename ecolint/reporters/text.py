"""``path:line:col: ECO101 [orange] message (+30.7% energy vs FP16, ★★★ RTX 4090D ...)``"""

from __future__ import annotations

from collections import Counter

import click

from ecolint import cost_text
from ecolint.engine import RunResult
from ecolint.evidence.cost import total
from ecolint.findings import Finding
from ecolint.i18n import DEFAULT_LANG, t
from ecolint.rules import MOOD_COLORS, MOODS


def mood_label(mood: str, color: bool, lang: str = DEFAULT_LANG) -> str:
    """``[orange]`` (``[橙]`` in Chinese), coloured on a terminal that allows it."""
    label = f"[{t(f'mood.{mood}', lang)}]"
    if color:
        label = click.style(label, fg=MOOD_COLORS[mood], bold=mood == "red")
    return label


def _line(finding: Finding, color: bool, lang: str) -> str:
    mood = mood_label(finding.mood, color, lang)
    location = f"{finding.path}:{finding.line}:{finding.column}:"
    if finding.cell is not None:
        cell = f"cell {finding.cell}:line {finding.cell_line}:col {finding.cell_column}"
        location = f"{finding.path}:{cell}:"
    code = click.style(finding.code, bold=True) if color else finding.code
    text = f"{location} {code} {mood} {finding.message}"
    if finding.headline:
        text += f" ({finding.headline})"
    fix = (finding.fix or {}).get("summary")
    if fix:
        text += "\n    " + t("check.fix", lang, fix=fix)
    cost = (finding.evidence or {}).get("cost")
    if cost:
        text += "\n    " + cost_text.finding_line(cost, lang)
    return text


def _summary(result: RunResult, lang: str) -> list[str]:
    counts = Counter(finding.mood for finding in result.findings)
    if not result.findings:
        clean = t(
            "check.summary.clean", lang, seen=result.files_seen, analysed=result.files_analysed
        )
        return [clean]
    moods = t("list.comma", lang).join(
        t("check.summary.mood", lang, count=counts[mood], mood=t(f"mood.{mood}", lang))
        for mood in MOODS
        if counts[mood]
    )
    key = "check.summary.found_one" if len(result.findings) == 1 else "check.summary.found"
    lines = [
        t(
            key,
            lang,
            count=len(result.findings),
            moods=moods,
            analysed=result.files_analysed,
            seen=result.files_seen,
        )
    ]
    summed = total([(finding.evidence or {}).get("cost") for finding in result.findings])
    if summed:
        lines.append(
            t(
                "check.summary.cost",
                lang,
                count=summed["findings"],
                monthly=cost_text.monthly(summed["per_month"], lang),  # type: ignore[arg-type]
            )
        )
        lines.append(cost_text.assumptions(summed["assumptions"], lang))  # type: ignore[arg-type]
    return lines


def render_text(
    result: RunResult, color: bool, quiet: bool = False, lang: str = DEFAULT_LANG
) -> str:
    lines = (
        [] if quiet and not result.findings else [_line(f, color, lang) for f in result.findings]
    )
    if not quiet or result.findings:
        lines.extend(_summary(result, lang))
    return "\n".join(lines) + ("\n" if lines else "")
