"""What a fix changes: text replacements in a module's text, narrowed to the characters that
differ (``, llm_int8_threshold=0.0`` inserted before ``)``): small edits keep diffs readable
and let fixes to different parts of one statement be applied together. Checks import this
module; it imports no libcst, which only a run that builds fixes loads (``cst_bridge``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from ecolint.analysis.module import ModuleInfo


class FixError(Exception):
    """A fix that cannot be made; the message says why and is shown to the user."""


@dataclass(unsafe_hash=True)
class TextEdit:
    """Replace ``module.text[start:end]`` with ``text`` (offsets in characters). For a
    notebook the offsets are in the module its code cells are joined into."""

    module: ModuleInfo
    start: int
    end: int
    text: str


@dataclass(unsafe_hash=True)
class Fix:
    """All edits one finding's fix makes; they are applied together or not at all."""

    edits: tuple[TextEdit, ...]

    @classmethod
    def of(cls, *edits: TextEdit | None) -> Fix | None:
        """A fix from the edits an operation made, or None when one of them could not be."""
        if not edits or any(edit is None for edit in edits):
            return None
        return cls(tuple(edit for edit in edits if edit is not None))


def line_starts(text: str) -> list[int]:
    starts = [0]
    index = text.find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def line_column(starts: list[int], at: int) -> tuple[int, int]:
    """1-based line and column of an offset, given the text's line starts."""
    line = bisect.bisect_right(starts, at)
    return line, at - starts[line - 1] + 1


def narrow(old: str, new: str) -> tuple[int, int, int]:
    """``(start, old_stop, new_stop)``: ``old[start:old_stop]`` becomes ``new[start:new_stop]``
    and everything around it is shared. Whole lines are matched first, so an inserted line
    lands between lines rather than inside one that happens to look alike."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    limit = min(len(old_lines), len(new_lines))
    head = 0
    while head < limit and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while tail < limit - head and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    start = sum(len(line) for line in old_lines[:head])
    old_stop = len(old) - sum(len(line) for line in old_lines[len(old_lines) - tail :])
    new_stop = len(new) - sum(len(line) for line in new_lines[len(new_lines) - tail :])
    a, b = old[start:old_stop], new[start:new_stop]
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    first, a_stop, b_stop = prefix, len(a) - suffix, len(b) - suffix
    # whole tokens: ``6.0`` → ``0.0`` rather than ``6`` → ``0``
    while (
        first > 0
        and _word(a[first - 1])
        and (_word_at(a, first, a_stop) or _word_at(b, first, b_stop))
    ):
        first -= 1
    while (
        a_stop < len(a)
        and _word(a[a_stop])
        and (_word_at(a, a_stop - 1, a_stop, first) or _word_at(b, b_stop - 1, b_stop, first))
    ):
        a_stop += 1
        b_stop += 1
    return start + first, old_stop - (len(a) - a_stop), new_stop - (len(b) - b_stop)


def _word(char: str) -> bool:
    return char.isalnum() or char in "_."


def _word_at(text: str, index: int, stop: int, first: int = 0) -> bool:
    return first <= index < stop and _word(text[index])


def edit_between(module: ModuleInfo, base: int, old: str, new: str) -> TextEdit | None:
    """The narrowed edit that turns ``old`` (found at ``base`` in the text) into ``new``."""
    if old == new:
        return None
    start, old_stop, new_stop = narrow(old, new)
    return TextEdit(module, base + start, base + old_stop, new[start:new_stop])


def apply_text(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """Apply non-overlapping ``(start, end, replacement)`` edits to ``text``."""
    pieces: list[str] = []
    at = 0
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        if start < at:
            raise FixError("edits overlap")
        pieces += [text[at:start], replacement]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)
