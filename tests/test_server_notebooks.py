"""``ecolint server`` and notebooks synced cell by cell (LSP 3.17 notebook documents):
findings land in their cells, fixes are edits of the cells they change, a broken cell is
ECO001 in that cell, and closing the notebook clears every cell."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_client import (
    LspClient,
    apply_edits,
    client_range,
    diagnostics_of,
    notebook_cell,
    open_notebook,
    shaped,
)
from lsprotocol import types

CELL_LOAD = "from transformers import BitsAndBytesConfig\n"
CELL_INT8 = "x = 1\ncfg = BitsAndBytesConfig(load_in_8bit=True)\nserve(cfg)\n"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[LspClient]:
    started = LspClient(tmp_path)
    yield started
    if started.process.poll() is None:
        started.process.kill()
        started.process.wait()


def test_notebook_cells_get_their_findings(client: LspClient, tmp_path: Path) -> None:
    client.initialize(tmp_path)
    uri = (tmp_path / "chat.ipynb").as_uri()
    open_notebook(client, uri, [(2, CELL_LOAD), (1, "# Loading\n"), (2, CELL_INT8)])
    assert not diagnostics_of(client, notebook_cell(uri, 0)).diagnostics  # cells in order
    in_cell = diagnostics_of(client, notebook_cell(uri, 2))
    [found] = in_cell.diagnostics
    assert found.code == "ECO101"
    assert found.range.start == types.Position(1, 25)  # load_in_8bit=True
    assert found.range.end == types.Position(1, 42)
    cell = notebook_cell(uri, 2)
    raw = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": cell},
            "range": client_range(found.range),
            "context": {"diagnostics": []},
        },
    )
    actions = [shaped(action, types.CodeAction) for action in raw]
    fix = next(action for action in actions if "unsafe" in action.title)
    assert fix.edit is not None and fix.edit.changes is not None
    assert list(fix.edit.changes) == [cell]  # the cell, not the notebook's JSON
    fixed = apply_edits(CELL_INT8, fix.edit.changes[cell])
    assert fixed == CELL_INT8.replace("=True)", "=True, llm_int8_threshold=0.0)")
    noqa = next(action for action in actions if "noqa" in action.title)
    assert noqa.edit is not None and noqa.edit.changes is not None
    assert "# noqa: ECO101" in apply_edits(CELL_INT8, noqa.edit.changes[cell])
    client.notify(
        "notebookDocument/didChange",
        {
            "notebookDocument": {"uri": uri, "version": 2},
            "change": {
                "cells": {
                    "textContent": [
                        {
                            "document": {"uri": cell, "version": 2},
                            "changes": [{"text": fixed}],
                        }
                    ]
                }
            },
        },
    )
    assert not diagnostics_of(client, cell).diagnostics
    assert client.close() == 0


def test_a_broken_cell_is_eco001_in_that_cell(client: LspClient, tmp_path: Path) -> None:
    client.initialize(tmp_path)
    uri = (tmp_path / "broken.ipynb").as_uri()
    open_notebook(
        client, uri, [(2, CELL_LOAD), (2, "cfg = BitsAndBytesConfig(load_in_8bit=True\n")]
    )
    assert not diagnostics_of(client, notebook_cell(uri, 0)).diagnostics
    [found] = diagnostics_of(client, notebook_cell(uri, 1)).diagnostics
    assert found.code == "ECO001"
    assert client.close() == 0


def test_closing_clears_the_diagnostics_of_every_cell(client: LspClient, tmp_path: Path) -> None:
    client.initialize(tmp_path)
    uri = (tmp_path / "chat.ipynb").as_uri()
    open_notebook(client, uri, [(2, CELL_LOAD), (2, CELL_INT8)])
    diagnostics_of(client, notebook_cell(uri, 0))
    assert diagnostics_of(client, notebook_cell(uri, 1)).diagnostics
    cells = [{"uri": notebook_cell(uri, n)} for n in range(2)]
    client.notify(
        "notebookDocument/didClose",
        {"notebookDocument": {"uri": uri}, "cellTextDocuments": cells},
    )
    assert not diagnostics_of(client, notebook_cell(uri, 0)).diagnostics
    assert not diagnostics_of(client, notebook_cell(uri, 1)).diagnostics
    assert client.close() == 0
