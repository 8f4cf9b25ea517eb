"""Every figure traces to rows of data/measurements.csv; these tests recompute them from the
CSV with the csv module, independently of the evidence layer."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import FIXTURES, scan
from measurement_rows import DATA, csv_rows

from ecolint.evidence.dataset import gpus
from ecolint.evidence.gpus import ARCHITECTURES, GpuError, resolve_gpu, supports_bf16
from ecolint.evidence.models import resolve_model_size
from ecolint.evidence.select import (
    batch_evidence,
    nf4_crossover,
    select,
)
from ecolint.evidence.sessions import batch_pairs, pairs, session_file
from ecolint.resources import data_dir

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ecocompute"


def energy(line: int) -> float:
    return float(csv_rows()[line]["energy_j_per_1k_tok"])


def test_manifest_hashes_match_the_data_files() -> None:
    manifest = json.loads((DATA / "manifest.json").read_text())
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/ dataset not beside the checkout")
def test_data_is_a_byte_copy_of_the_shared_dataset() -> None:
    for name in ("measurements.csv", "gpus.csv", "constants.csv", "PROVENANCE.md"):
        assert (DATA / name).read_bytes() == (SHARED / name).read_bytes(), name


def test_pairs_share_file_session_gpu_model_and_batch() -> None:
    rows = csv_rows()
    for pair in pairs():
        quant, base = rows[pair.quant.line], rows[pair.base.line]
        assert base["precision"] == "fp16"
        for column in ("gpu", "model_id", "batch_size", "source_repo", "source_commit"):
            assert quant[column] == base[column], (pair.quant.line, column)
        assert session_file(pair.quant) == session_file(pair.base)
        expected = float(quant["energy_j_per_1k_tok"]) / float(base["energy_j_per_1k_tok"]) - 1
        assert pair.delta_pct == pytest.approx(expected * 100)


@pytest.mark.parametrize(
    ("gpu", "precision", "model", "delta"),
    [
        ("rtx4090d", "int8_mixed", "mistralai/Mistral-7B-Instruct-v0.3", 30.7),
        ("rtx4090d", "int8_pure", "mistralai/Mistral-7B-Instruct-v0.3", -7.9),
        ("rtx5090", "nf4", "Qwen/Qwen2-7B", -11.4),
    ],
)
def test_headline_deltas(gpu: str, precision: str, model: str, delta: float) -> None:
    size = resolve_model_size(model)
    evidence = select(resolve_gpu(gpu), (precision,), size)
    assert evidence.stars == 3
    assert round(evidence.delta_pct, 1) == delta
    quant, base = evidence.pair.quant.line, evidence.pair.base.line
    assert (energy(quant) / energy(base) - 1) * 100 == pytest.approx(evidence.delta_pct)


def test_batch_sweep_rows_are_the_published_ones() -> None:
    rows = csv_rows()
    sweep = [row for row in rows.values() if "batch_size_summary" in row["source_path"]]
    per_request = {int(row["batch_size"]): float(row["energy_j_per_request"]) for row in sweep}
    assert per_request[1] == 1768.3 and per_request[64] == 75.89
    assert round((per_request[64] / per_request[1] - 1) * 100, 1) == -95.7


SWEEP_COLUMNS = ("gpu", "model_id", "precision", "source_repo", "source_path", "source_commit")


def test_batch_pairs_are_one_sweep_at_batch_size_one_and_more() -> None:
    rows = csv_rows()
    assert batch_pairs()
    for pair in batch_pairs():
        batched, single = rows[pair.quant.line], rows[pair.base.line]
        assert single["batch_size"] == "1" and int(batched["batch_size"]) > 1
        for column in SWEEP_COLUMNS:
            assert batched[column] == single[column], (pair.quant.line, column)


@pytest.mark.parametrize(
    ("gpu", "stars"), [("rtx4090d", 1), ("a800", 3), ("a100", 2), ("h100", 1), ("t4", 3)]
)
def test_batch_evidence_is_recomputed_from_its_rows(gpu: str, stars: int) -> None:
    evidence = batch_evidence(resolve_gpu(gpu))
    assert evidence.stars == stars
    rows = csv_rows()
    batched, single = rows[evidence.pair.quant.line], rows[evidence.pair.base.line]
    written, fixed = float(single["energy_j_per_1k_tok"]), float(batched["energy_j_per_1k_tok"])
    expected = written / fixed - 1  # the extra energy of batch size 1, as the code writes it
    assert evidence.delta_pct == pytest.approx(expected * 100) and evidence.delta_pct > 0
    assert evidence.saving_pct == pytest.approx((1 - fixed / written) * 100)
    assert f"{expected * 100:+,.1f}%" in evidence.headline()
    assert (
        f"batch size 1 vs batch size {batched['batch_size']} row {evidence.pair.quant.line},"
        in (evidence.headline())
    )
    for other in evidence.alternatives:
        assert other.quant.gpu == evidence.pair.quant.gpu
        assert rows[other.base.line]["batch_size"] == "1"


def test_batch_evidence_on_the_default_gpu_quotes_the_a800_sweep() -> None:
    """The only sweep with energy per request is the A800 one: on the RTX 4090D (Ada) it is
    quoted at ★☆☆, and its per-request figure is the published one."""
    evidence = batch_evidence(resolve_gpu("rtx4090d"))
    rows = csv_rows()
    batched, single = rows[evidence.pair.quant.line], rows[evidence.pair.base.line]
    assert "batch_size_summary" in single["source_path"]
    assert (single["gpu"], single["arch"], batched["batch_size"]) == ("a800", "ampere", "64")
    per_request = float(batched["energy_j_per_request"]) / float(single["energy_j_per_request"])
    assert round((1 / per_request - 1) * 100, 1) == round(evidence.delta_pct, 1)
    note = next(note for note in evidence.notes if note.startswith("energy per request"))
    assert f"{float(single['energy_j_per_request']):g} J at batch size 1" in note
    assert f"{float(batched['energy_j_per_request']):g} J at batch size 64" in note
    assert "no ada batch-size measurements; quoting ampere rows" in evidence.notes
    assert evidence.basis == "measured on another GPU architecture"
    sessions = {rows[other.quant.line]["source_path"] for other in evidence.alternatives}
    assert sessions == {"metadata/a800_metadata.json"}
    cited = evidence.as_dict()["rows"]
    assert [row["line"] for row in cited] == [evidence.pair.base.line, evidence.pair.quant.line]
    assert cited[0]["source"] == f"{single['source_repo']}:{single['source_path']}"


def test_every_figure_in_the_json_report_is_recomputed_from_its_rows() -> None:
    examples = FIXTURES.parent.parent / "examples"
    result = scan([FIXTURES / "shapes", FIXTURES / "crossmodule", examples], show_green=True)
    rows = csv_rows()
    checked = 0
    for finding in result.findings:
        evidence = finding.evidence
        if not evidence or not evidence["rows"]:
            continue
        if evidence["delta_pct"] is None:  # rows cited for their software stack (ECO3xx)
            for cited in evidence["rows"]:
                assert cited["stack"] == rows[cited["line"]]["stack"]
            continue
        quant, base = evidence["rows"]
        for cited in (quant, base):
            row = rows[cited["line"]]
            assert float(row["energy_j_per_1k_tok"]) == cited["energy_j_per_1k_tok"]
            assert row["gpu"] == cited["gpu"] and row["model_id"] == cited["model_id"]
            assert cited["source"] == f"{row['source_repo']}:{row['source_path']}"
            assert cited["commit"] == row["source_commit"]
        recomputed = (energy(quant["line"]) / energy(base["line"]) - 1) * 100
        assert evidence["delta_pct"] == round(recomputed, 2)
        assert f"{recomputed:+,.1f}%" in finding.headline
        assert f" row {base['line']}, " in finding.headline, "the baseline row is named"
        for other in evidence["other_sessions"]:
            q, b = other["rows"]
            assert other["delta_pct"] == round((energy(q) / energy(b) - 1) * 100, 2)
        checked += 1
    assert checked >= 20


def test_confidence_grades() -> None:
    mistral = resolve_model_size("mistralai/Mistral-7B-Instruct-v0.3")
    assert select(resolve_gpu("rtx4090d"), ("int8_mixed",), mistral).stars == 3
    unknown_size = select(resolve_gpu("rtx4090d"), ("int8_mixed",), None)
    assert unknown_size.stars == 2 and "model size not resolved" in unknown_size.notes[0]
    unmeasured = select(resolve_gpu("L4"), ("int8_mixed",), mistral)
    assert unmeasured.stars == 2 and unmeasured.pair.quant.arch == "ada"
    cross = select(resolve_gpu("rtx4090d"), ("fp8_torchao_eager",), mistral)
    assert cross.stars == 1 and cross.pair.quant.gpu == "rtx5090"
    hopper = select(resolve_gpu("H100"), ("int8_mixed",), mistral)
    assert hopper.stars == 1 and hopper.pair.quant.gpu == "a800"


def test_crossovers_come_from_the_practitioner_rows() -> None:
    expected = {"t4": 3.2, "rtx4090d": 3.9, "a800": 3.7, "rtx5090": 5.2, "l4": 3.9, "h100": 3.7}
    for gpu, value in expected.items():
        crossover = nf4_crossover(resolve_gpu(gpu))
        assert crossover.params_b == value
        assert crossover.key.startswith("crossover.practitioner_v1.")
        assert "not measured" in str(crossover.note)


@pytest.mark.parametrize("name", ["RTX 4090D", "rtx-4090d", "NVIDIA GeForce RTX 4090D", "4090d"])
def test_gpu_names(name: str) -> None:
    assert resolve_gpu(name).key == "rtx4090d"


def test_unknown_and_unsupported_gpus() -> None:
    with pytest.raises(GpuError, match=r"Known GPUs: .*rtx4090d"):
        resolve_gpu("rtx9999")
    with pytest.raises(GpuError, match="NVIDIA GPUs only"):
        resolve_gpu("MI300X")
    with pytest.raises(GpuError, match="NVIDIA GPUs only"):
        resolve_gpu("Intel Arc A770")


def test_every_gpu_in_the_table_resolves_to_itself() -> None:
    for key in gpus():
        assert resolve_gpu(key).key == key


def test_bf16_support_follows_the_architecture_in_the_gpu_table() -> None:
    assert {gpu.arch for gpu in gpus().values()} <= set(ARCHITECTURES), "a new architecture"
    with_bf16 = {key for key, gpu in gpus().items() if supports_bf16(gpu)}
    assert {"a800", "a100", "rtx3090", "rtx4090d", "l4", "h100", "rtx5090"} <= with_bf16
    assert {key for key in gpus()} - with_bf16 == {"t4", "v100"}


def test_data_dir_is_the_checkout_data_in_development() -> None:
    assert (data_dir() / "measurements.csv").read_bytes() == (
        DATA / "measurements.csv"
    ).read_bytes()
