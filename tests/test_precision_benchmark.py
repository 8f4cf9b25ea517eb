"""The precision benchmark: its judged file stays well-formed, and its comparison counts, matches
moved lines and fails on lost true positives (run on a tiny corpus made here, not the real one)."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "precision"
COLUMNS = ["repo", "commit", "path", "line", "code", "verdict", "reason", "text"]
PATTERNS = {
    "ok",
    "test",
    "library-option",
    "no-model-runs",
    "export",
    "demo",
    "training",
    "no-generation",
    "not-a-model",
    "batched-item",
    "sweep",
    "sequential",
    "benchmark",
    "scope",
    "unsloth",
    "size",
    "automagic",
    "tokenizer",
    "compile-missed",
    "mislabel",
    "py312-syntax",
    "ipython",
    "not-text-llm",
    "per-item-settings",
    "load-button",
    "remote-code",
    "cpu-fallback",
    "prequantized",
    "prerelease",
    "unused-default",
    "single-item",
    "overridden",
    "workaround",
    "required",
}
QUANT_LINE = "quant = BitsAndBytesConfig(load_in_8bit=True)"
APP = """\
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

MODEL = "mistralai/Mistral-7B-Instruct-v0.3"
quant = BitsAndBytesConfig(load_in_8bit=True)
model = AutoModelForCausalLM.from_pretrained(MODEL, quantization_config=quant)
print(model.generate(max_new_tokens=8))
"""


def judged_rows() -> list[dict[str, str]]:
    with (BENCHMARK / "judged.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_judged_file_has_the_documented_shape() -> None:
    commits = {
        repo["name"]: repo["commit"]
        for repo in json.loads((BENCHMARK / "repos.json").read_text(encoding="utf-8"))["repos"]
    }
    rows = judged_rows()
    assert len(rows) >= 200
    for row in rows:
        assert commits.get(row["repo"]) == row["commit"], row
        assert re.fullmatch(r"ECO\d{3}", row["code"]), row
        assert int(row["line"]) > 0, row
        assert row["verdict"] in ("tp", "fp"), row
        pattern, _, detail = row["reason"].partition(":")
        assert pattern in PATTERNS and detail.strip(), row
        assert (pattern == "ok") == (row["verdict"] == "tp"), row
        assert row["text"], row


def write_corpus(tmp_path: Path, rows: list[list[object]]) -> tuple[Path, Path, Path]:
    corpus = tmp_path / "corpus"
    (corpus / "demo").mkdir(parents=True)
    (corpus / "demo" / "app.py").write_text(APP, encoding="utf-8")
    repos = tmp_path / "repos.json"
    entry = {"name": "demo", "url": "https://example.invalid/demo", "commit": "0" * 40}
    repos.write_text(json.dumps({"repos": [{**entry, "subtrees": ["."]}]}), encoding="utf-8")
    judged = tmp_path / "judged.csv"
    with judged.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return corpus, repos, judged


def run_benchmark(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARK / "run.py"), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )


@pytest.mark.parametrize("line", [4, 1])
def test_a_judged_finding_matches_by_line_or_by_text(tmp_path: Path, line: int) -> None:
    row = ["demo", "0" * 40, "app.py", line, "ECO101", "tp", "ok: generates", QUANT_LINE]
    corpus, repos, judged = write_corpus(tmp_path, [row])
    unjudged = tmp_path / "new.csv"
    args = ["--corpus", str(corpus), "--repos", str(repos), "--judged", str(judged)]
    result = run_benchmark(tmp_path, *args, "--write-unjudged", str(unjudged), "--check-targets")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| ECO101 | 1 | 1 | 1 | 0 | 0 | 1.00 | 1.00 |" in result.stdout
    assert "| **all** | 1 | 1 | 1 | 0 | 0 | 1.00 | 1.00 |" in result.stdout
    with unjudged.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [COLUMNS]


def test_a_lost_true_positive_and_low_precision_fail(tmp_path: Path) -> None:
    rows = [
        ["demo", "0" * 40, "app.py", 4, "ECO101", "fp", "test: says so", QUANT_LINE],
        ["demo", "0" * 40, "gone.py", 7, "ECO405", "tp", "ok: was real", "BitsAndBytesConfig()"],
    ]
    corpus, repos, judged = write_corpus(tmp_path, rows)
    args = ["--corpus", str(corpus), "--repos", str(repos), "--judged", str(judged)]
    result = run_benchmark(tmp_path, *args)
    assert result.returncode == 1
    assert "lost TPs (judged tp, no longer found): 1" in result.stdout
    assert "demo:gone.py:7: ECO405" in result.stdout
    assert "| ECO101 | 1 | 1 | 0 | 1 | 0 | 0.00 | 0.00 |" in result.stdout
    checked = run_benchmark(tmp_path, *args, "--check-targets")
    assert "target missed: overall precision 0.00 < 0.95" in checked.stderr


def test_new_findings_are_listed_and_written_to_judge(tmp_path: Path) -> None:
    corpus, repos, judged = write_corpus(tmp_path, [])
    unjudged = tmp_path / "new.csv"
    args = ["--corpus", str(corpus), "--repos", str(repos), "--judged", str(judged)]
    result = run_benchmark(tmp_path, *args, "--write-unjudged", str(unjudged))
    assert result.returncode == 0, result.stderr
    assert "unjudged findings: 1" in result.stdout
    assert "| ECO101 | 1 | 0 | 0 | 0 | 1 | — | — |" in result.stdout
    with unjudged.open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [(row["path"], row["line"], row["code"], row["text"]) for row in written] == [
        ("app.py", "4", "ECO101", QUANT_LINE)
    ]


def load_run_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("precision_run", BENCHMARK / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_matching_prefers_line_and_text_and_estimates_weigh_each_repository() -> None:
    run = load_run_module()

    def found(repo: str, line: int, text: str) -> object:
        return run.Found(repo, "a.py", line, "ECO102", text, "message")

    def judged(repo: str, line: int, text: str, verdict: str) -> object:
        return run.Judged(repo, "c", "a.py", line, "ECO102", verdict, "ok: x", text)

    findings = [found("big", 10, "x = 1"), found("big", 20, "x = 1"), found("small", 5, "y")]
    findings += [found("big", n, f"z{n}") for n in range(30, 38)]
    rows = [
        judged("big", 20, "x = 1", "fp"),
        judged("big", 12, "x = 1", "tp"),
        judged("small", 5, "y", "tp"),
    ]
    comparison = run.compare(findings, rows)
    matched = {(item.repo, item.line): row.verdict for item, row in comparison.matches}
    assert matched == {("big", 20): "fp", ("big", 10): "tp", ("small", 5): "tp"}
    tally = comparison.tallies()["ECO102"]
    assert (tally.findings, tally.judged, tally.unjudged) == (11, 3, 8)
    assert tally.precision == pytest.approx(2 / 3)
    assert comparison.estimates()["ECO102"] == pytest.approx((10 * 0.5 + 1 * 1.0) / 11)
