"""``ecolint compare``: every precision measured for a model on a GPU, one row per configuration.

Absolute joules differ between measuring sessions (PROVENANCE.md), so the table is built
from sessions: each session's FP16 row is shown as the baseline its deltas quote, a row whose
session has no FP16 row is shown without a delta (and says why), and rows of different
sessions carry session marks and a note instead of being silently set against each other.
One winner per dimension is named: energy (the lowest delta against FP16 of its own session),
throughput and weight memory, among the configurations that fit in the GPU's memory.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ecolint.advisor import answer_parts
from ecolint.advisor.compare_view import blocks
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
from ecolint.advisor.output import Answer
from ecolint.advisor.precisions import BASELINE, MEASURED, label
from ecolint.evidence.dataset import Row
from ecolint.evidence.memory import weights_gb
from ecolint.evidence.models import ModelSize
from ecolint.evidence.select import STARS
from ecolint.evidence.sessions import Pair, pairs, session_key, unpaired
from ecolint.i18n import t


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
    loose = [
        row
        for row in unpaired()
        if row.line in lines
        and row.model_id == model_id
        and row.gpu == measured_gpu
        and row.batch_size == batch
    ]
    shown_loose: dict[str, Row] = {}
    for row in sorted(loose, key=preference, reverse=True):
        if row.precision not in chosen and row.precision not in shown_loose:
            shown_loose[row.precision] = row
    table = _table(bases[primary], chosen, shown_loose)
    sessions = _sessions(table)
    costing = answer_parts.Costing(context, gpu)
    entries = [
        _entry(row, base, sessions[session_key(row)]["id"], context, model, costing)
        for row, base in table
    ]
    data: dict[str, Any] = {
        "command": "compare",
        **answer_parts.header(context, model),
        "measured_model": model_id,
        "measured_gpu": measured_gpu,
        "batch_size": batch,
        "vram_gb": gpu.vram_gb,
        "precisions": entries,
        "sessions": list(sessions.values()),
        "winners": winners(entries),
        "other_sessions": [
            {
                "precision": pair.quant.precision,
                "delta_pct": round(pair.delta_pct, 2),
                "rows": [pair.quant.line, pair.base.line],
            }
            for pair in others
        ],
        "unpaired_rows": [
            {"precision": row.precision, "row": row.line}
            for row in loose
            if row not in shown_loose.values()
        ],
        "workload": costing.assumptions(),
        "notes": notes,
        "limits": answer_parts.limit_texts(context, model, batch),
    }
    return Answer(data, blocks(data, context.lang))


def _table(
    primary: Row, chosen: dict[str, Pair], loose: dict[str, Row]
) -> list[tuple[Row, Row | None]]:
    """(row, its FP16 baseline) in table order: session by session, the primary session
    first, each session's FP16 row before the rows that quote it; rows without a baseline
    last."""
    groups: dict[int, list[Pair]] = {primary.line: []}
    for pair in chosen.values():
        groups.setdefault(pair.base.line, []).append(pair)
    table: list[tuple[Row, Row | None]] = []
    for members in groups.values():
        base = members[0].base if members else primary
        table.append((base, None))
        table.extend((pair.quant, base) for pair in members)
    table.extend((row, None) for row in loose.values())
    return table


def _sessions(table: list[tuple[Row, Row | None]]) -> dict[tuple[object, ...], dict[str, Any]]:
    """S1, S2, … in table order: source file, commit and the FP16 row each session's deltas
    are formed against."""
    found: dict[tuple[object, ...], dict[str, Any]] = {}
    for row, base in table:
        key = session_key(row)
        if key not in found:
            found[key] = {
                "id": f"S{len(found) + 1}",
                "source": f"{row.source_repo}:{row.source_path}",
                "commit": row.source_commit,
                "baseline_row": None,
            }
        if row.precision == BASELINE and base is None:
            found[key]["baseline_row"] = row.line
    return found


def _entry(
    row: Row,
    base: Row | None,
    session: str,
    context: Context,
    model: ModelSize,
    costing: answer_parts.Costing,
) -> dict[str, Any]:
    kind = "baseline" if row.precision == BASELINE else "paired" if base else "unpaired"
    delta = round(Pair(row, base).delta_pct, 2) if base else None
    energy = row.energy_j_per_1k_tok
    grade = stars(row, context.gpu, model)
    weights = weights_gb(model.params_b, row.precision)
    vram = context.gpu.vram_gb
    return {
        "precision": row.precision,
        "label": label(row.precision, context.lang),
        "row": row.line,
        "session": session,
        "kind": kind,
        "baseline_row": base.line if base else None,
        "throughput_tok_s": row.throughput_tok_s,
        "throughput_std": row.throughput_std,
        "power_w": row.power_w,
        "energy_j_per_1k_tok": energy,
        "energy_j_per_1k_tok_std": row.energy_j_per_1k_tok_std,
        "delta_pct": delta,
        "tokens_per_joule": round(1000.0 / energy, 4) if energy else None,
        "weights_gb": round(weights, 2),
        "fits": None if vram is None else weights <= vram,
        "monthly": costing.monthly(row),
        "monthly_vs_fp16": costing.difference(Pair(row, base)) if base else None,
        "mood": rule_mood(row.precision, delta) if kind != "unpaired" else "gray",
        "confidence": STARS[grade],
        "stars": grade,
        "source": row.citation(),
    }


def winners(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
    """The best configuration per dimension among those that fit in memory (unknown memory
    counts as fitting): energy by the delta against FP16 of the row's own session (a
    baseline is 0), throughput by tok/s, memory by the weights. ``cross_session`` marks a
    winner chosen among rows of more than one session."""
    fitting = [entry for entry in entries if entry["fits"] is not False]
    energy = [entry for entry in fitting if entry["kind"] != "unpaired"]
    speed = [entry for entry in fitting if entry["throughput_tok_s"] is not None]
    return {
        "energy": _winner(energy, lambda entry: entry["delta_pct"] or 0.0, "delta_pct"),
        "throughput": _winner(speed, lambda entry: -entry["throughput_tok_s"], "throughput_tok_s"),
        "memory": _winner(entries, lambda entry: entry["weights_gb"], "weights_gb", False),
    }


def _winner(
    entries: list[dict[str, Any]], key: Any, field: str, measured: bool = True
) -> dict[str, Any] | None:
    if not entries:
        return None
    best = min(entries, key=lambda entry: (key(entry), entries.index(entry)))
    sessions = sorted({entry["session"] for entry in entries})
    return {
        "precision": best["precision"],
        "label": best["label"],
        "row": best["row"],
        "session": best["session"],
        "baseline_row": best["baseline_row"],
        "value": best[field] if field != "delta_pct" else best[field] or 0.0,
        "sessions_compared": sessions if measured else [],
        "cross_session": measured and len(sessions) > 1,
    }
