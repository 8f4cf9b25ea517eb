"""``ecolint diff`` as text for a terminal and as the JSON document the README describes.

Every figure is a finding's own cost (from its rows and the workload) or the difference of the
two trees' totals; nothing is computed here beyond signs, sums of those and formatting."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ecolint import __version__, cost_text
from ecolint.evidence.dataset import data_version
from ecolint.findings.changes import ADDED, CHANGED, REMOVED, Change, DiffReport, Revision
from ecolint.i18n import DEFAULT_LANG, noun, t
from ecolint.reporters.inert import inert
from ecolint.reporters.text import first_line

MARKS = {ADDED: "+", REMOVED: "-", CHANGED: "~"}


def signed(value: float) -> str:
    """``+12.3`` / ``-0.41`` / ``0``: a change always says which way it goes."""
    text = cost_text.number(value)
    return f"+{text}" if value > 0 else text


def signed_money(value: float | None, lang: str) -> str:
    text = cost_text.money(value, lang)
    return f"+{text}" if value is not None and value > 0 else text


def change_text(figures: Mapping[str, Any], lang: str, key: str = "diff.per_month") -> str:
    """``+32.9 kWh, +$3.95, +12.8 kg CO2 per month``"""
    return t(
        key,
        lang,
        kwh=signed(figures["kwh"]),
        usd=signed_money(figures["usd"], lang),
        kg=signed(figures["kg_co2"]),
    )


def side_label(side: Revision, lang: str) -> str:
    """``HEAD~1 (3f2a9c1)``, or the working tree or the index in the reader's language."""
    name = t(f"diff.side.{side.label}", lang) if side.commit is None else inert(side.label)
    return f"{name} ({side.commit[:7]})" if side.commit else name


def render_diff_text(report: DiffReport, color: bool, lang: str = DEFAULT_LANG) -> str:
    comparison = report.comparison
    lines = [
        t(
            "diff.sides",
            lang,
            base=side_label(report.base, lang),
            head=side_label(report.head, lang),
            before=report.base.findings,
            before_findings=noun("finding", report.base.findings, lang),
            after=report.head.findings,
            after_findings=noun("finding", report.head.findings, lang),
        )
    ]
    for change in comparison.changes:
        lines += _change_lines(change, color, lang)
    lines.append(
        t(
            "diff.counts",
            lang,
            **comparison.counts(),
        )
    )
    net = comparison.net
    if net is None:
        lines.append(t("diff.not_priced", lang))
    else:
        month = change_text(net.per_month(), lang)
        year = change_text(net.per_year(), lang, "diff.per_year")
        lines += [
            t("diff.net", lang, monthly=month, yearly=year),
            t("diff.net_assumes", lang),
            cost_text.assumptions(net.assumptions, lang),
        ]
    return "\n".join(lines) + "\n"


def _change_lines(change: Change, color: bool, lang: str) -> list[str]:
    finding = change.finding
    lines = [f"{MARKS[change.kind]} {first_line(finding, color, lang, headline=False)}"]
    if change.kind == CHANGED and change.base is not None and change.base.headline:
        lines.append("    " + t("diff.was", lang, headline=inert(change.base.headline)))
    if finding.headline:
        lines.append("    " + t("check.evidence", lang, headline=inert(finding.headline)))
    monthly = change.monthly()
    if monthly is not None:
        lines.append("    " + t("diff.change", lang, change=change_text(monthly, lang)))
    return lines


def render_diff_json(report: DiffReport) -> str:
    comparison = report.comparison
    net = comparison.net

    def entry(change: Change) -> dict[str, Any]:
        item: dict[str, Any] = {
            "kind": change.kind,
            "finding": change.finding.as_dict(),
            "monthly_change": change.monthly(),
        }
        if change.kind == CHANGED and change.base is not None:
            item["before"] = change.base.as_dict()
        return item

    document = {
        "version": __version__,
        "data_version": data_version(),
        "gpu": report.gpu,
        "base": report.base.__dict__,
        "head": report.head.__dict__,
        "added": [entry(c) for c in comparison.of(ADDED)],
        "removed": [entry(c) for c in comparison.of(REMOVED)],
        "changed": [entry(c) for c in comparison.of(CHANGED)],
        "unchanged": comparison.unchanged,
        "net": None
        if net is None
        else {
            "base_kwh_per_month": net.base_kwh,
            "head_kwh_per_month": net.head_kwh,
            "per_month": net.per_month(),
            "per_year": net.per_year(),
            "assumptions": net.assumptions,
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
