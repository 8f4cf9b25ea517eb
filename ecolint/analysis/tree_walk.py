"""Walking an ``ast`` tree in source order, without the context and operator nodes.

``ast.iter_child_nodes`` looks fields up by name on every call and yields ``Load``/``Store``
markers and operator singletons nobody indexes; the field names of each node type are read once.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache

_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "kind"})


@cache
def _child_fields(node_type: type[ast.AST]) -> tuple[str, ...]:
    return tuple(name for name in node_type._fields if name not in _SKIPPED_FIELDS)


def children(node: ast.AST) -> Iterator[ast.AST]:
    """Child nodes in field order (for a call: the callee, positional arguments, keywords)."""
    for name in _child_fields(type(node)):
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    yield item


def walk(node: ast.AST, prune: tuple[type[ast.AST], ...] = ()) -> Iterator[ast.AST]:
    """``node`` and every node below it in field order; nodes of a ``prune`` type below
    ``node`` are yielded but not entered (a nested ``def`` runs later, if at all)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is node or not isinstance(current, prune):
            stack.extend(reversed(list(children(current))))
