"""``path:line:col: ECO101 [orange] message (+30.7% energy vs FP16, ★★★ RTX 4090D ...)``"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from ecolint import cost_text
from ecolint.i18n import DEFAULT_LANG, noun, t
from ecolint.reporters.inert import inert, inert_path
from ecolint.results import RunResult
from ecolint.rules import MOOD_COLORS, MOODS

if TYPE_CHECKING:
    from ecolint.findings.model import Finding

WASTE_BAR = 20  # characters for the file that wastes most


def mood_label(mood: str, color: bool, lang: str = DEFAULT_LANG) -> str:
    """``[orange]`` (``[橙]`` in Chinese), coloured on a terminal that allows it."""
    label = f"[{t(f'mood.{mood}', lang)}]"
    if color:
        label = click.style(label, fg=MOOD_COLORS[mood], bold=mood == "red")
    return label


def first_line(finding: Finding, color: bool, lang: str, headline: bool = True) -> str:
    """``path:line:col: CODE [mood] message (headline)``, names and messages made inert (the
    one-line ``concise`` view; the default view gives the headline a line of its own)."""
    mood = mood_label(finding.mood, color, lang)
    location = f"{inert_path(finding.path)}:{finding.line}:{finding.column}:"
    if finding.cell is not None:
        location = f"{inert_path(finding.location)}:col {finding.cell_column}:"
    code = click.style(finding.code, bold=True) if color else finding.code
    text = f"{location} {code} {mood} {inert(finding.message)}"
    if headline and finding.headline:
        text += f" ({inert(finding.headline)})"
    return text


def finding_text(finding: Finding, color: bool, lang: str) -> str:
    """The message, then its evidence, fix and cost each on a line of their own."""
    text = first_line(finding, color, lang, headline=False)
    if finding.headline:
        text += "\n    " + t("check.evidence", lang, headline=inert(finding.headline))
    fix = (finding.fix or {}).get("summary")
    if fix:
        text += "\n    " + t("check.fix", lang, fix=fix)
        if finding.autofix:
            text += " " + t(f"check.autofix.{finding.safety}", lang)
    cost = (finding.evidence or {}).get("cost")
    if cost:
        text += "\n    " + cost_text.finding_line(cost, lang)
    return text


def summary_line(result: RunResult, lang: str = DEFAULT_LANG) -> str:
    """``Found 3 findings (1 red, 2 orange) in 4 analysed of 9 files.``"""
    files = noun("file", result.files_seen, lang)
    if not result.findings:
        if not result.files_seen:
            return t("check.summary.nothing", lang)
        key = "check.summary.clean"
        return t(key, lang, seen=result.files_seen, analysed=result.files_analysed, files=files)
    counts = Counter(finding.mood for finding in result.findings)
    moods = t("list.comma", lang).join(
        t("check.summary.mood", lang, count=counts[mood], mood=t(f"mood.{mood}", lang))
        for mood in MOODS
        if counts[mood]
    )
    key = "check.summary.found_one" if len(result.findings) == 1 else "check.summary.found"
    return t(
        key,
        lang,
        count=len(result.findings),
        moods=moods,
        analysed=result.files_analysed,
        seen=result.files_seen,
        files=files,
    )


def _fixable(findings: list[Finding], lang: str = DEFAULT_LANG) -> str:
    """How many findings ``--fix`` (and ``--fix --unsafe-fixes``) would fix, as ruff says it."""
    safe = sum(finding.safety == "safe" for finding in findings)
    unsafe = sum(finding.safety == "unsafe" for finding in findings)
    if safe and unsafe:
        return t("check.fixable.both", lang, safe=safe, unsafe=unsafe)
    if safe:
        return t("check.fixable.safe", lang, safe=safe)
    return t("check.fixable.unsafe", lang, unsafe=unsafe) if unsafe else ""


def cost_lines(result: RunResult, lang: str = DEFAULT_LANG) -> list[str]:
    """The monthly total of the findings that waste energy, and the workload behind it (the
    cost model is imported only when a finding has a cost: most runs have none)."""
    costs = [(finding.path, (finding.evidence or {}).get("cost")) for finding in result.findings]
    if not any(cost for _, cost in costs):
        return []
    from ecolint.evidence.cost import total

    summed = total(costs)
    if not summed:
        return []
    monthly = cost_text.monthly(summed["per_month"], lang)
    return [
        t(
            "check.summary.cost",
            lang,
            count=summed["findings"],
            findings=noun("finding", summed["findings"], lang),
            paths=summed["counted"],
            files=noun("file", summed["counted"], lang),
            monthly=monthly,
        ),
        t("check.summary.cost_assumes", lang),
        *_waste_chart(summed["by_path"]),
        cost_text.assumptions(summed["assumptions"], lang),
    ]


def _waste_chart(by_path: list[dict[str, object]]) -> list[str]:
    """``  serve.py  [==========] 15.5 kWh/mo (rows 71/77)``: each file's counted waste,
    the largest as a full bar; nothing for a single file."""
    if len(by_path) < 2:
        return []
    largest = max(float(str(entry["kwh"])) for entry in by_path) or 1.0
    names = max(len(inert_path(str(entry["path"]))) for entry in by_path)
    lines = []
    for entry in by_path:
        kwh = float(str(entry["kwh"]))
        cells = max(1, round(kwh / largest * WASTE_BAR))
        bar = "[" + "=" * cells + " " * (WASTE_BAR - cells) + "]"
        rows = "/".join(str(row) for row in entry["rows"])  # type: ignore[attr-defined]
        path = inert_path(str(entry["path"])).ljust(names)
        lines.append(f"  {path}  {bar} {cost_text.number(kwh)} kWh/mo (rows {rows})")
    return lines


def render_text(
    result: RunResult,
    color: bool,
    quiet: int = 0,
    lang: str = DEFAULT_LANG,
    line: Callable[[Finding, bool, str], str] = finding_text,
) -> str:
    """``quiet``: 1 prints the findings only, 2 nothing. ``line``: how a finding is shown."""
    if quiet >= 2:
        return ""
    lines = [line(finding, color, lang) for finding in result.findings]
    if quiet:
        return "".join(f"{text}\n" for text in lines)
    lines.append(summary_line(result, lang))
    lines.extend(cost_lines(result, lang))
    outcome = result.baseline
    if outcome is not None and (outcome.matched or outcome.fixed):
        key = "check.baseline." + ("one" if outcome.matched == 1 else "many")
        key += "_fixed" if outcome.fixed else ""
        lines.append(t(key, lang, matched=outcome.matched, fixed=len(outcome.fixed)))
    fixable = _fixable(result.findings, lang)
    if fixable:
        lines.append(fixable)
    return "\n".join(lines) + "\n"
