"""Rule documentation quotes the rows, not prose (issue 16, case 5): every range in a measured
rule's docs is the smallest and largest same-session delta, recomputed from the CSV, and no
rule file types a percentage by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from measurement_rows import DATA, csv_rows

from ecolint.cli import main

ROWS = csv_rows()
RULES = DATA.parent / "rules"
RANGE = re.compile(r"([+-]\d+\.\d+)% \(rows (\d+)/(\d+)\) to ([+-]\d+\.\d+)% \(rows (\d+)/(\d+)\)")
EVIDENCE = re.compile(
    r"from ([+-]\d+\.\d+)% \(rows (\d+)/(\d+)\) to ([+-]\d+\.\d+)% \(rows (\d+)/(\d+)\)"
)


def delta(quant: str, base: str) -> float:
    energy = (float(ROWS[int(line)]["energy_j_per_1k_tok"]) for line in (quant, base))
    ratio = next(energy) / next(energy)
    return round((ratio - 1) * 100, 2)


def section(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("code", ["ECO101", "ECO102", "ECO103"])
def test_the_range_in_why_spans_the_evidence_rows(code: str) -> None:
    text = CliRunner().invoke(main, ["rule", code]).output
    why = RANGE.search(section(text, "Why is this bad?"))
    assert why, "the docs quote a measured range"
    low, low_q, low_b, high, high_q, high_b = why.groups()
    assert float(low) == delta(low_q, low_b) and float(high) == delta(high_q, high_b)
    ends = []
    for found in EVIDENCE.finditer(section(text, "Evidence")):
        first, first_q, first_b, last, last_q, last_b = found.groups()
        assert float(first) == delta(first_q, first_b) and float(last) == delta(last_q, last_b)
        ends += [float(first), float(last)]
    assert (float(low), float(high)) == (min(ends), max(ends))


def test_eco101_docs_include_the_rtx4090_extreme() -> None:
    """Case 5: the docs said "+17% to +147%" while its Evidence listed +594.58%."""
    text = CliRunner().invoke(main, ["rule", "ECO101"]).output
    assert "+594.58% (rows 124/125)" in section(text, "Why is this bad?")
    assert "+147%" not in text


@pytest.mark.parametrize("path", sorted(RULES.glob("ECO*.yaml")), ids=lambda path: path.stem)
def test_no_rule_types_a_measured_percentage(path: Path) -> None:
    prose = path.read_text(encoding="utf-8").split("\nexamples:", 1)[0]
    assert not re.findall(r"[+-]?\d+(?:\.\d+)?\s?%", prose)
