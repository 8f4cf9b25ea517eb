"""The records every deployment reader produces: words that remember where they are written,
and the programs (``Launch``) a file starts with them."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from ecolint.sources.document import Document, TextSpan


@dataclass(unsafe_hash=True)
class Word:
    """One argument or value. ``text`` is None when it cannot be known statically (a variable
    set outside the file, a command substitution); ``variable``: the variable it came from and
    the line of its assignment, when it was set elsewhere."""

    text: str | None
    span: Any  # a TextSpan; for an argv list in Python, the element's syntax site
    variable: tuple[str, int] | None = None


@dataclass(unsafe_hash=True)
class Launch:
    """A program a deployment runs: ``argv`` (entrypoint and command joined), the environment
    it is given, and the container image it runs in (None for a plain shell command)."""

    argv: tuple[Word, ...]
    env: Mapping[str, Word] = field(default_factory=dict)
    image: Word | None = None


@dataclass(unsafe_hash=True)
class Offsets:
    """Turns offsets into a document's text into spans (1-based lines and columns)."""

    document: Document

    @cached_property
    def starts(self) -> list[int]:
        found, offset = [0], 0
        for line in self.document.text.splitlines(keepends=True):
            offset += len(line)
            found.append(offset)
        return found

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def span(self, start: int, end: int, comment_line: int | None = None) -> TextSpan:
        """From ``start`` to ``end`` (exclusive); ``comment_line``: where a suppression comment
        for it is written, when not on its own line."""
        line, column = self.position(start)
        end_line, end_column = self.position(max(end, start))
        if end_line > line and end_column == 1:  # ends at a line break: stay on the line
            end_line, end_column = self.position(max(end - 1, start))
            end_column += 1
        return TextSpan(self.document, line, column, end_line, end_column, comment_line)


def value_after(word: Word, name: str) -> Word:
    """The ``VALUE`` of a ``NAME=VALUE`` word, pointing at the value when the word is written
    as it reads (on one line, unquoted; a Python string element is pointed at whole)."""
    text = word.text or ""
    value = text.partition("=")[2]
    span = word.span
    skip = len(name) + 1
    one_line = isinstance(span, TextSpan) and span.line == span.end_line
    if one_line and span.end_column - span.column == len(text):
        span = replace(span, column=span.column + skip)
    return Word(value, span, word.variable)
