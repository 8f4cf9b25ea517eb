"""Notebooks: code cells analysed as one module, positions mapped back to cells and to the raw
.ipynb text, broken notebooks reported without stopping the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, run_ecolint, scan, scan_declared

from ecolint.sources.notebook import notebook_to_python
from ecolint.sources.python import SourceError

NOTEBOOKS = FIXTURES / "notebooks"


def _raw_at(path: Path, line: int, column: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[line - 1][column - 1 :]


def test_globals_of_earlier_cells_resolve_in_later_ones() -> None:
    path = NOTEBOOKS / "cross_cell.ipynb"
    result = scan_declared([path])
    assert not result.internal_errors
    found = {(f.code, f.cell, f.cell_line) for f in result.findings}
    assert found == {("ECO101", 4, 2), ("ECO102", 5, 1), ("ECO001", 6, 1)}
    by_code = {f.code: f for f in result.findings}
    assert "set by USE_8BIT at cell 2 line 2" in by_code["ECO101"].message
    assert "id set by MODEL_ID at cell 2 line 1" in by_code["ECO102"].message
    assert by_code["ECO001"].message.startswith(
        "notebook cell 6 was left out (the other cells were analysed): syntax error"
    )


def test_positions_point_into_the_raw_notebook() -> None:
    path = NOTEBOOKS / "cross_cell.ipynb"
    by_code = {f.code: f for f in scan_declared([path]).findings}
    eight = by_code["ECO101"]
    assert _raw_at(path, eight.line, eight.column).startswith("load_in_8bit=USE_8BIT")
    assert eight.end_line == eight.line
    assert eight.end_column - eight.column == len("load_in_8bit=USE_8BIT")
    assert _raw_at(path, by_code["ECO102"].line, by_code["ECO102"].column).startswith(
        "load_in_4bit=True"
    )
    assert _raw_at(path, by_code["ECO001"].line, by_code["ECO001"].column).startswith("model?")


def test_markdown_outputs_magics_and_noqa_never_match() -> None:
    """The fixture's markdown, stream output, ``%%bash`` cell and ``# noqa`` line all mention
    8-bit loading; only the two code findings and the broken cell are reported."""
    result = scan_declared([NOTEBOOKS / "cross_cell.ipynb"])
    assert sorted(f.cell for f in result.findings) == [4, 5, 6]


def test_shell_and_magic_lines_are_kept_for_the_install_rules() -> None:
    raw = (NOTEBOOKS / "cross_cell.ipynb").read_text(encoding="utf-8")
    notebook = notebook_to_python(raw)
    magics = {magic.text for magic in notebook.magics}
    assert "!pip install -q transformers bitsandbytes" in magics
    assert "%matplotlib inline" in magics
    assert "echo load_in_8bit=True" in magics
    assert notebook.text.splitlines()[1] == "pass", "the line after the rules comment"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("invalid_json.ipynb", "notebook is not valid JSON"),
        ("no_source.ipynb", "notebook cell 0 has no 'source' text"),
        ("r_kernel.ipynb", "kernel language is 'r', not Python"),
    ],
)
def test_broken_notebooks_are_reported_and_the_run_goes_on(name: str, message: str) -> None:
    result = scan_declared([NOTEBOOKS / name, NOTEBOOKS / "cross_cell.ipynb"])
    assert not result.internal_errors
    mine = [f for f in result.findings if f.path.endswith(name)]
    assert [f.code for f in mine] == ["ECO001"] and message in mine[0].message
    assert any(f.code == "ECO101" for f in result.findings)


def test_text_report_names_the_cell(tmp_path: Path) -> None:
    from ecolint.reporters.text import render_text

    text = render_text(scan_declared([NOTEBOOKS / "cross_cell.ipynb"]), color=False)
    assert "cross_cell.ipynb:cell 4:line 2:col 5: ECO101 [orange]" in text


def test_escapes_and_single_string_sources_map_to_raw_columns(tmp_path: Path) -> None:
    """``ensure_ascii`` escapes, a surrogate pair and escaped quotes before the keyword, and a
    source stored as one string rather than a list of lines."""
    source = (
        'note = "café 🚀 \\"quoted\\""\n'
        "from transformers import BitsAndBytesConfig\n"
        'cfg = BitsAndBytesConfig(load_in_8bit=True)  # "x"\n'
        "chat.generate(quantization_config=cfg)\n"
    )
    document = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": source}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "escaped.ipynb"
    path.write_text(json.dumps(document, indent=1, ensure_ascii=True), encoding="utf-8")
    (finding,) = scan([path], select=("ECO101",)).findings
    assert (finding.cell, finding.cell_line, finding.cell_column) == (0, 3, 26)
    assert _raw_at(path, finding.line, finding.column).startswith("load_in_8bit=True")


def test_notebooks_are_found_in_folders_but_not_in_checkpoints(tmp_path: Path) -> None:
    raw = (NOTEBOOKS / "cross_cell.ipynb").read_text(encoding="utf-8")
    (tmp_path / "analysis.ipynb").write_text(raw, encoding="utf-8")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "analysis-checkpoint.ipynb").write_text(raw)
    paths = {Path(f.path).name for f in scan_declared([tmp_path]).findings}
    assert paths == {"analysis.ipynb"}


def test_notebook_without_cells_is_a_clear_error() -> None:
    with pytest.raises(SourceError, match="no 'cells' list"):
        notebook_to_python('{"worksheets": []}')


def test_huge_outputs_do_not_stop_the_analysis(tmp_path: Path) -> None:
    """The size limit is on the code: an 8 MB image output is read past."""
    image = "iVBORw0KGgo" * 800_000
    document = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [{"output_type": "display_data", "data": {"image/png": image}}],
                "source": [
                    "from transformers import BitsAndBytesConfig\n",
                    "cfg = BitsAndBytesConfig(load_in_8bit=True)\n",
                    "serve(cfg)\n",
                ],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "plots.ipynb"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert path.stat().st_size > 8_000_000
    assert [(f.code, f.cell, f.cell_line) for f in scan([path], select=("ECO101",)).findings] == [
        ("ECO101", 0, 2)
    ]


def _notebook(path: Path, *cells: str) -> None:
    sources = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": c} for c in cells]
    document = {"cells": sources, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(document), encoding="utf-8")


def test_automagic_lines_run_in_jupyter_and_are_read_as_installs(tmp_path: Path) -> None:
    """IPython runs ``pip install x`` and ``cd dir`` without ``%`` (automagic): such a cell is
    not a syntax error, and the install is read like ``%pip install``. ``pip = 1`` is Python."""
    path = tmp_path / "qlora.ipynb"
    _notebook(
        path,
        "pip install --pre torch --index-url https://download.pytorch.org/whl/nightly/cu124\n"
        "cd /content\nls -la\npip = 1\n",
        "from transformers import BitsAndBytesConfig\n"
        "q = BitsAndBytesConfig(load_in_8bit=True)\n"
        "serve(q)\n",
    )
    found = {(f.code, f.cell, f.cell_line) for f in scan([path]).findings}
    assert not any(code == "ECO001" for code, _, _ in found), found
    assert ("ECO301", 0, 1) in found and ("ECO101", 1, 2) in found
    assert notebook_to_python(path.read_text(encoding="utf-8")).text.splitlines()[3] == "pip = 1"


def test_a_cell_only_python_3_12_parses_is_analysed(tmp_path: Path) -> None:
    """PEP 701 f-strings (quotes reused inside a replacement field) run on Python 3.12, which
    Colab and Kaggle use: on an older Python the cell is still analysed, not ECO001."""
    path = tmp_path / "grpo.ipynb"
    _notebook(
        path,
        'row = {"answer": 1}\nprint(f"{row["answer"]}")\n',
        "from transformers import BitsAndBytesConfig\n"
        "q = BitsAndBytesConfig(load_in_8bit=True)\n"
        "serve(q)\n",
    )
    found = {(f.code, f.cell) for f in scan([path]).findings}
    assert found == {("ECO101", 1)}


def test_a_cell_pasted_with_an_indent_runs_as_ipython_dedents_it(tmp_path: Path) -> None:
    """IPython's ``leading_indent`` transform takes the first line's indentation off the cell,
    so such a cell runs in Jupyter: it is analysed (no ECO001), positions point at the raw text,
    and a fix lands at the right column."""
    path = tmp_path / "serve.ipynb"
    _notebook(
        path,
        "    from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
        "    q = BitsAndBytesConfig(load_in_8bit=True)\n"
        '    model = AutoModelForCausalLM.from_pretrained("gpt2", quantization_config=q)\n'
        "    print(model.generate(max_new_tokens=8))\n",
    )
    findings = scan([path]).findings
    assert [(f.code, f.cell, f.cell_line) for f in findings] == [("ECO101", 0, 2)]
    assert _raw_at(path, findings[0].line, findings[0].column).startswith("load_in_8bit=True")
    result = run_ecolint(
        "check", "--fix", "--unsafe-fixes", "--select", "ECO101", path.name, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    source = json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"]
    assert "    q = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=0.0)\n" in source


def test_a_model_loaded_in_one_cell_counts_when_a_later_cell_runs_it(tmp_path: Path) -> None:
    """Proof of effect across cells: a load nothing runs is quiet; the same load is reported
    once a later cell generates with it."""
    load = (
        "from transformers import AutoModelForCausalLM\n"
        'model = AutoModelForCausalLM.from_pretrained("gpt2", load_in_8bit=True)\n'
    )
    path = tmp_path / "chat.ipynb"
    _notebook(path, load, "print(model.config)\n")
    assert scan([path], select=("ECO101",)).findings == []
    _notebook(path, load, "print(model.config)\n", "model.generate(max_new_tokens=8)\n")
    found = [(f.code, f.cell, f.cell_line) for f in scan([path], select=("ECO101",)).findings]
    assert found == [("ECO101", 0, 2)]
