"""Where a report lands for the user: a path, 1-based line and column (end exclusive), and for
notebooks the cell; plus whether a suppression comment on that line silences it."""

from __future__ import annotations

from dataclasses import dataclass

from ecolint.analysis.positions import CodePosition
from ecolint.analysis.values import LineSpan, Site
from ecolint.findings.model import FileSpot, Position
from ecolint.findings.suppression import is_suppressed, suppressed_in_line
from ecolint.sources.document import TextSpan


@dataclass(unsafe_hash=True)
class Place(Position):
    comment_source: str  # the text whose line ``comment_line`` may carry a suppression
    comment_line: int
    python: bool
    source_end_line: int  # last line of the span in ``comment_source``

    @property
    def code_text(self) -> str:
        """The offending lines as written (the joined module's lines for a notebook)."""
        lines = self.comment_source.splitlines()
        return "\n".join(lines[self.comment_line - 1 : self.source_end_line])

    def suppressed(self, code: str) -> bool:
        if self.python:
            return is_suppressed(self.comment_source, self.comment_line, code)
        lines = self.comment_source.splitlines()
        line = lines[self.comment_line - 1] if 0 < self.comment_line <= len(lines) else ""
        return suppressed_in_line(line, code)


def locate(site: Site | LineSpan | TextSpan | FileSpot) -> Place:
    if isinstance(site, FileSpot):
        # Nothing was analysed there: no text, so no suppression comment applies.
        first_line = 1 if site.cell is not None else None
        return Place(
            site.path,
            site.display,
            site.line,
            site.column,
            site.line,
            site.column,
            site.cell,
            first_line,
            first_line,
            "",
            0,
            python=False,
            source_end_line=0,
        )
    if isinstance(site, TextSpan):
        document = site.document
        return Place(
            document.path,
            document.display,
            site.line,
            site.column,
            site.end_line,
            site.end_column,
            None,
            None,
            None,
            document.text,
            site.comment_line or site.line,
            python=False,
            source_end_line=site.end_line,
        )
    module = site.module
    if isinstance(site, LineSpan):
        # A line no node covers (a comment, a notebook's masked ``!pip`` line): its own text
        # holds any ``# noqa``.
        start = CodePosition(site.line, site.column)
        end = CodePosition(site.line, site.end_column)
        source, source_line, python = site.text, 1, False
    else:
        span = module.position(site.node)
        start, end = span.start, span.end
        source, source_line, python = module.text, start.line, True
    source_end = source_line + end.line - start.line
    if module.notebook is None:
        return Place(
            module.path,
            module.display,
            start.line,
            start.column + 1,
            end.line,
            end.column + 1,
            None,
            None,
            None,
            source,
            source_line,
            python=python,
            source_end_line=source_end,
        )
    source_map = module.notebook.source_map
    first = source_map.locate(start.line, start.column)
    last = source_map.locate(end.line, end.column)
    return Place(
        module.path,
        module.display,
        first.line,
        first.column,
        last.line,
        last.column,
        first.cell,
        first.cell_line,
        start.column + 1,
        source,
        source_line,
        python=python,
        source_end_line=source_end,
    )
