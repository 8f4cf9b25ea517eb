"""A GitHub job summary (``$GITHUB_STEP_SUMMARY``) in GitHub-flavoured Markdown: totals per
mood, a table of findings (with each finding's monthly cost when a workload is configured), a
bar chart of the measured deltas, and the monthly and yearly energy, cost and CO2 at the
configured workload. English or Chinese."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ecolint import cost_text
from ecolint.evidence.cost import from_kwh, total
from ecolint.evidence.dataset import data_version
from ecolint.findings.model import Finding
from ecolint.i18n import DEFAULT_LANG, noun, t
from ecolint.reporters.inert import inert, inert_path
from ecolint.results import RunResult
from ecolint.rules import MOODS

MOOD_MARKS = {"red": "🔴", "orange": "🟠", "yellow": "🟡", "gray": "⚪", "green": "🟢"}
BAR_WIDTH = 30
EIGHTHS = " ▏▎▍▌▋▊▉"
# Backslash-escaping every ASCII punctuation mark that Markdown or a table cell could act on
# keeps message text literal (``**kwargs``, ``a|b``, ``<module>``).
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")
YEARLY_MARKER = "<!-- ecolint: yearly energy and cost at the configured workload -->"
MONTHS_PER_YEAR = 12


def escape(text: str) -> str:
    """Literal text inside a GFM table cell: one line, Markdown punctuation escaped."""
    return _SPECIAL.sub(r"\\\1", inert(" ".join(text.split())))


def render_markdown(result: RunResult, gpu: str, lang: str = DEFAULT_LANG) -> str:
    parts = [_heading(result, lang), _totals(result, gpu, lang)]
    if result.findings:
        parts += [_table(result.findings, lang)]
    chart = _chart(result.findings, lang)
    if chart:
        parts += [chart]
    parts += [_yearly(result, lang)]
    not_checked = _not_checked(result, lang)
    if not_checked:
        parts += [not_checked]
    return "\n\n".join(parts) + "\n"


def _heading(result: RunResult, lang: str) -> str:
    count = len(result.findings)
    if not count:
        return t("markdown.clean", lang)
    return t("markdown.heading_one" if count == 1 else "markdown.heading", lang, count=count)


def _totals(result: RunResult, gpu: str, lang: str) -> str:
    counts = Counter(finding.mood for finding in result.findings)
    rows = "\n".join(
        f"| {MOOD_MARKS[mood]} {t(f'mood.{mood}', lang)} | {counts.get(mood, 0)} |"
        for mood in MOODS
    )
    line = t(
        "markdown.totals",
        lang,
        analysed=result.files_analysed,
        seen=result.files_seen,
        gpu=gpu,
        version=data_version(),
    )
    header = t("markdown.totals_header", lang)
    return f"{line}\n\n{header}\n|:--|--:|\n{rows}"


def _table(findings: list[Finding], lang: str) -> str:
    costed = any((finding.evidence or {}).get("cost") for finding in findings)
    columns = t("markdown.columns", lang).split("|")
    if costed:
        columns.insert(4, t("markdown.cost_column", lang))
    lines = [
        t("markdown.findings", lang),
        "",
        "| " + " | ".join(column.strip() for column in columns) + " |",
        "|" + "|".join(":--" if i != 3 else "--:" for i in range(len(columns))) + "|",
    ]
    for finding in findings:
        evidence = finding.evidence or {}
        fix = (finding.fix or {}).get("summary") or "—"
        cells = [
            escape(finding.location),
            f"{MOOD_MARKS[finding.mood]} {finding.code} `{finding.name}`",
            escape(finding.message),
            escape(_delta(evidence)),
            escape(_confidence(evidence)),
            escape(fix),
        ]
        if costed:
            cells.insert(4, escape(_cost(evidence, lang)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cost(evidence: dict[str, Any], lang: str) -> str:
    cost = evidence.get("cost")
    if not cost or "per_month" not in cost:
        return "—"
    month = cost["per_month"]
    sign = "-" if cost["delta_j_per_1k_tok"] < 0 else ""
    usd = month["usd"]
    money = cost_text.money(abs(usd), lang) if usd is not None else cost_text.money(None, lang)
    return f"{sign}{cost_text.number(abs(month['kwh']))} kWh, {sign}{money}"


def _delta(evidence: dict[str, Any]) -> str:
    """``+30.7% vs row 25``: the extra energy as written, and the row it is measured against."""
    delta = evidence.get("delta_pct")
    if delta is None:
        return "—"
    baseline = evidence.get("baseline")
    return f"{delta:+,.1f}% vs row {baseline['row']}" if baseline else f"{delta:+,.1f}%"


def _confidence(evidence: dict[str, Any]) -> str:
    """``★★★ RTX 4090D Qwen2-1.5B``: the stars and what they grade, from the headline."""
    stars = str(evidence.get("confidence") or "")
    headline = str(evidence.get("headline") or "")
    if not stars:
        return "—"
    return headline[headline.index(stars) :].split(";")[0] if stars in headline else stars


def _chart(findings: list[Finding], lang: str = DEFAULT_LANG) -> str:
    """Bars in a code block (monospace keeps them aligned); a saving is drawn in light shade."""
    measured = [
        (f"{inert_path(finding.location)} {finding.code}", finding.evidence["delta_pct"])
        for finding in findings
        if finding.evidence and finding.evidence.get("delta_pct") is not None
    ]
    if not measured:
        return ""
    largest = max(abs(delta) for _, delta in measured) or 1.0
    width = max(len(label) for label, _ in measured)
    lines = [
        f"{label:<{width}}  {delta:+8.1f}%  {_bar(delta, largest, lang)}"
        for label, delta in measured
    ]
    body = "\n".join(lines)
    return f"{t('markdown.chart', lang)}\n\n```text\n{body}\n```"


def _bar(delta: float, largest: float, lang: str = DEFAULT_LANG) -> str:
    cells = abs(delta) / largest * BAR_WIDTH
    if delta < 0:
        return "░" * max(1, round(cells)) + " " + t("markdown.saving", lang)
    whole, eighths = int(cells), round((cells - int(cells)) * 8)
    if eighths == 8:
        whole, eighths = whole + 1, 0
    bar = "█" * whole + (EIGHTHS[eighths] if eighths else "")
    return bar or "▏"


def _yearly(result: RunResult, lang: str) -> str:
    """Monthly and yearly energy, cost and CO2 of the findings that waste energy, each file's
    traffic costed once (``total``); without a workload it says so and prints no figure."""
    heading = t("markdown.yearly", lang)
    summed = total(
        [(finding.path, (finding.evidence or {}).get("cost")) for finding in result.findings]
    )
    if not summed:
        return f"{heading}\n\n{YEARLY_MARKER}\n{t('markdown.no_workload', lang)}"
    month = summed["per_month"]
    year = from_kwh(month["kwh"] * MONTHS_PER_YEAR, summed["assumptions"])
    yearly = cost_text.monthly(year, lang, key="cost.yearly")
    lines = [
        t(
            "markdown.per_month",
            lang,
            count=summed["findings"],
            findings=noun("finding", summed["findings"], lang),
            paths=summed["counted"],
            files=noun("file", summed["counted"], lang),
            monthly=cost_text.monthly(month, lang),
        ),
        t("markdown.per_year", lang, yearly=yearly, months=MONTHS_PER_YEAR),
        escape(cost_text.assumptions(summed["assumptions"], lang)),
    ]
    return f"{heading}\n\n{YEARLY_MARKER}\n" + "\n\n".join(lines)


def _not_checked(result: RunResult, lang: str = DEFAULT_LANG) -> str:
    items = [
        "- "
        + t(
            "markdown.internal_error",
            lang,
            path=escape(error.path),
            code=error.code,
            message=escape(error.message),
        )
        for error in result.internal_errors
    ]
    items += [f"- {escape(path)}: {escape(problem)}" for path, problem in result.problems]
    return t("markdown.not_checked", lang) + "\n\n" + "\n".join(items) if items else ""
