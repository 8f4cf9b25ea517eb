"""``ecolint estimate``: monthly kWh, dollars, CO2 and equivalents of one configuration, and
what the best alternative measured in the same session would save (ESTIMATE)."""

from __future__ import annotations

from typing import Any

from ecolint import cost_text
from ecolint.advisor import answer_parts
from ecolint.advisor.context import AdvisorError, Context
from ecolint.advisor.lookup import DEFAULT_BATCH, pick_row, session_rows, stars
from ecolint.advisor.output import Answer, Bar, Block, Chart, Heading, Para
from ecolint.advisor.precisions import BF16, BF16_ARCHS, label, normalise
from ecolint.evidence.dataset import Row
from ecolint.evidence.select import STARS
from ecolint.i18n import t
from ecolint.text_table import Table


def row_facts(row: Row) -> dict[str, Any]:
    return {
        "row": row.line,
        "precision": row.precision,
        "batch_size": row.batch_size,
        "model_id": row.model_id,
        "gpu": row.gpu,
        **answer_parts.figures(row),
        "source": row.citation(),
    }


def versus(row: Row, other: Row) -> dict[str, float]:
    """One sign convention: the extra energy per token of ``row`` (the configuration asked
    about) relative to ``other``, and what switching to ``other`` saves, derived."""
    assert row.energy_j_per_1k_tok and other.energy_j_per_1k_tok
    ratio = row.energy_j_per_1k_tok / other.energy_j_per_1k_tok
    return {"extra_pct": round((ratio - 1) * 100, 2), "saving_pct": round((1 - 1 / ratio) * 100, 2)}


def answer(context: Context, model_name: str, precision_name: str) -> Answer:
    lang, gpu = context.lang, context.gpu
    model = context.model(model_name)
    precision = normalise(precision_name, lang)
    notes: list[str] = []
    if precision_name.strip().lower() in BF16:
        notes.append(t("estimate.bf16", lang))
        if gpu.arch not in BF16_ARCHS:
            notes.append(t("advise.bf16_unsupported", lang, gpu=gpu.key, arch=gpu.arch))
    batch = context.workload.batch_size or DEFAULT_BATCH
    picked = pick_row(gpu, model, precision, batch)
    if picked is None:
        raise AdvisorError(t("error.no_rows", lang, precision=precision, gpu=gpu.key))
    row, found_notes = picked
    notes += [note.render(lang) for note in found_notes]
    costing = answer_parts.Costing(context, gpu)
    alternatives = [other for other in session_rows(row) if other.energy_j_per_1k_tok]
    best = min([row, *alternatives], key=lambda other: other.energy_j_per_1k_tok or 0.0)
    saving = None
    if best is not row:
        assert row.energy_j_per_1k_tok is not None and best.energy_j_per_1k_tok is not None
        figures = costing.monthly_of(row.energy_j_per_1k_tok - best.energy_j_per_1k_tok, row)
        saving = {
            **row_facts(best),
            **versus(row, best),
            "monthly_saving": figures.as_dict() if figures else None,
        }
    grade = stars(row, gpu, model)
    data: dict[str, Any] = {
        "command": "estimate",
        **answer_parts.header(context, model),
        "precision": precision,
        "measured": row_facts(row),
        "confidence": STARS[grade],
        "stars": grade,
        "monthly": costing.monthly(row),
        "alternatives": [{**row_facts(other), **versus(row, other)} for other in alternatives],
        "best_alternative": saving,
        "workload": costing.assumptions(),
        "notes": notes + costing.problems,
        "limits": answer_parts.limit_texts(context, model, batch),
    }
    return Answer(data, _blocks(data, lang))


def _blocks(data: dict[str, Any], lang: str) -> list[Block]:
    measured = data["measured"]
    title = t(
        "estimate.title",
        lang,
        model=measured["model_id"],
        gpu=measured["gpu"],
        precision=label(data["precision"], lang),
        batch=measured["batch_size"],
    )
    facts = [
        (t("estimate.row", lang), f"{measured['row']} ({measured['source']['source']})"),
        (t("compare.col.energy", lang), answer_parts.maybe(measured["energy_j_per_1k_tok"])),
        (t("compare.col.throughput", lang), answer_parts.maybe(measured["throughput_tok_s"])),
        (t("compare.col.power", lang), answer_parts.maybe(measured["power_w"])),
        (t("compare.col.confidence", lang), data["confidence"]),
    ]
    if measured["energy_j_per_request"] is not None:
        facts.insert(
            2,
            (t("estimate.per_request", lang), answer_parts.maybe(measured["energy_j_per_request"])),
        )
    if data["monthly"]:
        facts.append((t("estimate.monthly", lang), cost_text.monthly(data["monthly"], lang)))
    blocks: list[Block] = [
        Heading(title),
        Table((t("estimate.metric", lang), t("estimate.value", lang)), tuple(facts)),
        Heading(t("estimate.best", lang)),
    ]
    best = data["best_alternative"]
    if best is None:
        blocks.append(Para(t("estimate.already_best", lang)))
    else:
        saved = best["monthly_saving"]
        text = t(
            "estimate.saving",
            lang,
            label=label(best["precision"], lang),
            batch=best["batch_size"],
            row=best["row"],
            this=measured["row"],
            extra=best["extra_pct"],
            saving=best["saving_pct"],
        )
        if saved:
            text += " " + t("estimate.saving_monthly", lang, monthly=cost_text.monthly(saved, lang))
        blocks.append(Para(text))
    if data["alternatives"]:
        rows = tuple(
            (
                label(other["precision"], lang),
                str(other["batch_size"]),
                answer_parts.maybe(other["energy_j_per_1k_tok"]),
                answer_parts.maybe(other["energy_j_per_request"]),
                f"{other['extra_pct']:+,.2f}%",
                str(other["row"]),
            )
            for other in data["alternatives"]
        )
        headers = tuple(
            t(f"estimate.col.{name}", lang, row=measured["row"]) for name in ESTIMATE_COLUMNS
        )
        blocks.append(Table(headers, rows))
        blocks.append(_chart(data, lang))
    return blocks + answer_parts.footer(data, lang)


ESTIMATE_COLUMNS = ("precision", "batch", "energy", "per_request", "change", "row")


def _chart(data: dict[str, Any], lang: str) -> Chart:
    """Energy per token of each alternative relative to the row asked about (100%)."""
    measured = data["measured"]
    this = measured["energy_j_per_1k_tok"]
    bars = [Bar(t("estimate.this_row", lang, row=measured["row"]), 100.0, "", "gray")]
    for other in data["alternatives"]:
        name = t(
            "estimate.bar",
            lang,
            label=label(other["precision"], lang),
            batch=other["batch_size"],
            row=other["row"],
        )
        percent = other["energy_j_per_1k_tok"] / this * 100
        bars.append(Bar(name, percent, "", "green" if percent < 100 else "yellow"))
    return Chart(t("estimate.chart", lang, row=measured["row"]), tuple(bars))
