"""libcst's tree of a module, built only when a fix is: analysis runs on Python's ``ast``,
which cannot write code back as it was, while libcst keeps every comment, space and quote.

Each ``ast`` node a check hands to a fix is found in the libcst tree by its position (same
start and end, in characters) and a matching kind: positions alone do not tell ``f(x)`` the
call from ``f(x)`` the expression statement. The tree is parsed once per module and run.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from weakref import WeakKeyDictionary

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ecolint.analysis.dict_entries import DictEntry
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.positions import LineOffsets
from ecolint.fixes.edits import FixError

Key = tuple[int, int, int, int]

_STRINGS = (cst.SimpleString, cst.ConcatenatedString)
# What each ``ast`` node is in libcst; a constant's kind depends on its value (``_constant``).
KINDS: dict[type[ast.AST], tuple[type[cst.CSTNode], ...]] = {
    ast.Call: (cst.Call,),
    ast.keyword: (cst.Arg,),
    DictEntry: (cst.DictElement,),
    ast.Starred: (cst.Arg, cst.StarredElement),
    ast.Name: (cst.Name,),
    ast.Attribute: (cst.Attribute,),
    ast.Subscript: (cst.Subscript,),
    ast.Dict: (cst.Dict,),
    ast.List: (cst.List,),
    ast.Tuple: (cst.Tuple,),
    ast.Set: (cst.Set,),
    ast.BinOp: (cst.BinaryOperation,),
    ast.UnaryOp: (cst.UnaryOperation,),
    ast.BoolOp: (cst.BooleanOperation,),
    ast.Compare: (cst.Comparison,),
    ast.IfExp: (cst.IfExp,),
    ast.Lambda: (cst.Lambda,),
    ast.Await: (cst.Await,),
    ast.NamedExpr: (cst.NamedExpr,),
    ast.JoinedStr: (cst.FormattedString, cst.ConcatenatedString),
    ast.arg: (cst.Param,),
    ast.Expr: (cst.Expr,),
    ast.Assign: (cst.Assign,),
    ast.AnnAssign: (cst.AnnAssign,),
    ast.AugAssign: (cst.AugAssign,),
    ast.Return: (cst.Return,),
    ast.Raise: (cst.Raise,),
    ast.Assert: (cst.Assert,),
    ast.Delete: (cst.Del,),
    ast.Pass: (cst.Pass,),
    ast.Break: (cst.Break,),
    ast.Continue: (cst.Continue,),
    ast.Import: (cst.Import,),
    ast.ImportFrom: (cst.ImportFrom,),
    ast.Global: (cst.Global,),
    ast.Nonlocal: (cst.Nonlocal,),
    ast.If: (cst.If,),
    ast.For: (cst.For,),
    ast.AsyncFor: (cst.For,),
    ast.While: (cst.While,),
    ast.With: (cst.With,),
    ast.AsyncWith: (cst.With,),
    ast.Try: (cst.Try,),
    ast.TryStar: (cst.TryStar,),
    ast.FunctionDef: (cst.FunctionDef,),
    ast.AsyncFunctionDef: (cst.FunctionDef,),
    ast.ClassDef: (cst.ClassDef,),
    ast.Match: (cst.Match,),
}


class CstTree:
    """A module's libcst tree with each node's position and parent."""

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            self.module = cst.parse_module(text)
        except (cst.ParserSyntaxError, RecursionError) as error:
            raise FixError(f"libcst cannot parse the file ({error})") from None
        wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        self.positions: Mapping[cst.CSTNode, CodeRange] = wrapper.resolve(PositionProvider)
        self._offsets = LineOffsets(text)
        self._parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._at: dict[Key, list[cst.CSTNode]] = {}
        self._starting: dict[tuple[int, int], list[cst.CSTNode]] = {}
        self._ending: dict[tuple[int, int], list[cst.CSTNode]] = {}
        for node, span in self.positions.items():
            start, end = span.start, span.end
            self._at.setdefault((start.line, start.column, end.line, end.column), []).append(node)
            self._starting.setdefault((start.line, start.column), []).append(node)
            self._ending.setdefault((end.line, end.column), []).append(node)
            for child in node.children:
                self._parents[child] = node

    def node(self, node: ast.AST) -> cst.CSTNode:
        """The libcst node written where ``node`` is; FixError when there is none (a kind of
        node no fix changes, or a position libcst counts differently)."""
        kinds = _constant(node) if isinstance(node, ast.Constant) else KINDS.get(type(node), ())
        span = self._offsets.range_of(node)
        start, end = span.start, span.end
        # a parameter's libcst node also holds its default, a ``def`` its decorators
        for candidate in (
            *self._at.get((start.line, start.column, end.line, end.column), ()),
            *self._starting.get((start.line, start.column), ()),
            *self._ending.get((end.line, end.column), ()),
        ):
            if isinstance(candidate, kinds):
                return candidate
        raise FixError(f"no libcst node for {type(node).__name__} at line {start.line}")

    def statement_line(self, node: ast.stmt) -> cst.SimpleStatementLine | None:
        """The line an ``ast`` simple statement is on, or None for a compound statement or
        one that shares a ``if x: y`` line with its header."""
        line = self.parent(self.node(node))
        return line if isinstance(line, cst.SimpleStatementLine) else None

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self._parents.get(node)

    def enclosing(
        self, node: cst.CSTNode, kind: type[cst.CSTNode] | tuple[type[cst.CSTNode], ...]
    ) -> cst.CSTNode | None:
        current = self.parent(node)
        while current is not None and not isinstance(current, kind):
            current = self.parent(current)
        return current

    def position(self, node: cst.CSTNode) -> CodeRange:
        return self.positions[node]

    def start(self, node: cst.CSTNode) -> int:
        """Where ``node`` starts in the text (an offset in characters)."""
        return self._offsets.offset(self.positions[node].start)

    def end(self, node: cst.CSTNode) -> int:
        return self._offsets.offset(self.positions[node].end)

    def code(self, node: cst.CSTNode, indent: str) -> str:
        """``node``'s code at the indentation ``indent`` of its block (``block_indent``):
        libcst writes a multi-line expression's continuation lines relative to it."""
        state = CodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
        )
        state.increase_indent(indent)
        node._codegen(state)
        return "".join(state.tokens)

    def block_indent(self, node: cst.CSTNode) -> str:
        """The indentation of the block ``node`` is in, as libcst generates it: continuation
        lines inside brackets are written relative to it."""
        indents: list[str] = []
        current = self.parent(node)
        while current is not None:
            if isinstance(current, cst.IndentedBlock):
                indents.append(
                    current.indent if current.indent is not None else self.module.default_indent
                )
            current = self.parent(current)
        return "".join(reversed(indents))


def _constant(node: ast.Constant) -> tuple[type[cst.CSTNode], ...]:
    value = node.value
    if isinstance(value, (str, bytes)):
        return _STRINGS
    if isinstance(value, bool) or value is None:
        return (cst.Name,)
    if isinstance(value, int):
        return (cst.Integer,)
    if isinstance(value, float):
        return (cst.Float,)
    if isinstance(value, complex):
        return (cst.Imaginary,)
    return (cst.Ellipsis,)


_TREES: WeakKeyDictionary[ModuleInfo, CstTree] = WeakKeyDictionary()


def cst_tree(module: ModuleInfo) -> CstTree:
    """The module's libcst tree, parsed on first use."""
    tree = _TREES.get(module)
    if tree is None:
        tree = _TREES[module] = CstTree(module.text)
    return tree
