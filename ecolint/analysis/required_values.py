"""Values the code itself says it cannot change: ``assert args.batch_size == 1, "Only batch
size 1 is supported"``, or ``if args.batch_size != 1: raise ...``. Advice to change such a value
would break the code that guards it, so a rule leaves it alone."""

from __future__ import annotations

import ast

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.tree_walk import walk


def required_constant(module: ModuleInfo, expression: ast.AST, constant: object) -> bool:
    """Whether the module asserts ``expression == constant`` (or raises when it differs), the
    expression compared by its source text (``args.batch_size``)."""
    if isinstance(expression, ast.keyword):
        expression = expression.value
    wanted = ast.unparse(expression)
    return any(
        _pins(test, wanted, constant, ast.Eq if holds else ast.NotEq)
        for test, holds in _guards(module)
    )


def _guards(module: ModuleInfo) -> list[tuple[ast.expr, bool]]:
    """Each test the module enforces, with True when the test must hold (an ``assert``) and
    False when it must not (an ``if`` whose body only raises)."""
    found: list[tuple[ast.expr, bool]] = []
    for node in walk(module.module):
        if isinstance(node, ast.Assert):
            found.append((node.test, True))
        elif isinstance(node, ast.If) and all(isinstance(s, ast.Raise) for s in node.body):
            found.append((node.test, False))
    return found


def _pins(test: ast.expr, wanted: str, constant: object, operator: type[ast.cmpop]) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], operator):
        return False
    sides = (test.left, test.comparators[0])
    for side, other in (sides, sides[::-1]):
        if (
            isinstance(other, ast.Constant)
            and type(other.value) is type(constant)
            and other.value == constant
            and ast.unparse(side) == wanted
        ):
            return True
    return False
