"""examples/ shows each finding where its comments say, and the clean script shows none."""

from __future__ import annotations

from pathlib import Path

from conftest import expectations, found, scan

from ecolint.evidence.select import CONVENTION_BASIS
from ecolint.rules import all_rules

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_examples_report_what_their_comments_say() -> None:
    result = scan([EXAMPLES])
    assert not result.internal_errors
    for path in sorted(EXAMPLES.rglob("*.py")):
        assert found(result.findings, path) == expectations(path), path.name
    rules = all_rules()
    checked = {code for code, rule in rules.items() if rule.triggers}
    assert {finding.code for finding in result.findings} == checked
    for finding in result.findings:
        evidence = finding.evidence
        assert evidence and evidence["confidence"]
        if rules[finding.code].measured:
            assert evidence["rows"][0]["source"] and evidence["rows"][0]["commit"]
        else:
            assert evidence["basis"] == CONVENTION_BASIS and evidence["stars"] == 1
            assert evidence["rows"] == [] and evidence["delta_pct"] is None


def test_clean_example_is_clean_even_with_savings_shown() -> None:
    result = scan([EXAMPLES / "clean_serving.py"], show_green=True)
    assert {finding.mood for finding in result.findings} <= {"green"}
