"""Fixes find in libcst's tree the ``ast`` nodes checks report: every call, keyword, dict
entry, literal and statement of the fixtures and examples maps to a libcst node of its kind
written at the same place."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest

from ecolint.analysis.dict_entries import DictEntry
from ecolint.analysis.positions import LineOffsets
from ecolint.fixes.cst_bridge import KINDS, CstTree
from ecolint.fixes.edits import FixError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path
    for folder in (ROOT / "tests" / "fixtures", ROOT / "examples")
    for path in folder.rglob("*.py")
)
# Kinds whose libcst node spans more than the ``ast`` node: a parameter's holds its default
# and annotation, a ``def``'s or ``class``'s its decorators.
WIDER = (ast.arg, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def mapped(text: str) -> list[ast.AST]:
    tree = ast.parse(text)
    nodes: list[ast.AST] = []
    # the parts of an f-string carry no positions of their own (Python 3.11)
    inside_fstrings = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in ast.walk(node)
        if part is not node
    }
    for node in ast.walk(tree):
        if id(node) in inside_fstrings:
            continue
        if isinstance(node, ast.Dict):
            nodes += [DictEntry(node, i) for i, key in enumerate(node.keys) if key is not None]
        if isinstance(node, (ast.stmt, ast.Call, ast.keyword, ast.Constant, ast.Attribute)):
            nodes.append(node)
    return nodes


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_reported_kind_of_node_maps_to_its_libcst_node(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        tree = CstTree(text)
    except FixError:
        pytest.skip("libcst does not parse this fixture (a syntax error case)")
    offsets = LineOffsets(text)
    for node in mapped(text):
        found = tree.node(node)
        span = offsets.range_of(node)
        where = f"{type(node).__name__} at {span.start.line}:{span.start.column}"
        if isinstance(node, ast.Constant):
            assert isinstance(found, (cst.BaseString, cst.BaseNumber, cst.Name, cst.Ellipsis)), (
                where
            )
        else:
            assert isinstance(found, KINDS[type(node)]), where
        if not isinstance(node, WIDER):
            position = tree.position(found)
            assert _points(position) == _points(span), where


def _points(span: object) -> tuple[int, int, int, int]:
    start, end = span.start, span.end  # type: ignore[attr-defined]
    return start.line, start.column, end.line, end.column


def test_a_call_and_its_expression_statement_are_told_apart() -> None:
    text = "f(x)\n"
    tree = CstTree(text)
    statement = ast.parse(text).body[0]
    assert isinstance(statement, ast.Expr)
    assert isinstance(tree.node(statement), cst.Expr)
    assert isinstance(tree.node(statement.value), cst.Call)
    assert tree.statement_line(statement) is tree.module.body[0]


def test_columns_count_characters_not_bytes() -> None:
    text = 's = "é"; f(a="ü", b=1)\n'
    tree = CstTree(text)
    call = next(node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Call))
    found = tree.node(call.keywords[1])
    assert isinstance(found, cst.Arg) and tree.module.code_for_node(found.value) == "1"


def test_what_libcst_cannot_parse_is_a_fix_error() -> None:
    with pytest.raises(FixError):
        CstTree("def f(:\n")
