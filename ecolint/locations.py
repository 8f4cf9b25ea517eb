"""Where a report lands for the user: a path, 1-based line and column (end exclusive), and for
notebooks the cell; plus whether a suppression comment on that line silences it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from libcst.metadata import CodePosition

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.values import Site
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


@dataclass(frozen=True)
class ModuleSpan:
    """A span of a module's text that is no syntax node (a comment): 1-based lines, 0-based
    columns as libcst counts them, in the joined module for notebooks."""

    module: ModuleInfo
    line: int
    column: int
    end_line: int
    end_column: int


def locate(site: Site | TextSpan | ModuleSpan) -> Place:
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
            source_end_line=site.end_line,
        )
    if isinstance(site, ModuleSpan):
        module = site.module
        start = CodePosition(site.line, site.column)
        end = CodePosition(site.end_line, site.end_column)
    else:
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
            source_end_line=end.line,
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
        source_end_line=end.line,
    )
