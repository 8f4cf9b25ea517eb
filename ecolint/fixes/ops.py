"""Edit operations on the nodes of a module's tree, which rule fixes are made of: add, remove
or rename a keyword argument or a dict entry, replace an expression, insert a statement after
another, make sure a package is imported. Each returns a ``TextEdit``, or None when the code
has a shape the operation does not rewrite; the edit keeps the code's layout, comments and
quote style (``layout``).
"""

from __future__ import annotations

import libcst as cst

from ecolint.analysis.bindings import Scope
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.parents import enclosing, parent
from ecolint.fixes import layout
from ecolint.fixes.edits import TextEdit, node_end, node_start, offset, replace_node


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
        key=cst.SimpleString(quoted(key, like.key if like else None)),
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
    return replace_node(module, key, key.with_changes(value=quoted(name, key)))


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


# -- helpers shared with ``options`` -----------------------------------------------------------

_NO_SPACE = cst.SimpleWhitespace("")


def _key(element: cst.DictElement) -> str | None:
    key = element.key
    if isinstance(key, cst.SimpleString):
        evaluated = key.evaluated_value
        return evaluated if isinstance(evaluated, str) else None
    return None


def quoted(text: str, like: cst.BaseExpression | None) -> str:
    """``text`` as a string literal in the quotes ``like`` uses (double quotes by default)."""
    quote = '"'
    if isinstance(like, cst.SimpleString) and like.quote in ("'", '"'):
        quote = like.quote
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{escaped}{quote}"


def subscript_assignment(
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
