"""Where a node sits: the chain of nodes that hold it, the statement it belongs to, and the
unit of work around it (the innermost function, else the notebook cell or the module's
top-level code). Roles are decided per unit, not per file: a notebook that trains in one cell
and generates in another is both, each in its place."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.parents import parent

_STATEMENTS = ast.stmt
Function = ast.FunctionDef | ast.AsyncFunctionDef


def ancestors(module: ModuleInfo, node: ast.AST) -> Iterator[ast.AST]:
    """The nodes that hold ``node``, innermost first (the node itself not included)."""
    current = parent(module, node)
    while current is not None:
        yield current
        current = parent(module, current)


def statement_of(module: ModuleInfo, node: ast.AST) -> ast.AST | None:
    """The innermost statement that holds ``node`` (or is it)."""
    if isinstance(node, _STATEMENTS):
        return node
    return next((up for up in ancestors(module, node) if isinstance(up, _STATEMENTS)), None)


def top_statement(module: ModuleInfo, node: ast.AST) -> ast.AST | None:
    """The statement of the module's body that holds ``node``."""
    chain = [node, *ancestors(module, node)]
    return next((up for up in chain if parent(module, up) is module.module), None)


@dataclass(frozen=True)
class Unit:
    """A function, or top-level code: a notebook cell (``cell`` is its index) or, for a
    script, the whole of its top-level code (``cell`` is None)."""

    function: Function | None
    cell: int | None = None


def functions_around(module: ModuleInfo, node: ast.AST) -> list[Function]:
    """The functions that hold ``node``, innermost first."""
    return [
        up
        for up in ancestors(module, node)
        if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]


def units_of(module: ModuleInfo, node: ast.AST) -> list[Unit]:
    """The units around ``node``, innermost first, ending with its top-level code."""
    functions = functions_around(module, node)
    top = top_statement(module, node)
    cell = cell_of(module, top) if top is not None and functions else cell_of(module, node)
    return [*(Unit(function) for function in functions), Unit(None, cell)]


def cell_of(module: ModuleInfo, node: ast.AST) -> int | None:
    """The notebook cell of a node; None in a script."""
    if module.notebook is None:
        return None
    line = module.position(node).start.line
    return module.notebook.source_map.locate(line, 0).cell


def unit_calls(module: ModuleInfo, unit: Unit) -> list[ast.Call]:
    """The module's calls that run in the unit itself (not in functions it defines)."""
    return [
        call
        for call in module.calls
        if _innermost_function(module, call) is unit.function
        and (unit.function is not None or unit.cell is None or cell_of(module, call) == unit.cell)
    ]


def _innermost_function(module: ModuleInfo, node: ast.AST) -> Function | None:
    scope = module.scope_of.get(node)
    while scope is not None and scope.kind != "function":
        scope = scope.parent
    if scope is not None and isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return scope.node
    return None
