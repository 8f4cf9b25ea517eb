"""Walking a libcst tree without its trivia: libcst's own visitor rebuilds every node it
passes, which costs more than the whole module index."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from functools import cache

import libcst as cst

_TRIVIA_MODULES = frozenset({"libcst._nodes.whitespace", "libcst._nodes.op"})
_TRIVIA_FIELDS = frozenset({"lpar", "rpar", "leading_lines", "lines_after_decorators", "footer"})


@cache
def _child_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    return tuple(
        item.name
        for item in fields(node_type)
        if item.name not in _TRIVIA_FIELDS and not item.name.startswith("whitespace")
    )


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Child nodes in field order, without whitespace, punctuation and operators: libcst's own
    visitor rebuilds every node it passes, which costs more than the whole index."""
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            if type(value).__module__ not in _TRIVIA_MODULES:
                yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, cst.CSTNode) and type(item).__module__ not in _TRIVIA_MODULES:
                    yield item


def walk(node: cst.CSTNode, prune: tuple[type[cst.CSTNode], ...] = ()) -> Iterator[cst.CSTNode]:
    """``node`` and every node below it in source order, without trivia; nodes of a ``prune``
    type below ``node`` are yielded but not entered (a nested ``def`` runs later, if at all)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is node or not isinstance(current, prune):
            stack.extend(reversed(list(children(current))))
