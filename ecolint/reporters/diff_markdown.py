"""``ecolint diff`` as a pull-request comment: a headline with the net monthly change, a table
of the added, removed and changed findings (file:line links, evidence rows, confidence, monthly
change) and a bar chart of each finding's monthly change in Unicode blocks, which GitHub shows
aligned inside a code block. The first line is a hidden marker by which the GitHub Action finds
its own comment to edit it instead of adding another."""

from __future__ import annotations

from urllib.parse import quote

from ecolint import cost_text
from ecolint.findings.changes import ADDED, CHANGED, REMOVED, Change, DiffReport
from ecolint.i18n import DEFAULT_LANG, t
from ecolint.reporters.diff_text import MARKS, change_text, side_label, signed, signed_money
from ecolint.reporters.inert import inert_path
from ecolint.reporters.markdown import BAR_WIDTH, EIGHTHS, MOOD_MARKS, escape

COMMENT_MARKER = "<!-- ecolint-diff-comment -->"
KIND_MARKS = {ADDED: "➕", REMOVED: "➖", CHANGED: "✏️"}


def render_diff_markdown(
    report: DiffReport, repository_url: str | None = None, lang: str = DEFAULT_LANG
) -> str:
    """``repository_url`` (``https://github.com/OWNER/REPO``) makes each file:line a link to the
    commit of its side; without it the link is relative to the repository's top folder."""
    parts = [COMMENT_MARKER + "\n" + _headline(report, lang)]
    comparison = report.comparison
    if comparison.changes:
        parts.append(_table(report, repository_url, lang))
    chart = _chart(comparison.changes, lang)
    if chart:
        parts.append(chart)
    if comparison.net is not None:
        parts.append(t("diff.md.net_assumes", lang))
        parts.append(escape(cost_text.assumptions(comparison.net.assumptions, lang)))
    return "\n\n".join(parts) + "\n"


def _headline(report: DiffReport, lang: str) -> str:
    """What the change does to the monthly waste, in one line a reviewer reads first."""
    comparison = report.comparison
    sides = t(
        "diff.md.sides",
        lang,
        base=escape(side_label(report.base, lang)),
        head=escape(side_label(report.head, lang)),
        gpu=report.gpu,
        **comparison.counts(),
    )
    net = comparison.net
    if net is None:
        return f"{t('diff.md.unpriced', lang)}\n\n{sides}"
    month, year = net.per_month(), net.per_year()
    if round(net.kwh, 3) == 0:
        return f"{t('diff.md.no_change', lang)}\n\n{sides}"
    usd = month["usd"]
    headline = t(
        "diff.md.adds" if net.kwh > 0 else "diff.md.saves",
        lang,
        kwh=cost_text.number(abs(month["kwh"] or 0.0)),
        usd=cost_text.money(abs(usd) if usd is not None else None, lang),
        kg=cost_text.number(abs(month["kg_co2"] or 0.0)),
    )
    yearly = change_text(year, lang, "diff.per_year")
    return f"{headline}\n\n{t('diff.md.yearly', lang, yearly=yearly)}\n\n{sides}"


def _table(report: DiffReport, repository_url: str | None, lang: str) -> str:
    columns = [c.strip() for c in t("diff.md.columns", lang).split("|")]
    lines = [
        "| " + " | ".join(columns) + " |",
        "|"
        + "|".join("--:" if i == len(columns) - 1 else ":--" for i in range(len(columns)))
        + "|",
    ]
    for change in report.comparison.changes:
        finding = change.finding
        evidence = finding.evidence or {}
        rows = ", ".join(str(row.get("line")) for row in evidence.get("rows", [])) or "—"
        monthly = change.monthly()
        cells = [
            f"{KIND_MARKS[change.kind]} {t(f'diff.kind.{change.kind}', lang)}",
            _place(report, change, repository_url),
            f"{MOOD_MARKS[finding.mood]} {finding.code}",
            escape(finding.message),
            escape(rows),
            escape(str(evidence.get("confidence") or "—")),
            escape(_monthly_cell(monthly, lang)) if monthly else "—",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _place(report: DiffReport, change: Change, repository_url: str | None) -> str:
    """``[src/app.py:12](…/blob/COMMIT/src/app.py#L12)``: a removed finding links to the
    base commit, any other to the head commit; the working tree and the index have none, so
    their links are relative to the repository."""
    finding = change.finding
    text = escape(inert_path(finding.location))
    target = f"{quote(finding.path)}#L{finding.line}"
    side = report.base if change.head is None else report.head
    if repository_url and side.commit:
        return f"[{text}]({repository_url.rstrip('/')}/blob/{side.commit}/{target})"
    return f"[{text}]({target})"


def _monthly_cell(monthly: dict[str, float | None], lang: str) -> str:
    return f"{signed(monthly['kwh'] or 0.0)} kWh, {signed_money(monthly['usd'], lang)}"


def _chart(changes: list[Change], lang: str) -> str:
    """One bar per priced change, the largest as a full bar: ``█`` for more energy, ``░`` for
    less (a saving)."""
    priced = [
        (f"{MARKS[c.kind]} {inert_path(c.finding.location)} {c.finding.code}", c.kwh)
        for c in changes
        if c.kwh
    ]
    if not priced:
        return ""
    largest = max(abs(kwh) for _, kwh in priced)
    width = max(len(label) for label, _ in priced)
    body = "\n".join(
        f"{label:<{width}}  {signed(kwh):>8} kWh/mo  {_bar(kwh, largest)}" for label, kwh in priced
    )
    return f"{t('diff.md.chart', lang)}\n\n```text\n{body}\n```"


def _bar(kwh: float, largest: float) -> str:
    cells = abs(kwh) / largest * BAR_WIDTH
    if kwh < 0:
        return "░" * max(1, round(cells))
    whole, eighths = int(cells), round((cells - int(cells)) * 8)
    if eighths == 8:
        whole, eighths = whole + 1, 0
    return ("█" * whole + (EIGHTHS[eighths] if eighths else "")) or "▏"
