"""``ecolint compare``: every precision measured for a model on a GPU, side by side.

Each precision is quoted from one row, and its delta against the FP16 row of its own
session; sessions are never mixed into one delta. When a precision was measured in several
sessions, the one that shares the most common FP16 baseline is shown and the others are
listed with their own deltas.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ecolint.advisor import answer_parts
from ecolint.advisor.context import AdvisorError, Context
from ecolint.advisor.lookup import (
    DEFAULT_BATCH,
    nearest_batch,
    nearest_model,
    preference,
    rule_mood,
    scope,
    stars,
)
from ecolint.advisor.output import Answer, Bar, Bullets, Chart, Heading, Para
from ecolint.advisor.precisions import MEASURED, label
from ecolint.evidence.dataset import Row
from ecolint.evidence.select import STARS
from ecolint.evidence.sessions import Pair, pairs, unpaired
from ecolint.i18n import t
from ecolint.text_table import Mood, Table


def _choose(candidates: list[Pair], primary: int) -> Pair:
    return max(candidates, key=lambda pair: (pair.base.line == primary, preference(pair.quant)))


def answer(context: Context, model_name: str) -> Answer:
    lang, gpu = context.lang, context.gpu
    model = context.model(model_name)
    found = scope(gpu)
    lines = {row.line for row in found.rows}
    candidates = [pair for pair in pairs() if pair.quant.line in lines]
    if not candidates:
        raise AdvisorError(t("error.no_pairs", lang, gpu=gpu.key))
    model_id = nearest_model([pair.quant for pair in candidates], model)
    candidates = [pair for pair in candidates if pair.quant.model_id == model_id]
    per_gpu = Counter(pair.quant.gpu for pair in candidates)
    measured_gpu = (
        gpu.key if gpu.key in per_gpu else max(per_gpu, key=lambda key: (per_gpu[key], key))
    )
    candidates = [pair for pair in candidates if pair.quant.gpu == measured_gpu]
    wanted = context.workload.batch_size or DEFAULT_BATCH
    batch = nearest_batch((pair.quant.batch_size for pair in candidates), wanted) or wanted
    candidates = [pair for pair in candidates if pair.quant.batch_size == batch]
    notes = [note.render(lang) for note in found.notes]
    if batch != wanted:
        notes.append(t("lookup.batch_nearest", lang, wanted=wanted, used=batch))
    counts = Counter(pair.base.line for pair in candidates)
    bases = {pair.base.line: pair.base for pair in candidates}
    primary = max(counts, key=lambda line: (counts[line], preference(bases[line])))
    chosen: dict[str, Pair] = {}
    others: list[Pair] = []
    for precision in MEASURED:
        of_precision = [pair for pair in candidates if pair.quant.precision == precision]
        if of_precision:
            chosen[precision] = _choose(of_precision, primary)
            others.extend(pair for pair in of_precision if pair is not chosen[precision])
    if model_id.lower() != model.model_id.lower():
        notes.append(
            t(
                "compare.model_used",
                lang,
                model=model_id,
                params=bases[primary].params_b,
                wanted=model.model_id,
                wanted_params=model.params_b,
            )
        )
    costing = answer_parts.Costing(context, gpu)
    entries = [_entry(bases[primary], None, context, model, costing)]
    entries += [_entry(pair.quant, pair, context, model, costing) for pair in chosen.values()]
    loose = [
        row
        for row in unpaired()
        if row.line in lines and row.model_id == model_id and row.batch_size == batch
    ]
    data: dict[str, Any] = {
        "command": "compare",
        **answer_parts.header(context, model),
        "measured_model": model_id,
        "measured_gpu": measured_gpu,
        "batch_size": batch,
        "precisions": entries,
        "other_sessions": [
            {
                "precision": pair.quant.precision,
                "delta_pct": round(pair.delta_pct, 2),
                "rows": [pair.quant.line, pair.base.line],
            }
            for pair in others
        ],
        "unpaired_rows": [{"precision": row.precision, "row": row.line} for row in loose],
        "workload": costing.assumptions(),
        "notes": notes,
        "limits": answer_parts.limit_texts(context, model, batch),
    }
    return Answer(data, _blocks(data, context, model_id, measured_gpu))


def _entry(
    row: Row, pair: Pair | None, context: Context, model: Any, costing: answer_parts.Costing
) -> dict[str, Any]:
    delta = round(pair.delta_pct, 2) if pair else None
    energy = row.energy_j_per_1k_tok
    grade = stars(row, context.gpu, model)
    return {
        "precision": row.precision,
        "label": label(row.precision, context.lang),
        "row": row.line,
        "baseline_row": pair.base.line if pair else None,
        "throughput_tok_s": row.throughput_tok_s,
        "throughput_std": row.throughput_std,
        "power_w": row.power_w,
        "energy_j_per_1k_tok": energy,
        "energy_j_per_1k_tok_std": row.energy_j_per_1k_tok_std,
        "delta_pct": delta,
        "tokens_per_joule": round(1000.0 / energy, 4) if energy else None,
        "monthly": costing.monthly(row),
        "monthly_vs_fp16": costing.difference(pair) if pair else None,
        "mood": rule_mood(row.precision, delta),
        "confidence": STARS[grade],
        "stars": grade,
        "source": row.citation(),
    }


def _blocks(data: dict[str, Any], context: Context, model_id: str, gpu_key: str) -> list[Any]:
    lang = context.lang
    entries = data["precisions"]
    title = t("compare.title", lang, model=model_id, gpu=gpu_key, batch=data["batch_size"])
    headers = tuple(t(f"compare.col.{name}", lang) for name in answer_parts.COMPARE_COLUMNS)
    rows = []
    for entry in entries:
        rows.append(
            (
                entry["label"],
                answer_parts.plus_minus(entry["throughput_tok_s"], entry["throughput_std"]),
                answer_parts.maybe(entry["power_w"]),
                answer_parts.plus_minus(
                    entry["energy_j_per_1k_tok"], entry["energy_j_per_1k_tok_std"]
                ),
                answer_parts.delta_text(entry["delta_pct"], entry["baseline_row"], lang),
                answer_parts.maybe(entry["tokens_per_joule"]),
                answer_parts.money_text(entry["monthly"], lang),
                answer_parts.signed_money(entry["monthly_vs_fp16"], lang),
                Mood(entry["mood"]),
                entry["confidence"],
                str(entry["row"]),
            )
        )
    bars = []
    for entry in entries:
        percent = 100.0 + (entry["delta_pct"] or 0.0)
        extra = answer_parts.signed_money(entry["monthly_vs_fp16"], lang, per_month=True)
        bars.append(Bar(entry["label"], percent, extra, entry["mood"]))
    blocks: list[Any] = [
        Heading(title),
        Table(headers, tuple(rows)),
        Chart(t("compare.chart", lang), tuple(bars)),
    ]
    paired = [entry for entry in entries if entry["delta_pct"] is not None]
    if paired:
        best = min(paired, key=lambda entry: entry["delta_pct"])
        blocks.append(
            Para(
                t(
                    "compare.lowest",
                    lang,
                    label=best["label"],
                    delta=best["delta_pct"],
                    row=best["row"],
                    base=best["baseline_row"],
                )
            )
        )
    if data["other_sessions"]:
        items = tuple(
            t(
                "compare.other_session",
                lang,
                label=label(other["precision"], lang),
                delta=other["delta_pct"],
                row=other["rows"][0],
                base=other["rows"][1],
            )
            for other in data["other_sessions"]
        )
        blocks += [Heading(t("compare.other_sessions", lang)), Bullets(items)]
    if data["unpaired_rows"]:
        items = tuple(
            t("compare.unpaired", lang, label=label(row["precision"], lang), row=row["row"])
            for row in data["unpaired_rows"]
        )
        blocks += [Bullets(items)]
    blocks += answer_parts.footer(data, lang)
    return blocks
