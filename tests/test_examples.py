"""examples/ shows each finding where its comments say, and the clean script shows none."""

from __future__ import annotations

from pathlib import Path

from conftest import expectations, found, scan

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_examples_report_what_their_comments_say() -> None:
    result = scan([EXAMPLES])
    assert not result.internal_errors
    for path in sorted(EXAMPLES.rglob("*")):
        if path.is_file():
            assert found(result.findings, path) == expectations(path), path.name
    shown = {finding.code for finding in result.findings}
    assert shown >= {"ECO101", "ECO102", "ECO103", "ECO202"}
    for finding in result.findings:
        assert finding.evidence and finding.evidence["rows"] and finding.evidence["confidence"]
        assert finding.evidence["rows"][0]["source"] and finding.evidence["rows"][0]["commit"]


def test_clean_example_is_clean_even_with_savings_shown() -> None:
    result = scan([EXAMPLES / "clean_serving.py"], show_green=True)
    assert {finding.mood for finding in result.findings} <= {"green"}
