"""Pair each quantised row with the FP16 row of the same file and session, and each batched row
with the batch-size-1 row of its sweep.

PROVENANCE.md: absolute joules differ by energy window and session, so a delta is only formed
from two rows of one source file and one session. A file can hold several sessions; the note
column names them (``session A``, ``-pl 300 W``, a report id, ``section 2``), and FP16 baselines
embedded in a report name the report they belong to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath

from ecolint.evidence.dataset import Row, measurements

BASELINE = "fp16"

_POWER_LIMIT = re.compile(r"-pl (\d+) W")
_SESSION = re.compile(r"\bsession (\w+)")
_REPORT = re.compile(r"\b(?:run|report) (rtx\w+-[\w-]+)")
_REPORT_PRECISION = re.compile(r"\bsession \w+ (INT8|NF4) report")
_SEPARATE = re.compile(r"\b(\d{4}-\d{2}-\d{2}) separate instance session")
_SECTION = re.compile(r"\bsection (\d+)\b")

_PRECISION_WORDS = {"INT8": "int8_mixed", "NF4": "nf4"}


@dataclass(unsafe_hash=True)
class Pair:
    """A row and the same-session row it is compared with: a quantised row and its FP16
    baseline, or a batched row and the batch-size-1 row of its sweep."""

    quant: Row
    base: Row

    @property
    def delta_pct(self) -> float:
        """Energy per 1k tokens of ``quant`` relative to ``base``, in percent."""
        assert self.quant.energy_j_per_1k_tok is not None
        assert self.base.energy_j_per_1k_tok is not None
        return (self.quant.energy_j_per_1k_tok / self.base.energy_j_per_1k_tok - 1.0) * 100.0


def session_file(row: Row) -> str:
    """Per-configuration JSON result files of one run directory form one session."""
    path = PurePosixPath(row.source_path)
    if path.suffix == ".json" and path.name.startswith("energy_"):
        return str(path.parent)
    return row.source_path


def _run(row: Row) -> tuple[object, ...]:
    """What the rows of one measuring run share: card, source session and model."""
    return (row.gpu, row.source_repo, session_file(row), row.source_commit, row.model_id)


def session_key(row: Row) -> tuple[object, ...]:
    return (*_run(row), row.batch_size, _marks(row))


def sweep_key(row: Row) -> tuple[object, ...]:
    """The rows of one batch sweep share file, session, model and precision; only the batch
    size varies."""
    return (*_run(row), row.precision, _marks(row))


@cache  # both keys of every row ask for them, in the first analysis that quotes a pair
def _marks(row: Row) -> tuple[str, ...]:
    note = row.note
    marks: list[str] = []
    for pattern in (_POWER_LIMIT, _SESSION, _SEPARATE, _SECTION):
        found = pattern.search(note)
        if found:
            marks.append(f"{pattern.pattern}={found.group(1)}")
    report = _REPORT.search(note)
    if report:
        marks.append(f"report={report.group(1)}")
    if row.precision == BASELINE:
        embedded = _REPORT_PRECISION.search(note)
        if embedded:
            marks.append(f"for={_PRECISION_WORDS[embedded.group(1)]}")
    elif _SESSION.search(note) and "FP16 baseline embedded in the session" in _all_notes(row):
        marks.append(f"for={row.precision}")
    return tuple(marks)


@cache
def _embedded_sources() -> frozenset[str]:
    return frozenset(
        row.source_path
        for row in measurements()
        if "FP16 baseline embedded in the session" in row.note
    )


def _all_notes(row: Row) -> str:
    return "FP16 baseline embedded in the session" if row.source_path in _embedded_sources() else ""


@cache
def pairs() -> tuple[Pair, ...]:
    """Every quantised row that has exactly one same-session FP16 row with an energy figure."""
    baselines: dict[tuple[object, ...], list[Row]] = {}
    for row in measurements():
        if row.precision == BASELINE and row.energy_j_per_1k_tok is not None:
            baselines.setdefault(session_key(row), []).append(row)
    found = []
    for row in measurements():
        if row.precision == BASELINE or row.energy_j_per_1k_tok is None:
            continue
        candidates = baselines.get(session_key(row), [])
        if len(candidates) == 1:
            found.append(Pair(row, candidates[0]))
    return tuple(found)


def unpaired() -> tuple[Row, ...]:
    """Quantised rows without a unique same-session baseline (never quoted as a delta)."""
    paired = {pair.quant.line for pair in pairs()}
    return tuple(
        row
        for row in measurements()
        if row.precision != BASELINE
        and row.energy_j_per_1k_tok is not None
        and row.line not in paired
    )


@cache
def batch_pairs() -> tuple[Pair, ...]:
    """Every row at batch size > 1 that has exactly one batch-size-1 row in its sweep."""
    singles: dict[tuple[object, ...], list[Row]] = {}
    for row in measurements():
        if row.batch_size == 1 and row.energy_j_per_1k_tok is not None:
            singles.setdefault(sweep_key(row), []).append(row)
    found = []
    for row in measurements():
        if row.batch_size is None or row.batch_size <= 1 or row.energy_j_per_1k_tok is None:
            continue
        candidates = singles.get(sweep_key(row), [])
        if len(candidates) == 1:
            found.append(Pair(row, candidates[0]))
    return tuple(found)


@cache
def batch_series() -> tuple[tuple[Row, ...], ...]:
    """Rows of one precision measured at several batch sizes in one file and session, by
    batch size (the A800 sweep, the A800 2026-02-13 BS 1/4/8 runs, ...)."""
    groups: dict[tuple[object, ...], list[Row]] = {}
    for row in measurements():
        if row.batch_size is not None and row.energy_j_per_1k_tok is not None:
            groups.setdefault(sweep_key(row), []).append(row)
    series = []
    for rows in groups.values():
        sizes = {row.batch_size for row in rows}
        if len(sizes) == len(rows) and len(sizes) > 1:
            series.append(tuple(sorted(rows, key=lambda row: row.batch_size or 0)))
    return tuple(series)
