"""``ecolint check -`` and ``--stdin-filename PATH``: the source comes from standard input and
is checked as PATH (its configuration, kind, per-file ignores and neighbours on disk);
``--fix`` writes the fixed source to standard output and leaves the disk alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ECO101_SCRIPT

THRESHOLD_APP = """\
from transformers import BitsAndBytesConfig
from settings import THRESHOLD

cfg = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=THRESHOLD)
"""
KV_OFF = """\
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("gpt2", torch_dtype="auto")
out = model.generate(**inputs, use_cache=False)
"""


def run_stdin(source: str | bytes, *args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The real command with ``source`` on its standard input."""
    data = source.encode() if isinstance(source, str) else source
    return subprocess.run(
        [sys.executable, "-m", "ecolint", "check", *args],
        cwd=cwd,
        input=data,
        capture_output=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )


def findings(completed: subprocess.CompletedProcess[bytes]) -> list[tuple[str, str, int]]:
    report = json.loads(completed.stdout)
    return [(f["code"], f["path"], f["line"]) for f in report["findings"]]


def test_dash_alone_checks_standard_input_as_python(tmp_path: Path) -> None:
    completed = run_stdin(ECO101_SCRIPT, "-", "--format", "json", cwd=tmp_path)
    assert completed.returncode == 1, completed.stderr
    assert findings(completed) == [("ECO101", "-", 2)]


def test_stdin_filename_names_the_findings_and_reads_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print('on disk')\n")
    completed = run_stdin(
        ECO101_SCRIPT, "--stdin-filename", "app.py", "--format", "json", cwd=tmp_path
    )
    assert completed.returncode == 1, completed.stderr
    assert findings(completed) == [("ECO101", "app.py", 2)]


def test_the_configuration_of_the_named_path_applies(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[tool.ecolint]\nignore = ["ECO101"]\n')
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ecolint]\n[tool.ecolint.per-file-ignores]\n"scripts/*" = ["ECO1"]\n'
    )
    quiet = run_stdin(ECO101_SCRIPT, "--stdin-filename", "sub/app.py", cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stdout
    ignored = run_stdin(ECO101_SCRIPT, "--stdin-filename", "scripts/app.py", cwd=tmp_path)
    assert ignored.returncode == 0, ignored.stdout
    reported = run_stdin(ECO101_SCRIPT, "--stdin-filename", "app.py", cwd=tmp_path)
    assert reported.returncode == 1
    assert b"app.py:2:" in reported.stdout


def test_values_from_other_modules_on_disk_are_followed(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text("THRESHOLD = 6.0\n")
    completed = run_stdin(
        THRESHOLD_APP, "--stdin-filename", "app.py", "--format", "json", cwd=tmp_path
    )
    assert findings(completed) == [("ECO101", "app.py", 4)], completed.stderr
    assert "settings.py" in json.loads(completed.stdout)["findings"][0]["message"]


def test_the_named_path_gives_the_file_kind(tmp_path: Path) -> None:
    pins = b"torch==2.12.0.dev20260101\n"
    completed = run_stdin(
        pins, "--stdin-filename", "requirements.txt", "--format", "json", cwd=tmp_path
    )
    assert findings(completed) == [("ECO301", "requirements.txt", 1)], completed.stderr


def test_a_broken_buffer_is_eco001_not_a_crash(tmp_path: Path) -> None:
    broken = (
        "from transformers import BitsAndBytesConfig\ncfg = BitsAndBytesConfig(load_in_8bit=True\n"
    )
    completed = run_stdin(broken, "-", "--format", "json", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert [code for code, _, _ in findings(completed)] == ["ECO001"]


def test_fix_writes_the_fixed_source_to_stdout_and_findings_to_stderr(tmp_path: Path) -> None:
    on_disk = tmp_path / "gen.py"
    on_disk.write_text("print('untouched')\n")
    completed = run_stdin(KV_OFF, "--stdin-filename", "gen.py", "--fix", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.decode() == KV_OFF.replace(", use_cache=False", "")
    assert b"Fixed 1 finding" in completed.stderr
    assert on_disk.read_text() == "print('untouched')\n"


def test_fix_without_fixes_echoes_the_source_byte_for_byte(tmp_path: Path) -> None:
    source = b"\xef\xbb\xbfimport os\r\nprint(os.sep)"
    completed = run_stdin(source, "-", "--fix", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == source


def test_diff_prints_the_change_of_the_buffer(tmp_path: Path) -> None:
    completed = run_stdin(KV_OFF, "--stdin-filename", "gen.py", "--diff", cwd=tmp_path)
    assert completed.returncode == 1, completed.stderr
    assert b"-out = model.generate(**inputs, use_cache=False)" in completed.stdout
    assert b"+out = model.generate(**inputs)" in completed.stdout


def test_dash_with_other_paths_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT)
    completed = run_stdin(ECO101_SCRIPT, "-", "app.py", cwd=tmp_path)
    assert completed.returncode == 2
    assert b"standard input" in completed.stderr


def test_add_noqa_refuses_standard_input(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT)
    completed = run_stdin(ECO101_SCRIPT, "--stdin-filename", "app.py", "--add-noqa", cwd=tmp_path)
    assert completed.returncode == 2
    assert (tmp_path / "app.py").read_text() == ECO101_SCRIPT


def test_fix_never_writes_the_other_files_it_would_change(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text("THRESHOLD = 6.0\n")
    completed = run_stdin(
        THRESHOLD_APP, "--stdin-filename", "app.py", "--fix", "--unsafe-fixes", cwd=tmp_path
    )
    assert completed.stdout.decode() == THRESHOLD_APP
    assert b"changes another file" in completed.stderr
    assert (tmp_path / "settings.py").read_text() == "THRESHOLD = 6.0\n"


def test_a_notebook_on_stdin_is_fixed_inside_its_cells(tmp_path: Path) -> None:
    cell = (
        "from transformers import BitsAndBytesConfig\n"
        "cfg = BitsAndBytesConfig(load_in_8bit=True)\n"
        "serve(cfg)\n"
    )
    notebook = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": cell}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    source = json.dumps(notebook, indent=1)
    report = run_stdin(source, "--stdin-filename", "nb.ipynb", "--format", "json", cwd=tmp_path)
    assert findings(report) == [("ECO101", "nb.ipynb", 7)], report.stderr  # the source line
    assert json.loads(report.stdout)["findings"][0]["cell"] == 0
    fixed = run_stdin(
        source, "--stdin-filename", "nb.ipynb", "--fix", "--unsafe-fixes", cwd=tmp_path
    )
    [after] = json.loads(fixed.stdout)["cells"]
    assert after["source"] == cell.replace("=True)", "=True, llm_int8_threshold=0.0)")
