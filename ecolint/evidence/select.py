"""Choose the measured rows behind a finding and grade how well they fit it.

★★★ the delta is measured on the selected GPU for a model of the same size (within 10 %), from
two rows of one source file and session. ★★☆ the same architecture, the nearest measured size.
★☆☆ another architecture, or an author's estimate (crossovers, scale factors), or an engineering
convention that no row measures (``convention``).

Batching is graded by GPU alone (``batch_evidence``): the one sweep measured one model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ecolint.evidence.dataset import Gpu, Row, constants, gpus
from ecolint.evidence.gpus import measured_gpus
from ecolint.evidence.models import ModelSize
from ecolint.evidence.sessions import Pair, batch_pairs, pairs, sweep_key
from ecolint.i18n import Phrase, phrase, t

SAME_SIZE_TOLERANCE = 0.10
UNKNOWN_SIZE_ANCHOR_B = 7.0  # the study's reference size, used to rank rows when size is unknown
STARS = {3: "★★★", 2: "★★☆", 1: "★☆☆", 0: "—"}
TIER_BASIS = {
    3: "measured on this GPU for this model size",
    2: "same GPU architecture, nearest measured size",
    1: "measured on another GPU architecture",
}


def _basis(tier: int, same_gpu: bool) -> str:
    return (
        "measured on this GPU, nearest measured size"
        if tier == 2 and same_gpu
        else (TIER_BASIS[tier])
    )


VS_FP16 = Phrase("headline.vs_fp16")
# Architectures without rows that the author extrapolates from another one (constants.csv).
ARCH_FALLBACK = {"hopper": ("ampere", "confidence.h100_from_a800_band_pct_min")}
CROSSOVER_ARCH_FALLBACK = {"hopper": "ampere", "volta": "turing"}


CONVENTION_BASIS = "engineering convention, not measured by EcoCompute"


@dataclass(unsafe_hash=True)
class Evidence:
    precision: str | None
    gpu: Gpu
    model: ModelSize | None
    pair: Pair | None
    stars: int
    basis: str
    notes: tuple[str, ...] = ()
    alternatives: tuple[Pair, ...] = field(default=())
    # what the delta compares, for the headline (rendered in the run's language)
    comparison: Phrase = VS_FP16
    # The pair's quantised row is the configuration the fix leads to (a batched row against
    # batch size 1), not the code as written (a quantised row against FP16).
    fix_is_quant: bool = False

    @property
    def written(self) -> Row | None:
        """The row measuring the configuration as the code writes it."""
        pair = self.pair
        return (pair.base if self.fix_is_quant else pair.quant) if pair else None

    @property
    def baseline(self) -> Row | None:
        """The row of the configuration the delta is measured against (the fix)."""
        pair = self.pair
        return (pair.quant if self.fix_is_quant else pair.base) if pair else None

    @property
    def delta_pct(self) -> float | None:
        """One sign everywhere: the extra energy of the code as written relative to the
        baseline configuration (+ costs more, − saves)."""
        return _extra_pct(self.pair, self.fix_is_quant) if self.pair else None

    @property
    def saving_pct(self) -> float | None:
        """What the fix saves of the energy as written (derived from the same two rows)."""
        written, baseline = self.written, self.baseline
        if written is None or baseline is None:
            return None
        assert written.energy_j_per_1k_tok and baseline.energy_j_per_1k_tok is not None
        return (1.0 - baseline.energy_j_per_1k_tok / written.energy_j_per_1k_tok) * 100.0

    @property
    def confidence(self) -> str:
        return STARS[self.stars]

    def headline(self, lang: str = "en") -> str:
        """``+30.7% energy vs FP16, ★★★ RTX 4090D Mistral-7B-Instruct-v0.3``"""
        if self.pair is None:
            if self.basis == CONVENTION_BASIS:
                return t("headline.convention", lang, confidence=self.confidence)
            return t("headline.none", lang)
        quant = self.pair.quant
        assert self.baseline is not None and self.delta_pct is not None
        saving = self.saving_pct or 0.0
        return t(
            "headline",
            lang,
            delta=self.delta_pct,
            comparison=self.comparison,
            row=self.baseline.line,
            saves=phrase("headline.saves", config=self._baseline_name(), saving=saving)
            if self.delta_pct > 0
            else "",
            confidence=self.confidence,
            gpu=short_gpu_name(quant.gpu),
            model=quant.model_id.split("/")[-1],
        )

    def _baseline_name(self) -> Phrase:
        """``FP16``, ``batch size 64``: the configuration the delta is measured against."""
        assert self.baseline is not None
        if self.fix_is_quant:
            return phrase("headline.batch_config", batch=self.baseline.batch_size)
        return phrase(f"precision.{self.baseline.precision}")

    def as_dict(self) -> dict[str, object]:
        return {
            "precision": self.precision,
            "gpu": self.gpu.key,
            "model_id": self.model.model_id if self.model else None,
            "model_params_b": self.model.params_b if self.model else None,
            "model_size_source": self.model.source if self.model else None,
            "delta_pct": round(self.delta_pct, 2) if self.delta_pct is not None else None,
            "confidence": self.confidence,
            "stars": self.stars,
            "basis": self.basis,
            "notes": list(self.notes),
            "baseline": _cited_baseline(self.baseline, self.fix_is_quant),
            "saving_pct": round(self.saving_pct, 2) if self.saving_pct is not None else None,
            "rows": [self.written.citation(), self.baseline.citation()]
            if self.written and self.baseline
            else [],
            "other_sessions": [
                {
                    "delta_pct": round(_extra_pct(other, self.fix_is_quant), 2),
                    "rows": _written_first(other, self.fix_is_quant),
                }
                for other in self.alternatives
            ],
        }


def _extra_pct(pair: Pair, fix_is_quant: bool) -> float:
    if not fix_is_quant:
        return pair.delta_pct
    return Pair(pair.base, pair.quant).delta_pct


def _written_first(pair: Pair, fix_is_quant: bool) -> list[int]:
    lines = [pair.quant.line, pair.base.line]
    return lines[::-1] if fix_is_quant else lines


def _cited_baseline(row: Row | None, batched: bool) -> dict[str, object] | None:
    """Which row and configuration every delta of the finding is measured against."""
    if row is None:
        return None
    configuration = f"batch_size={row.batch_size}" if batched else row.precision
    return {"row": row.line, "configuration": configuration}


def short_gpu_name(key: str) -> str:
    """``RTX 4090D``, ``A800 80GB``, ``Tesla T4`` from the GPU table's full names."""
    name = gpus()[key].name.split("(")[0].replace("NVIDIA GeForce ", "")
    return name.replace("NVIDIA ", "").strip()


def _log_distance(a: float, b: float) -> float:
    return abs(math.log(a / b))


def _elsewhere_notes(
    gpu: Gpu, measured: bool, quoted: Row, fallback_key: str | None, kind: str
) -> list[str]:
    """Why a row measured elsewhere stands for ``gpu``: the card has no rows of its own, or
    the row is of another architecture (extrapolated within the author's band when the data
    documents one)."""
    notes = []
    if not measured:
        notes.append(f"{gpu.name} has no measurements; using {gpu.arch} rows")
    if quoted.arch != gpu.arch:
        if fallback_key:
            band = constants()[fallback_key]
            notes.append(
                f"{gpu.arch} extrapolated from {quoted.gpu} (author's band ±{band.value:g}%+,"
                f" {band.source})"
            )
        else:
            notes.append(f"no {gpu.arch} {kind}; quoting {quoted.arch} rows")
    return notes


def select(
    gpu: Gpu,
    precisions: Iterable[str],
    model: ModelSize | None,
    accept: Callable[[Pair], bool] | None = None,
) -> Evidence:
    wanted = tuple(precisions)
    measured = gpu.key in measured_gpus()
    fallback_arch, fallback_key = ARCH_FALLBACK.get(gpu.arch, (None, None))
    target = model.params_b if model else UNKNOWN_SIZE_ANCHOR_B
    candidates = [
        pair
        for pair in pairs()
        if pair.quant.precision in wanted and (accept is None or accept(pair))
    ]
    if not candidates:
        return Evidence(
            wanted[0],
            gpu,
            model,
            None,
            0,
            "no measured rows",
            ("EcoCompute has no measurement for this precision",),
        )

    def tier(pair: Pair) -> int:
        same_size = model is not None and (
            _log_distance(pair.quant.params_b, target) <= math.log1p(SAME_SIZE_TOLERANCE)
        )
        if pair.quant.gpu == gpu.key and same_size:
            return 3
        if pair.quant.arch == gpu.arch:
            return 2
        return 1

    def rank(pair: Pair) -> tuple[object, ...]:
        quant = pair.quant
        return (
            tier(pair),
            quant.gpu == gpu.key,
            -wanted.index(quant.precision),
            quant.arch == fallback_arch,
            model is not None and quant.model_id.lower() == model.model_id.lower(),
            -_log_distance(quant.params_b, target),
            quant.batch_size == 1,
            quant.machine_readable,
            quant.n_runs or 0,
            -quant.line,
        )

    ordered = sorted(candidates, key=rank, reverse=True)
    best = ordered[0]
    stars = tier(best)
    notes: list[str] = []
    if model is None:
        stars = min(stars, 2)
        notes.append("model size not resolved; quoting the measured row nearest 7B")
    if not measured:
        stars = min(stars, 2)
    notes += _elsewhere_notes(gpu, measured, best.quant, fallback_key, "measurements")
    same_place = [
        other
        for other in ordered[1:]
        if other.quant.gpu == best.quant.gpu
        and other.quant.params_b == best.quant.params_b
        and other.quant.precision == best.quant.precision
    ]
    return Evidence(
        precision=best.quant.precision,
        gpu=gpu,
        model=model,
        pair=best,
        stars=stars,
        basis=_basis(tier(best), best.quant.gpu == gpu.key),
        notes=tuple(notes),
        alternatives=tuple(same_place[:6]),
    )


BATCH_BASIS = {
    3: "measured on this GPU",
    2: "same GPU architecture",
    1: "measured on another GPU architecture",
}


def batch_evidence(gpu: Gpu) -> Evidence:
    """What batching saves: the largest measured batch against batch size 1 of the same sweep
    (one file and session). ★★★ when the rows are on the selected GPU, ★★☆ on its
    architecture, ★☆☆ on another one. Sweeps with energy per request rank first, then
    machine-readable files, then the larger batch."""
    measured = gpu.key in measured_gpus()
    fallback_arch, fallback_key = ARCH_FALLBACK.get(gpu.arch, (None, None))
    candidates = batch_pairs()
    if not candidates:
        return Evidence(None, gpu, None, None, 0, "no measured rows", ("no batch-size rows",))

    def tier(pair: Pair) -> int:
        if pair.quant.gpu == gpu.key:
            return 3
        return 2 if pair.quant.arch == gpu.arch else 1

    def rank(pair: Pair) -> tuple[object, ...]:
        quant, base = pair.quant, pair.base
        return (
            tier(pair),
            quant.arch == fallback_arch,
            quant.energy_j_per_request is not None and base.energy_j_per_request is not None,
            quant.machine_readable,
            quant.batch_size or 0,
            quant.n_runs or 0,
            -quant.line,
        )

    ordered = sorted(candidates, key=rank, reverse=True)
    best = ordered[0]
    quant, base = best.quant, best.base
    stars = tier(best)
    notes: list[str] = []
    if not measured:
        stars = min(stars, 2)
    notes += _elsewhere_notes(gpu, measured, quant, fallback_key, "batch-size measurements")
    if quant.energy_j_per_request is not None and base.energy_j_per_request is not None:
        notes.append(
            f"energy per request {base.energy_j_per_request:g} J at batch size {base.batch_size}"
            f" → {quant.energy_j_per_request:g} J at batch size {quant.batch_size}"
        )
    seen = {sweep_key(quant)}
    others = []
    for other in ordered[1:]:
        if other.quant.gpu == quant.gpu and sweep_key(other.quant) not in seen:
            seen.add(sweep_key(other.quant))
            others.append(other)
    return Evidence(
        precision=quant.precision,
        gpu=gpu,
        model=None,
        pair=best,
        stars=stars,
        basis=BATCH_BASIS[tier(best)],
        notes=tuple(notes),
        alternatives=tuple(others[:6]),
        comparison=phrase("headline.vs_batch", batch=base.batch_size, base=quant.batch_size),
        fix_is_quant=True,
    )


def convention(
    gpu: Gpu, missing: str, precisions: Iterable[str] = (), model: ModelSize | None = None
) -> Evidence:
    """Evidence for a rule that rests on engineering convention (the ECO4xx rules).

    When ``data/measurements.csv`` holds rows of one of ``precisions`` (the dataset's own
    precision labels, such as ``fp32``), they are quoted exactly as for the measured rules. Until
    then the finding carries no figure: ★☆☆, no rows, and a note naming what the dataset lacks
    (``missing``, e.g. "FP32 inference"), so the JSON ``evidence`` object keeps its shape.
    """
    wanted = tuple(precisions)
    if wanted:
        measured = select(gpu, wanted, model)
        if measured.pair is not None:
            return measured
    return Evidence(
        precision=wanted[0] if wanted else None,
        gpu=gpu,
        model=model,
        pair=None,
        stars=1,
        basis=CONVENTION_BASIS,
        notes=(f"data/measurements.csv has no row measuring {missing}",),
    )


@dataclass(unsafe_hash=True)
class Crossover:
    params_b: float
    key: str
    source: str
    note: Phrase


def nf4_crossover(gpu: Gpu) -> Crossover | None:
    """The NF4 crossover of the GPU's architecture (practitioner report v1): an interpolation."""
    table = constants()
    arch = gpu.arch
    note = phrase("crossover.interpolated")
    if not any(key.startswith(f"crossover.practitioner_v1.{arch}.") for key in table):
        fallback = CROSSOVER_ARCH_FALLBACK.get(arch)
        if fallback is None:
            return None
        note = phrase("crossover.interpolated_elsewhere", arch=arch, fallback=fallback)
        arch = fallback
    for key, constant in table.items():
        if key.startswith(f"crossover.practitioner_v1.{arch}.") and key.endswith(".nf4_b"):
            return Crossover(float(constant.value), key, constant.source, note)
    return None
