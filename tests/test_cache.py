"""The result cache: warm runs print exactly what cold runs print, and anything the result
depends on (another module, the configuration) invalidates it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import heavy_modules_after
from conftest import run_ecolint as run

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_warm_run_prints_what_the_cold_run_printed(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    cold = run("check", "--format", "json", "examples", cwd=tmp_path)
    entries = list((tmp_path / ".ecolint_cache").glob("*.json"))
    assert len(entries) == 1
    assert (tmp_path / ".ecolint_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    warm = run("check", "--format", "json", "examples", cwd=tmp_path)
    assert cold.returncode == warm.returncode == 1
    assert warm.stdout == cold.stdout
    uncached = run("check", "--format", "json", "--no-cache", "examples", cwd=tmp_path)
    assert uncached.stdout == cold.stdout


def test_a_change_in_another_module_invalidates(tmp_path: Path) -> None:
    """settings.py's 4-bit config is a finding because app.py loads a small model with it."""
    shutil.copytree(EXAMPLES / "chatbot", tmp_path / "chatbot")
    first = run("check", "chatbot", cwd=tmp_path)
    assert "settings.py:12:5: ECO102" in first.stdout
    app = tmp_path / "chatbot" / "app.py"
    app.write_text(
        app.read_text(encoding="utf-8").replace("from_pretrained(", "from_pretrained_not_hf("),
        encoding="utf-8",
    )
    second = run("check", "chatbot", cwd=tmp_path)
    assert "ECO102" not in second.stdout, second.stdout


def test_configuration_changes_invalidate(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "chatbot", tmp_path / "chatbot")
    assert "ECO405" in run("check", "chatbot", cwd=tmp_path).stdout
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ecolint]\nignore = ["ECO405"]\n', encoding="utf-8"
    )
    assert "ECO405" not in run("check", "chatbot", cwd=tmp_path).stdout
    assert "ECO405" not in run("check", "--gpu", "a800", "chatbot", cwd=tmp_path).stdout
    (tmp_path / "pyproject.toml").unlink()
    assert "ECO405" in run("check", "chatbot", cwd=tmp_path).stdout


def test_no_cache_and_clean(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "chatbot", tmp_path / "chatbot")
    run("check", "--no-cache", "chatbot", cwd=tmp_path)
    assert not (tmp_path / ".ecolint_cache").exists()
    run("check", "chatbot", cwd=tmp_path)
    assert (tmp_path / ".ecolint_cache").is_dir()
    out = run("clean", cwd=tmp_path)
    assert out.returncode == 0 and "removed" in out.stdout
    assert not (tmp_path / ".ecolint_cache").exists()


def test_a_warm_run_imports_no_analysis_and_parses_nothing(tmp_path: Path) -> None:
    """A hit of the whole run's cache is answered before the prefilter: not even ``ast``
    parses a file."""
    shutil.copytree(EXAMPLES / "chatbot", tmp_path / "chatbot")
    run("check", "chatbot", cwd=tmp_path)
    refuse_parsing = """
import ast
def parse(*args, **kwargs):
    raise AssertionError("a warm run parsed a file")
ast.parse = parse
"""
    assert heavy_modules_after(tmp_path, ["check", "chatbot"], 1, refuse_parsing) == []


def test_output_is_the_same_with_one_or_two_jobs(tmp_path: Path) -> None:
    """Enough files to be dealt to two processes: examples, fixtures and notebooks."""
    fixtures = Path(__file__).resolve().parent / "fixtures"
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    shutil.copytree(fixtures / "shapes", tmp_path / "shapes")
    shutil.copytree(fixtures / "notebooks", tmp_path / "notebooks")
    shutil.copytree(fixtures / "crossmodule", tmp_path / "crossmodule")
    args = ("check", "--format", "json", "--show-green", "--no-cache", ".")
    one = run(*args, "--jobs", "1", cwd=tmp_path)
    two = run(*args, "--jobs", "2", cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert two.stdout == one.stdout and two.stderr == one.stderr
    cached = run("check", "--format", "json", "--show-green", "--jobs", "2", ".", cwd=tmp_path)
    warm = run("check", "--format", "json", "--show-green", "--jobs", "1", ".", cwd=tmp_path)
    assert cached.stdout == warm.stdout == one.stdout


def test_progress_line_only_on_a_terminal(tmp_path: Path) -> None:
    import pty

    fixtures = Path(__file__).resolve().parent / "fixtures"
    shutil.copytree(fixtures / "shapes", tmp_path / "shapes")
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    master, slave = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "ecolint", "check", "--no-cache", "shapes"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=slave,
            env=environment,
            timeout=300,
        )
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
    assert b"ecolint: analysed" in shown and b"files" in shown
    piped = run("check", "--no-cache", "shapes", cwd=tmp_path)
    assert "analysed" not in piped.stderr


def test_per_file_entries_follow_the_modules_a_file_reads(tmp_path: Path) -> None:
    """After one edit, each output equals an uncached run's: app.py reads settings.py (its
    entry goes when settings.py changes); settings.py's own entry survives an edit of app.py."""
    shutil.copytree(EXAMPLES / "chatbot", tmp_path / "chatbot")
    app, settings = tmp_path / "chatbot" / "app.py", tmp_path / "chatbot" / "settings.py"
    args = ("check", "--format", "json", "--jobs", "1", "chatbot")

    def same_as_uncached() -> str:
        cached = run(*args, cwd=tmp_path).stdout
        assert cached == run(*args, "--no-cache", cwd=tmp_path).stdout
        return cached

    def entries() -> dict[Path, int]:
        folder = tmp_path / ".ecolint_cache" / "files"
        return {path: path.stat().st_mtime_ns for path in folder.iterdir()}

    first = same_as_uncached()
    before = entries()
    assert len(before) == 2  # app.py and settings.py pass the prefilter
    app.write_text(app.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert same_as_uncached() == first
    after_app = entries()
    assert {path: after_app[path] for path in before} == before, "settings.py's entry read"
    (edited_app,) = set(after_app) - set(before)  # entries are named by the file's bytes too
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "Qwen/Qwen2.5-7B-Instruct"
        ),
        encoding="utf-8",
    )
    changed = same_as_uncached()
    assert "TinyLlama" in first and "TinyLlama" not in changed
    assert entries()[edited_app] != after_app[edited_app], "app.py analysed again"


def test_moving_the_configuration_invalidates(tmp_path: Path) -> None:
    """The same configuration one folder lower: its paths now match other files."""
    shutil.copytree(EXAMPLES / "chatbot", tmp_path / "chatbot")
    table = 'per-file-ignores = {"chatbot/settings.py" = ["ECO405"]}\n'
    (tmp_path / ".ecolint.toml").write_text(table, encoding="utf-8")  # a file no rule reads
    assert "ECO405" not in run("check", "chatbot", cwd=tmp_path).stdout
    (tmp_path / ".ecolint.toml").rename(tmp_path / "chatbot" / ".ecolint.toml")
    assert "ECO405" in run("check", "chatbot", cwd=tmp_path).stdout


def test_only_the_files_whose_entries_went_are_handed_to_workers(tmp_path: Path) -> None:
    """The per-file cache is looked up before any worker starts: after settings.py is edited,
    the workers get settings.py and app.py (which reads it), not the ten unchanged loaders
    whose entries hold, whose pieces are rebuilt while the workers analyse; and the output is
    an uncached run's."""
    shutil.copytree(EXAMPLES / "chatbot", tmp_path / "chatbot")
    loader = (
        "from transformers import AutoModelForCausalLM\n"
        'model = AutoModelForCausalLM.from_pretrained("01-ai/Yi-1.5-6B-Chat", load_in_8bit=True)\n'
    )
    for n in range(10):
        (tmp_path / f"loader_{n}.py").write_text(loader, encoding="utf-8")
    args = ("check", "--format", "json", "--jobs", "2", ".")
    run(*args, cwd=tmp_path)
    settings = tmp_path / "chatbot" / "settings.py"
    settings.write_text(settings.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    probe = f"""
import ecolint.pipeline.parallel as parallel
import ecolint.pipeline.run as pipeline
import ecolint.pipeline.scan as scan
handed, order = [], []
analyse, start, rebuilt = pipeline.run_batches, parallel._start, scan.Analyser.rebuilt
def spy(work, indices, jobs, meanwhile=None):
    handed.extend(work.plan.work[index].source.display for index in indices)
    return analyse(work, indices, jobs, meanwhile)
pipeline.run_batches = spy
parallel._start = lambda *args: order.append("worker") or start(*args)
scan.Analyser.rebuilt = lambda self, probed: order.append(len(probed)) or rebuilt(self, probed)
from ecolint.cli import main
try:
    main({list(args)!r})
except SystemExit as stop:
    assert stop.code == 1, stop.code
print(order)
print(sorted(handed))
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    *report, order, handed = out.stdout.strip().splitlines()
    assert handed == "['chatbot/app.py', 'chatbot/settings.py']", out.stdout + out.stderr
    assert order.startswith("['worker', ") and order != "['worker', 0]", order
    assert "\n".join(report) == run(*args, "--no-cache", cwd=tmp_path).stdout.strip()


def test_a_run_with_one_edited_file_resolves_no_unchanged_file(tmp_path: Path) -> None:
    """Discovery resolves each file once (a file's folder, not the file, unless it is a
    symlink); the plan, the key, the project and the per-file cache use that, so the ten
    loaders the cache answers for are never resolved again (this process resolved each five
    times)."""
    loader = (
        "from transformers import AutoModelForCausalLM\n"
        'model = AutoModelForCausalLM.from_pretrained("01-ai/Yi-1.5-6B-Chat", load_in_8bit=True)\n'
    )
    for n in range(10):
        (tmp_path / f"loader_{n}.py").write_text(loader, encoding="utf-8")
    (tmp_path / "serve.py").write_text(loader, encoding="utf-8")
    run("check", ".", cwd=tmp_path)
    (tmp_path / "serve.py").write_text(loader + "# edited\n", encoding="utf-8")
    probe = """
from collections import Counter
from pathlib import Path
counts = Counter()
resolve = Path.resolve
def counted(self, strict=False):
    counts[self.name] += 1
    return resolve(self, strict)
Path.resolve = counted
from ecolint.cli import main
try:
    main(["check", "."])
except SystemExit as stop:
    assert stop.code == 1, stop.code
print(max(counts[f"loader_{n}.py"] for n in range(10)))
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "0", out.stdout + out.stderr


def test_an_edited_model_table_rule_or_module_voids_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp of ecolint's own files covers the data folder too (the model table is not in
    the measurements' data version), and never a ``__pycache__``."""
    import ecolint.cache as cache

    data, rules = tmp_path / "data", tmp_path / "rules"
    data.mkdir()
    rules.mkdir()
    (data / "models.csv").write_text("id,params_b,source,ref\n", encoding="utf-8")
    (rules / "ECO101.yaml").write_text("code: ECO101\n", encoding="utf-8")
    monkeypatch.setattr(cache, "data_dir", lambda: data)
    monkeypatch.setattr(cache, "rules_dir", lambda: rules)
    stamp = cache._installation.__wrapped__
    first = stamp()
    (rules / "__pycache__").mkdir()
    (rules / "__pycache__" / "x.json").write_text("{}", encoding="utf-8")
    assert stamp() == first
    (data / "models.csv").write_text("id,params_b,source,ref\na/b-1B,1.0,config,x\n")
    assert stamp() != first
