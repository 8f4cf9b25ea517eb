"""``ecolint compare`` recomputed from data/measurements.csv and data/gpus.csv with the csv
module: every number cell, every delta and its baseline row (shown in the same table, of the
same session), every winner, and the memory fit (issue 16, cases 1 and 2)."""

from __future__ import annotations

import csv
import json
import re
from typing import Any

import pytest
from click.testing import CliRunner
from measurement_rows import DATA, csv_rows

from ecolint.cli import main

ROWS = csv_rows()
BITS = {
    "fp16": 16,
    "nf4": 4,
    "nf4_dq": 4,
    "int8_mixed": 8,
    "int8_pure": 8,
    "fp8_torchao_eager": 8,
    "fp8dyn_torchao_eager": 8,
    "gguf_f16": 16,
    "gguf_q4_0": 4.5,
}
CASES = [
    ("Qwen/Qwen2-7B", "rtx5090"),
    ("mistralai/Mistral-7B-Instruct-v0.3", "rtx4090d"),
    ("mistralai/Mistral-7B-Instruct-v0.3", "a800"),
    ("Qwen/Qwen2-7B", "t4"),
    ("Qwen/Qwen2.5-14B", "t4"),
]


def vram(gpu: str) -> float:
    with (DATA / "gpus.csv").open(newline="", encoding="utf-8") as handle:
        return next(float(row["vram_gb"]) for row in csv.DictReader(handle) if row["gpu"] == gpu)


def number(row: dict[str, str], column: str) -> float | None:
    return float(row[column]) if row[column] else None


def session_file(path: str) -> str:
    folder, _, name = path.rpartition("/")
    return folder if name.startswith("energy_") and name.endswith(".json") else path


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), env={"LANG": "C.UTF-8"})
    assert result.exit_code == 0, result.output
    return result.output


def compare(model: str, gpu: str) -> dict[str, Any]:
    return json.loads(invoke("compare", "--model", model, "--gpu", gpu, "--format", "json"))


@pytest.mark.parametrize(("model", "gpu"), CASES)
def test_every_cell_delta_baseline_and_winner_recomputed(model: str, gpu: str) -> None:
    document = compare(model, gpu)
    entries = document["precisions"]
    params = document["model"]["params_b"]
    by_row = {entry["row"]: entry for entry in entries}
    for entry in entries:
        row = ROWS[entry["row"]]
        assert row["precision"] == entry["precision"] and row["gpu"] == document["measured_gpu"]
        for column in ("throughput_tok_s", "power_w", "energy_j_per_1k_tok"):
            assert entry[column] == number(row, column), (entry["row"], column)
        energy = float(row["energy_j_per_1k_tok"])
        assert entry["tokens_per_joule"] == round(1000 / energy, 4)
        weights = params * BITS[entry["precision"]] / 8
        assert entry["weights_gb"] == round(weights, 2)
        assert entry["fits"] == (weights <= vram(gpu))
        if entry["kind"] == "paired":
            base = ROWS[entry["baseline_row"]]
            assert by_row[entry["baseline_row"]]["kind"] == "baseline", "baseline shown"
            assert by_row[entry["baseline_row"]]["session"] == entry["session"]
            for column in ("gpu", "model_id", "batch_size", "source_commit"):
                assert row[column] == base[column]
            assert session_file(row["source_path"]) == session_file(base["source_path"])
            expected = (energy / float(base["energy_j_per_1k_tok"]) - 1) * 100
            assert entry["delta_pct"] == round(expected, 2)
        else:
            assert entry["delta_pct"] is None and entry["baseline_row"] is None
    sessions = {entry["session"] for entry in entries}
    assert len(document["sessions"]) == len(sessions)
    fitting = [entry for entry in entries if entry["fits"]]
    energy_best = min(
        (entry for entry in fitting if entry["kind"] != "unpaired"),
        key=lambda entry: (entry["delta_pct"] or 0.0, entries.index(entry)),
    )
    winners = document["winners"]
    assert winners["energy"]["row"] == energy_best["row"]
    assert winners["energy"]["value"] == (energy_best["delta_pct"] or 0.0)
    assert winners["energy"]["value"] <= 0, "FP16 itself is 0: a winner never costs more"
    speeds = [entry for entry in fitting if entry["throughput_tok_s"] is not None]
    fastest = max(speeds, key=lambda entry: entry["throughput_tok_s"])
    assert winners["throughput"]["value"] == fastest["throughput_tok_s"]
    compared = {entry["session"] for entry in speeds}
    assert winners["throughput"]["cross_session"] == (len(compared) > 1)
    smallest = min(entry["weights_gb"] for entry in entries)
    assert winners["memory"]["value"] == smallest


def _table_rows(text: str) -> list[list[str]]:
    """The cells of the first table in a text answer, split on runs of 2+ spaces."""
    lines = text.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("---"))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.endswith(":"):
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def test_rtx5090_qwen2_7b_shows_the_baseline_of_every_delta() -> None:
    """Case 1: NF4's delta is against row 8, so row 8 is in the table, in NF4's session;
    the energy winner is named with its session and a marked cross-session note."""
    text = invoke("compare", "--model", "Qwen/Qwen2-7B", "--gpu", "rtx5090")
    rows = _table_rows(text)
    shown = {cells[-1]: cells for cells in rows}
    for cells in rows:
        cited = re.search(r"vs row (\d+)", " ".join(cells))
        if cited:
            base = shown[cited.group(1)]
            assert base[1] == cells[1], "a delta's baseline row is in its own session"
            assert "baseline" in base
    nf4 = next(cells for cells in rows if cells[0] == "NF4")
    assert "-11.45% vs row 8" in nf4 and shown["8"][0] == "FP16"
    assert float(ROWS[8]["energy_j_per_1k_tok"]) > float(ROWS[9]["energy_j_per_1k_tok"])
    assert re.search(r"energy: NF4 \(S\d\), -11\.45% .*\[! deltas of sessions", text)
    assert "Lowest energy among these rows" not in text


def test_rtx4090d_mistral_nf4_is_a_row_that_says_why_it_has_no_delta() -> None:
    """Case 2: NF4 (row 29) has no FP16 row in its session: it is in the table, with no
    delta, and is never the energy winner."""
    document = compare("mistralai/Mistral-7B-Instruct-v0.3", "rtx4090d")
    nf4 = next(entry for entry in document["precisions"] if entry["precision"] == "nf4")
    assert (nf4["row"], nf4["kind"], nf4["delta_pct"]) == (29, "unpaired", None)
    assert document["winners"]["energy"]["precision"] != "nf4"
    text = invoke("compare", "--model", "mistralai/Mistral-7B-Instruct-v0.3", "--gpu", "rtx4090d")
    row = next(cells for cells in _table_rows(text) if cells[-1] == "29")
    assert "none: no FP16 row in its session" in row


def test_a_configuration_that_does_not_fit_is_not_a_winner() -> None:
    """Qwen2.5-14B on a 16 GB T4: FP16 weights (29.5 GB) do not fit, so FP16 wins nothing and
    the answer says why."""
    document = compare("Qwen/Qwen2.5-14B", "t4")
    too_big = {entry["precision"] for entry in document["precisions"] if entry["fits"] is False}
    assert "fp16" in too_big
    for winner in document["winners"].values():
        assert winner is None or winner["precision"] not in too_big
    text = invoke("compare", "--model", "Qwen/Qwen2.5-14B", "--gpu", "t4")
    assert re.search(r"not considered: FP16 \(row \d+\) needs [\d.]+ GB .* 16 GB of t4", text)


@pytest.mark.parametrize(
    ("model", "gpu", "precision"),
    [
        ("mistral-7b", "a800", "int8_pure"),
        ("Qwen/Qwen2-7B", "rtx5090", "int8_mixed"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "rtx4090d", "int8_mixed"),
        ("Qwen/Qwen2-7B", "t4", "nf4"),
    ],
)
def test_estimate_recomputed_with_one_sign_and_its_chart(
    model: str, gpu: str, precision: str
) -> None:
    """``estimate``: the extra energy of the row asked about against each alternative of its
    session (+), the saving derived, the best alternative the lowest, and one bar per row."""
    args = ("estimate", "--model", model, "--gpu", gpu, "--precision", precision)
    document = json.loads(invoke(*args, "--format", "json"))
    this = document["measured"]
    energy = float(ROWS[this["row"]]["energy_j_per_1k_tok"])
    assert this["energy_j_per_1k_tok"] == energy
    for other in document["alternatives"]:
        theirs = float(ROWS[other["row"]]["energy_j_per_1k_tok"])
        assert other["extra_pct"] == round((energy / theirs - 1) * 100, 2)
        assert other["saving_pct"] == round((1 - theirs / energy) * 100, 2)
    best = document["best_alternative"]
    if best is not None:
        lowest = min(document["alternatives"], key=lambda other: other["energy_j_per_1k_tok"])
        assert best["row"] == lowest["row"] and best["extra_pct"] > 0
    text = invoke(*args)
    for other in document["alternatives"]:
        theirs = float(ROWS[other["row"]]["energy_j_per_1k_tok"])
        percent = f"{theirs / energy * 100:.0f}%"
        assert re.search(rf"\(row {other['row']}\):\s+\[=*\]\s+{percent}", text), other["row"]
