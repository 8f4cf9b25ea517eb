"""Where a finding lands in the editor. A file's finding lands where ``ecolint check`` prints
it. A notebook the editor syncs cell by cell (LSP 3.17 notebook documents) is analysed as the
``.ipynb`` JSON built from its cells, and each finding goes back to the cell it names, at the
line and column inside that cell."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ecolint.findings.model import Finding


@dataclass(frozen=True)
class Spot:
    """A range in one editor document: 0-based lines, columns counted in characters."""

    uri: str
    line: int
    character: int
    end_line: int
    end_character: int


def text_spot(uri: str, finding: Finding) -> Spot:
    return Spot(
        uri, finding.line - 1, finding.column - 1, finding.end_line - 1, finding.end_column - 1
    )


@dataclass(frozen=True)
class Cell:
    uri: str
    code: bool
    text: str


@dataclass(frozen=True)
class NotebookBuffer:
    """The cells in the order the notebook shows them, markdown cells included (a finding's
    ``cell`` counts them, as nbformat does)."""

    cells: tuple[Cell, ...]

    def json(self) -> str:
        """The notebook as nbformat 4 JSON: what ecolint reads from an ``.ipynb`` file."""
        cells = [
            {
                "cell_type": "code" if cell.code else "markdown",
                "metadata": {},
                "source": cell.text,
                **({"outputs": [], "execution_count": None} if cell.code else {}),
            }
            for cell in self.cells
        ]
        document = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        return json.dumps(document, indent=1, ensure_ascii=False)

    def spot(self, finding: Finding) -> Spot:
        """The finding's range in its cell. Only its start is kept in cell terms, so a range
        on one line keeps its width (cut at the line's end) and a longer one runs to the end of
        its first line; a finding about the whole notebook lands on the first cell."""
        index = finding.cell if finding.cell is not None else 0
        cell = self.cells[min(index, len(self.cells) - 1)]
        lines = cell.text.splitlines() or [""]
        line = min(max((finding.cell_line or 1) - 1, 0), len(lines) - 1)
        start = min((finding.cell_column or 1) - 1, len(lines[line]))
        end = len(lines[line])
        if finding.end_line == finding.line and finding.end_column > finding.column:
            end = min(end, start + finding.end_column - finding.column)
        return Spot(cell.uri, line, start, line, max(end, start))

    def cell_edits(self, changed: str) -> list[tuple[Spot, str]]:
        """The notebook JSON ``changed`` (this notebook with fixes applied) as edits of the
        cells it changes: each changed cell's differing lines, replaced whole."""
        found = []
        for cell, after in zip(self.cells, json.loads(changed)["cells"], strict=True):
            source = after["source"]
            text = source if isinstance(source, str) else "".join(source)
            if text == cell.text:
                continue
            old, new = cell.text.splitlines(keepends=True), text.splitlines(keepends=True)
            head = 0
            while head < min(len(old), len(new)) and old[head] == new[head]:
                head += 1
            tail = 0
            while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
                tail += 1
            replaced = "".join(new[head : len(new) - tail])
            found.append((Spot(cell.uri, head, 0, len(old) - tail, 0), replaced))
        return found
