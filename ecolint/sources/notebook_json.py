"""Reading a notebook's JSON without holding it all: the code cells, and where each string of
a cell's ``source`` sits in the raw ``.ipynb`` text.

Outputs (plots, training logs) can be most of a large notebook, so they are dropped as soon
as they are decoded and skipped by the C decoder when the raw text is scanned; what is kept
costs the memory of the code. Nothing is executed; a layout the scanner does not expect is a
``SourceError``, as is a kernel that is not Python.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ecolint.sources.python import SourceError

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SPACE = re.compile(r"\s*")
PYTHON_LANGUAGES = frozenset({"python", "python3", "python2", "ipython", "ipython3", ""})


@dataclass
class SourcePiece:
    """One JSON string of a cell's ``source``: where its text starts in the cell and in the file."""

    cell_offset: int  # offset of its first character in the cell's source
    raw_start: int  # offset in the raw file just after the opening quote
    raw: str  # the string's raw JSON text between the quotes


@dataclass
class CodeCell:
    index: int
    first_line: int  # line of the joined module where the cell starts
    lines: list[str]
    pieces: list[SourcePiece] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)
    text: str = ""  # the source as written (``lines`` end in a line break even when it does not)
    source_at: int = 0  # where the ``source`` value (a list or a string) starts in the raw file
    # characters IPython's ``leading_indent`` took off the start of each line (empty: none)
    dedents: list[int] = field(default_factory=list)


def _without_outputs(pairs: list[tuple[str, object]]) -> dict[str, object] | None:
    """An output (a plot, a training log) is dropped as soon as it is decoded: a notebook with
    60 MB of outputs then costs the memory of its code, not gigabytes of small objects."""
    return None if any(key == "output_type" for key, _ in pairs) else dict(pairs)


_READER = json.JSONDecoder(object_pairs_hook=_without_outputs)
_SKIPPER = json.JSONDecoder(object_pairs_hook=lambda pairs: None)  # a value read past, kept not


def load_document(raw: str) -> dict[str, object]:
    try:
        document = _READER.decode(raw)
    except json.JSONDecodeError as error:
        raise SourceError(
            f"notebook is not valid JSON: {error.msg}", error.lineno, error.colno
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise SourceError("notebook has no 'cells' list (not an nbformat 4 notebook)")
    language = _language(document.get("metadata"))
    if language not in PYTHON_LANGUAGES:
        raise SourceError(f"notebook kernel language is '{language}', not Python; skipped")
    return document


def _language(metadata: object) -> str:
    if not isinstance(metadata, dict):
        return ""
    for key, field_name in (("kernelspec", "language"), ("language_info", "name")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field_name), str):
            return str(section[field_name]).lower()
    return ""


def code_cells(document: dict[str, object]) -> list[CodeCell]:
    cells = []
    for index, cell in enumerate(document["cells"]):  # type: ignore[arg-type]
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            text = "".join(source)
        elif isinstance(source, str):
            text = source
        else:
            raise SourceError(f"notebook cell {index} has no 'source' text")
        lines = text.splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        cells.append(CodeCell(index, 0, lines or ["\n"], text=text))
    return cells


def attach_pieces(raw: str, cells: list[CodeCell]) -> None:
    """Find each code cell's ``source`` strings in the raw text with a small JSON scanner."""
    by_index = {cell.index: cell for cell in cells}
    scanner = _Scanner(raw)
    scanner.expect("{")
    while not scanner.peek("}"):
        key = scanner.string()
        scanner.expect(":")
        if key == "cells":
            scanner.expect("[")
            index = 0
            while not scanner.peek("]"):
                cell = by_index.get(index)
                scanner.cell(cell)
                index += 1
                scanner.comma("]")
            scanner.expect("]")
        else:
            scanner.skip_value()
        scanner.comma("}")


class _Scanner:
    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.at = 0

    def _space(self) -> None:
        self.at = _SPACE.match(self.raw, self.at).end()  # type: ignore[union-attr]

    def peek(self, char: str) -> bool:
        self._space()
        return self.raw.startswith(char, self.at)

    def expect(self, char: str) -> None:
        if not self.peek(char):
            raise SourceError("notebook JSON has an unexpected layout")
        self.at += 1

    def comma(self, closing: str) -> None:
        if not self.peek(closing):
            self.expect(",")

    def string(self) -> str:
        start, raw = self._string_span()
        return str(json.loads(f'"{raw}"')) if start >= 0 else ""

    def _string_span(self) -> tuple[int, str]:
        self._space()
        match = _STRING.match(self.raw, self.at)
        if match is None:
            raise SourceError("notebook JSON has an unexpected layout")
        self.at = match.end()
        return match.start() + 1, match.group()[1:-1]

    def skip_value(self) -> None:
        """Past one JSON value, by the C decoder: outputs can be most of a large notebook."""
        self._space()
        try:
            _, self.at = _SKIPPER.raw_decode(self.raw, self.at)
        except json.JSONDecodeError:
            raise SourceError("notebook JSON has an unexpected layout") from None

    def cell(self, cell: CodeCell | None) -> None:
        if cell is None:
            self.skip_value()
            return
        self.expect("{")
        while not self.peek("}"):
            key = self.string()
            self.expect(":")
            if key == "source":
                self._source(cell)
            else:
                self.skip_value()
            self.comma("}")
        self.expect("}")

    def _source(self, cell: CodeCell) -> None:
        offset = 0
        spans = []
        self._space()
        cell.source_at = self.at
        if self.peek("["):
            self.at += 1
            while not self.peek("]"):
                spans.append(self._string_span())
                self.comma("]")
            self.at += 1
        else:
            spans.append(self._string_span())
        for start, raw in spans:
            cell.pieces.append(SourcePiece(offset, start, raw))
            offset += len(json.loads(f'"{raw}"'))
