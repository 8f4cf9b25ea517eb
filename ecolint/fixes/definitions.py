"""Where an option or a value is written, judged on the ``ast`` tree alone: what a fix would
change (``options`` then rewrites it with libcst) and, without libcst, whether a check's fix
applies at all (``Check.fixable``, for the runs that build no edits).
"""

from __future__ import annotations

import ast

from ecolint.analysis.bindings import parameters
from ecolint.analysis.dict_entries import DictEntry
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.parents import parent
from ecolint.analysis.values import Const, Entry, Ref, Site, Value


def subscript_assignment(module: ModuleInfo, node: ast.AST) -> ast.Assign | None:
    """The statement ``d["k"] = node`` when ``node`` is the value of such an assignment, on a
    line of its own (not ``if x: d["k"] = node``)."""
    assign = parent(module, node)
    if not isinstance(assign, ast.Assign) or assign.value is not node:
        return None
    if len(assign.targets) != 1 or not isinstance(assign.targets[0], ast.Subscript):
        return None
    holder = parent(module, assign)
    if isinstance(holder, ast.stmt) and holder.lineno == assign.lineno:
        return None
    return assign


def literal_written(value: Value) -> bool:
    """Whether a value was written as a literal (a fix can write another in its place)."""
    return value.origin is not None and is_literal(value.origin.node)


def may_remove(entry: Entry) -> bool:
    """Whether an option is a keyword, a dict entry or a ``d["k"] = ...`` line to remove."""
    node = entry.site.node
    if isinstance(node, ast.keyword):
        return node.arg is not None
    return isinstance(node, DictEntry) or subscript_assignment(entry.site.module, node) is not None


def may_add_beside(entry: Entry) -> bool:
    """Whether another option can be written where ``entry`` is: in its call, its dict
    literal, or as a ``d["k"] = ...`` line after its own."""
    node = entry.site.node
    if isinstance(node, ast.keyword):
        return isinstance(parent(entry.site.module, node), ast.Call)
    return isinstance(node, DictEntry) or subscript_assignment(entry.site.module, node) is not None


def dtype_settable(entry: Entry) -> bool:
    """Whether ``options.set_dtype`` has a place to write a 16-bit dtype: a string literal, or
    a name (``torch.float32``) where the value is defined."""
    value = entry.value
    if isinstance(value, Const) and isinstance(value.value, str):
        return literal_written(value)
    if not isinstance(value, (Const, Ref)):
        return False
    site = where_defined(entry)
    return site is not None and dotted_name(site.node)


def definition(value: Value) -> Site | None:
    """Where a resolved value is written: its literal, or the expression assigned to the last
    name (or parameter default) on its way to the use."""
    origin = value.origin
    if origin is not None and is_literal(origin.node):
        return origin
    if not value.via:
        return None
    site = value.via[-1].site
    node = site.node
    if isinstance(node, ast.arg):
        default = _default(parent(site.module, node), node)
        return Site(site.module, default) if default is not None else None
    holder = parent(site.module, node) if isinstance(node, ast.Name) else None
    if isinstance(holder, ast.Assign) and holder.targets == [node]:
        return Site(site.module, holder.value)
    if isinstance(holder, ast.AnnAssign) and holder.target is node and holder.value is not None:
        return Site(site.module, holder.value)
    return None


def _default(arguments: ast.AST | None, arg: ast.arg) -> ast.expr | None:
    if not isinstance(arguments, ast.arguments):
        return None
    return next((default for param, default in parameters(arguments) if param is arg), None)


def where_defined(entry: Entry) -> Site | None:
    """The expression to change for an option: where its value is defined (``definition``),
    or the value written at the option itself. None when the value came through a name,
    default or call whose definition is not an expression here (an argparse default of
    ``torch.float32``): changing the use would hard-code it."""
    site = definition(entry.value)
    if site is not None:
        return site
    node = option_value(entry)
    if node is None or entry.value.via:
        return None
    return Site(entry.site.module, node)


def written_at(entry: Entry) -> bool:
    """Whether an option's value is written right where the option is (``use_cache=False``)
    rather than coming from a name, a default or a dict defined elsewhere."""
    value_node = option_value(entry)
    return (
        value_node is not None
        and not entry.value.via
        and (entry.value.origin is None or entry.value.origin.node is value_node)
    )


def dotted_name(node: ast.AST) -> bool:
    """``torch.float32``, ``float32``, ``None``: a name, not an expression that computes one."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) or _named_constant(node)


def _named_constant(node: ast.AST) -> bool:
    """``True``, ``False``, ``None``: names in libcst, constants in ``ast``."""
    return isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool))


def is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(
        node.value, (str, bytes, int, float, type(None))
    )


def option_value(entry: Entry) -> ast.AST | None:
    """The value written at an option: a keyword's or a dict entry's value, a positional
    argument itself, the right-hand side of ``d["k"] = ...``."""
    module, node = entry.site.module, entry.site.node
    if isinstance(node, (ast.keyword, DictEntry)):
        return node.value
    holder = parent(module, node)
    if isinstance(holder, ast.Call) and node in holder.args:
        return node
    return node if subscript_assignment(module, node) is not None else None
