"""Where a node of the ``ast`` tree is, in the units findings report.

``ast`` gives 1-based lines and UTF-8 *byte* offsets within a line; findings, editors and
SARIF count columns in characters. The attribute names (``start.line``, ``end.column``) are
those of libcst's ``CodeRange``, which findings carried before analysis moved to ``ast``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from itertools import accumulate

from ecolint.text_lines import source_lines


@dataclass(unsafe_hash=True, slots=True)
class CodePosition:
    line: int  # 1-based
    column: int  # 0-based, in characters


@dataclass(unsafe_hash=True, slots=True)
class CodeRange:
    start: CodePosition
    end: CodePosition


class LineOffsets:
    """Converts ``ast``'s byte columns to character columns, one line at a time; ASCII
    lines (nearly all code) need no conversion."""

    def __init__(self, text: str) -> None:
        self.lines = source_lines(text)
        self._starts: list[int] | None = None

    def column(self, line: int, byte_offset: int) -> int:
        if not 0 < line <= len(self.lines):
            return byte_offset
        text = self.lines[line - 1]
        if text.isascii():
            return byte_offset
        return len(text.encode("utf-8", "surrogatepass")[:byte_offset].decode("utf-8", "replace"))

    def offset(self, position: CodePosition) -> int:
        """Index of ``position`` in the module text."""
        if self._starts is None:
            self._starts = list(accumulate((len(line) for line in self.lines), initial=0))
        return self._starts[min(position.line - 1, len(self._starts) - 1)] + position.column

    def range_of(self, node: ast.AST) -> CodeRange:
        if isinstance(node, ast.comprehension):
            return self._clause_range(node)
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        start = CodePosition(line, self.column(line, getattr(node, "col_offset", 0)))
        end_offset = getattr(node, "end_col_offset", None)
        end = (
            CodePosition(end_line, self.column(end_line, end_offset))
            if end_offset is not None
            else start
        )
        return CodeRange(start, end)

    def _clause_range(self, clause: ast.comprehension) -> CodeRange:
        """``ast`` gives a comprehension's ``for`` clause no position: it runs from the ``for``
        keyword before its target to the end of its last condition (or of its iterable)."""
        target = self.range_of(clause.target).start
        line_text = self.lines[target.line - 1] if 0 < target.line <= len(self.lines) else ""
        keyword = line_text.rfind("for", 0, target.column)
        start = CodePosition(target.line, keyword) if keyword >= 0 else target
        if clause.is_async and keyword >= 0:
            awaited = line_text.rfind("async", 0, keyword)
            start = CodePosition(target.line, awaited) if awaited >= 0 else start
        return CodeRange(start, self.range_of(clause.ifs[-1] if clause.ifs else clause.iter).end)
