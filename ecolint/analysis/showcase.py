"""A demo's handful of prompts: a loop over that few is shown one by one on purpose.

A list written out in the code with at most ``SHOWCASE_ITEMS`` items, or that few taken from a
longer one (``examples[:4]``, ``random.sample(examples, k=4)``, ``test_inputs[:args.num_inputs]``
with a default of 1), is not a workload: batching it saves next to nothing, and no maintainer
would take the change. A name is followed to the assignments that may give it its value on the
default path, and ``zip()`` stops at its shortest argument.
"""

from __future__ import annotations

import ast

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import Const, alternatives

SHOWCASE_ITEMS = 8
_FOLLOW_DEPTH = 3  # names followed to the names they are assigned from


def few_taken(resolver: Resolver, module: ModuleInfo, node: ast.expr, depth: int = 0) -> bool:
    """``items[:N]`` or ``random.sample(items, N)`` with N at most ``SHOWCASE_ITEMS``, a name
    every assignment of which that may run before ``node`` is one, or ``zip()`` of one."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        bounds = node.slice
        start = bounds.lower
        from_start = start is None or (isinstance(start, ast.Constant) and start.value == 0)
        return (
            from_start
            and bounds.step is None
            and bounds.upper is not None
            and _few(resolver, module, bounds.upper)
        )
    if isinstance(node, ast.Call):
        qualname = resolver.qualname(module, node.func)
        if qualname == "random.sample":
            keywords = [keyword.value for keyword in node.keywords if keyword.arg == "k"]
            count = node.args[1] if len(node.args) > 1 else (keywords[0] if keywords else None)
            return count is not None and _few(resolver, module, count)
        if qualname == "builtins.zip":
            return any(few_taken(resolver, module, arg, depth) for arg in node.args)
    if isinstance(node, ast.Name) and depth < _FOLLOW_DEPTH:
        values = _assigned(resolver, module, node)
        return bool(values) and all(
            few_taken(resolver, module, value, depth + 1) for value in values
        )
    return False


def _assigned(resolver: Resolver, module: ModuleInfo, node: ast.Name) -> list[ast.expr]:
    """The expressions assigned to the name, in its scope before ``node``, by the assignments
    that may run on the default path; empty when any binding is of another kind."""
    binding = resolver.lookup(module, node)
    if binding is None:
        return []
    before = module.order_of.get(node, 0)
    values = []
    for other in binding.scope.bindings.get(node.id, []):
        if other.order >= before or other.secondary:
            continue
        if not resolver.reachable(module, other.node):
            continue
        if other.kind != "assign" or other.value is None or other.path:
            return []
        values.append(other.value)
    return values


def _few(resolver: Resolver, module: ModuleInfo, node: ast.expr) -> bool:
    """A count of at most ``SHOWCASE_ITEMS``: a number the code gives, or ``min()`` of one."""
    if isinstance(node, ast.Call) and resolver.qualname(module, node.func) == "builtins.min":
        return any(_few(resolver, module, argument) for argument in node.args)
    options = alternatives(resolver.value(module, node))
    return bool(options) and all(
        isinstance(option, Const)
        and type(option.value) is int
        and 0 <= option.value <= SHOWCASE_ITEMS
        for option in options
    )
