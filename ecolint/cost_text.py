"""Monthly kWh, dollars, CO2 and equivalents as one line of text, in English or Chinese.

Shared by the text report of ``check`` and the advisor commands so a cost reads the same
everywhere; the figures themselves come from ``ecolint.evidence.cost``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecolint.i18n import t


def number(value: float) -> str:
    """Enough digits to read, never fake precision: 1,234 / 12.3 / 1.23 / 0.0123."""
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def money(value: float | None, lang: str) -> str:
    if value is None:
        return t("cost.no_price_short", lang)
    sign = "-" if value < 0 else ""
    amount = abs(value)
    if 0 < amount < 0.01:
        return f"{sign}${amount:.2g}"
    return f"{sign}${amount:,.2f}" if amount < 100 else f"{sign}${amount:,.0f}"


def monthly(per_month: Mapping[str, Any], lang: str, key: str = "cost.monthly") -> str:
    """``13.4 kWh, $1.61, 5.23 kg CO2 per month (≈ 21.3 km driven, 422 smartphone charges)``"""
    return t(
        key,
        lang,
        kwh=number(per_month["kwh"]),
        usd=money(per_month["usd"], lang),
        kg=number(per_month["kg_co2"]),
        km=number(per_month["km_driven"]),
        charges=f"{round(per_month['smartphone_charges']):,}",
    )


def value_range(cost: Mapping[str, Any], lang: str) -> str:
    spread = cost.get("range")
    if not spread:
        return ""
    low, high = sorted(abs(value) for value in spread["kwh"])
    return t("cost.range", lang, low=number(low), high=number(high))


def assumptions(found: Mapping[str, Any], lang: str) -> str:
    """``1,000 requests/day × 30 days = 30,000 requests/month; ...; us: $0.12/kWh, ...``"""
    steps = t("list.separator", lang).join(found["conversions"])
    price = found["usd_per_kwh"]
    return t(
        "cost.assumptions",
        lang,
        steps=steps,
        region=found["region"],
        price=f"${price:g}/kWh" if price is not None else t("cost.no_price_short", lang),
        grid=f"{found['gco2_per_kwh']:g}",
        pue=f"{found['pue']:g}",
        pue_source=found["pue_source"],
    )


def _absolute(per_month: Mapping[str, Any]) -> dict[str, Any]:
    return {key: abs(value) if value is not None else None for key, value in per_month.items()}


def finding_line(cost: Mapping[str, Any], lang: str) -> str:
    """``cost: ...`` for a finding that wastes energy, ``saving: ...`` for a green one."""
    if "unavailable" in cost:
        return t("cost.line_unavailable", lang, reason=cost["unavailable"])
    saving = cost["delta_j_per_1k_tok"] < 0
    text = t(
        "cost.saving_line" if saving else "cost.line",
        lang,
        monthly=monthly(_absolute(cost["per_month"]) if saving else cost["per_month"], lang),
        confidence=cost["confidence"],
        range=value_range(cost, lang),
    )
    for note in cost.get("notes", []):
        text += f"; {note}"
    return text
