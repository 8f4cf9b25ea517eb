"""Where keys and strings of a TOML document are, by their path in the document.

``tomllib`` gives the structure but no line numbers. This scanner walks the same text once —
table headers, dotted keys, arrays, inline tables and all four kinds of string — and records
each key and each string value under the full key path it belongs to, so a finding can point
at the line of a dependency string. It is only run on text ``tomllib`` has accepted.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Path = tuple[str, ...]
_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")
_SCALAR_END = re.compile(r"[,\]\}\n#]")


@dataclass(frozen=True)
class Span:
    line: int  # 1-based
    column: int  # 1-based
    end_line: int
    end_column: int  # exclusive


@dataclass
class TomlPositions:
    keys: dict[Path, Span] = field(default_factory=dict)
    strings: dict[tuple[Path, str], list[Span]] = field(default_factory=dict)

    def key(self, path: Path) -> Span | None:
        return self.keys.get(path)

    def string(self, path: Path, value: str, occurrence: int = 0) -> Span | None:
        """The ``occurrence``-th string equal to ``value`` directly under ``path``."""
        found = self.strings.get((path, value), [])
        return found[occurrence] if occurrence < len(found) else None


def toml_positions(text: str) -> TomlPositions:
    """Positions found before any surprise stay usable; tomllib has vouched for the text."""
    scanner = _Scanner(text)
    with contextlib.suppress(IndexError, ValueError):
        scanner.document()
    return scanner.positions


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self._key_end = 0
        self.positions = TomlPositions()
        self._line_starts = [0] + [match.end() for match in re.finditer(r"\n", text)]

    def _span(self, start: int, end: int) -> Span:
        line = bisect.bisect_right(self._line_starts, start)
        end_line = bisect.bisect_right(self._line_starts, end)
        return Span(
            line,
            start - self._line_starts[line - 1] + 1,
            end_line,
            end - self._line_starts[end_line - 1] + 1,
        )

    def _blank(self, newlines: bool) -> None:
        text = self.text
        while self.at < len(text):
            char = text[self.at]
            if char == "#":
                end = text.find("\n", self.at)
                self.at = len(text) if end < 0 else end
            elif char in " \t\r" or (newlines and char == "\n"):
                self.at += 1
            else:
                return

    def document(self) -> None:
        table: Path = ()
        while True:
            self._blank(newlines=True)
            if self.at >= len(self.text):
                return
            if self.text[self.at] == "[":
                start = self.at
                double = self.text.startswith("[[", self.at)
                self.at += 2 if double else 1
                table = self._key_path("]")
                self.at += 2 if double else 1
                self.positions.keys.setdefault(table, self._span(start, self.at))
            else:
                self._key_value(table)

    def _key_path(self, stop: str) -> Path:
        parts: list[str] = []
        while True:
            self._blank(newlines=False)
            char = self.text[self.at]
            if char in "\"'":
                start = self.at
                self._skip_string()
                parts.append(_decode(self.text[start : self.at]))
            else:
                match = _BARE_KEY.match(self.text, self.at)
                if match is None:
                    raise ValueError("key expected")
                parts.append(match.group())
                self.at = match.end()
            self._key_end = self.at
            self._blank(newlines=False)
            if self.text[self.at] == ".":
                self.at += 1
                continue
            if self.text[self.at] != stop:
                raise ValueError(f"'{stop}' expected")
            return tuple(parts)

    def _key_value(self, table: Path) -> None:
        start = self.at
        key = self._key_path("=")
        path = (*table, *key)
        self.positions.keys.setdefault(path, self._span(start, self._key_end))
        self.at += 1
        self._value(path)

    def _value(self, path: Path) -> None:
        self._blank(newlines=False)
        char = self.text[self.at]
        if char in "\"'":
            start = self.at
            self._skip_string()
            value = _decode(self.text[start : self.at])
            self.positions.strings.setdefault((path, value), []).append(self._span(start, self.at))
        elif char == "[":
            self._items("]", lambda: self._value(path), newlines=True)
        elif char == "{":
            self._items("}", lambda: self._key_value(path), newlines=False)
        else:
            match = _SCALAR_END.search(self.text, self.at)
            self.at = len(self.text) if match is None else match.start()

    def _items(self, close: str, item: Callable[[], None], newlines: bool) -> None:
        """The comma-separated items of an array or inline table, up to ``close``: an array
        may span lines, an inline table may not."""
        self.at += 1
        while True:
            self._blank(newlines=newlines)
            if self.text[self.at] == close:
                self.at += 1
                return
            item()
            self._blank(newlines=newlines)
            if self.text[self.at] == ",":
                self.at += 1

    def _skip_string(self) -> None:
        text = self.text
        quote = text[self.at]
        triple = text.startswith(quote * 3, self.at)
        self.at += 3 if triple else 1
        while True:
            char = text[self.at]
            if char == "\\" and quote == '"':
                self.at += 2
            elif triple and text.startswith(quote * 3, self.at):
                self.at += 3
                while self.at < len(text) and text[self.at] == quote:
                    self.at += 1  # up to two quotes may close the content
                return
            elif not triple and char == quote:
                self.at += 1
                return
            else:
                self.at += 1


def _decode(raw: str) -> str:
    try:
        return str(tomllib.loads(f"x = {raw}")["x"])
    except (tomllib.TOMLDecodeError, KeyError):
        return raw.strip("\"'")
