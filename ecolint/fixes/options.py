"""Edit operations on what the resolver found: an option (an ``Entry`` of a call's keywords,
a dict literal or a ``d[...] = ...`` assignment) is changed where it is written, and a
resolved ``Value`` where it is defined (its literal, or the last assignment or default it went
through), so that a value several findings flow from is fixed once, at its definition.
"""

from __future__ import annotations

import libcst as cst

from ecolint.analysis.parents import parent
from ecolint.analysis.values import Const, Entry, Ref, Site, Value
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
    subscript_assignment,
)


def set_option(entry: Entry, value: str) -> TextEdit | None:
    """Replace the value of a keyword (``k=v``), a dict entry (``"k": v``) or a subscript
    assignment (``d["k"] = v``) where it is written."""
    module, node = entry.site.module, entry.site.node
    if isinstance(node, (cst.Arg, cst.DictElement)):
        return replace_expression(module, node.value, value)
    if isinstance(node, cst.BaseExpression) and subscript_assignment(module, node) is not None:
        return replace_expression(module, node, value)
    return None


def remove_option(entry: Entry) -> TextEdit | None:
    module, node = entry.site.module, entry.site.node
    if isinstance(node, cst.Arg) and node.keyword is not None:
        return remove_keyword(module, node)
    if isinstance(node, cst.DictElement):
        return remove_entry(module, node)
    statement = subscript_assignment(module, node) if isinstance(node, cst.BaseExpression) else None
    return remove_statement(module, statement) if statement is not None else None


def rename_option(entry: Entry, name: str) -> TextEdit | None:
    module, node = entry.site.module, entry.site.node
    if isinstance(node, cst.Arg):
        return rename_keyword(module, node, name)
    if isinstance(node, cst.DictElement):
        return rename_key(module, node, name)
    return None


def add_option(beside: Entry, name: str, value: str) -> TextEdit | None:
    """Add ``name=value`` where another option of the same setup (``beside``) is written: to
    that call's keywords, to that dict literal, or as ``d["name"] = value`` after that
    subscript assignment."""
    module, node = beside.site.module, beside.site.node
    holder = parent(module, node)
    if isinstance(node, cst.Arg) and isinstance(holder, cst.Call):
        return add_keyword(module, holder, name, value)
    if isinstance(node, cst.DictElement) and isinstance(holder, cst.Dict):
        return add_entry(module, holder, name, value)
    if isinstance(node, cst.BaseExpression):
        statement = subscript_assignment(module, node)
        if statement is not None:
            assign = statement.body[0]
            assert isinstance(assign, cst.Assign)
            target = assign.targets[0].target
            assert isinstance(target, cst.Subscript)
            index = target.slice[0].slice
            assert isinstance(index, cst.Index)
            key = quoted(name, index.value)
            code = module.module.code_for_node(target.value) + f"[{key}] = {value}"
            return insert_after(module, statement, code)
    return None


def set_value(value: Value, code: str) -> TextEdit | None:
    """Replace the expression a resolved value was defined as, where it is defined: the
    literal it was written as, or the right-hand side of the last assignment (or the default
    of the parameter) it went through (``DTYPE = torch.float32`` for ``torch_dtype=DTYPE``).
    None when neither is known."""
    site = definition(value)
    if site is None or not isinstance(site.node, cst.BaseExpression):
        return None
    return replace_expression(site.module, site.node, code)


def definition(value: Value) -> Site | None:
    """Where a resolved value is written: its literal, or the expression assigned to the last
    name (or parameter default) on its way to the use."""
    origin = value.origin
    if origin is not None and _is_literal(origin.node):
        return origin
    if not value.via:
        return None
    site = value.via[-1].site
    node = site.node
    if isinstance(node, cst.Param):
        return Site(site.module, node.default) if node.default is not None else None
    target = parent(site.module, node) if isinstance(node, cst.Name) else None
    assign = parent(site.module, target) if isinstance(target, cst.AssignTarget) else None
    if isinstance(assign, cst.Assign) and len(assign.targets) == 1 and target.target is node:
        return Site(site.module, assign.value)
    if isinstance(node, cst.Name):
        annotated = parent(site.module, node)
        if isinstance(annotated, cst.AnnAssign) and annotated.value is not None:
            return Site(site.module, annotated.value)
    return None


def where_defined(entry: Entry) -> Site | None:
    """The expression to change for an option: where its value is defined (``definition``),
    or the value written at the option itself. None when the value came through a name,
    default or call whose definition is not an expression here (an argparse default of
    ``torch.float32``): changing the use would hard-code it."""
    site = definition(entry.value)
    if site is not None:
        return site
    node = _option_value(entry)
    if node is None or entry.value.via:
        return None
    return Site(entry.site.module, node)


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
    if site is None or not _dotted(site.node):
        return None  # ``th.float16 if half else th.float32`` holds a choice to keep
    assert isinstance(site.node, cst.BaseExpression)
    code = qualified(site.module, site.node, f"torch.{name}")
    if code is None:
        return None
    return Fix.of(replace_expression(site.module, site.node, code[0]), *code[1])


def written_at(entry: Entry) -> bool:
    """Whether an option's value is written right where the option is (``use_cache=False``)
    rather than coming from a name, a default or a dict defined elsewhere."""
    value_node = _option_value(entry)
    return (
        value_node is not None
        and not entry.value.via
        and (entry.value.origin is None or entry.value.origin.node is value_node)
    )


def set_literal(value: Value, new: object) -> TextEdit | None:
    """Replace the literal a resolved value was written as (``THRESHOLD = 6.0``, a parameter or
    dataclass default, an argparse or environment default) with ``new``, written in the same
    kind of literal. None when the value was computed rather than written."""
    origin = value.origin
    if origin is None:
        return None
    node = origin.node
    code = literal_like(node, new)
    if code is None:
        return None
    return replace_expression(origin.module, node, code)  # type: ignore[arg-type]


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


def _dotted(node: cst.CSTNode) -> bool:
    """``torch.float32``, ``float32``, ``None``: a name, not an expression that computes one."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


def _is_literal(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.UnaryOperation):
        node = node.expression
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    return isinstance(node, (cst.SimpleString, cst.Integer, cst.Float))


def _option_value(entry: Entry) -> cst.CSTNode | None:
    node = entry.site.node
    if isinstance(node, (cst.Arg, cst.DictElement)):
        return node.value
    if isinstance(node, cst.BaseExpression) and subscript_assignment(entry.site.module, node):
        return node
    return None
