"""Edit operations on the nodes of a module's tree, which rule fixes are made of: add, remove
or rename a keyword argument or a dict entry, replace an expression, insert a statement after
another, make sure a package is imported. Each takes the ``ast`` nodes a check found and
returns a ``TextEdit``, or None when the code has a shape the operation does not rewrite; the
edit is made on the module's libcst tree (``cst_bridge``), so it keeps the code's layout,
comments and quote style (``layout``).
"""

from __future__ import annotations

import ast

import libcst as cst

from ecolint.analysis.bindings import Scope
from ecolint.analysis.dict_entries import DictEntry
from ecolint.analysis.module import ModuleInfo
from ecolint.fixes import layout
from ecolint.fixes.cst_bridge import CstTree, cst_tree
from ecolint.fixes.edits import FixError, TextEdit, edit_between


def add_keyword(module: ModuleInfo, node: ast.Call, name: str, value: str) -> TextEdit | None:
    """``f(a=1)`` → ``f(a=1, name=value)``, spaced around ``=`` like the call's other keywords."""
    tree = cst_tree(module)
    call = _as(tree, node, cst.Call)
    if any(arg.keyword is not None and arg.keyword.value == name for arg in call.args):
        return None
    equal = next(
        (arg.equal for arg in call.args if isinstance(arg.equal, cst.AssignEqual)),
        cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    new = cst.Arg(keyword=cst.Name(name), value=cst.parse_expression(value), equal=equal)
    return replace_node(module, tree, call, layout.add_argument(call, new))


def add_entry(module: ModuleInfo, node: ast.Dict, key: str, value: str) -> TextEdit | None:
    """``{"a": 1}`` → ``{"a": 1, "key": value}``, quoted and spaced like the other keys."""
    tree = cst_tree(module)
    holder = _as(tree, node, cst.Dict)
    siblings = [element for element in holder.elements if isinstance(element, cst.DictElement)]
    if any(_key(element) == key for element in siblings):
        return None
    like = siblings[0] if siblings else None
    new = cst.DictElement(
        key=cst.SimpleString(quoted(key, like.key if like else None)),
        value=cst.parse_expression(value),
        whitespace_before_colon=like.whitespace_before_colon if like else _NO_SPACE,
        whitespace_after_colon=like.whitespace_after_colon if like else cst.SimpleWhitespace(" "),
    )
    return replace_node(module, tree, holder, layout.add_element(holder, new))


def replace_expression(module: ModuleInfo, node: ast.expr, value: str) -> TextEdit | None:
    """Put ``value`` where ``node`` is; the parentheses written around it stay."""
    tree = cst_tree(module)
    old = _as(tree, node, cst.BaseExpression)
    return replace_node(module, tree, old, cst.parse_expression(value))


def rename_attribute(module: ModuleInfo, node: ast.Attribute, name: str) -> TextEdit | None:
    """``x.float`` → ``x.bfloat16``."""
    tree = cst_tree(module)
    attribute = _as(tree, node, cst.Attribute)
    return replace_node(module, tree, attribute.attr, cst.Name(name))


def remove_keyword(module: ModuleInfo, node: ast.keyword) -> TextEdit | None:
    tree = cst_tree(module)
    arg = _as(tree, node, cst.Arg)
    call = tree.parent(arg)
    if not isinstance(call, cst.Call):
        return None
    return replace_node(module, tree, call, layout.drop_argument(call, arg))


def remove_entry(module: ModuleInfo, entry: DictEntry) -> TextEdit | None:
    tree = cst_tree(module)
    element = _as(tree, entry, cst.DictElement)
    holder = tree.parent(element)
    if not isinstance(holder, cst.Dict):
        return None
    return replace_node(module, tree, holder, layout.drop_element(holder, element))


def rename_keyword(module: ModuleInfo, node: ast.keyword, name: str) -> TextEdit | None:
    """``bnb_4bit_compute_type=...`` → ``bnb_4bit_compute_dtype=...``."""
    tree = cst_tree(module)
    arg = _as(tree, node, cst.Arg)
    call = tree.parent(arg)
    if arg.keyword is None or not isinstance(call, cst.Call):
        return None
    if any(other.keyword is not None and other.keyword.value == name for other in call.args):
        return None
    return replace_node(module, tree, arg.keyword, cst.Name(name))


def rename_key(module: ModuleInfo, entry: DictEntry, name: str) -> TextEdit | None:
    tree = cst_tree(module)
    element = _as(tree, entry, cst.DictElement)
    holder = tree.parent(element)
    if _key(element) is None or not isinstance(holder, cst.Dict):
        return None
    if any(isinstance(other, cst.DictElement) and _key(other) == name for other in holder.elements):
        return None
    key = element.key
    assert isinstance(key, cst.SimpleString)
    return replace_node(module, tree, key, key.with_changes(value=quoted(name, key)))


def insert_after(module: ModuleInfo, node: ast.stmt, code: str) -> TextEdit | None:
    """A new line after the statement ``node`` (and its end-of-line comment), indented like
    it. The line is inserted before the statement's own line break, so in a notebook it stays
    in the statement's cell even when the statement ends the cell."""
    tree = cst_tree(module)
    statement = tree.statement_line(node)
    return _insert_after(module, tree, statement, code) if statement is not None else None


def _insert_after(
    module: ModuleInfo, tree: CstTree, statement: cst.SimpleStatementLine, code: str
) -> TextEdit | None:
    try:
        cst.parse_statement(code)
    except cst.ParserSyntaxError:
        return None
    text = module.text
    start = tree.start(statement)
    line_start = text.rfind("\n", 0, start) + 1
    indent = text[line_start:start]
    if indent.strip():
        return None  # not the first statement on its line
    at = text.find("\n", tree.end(statement))
    if at < 0:
        at = len(text)
    elif at > 0 and text[at - 1] == "\r":
        at -= 1
    return TextEdit(module, at, at, f"{tree.module.default_newline}{indent}{code}")


def remove_statement(module: ModuleInfo, node: ast.stmt) -> TextEdit | None:
    """Delete a statement's line(s); not the only statement of a block, which needs one."""
    tree = cst_tree(module)
    statement = tree.statement_line(node)
    if statement is None:
        return None
    block = tree.parent(statement)
    if isinstance(block, (cst.IndentedBlock, cst.Module)) and len(block.body) < 2:
        return None
    if len(statement.body) != 1:
        return None
    text = module.text
    start = tree.start(statement)
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return None
    stop = text.find("\n", tree.end(statement))
    stop = len(text) if stop < 0 else stop + 1
    return TextEdit(module, line_start, stop, "")


def replace_node(
    module: ModuleInfo, tree: CstTree, old: cst.BaseExpression, new: cst.BaseExpression
) -> TextEdit | None:
    """Replace the expression ``old`` by ``new``: only ``old``'s own text is generated again,
    inside the parentheses written around it, which stay as they are (``new`` is written
    without parentheses: fixes put names and literals, which need none). None when libcst
    would not write ``old`` back as it stands in the text."""
    start, end = tree.start(old), tree.end(old)
    indent = tree.block_indent(old)
    before = tree.code(old.with_changes(lpar=(), rpar=()), indent)
    if module.text[start:end] != before:
        return None
    after = tree.code(new.with_changes(lpar=(), rpar=()), indent)
    return edit_between(module, start, before, after)


def _as(tree: CstTree, node: ast.AST, kind: type[cst.CSTNode]) -> cst.CSTNode:
    found = tree.node(node)
    if not isinstance(found, kind):
        raise FixError(f"{type(node).__name__} at an unexpected place")
    return found


def ensure_import(
    module: ModuleInfo, package: str, near: ast.AST
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
    edit = _import_edit(module, cst_tree(module), f"import {package}")
    return (package, (edit,)) if edit is not None else None


def qualified(
    module: ModuleInfo, near: ast.AST, dotted: str
) -> tuple[str, tuple[TextEdit, ...]] | None:
    """``torch.bfloat16`` as code that works where ``near`` is (``th.bfloat16`` after ``import
    torch as th``), and the import it needs, if any."""
    package, _, rest = dotted.partition(".")
    imported = ensure_import(module, package, near)
    if imported is None:
        return None
    name, edits = imported
    return (f"{name}.{rest}" if rest else name), edits


def _import_edit(module: ModuleInfo, tree: CstTree, code: str) -> TextEdit | None:
    """After the imports at the top of the module (after its docstring when there are none);
    before the first statement otherwise. Every fix that needs the import inserts it at the
    same place, so fixes that share it share one edit."""
    magics = {magic.line for magic in module.notebook.magics} if module.notebook else set()
    anchor: cst.SimpleStatementLine | None = None
    first: cst.BaseStatement | None = None
    for index, statement in enumerate(tree.module.body):
        if tree.position(statement).start.line in magics:
            continue
        if isinstance(statement, cst.SimpleStatementLine) and (
            _is_import(statement) or (index == 0 and _is_docstring(statement))
        ):
            anchor = statement
            continue
        first = statement
        break
    if anchor is not None:
        return _insert_after(module, tree, anchor, code)
    if first is None:
        return None
    at = tree.start(first) - tree.position(first).start.column
    return TextEdit(module, at, at, f"{code}{tree.module.default_newline}")


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
