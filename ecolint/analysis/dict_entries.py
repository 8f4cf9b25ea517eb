"""One ``key: value`` pair of a dict literal as a node of its own.

``ast.Dict`` keeps keys and values in two lists, but a finding about an option written in a
dict points at the pair, and a fix renames or removes the pair: both need one node with the
pair's position. Entries are made once per module and pair, so sites that name the same
entry compare equal.
"""

from __future__ import annotations

import ast


class DictEntry(ast.AST):
    """``key: value`` at ``index`` of ``dict``; spans the key's start to the value's end."""

    _fields = ("key", "value")

    def __init__(self, holder: ast.Dict, index: int) -> None:
        super().__init__()
        key = holder.keys[index]
        value = holder.values[index]
        assert key is not None  # a ``**spread`` has no pair of its own
        self.key = key
        self.value = value
        self.dict = holder
        self.index = index
        self.lineno = key.lineno
        self.col_offset = key.col_offset
        self.end_lineno = value.end_lineno
        self.end_col_offset = value.end_col_offset


class DictEntries:
    """The entries made so far for one module's dict literals."""

    def __init__(self) -> None:
        self._made: dict[tuple[ast.Dict, int], DictEntry] = {}

    def entry(self, holder: ast.Dict, index: int) -> DictEntry:
        found = self._made.get((holder, index))
        if found is None:
            found = self._made[(holder, index)] = DictEntry(holder, index)
        return found
