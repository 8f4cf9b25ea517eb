"""Plain-text tables for the terminal: columns padded to their widest cell, CJK characters
counted as two columns, moods as coloured words. Used by ``ecolint rules`` and the advisor
answers alike, so it sits below both."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import click

from ecolint.i18n import t
from ecolint.rules import MOOD_COLORS


@dataclass(frozen=True)
class Mood:
    mood: str


Cell = str | Mood


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


def mood_word(mood: str, lang: str, color: bool) -> str:
    word = f"[{t(f'mood.{mood}', lang)}]"
    if color:
        return click.style(word, fg=MOOD_COLORS[mood], bold=mood == "red")
    return word


def cell_text(cell: Cell, lang: str, color: bool) -> str:
    return mood_word(cell.mood, lang, color) if isinstance(cell, Mood) else cell


def table_lines(table: Table, lang: str, color: bool) -> list[str]:
    """Columns padded to their widest cell (CJK characters count two)."""
    plain = [[cell_text(cell, lang, False) for cell in row] for row in table.rows]
    columns = [
        max([width(header), *(width(row[index]) for row in plain)])
        for index, header in enumerate(table.headers)
    ]
    lines = ["  ".join(pad(h, columns[i]) for i, h in enumerate(table.headers)).rstrip()]
    lines.append("  ".join("-" * size for size in columns))
    for row in table.rows:
        cells = []
        for index, cell in enumerate(row):
            text = cell_text(cell, lang, False)
            shown = cell_text(cell, lang, color)
            cells.append(shown + " " * max(columns[index] - width(text), 0))
        lines.append("  ".join(cells).rstrip())
    return lines
