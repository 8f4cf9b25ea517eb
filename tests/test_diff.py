"""``ecolint diff``: real git repositories with several commits, the real command, and every
priced figure recomputed here from the rows of data/measurements.csv and the workload."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from tests.conftest import run_ecolint
from tests.measurement_rows import csv_rows

# Every factor of the price is typed here, so the expected figures need no constant of ecolint.
WORKLOAD = (
    "--requests-per-day=10000",
    "--generated-tokens=200",
    "--usd-per-kwh=0.2",
    "--gco2-per-kwh=400",
    "--pue=1.0",
    "--days-per-month=30",
)
TOKENS_PER_MONTH = 10000 * 30 * 200
MARKER_LINE = "<!-- ecolint-diff-comment -->\n"

INT8 = """\
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

config = BitsAndBytesConfig(load_in_8bit=True)
model = AutoModelForCausalLM.from_pretrained("01-ai/Yi-1.5-6B-Chat", quantization_config=config)
print(model.generate(None))
"""


def nf4(model_id: str) -> str:
    return f"""\
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

config = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype="bfloat16")
model = AutoModelForCausalLM.from_pretrained("{model_id}", quantization_config=config)
print(model.generate(None))
"""


def git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(repo),
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(repo: Path, files: dict[str, str | None], message: str = "change") -> None:
    """Write (or delete, for None) the files and commit everything."""
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def diff_json(repo: Path, *args: str) -> dict[str, Any]:
    done = run_ecolint("diff", *args, "--format=json", *WORKLOAD, cwd=repo)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def kinds(document: dict[str, Any]) -> dict[str, set[tuple[str, str]]]:
    return {
        kind: {(item["finding"]["code"], item["finding"]["path"]) for item in document[kind]}
        for kind in ("added", "removed", "changed")
    }


def monthly_kwh(rows: list[int]) -> float:
    """The monthly kWh of a finding from its two cited rows: (as written − its same-session
    baseline) J per 1k tokens × tokens per month / 1000 / 3.6e6, PUE 1."""
    table = csv_rows()
    written, baseline = (float(table[row]["energy_j_per_1k_tok"]) for row in rows)
    return (written - baseline) * TOKENS_PER_MONTH / 1000 / 3_600_000


def check_price(item: dict[str, Any], sign: int) -> float:
    """The finding's monthly change recomputed from its rows; returns the kWh as rounded."""
    rows = [row["line"] for row in item["finding"]["evidence"]["rows"]]
    kwh = round(sign * monthly_kwh(rows), 3)
    change = item["monthly_change"]
    assert change["kwh"] == kwh
    assert change["usd"] == pytest.approx(round(kwh * 0.2, 2), abs=0.005)
    assert change["kg_co2"] == pytest.approx(round(kwh * 400 / 1000, 3), abs=0.0005)
    return kwh


def test_a_trap_added_then_removed_is_priced_from_its_rows(tmp_path: Path) -> None:
    commit(tmp_path, {"other.py": "print(1)\n"})
    commit(tmp_path, {"serve.py": INT8})
    added = diff_json(tmp_path, "HEAD~1", "HEAD")
    assert kinds(added) == {"added": {("ECO101", "serve.py")}, "removed": set(), "changed": set()}
    kwh = check_price(added["added"][0], +1)
    assert kwh > 0
    net = added["net"]
    assert net["base_kwh_per_month"] == 0 and net["head_kwh_per_month"] == kwh
    assert net["per_month"]["kwh"] == kwh
    assert net["per_year"]["kwh"] == pytest.approx(kwh * 12, abs=0.001)
    assert net["per_year"]["usd"] == pytest.approx(kwh * 12 * 0.2, abs=0.01)

    commit(tmp_path, {"serve.py": None})
    removed = diff_json(tmp_path, "HEAD~1", "HEAD")
    assert kinds(removed) == {"added": set(), "removed": {("ECO101", "serve.py")}, "changed": set()}
    assert check_price(removed["removed"][0], -1) == -kwh
    assert removed["net"]["per_month"]["kwh"] == -kwh


def test_moved_code_and_a_renamed_file_are_not_new(tmp_path: Path) -> None:
    commit(tmp_path, {"serve.py": INT8})
    commit(tmp_path, {"serve.py": "import os\n\n\n" + INT8})  # moved down three lines
    moved = diff_json(tmp_path, "HEAD~1", "HEAD")
    assert kinds(moved) == {"added": set(), "removed": set(), "changed": set()}
    assert moved["unchanged"] == 1 and moved["net"]["per_month"]["kwh"] == 0
    (tmp_path / "app").mkdir()
    git(tmp_path, "mv", "serve.py", "app/server.py")
    git(tmp_path, "commit", "-q", "-m", "rename")
    renamed = diff_json(tmp_path, "HEAD~1", "HEAD")
    assert kinds(renamed) == {"added": set(), "removed": set(), "changed": set()}
    assert renamed["unchanged"] == 1 and renamed["net"]["per_month"]["kwh"] == 0


def test_a_model_id_changed_changes_the_figure_or_crosses_the_crossover(tmp_path: Path) -> None:
    """Qwen2-1.5B → Qwen2.5-3B: both below the RTX 4090D's NF4 crossover, same code, other rows
    (changed); → Mistral-7B: above it, NF4 saves there, so the finding goes (removed)."""
    commit(tmp_path, {"serve.py": nf4("Qwen/Qwen2-1.5B")})
    commit(tmp_path, {"serve.py": nf4("Qwen/Qwen2.5-3B")})
    changed = diff_json(tmp_path, "HEAD~1", "HEAD")
    assert kinds(changed) == {"added": set(), "removed": set(), "changed": {("ECO102", "serve.py")}}
    item = changed["changed"][0]
    before = round(monthly_kwh([row["line"] for row in item["before"]["evidence"]["rows"]]), 3)
    after = round(monthly_kwh([row["line"] for row in item["finding"]["evidence"]["rows"]]), 3)
    assert item["before"]["evidence"]["model_id"] == "Qwen/Qwen2-1.5B"
    assert item["finding"]["evidence"]["model_id"] == "Qwen/Qwen2.5-3B"
    assert item["monthly_change"]["kwh"] == pytest.approx(after - before, abs=0.0011)
    assert changed["net"]["per_month"]["kwh"] == pytest.approx(after - before, abs=0.0011)

    commit(tmp_path, {"serve.py": nf4("mistralai/Mistral-7B-Instruct-v0.3")})
    crossed = diff_json(tmp_path, "HEAD~1", "HEAD")
    assert kinds(crossed) == {"added": set(), "removed": {("ECO102", "serve.py")}, "changed": set()}
    assert crossed["removed"][0]["monthly_change"]["kwh"] == -after


def test_overlapping_findings_count_once_in_the_net_change(tmp_path: Path) -> None:
    """Two priced findings added to one file: each row shows its own cost, the net change
    counts the file's traffic once, by its largest finding."""
    commit(tmp_path, {"other.py": "print(1)\n"})
    both = INT8 + (
        'nf4 = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype="bfloat16")\n'
        'small = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2-1.5B", quantization_config=nf4)\n'
        "print(small.generate(None))\n"
    )
    commit(tmp_path, {"serve.py": both})
    document = diff_json(tmp_path, "HEAD~1", "HEAD")
    assert {code for code, _ in kinds(document)["added"]} == {"ECO101", "ECO102"}
    prices = [check_price(item, +1) for item in document["added"]]
    assert document["net"]["per_month"]["kwh"] == max(prices) < sum(prices)


def test_a_notebook_cell_edited(tmp_path: Path) -> None:
    def notebook(*cells: str) -> str:
        document = {
            "cells": [
                {"cell_type": "code", "metadata": {}, "outputs": [], "source": cell}
                for cell in cells
            ],
            "metadata": {"kernelspec": {"language": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        return json.dumps(document, indent=1)

    load = INT8.replace("print(model.generate(None))\n", "")
    commit(tmp_path, {"chat.ipynb": notebook("import os", load, "print(model.generate(None))")})
    commit(tmp_path, {"chat.ipynb": notebook("import os\nimport sys", load, "model.generate(1)")})
    edited = diff_json(tmp_path, "HEAD~1", "HEAD")
    assert edited["unchanged"] == 1 and not edited["added"] and not edited["removed"]
    fixed = load.replace("load_in_8bit=True", "load_in_8bit=True, llm_int8_threshold=0.0")
    commit(tmp_path, {"chat.ipynb": notebook("import os", fixed, "model.generate(1)")})
    document = diff_json(tmp_path, "HEAD~1", "HEAD")
    assert kinds(document)["removed"] == {("ECO101", "chat.ipynb")}
    assert document["removed"][0]["finding"]["cell"] == 1
    check_price(document["removed"][0], -1)


def test_working_tree_staged_and_fail_on_increase(tmp_path: Path) -> None:
    commit(tmp_path, {"other.py": "print(1)\n"})
    (tmp_path / "serve.py").write_text(INT8, encoding="utf-8")
    working = diff_json(tmp_path, "HEAD")
    assert working["head"] == {"label": "working-tree", "commit": None, "findings": 1}
    assert kinds(working)["added"] == {("ECO101", "serve.py")}
    assert diff_json(tmp_path, "--staged")["added"] == []
    git(tmp_path, "add", "serve.py")
    staged = diff_json(tmp_path, "--staged")
    assert staged["head"]["label"] == "index" and kinds(staged)["added"] == {("ECO101", "serve.py")}
    kwh = staged["net"]["per_month"]["kwh"]
    (tmp_path / "serve.py").write_text("print(2)\n", encoding="utf-8")  # unstaged: not in the index
    assert kinds(diff_json(tmp_path, "--staged"))["added"] == {("ECO101", "serve.py")}
    assert diff_json(tmp_path, "HEAD")["added"] == []
    (tmp_path / "serve.py").write_text(INT8, encoding="utf-8")

    failing = run_ecolint("diff", "HEAD", "--fail-on-increase=0", *WORKLOAD, cwd=tmp_path)
    assert failing.returncode == 1, failing.stderr
    assert "exceeds --fail-on-increase 0 kWh/month" in failing.stderr
    above = run_ecolint("diff", "HEAD", f"--fail-on-increase={kwh + 1}", *WORKLOAD, cwd=tmp_path)
    assert above.returncode == 0, above.stderr
    unpriced = run_ecolint("diff", "HEAD", "--fail-on-increase=0", cwd=tmp_path)
    assert unpriced.returncode == 2 and "needs a workload" in unpriced.stderr


def test_usage_errors(tmp_path: Path) -> None:
    commit(tmp_path, {"other.py": "print(1)\n"})
    unknown = run_ecolint("diff", "no-such-branch", cwd=tmp_path)
    assert unknown.returncode == 2 and "no-such-branch: not a commit" in unknown.stderr
    option = run_ecolint("diff", "--", "--output=x", cwd=tmp_path)
    assert option.returncode == 2 and "not a revision" in option.stderr
    assert run_ecolint("diff", cwd=tmp_path).returncode == 2
    outside = run_ecolint("diff", "HEAD", cwd=tmp_path.parent)
    assert outside.returncode == 2 and "ecolint: error:" in outside.stderr


def test_markdown_comment_structure(tmp_path: Path) -> None:
    commit(tmp_path, {"old.py": nf4("Qwen/Qwen2-1.5B")})
    commit(tmp_path, {"old.py": None, "src/serve.py": INT8})
    done = run_ecolint(
        "diff",
        "HEAD~1",
        "HEAD",
        "--format=markdown",
        "--repository-url=https://github.com/o/r",
        *WORKLOAD,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("<!-- ecolint-diff-comment -->\n### ⚡ ecolint: this change adds +")
    document = diff_json(tmp_path, "HEAD~1", "HEAD")
    net = document["net"]["per_month"]
    assert f"+{net['kwh']:.1f} kWh/month, +${net['usd']:.2f}" in text
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    types = [token.type for token in tokens]
    assert types.count("table_open") == 1
    rows: list[list[str]] = []
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        if token.type == "inline" and tokens[index - 1].type in ("th_open", "td_open"):
            rows[-1].append(token.content)
    header, *body = rows
    assert header == [
        "change",
        "file:line",
        "rule",
        "finding",
        "evidence rows",
        "confidence",
        "per month",
    ]
    assert len(body) == 2  # ECO101 added; ECO102 removed with old.py
    assert {row[0] for row in body} == {"➕ added", "➖ removed"}
    head, base = document["head"]["commit"], document["base"]["commit"]
    added = next(row for row in body if "ECO101" in row[2])
    assert f"(https://github.com/o/r/blob/{head}/src/serve.py#L3)" in added[1]
    removed = next(row for row in body if "ECO102" in row[2])
    assert f"(https://github.com/o/r/blob/{base}/old.py#L3)" in removed[1]
    rows_cited = [str(r["line"]) for r in document["added"][0]["finding"]["evidence"]["rows"]]
    assert added[4] == ", ".join(rows_cited)
    fences = [token for token in tokens if token.type == "fence"]
    assert len(fences) == 1
    chart = fences[0].content.splitlines()
    assert len(chart) == 2 and any("█" in line for line in chart)
    assert any("░" in line for line in chart)


def test_chinese(tmp_path: Path) -> None:
    commit(tmp_path, {"other.py": "print(1)\n"})
    commit(tmp_path, {"serve.py": INT8})
    done = run_ecolint("diff", "HEAD~1", "--lang=zh", "--format=markdown", *WORKLOAD, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "此变更每月增加" in done.stdout and "新增" in done.stdout


def test_a_commit_is_written_once_into_the_cache_and_never_through_a_symlink(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    commit(repo, {"serve.py": INT8})
    commit(repo, {"serve.py": None})
    base = git(repo, "rev-parse", "HEAD~1").strip()
    first = diff_json(repo, "HEAD~1")
    tree = repo / ".ecolint_cache" / "diff" / base
    assert (tree / "serve.py").read_text(encoding="utf-8") == INT8
    assert diff_json(repo, "HEAD~1") == first
    assert not git(repo, "status", "--porcelain")  # the cache folder ignores itself

    outside = tmp_path / "outside"
    outside.mkdir()
    other = tmp_path / "other"
    other.mkdir()
    commit(other, {"serve.py": INT8})
    commit(other, {"serve.py": None})
    (other / ".ecolint_cache").symlink_to(outside)
    assert kinds(diff_json(other, "HEAD~1"))["removed"] == {("ECO101", "serve.py")}
    assert list(outside.iterdir()) == []

    uncached = tmp_path / "uncached"
    uncached.mkdir()
    commit(uncached, {"serve.py": INT8})
    commit(uncached, {"serve.py": None})
    assert diff_json(uncached, "HEAD~1", "--no-cache")["removed"]
    assert not (uncached / ".ecolint_cache").exists()


def test_links_out_of_a_commit_are_left_out(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    secret = tmp_path / "secret.py"
    secret.write_text(INT8, encoding="utf-8")
    commit(repo, {"serve.py": INT8})
    (repo / "absolute.py").symlink_to(secret)
    (repo / "relative.py").symlink_to("../secret.py")
    commit(repo, {"other.py": "print(1)\n"})
    commit(repo, {"serve.py": None})
    document = diff_json(repo, "HEAD~1", "HEAD")
    assert kinds(document)["removed"] == {("ECO101", "serve.py")}
    assert not any(path.is_symlink() for path in (repo / ".ecolint_cache").rglob("*.py"))


def test_the_readme_example_is_real(tmp_path: Path) -> None:
    """The README's diff JSON: its keys are the command's, and its figures are what the command
    prints for the change it describes (serve_int8.py added beside batch_summarize.py)."""
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("### What a change costs: `ecolint diff`", 1)[1]
    documented = json.loads(section.split("```json", 1)[1].split("```", 1)[0])
    workload = "[tool.ecolint.workload]\nrequests_per_day = 10000\n"
    examples = root / "examples"
    batch = (examples / "batch_summarize.py").read_text(encoding="utf-8")
    commit(tmp_path, {"pyproject.toml": workload, "batch_summarize.py": batch})
    commit(tmp_path, {"serve_int8.py": (examples / "serve_int8.py").read_text(encoding="utf-8")})
    done = run_ecolint("diff", "HEAD~1", "HEAD", "--format=json", cwd=tmp_path)
    actual = json.loads(done.stdout)
    assert set(actual) == set(documented)
    assert set(actual["added"][0]) == set(documented["added"][0])
    assert actual["added"][0]["monthly_change"] == documented["added"][0]["monthly_change"]
    for key in ("base_kwh_per_month", "head_kwh_per_month", "per_month", "per_year"):
        assert actual["net"][key] == documented["net"][key]
    assert actual["data_version"] == documented["data_version"]


def test_with_a_workload_and_no_priced_finding_the_net_change_is_zero(tmp_path: Path) -> None:
    """A convention finding (FP32 inference) has no measured rows: it is listed, unpriced, and
    the net change is 0, not "no workload"."""
    fp32 = (
        "import torch\nfrom transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-7B-Instruct",'
        ' torch_dtype=torch.float32, device_map="auto")\n'
        "print(model.generate(None))\n"
    )
    commit(tmp_path, {"other.py": "print(1)\n"})
    commit(tmp_path, {"serve.py": fp32})
    document = diff_json(tmp_path, "HEAD~1", "HEAD")
    assert [item["monthly_change"] for item in document["added"]] == [None]
    assert document["net"]["per_month"]["kwh"] == 0
    assert document["net"]["assumptions"]["tokens_per_month"] == TOKENS_PER_MONTH
    done = run_ecolint("diff", "HEAD~1", "--format=markdown", *WORKLOAD, cwd=tmp_path)
    assert "this change does not change the measured energy waste" in done.stdout
    unpriced = run_ecolint("diff", "HEAD~1", "--format=markdown", cwd=tmp_path)
    assert "not priced: no workload configured" in unpriced.stdout


def test_output_file_and_colour(tmp_path: Path) -> None:
    commit(tmp_path, {"other.py": "print(1)\n"})
    commit(tmp_path, {"serve.py": INT8})
    done = run_ecolint("diff", "HEAD~1", "-o", "diff.md", "--format=markdown", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == ""
    assert (tmp_path / "diff.md").read_text(encoding="utf-8").startswith(MARKER_LINE)
    coloured = run_ecolint("diff", "HEAD~1", "--color=always", cwd=tmp_path)
    assert "\x1b[" in coloured.stdout and "ECO101" in coloured.stdout
    assert "\x1b[" not in run_ecolint("diff", "HEAD~1", cwd=tmp_path).stdout


def test_removing_a_trap_saves(tmp_path: Path) -> None:
    commit(tmp_path, {"serve.py": INT8, "other.py": "print(1)\n"})
    commit(tmp_path, {"serve.py": None})
    document = diff_json(tmp_path, "HEAD~1", "HEAD")
    saved = -document["net"]["per_month"]["kwh"]
    done = run_ecolint("diff", "HEAD~1", "HEAD", "--format=markdown", *WORKLOAD, cwd=tmp_path)
    assert f"### 🌱 ecolint: this change saves {saved:.1f} kWh/month" in done.stdout
    assert "░" in done.stdout and "-" + f"{saved:.1f} kWh/mo" in done.stdout
