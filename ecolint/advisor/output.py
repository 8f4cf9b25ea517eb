"""An advisor answer: JSON data for tools plus blocks rendered as text or Markdown.

Moods are coloured on a terminal that allows it (never with ``NO_COLOR``, ``--no-color`` or
when piped) and written as words (``[green]``) everywhere else.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

import click

from ecolint.text_table import Table, cell_text, mood_word, pad, table_lines, width

BAR_WIDTH = 10  # characters for 100 % (the seed's chart)
BAR_MAX = 40  # longer bars are cut and marked
# Inline Markdown of quoted prose (PROVENANCE.md's contradictions): bold and code spans.
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def terminal_text(text: str, color: bool) -> str:
    """Inline Markdown for the terminal: ``**bold**`` bold (plain without colour), code spans
    without their backticks."""
    text = _CODE.sub(r"\1", text)
    if color:
        return _BOLD.sub(lambda found: click.style(found.group(1), bold=True), text)
    return _BOLD.sub(r"\1", text)


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Bar:
    label: str
    percent: float
    extra: str
    mood: str


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]


Block = Heading | Para | Bullets | Table | Chart


@dataclass
class Answer:
    data: dict[str, Any]
    blocks: list[Block] = field(default_factory=list)


def bar(percent: float) -> str:
    length = max(round(percent / 100 * BAR_WIDTH), 1 if percent > 0 else 0)
    if length > BAR_MAX:
        return "[" + "=" * BAR_MAX + ">]"
    return "[" + "=" * length + "]"


def _chart_lines(chart: Chart, lang: str, color: bool) -> list[str]:
    labels = max(width(item.label) for item in chart.bars) + 1
    bars = max(len(bar(item.percent)) for item in chart.bars)
    lines = []
    for item in chart.bars:
        percent = f"{item.percent:.0f}%"
        line = f"{pad(item.label + ':', labels)} {bar(item.percent):<{bars}} {percent:>5}"
        if item.extra:
            line += f"  {item.extra}"
        lines.append(f"{line}  {mood_word(item.mood, lang, color)}")
    return lines


def _wrapped(text: str, width: int | None, first: str = "", rest: str = "") -> list[str]:
    """Prose wrapped to the terminal's width (tables and charts keep their rows whole)."""
    if width is None:
        return [first + text]
    return textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    ) or [first]


def render_text(answer: Answer, lang: str, color: bool, width: int | None = None) -> str:
    """``width``: the terminal's columns, to wrap prose at (None: one line per item)."""
    lines: list[str] = []
    for block in answer.blocks:
        if isinstance(block, Heading):
            if lines:
                lines.append("")
            lines.append(click.style(block.text, bold=True) if color else block.text)
        elif isinstance(block, Para):
            lines.extend(_wrapped(terminal_text(block.text, color), width))
        elif isinstance(block, Bullets):
            for item in block.items:
                lines.extend(_wrapped(terminal_text(item, color), width, "  - ", "    "))
        elif isinstance(block, Table):
            lines.extend(table_lines(block, lang, color))
        else:
            lines.append(block.title)
            lines.extend(_chart_lines(block, lang, color))
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(answer: Answer, lang: str) -> str:
    parts: list[str] = []
    for block in answer.blocks:
        if isinstance(block, Heading):
            parts.append(f"## {block.text}")
        elif isinstance(block, Para):
            parts.append(block.text)
        elif isinstance(block, Bullets):
            parts.append("\n".join(f"- {item}" for item in block.items))
        elif isinstance(block, Table):
            rows = [
                "| " + " | ".join(_escape(h) for h in block.headers) + " |",
                "|" + "---|" * len(block.headers),
            ]
            for row in block.rows:
                cells = (_escape(cell_text(cell, lang, False)) for cell in row)
                rows.append("| " + " | ".join(cells) + " |")
            parts.append("\n".join(rows))
        else:
            chart = "\n".join(_chart_lines(block, lang, False))
            parts.append(f"{block.title}\n\n```text\n{chart}\n```")
    return "\n\n".join(parts) + "\n"


def render(answer: Answer, fmt: str, lang: str, color: bool, width: int | None = None) -> str:
    if fmt == "json":
        return json.dumps(answer.data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(answer, lang)
    return render_text(answer, lang, color, width)
