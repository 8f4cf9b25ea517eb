"""Non-Python files the rules read as text: requirement lists, pyproject.toml, setup.cfg,
conda environments and YAML training/serving configs. Each is decoded once; the checks parse
the formats they understand (safe loaders only) and point at lines of the original text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Document:
    path: Path
    display: str
    kind: str
    text: str

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()


@dataclass(frozen=True)
class TextSpan:
    """Where a finding in a document is: 1-based lines and columns, end exclusive.
    ``comment_line``: the line whose suppression comment applies, when it is not ``line`` (a
    Dockerfile instruction cannot carry a comment: it goes on the line above)."""

    document: Document
    line: int
    column: int
    end_line: int
    end_column: int
    comment_line: int | None = None

    @classmethod
    def whole_line(cls, document: Document, line: int) -> TextSpan:
        """The line's text without its leading and trailing blanks."""
        text = document.lines[line - 1] if 0 < line <= len(document.lines) else ""
        start = len(text) - len(text.lstrip()) + 1
        return cls(document, line, start, line, len(text.rstrip()) + 1)
