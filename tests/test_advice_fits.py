"""Advice that fits (issue 16): nothing is recommended that the memory of the selected GPU
cannot hold, recomputed from data/gpus.csv and the bits per weight of each format."""

from __future__ import annotations

import csv
import json
from typing import Any

from click.testing import CliRunner
from measurement_rows import DATA

from ecolint.cli import main

BITS = {"fp16": 16, "int8_pure": 8, "nf4": 4}


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
