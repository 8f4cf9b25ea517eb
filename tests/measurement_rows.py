"""What the advisor and evidence tests share: ``data/measurements.csv`` read as plain CSV,
keyed by the line numbers answers cite, so expected numbers come from the file itself and not
from the reader under test."""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


def csv_rows() -> dict[int, dict[str, str]]:
    with (DATA / "measurements.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = {}
        for row in reader:
            rows[reader.line_num] = row  # the line the row ends on, as the advisor cites it
        return rows
