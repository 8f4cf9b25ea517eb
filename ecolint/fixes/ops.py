"""The edit operations rule fixes are made of.

Node operations take a node of a module's tree: add, remove or rename a keyword argument or a
dict entry, replace an expression, insert a statement after another, make sure a package is
imported. Option operations take what the resolver found (an ``Entry`` of a call's keywords
or a dict, a resolved ``Value``) and change it where it is written, so a value that comes from
a dict, a constant or a dataclass default is fixed at its definition, once. Each returns a
``TextEdit``, or None when the code has a shape the operation does not rewrite.
"""

from __future__ import annotations

import libcst as cst

from ecolint.analysis.module import ModuleInfo, Scope
from ecolint.analysis.values import Entry, Site, Value
from ecolint.fixes import layout
from ecolint.fixes.edits import (
    TextEdit,
    enclosing,
    node_end,
    node_start,
    offset,
    parent,
    replace_node,
)

# -- node operations -------------------------------------------------------------------------


def add_keyword(module: ModuleInfo, call: cst.Call, name: str, value: str) -> TextEdit | None:
    """``f(a=1)`` → ``f(a=1, name=value)``, spaced around ``=`` like the call's other keywords."""
    if any(arg.keyword is not None and arg.keyword.value == name for arg in call.args):
        return None
    equal = next(
        (arg.equal for arg in call.args if isinstance(arg.equal, cst.AssignEqual)),
        cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    new = cst.Arg(keyword=cst.Name(name), value=cst.parse_expression(value), equal=equal)
    return replace_node(module, call, layout.add_argument(call, new))


def add_entry(module: ModuleInfo, node: cst.Dict, key: str, value: str) -> TextEdit | None:
    """``{"a": 1}`` → ``{"a": 1, "key": value}``, quoted and spaced like the other keys."""
    siblings = [element for element in node.elements if isinstance(element, cst.DictElement)]
    if any(_key(element) == key for element in siblings):
        return None
    like = siblings[0] if siblings else None
    new = cst.DictElement(
        key=cst.SimpleString(_quoted(key, like.key if like else None)),
        value=cst.parse_expression(value),
        whitespace_before_colon=like.whitespace_before_colon if like else _NO_SPACE,
        whitespace_after_colon=like.whitespace_after_colon if like else cst.SimpleWhitespace(" "),
    )
    return replace_node(module, node, layout.add_element(node, new))


def replace_expression(module: ModuleInfo, node: cst.BaseExpression, value: str) -> TextEdit | None:
    """Put ``value`` where ``node`` is, keeping the parentheses written around it."""
    new = cst.parse_expression(value)
    if node.lpar or node.rpar:
        new = new.with_changes(lpar=node.lpar, rpar=node.rpar)
    return replace_node(module, node, new)


def remove_keyword(module: ModuleInfo, arg: cst.Arg) -> TextEdit | None:
    call = parent(module, arg)
    if not isinstance(call, cst.Call):
        return None
    return replace_node(module, call, layout.drop_argument(call, arg))


def remove_entry(module: ModuleInfo, element: cst.DictElement) -> TextEdit | None:
    node = parent(module, element)
    if not isinstance(node, cst.Dict):
        return None
    return replace_node(module, node, layout.drop_element(node, element))


def rename_keyword(module: ModuleInfo, arg: cst.Arg, name: str) -> TextEdit | None:
    """``bnb_4bit_compute_type=...`` → ``bnb_4bit_compute_dtype=...``."""
    call = parent(module, arg)
    if arg.keyword is None or not isinstance(call, cst.Call):
        return None
    if any(other.keyword is not None and other.keyword.value == name for other in call.args):
        return None
    return replace_node(module, arg.keyword, cst.Name(name))


def rename_key(module: ModuleInfo, element: cst.DictElement, name: str) -> TextEdit | None:
    node = parent(module, element)
    if _key(element) is None or not isinstance(node, cst.Dict):
        return None
    if any(isinstance(other, cst.DictElement) and _key(other) == name for other in node.elements):
        return None
    key = element.key
    assert isinstance(key, cst.SimpleString)
    return replace_node(module, key, key.with_changes(value=_quoted(name, key)))


def insert_after(
    module: ModuleInfo, statement: cst.SimpleStatementLine, code: str
) -> TextEdit | None:
    """A new line after ``statement`` (and its end-of-line comment), indented like it. The
    line is inserted before the statement's own line break, so in a notebook it stays in the
    statement's cell even when the statement ends the cell."""
    try:
        cst.parse_statement(code)
    except cst.ParserSyntaxError:
        return None
    text = module.text
    start = node_start(module, statement)
    line_start = text.rfind("\n", 0, start) + 1
    indent = text[line_start:start]
    if indent.strip():
        return None  # not the first statement on its line
    at = text.find("\n", node_end(module, statement))
    if at < 0:
        at = len(text)
    elif at > 0 and text[at - 1] == "\r":
        at -= 1
    newline = module.module.default_newline
    return TextEdit(module, at, at, f"{newline}{indent}{code}")


def remove_statement(module: ModuleInfo, statement: cst.SimpleStatementLine) -> TextEdit | None:
    """Delete a statement's line(s); not the only statement of a block, which needs one."""
    block = parent(module, statement)
    if isinstance(block, (cst.IndentedBlock, cst.Module)) and len(block.body) < 2:
        return None
    if len(statement.body) != 1:
        return None
    text = module.text
    start = node_start(module, statement)
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return None
    stop = text.find("\n", node_end(module, statement))
    stop = len(text) if stop < 0 else stop + 1
    return TextEdit(module, line_start, stop, "")


def ensure_import(
    module: ModuleInfo, package: str, near: cst.CSTNode
) -> tuple[str, tuple[TextEdit, ...]] | None:
    """The name ``package`` is bound to where ``near`` is (``th`` after ``import torch as
    th``), and the edits needed for that: none when it is imported, the one that adds
    ``import package`` otherwise. None when the name is taken by something else."""
    scope: Scope | None = module.scope_of.get(near, module.root)
    innermost = scope
    while scope is not None:
        if scope.kind == "class" and scope is not innermost:
            scope = scope.parent
            continue  # a class body's names are not visible in its methods
        for name, bindings in scope.bindings.items():
            for binding in bindings:
                imported = binding.kind == "import" and not binding.import_level
                if imported and binding.qualname == package:
                    return name, ()
        if package in scope.bindings:
            return None  # the name means something else here
        scope = scope.parent
    edit = _import_edit(module, f"import {package}")
    return (package, (edit,)) if edit is not None else None


def qualified(
    module: ModuleInfo, near: cst.CSTNode, dotted: str
) -> tuple[str, tuple[TextEdit, ...]] | None:
    """``torch.bfloat16`` as code that works where ``near`` is (``th.bfloat16`` after ``import
    torch as th``), and the import it needs, if any."""
    package, _, rest = dotted.partition(".")
    imported = ensure_import(module, package, near)
    if imported is None:
        return None
    name, edits = imported
    return (f"{name}.{rest}" if rest else name), edits


def _import_edit(module: ModuleInfo, code: str) -> TextEdit | None:
    """After the imports at the top of the module (after its docstring when there are none);
    before the first statement otherwise. Every fix that needs the import inserts it at the
    same place, so fixes that share it share one edit."""
    magics = {magic.line for magic in module.notebook.magics} if module.notebook else set()
    anchor: cst.SimpleStatementLine | None = None
    first: cst.BaseStatement | None = None
    for index, statement in enumerate(module.module.body):
        if module.position(statement).start.line in magics:
            continue
        if isinstance(statement, cst.SimpleStatementLine) and (
            _is_import(statement) or (index == 0 and _is_docstring(statement))
        ):
            anchor = statement
            continue
        first = statement
        break
    if anchor is not None:
        return insert_after(module, anchor, code)
    if first is None:
        return None
    at = offset(module, module.position(first).start.line, 0)
    return TextEdit(module, at, at, f"{code}{module.module.default_newline}")


def _is_import(statement: cst.SimpleStatementLine) -> bool:
    return all(isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)


def _is_docstring(statement: cst.SimpleStatementLine) -> bool:
    small = statement.body[0]
    return isinstance(small, cst.Expr) and isinstance(
        small.value, (cst.SimpleString, cst.ConcatenatedString)
    )


# -- option operations ------------------------------------------------------------------------


def set_option(entry: Entry, value: str) -> TextEdit | None:
    """Replace the value of a keyword (``k=v``), a dict entry (``"k": v``) or a subscript
    assignment (``d["k"] = v``) where it is written."""
    module, node = entry.site.module, entry.site.node
    if isinstance(node, (cst.Arg, cst.DictElement)):
        return replace_expression(module, node.value, value)
    if isinstance(node, cst.BaseExpression) and _assigned_to_subscript(module, node) is not None:
        return replace_expression(module, node, value)
    return None


def remove_option(entry: Entry) -> TextEdit | None:
    module, node = entry.site.module, entry.site.node
    if isinstance(node, cst.Arg) and node.keyword is not None:
        return remove_keyword(module, node)
    if isinstance(node, cst.DictElement):
        return remove_entry(module, node)
    statement = (
        _assigned_to_subscript(module, node) if isinstance(node, cst.BaseExpression) else None
    )
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
        statement = _assigned_to_subscript(module, node)
        if statement is not None:
            assign = statement.body[0]
            assert isinstance(assign, cst.Assign)
            target = assign.targets[0].target
            assert isinstance(target, cst.Subscript)
            index = target.slice[0].slice
            assert isinstance(index, cst.Index)
            quoted = _quoted(name, index.value)
            code = module.module.code_for_node(target.value) + f"[{quoted}] = {value}"
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
    or the value written at the option itself."""
    site = definition(entry.value)
    if site is not None:
        return site
    node = _option_value(entry)
    return Site(entry.site.module, node) if node is not None else None


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
        return _quoted(new, node)
    if isinstance(node, cst.SimpleString) and number:
        body = node.raw_value
        integral = body.strip().lstrip("+-").isdigit() and float(new).is_integer()
        return _quoted(str(int(new)) if integral else repr(float(new)), node)
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


# -- helpers ---------------------------------------------------------------------------------

_NO_SPACE = cst.SimpleWhitespace("")


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
    if isinstance(node, cst.BaseExpression) and _assigned_to_subscript(entry.site.module, node):
        return node
    return None


def _key(element: cst.DictElement) -> str | None:
    key = element.key
    if isinstance(key, cst.SimpleString):
        evaluated = key.evaluated_value
        return evaluated if isinstance(evaluated, str) else None
    return None


def _quoted(text: str, like: cst.BaseExpression | None) -> str:
    """``text`` as a string literal in the quotes ``like`` uses (double quotes by default)."""
    quote = '"'
    if isinstance(like, cst.SimpleString) and like.quote in ("'", '"'):
        quote = like.quote
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{escaped}{quote}"


def _assigned_to_subscript(
    module: ModuleInfo, node: cst.BaseExpression
) -> cst.SimpleStatementLine | None:
    """The statement ``d["k"] = node`` when ``node`` is the value of such an assignment."""
    assign = parent(module, node)
    if not isinstance(assign, cst.Assign) or assign.value is not node:
        return None
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Subscript):
        return None
    statement = enclosing(module, assign, cst.SimpleStatementLine)
    return statement if isinstance(statement, cst.SimpleStatementLine) else None
