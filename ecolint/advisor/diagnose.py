"""``ecolint diagnose`` (DIAGNOSE): why does this inference burn power?

The observed numbers (throughput, power, their ratio as J per 1k tokens) are set against the
measured row of the same configuration, and the known patterns are checked: INT8 outlier
decomposition, NF4 below the crossover, torchao FP8 in eager mode, batch size 1, a nightly or
drifted software stack. Each pattern names its rows, the numbers expected after the fix, and
a verification checklist from the data's measurement protocol.
"""

from __future__ import annotations

import re
from typing import Any

from ecolint.advisor import answer_parts
from ecolint.advisor.context import AdvisorError, Context
from ecolint.advisor.estimate import row_facts
from ecolint.advisor.lookup import DEFAULT_BATCH, pairs_of, pick_row, stars
from ecolint.advisor.output import Answer, Block, Bullets, Heading, Para
from ecolint.advisor.precisions import label, normalise
from ecolint.evidence.dataset import Row, constants
from ecolint.evidence.models import ModelSize
from ecolint.evidence.select import STARS, nf4_crossover, select
from ecolint.evidence.sessions import batch_series, pairs
from ecolint.i18n import t
from ecolint.text_table import Table

# How far an observation may sit from a row and still match it (ecolint's policy, not data).
CLOSE, NEAR = 0.10, 0.25
NIGHTLY = re.compile(r"\.dev\d*|nightly|\+git", re.I)
VERSION = re.compile(r"(bitsandbytes|transformers)[ =/]*v?(\d+)\.(\d+)", re.I)


def deviation(observed: float | None, expected: float | None) -> float | None:
    if observed is None or not expected:
        return None
    return round((observed / expected - 1) * 100, 2)


def match_level(deviations: list[float | None]) -> str:
    known = [abs(value) / 100 for value in deviations if value is not None]
    if not known:
        return "config"
    worst = max(known)
    return "high" if worst <= CLOSE else "medium" if worst <= NEAR else "low"


def _expected(row: Row) -> dict[str, Any]:
    return {
        "row": row.line,
        "precision": row.precision,
        "batch_size": row.batch_size,
        "throughput_tok_s": row.throughput_tok_s,
        "power_w": row.power_w,
        "energy_j_per_1k_tok": row.energy_j_per_1k_tok,
    }


def _sibling(row: Row, precision: str) -> Row | None:
    """The row of ``precision`` measured against the same FP16 baseline as ``row``."""
    for pair in pairs_of(row):
        for other in pairs():
            if other.base is pair.base and other.quant.precision == precision:
                return other.quant
        if precision == "fp16":
            return pair.base
    return None


def patterns(
    row: Row, model: ModelSize, context: Context, observed: dict[str, float | None], stack: str
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    gpu = context.gpu
    levels = [
        deviation(observed["throughput_tok_s"], row.throughput_tok_s),
        deviation(observed["power_w"], row.power_w),
    ]
    match = match_level(levels)
    if row.precision == "int8_mixed":
        fixes = [x for x in (_sibling(row, "int8_pure"), _sibling(row, "fp16")) if x]
        found.append(_pattern("int8_decomposition", "orange", match, row, fixes))
    if row.precision in ("nf4", "nf4_dq"):
        crossover = nf4_crossover(gpu)
        evidence = select(gpu, (row.precision,), model)
        penalty = evidence.delta_pct is not None and evidence.delta_pct > 0
        below = crossover is not None and model.params_b <= crossover.params_b
        if penalty or below:
            fixes = [x for x in (_sibling(row, "fp16"),) if x]
            found.append(_pattern("nf4_small_model", "orange", match, row, fixes))
    if row.precision.startswith("fp8"):
        fixes = [x for x in (_sibling(row, "fp16"),) if x]
        found.append(_pattern("fp8_eager", "red", match, row, fixes))
    if (row.batch_size or DEFAULT_BATCH) == DEFAULT_BATCH:
        series = _series_for(row)
        fixes = [other for other in series[1:]] if series else []
        found.append(
            _pattern("batch_size_one", "yellow", "config", series[0] if series else row, fixes)
        )
    if stack and NIGHTLY.search(stack):
        found.append(_pattern("nightly_stack", "gray", "config", row, []))
    drift = _drift(stack)
    if drift:
        found.append({**_pattern("stack_drift", "gray", "config", row, []), "detail": drift})
    return found


def _series_for(row: Row) -> tuple[Row, ...]:
    """The batch sweep of this row's session, else the sweep nearest to it (★☆☆ elsewhere)."""
    for series in batch_series():
        if row in series:
            return series
    ranked = sorted(
        batch_series(),
        key=lambda s: (
            s[0].gpu == row.gpu,
            s[0].arch == row.arch,
            s[0].precision == row.precision,
            len(s),
        ),
        reverse=True,
    )
    return ranked[0] if ranked else ()


def _drift(stack: str) -> list[str]:
    notes = []
    for name, major, minor in VERSION.findall(stack):
        key = f"confidence.stack_drift_{name.lower()}_min_version"
        threshold = constants().get(key)
        if threshold is not None and float(f"{major}.{minor}") >= float(threshold.value):
            notes.append(f"{name} {major}.{minor} ≥ {threshold.value:g} ({key})")
    return notes


def _pattern(name: str, mood: str, match: str, row: Row, fixes: list[Row]) -> dict[str, Any]:
    return {
        "pattern": name,
        "mood": mood,
        "match": match,
        "row": row.line,
        "gpu": row.gpu,
        "expected_after_fix": [{**_expected(fix), **_versus(row, fix)} for fix in fixes],
    }


def _versus(row: Row, fix: Row) -> dict[str, float | None]:
    """The extra energy of the diagnosed row relative to the fix, and the saving derived from
    it (per request where both rows have it)."""
    before, after = row.energy_j_per_1k_tok, fix.energy_j_per_1k_tok
    if row.energy_j_per_request and fix.energy_j_per_request:
        before, after = row.energy_j_per_request, fix.energy_j_per_request
    if not before or not after:
        return {"extra_pct": None, "saving_pct": None}
    return {
        "extra_pct": round((before / after - 1) * 100, 2),
        "saving_pct": round((1 - after / before) * 100, 2),
    }


def checklist(row: Row, lang: str) -> list[str]:
    table = constants()

    def value(key: str) -> str:
        return f"{table[key].value:g}"

    return [
        t("diagnose.check.sampling", lang, hz=value("protocol.nvml_sampling_hz")),
        t(
            "diagnose.check.runs",
            lang,
            warmup=value("protocol.warmup_runs"),
            runs=value("protocol.measured_runs"),
            tokens=value("protocol.max_new_tokens"),
        ),
        t(
            "diagnose.check.quality",
            lang,
            cv_t=value("protocol.quality_gate_cv_throughput_pct"),
            cv_p=value("protocol.quality_gate_cv_power_pct"),
        ),
        t(
            "diagnose.check.compare",
            lang,
            row=row.line,
            throughput=answer_parts.maybe(row.throughput_tok_s),
            power=answer_parts.maybe(row.power_w),
        ),
    ]


def answer(
    context: Context,
    model_name: str,
    precision_name: str,
    throughput: float | None,
    power: float | None,
    stack: str,
) -> Answer:
    lang, gpu = context.lang, context.gpu
    model = context.model(model_name)
    precision = normalise(precision_name, lang)
    batch = context.workload.batch_size or DEFAULT_BATCH
    picked = pick_row(gpu, model, precision, batch)
    if picked is None:
        raise AdvisorError(t("error.no_rows", lang, precision=precision, gpu=gpu.key))
    row, found_notes = picked
    energy = round(power / throughput * 1000, 2) if power and throughput else None
    observed = {"throughput_tok_s": throughput, "power_w": power, "energy_j_per_1k_tok": energy}
    found = patterns(row, model, context, observed, stack)
    grade = stars(row, gpu, model)
    data: dict[str, Any] = {
        "command": "diagnose",
        **answer_parts.header(context, model),
        "precision": precision,
        "batch_size": batch,
        "observed": observed,
        "expected": row_facts(row),
        "confidence": STARS[grade],
        "stars": grade,
        "deviation_pct": {key: deviation(observed[key], getattr(row, key)) for key in observed},
        "patterns": found,
        "checklist": checklist(row, lang),
        "workload": None,
        "notes": [note.render(lang) for note in found_notes],
        "limits": answer_parts.limit_texts(context, model, batch),
    }
    return Answer(data, _blocks(data, lang))


def _blocks(data: dict[str, Any], lang: str) -> list[Block]:
    expected = data["expected"]
    title = t(
        "diagnose.title",
        lang,
        model=expected["model_id"],
        gpu=data["gpu"],
        precision=label(data["precision"], lang),
        batch=data["batch_size"],
    )
    rows = []
    for key in ("throughput_tok_s", "power_w", "energy_j_per_1k_tok"):
        change = data["deviation_pct"][key]
        rows.append(
            (
                t(f"diagnose.metric.{key}", lang),
                answer_parts.maybe(data["observed"][key]),
                answer_parts.maybe(expected[key]),
                "—" if change is None else f"{change:+.2f}%",
            )
        )
    headers = tuple(
        t(f"diagnose.col.{name}", lang) for name in ("metric", "observed", "expected", "deviation")
    )
    blocks: list[Block] = [
        Heading(title),
        Para(t("diagnose.expected_row", lang, row=expected["row"], confidence=data["confidence"])),
        Table(headers, tuple(rows)),
        Heading(t("diagnose.patterns", lang)),
    ]
    if not data["patterns"]:
        blocks.append(Para(t("diagnose.none", lang)))
    for found in data["patterns"]:
        text = t(f"diagnose.pattern.{found['pattern']}", lang, row=found["row"], gpu=found["gpu"])
        match = t(
            f"diagnose.match.{found['match']}",
            lang,
            close=f"{CLOSE:.0%}"[:-1],
            near=f"{NEAR:.0%}"[:-1],
        )
        items = [t("diagnose.match", lang, match=match)]
        items += found.get("detail", [])
        for fix in found["expected_after_fix"]:
            items.append(
                t(
                    "diagnose.after_fix",
                    lang,
                    label=label(fix["precision"], lang),
                    batch=fix["batch_size"],
                    row=fix["row"],
                    throughput=answer_parts.maybe(fix["throughput_tok_s"]),
                    power=answer_parts.maybe(fix["power_w"]),
                    energy=answer_parts.maybe(fix["energy_j_per_1k_tok"]),
                    extra="—" if fix["extra_pct"] is None else f"{fix['extra_pct']:+,.2f}%",
                    saving="—" if fix["saving_pct"] is None else f"{fix['saving_pct']:.2f}%",
                )
            )
        mood = t("mood." + found["mood"], lang)
        blocks += [Para(f"[{mood}] {text}"), Bullets(tuple(items))]
    blocks += [Heading(t("diagnose.checklist", lang)), Bullets(tuple(data["checklist"]))]
    return blocks + answer_parts.footer(data, lang)
