"""examples/ shows each finding where its comments say, and the clean script shows none. They
run with every rule, as users run them; they need not show every rule (the smoke run in
test_fixtures.py checks that each rule fires somewhere)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import expectations, found, scan

from ecolint.evidence.select import CONVENTION_BASIS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def expected(path: Path) -> set[tuple[int, str]]:
    """Its ``# expect:`` comments, or for a Dockerfile (whose instructions cannot end in a
    comment) its entry in the ``expectations.json`` beside it."""
    sidecar = path.parent / "expectations.json"
    if sidecar.is_file():
        listed = json.loads(sidecar.read_text(encoding="utf-8"))
        if path.name in listed:
            return {(line, code) for line, code in listed[path.name]}
    return expectations(path)


def test_examples_report_what_their_comments_say() -> None:
    result = scan([EXAMPLES])
    assert not result.internal_errors
    for path in sorted(EXAMPLES.rglob("*")):
        if path.is_file():
            assert found(result.findings, path) == expected(path), path.name
    for finding in result.findings:
        evidence = finding.evidence
        assert evidence and evidence["confidence"]
        if evidence["basis"] == CONVENTION_BASIS:
            assert evidence["stars"] == 1
            assert evidence["rows"] == [] and evidence["delta_pct"] is None
        for row in evidence["rows"]:
            # rows taken from an issue's text have no commit (data/PROVENANCE.md)
            assert row["source"] and (row["commit"] or ":issues/" in row["source"])


def test_requirements_pins_lower_the_quoted_confidence() -> None:
    by_code = {finding.code: finding for finding in scan([EXAMPLES]).findings}
    alone = {finding.code: finding for finding in scan([EXAMPLES / "serve_int8.py"]).findings}
    assert alone["ECO101"].stars - by_code["ECO101"].stars == 1
    assert any("bitsandbytes==0.49.0" in note for note in by_code["ECO101"].evidence["notes"])


def test_clean_example_is_clean_even_with_savings_shown() -> None:
    result = scan([EXAMPLES / "clean_serving.py"], show_green=True)
    assert {finding.mood for finding in result.findings} <= {"green"}


def test_clean_example_says_on_which_gpus_it_is_clean() -> None:
    """Case 6 of issue 16: its docstring claimed "nothing" for every GPU, but the README's
    ``--gpu a800`` reports ECO102; now it names the cards it is clean on and the A800 finding."""
    path = EXAMPLES / "clean_serving.py"
    text = path.read_text(encoding="utf-8")
    for gpu in ("rtx4090d", "rtx4090", "rtx5090", "t4"):
        result = scan([path], gpu=gpu)
        assert not result.findings, gpu
    result = scan([path], gpu="a800")
    assert [finding.code for finding in result.findings] == ["ECO102"]
    line = text.splitlines()[result.findings[0].line - 1]
    assert "load_in_4bit=True" in line
    assert "`--gpu a800`" in text and "ECO102 reports the NF4 load" in text
