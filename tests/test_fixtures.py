"""Every fixture file declares the rules it exercises (``# rules: ECO101``) and carries its
expectations on the offending lines (``# expect: ECO101``); it runs with only those rules
selected, and a line without an expectation must produce no finding of them. Positives and
negatives are held to the same bar. One smoke run over every fixture and example runs every
rule, so each rule is seen to fire somewhere without any fixture depending on another's rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, declared_expectations, found, scan, scan_declared

from ecolint.checks.base import registry
from ecolint.rules import all_rules

SHAPES = sorted((FIXTURES / "shapes").glob("*.py"))
EXAMPLES = FIXTURES.parent.parent / "examples"
SMOKE = [*(FIXTURES / kind for kind in ("shapes", "configs", "notebooks", "crossmodule")), EXAMPLES]


@pytest.mark.parametrize("path", SHAPES, ids=[path.stem for path in SHAPES])
def test_shape_fixture(path: Path) -> None:
    result = scan_declared([path])
    assert not result.internal_errors
    assert found(result.findings) == declared_expectations(path)


def test_cross_module_findings_are_reported_where_defined() -> None:
    package = FIXTURES / "crossmodule"
    result = scan_declared([package])
    assert not result.internal_errors
    for path in (package / "app").glob("*.py"):
        assert found(result.findings, path) == declared_expectations(path, package)
    by_code = {finding.code: finding for finding in result.findings}
    assert by_code["ECO101"].evidence["model_id"] == "mistralai/Mistral-7B-Instruct-v0.3"
    assert by_code["ECO101"].evidence["confidence"] == "★★★"
    assert by_code["ECO102"].evidence["model_id"] == "Qwen/Qwen2-1.5B"


def test_every_rule_fires_in_the_smoke_run() -> None:
    """All fixtures and examples with every rule selected: no internal error, and each rule
    that has trigger words reports at least once (its own fixtures make sure of it). A check
    that judges the other findings (unused suppressions) has nothing to report when every
    rule runs: each suppression in the fixtures silences a real finding."""
    result = scan(SMOKE)
    assert not result.internal_errors
    checked = {
        code
        for code, rule in all_rules().items()
        if rule.triggers and not registry()[code].judges_findings
    }
    assert checked <= {finding.code for finding in result.findings}
