"""Jupyter notebooks as one Python module: code cells in order, shell and magic lines masked.

The notebook's JSON is read as text, never executed (``notebook_json``). Code cells are
joined into one module so that a global set in an earlier cell resolves in a later one.
``!``/``%`` lines, and IPython's automagic lines (``pip install x``, ``cd dir``: a line magic
called without ``%``, which IPython runs when the line is not Python), become ``pass`` at their
own indentation (a line count is kept, and so is a block's body); they are kept aside for the
rules that read install commands. A ``SourceMap``
takes a position in that module back to the cell, the line in the cell, and the line and
column in the raw ``.ipynb`` file, so that SARIF regions land on the right characters.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import json
import re
from dataclasses import dataclass

from ecolint.sources.notebook_json import CodeCell, attach_pieces, code_cells, load_document
from ecolint.sources.parse_guard import newer_fstring, syntax_complaint
from ecolint.sources.python import SourceError

_SHELL_ASSIGNMENT = re.compile(r"[A-Za-z_][\w\s,]*=\s*[!%]")
# Line magics and shell aliases IPython runs without ``%`` (automagic is on by default).
AUTOMAGICS = frozenset(
    {
        "cat", "cd", "conda", "cp", "env", "load_ext", "ls", "mamba", "matplotlib",
        "micromamba", "mkdir", "mv", "pip", "pwd", "rm", "rmdir", "set_env", "time", "timeit",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Magic:
    """A ``!``/``%`` line (or ``x = !cmd``) of a code cell, as written."""

    line: int  # line in the joined module
    text: str
    column: int = 0  # where ``text`` starts in its line (its indentation)


@dataclass(frozen=True)
class CellPosition:
    cell: int  # index into the notebook's ``cells`` (markdown cells counted)
    cell_line: int  # 1-based line inside that cell
    line: int  # 1-based line in the raw .ipynb file
    column: int  # 1-based column in the raw .ipynb file


class SourceMap:
    """Positions in the joined module → cell, cell line and raw file position."""

    def __init__(self, raw: str, cells: list[CodeCell]) -> None:
        self._raw = raw
        self._cells = cells
        self._starts = [cell.first_line for cell in cells]
        self._line_starts = [0] + [match.end() for match in re.finditer(r"\n", raw)]

    def locate(self, line: int, column: int) -> CellPosition:
        """``column`` is 0-based, in characters."""
        cell = self._cells[max(bisect.bisect_right(self._starts, line) - 1, 0)]
        cell_line = line - cell.first_line + 1
        if cell.dedents:
            column += cell.dedents[cell_line - 1]
        offset = sum(len(text) for text in cell.lines[: cell_line - 1]) + column
        raw_offset = self._raw_offset(cell, offset)
        raw_line = bisect.bisect_right(self._line_starts, raw_offset)
        raw_column = raw_offset - self._line_starts[raw_line - 1] + 1
        return CellPosition(cell.index, cell_line, raw_line, raw_column)

    @property
    def raw(self) -> str:
        """The notebook file's text."""
        return self._raw

    def rewrite(self, edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Edits of the joined module as edits of the raw file: each changed cell's ``source``
        strings are rewritten in place, the rest of the JSON (metadata, outputs, layout) is
        left as it is. An insertion where a cell starts goes into that cell. Raises
        SourceError for an edit that spans cells or touches a masked magic line."""
        by_cell: dict[int, list[tuple[int, int, str]]] = {}
        bounds = []
        at = 0
        for cell in self._cells:
            size = sum(len(line) for line in cell.masked)
            bounds.append(at)
            at += size
        for start, end, text in edits:
            number = max(bisect.bisect_right(bounds, start) - 1, 0)
            cell = self._cells[number]
            cell_end = bounds[number] + sum(len(line) for line in cell.masked)
            if end > cell_end:
                raise SourceError("the change spans two notebook cells")
            local = _unmasked(cell, start - bounds[number], end - bounds[number])
            by_cell.setdefault(number, []).append((*local, text))
        rewritten = []
        for number, local_edits in by_cell.items():
            cell = self._cells[number]
            text = _apply("".join(cell.lines), local_edits)
            if not cell.text.endswith("\n") and text.endswith("\n"):
                text = text[:-1]  # the line break ``lines`` added at the end of the cell
            rewritten.append(self._source_edit(cell, text))
        return rewritten

    def _source_edit(self, cell: CodeCell, text: str) -> tuple[int, int, str]:
        """The cell's source strings, from the first opening quote to the last closing one,
        for ``text``: unchanged lines keep their raw JSON, new ones are encoded like nbformat
        does (one string per line, the notebook's separator between them)."""
        if not cell.pieces:
            raise SourceError(f"notebook cell {cell.index} has no source strings to rewrite")
        raw = self._raw
        first, last = cell.pieces[0], cell.pieces[-1]
        start, end = first.raw_start - 1, last.raw_start + len(last.raw) + 1
        ascii_only = "\\u" in raw and raw.isascii()
        listed = raw[cell.source_at] == "["
        if not listed:
            return start, end, json.dumps(text, ensure_ascii=ascii_only)
        if len(cell.pieces) > 1:
            second = cell.pieces[1]
            separator = raw[first.raw_start + len(first.raw) + 1 : second.raw_start - 1]
        else:
            opening = raw[cell.source_at + 1 : first.raw_start - 1]
            separator = "," + (opening or " ")
        old = [json.loads(f'"{piece.raw}"') for piece in cell.pieces]
        new = text.splitlines(keepends=True)
        strings: list[str] = []
        import difflib  # only to fix a notebook

        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for tag, a1, a2, b1, b2 in matcher.get_opcodes():
            if tag == "equal":
                strings += [f'"{piece.raw}"' for piece in cell.pieces[a1:a2]]
            else:
                strings += [json.dumps(line, ensure_ascii=ascii_only) for line in new[b1:b2]]
        return start, end, separator.join(strings)

    def _raw_offset(self, cell: CodeCell, offset: int) -> int:
        if not cell.pieces:
            return 0
        starts = [piece.cell_offset for piece in cell.pieces]
        piece = cell.pieces[max(bisect.bisect_right(starts, offset) - 1, 0)]
        return piece.raw_start + _raw_index(piece.raw, offset - piece.cell_offset)


def _unmasked(cell: CodeCell, start: int, end: int) -> tuple[int, int]:
    """Offsets in the joined module's copy of a cell as offsets in the cell's own text, which
    differ where a magic line was masked (such lines cannot be edited) or IPython's leading
    indent was taken off."""
    masked_starts = list(itertools.accumulate((len(line) for line in cell.masked), initial=0))
    source_starts = list(itertools.accumulate((len(line) for line in cell.lines), initial=0))

    def line_of(position: int) -> tuple[int, int]:
        line = bisect.bisect_right(masked_starts, position) - 1
        return line, position - masked_starts[line]

    first, first_column = line_of(start)
    last, last_column = line_of(end)
    if end > start:
        touched = range(first, line_of(end - 1)[0] + 1)
    else:
        touched = range(first, first + 1 if first_column else first)
    shifts = cell.dedents or [0] * len(cell.lines)
    if any(cell.masked[line] != cell.lines[line][shifts[line] :] for line in touched):
        raise SourceError("the change touches a shell or magic line")
    start_shift = shifts[first] if first < len(shifts) else 0
    end_shift = shifts[last] if last < len(shifts) else 0
    return (
        source_starts[first] + first_column + start_shift,
        source_starts[last] + last_column + end_shift,
    )


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    pieces = []
    at = 0
    for start, end, replacement in sorted(edits):
        if start < at:
            raise SourceError("the changes overlap")
        pieces += [text[at:start], replacement]
        at = end
    return "".join(pieces) + text[at:]


def _raw_index(raw: str, chars: int) -> int:
    """How many raw JSON characters encode the first ``chars`` decoded characters."""
    index = 0
    while chars > 0 and index < len(raw):
        if raw.startswith("\\u", index):
            code = int(raw[index + 2 : index + 6], 16)
            index += 12 if 0xD800 <= code < 0xDC00 else 6  # a surrogate pair is one character
        elif raw[index] == "\\":
            index += 2
        else:
            index += 1
        chars -= 1
    return index


@dataclass(frozen=True)
class BrokenCell:
    """A code cell left out of the module because it does not parse on its own."""

    index: int
    first_line: int  # where it would have started in the joined module
    reason: str


@dataclass(frozen=True)
class NotebookModule:
    text: str
    source_map: SourceMap
    magics: tuple[Magic, ...]
    broken_cells: tuple[BrokenCell, ...]


def notebook_to_python(raw: str) -> NotebookModule:
    document = load_document(raw)
    cells = code_cells(document)
    attach_pieces(raw, cells)
    magics: list[Magic] = []
    broken: list[BrokenCell] = []
    line = 1
    for cell in cells:
        cell.first_line = line
        cell.masked = _mask(cell, magics)
        problem = _syntax_problem("".join(cell.masked))
        if problem is not None:
            broken.append(BrokenCell(cell.index, cell.first_line, problem))
            cell.masked = ["\n"] * len(cell.lines)
        line += len(cell.lines)
    text = "".join(text for cell in cells for text in cell.masked)
    return NotebookModule(text, SourceMap(raw, cells), tuple(magics), tuple(broken))


def _mask(cell: CodeCell, magics: list[Magic]) -> list[str]:
    """``pass`` in place of shell and magic lines; a ``%%`` cell magic masks the whole cell."""
    first = cell.lines[0].lstrip()
    if first.startswith("%%"):
        for number, text in enumerate(cell.lines):
            magics.append(Magic(cell.first_line + number, text.rstrip("\n")))
        return ["\n"] * len(cell.lines)
    masked = []
    continued = False
    for number, text in enumerate(_without_leading_indent(cell)):
        stripped = text.lstrip()
        shell = (
            stripped.startswith(("!", "%"))
            or _SHELL_ASSIGNMENT.match(stripped)
            or (not continued and _automagic(stripped))
        )
        if continued or shell:
            indent = text[: len(text) - len(stripped)]
            body = stripped.rstrip("\n")
            masked.append("\n" if continued else f"{indent}pass\n")
            magics.append(Magic(cell.first_line + number, body, len(indent)))
            continued = body.endswith("\\")
        else:
            masked.append(text)
    return masked


def _without_leading_indent(cell: CodeCell) -> list[str]:
    """The cell's lines as IPython runs them: its ``leading_indent`` transform takes the first
    non-blank line's indentation off every line that starts with it, so a cell pasted with an
    indent still runs. The characters taken off are kept for positions."""
    first = next((line for line in cell.lines if line.strip()), "")
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    if not indent:
        return cell.lines
    cell.dedents = [len(indent) if line.startswith(indent) else 0 for line in cell.lines]
    return [line[shift:] for line, shift in zip(cell.lines, cell.dedents, strict=True)]


def _automagic(line: str) -> bool:
    """``pip install x``: a magic's name then words that are not Python (``pip = 1`` and
    ``ls(x)`` are Python, and IPython runs them as such)."""
    words = line.split(maxsplit=1)
    if len(words) < 2 or words[0] not in AUTOMAGICS:
        return False
    try:
        ast.parse(line)
    except SyntaxError:
        return True
    return False


def _syntax_problem(text: str) -> str | None:
    """A cell that does not parse on its own is left out, so the other cells are still read."""
    try:
        ast.parse(text)
    except SyntaxError as error:
        if newer_fstring(error, text):
            return None  # Python 3.12 runs it; parse_guard requotes it
        return f"{syntax_complaint(error)} (line {error.lineno} of the cell)"
    except (ValueError, RecursionError, MemoryError) as error:
        return f"cannot parse: {error}"
    return None
