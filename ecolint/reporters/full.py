"""The text report with the offending source lines under each finding, as ruff's ``full``
format shows them. The lines are read again from the file (a regular file only, a bounded
number of bytes per line) and made inert: they come from the scanned tree."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ecolint.findings.model import Finding
from ecolint.reporters.inert import inert
from ecolint.reporters.text import finding_text

MAX_LINE_BYTES = 4096
MAX_CONTEXT_LINES = 5


def source_lines(path: Path, first: int, last: int) -> list[str]:
    """Lines ``first``..``last`` (1-based), or none when the file cannot be shown."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return []
        with path.open("rb") as handle:
            lines: list[str] = []
            for number in range(1, last + 1):
                raw = handle.readline(MAX_LINE_BYTES)
                if not raw or (len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n")):
                    return []
                if number >= first:
                    lines.append(raw.decode("utf-8", "replace").rstrip("\r\n"))
            return lines
    except OSError:
        return []


def _context(finding: Finding) -> list[str]:
    if finding.cell is not None:
        return []  # a notebook's lines are JSON strings in the raw file
    last = min(max(finding.end_line, finding.line), finding.line + MAX_CONTEXT_LINES - 1)
    lines = source_lines(Path(finding.path), finding.line, last)
    if not lines:
        return []
    width = len(str(last))
    shown = [
        f"  {number:>{width}} | {inert(text)}" for number, text in enumerate(lines, finding.line)
    ]
    if len(lines) == 1:
        end = finding.end_column if finding.end_line == finding.line else len(lines[0]) + 1
        carets = "^" * max(1, end - finding.column)
        shown.append(f"  {'':>{width}} | {' ' * (finding.column - 1)}{carets}")
    return shown


def full_line(finding: Finding, color: bool, lang: str) -> str:
    text = finding_text(finding, color, lang)
    context = _context(finding)
    if not context:
        return text
    first, _, rest = text.partition("\n")
    return "\n".join([first, *context, *([rest] if rest else [])])
