"""The node that holds a node: libcst nodes do not know their parents, and the index keeps
none, so fixes and the role model build one map per module when first asked."""

from __future__ import annotations

from weakref import WeakKeyDictionary

import libcst as cst

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.tree_walk import children

_PARENTS: WeakKeyDictionary[ModuleInfo, dict[cst.CSTNode, cst.CSTNode]] = WeakKeyDictionary()


def parent(module: ModuleInfo, node: cst.CSTNode) -> cst.CSTNode | None:
    """The node that holds ``node`` (punctuation and whitespace nodes are not indexed)."""
    parents = _PARENTS.get(module)
    if parents is None:
        parents = _PARENTS[module] = {}
        pending: list[cst.CSTNode] = [module.module]
        while pending:
            current = pending.pop()
            for child in children(current):
                parents[child] = current
                pending.append(child)
    return parents.get(node)


def enclosing(module: ModuleInfo, node: cst.CSTNode, kind: type[cst.CSTNode]) -> cst.CSTNode | None:
    current = parent(module, node)
    while current is not None and not isinstance(current, kind):
        current = parent(module, current)
    return current
