"""ECO002's fix, which its check builds in its run-wide ``finish`` (only then is it known which
codes silenced nothing): the codes a suppression comment lists in vain are taken out of it, in
Python, notebook cells, requirement lists, TOML and YAML alike (``suppression.without_codes``
says how the comment is rewritten)."""

from __future__ import annotations

from collections.abc import Collection

from ecolint.analysis.module import ModuleInfo
from ecolint.findings.model import Replacement
from ecolint.findings.suppression import Directive, without_codes
from ecolint.fixes.edits import Fix, TextEdit, line_starts
from ecolint.fixes.files import replacements, text_replacements
from ecolint.sources.document import Document


def unused_codes_fix(
    unit: ModuleInfo | Document, directive: Directive, codes: Collection[str]
) -> tuple[Replacement, ...]:
    """The comment without ``codes``. A comment left empty goes with the blanks before it, or
    with its whole line when it had the line to itself; the code on the line stays."""
    text = unit.text
    line_start = line_starts(text)[directive.line - 1]
    start, end = line_start + directive.column, line_start + directive.end_column
    new = without_codes(text[start:end], codes)
    if new == text[start:end]:
        return ()
    if not new:
        before = text[line_start:start]
        if before.strip():
            start = line_start + len(before.rstrip())
        else:
            line_end = text.find("\n", end)
            start, end = line_start, len(text) if line_end < 0 else line_end + 1
    if isinstance(unit, ModuleInfo):
        return replacements(Fix((TextEdit(unit, start, end, new),)))
    return tuple(text_replacements(unit.display, unit.path, text, [(start, end, new)]))
