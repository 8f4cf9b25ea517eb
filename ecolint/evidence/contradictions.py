"""The contradictions PROVENANCE.md §8 records, and which rows of measurements.csv each one
concerns. The texts are read from PROVENANCE.md itself; only the row selectors live here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from ecolint.evidence.dataset import Row, gpus
from ecolint.evidence.select import nf4_crossover
from ecolint.resources import data_dir

SECTION = "## 8. Contradictions between sources"
_ITEM = re.compile(r"^(\d+)\. \*\*(.+?)\*\*", re.M)
NF4 = ("nf4", "nf4_dq")


def _sweep(row: Row) -> bool:
    return "batch_size" in row.source_path


def _memo(row: Row) -> bool:
    return "COMPLETE_DATASET_MEMO" in row.source_path


def _rtx5090_csv(row: Row) -> bool:
    return row.source_path.endswith("rtx5090_benchmark_results.csv")


def _below_crossover(row: Row) -> bool:
    crossover = nf4_crossover(gpus()[row.gpu])
    return crossover is not None and row.params_b <= crossover.params_b


def _model(row: Row, *names: str) -> bool:
    return any(name in row.model_id for name in names)


# PROVENANCE.md §8 item → the rows it concerns (item 27, dataset size claims, concerns none).
SELECTORS: dict[int, Callable[[Row], bool]] = {
    1: _sweep,
    2: _sweep,
    3: _sweep,
    4: lambda r: r.gpu == "rtx4090d" and _model(r, "Mistral-7B") and r.precision[:4] == "int8",
    5: lambda r: _rtx5090_csv(r) and _model(r, "Qwen2.5-3B"),
    6: lambda r: r.gpu == "rtx5090" and r.model_id == "Qwen/Qwen2-1.5B",
    7: _memo,
    8: lambda r: r.precision == "int8_mixed",
    9: lambda r: r.precision in NF4 and _below_crossover(r),
    10: lambda r: r.precision in NF4 and not _below_crossover(r),
    11: lambda r: r.precision in NF4,
    12: lambda r: r.precision == "int8_mixed",
    13: lambda r: r.gpu == "a800" and r.precision == "int8_pure",
    14: lambda r: r.precision.startswith("fp8"),
    15: lambda r: (
        _rtx5090_csv(r)
        or "QUANTIZATION_ENERGY_COMPLETE_DATASET" in r.source_path
        or (r.gpu == "rtx4090d" and "2026-02-12" in r.note)
    ),
    16: lambda r: r.gpu == "rtx5090",
    17: lambda r: r.gpu == "a800",
    18: lambda r: r.gpu == "a800",
    19: lambda r: _model(r, "Mistral-7B"),
    20: _rtx5090_csv,
    21: lambda r: "double-quant" in r.note.lower() or "double quant" in r.note.lower(),
    22: lambda r: (
        r.gpu == "rtx4090d" and r.precision == "fp16" and _model(r, "Yi-1.5-6B", "TinyLlama")
    ),
    23: lambda r: r.gpu == "t4" and r.precision in NF4 and _model(r, "Qwen2.5-3B"),
    24: lambda r: r.gpu == "rtx4090" and r.precision == "int8_mixed",
    25: lambda r: r.gpu == "a800" and _model(r, "Yi-1.5-9B") and r.precision == "int8_mixed",
    26: lambda r: r.gpu == "a800" and _model(r, "Qwen2.5-14B"),
    28: _sweep,
    29: _sweep,
    30: lambda r: r.gpu == "t4",
}


@dataclass(frozen=True)
class Contradiction:
    number: int
    title: str
    text: str


@cache
def contradictions() -> dict[int, Contradiction]:
    """§8 of PROVENANCE.md, item by item."""
    document = (data_dir() / "PROVENANCE.md").read_text(encoding="utf-8")
    section = document.split(SECTION, 1)[1].split("\n## ", 1)[0]
    found = list(_ITEM.finditer(section))
    items = {}
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(section)
        text = " ".join(section[match.start() : end].split())
        items[int(match.group(1))] = Contradiction(int(match.group(1)), match.group(2), text)
    return items


def concerning(rows: list[Row]) -> list[tuple[Contradiction, list[int]]]:
    """The contradictions that concern any of ``rows``, with the lines of those rows."""
    table = contradictions()
    result = []
    for number, selector in SELECTORS.items():
        lines = [row.line for row in rows if selector(row)]
        if lines and number in table:
            result.append((table[number], lines))
    return result
