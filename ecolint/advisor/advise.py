"""``ecolint advise`` (OPTIMIZE): a precision and a batch size for a model on a GPU.

The seed's decision rules, each decided or checked by measured rows: at or below the
architecture's NF4 crossover → FP16; above it on a consumer (GeForce) card → NF4 when the rows
show NF4 saving; on a datacenter card → FP16, or pure INT8 when the rows show it saving; any
bitsandbytes INT8 → threshold 0.0; never torchao FP8 in eager mode; API traffic batches of 8
or more, batch jobs 32–64. A configuration that does not fit in memory is not recommended.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ecolint import cost_text
from ecolint.advisor import answer_parts
from ecolint.advisor.context import Context
from ecolint.advisor.lookup import (
    DEFAULT_BATCH,
    log_distance,
    pick_row,
    preference,
    rule_mood,
    stars,
)
from ecolint.advisor.output import Answer, Block, Bullets, Heading, Para
from ecolint.advisor.precisions import BF16_ARCHS, WEIGHT_BITS, label
from ecolint.evidence.dataset import Gpu, Row, constants, gpus
from ecolint.evidence.memory import BYTES_PER_GB, weights_gb
from ecolint.evidence.models import ModelSize, config_count, kv_shape
from ecolint.evidence.select import STARS, Evidence, nf4_crossover, select
from ecolint.evidence.sessions import batch_series
from ecolint.i18n import Phrase, phrase, t
from ecolint.sources.safe_read import read_text
from ecolint.text_table import Mood, Table
from ecolint.workload import USE_CASES

# The seed's batch sizes per use case (SKILL.md, OPTIMIZE step 4): a policy, whose savings
# are then quoted from the measured batch sweeps.
USE_CASE_BATCH = {"api": 8, "chat": 1, "batch": 64}
KV_BYTES_PER_VALUE = 2  # an FP16 KV cache


def _cite(evidence: Evidence) -> dict[str, Any] | None:
    pair = evidence.pair
    if pair is None:
        return None
    return {
        "delta_pct": round(pair.delta_pct, 2),
        "rows": [pair.quant.line, pair.base.line],
        "gpu": pair.quant.gpu,
        "model_id": pair.quant.model_id,
        "confidence": evidence.confidence,
    }


def _reason(key: str, cited: dict[str, Any] | None, /, **params: Any) -> dict[str, Any]:
    return {"phrase": phrase(key, **params, **_cited_params(cited)), "evidence": cited}


def _cited_params(cited: dict[str, Any] | None) -> dict[str, Any]:
    if cited is None:
        return {"delta": "—", "rows": "—", "where": "—", "confidence": "—"}
    return {
        "delta": f"{cited['delta_pct']:+.2f}%",
        "rows": f"{cited['rows'][0]}/{cited['rows'][1]}",
        "where": f"{cited['gpu']} {cited['model_id'].split('/')[-1]}",
        "confidence": cited["confidence"],
    }


def kv_cache_gb(model_name: str, tokens: int, batch: int) -> float | None:
    """From a local ``config.json`` only: K and V per layer, head and token, FP16."""
    path = Path(model_name) / "config.json"
    try:
        config = json.loads(read_text(path))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(config, dict):
        return None
    layers = config_count(config, "num_hidden_layers")
    heads = config_count(config, "num_attention_heads")
    hidden = config_count(config, "hidden_size")
    if layers is None or heads is None or hidden is None:
        return None
    kv_heads, head_dim = kv_shape(config, hidden, heads)
    values = 2 * layers * kv_heads * head_dim * tokens * batch
    return values * KV_BYTES_PER_VALUE / BYTES_PER_GB


def memory(model: ModelSize, kv_gb: float | None, vram: float | None) -> list[dict[str, Any]]:
    table = []
    for precision in WEIGHT_BITS:
        weights = weights_gb(model.params_b, precision)
        total = weights + (kv_gb or 0.0)
        table.append(
            {
                "precision": precision,
                "weights_gb": round(weights, 2),
                "kv_cache_gb": round(kv_gb, 2) if kv_gb is not None else None,
                "total_gb": round(total, 2),
                "fits": None if vram is None else total <= vram,
            }
        )
    return table


def choose_precision(
    gpu: Gpu, model: ModelSize, fits: dict[str, bool | None]
) -> tuple[str | None, list[dict[str, Any]]]:
    """The precision the rules choose, replaced by a smaller one that fits; None when not
    even the smallest fits (nothing is recommended then)."""
    reasons: list[dict[str, Any]] = []
    crossover = nf4_crossover(gpu)
    nf4 = _cite(select(gpu, ("nf4",), model))
    pure = _cite(select(gpu, ("int8_pure",), model))
    if crossover is not None and model.params_b <= crossover.params_b:
        choice = "fp16"
        reasons.append(
            _reason(
                "advise.reason.below_crossover",
                nf4,
                params=model.params_b,
                arch=gpu.arch,
                crossover=crossover.params_b,
                key=crossover.key,
            )
        )
    elif memory_class(gpu) is not None:
        saves = nf4 is not None and nf4["delta_pct"] < 0
        choice = "nf4" if saves else "fp16"
        key = "advise.reason.consumer_nf4" if saves else "advise.reason.nf4_no_saving"
        reasons.append(_reason(key, nf4, params=model.params_b, largest=memory_class(gpu)))
    else:
        saves = pure is not None and pure["delta_pct"] < 0
        choice = "int8_pure" if saves else "fp16"
        key = "advise.reason.datacenter_pure" if saves else "advise.reason.datacenter_fp16"
        reasons.append(_reason(key, pure))
    if fits.get(choice) is False:
        measured = {"int8_pure": pure, "nf4": nf4}
        smaller = [p for p in measured if fits.get(p) and p != choice]
        if smaller:
            used = min(smaller, key=lambda p: (measured[p] or {}).get("delta_pct", math.inf))
            reasons.append(
                _reason(
                    "advise.reason.memory",
                    measured[used],
                    wanted=phrase(f"precision.{choice}"),
                    used=phrase(f"precision.{used}"),
                )
            )
            choice = used
        else:
            reasons.append(_reason("advise.reason.no_fit", None))
            return None, reasons
    return choice, reasons


def memory_class(gpu: Gpu) -> float | None:
    """The seed's "consumer GPU (≤ 24 GB)": memory no larger than the largest GeForce card's
    in data/gpus.csv; returns that size, or None for a datacenter-class GPU."""
    largest = max(g.vram_gb or 0.0 for g in gpus().values() if g.consumer)
    if gpu.consumer or (gpu.vram_gb is not None and gpu.vram_gb <= largest):
        return largest
    return None


def _series_rank(
    series: tuple[Row, ...], gpu: Gpu, model: ModelSize, precision: str, size: int
) -> tuple[object, ...]:
    """Prefer a sweep that measured the batch size, on this GPU, architecture, precision."""
    first = series[0]
    return (
        any(row.batch_size == size for row in series),
        first.gpu == gpu.key,
        first.arch == gpu.arch,
        first.precision == precision,
        -log_distance(first.params_b, model.params_b),
        preference(first),
    )


def batch_advice(gpu: Gpu, model: ModelSize, precision: str, use_case: str) -> dict[str, Any]:
    """The use case's batch size and what the best-fitting measured sweep says it saves."""
    size = USE_CASE_BATCH[use_case]
    advice: dict[str, Any] = {"use_case": use_case, "batch_size": size}
    if size == DEFAULT_BATCH:
        return {**advice, "extra_pct": None, "saving_pct": None, "rows": None}
    series = max(batch_series(), key=lambda s: _series_rank(s, gpu, model, precision, size))
    start = series[0]
    target = min(series, key=lambda row: abs(log_distance(row.batch_size or 1, size)))
    per_request = start.energy_j_per_request and target.energy_j_per_request
    before = start.energy_j_per_request if per_request else start.energy_j_per_1k_tok
    after = target.energy_j_per_request if per_request else target.energy_j_per_1k_tok
    assert before and after is not None
    grade = stars(start, gpu, model)
    return {
        **advice,
        "measured_batch_size": target.batch_size,
        "extra_pct": round((before / after - 1) * 100, 2),
        "saving_pct": round((1 - after / before) * 100, 2),
        "per": "request" if per_request else "token",
        "rows": [start.line, target.line],
        "gpu": start.gpu,
        "precision": start.precision,
        "confidence": STARS[grade],
    }


def warnings(gpu: Gpu, model: ModelSize, batch: int | None, use_case: str | None) -> list[Phrase]:
    found: list[Phrase] = []
    int8 = _cite(select(gpu, ("int8_mixed",), model))
    if int8:
        found.append(phrase("advise.warn.int8", **_cited_params(int8)))
    fp8 = _cite(select(gpu, ("fp8_torchao_eager",), model))
    if fp8:
        found.append(phrase("advise.warn.fp8", **_cited_params(fp8)))
    published = [
        float(constant.value)
        for key, constant in constants().items()
        if key.startswith("crossover.") and f".{gpu.arch}." in key and key.endswith(".nf4_b")
    ]
    if published and min(published) <= model.params_b <= max(published):
        found.append(
            phrase(
                "advise.warn.near_crossover",
                params=model.params_b,
                arch=gpu.arch,
                low=min(published),
                high=max(published),
            )
        )
    if gpu.arch not in BF16_ARCHS:
        found.append(phrase("advise.bf16_unsupported", gpu=gpu.key, arch=gpu.arch))
    if batch == DEFAULT_BATCH and use_case in ("api", "batch"):
        found.append(
            phrase("advise.warn.batch_one", use_case=phrase(f"advise.use_case.{use_case}"))
        )
    return found


def answer(
    context: Context, model_name: str, vram_gb: float | None, use_case: str | None
) -> Answer:
    lang, gpu = context.lang, context.gpu
    model = context.model(model_name)
    notes: list[str] = []
    if not context.gpu_given:
        notes.append(t("advise.default_gpu", lang, gpu=gpu.key))
    vram = vram_gb if vram_gb is not None else gpu.vram_gb
    workload = context.workload
    prompt = workload.prompt_tokens or int(constants()["skill_default.sequence_length"].value)
    generated = workload.generated_tokens or int(constants()["protocol.max_new_tokens"].value)
    use_cases = (use_case,) if use_case else USE_CASES
    batch = workload.batch_size or USE_CASE_BATCH[use_cases[0]]
    kv_gb = kv_cache_gb(model_name, prompt + generated, batch)
    if kv_gb is None:
        notes.append(t("advise.kv_unknown", lang, tokens=prompt + generated, batch=batch))
    table = memory(model, kv_gb, vram)
    fits = {entry["precision"]: entry["fits"] for entry in table}
    choice, reasons = choose_precision(gpu, model, fits)
    batches = [batch_advice(gpu, model, choice, case) for case in use_cases] if choice else []
    costing = answer_parts.Costing(context, gpu)
    picked = pick_row(gpu, model, choice, batch) if choice else None
    if picked and workload.has_volume:
        notes += [note.render(lang) for note in picked[1]]
    data: dict[str, Any] = {
        "command": "advise",
        **answer_parts.header(context, model),
        "use_case": use_case,
        "vram_gb": vram,
        "recommendation": {
            "precision": choice,
            "label": label(choice, lang) if choice else None,
            "batch_size": USE_CASE_BATCH[use_case] if use_case and choice else None,
            "mood": rule_mood(choice, _delta(gpu, model, choice)) if choice else "gray",
        },
        "reasons": [
            {"text": reason["phrase"].render(lang), "evidence": reason["evidence"]}
            for reason in reasons
        ],
        "memory": table,
        "batch": batches,
        "warnings": [
            item.render(lang) for item in warnings(gpu, model, workload.batch_size, use_case)
        ],
        "monthly": costing.monthly(picked[0]) if picked else None,
        "monthly_row": picked[0].line if picked else None,
        "workload": costing.assumptions(),
        "notes": notes,
        "limits": answer_parts.limit_texts(context, model, workload.batch_size),
    }
    return Answer(data, _blocks(data, lang))


def _delta(gpu: Gpu, model: ModelSize, precision: str) -> float | None:
    return None if precision == "fp16" else select(gpu, (precision,), model).delta_pct


def _blocks(data: dict[str, Any], lang: str) -> list[Block]:
    choice = data["recommendation"]
    model = data["model"]
    title = t("advise.title", lang, model=model["id"], params=model["params_b"], gpu=data["gpu"])
    batch = choice["batch_size"]
    summary = (
        t(
            "advise.recommend",
            lang,
            precision=choice["label"],
            batch=batch if batch is not None else t("advise.batch_by_use", lang),
        )
        if choice["precision"]
        else t("advise.nothing_fits", lang, vram=data["vram_gb"])
    )
    blocks: list[Block] = [
        Heading(title),
        Table(
            (t("advise.col.recommendation", lang), t("compare.col.mood", lang)),
            ((summary, Mood(choice["mood"])),),
        ),
        Heading(t("advise.why", lang)),
        Bullets(tuple(reason["text"] for reason in data["reasons"])),
        Heading(t("advise.memory", lang, vram=data["vram_gb"] if data["vram_gb"] else "?")),
        Table(
            tuple(t(f"advise.col.{name}", lang) for name in ("precision", "weights", "kv", "fits")),
            tuple(
                (
                    label(entry["precision"], lang),
                    f"{entry['weights_gb']:g} GB",
                    f"{entry['kv_cache_gb']:g} GB" if entry["kv_cache_gb"] is not None else "?",
                    t(f"advise.fits.{entry['fits']}".lower(), lang),
                )
                for entry in data["memory"]
            ),
        ),
    ]
    if data["batch"]:
        blocks += [
            Heading(t("advise.batch", lang)),
            Bullets(tuple(_batch_text(entry, lang) for entry in data["batch"])),
        ]
    if data["monthly"]:
        text = t(
            "advise.monthly",
            lang,
            row=data["monthly_row"],
            monthly=cost_text.monthly(data["monthly"], lang),
        )
        blocks.append(Para(text))
    if data["warnings"]:
        blocks += [Heading(t("advise.warnings", lang)), Bullets(tuple(data["warnings"]))]
    return blocks + answer_parts.footer(data, lang)


def _batch_text(entry: dict[str, Any], lang: str) -> str:
    case = t(f"advise.use_case.{entry['use_case']}", lang)
    if entry["extra_pct"] is None:
        return t("advise.batch_one", lang, use_case=case)
    return t(
        f"advise.batch_saving.{entry['per']}",
        lang,
        use_case=case,
        batch=entry["batch_size"],
        measured=entry["measured_batch_size"],
        extra=entry["extra_pct"],
        saving=entry["saving_pct"],
        first=entry["rows"][0],
        last=entry["rows"][1],
        gpu=entry["gpu"],
        precision=label(entry["precision"], lang),
        confidence=entry["confidence"],
    )
