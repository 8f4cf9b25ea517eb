"""Walking an ``ast`` tree in source order, without the context and operator nodes."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ecolint.sources.ast_children import child_nodes


def walk(node: ast.AST, prune: tuple[type[ast.AST], ...] = ()) -> Iterator[ast.AST]:
    """``node`` and every node below it in field order; nodes of a ``prune`` type below
    ``node`` are yielded but not entered (a nested ``def`` runs later, if at all)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is node or not isinstance(current, prune):
            stack.extend(reversed(child_nodes(current)))
