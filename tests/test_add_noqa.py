"""``--add-noqa`` silences every current finding in place, and a second run finds nothing."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_ecolint as run

SOURCE = '''from transformers import BitsAndBytesConfig
cfg = BitsAndBytesConfig(load_in_8bit=True)
both = BitsAndBytesConfig(load_in_8bit=True)  # noqa: E501
bare = BitsAndBytesConfig(load_in_8bit=True)  # noqa
kept = BitsAndBytesConfig(load_in_8bit=True)  # keep this note
doc = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=len("""
"""))
'''


def test_add_noqa_merges_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_bytes(SOURCE.replace("\n", "\r\n").encode())
    out = run("check", "--add-noqa", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "added 3 noqa directives" in out.stderr
    lines = path.read_bytes().decode().split("\r\n")
    assert lines[1] == "cfg = BitsAndBytesConfig(load_in_8bit=True)  # noqa: ECO101"
    assert lines[2] == "both = BitsAndBytesConfig(load_in_8bit=True)  # noqa: E501, ECO101"
    assert lines[3] == "bare = BitsAndBytesConfig(load_in_8bit=True)  # noqa"
    assert lines[4].endswith("# keep this note  # noqa: ECO101")
    assert run("check", cwd=tmp_path).returncode == 0
    again = run("check", "--add-noqa", cwd=tmp_path)
    assert "added 0 noqa directives" in again.stderr


def test_a_line_ending_inside_a_string_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    source = 'x = BitsAndBytesConfig(load_in_8bit="""\n"""\n)\n'
    path.write_text(f"from transformers import BitsAndBytesConfig\n{source}", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    out = run("check", "--add-noqa", cwd=tmp_path)
    assert "app.py:2: the line ends inside a string" in out.stderr
    assert path.read_text(encoding="utf-8") == before


def test_notebook_and_yaml(tmp_path: Path) -> None:
    source = [
        "from transformers import BitsAndBytesConfig\n",
        'cfg = BitsAndBytesConfig(load_in_8bit=True)  # "quoted"\n',
        "serve(cfg)",
    ]
    document = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": source}],
        "metadata": {"kernelspec": {"language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(json.dumps(document, indent=1), encoding="utf-8")
    config = tmp_path / "qlora.yml"
    config.write_text(
        "base_model: mistralai/Mistral-7B-Instruct-v0.3\nload_in_8bit: true\n", encoding="utf-8"
    )
    assert run("check", "--add-noqa", cwd=tmp_path).returncode == 0
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    assert cells[0]["source"][1] == (
        'cfg = BitsAndBytesConfig(load_in_8bit=True)  # "quoted"  # noqa: ECO101\n'
    )
    assert cells[0]["source"][2] == "serve(cfg)"
    assert (
        config.read_text(encoding="utf-8").splitlines()[1] == "load_in_8bit: true  # noqa: ECO101"
    )
    assert run("check", cwd=tmp_path).returncode == 0
