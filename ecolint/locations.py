"""Where a report lands for the user: a path, 1-based line and column (end exclusive), and for
notebooks the cell; plus whether a suppression comment on that line silences it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecolint.analysis.values import LineSpan, Site
from ecolint.sources.document import TextSpan
from ecolint.suppression import is_suppressed, suppressed_in_line


@dataclass(frozen=True)
class Place:
    file: Path
    display: str
    line: int
    column: int
    end_line: int
    end_column: int
    cell: int | None
    cell_line: int | None
    cell_column: int | None
    comment_source: str  # the text whose line ``comment_line`` may carry a suppression
    comment_line: int
    python: bool

    def suppressed(self, code: str) -> bool:
        if self.python:
            return is_suppressed(self.comment_source, self.comment_line, code)
        lines = self.comment_source.splitlines()
        line = lines[self.comment_line - 1] if 0 < self.comment_line <= len(lines) else ""
        return suppressed_in_line(line, code)


def locate(site: Site | LineSpan | TextSpan) -> Place:
    if isinstance(site, LineSpan):
        return _locate_line(site)
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
            site.line,
            python=False,
        )
    module = site.module
    span = module.position(site.node)
    start, end = span.start, span.end
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
            module.text,
            start.line,
            python=True,
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
        module.text,
        start.line,
        python=True,
    )


def _locate_line(site: LineSpan) -> Place:
    """A line without a node (a notebook's ``!pip`` line); its own text holds any ``# noqa``."""
    module = site.module
    if module.notebook is None:
        first = last = None
        line, column, end_column = site.line, site.column + 1, site.end_column + 1
        end_line = line
    else:
        source_map = module.notebook.source_map
        first = source_map.locate(site.line, site.column)
        last = source_map.locate(site.line, site.end_column)
        line, column, end_line, end_column = first.line, first.column, last.line, last.column
    return Place(
        module.path,
        module.display,
        line,
        column,
        end_line,
        end_column,
        first.cell if first else None,
        first.cell_line if first else None,
        site.column + 1 if first else None,
        site.text,
        1,
        python=False,
    )
