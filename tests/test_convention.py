"""Convention rules (ECO4xx) print no figure of their own: their evidence says that EcoCompute
has not measured the case, keeps the JSON shape of measured evidence, and quotes measured rows
as soon as the dataset has them."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import scan

from ecolint.docs import render_rule
from ecolint.evidence.gpus import resolve_gpu
from ecolint.evidence.models import resolve_model_size
from ecolint.evidence.select import CONVENTION_BASIS, convention, select
from ecolint.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
CONVENTION_RULES = [rule for rule in all_rules().values() if rule.basis == "convention"]


def test_convention_rules_are_yellow_and_say_so() -> None:
    assert CONVENTION_RULES
    for rule in CONVENTION_RULES:
        assert rule.mood == "yellow" and not rule.measured
        assert f"({CONVENTION_BASIS})" in render_rule(rule).splitlines()[0]


def test_without_rows_the_evidence_says_so_and_gives_no_figure() -> None:
    evidence = convention(resolve_gpu("rtx4090d"), "FP32 inference", ("fp32",))
    document = evidence.as_dict()
    assert document["basis"] == CONVENTION_BASIS
    assert (document["stars"], document["confidence"]) == (1, "★☆☆")
    assert document["delta_pct"] is None
    assert document["rows"] == [] and document["other_sessions"] == []
    assert document["notes"] == ["data/measurements.csv has no row measuring FP32 inference"]
    assert evidence.headline() == f"{CONVENTION_BASIS}, ★☆☆"


def test_rows_are_quoted_like_a_measured_rule_once_the_dataset_has_them() -> None:
    """int8_mixed stands in for a precision a convention rule would name (fp32 has no rows)."""
    gpu = resolve_gpu("rtx4090d")
    size = resolve_model_size("mistralai/Mistral-7B-Instruct-v0.3")
    quoted = convention(gpu, "anything", ("int8_mixed",), size)
    assert quoted == select(gpu, ("int8_mixed",), size)
    assert quoted.pair is not None and quoted.stars == 3


def test_convention_findings_keep_the_documented_json_shape() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("`json`: a stable document.", 1)[1].split("```json", 1)[1]
    documented = json.loads(block.split("```", 1)[0])["findings"][0]["evidence"]
    codes = tuple(rule.code for rule in CONVENTION_RULES)
    result = scan([ROOT / "examples" / "chat_notebook_export.py"], select=codes)
    assert {finding.code for finding in result.findings} >= {"ECO401", "ECO402", "ECO403"}
    for finding in result.findings:
        assert finding.evidence is not None
        assert set(finding.evidence) == set(documented)
        assert finding.headline == f"{CONVENTION_BASIS}, ★☆☆"
        assert finding.fix and finding.fix["snippets"]
        json.dumps(finding.as_dict())
    loaded = {finding.code: finding.evidence for finding in result.findings}
    assert loaded["ECO403"]["model_id"] == "meta-llama/Llama-3.1-8B-Instruct"
