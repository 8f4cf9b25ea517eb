"""Suppressions: file-level skips, and ECO002 for comments that silence nothing, in every
kind of file ecolint reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ECO101_SCRIPT, scan

from ecolint.findings.suppression import without_codes


@pytest.mark.parametrize(
    "header", ["# ecolint: skip-file", "# flake8: noqa", "  #FLAKE8=NOQA", "# ecolint: skip-file\r"]
)
def test_file_level_skips(tmp_path: Path, header: str) -> None:
    (tmp_path / "app.py").write_text(f"{header}\n{ECO101_SCRIPT}", encoding="utf-8", newline="")
    assert scan([tmp_path]).findings == []


@pytest.mark.parametrize(
    "header",
    [
        "# flake8: noqa: E501",  # flake8 ignores a file-level noqa with codes
        '"""Docs: write ``# ecolint: skip-file`` to skip a file."""',
        "x = 1  # ecolint: skip-file",
    ],
)
def test_what_does_not_skip_a_file(tmp_path: Path, header: str) -> None:
    (tmp_path / "app.py").write_text(f"{header}\n{ECO101_SCRIPT}", encoding="utf-8")
    assert "ECO101" in {finding.code for finding in scan([tmp_path]).findings}


def test_unused_suppression_in_yaml_and_requirements_style_text(tmp_path: Path) -> None:
    (tmp_path / "qlora.yml").write_text(
        "base_model: mistralai/Mistral-7B-Instruct-v0.3\n"
        "load_in_8bit: true  # noqa: ECO101\n"
        "adapter: lora  # noqa: ECO101\n",
        encoding="utf-8",
    )
    findings = scan([tmp_path]).findings
    assert [(f.line, f.column, f.code) for f in findings] == [(3, 16, "ECO002")]


def test_unused_suppression_in_a_notebook_points_at_the_cell(tmp_path: Path) -> None:
    source = ["import torch\n", "dtype = torch.float16  # noqa: ECO103\n"]
    document = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": source}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    (finding,) = scan([path]).findings
    assert (finding.code, finding.cell, finding.cell_line, finding.cell_column) == (
        "ECO002",
        0,
        2,
        24,
    )
    raw = path.read_text(encoding="utf-8").splitlines()[finding.line - 1]
    assert raw[finding.column - 1 :].startswith("# noqa: ECO103")


def test_unknown_codes_and_prefixes(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        ECO101_SCRIPT.rstrip("\n") + "  # noqa: ECO1\nx = 1  # noqa: ECO999, E501\n",
        encoding="utf-8",
    )
    findings = scan([tmp_path]).findings
    assert [(f.line, f.code) for f in findings] == [(3, "ECO002")]
    assert "ECO999, which is not an ecolint rule" in findings[0].message


def test_codes_of_rules_not_selected_are_not_judged(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1  # noqa: ECO103\n", encoding="utf-8")
    assert [f.code for f in scan([tmp_path]).findings] == ["ECO002"]
    assert scan([tmp_path], ignore=("ECO103",)).findings == []
    assert scan([tmp_path], select=("ECO101", "ECO002")).findings == []


def test_per_file_ignores_apply_to_eco002_like_any_rule(tmp_path: Path) -> None:
    """ECO002 is a check like the others: its findings go through the same drafts stage."""
    (tmp_path / "app.py").write_text("x = 1  # noqa: ECO103\n", encoding="utf-8")
    assert scan([tmp_path], per_file_ignores={"app.py": ("ECO002",)}).findings == []


def test_an_eco002_can_itself_be_silenced(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1  # noqa: ECO103, ECO002\n", encoding="utf-8")
    assert scan([tmp_path]).findings == []


@pytest.mark.parametrize(
    ("comment", "codes", "result"),
    [
        ("# noqa: ECO101", ["ECO101"], ""),
        ("# noqa: ECO101, ECO103", ["ECO103"], "# noqa: ECO101"),
        ("# noqa:ECO101,ECO103", ["ECO101"], "# noqa:ECO103"),
        ("# NOQA: E501 eco101", ["ECO101"], "# NOQA: E501"),
        ("# noqa: ECO101  # expect: ECO002", ["ECO101"], "# expect: ECO002"),
        ("# why # noqa: ECO101", ["ECO101"], "# why"),
        ("# half # noqa: ECO403 -- kept for the T4", ["ECO403"], "# half -- kept for the T4"),
        ("# noqa: ECO101 because", ["ECO101"], "# because"),
        ("# ecolint: ignore[ECO101]", ["ECO101"], ""),
        ("# ecolint: ignore[ECO101, ECO402]  # x", ["ECO101"], "# ecolint: ignore[ECO402]  # x"),
        ("# ecolint: ignore[ECO1] # noqa: ECO2", ["ECO1", "ECO2"], ""),
        ("# noqa", ["ECO101"], "# noqa"),
        ("# noqa: ECO101", ["ECO402"], "# noqa: ECO101"),
    ],
)
def test_codes_taken_out_of_a_comment(comment: str, codes: list[str], result: str) -> None:
    """ECO002's fix: other codes, other tools' markers and other text stay as written."""
    assert without_codes(comment, codes) == result


def test_a_text_without_a_marker_is_not_tokenized(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most files with a finding have no suppression comment; the tokenizer's first use alone
    costs a one-file run about 7 ms."""
    from ecolint.findings import suppression

    calls: list[str] = []
    tokens = suppression.tokenize.generate_tokens
    monkeypatch.setattr(
        suppression.tokenize,
        "generate_tokens",
        lambda readline: calls.append("") or tokens(readline),
    )
    assert not suppression.is_suppressed("x = 1  # a note\n", 1, "ECO101")
    assert calls == []
    assert suppression.is_suppressed("x = 1  # NOQA: ECO101\n", 1, "ECO101")
    assert not suppression.is_suppressed("x = '# noqa: ECO101'\n", 1, "ECO101")
    assert len(calls) == 2
