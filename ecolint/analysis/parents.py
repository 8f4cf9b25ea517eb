"""The node that holds a node: ``ast`` nodes do not know their parents, and the index keeps
none, so fixes and the role model build one map per module when first asked."""

from __future__ import annotations

import ast
from weakref import WeakKeyDictionary

from ecolint.analysis.module import ModuleInfo
from ecolint.sources.ast_children import child_nodes

_PARENTS: WeakKeyDictionary[ModuleInfo, dict[ast.AST, ast.AST]] = WeakKeyDictionary()


def parent(module: ModuleInfo, node: ast.AST) -> ast.AST | None:
    """The node that holds ``node`` (context and operator nodes are not indexed)."""
    parents = _PARENTS.get(module)
    if parents is None:
        parents = _PARENTS[module] = {}
        pending: list[ast.AST] = [module.module]
        while pending:
            current = pending.pop()
            for child in child_nodes(current):
                parents[child] = current
                pending.append(child)
    return parents.get(node)


def enclosing(module: ModuleInfo, node: ast.AST, kind: type[ast.AST]) -> ast.AST | None:
    current = parent(module, node)
    while current is not None and not isinstance(current, kind):
        current = parent(module, current)
    return current
