"""The child nodes of an ``ast`` node, without ``ast.iter_child_nodes``' costs.

``iter_child_nodes`` walks every field by name through two generators and yields the
``Load``/``Store`` markers and operator singletons that no reader here wants. The fields that
can hold nodes are found once per node type; scanning a repository visits millions of nodes.
"""

from __future__ import annotations

import ast

# Fields that never hold a node worth visiting: names and flags are strings or numbers, and
# contexts and operators are singletons.
_SKIPPED = frozenset(
    {"ctx", "op", "ops", "id", "attr", "name", "arg", "asname", "module", "level", "kind",
     "type_comment", "conversion", "is_async", "simple", "lineno"}
)  # fmt: skip
# List fields whose items may be None (``Dict.keys``, ``arguments.kw_defaults``) or strings
# (``Global.names``, ``MatchClass.kwd_attrs``; ``Import.names`` holds aliases).
_MIXED_LISTS = frozenset({"keys", "kw_defaults", "names", "kwd_attrs"})
_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {ast.Constant: ()}


def node_fields(node_type: type[ast.AST]) -> tuple[str, ...]:
    """The fields of ``node_type`` that may hold nodes, in the order ``ast`` lists them."""
    fields = _FIELDS.get(node_type)
    if fields is None:
        fields = _FIELDS[node_type] = tuple(
            name for name in node_type._fields if name not in _SKIPPED
        )
    return fields


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``node``'s children in field order (for a call: the callee, its positional arguments,
    its keywords), without context and operator markers."""
    return _nodes_in(node, _FIELDS.get(type(node)) or node_fields(type(node)))


def every_child_node(node: ast.AST) -> list[ast.AST]:
    """What ``ast.iter_child_nodes`` yields, in its order, context and operator markers
    included, as one list (the parse guard's counts and error positions depend on them)."""
    return _nodes_in(node, node._fields)


def _nodes_in(node: ast.AST, fields: tuple[str, ...]) -> list[ast.AST]:
    """The nodes in ``fields``: only a few list fields may hold something else than nodes
    (``None`` keys and defaults, identifiers); the others are taken whole."""
    found: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            if name in _MIXED_LISTS:
                found.extend(item for item in value if isinstance(item, ast.AST))
            else:
                found.extend(value)
        elif isinstance(value, ast.AST):
            found.append(value)
    return found
