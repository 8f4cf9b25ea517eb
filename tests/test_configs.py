"""YAML training/serving configs (axolotl, LLaMA-Factory): each fixture declares its rules
(``# rules:``) and carries its expectations as ``# expect:`` comments, like the Python
fixtures, and runs with only its rules selected."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, declared_expectations, found, scan, scan_declared

CONFIGS = sorted((FIXTURES / "configs").glob("*.y*ml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[path.name for path in CONFIGS])
def test_config_fixture(path: Path) -> None:
    result = scan_declared([path])
    assert not result.internal_errors
    assert found(result.findings) == declared_expectations(path)


def test_finding_spans_the_key_and_its_value() -> None:
    path = FIXTURES / "configs" / "llamafactory_qlora.yaml"
    (finding,) = scan_declared([path]).findings
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (4, 1, 4, 20)
    assert "(quantization_bit: 4) on Qwen/Qwen2.5-1.5B-Instruct" in finding.message
    assert finding.evidence["confidence"] == "★★★"


def test_nf4_above_the_crossover_is_a_saving() -> None:
    result = scan_declared([FIXTURES / "configs" / "axolotl_qlora_large.yml"], show_green=True)
    assert [(f.code, f.mood) for f in result.findings] == [("ECO102", "green")]


def test_noqa_in_yaml(tmp_path: Path) -> None:
    path = tmp_path / "qlora.yml"
    path.write_text(
        "base_model: TinyLlama/TinyLlama-1.1B-Chat-v1.0\nload_in_4bit: true  # noqa: ECO102\n",
        encoding="utf-8",
    )
    assert scan([path]).findings == []


def test_yaml_is_read_with_the_safe_loader(tmp_path: Path) -> None:
    """A python/object tag is not constructed (and does not stop the other keys)."""
    path = tmp_path / "evil.yml"
    path.write_text(
        "base_model: mistralai/Mistral-7B-Instruct-v0.3\n"
        "hook: !!python/object/apply:os.system ['touch pwned']\n"
        "load_in_8bit: true\n",
        encoding="utf-8",
    )
    result = scan([path])
    assert [(f.line, f.code) for f in result.findings] == [(3, "ECO101")]
    assert not (tmp_path / "pwned").exists()
