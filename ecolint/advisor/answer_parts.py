"""Pieces every advisor answer shares: its header, monthly costs of rows under the workload,
number cells, and the closing notes, limits, workload and data lines."""

from __future__ import annotations

from typing import Any

from ecolint import __version__, cost_text
from ecolint.advisor.context import Context
from ecolint.advisor.lookup import gpu_label, limits
from ecolint.advisor.output import Block, Bullets, Heading, Para
from ecolint.evidence import cost
from ecolint.evidence.dataset import Gpu, Row, data_version
from ecolint.evidence.models import ModelSize
from ecolint.evidence.sessions import Pair
from ecolint.i18n import t

COMPARE_COLUMNS = (
    "precision",
    "session",
    "throughput",
    "power",
    "energy",
    "delta",
    "tokens_per_joule",
    "weights",
    "monthly",
    "monthly_delta",
    "mood",
    "confidence",
    "row",
)


def figures(row: Row) -> dict[str, float | None]:
    """A row's measured numbers under the names every answer's JSON gives them."""
    return {
        "throughput_tok_s": row.throughput_tok_s,
        "throughput_std": row.throughput_std,
        "power_w": row.power_w,
        "energy_j_per_1k_tok": row.energy_j_per_1k_tok,
        "energy_j_per_1k_tok_std": row.energy_j_per_1k_tok_std,
        "energy_j_per_request": row.energy_j_per_request,
    }


def header(context: Context, model: ModelSize) -> dict[str, Any]:
    return {
        "version": __version__,
        "data_version": data_version(),
        "lang": context.lang,
        "gpu": context.gpu.key,
        "gpu_name": gpu_label(context.gpu),
        "model": {
            "id": model.model_id,
            "params_b": model.params_b,
            "size_source": model.source,
        },
    }


class Costing:
    """Monthly figures of single rows under the user's workload (none without a workload)."""

    def __init__(self, context: Context, gpu: Gpu) -> None:
        self.context = context
        self.workload = context.workload
        self.rates = cost.tariff(self.workload, gpu) if self.workload.has_volume else None
        self.volume: cost.Volume | None = None
        self.problems: list[str] = []

    def tokens(self, row: Row) -> float | None:
        if self.rates is None:
            return None
        try:
            found = cost.volume(self.workload, row)
        except cost.CostError as error:
            self.problems.append(error.reason.render(self.context.lang))
            return None
        assert found is not None
        self.volume = self.volume or found
        return found.tokens_per_month

    def monthly_of(self, j_per_1k_tok: float, row: Row) -> cost.Monthly | None:
        tokens = self.tokens(row)
        if tokens is None or self.rates is None:
            return None
        return cost.monthly(j_per_1k_tok, tokens, self.rates)

    def monthly(self, row: Row) -> dict[str, float | None] | None:
        if row.energy_j_per_1k_tok is None:
            return None
        figures = self.monthly_of(row.energy_j_per_1k_tok, row)
        return figures.as_dict() if figures else None

    def difference(self, pair: Pair) -> dict[str, float | None] | None:
        """Monthly figures of a pair's energy difference (quantised − FP16, one session)."""
        quant, base = pair.quant.energy_j_per_1k_tok, pair.base.energy_j_per_1k_tok
        if quant is None or base is None:
            return None
        figures = self.monthly_of(quant - base, pair.quant)
        return figures.as_dict() if figures else None

    def assumptions(self) -> dict[str, object] | None:
        if self.volume is None or self.rates is None:
            return None
        return cost.assumptions(self.volume, self.rates, self.context.lang)


def limit_texts(context: Context, model: ModelSize | None, batch: int | None) -> list[str]:
    return [item.render(context.lang) for item in limits(context.gpu, model, batch)]


def exact(value: float) -> str:
    """A figure as the CSV writes it (no rounding): 7656.695, 1659, 0.51."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def maybe(value: float | None) -> str:
    return "—" if value is None else exact(value)


def plus_minus(value: float | None, spread: float | None) -> str:
    if value is None:
        return "—"
    return f"{exact(value)} ± {exact(spread)}" if spread is not None else exact(value)


def delta_text(delta: float | None, base_row: int | None, lang: str) -> str:
    if delta is None:
        return t("compare.baseline", lang)
    return t("compare.delta", lang, delta=delta, base=base_row)


def money_text(monthly: dict[str, Any] | None, lang: str, per_month: bool = False) -> str:
    if monthly is None:
        return "" if per_month else "—"
    text = cost_text.money(monthly["usd"], lang)
    return t("advisor.per_month", lang, amount=text) if per_month else text


def signed_money(monthly: dict[str, Any] | None, lang: str, per_month: bool = False) -> str:
    """``+$3.41`` / ``-$1.62`` (per month in the chart)."""
    if monthly is None or monthly["usd"] is None:
        return "" if per_month else "—"
    amount = monthly["usd"]
    text = ("+" if amount >= 0 else "-") + cost_text.money(abs(amount), lang)
    return t("advisor.per_month", lang, amount=text) if per_month else text


def footer(data: dict[str, Any], lang: str) -> list[Block]:
    blocks: list[Block] = []
    if data.get("notes"):
        blocks += [Heading(t("advisor.notes", lang)), Bullets(tuple(data["notes"]))]
    workload = data.get("workload")
    if workload:
        blocks.append(Para(cost_text.assumptions(workload, lang)))
    else:
        blocks.append(Para(t("advisor.no_workload", lang)))
    blocks += [Heading(t("advisor.limits", lang)), Bullets(tuple(data["limits"]))]
    blocks.append(Para(t("advisor.data", lang, version=data["data_version"])))
    return blocks
