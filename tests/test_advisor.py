"""The advisor commands (compare, estimate, advise, diagnose, data, rule, rules): every figure
recomputed from the rows of data/measurements.csv with the csv module, Chinese output, and
clear errors for bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from measurement_rows import DATA, csv_rows

from ecolint.advisor.output import Answer, Bar, Chart, render_text
from ecolint.cli import main
from ecolint.text_table import Mood, Table

HAN = re.compile(r"[\u4e00-\u9fff]")
ENERGY_COLUMNS = ("energy_j_per_1k_tok", "energy_j_per_1k_tok_std", "energy_j_per_request")


ROWS = csv_rows()


def energy(line: int, column: str = "energy_j_per_1k_tok") -> float:
    return float(ROWS[line][column])


def session_file(path: str) -> str:
    """One run directory of per-configuration ``energy_*.json`` files is one session."""
    folder, _, name = path.rpartition("/")
    return folder if name.startswith("energy_") and name.endswith(".json") else path


def delta(quant: int, base: int, column: str = "energy_j_per_1k_tok") -> float:
    return (energy(quant, column) / energy(base, column) - 1) * 100


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, list(args), env={"LANG": "C.UTF-8", **(env or {})})


def run_json(*args: str) -> dict[str, Any]:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def by_precision(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["precision"]: entry for entry in document["precisions"]}


def test_compare_rtx5090_qwen2_7b_nf4_is_the_published_minus_11_45() -> None:
    document = run_json("compare", "--model", "Qwen/Qwen2-7B", "--gpu", "rtx5090")
    nf4 = by_precision(document)["nf4"]
    assert (nf4["row"], nf4["baseline_row"]) == (9, 8)
    assert energy(8) == 5508.56 and energy(9) == 4877.88
    assert round(delta(9, 8), 2) == -11.45 == nf4["delta_pct"]
    assert nf4["confidence"] == "★★★"


def test_compare_rtx4090d_mistral_int8_default_and_pure() -> None:
    document = run_json(
        "compare", "--model", "mistralai/Mistral-7B-Instruct-v0.3", "--gpu", "rtx4090d"
    )
    entries = by_precision(document)
    assert (entries["int8_mixed"]["row"], entries["int8_mixed"]["baseline_row"]) == (26, 25)
    assert (entries["int8_pure"]["row"], entries["int8_pure"]["baseline_row"]) == (27, 25)
    assert round(delta(26, 25), 1) == 30.7 and entries["int8_mixed"]["mood"] == "orange"
    assert round(delta(27, 25), 1) == -7.9 and entries["int8_pure"]["mood"] == "green"
    assert entries["int8_mixed"]["delta_pct"] == round(delta(26, 25), 2)
    assert entries["int8_pure"]["delta_pct"] == round(delta(27, 25), 2)


def test_a800_batch_sweep_per_request_in_estimate() -> None:
    document = run_json(
        "estimate", "--model", "mistral-7b", "--gpu", "a800", "--precision", "int8_pure"
    )
    measured, best = document["measured"], document["best_alternative"]
    assert (measured["row"], best["row"]) == (71, 77)
    assert energy(71, "energy_j_per_request") == 1768.3 == measured["energy_j_per_request"]
    assert energy(77, "energy_j_per_request") == 75.89 == best["energy_j_per_request"]
    assert round(delta(77, 71, "energy_j_per_request"), 1) == -95.7
    assert best["extra_pct"] == round(delta(71, 77), 2) > 0  # the cost of batch size 1
    assert best["saving_pct"] == round(-delta(77, 71), 2)  # what batching saves


def _energy_fields(node: Any, row: int | None = None) -> Iterator[tuple[int, str, float]]:
    """Every (row, column, value) for energy columns, with the row the object cites."""
    if isinstance(node, dict):
        here = node.get("row", row) if isinstance(node.get("row"), int) else row
        for key, value in node.items():
            if key in ENERGY_COLUMNS and value is not None:
                assert here is not None, key
                yield here, key, value
            else:
                yield from _energy_fields(value, here)
    elif isinstance(node, list):
        for item in node:
            yield from _energy_fields(item, row)


@pytest.mark.parametrize(
    ("model", "gpu"),
    [
        ("Qwen/Qwen2-7B", "rtx5090"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "rtx4090d"),
        ("Qwen/Qwen2.5-14B", "a800"),
        ("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "t4"),
        ("7B", "h100"),
        ("Qwen/Qwen2.5-3B", "rtx_pro6000_bw"),
    ],
)
def test_every_energy_figure_in_compare_json_is_a_csv_value(model: str, gpu: str) -> None:
    document = run_json("compare", "--model", model, "--gpu", gpu, "--requests-per-day", "100")
    found = list(_energy_fields(document["precisions"]))
    assert found
    for row, column, value in found:
        assert value == float(ROWS[row][column]), (row, column)
    for entry in document["precisions"]:
        if entry["delta_pct"] is not None:
            assert entry["delta_pct"] == round(delta(entry["row"], entry["baseline_row"]), 2)
            quant, base = ROWS[entry["row"]], ROWS[entry["baseline_row"]]
            for column in ("gpu", "model_id", "batch_size", "source_commit"):
                assert quant[column] == base[column]
            assert session_file(quant["source_path"]) == session_file(base["source_path"])
    for other in document["other_sessions"]:
        assert other["delta_pct"] == round(delta(*other["rows"]), 2)


def test_compare_chart_and_table_in_text_and_markdown() -> None:
    text = run(
        "compare", "--model", "Qwen/Qwen2-7B", "--gpu", "rtx5090", "--requests-per-day", "1000"
    )
    assert text.exit_code == 0
    assert re.search(r"FP16 \(S1\):\s+\[==========\]\s+100%\s+\[green\]", text.output)
    assert re.search(r"FP8 eager \(S1\):\s+\[=+>\]\s+915%\s+\+\$[\d.]+/mo\s+\[red\]", text.output)
    assert "\x1b[" not in text.output
    markdown = run(
        "compare", "--model", "Qwen/Qwen2-7B", "--gpu", "rtx5090", "--format", "markdown"
    )
    assert "| FP16 |" in markdown.output and "```text" in markdown.output
    assert "[orange]" in markdown.output


def test_moods_are_coloured_only_when_asked() -> None:
    answer = Answer(
        {}, [Table(("mood",), ((Mood("red"),),)), Chart("c", (Bar("FP16", 100, "", "green"),))]
    )
    assert "\x1b[" in render_text(answer, "en", color=True)
    plain = render_text(answer, "en", color=False)
    assert "\x1b[" not in plain and "[red]" in plain and "[green]" in plain


def test_estimate_reports_monthly_cost_of_the_row() -> None:
    document = run_json(
        "estimate",
        "--model",
        "mistralai/Mistral-7B-Instruct-v0.3",
        "--gpu",
        "rtx4090d",
        "--precision",
        "int8",
        "--requests-per-month",
        "1000000",
    )
    assert document["measured"]["row"] == 26
    kwh = energy(26) * 1_000_000 * 256 / 1000 / 3.6e6  # PUE 1.0 on a GeForce card
    assert document["monthly"]["kwh"] == pytest.approx(kwh, abs=1e-3)
    assert document["monthly"]["usd"] == pytest.approx(kwh * 0.12, abs=0.01)
    best = document["best_alternative"]
    assert best["row"] == 27 and best["extra_pct"] == round(delta(26, 27), 2) > 0
    saved = (energy(26) - energy(27)) * 1_000_000 * 256 / 1000 / 3.6e6
    assert best["monthly_saving"]["kwh"] == pytest.approx(saved, abs=1e-3)


def test_advise_follows_the_decision_rules_with_rows() -> None:
    big = run_json("advise", "--model", "mistralai/Mistral-7B-Instruct-v0.3", "--gpu", "rtx4090d")
    assert big["recommendation"]["precision"] == "nf4"
    cited = big["reasons"][0]["evidence"]
    assert cited["delta_pct"] == round(delta(*cited["rows"]), 2) < 0
    small = run_json("advise", "--model", "Qwen/Qwen2.5-1.5B-Instruct", "--gpu", "rtx4090d")
    assert small["recommendation"]["precision"] == "fp16"
    assert "crossover.practitioner_v1.ada" in small["reasons"][0]["text"]
    datacenter = run_json("advise", "--model", "Qwen/Qwen2.5-14B", "--gpu", "a800")
    assert datacenter["recommendation"]["precision"] == "fp16"
    assert datacenter["reasons"][0]["evidence"]["rows"] == [90, 88]
    assert any("llm_int8_threshold=0.0" in warning for warning in datacenter["warnings"])
    assert any("FP8 in eager mode" in warning for warning in datacenter["warnings"])


def test_advise_batch_sizes_cite_the_sweep() -> None:
    document = run_json("advise", "--model", "mistral-7b", "--gpu", "a800", "--use-case", "batch")
    (entry,) = document["batch"]
    assert entry["batch_size"] == 64 and entry["rows"] == [71, 77]
    assert entry["extra_pct"] == round(delta(71, 77, "energy_j_per_request"), 2) > 0
    assert entry["saving_pct"] == round(-delta(77, 71, "energy_j_per_request"), 2)
    api = run_json("advise", "--model", "mistral-7b", "--gpu", "a800", "--use-case", "api")
    first, last = api["batch"][0]["rows"]
    assert ROWS[last]["batch_size"] == "8" and ROWS[first]["batch_size"] == "1"


def test_advise_memory_and_bf16() -> None:
    document = run_json("advise", "--model", "meta-llama/Llama-2-13b-hf", "--gpu", "t4")
    fits = {entry["precision"]: entry["fits"] for entry in document["memory"]}
    assert fits == {"fp16": False, "int8_pure": True, "nf4": True}
    assert document["recommendation"]["precision"] in ("nf4", "int8_pure")
    assert any("BF16 needs an Ampere" in warning for warning in document["warnings"])
    huge = run_json("advise", "--model", "meta-llama/Llama-2-70b-hf", "--gpu", "rtx4090")
    assert huge["recommendation"]["mood"] == "gray"
    assert any("largest measured size" in limit for limit in huge["limits"])


def test_diagnose_int8_decomposition_and_expected_numbers() -> None:
    document = run_json(
        "diagnose",
        "--model",
        "mistralai/Mistral-7B-Instruct-v0.3",
        "--gpu",
        "rtx4090d",
        "--precision",
        "int8",
        "--throughput",
        "7.9",
        "--power",
        "75",
        "--stack",
        "torch 2.12.0.dev20260315",
    )
    patterns = {entry["pattern"]: entry for entry in document["patterns"]}
    int8 = patterns["int8_decomposition"]
    assert int8["match"] == "high" and int8["row"] == 26
    fixes = {fix["row"]: fix for fix in int8["expected_after_fix"]}
    assert set(fixes) == {27, 25}
    assert fixes[27]["throughput_tok_s"] == float(ROWS[27]["throughput_tok_s"])
    assert fixes[27]["extra_pct"] == round(delta(26, 27), 2) > 0
    assert "nightly_stack" in patterns and "batch_size_one" in patterns
    assert document["deviation_pct"]["throughput_tok_s"] == round((7.9 / 7.88 - 1) * 100, 2)
    assert any("10 Hz" in item for item in document["checklist"])


def test_diagnose_nf4_small_model_and_fp8() -> None:
    tiny = run_json(
        "diagnose",
        "--model",
        "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
        "--gpu",
        "rtx5090",
        "--precision",
        "nf4",
    )
    assert "nf4_small_model" in {entry["pattern"] for entry in tiny["patterns"]}
    fp8 = run_json("diagnose", "--model", "Qwen/Qwen2-7B", "--gpu", "rtx5090", "--precision", "fp8")
    (pattern,) = [entry for entry in fp8["patterns"] if entry["pattern"] == "fp8_eager"]
    assert pattern["row"] == 235 and pattern["expected_after_fix"][0]["row"] == 234


def test_data_rows_sources_and_contradictions() -> None:
    document = run_json("data", "--gpu", "a800", "--precision", "int8_pure")
    lines = [row["row"] for row in document["rows"]]
    assert {71, 77, 64} <= set(lines)
    for row in document["rows"]:
        source = ROWS[row["row"]]
        assert row["source"] == f"{source['source_repo']}:{source['source_path']}"
        assert row["commit"] == source["source_commit"]
        for column in ENERGY_COLUMNS:
            if source[column]:
                assert row[column] == float(source[column])
    numbers = {item["number"] for item in document["contradictions"]}
    assert {1, 13} <= numbers
    provenance = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    for item in document["contradictions"]:
        assert f"{item['number']}. **{item['title']}**" in provenance


def test_rule_and_rules_formats() -> None:
    document = run_json("rule", "ECO101")
    assert document["code"] == "ECO101" and document["fix"]["safety"] == "unsafe"
    for entry in document["evidence"]["rows"]:
        for bound in (entry["min"], entry["max"]):
            assert bound["delta_pct"] == round(delta(*bound["rows"]), 2)
    markdown = run("rule", "ECO103", "--format", "markdown").output
    assert markdown.startswith("# ECO103 `fp8-eager`") and "```python" in markdown
    table = run_json("rules")
    rule_files = sorted(path.stem for path in (DATA.parent / "rules").glob("ECO*.yaml"))
    assert [entry["code"] for entry in table] == rule_files


CHINESE = [
    ("check", "{examples}", "--requests-per-day", "100"),
    ("check", "{examples}", "--requests-per-day", "100", "--format", "markdown"),
    ("compare", "--model", "Qwen/Qwen2-7B", "--gpu", "rtx5090", "--requests-per-day", "100"),
    (
        "estimate",
        "--model",
        "mistral-7b",
        "--gpu",
        "a800",
        "--precision",
        "int8_pure",
        "--users-per-day",
        "100",
    ),
    ("advise", "--model", "mistral-7b", "--gpu", "rtx4090d", "--requests-per-day", "100"),
    (
        "diagnose",
        "--model",
        "mistral-7b",
        "--gpu",
        "rtx4090d",
        "--precision",
        "int8",
        "--throughput",
        "8",
        "--power",
        "75",
    ),
    ("data", "--gpu", "t4"),
    ("rule", "ECO102"),
    ("rules",),
]
# English text of the catalogue that must not appear once the output is Chinese.
ENGLISH = (
    "Limits of the data",
    "Workload:",
    "Found ",
    "per month",
    "Why is this bad",
    "Known patterns",
    "Contradictions PROVENANCE.md records",
    "Every row is copied",
    "Against the best alternative",
    "Pitfalls near",
)


@pytest.mark.parametrize(
    "command", CHINESE, ids=[" ".join(command[:1] + command[-2:]) for command in CHINESE]
)
def test_lang_zh_prints_chinese_for_every_command(command: tuple[str, ...]) -> None:
    examples = str(DATA.parent / "examples")
    args = [arg.format(examples=examples) for arg in command]
    result = run(*args, "--lang", "zh")
    assert result.exit_code in (0, 1), result.output
    assert HAN.search(result.output)
    for english in ENGLISH:
        assert english not in result.output, english


def test_locale_and_config_choose_the_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert HAN.search(run("rules", env={"LANG": "zh_CN.UTF-8"}).output)
    english = run("rules", env={"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"})
    assert not HAN.search(english.output)
    (tmp_path / "pyproject.toml").write_text('[tool.ecolint]\nlang = "zh"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert HAN.search(run("rules").output)
    assert not HAN.search(run("rules", "--lang", "en").output)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("compare", "--model", "7b", "--gpu", "rtx9999"), "Known GPUs: "),
        (("compare", "--model", "7b", "--gpu", "mi300x"), "NVIDIA GPUs only"),
        (("estimate", "--model", "7b", "--precision", "int3"), "Valid choices: fp16, nf4"),
        (("estimate", "--model", "7b", "--precision", "gptq"), "never measured"),
        (
            ("estimate", "--model", "7b", "--precision", "fp16", "--requests-per-day", "-1"),
            "--requests-per-day must be a number ≥ 0",
        ),
        (
            ("estimate", "--model", "7b", "--precision", "fp16", "--batch-size", "-4"),
            "--batch-size must be a whole number ≥ 1",
        ),
        (("advise", "--model", "acme/mystery"), "cannot tell the size of model 'acme/mystery'"),
        (("advise", "--model", "7b", "--region", "atlantis"), "--region must be one of us, eu"),
        (("diagnose", "--model", "7b", "--precision", "int8", "--throughput", "-3"), "-3"),
        (("data", "--precision", "awq"), "never measured"),
        (("data", "--model", "no-such-model"), "no measured row matches"),
    ],
)
def test_bad_input_exits_2_with_the_valid_choices(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_boundaries_are_said_plainly() -> None:
    h100 = run_json("compare", "--model", "7B", "--gpu", "h100")
    assert any(
        "h100 was never measured" in limit and "±10–15%" in limit for limit in h100["limits"]
    )
    assert all(entry["stars"] == 1 for entry in h100["precisions"])
    large = run_json(
        "estimate", "--model", "Qwen/Qwen2.5-32B", "--gpu", "a800", "--precision", "fp16"
    )
    assert any("above 14B" in limit for limit in large["limits"])
    batch = run_json("estimate", "--model", "7b", "--precision", "fp16", "--batch-size", "128")
    assert any("outside the measured range 1–64" in limit for limit in batch["limits"])
    assert any("vLLM and TensorRT-LLM" in limit for limit in batch["limits"])
    assert any("GPTQ, AWQ" in limit for limit in batch["limits"])


def test_advise_estimates_the_kv_cache_from_a_local_config(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    config = {
        "model_type": "llama",
        "hidden_size": 4096,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "intermediate_size": 14336,
        "vocab_size": 128256,
    }
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    document = run_json("advise", "--model", str(folder), "--gpu", "rtx4090d", "--batch-size", "8")
    # K and V × 32 layers × 8 KV heads × 128 dims × 2 bytes × (512 prompt + 256 generated) × 8.
    kv_gb = 2 * 32 * 8 * 128 * 2 * (512 + 256) * 8 / 1e9
    assert all(entry["kv_cache_gb"] == round(kv_gb, 2) for entry in document["memory"])
