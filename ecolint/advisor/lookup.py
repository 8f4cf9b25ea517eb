"""Finding the measured rows an advisor answer quotes, and grading how well they fit.

The same grades as findings: ★★★ the selected GPU and a model of the same size (±10 %), ★★☆
the same GPU at the nearest measured size or the same architecture, ★☆☆ another
architecture. Deltas are only ever formed inside one session (``ecolint.evidence.sessions``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ecolint.advisor.precisions import BASELINE
from ecolint.evidence.dataset import Gpu, Row, constants, gpus, measurements
from ecolint.evidence.gpus import measured_gpus
from ecolint.evidence.models import ModelSize
from ecolint.evidence.select import ARCH_FALLBACK, SAME_SIZE_TOLERANCE
from ecolint.evidence.sessions import Pair, batch_series, pairs
from ecolint.i18n import Phrase, phrase
from ecolint.rules import all_rules

DEFAULT_BATCH = 1
# Precision families that share a rule (double quant is NF4; dynamic FP8 is FP8).
FAMILY = {"nf4_dq": "nf4", "fp8dyn_torchao_eager": "fp8_torchao_eager"}


def log_distance(a: float, b: float) -> float:
    return abs(math.log(a / b))


def same_size(a: float, b: float) -> bool:
    return log_distance(a, b) <= math.log1p(SAME_SIZE_TOLERANCE)


def stars(row: Row, gpu: Gpu, model: ModelSize) -> int:
    if row.gpu == gpu.key and same_size(row.params_b, model.params_b):
        return 3
    return 2 if row.arch == gpu.arch else 1


@dataclass(frozen=True)
class Scope:
    """The rows an answer may quote for a GPU, and what that costs in confidence."""

    rows: tuple[Row, ...]
    notes: tuple[Phrase, ...]


def scope(gpu: Gpu, wanted: Iterable[str] | None = None) -> Scope:
    """The GPU's own rows; else its architecture's; else the author's fallback architecture;
    else every row (another architecture, ★☆☆)."""
    precisions = set(wanted) if wanted is not None else None

    def usable(row: Row) -> bool:
        fits = precisions is None or row.precision in precisions
        return fits and row.energy_j_per_1k_tok is not None

    own = tuple(row for row in measurements() if row.gpu == gpu.key and usable(row))
    if own:
        return Scope(own, ())
    arch = tuple(row for row in measurements() if row.arch == gpu.arch and usable(row))
    if arch:
        return Scope(arch, (phrase("lookup.arch_rows", gpu=gpu.key, arch=gpu.arch),))
    fallback, _ = ARCH_FALLBACK.get(gpu.arch, (None, None))
    if fallback is not None:
        rows = tuple(row for row in measurements() if row.arch == fallback and usable(row))
        if rows:
            note = phrase("lookup.fallback_arch", arch=gpu.arch, fallback=fallback)
            return Scope(rows, (note,))
    rows = tuple(row for row in measurements() if usable(row))
    return Scope(rows, (phrase("lookup.other_arch", arch=gpu.arch),))


def nearest_model(rows: Sequence[Row], model: ModelSize) -> str | None:
    """The measured model id closest in size (the exact id when it was measured)."""
    sizes: dict[str, float] = {}
    counts: dict[str, set[str]] = {}
    for row in rows:
        sizes[row.model_id] = row.params_b
        counts.setdefault(row.model_id, set()).add(row.precision)
    if not sizes:
        return None
    for model_id in sizes:
        if model_id.lower() == model.model_id.lower():
            return model_id
    family = _family(model.model_id)
    return min(
        sizes,
        key=lambda key: (
            not same_size(sizes[key], model.params_b),
            _family(key) != family,
            round(log_distance(sizes[key], model.params_b), 6),
            -len(counts[key]),
            key,
        ),
    )


def _family(model_id: str) -> str:
    """``mistral`` for ``mistralai/Mistral-7B-Instruct-v0.3`` and for ``mistral-7b``."""
    found = re.match(r"[a-z]+", model_id.split("/")[-1].lower())
    return found.group(0) if found else ""


def nearest_batch(available: Iterable[int | None], wanted: int) -> int | None:
    sizes = sorted({size for size in available if size})
    if not sizes:
        return None
    return min(sizes, key=lambda size: (log_distance(size, wanted), size))


def pick_row(
    gpu: Gpu, model: ModelSize, precision: str, batch: int
) -> tuple[Row, list[Phrase]] | None:
    """The best row of one precision for this GPU, model size and batch size."""
    found = scope(gpu, (precision,))
    notes = list(found.notes)
    model_id = nearest_model(found.rows, model)
    if model_id is None:
        return None
    rows = [row for row in found.rows if row.model_id == model_id]
    size = nearest_batch((row.batch_size for row in rows), batch)
    rows = [row for row in rows if row.batch_size == size]
    if size != batch:
        notes.append(phrase("lookup.batch_nearest", wanted=batch, used=size))
    best = max(rows, key=preference)
    if not same_size(best.params_b, model.params_b):
        notes.append(
            phrase("lookup.size_nearest", wanted=model.params_b, used=best.params_b, model=model_id)
        )
    return best, notes


def preference(row: Row) -> tuple[object, ...]:
    """Among rows of one configuration: machine-readable sources, more repeats, a throughput,
    then the earlier line (PROVENANCE.md ranks per-run CSV/JSON above summaries)."""
    return (
        row.machine_readable,
        row.throughput_tok_s is not None,
        row.n_runs or 0,
        row.energy_j_per_1k_tok_std is not None,
        -row.line,
    )


def pairs_of(row: Row) -> list[Pair]:
    """Pairs that contain this row, as quantised row or as FP16 baseline."""
    return [pair for pair in pairs() if row in (pair.quant, pair.base)]


def session_rows(row: Row) -> list[Row]:
    """Every row one delta away from ``row`` inside its session: the FP16 baseline, the other
    precisions measured against the same baseline, the same precision at other batch sizes."""
    related: dict[int, Row] = {}
    bases = {pair.base.line for pair in pairs_of(row)}
    if row.precision == BASELINE:
        bases.add(row.line)
    for pair in pairs():
        if pair.base.line in bases:
            related[pair.base.line] = pair.base
            related[pair.quant.line] = pair.quant
    for series in batch_series():
        if row in series:
            related.update({other.line: other for other in series})
    related.pop(row.line, None)
    return sorted(related.values(), key=lambda other: other.line)


def rule_mood(precision: str, delta_pct: float | None) -> str:
    """Green when the row saves energy against FP16; a penalty takes the mood of the rule
    that reports it (INT8 default, NF4, FP8 eager), yellow otherwise; gray without a delta."""
    if precision == BASELINE:
        return "green"
    if delta_pct is None:
        return "gray"
    if delta_pct <= 0:
        return "green"
    family = FAMILY.get(precision, precision)
    for rule in all_rules().values():
        if rule.evidence.get("precision") == family:
            return rule.mood
    return "yellow"


def limits(gpu: Gpu, model: ModelSize | None, batch: int | None) -> list[Phrase]:
    """What the answer cannot know, said plainly (the documented bands where they exist)."""
    table = constants()
    found: list[Phrase] = []
    if gpu.key not in measured_gpus():
        low_key = ARCH_FALLBACK.get(gpu.arch, (None, "confidence.cross_arch_band_pct_min"))[1]
        assert low_key is not None
        high_key = low_key.replace("_min", "_max")
        found.append(
            phrase(
                "limit.gpu_unmeasured",
                gpu=gpu.key,
                low=f"{table[low_key].value:g}",
                high=f"{table[high_key].value:g}",
                key=low_key.rsplit("_pct_min", 1)[0],
            )
        )
    above = table["confidence.large_model_extrapolation_above_b"]
    band = table["confidence.large_model_extrapolation_band_pct"]
    if model is not None and model.params_b > float(above.value):
        found.append(
            phrase(
                "limit.large_model",
                params=model.params_b,
                above=f"{above.value:g}",
                band=f"{band.value:g}",
            )
        )
    largest = table["skill_default.max_batch_size"]
    if batch is not None and not 1 <= batch <= float(largest.value):
        found.append(phrase("limit.batch", batch=batch, largest=f"{largest.value:g}"))
    found.append(phrase("limit.framework"))
    found.append(phrase("limit.methods"))
    return found


def gpu_label(gpu: Gpu) -> str:
    return gpus()[gpu.key].name.split("(")[0].strip()
