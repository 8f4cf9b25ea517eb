"""Edit operations on what the resolver found: an option (an ``Entry`` of a call's keywords,
a dict literal or a ``d[...] = ...`` assignment) is changed where it is written, and a
resolved ``Value`` where it is defined (its literal, or the last assignment or default it went
through), so that a value several findings flow from is fixed once, at its definition.
"""

from __future__ import annotations

import ast

import libcst as cst

from ecolint.analysis.dict_entries import DictEntry
from ecolint.analysis.parents import parent
from ecolint.analysis.values import Const, Entry, Ref, Value
from ecolint.fixes.cst_bridge import cst_tree
from ecolint.fixes.definitions import definition, dotted_name, subscript_assignment, where_defined
from ecolint.fixes.edits import Fix, TextEdit
from ecolint.fixes.ops import (
    add_entry,
    add_keyword,
    insert_after,
    qualified,
    quoted,
    remove_entry,
    remove_keyword,
    remove_statement,
    rename_key,
    rename_keyword,
    replace_expression,
)


def set_option(entry: Entry, value: str) -> TextEdit | None:
    """Replace the value of a keyword (``k=v``), a dict entry (``"k": v``) or a subscript
    assignment (``d["k"] = v``) where it is written."""
    module, node = entry.site.module, entry.site.node
    if isinstance(node, (ast.keyword, DictEntry)):
        return replace_expression(module, node.value, value)
    if isinstance(node, ast.expr) and subscript_assignment(module, node) is not None:
        return replace_expression(module, node, value)
    return None


def remove_option(entry: Entry) -> TextEdit | None:
    module, node = entry.site.module, entry.site.node
    if isinstance(node, ast.keyword) and node.arg is not None:
        return remove_keyword(module, node)
    if isinstance(node, DictEntry):
        return remove_entry(module, node)
    statement = subscript_assignment(module, node)
    return remove_statement(module, statement) if statement is not None else None


def rename_option(entry: Entry, name: str) -> TextEdit | None:
    module, node = entry.site.module, entry.site.node
    if isinstance(node, ast.keyword):
        return rename_keyword(module, node, name)
    if isinstance(node, DictEntry):
        return rename_key(module, node, name)
    return None


def add_option(beside: Entry, name: str, value: str) -> TextEdit | None:
    """Add ``name=value`` where another option of the same setup (``beside``) is written: to
    that call's keywords, to that dict literal, or as ``d["name"] = value`` after that
    subscript assignment."""
    module, node = beside.site.module, beside.site.node
    holder = parent(module, node)
    if isinstance(node, ast.keyword) and isinstance(holder, ast.Call):
        return add_keyword(module, holder, name, value)
    if isinstance(node, DictEntry):
        return add_entry(module, node.dict, name, value)
    statement = subscript_assignment(module, node)
    if statement is None:
        return None
    target = statement.targets[0]
    assert isinstance(target, ast.Subscript)
    key = quoted(name, cst_tree(module).node(target.slice))
    return insert_after(module, statement, f"{module.code_for(target.value)}[{key}] = {value}")


def set_value(value: Value, code: str) -> TextEdit | None:
    """Replace the expression a resolved value was defined as, where it is defined: the
    literal it was written as, or the right-hand side of the last assignment (or the default
    of the parameter) it went through (``DTYPE = torch.float32`` for ``torch_dtype=DTYPE``).
    None when neither is known."""
    site = definition(value)
    if site is None or not isinstance(site.node, ast.expr):
        return None
    return replace_expression(site.module, site.node, code)


def set_dtype(entry: Entry, name: str, string: str | None = None) -> Fix | None:
    """Set a dtype option to the torch dtype ``name`` (``bfloat16``) where its value is
    defined. A string stays a string (``"float32"`` → ``"bfloat16"``, or ``string`` where the
    library spells it differently: accelerate's ``"bf16"``); anything else becomes
    ``torch.bfloat16``, written with the name torch has there (``th.bfloat16``), importing
    torch where it is not. None for a value with several possible definitions, or defined by
    an expression other than a name (a conditional, a call)."""
    value = entry.value
    if isinstance(value, Const) and isinstance(value.value, str):
        return Fix.of(set_literal(value, string or name))
    if not isinstance(value, (Const, Ref)):
        return None
    site = where_defined(entry)
    if site is None or not dotted_name(site.node):
        return None  # ``th.float16 if half else th.float32`` holds a choice to keep
    assert isinstance(site.node, ast.expr)
    code = qualified(site.module, site.node, f"torch.{name}")
    if code is None:
        return None
    return Fix.of(replace_expression(site.module, site.node, code[0]), *code[1])


def set_literal(value: Value, new: object) -> TextEdit | None:
    """Replace the literal a resolved value was written as (``THRESHOLD = 6.0``, a parameter or
    dataclass default, an argparse or environment default) with ``new``, written in the same
    kind of literal. None when the value was computed rather than written."""
    origin = value.origin
    if origin is None or not isinstance(origin.node, ast.expr):
        return None
    code = literal_like(cst_tree(origin.module).node(origin.node), new)
    if code is None:
        return None
    return replace_expression(origin.module, origin.node, code)


def literal_like(node: cst.CSTNode, new: object) -> str | None:
    """``new`` as the same kind of literal as ``node``: a number for a number, a string in the
    same quotes for a string (``"6"`` → ``"0"``, ``'6.0'`` → ``'0.0'``)."""
    number = isinstance(new, (int, float)) and not isinstance(new, bool)
    if isinstance(node, cst.SimpleString) and isinstance(new, str):
        return quoted(new, node)
    if isinstance(node, cst.SimpleString) and number:
        body = node.raw_value
        integral = body.strip().lstrip("+-").isdigit() and float(new).is_integer()
        return quoted(str(int(new)) if integral else repr(float(new)), node)
    if isinstance(node, (cst.Integer, cst.Float)) and number:
        return (
            repr(int(new))
            if isinstance(node, cst.Integer) and float(new).is_integer()
            else (repr(float(new)))
        )
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.expression, (cst.Integer, cst.Float))
        and number
    ):
        return literal_like(node.expression, new)
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return repr(new) if isinstance(new, bool) or new is None else None
    return None
