"""The role model and the default policy: test code is not reported unless included, a
notebook that trains and then generates is quiet where it trains and reported where it
serves, and a tree of tests reports nothing by default and everything with include-tests."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ECO101_SCRIPT, FIXTURES, expectations, found, run_ecolint, scan

from ecolint.config import ConfigError, unconfigured

ROLES = FIXTURES / "roles"
WITH_TESTS = re.compile(r"#\s*expect-with-tests:\s*(?P<code>ECO\d{3})")
MODEL = "Qwen/Qwen2.5-7B-Instruct"


def with_tests(path: Path) -> set[tuple[int, str]]:
    """Lines reported only when tests are included (``# expect-with-tests: ECO101``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {
        (number, match["code"])
        for number, line in enumerate(lines, start=1)
        if (match := WITH_TESTS.search(line))
    }


def role_files() -> list[Path]:
    return sorted(ROLES.rglob("*.py"))


def test_test_code_is_not_reported_by_default() -> None:
    result = scan([ROLES], select=("ECO101",))
    assert not result.internal_errors
    for path in role_files():
        assert found(result.findings, path) == expectations(path), path.name


def test_include_tests_reports_test_code() -> None:
    result = scan([ROLES], select=("ECO101",), include_tests=True)
    for path in role_files():
        assert found(result.findings, path) == expectations(path) | with_tests(path), path.name


def test_include_tests_setting_is_validated() -> None:
    assert unconfigured(Path.cwd(), {"include-tests": True}).include_tests
    with pytest.raises(ConfigError, match="include-tests"):
        unconfigured(Path.cwd(), {"include-tests": "yes"})


def _notebook(path: Path, cells: list[str]) -> None:
    document = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": source, "outputs": []}
            for source in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(document), encoding="utf-8")


LOAD = f"""import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments
MODEL = "{MODEL}"
tokenizer = AutoTokenizer.from_pretrained(MODEL)
model = AutoModelForCausalLM.from_pretrained(MODEL, torch_dtype=torch.float32, device_map="auto")
"""
TRAIN = """model.config.use_cache = False
model.gradient_checkpointing_enable()
trainer = Trainer(model=model, args=TrainingArguments("out"), train_dataset=dataset)
trainer.train()
"""
GENERATE = """inputs = tokenizer("Hello", return_tensors="pt").to("cuda")
output = model.generate(**inputs, max_new_tokens=64)
"""
RELOAD = """base = AutoModelForCausalLM.from_pretrained(MODEL, dtype="float32", device_map="auto")
output = base.generate(**inputs, max_new_tokens=64)
"""


def test_notebook_that_trains_then_generates(tmp_path: Path) -> None:
    """Training is quiet (the FP32 load of the trained model, its gradient checkpointing);
    the cache switched off for training and never switched back is reported, and so is the
    base model reloaded in FP32 to generate."""
    notebook = tmp_path / "finetune.ipynb"
    _notebook(notebook, [LOAD, TRAIN, GENERATE, RELOAD])
    result = scan([tmp_path], select=("ECO401", "ECO403"))
    assert not result.internal_errors
    assert {(finding.cell, finding.code) for finding in result.findings} == {
        (1, "ECO401"),
        (3, "ECO403"),
    }


def test_cache_switched_back_on_before_generating_is_quiet(tmp_path: Path) -> None:
    notebook = tmp_path / "finetune.ipynb"
    _notebook(notebook, [LOAD, TRAIN, "model.config.use_cache = True\n", GENERATE])
    result = scan([tmp_path], select=("ECO401", "ECO403"))
    assert not result.internal_errors
    assert [finding.code for finding in result.findings] == []


TRAIN_8BIT = """from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, BitsAndBytesConfig, Trainer, TrainingArguments
BASE = "facebook/opt-6.7b"
model = AutoModelForCausalLM.from_pretrained(
    BASE, quantization_config=BitsAndBytesConfig(load_in_8bit=True), device_map="auto"
)
model = get_peft_model(model, LoraConfig(r=8))
Trainer(model=model, args=TrainingArguments("out"), train_dataset=dataset).train()
"""
SERVE_8BIT = """model = AutoModelForCausalLM.from_pretrained(
    BASE, quantization_config=BitsAndBytesConfig(load_in_8bit=True), device_map="auto"
)
model = PeftModel.from_pretrained(model, "out")
"""


PIPE = """from transformers import AutomaticSpeechRecognitionPipeline
pipe = AutomaticSpeechRecognitionPipeline(model=model)


def transcribe(audio):
    return pipe(audio)["text"]
"""


@pytest.mark.parametrize("serve", [GENERATE, PIPE], ids=["generate", "pipeline"])
def test_model_reloaded_through_a_wrapper_to_generate(tmp_path: Path, serve: str) -> None:
    """The 8-bit load of the training cell is quiet; the base model reloaded in 8-bit, wrapped
    in its adapter and run in a later cell (its generate, a pipeline around it) is inference."""
    _notebook(tmp_path / "int8.ipynb", [TRAIN_8BIT, SERVE_8BIT, serve])
    result = scan([tmp_path], select=("ECO101",))
    assert not result.internal_errors
    assert {(finding.cell, finding.code) for finding in result.findings} == {(1, "ECO101")}


@pytest.mark.slow
def test_test_only_tree_reports_nothing_by_default(tmp_path: Path) -> None:
    """The shape fixtures copied into a ``tests/`` folder as ``test_*.py``: no finding by
    default, and with include-tests the findings of the same files outside tests."""
    shapes = sorted((FIXTURES / "shapes").glob("*.py"))
    plain = tmp_path / "plain"
    tests = tmp_path / "project" / "tests"
    plain.mkdir()
    tests.mkdir(parents=True)
    for path in shapes:
        shutil.copy(path, plain / f"test_{path.name}")
        shutil.copy(path, tests / f"test_{path.name}")
    quiet = run_ecolint("check", "--no-cache", "--format", "json", ".", cwd=tmp_path / "project")
    assert json.loads(quiet.stdout)["findings"] == [], quiet.stderr
    including = ("check", "--no-cache", "--format", "json", "--config", "include-tests = true", ".")
    included = run_ecolint(*including, cwd=tmp_path / "project")
    reference = run_ecolint(*including, cwd=plain)

    def keys(output: str) -> list[tuple[str, int, str]]:
        return sorted(
            (Path(item["path"]).name, item["line"], item["code"])
            for item in json.loads(output)["findings"]
        )

    assert keys(included.stdout) and keys(included.stdout) == keys(reference.stdout)


def test_include_tests_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_int8.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    quiet = run_ecolint("check", "--no-cache", ".", cwd=tmp_path)
    loud = run_ecolint("check", "--no-cache", "--include-tests", ".", cwd=tmp_path)
    assert quiet.returncode == 0 and "ECO101" not in quiet.stdout
    assert loud.returncode == 1 and "tests/test_int8.py:2:" in loud.stdout
