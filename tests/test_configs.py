"""YAML training/serving configs (axolotl, LLaMA-Factory): each fixture carries its
expectations as ``# expect:`` comments, like the Python fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, expectations, found, scan

CONFIGS = sorted((FIXTURES / "configs").glob("*.y*ml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[path.name for path in CONFIGS])
def test_config_fixture(path: Path) -> None:
    result = scan([path])
    assert not result.internal_errors
    assert found(result.findings) == expectations(path)


def test_finding_spans_the_key_and_its_value() -> None:
    path = FIXTURES / "configs" / "llamafactory_qlora.yaml"
    (finding,) = scan([path]).findings
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (3, 1, 3, 20)
    assert "(quantization_bit: 4) on Qwen/Qwen2.5-1.5B-Instruct" in finding.message
    assert finding.evidence["confidence"] == "★★★"


def test_nf4_above_the_crossover_is_a_saving() -> None:
    result = scan([FIXTURES / "configs" / "axolotl_qlora_large.yml"], show_green=True)
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
