"""Advice that fits (issue 16): nothing is recommended that the memory of the selected GPU
cannot hold, recomputed from data/gpus.csv and the bits per weight of each format."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import run_ecolint
from measurement_rows import DATA, csv_rows

from ecolint.cli import main

BITS = {"fp16": 16, "int8_pure": 8, "nf4": 4}
ROWS = csv_rows()


def vram(gpu: str) -> float:
    with (DATA / "gpus.csv").open(newline="", encoding="utf-8") as handle:
        return next(float(row["vram_gb"]) for row in csv.DictReader(handle) if row["gpu"] == gpu)


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), env={"LANG": "C.UTF-8"})


def advise(model: str, gpu: str) -> dict[str, Any]:
    result = run("advise", "--model", model, "--gpu", gpu, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_advise_llama_70b_on_t4_recommends_nothing_that_does_not_fit() -> None:
    """Case 8: NF4 needs 35 GB on a 16 GB T4, so it is not recommended."""
    document = advise("llama-70b", "t4")
    params = document["model"]["params_b"]
    for entry in document["memory"]:
        weights = params * BITS[entry["precision"]] / 8
        assert entry["weights_gb"] == round(weights, 2)
        assert entry["fits"] is (weights <= vram("t4"))
    assert not any(entry["fits"] for entry in document["memory"])
    assert document["recommendation"]["precision"] is None
    assert document["batch"] == []
    text = run("advise", "--model", "llama-70b", "--gpu", "t4").output
    assert "nothing measured fits in 16 GB" in text
    assert "NF4, batch size" not in text


def test_advise_recommendation_always_fits() -> None:
    for model, gpu in [
        ("meta-llama/Llama-2-13b-hf", "t4"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "rtx4090d"),
        ("Qwen/Qwen2.5-14B", "a800"),
        ("Qwen/Qwen2-7B", "rtx5090"),
    ]:
        document = advise(model, gpu)
        choice = document["recommendation"]["precision"]
        weights = document["model"]["params_b"] * BITS[choice] / 8
        assert weights <= vram(gpu), (model, gpu, choice)


INT8_LOAD = """\
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

model = AutoModelForCausalLM.from_pretrained(
    "{model}",
    quantization_config=BitsAndBytesConfig(load_in_8bit=True),
)
print(model.generate(max_new_tokens=256))
"""


def eco101(tmp_path: Path, model: str, gpu: str) -> dict[str, Any]:
    (tmp_path / "app.py").write_text(INT8_LOAD.replace("{model}", model), encoding="utf-8")
    done = run_ecolint("check", ".", "--format", "json", "--gpu", gpu, cwd=tmp_path)
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["code"] == "ECO101"
    return finding


@pytest.mark.parametrize(
    ("model", "gpu"),
    [
        ("mistralai/Mistral-7B-Instruct-v0.3", "rtx4090d"),
        ("Qwen/Qwen2.5-14B", "a800"),
        ("meta-llama/Llama-2-13b-hf", "t4"),
    ],
)
def test_eco101_on_a_large_model_advises_what_the_rows_support(
    tmp_path: Path, model: str, gpu: str
) -> None:
    """Case 9: from 6.7B parameters LLM.int8()'s outlier path protects quality: no
    ``llm_int8_threshold=0.0`` advice or autofix; NF4 where its rows save or FP16 does not
    fit, else FP16 (which then fits), each with its rows recomputed from the CSV."""
    finding = eco101(tmp_path, model, gpu)
    message, fix = finding["message"], finding["fix"]
    assert "so llm_int8_threshold=0.0 is no fix here" in message and "Dettmers" in message
    assert fix["edits"] == [] and "llm_int8_threshold=0.0" not in str(fix["snippets"])
    params = finding["evidence"]["model_params_b"]
    assert params >= 6.7
    fp16_fits = params * 2 <= vram(gpu)
    quoted = re.search(r"NF4 measured ([+-]\d+\.\d)% energy vs FP16 row (\d+)", message)
    nf4_saves = quoted is not None and float(quoted.group(1)) < 0
    if quoted:
        base = int(quoted.group(2))
        nf4 = next(
            line
            for line, row in ROWS.items()
            if row["precision"] == "nf4" and _pairs_with(line, base)
        )
        assert float(quoted.group(1)) == round(
            (float(ROWS[nf4]["energy_j_per_1k_tok"]) / float(ROWS[base]["energy_j_per_1k_tok"]) - 1)
            * 100,
            1,
        )
    if nf4_saves or not fp16_fits:
        assert "load it in NF4 instead" in message and "NF4" in fix["summary"]
    else:
        assert "load it in FP16/BF16 instead, which fits" in message


def _pairs_with(line: int, base: int) -> bool:
    """Same GPU, model, batch size, commit and session file (one folder of energy_*.json)."""
    quant, fp16 = ROWS[line], ROWS[base]
    same = ("gpu", "model_id", "batch_size", "source_commit")
    folder = [
        row["source_path"].rpartition("/energy_")[0] or row["source_path"] for row in (quant, fp16)
    ]
    return (
        fp16["precision"] == "fp16"
        and folder[0] == folder[1]
        and all(quant[key] == fp16[key] for key in same)
    )


def test_eco101_below_the_outlier_scale_keeps_the_threshold_fix(tmp_path: Path) -> None:
    finding = eco101(tmp_path, "01-ai/Yi-1.5-6B-Chat", "rtx4090d")
    assert finding["message"].endswith("set llm_int8_threshold=0.0")
    assert finding["fix"]["edits"] and finding["fix"]["summary"] == "set llm_int8_threshold=0.0"


@pytest.mark.parametrize(
    ("model", "gpu"),
    [
        ("mistral-7b", "a800"),
        ("Qwen/Qwen2-7B", "rtx5090"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "rtx4090d"),
        ("Qwen/Qwen2-7B", "t4"),
    ],
)
def test_advise_numbers_recomputed(model: str, gpu: str) -> None:
    """Every delta a reason quotes and every batch figure, from the CSV, in one sign: batch
    size 1's extra energy against the batched row, and the saving derived from it."""
    document = advise(model, gpu)
    for reason in document["reasons"]:
        cited = reason["evidence"]
        if cited is None:
            continue
        quant, base = cited["rows"]
        assert _pairs_with(quant, base)
        ratio = float(ROWS[quant]["energy_j_per_1k_tok"]) / float(ROWS[base]["energy_j_per_1k_tok"])
        assert cited["delta_pct"] == round((ratio - 1) * 100, 2)
        assert f"{cited['delta_pct']:+.2f}%" in reason["text"]
    for entry in document["batch"]:
        if entry["rows"] is None:
            continue
        single, batched = (ROWS[line] for line in entry["rows"])
        column = "energy_j_per_request" if entry["per"] == "request" else "energy_j_per_1k_tok"
        before, after = float(single[column]), float(batched[column])
        assert single["batch_size"] == "1" and batched["batch_size"] == str(
            entry["measured_batch_size"]
        )
        assert entry["extra_pct"] == round((before / after - 1) * 100, 2) > 0
        assert entry["saving_pct"] == round((1 - after / before) * 100, 2)
    choice = document["recommendation"]["precision"]
    assert document["model"]["params_b"] * BITS[choice] / 8 <= vram(gpu)
