"""The parse guard's verdicts: what CPython accepts but is too deep or too large to analyse (or
to give libcst for a fix). It walks only long expressions, so each shape that must be refused
is checked here directly."""

from __future__ import annotations

import ast
import sys

import pytest

from ecolint.sources.fstring_quotes import requoted
from ecolint.sources.parse_guard import (
    MAX_DEPTH,
    MAX_STATEMENT_NODES,
    adopt,
    checked_tree,
    parse_checked,
    refusal,
)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("x = " + "-" * (MAX_DEPTH + 50) + "1\n", "nested over"),
        ("x = " + " + ".join(["a"] * (MAX_DEPTH + 50)) + "\n", "nested over"),
        ("x = [" + "1," * (MAX_STATEMENT_NODES + 10) + "]\n", "syntax nodes"),
        ("x = [" + "f(y)," * (MAX_STATEMENT_NODES // 2) + "]\n", "syntax nodes"),
        ("def f():\n    return {" + "'k': 1, " * MAX_STATEMENT_NODES + "}\n", "syntax nodes"),
    ],
    ids=["unary-chain", "binary-chain", "long-literal", "calls-in-a-literal", "dict-in-a-def"],
)
def test_too_deep_or_too_large_is_refused(text: str, why: str) -> None:
    verdict = refusal(ast.parse(text), text)
    assert verdict is not None and why in verdict.message


def test_too_deep_is_reported_where_the_nesting_is() -> None:
    """The walk meets context markers (``Load``) that have no position of their own: the
    refusal points at the nearest node that has one, on the line of the nesting."""
    text = "import os\n\nx = a" + ".b" * (MAX_DEPTH + 100) + "\n"
    verdict = refusal(ast.parse(text), text)
    assert verdict is not None and "nested over" in verdict.message
    assert verdict.line == 3


def test_ordinary_code_passes_even_when_long() -> None:
    """Many statements, long lines and multi-line calls: each statement is small."""
    call = (
        "model = load(\n    'gpt2',\n    "
        + ",\n    ".join(f"k{i}={i}" for i in range(300))
        + ",\n)\n"
    )
    text = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(5_000)) + call
    assert refusal(ast.parse(text), text) is None


def test_a_pep_701_fstring_parses_with_positions_as_written() -> None:
    """Python 3.12 lets a replacement field reuse its f-string's quote; on older parsers the
    inner string is requoted, one character for another, so positions still fit the text."""
    text = 'row = {"answer": 1}\nprint(f"{row["answer"]}", load(dtype="float32"))\n'
    tree, verdict = parse_checked(text)
    assert verdict is None and tree is not None
    call = tree.body[1].value
    assert isinstance(call, ast.Call)
    load = call.args[1]
    assert (load.lineno, load.col_offset) == (2, 26)
    key = call.args[0].values[0].value.slice
    assert isinstance(key, ast.Constant) and key.value == "answer"


def test_requoting_gives_up_where_a_swap_is_not_enough() -> None:
    assert requoted('f"{d["it\'s"]}"\n') is None
    assert requoted('f"{d[\\"a\\"]}"\n') is None


def test_the_tree_the_gate_just_parsed_is_the_one_analysed() -> None:
    text = "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('gpt2')\n"
    tree, _ = parse_checked(text)
    assert checked_tree(text) is tree


def test_two_files_with_the_same_text_get_trees_of_their_own() -> None:
    """The analysis tells sites apart by their nodes: a shared tree would merge two files."""
    text = "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('gpt2')\n"
    parse_checked(text)
    first = checked_tree(text)
    parse_checked(text)
    assert checked_tree(text) is not first


def test_an_adopted_tree_is_analysed_and_still_guarded() -> None:
    text = "import torch\nx = torch.float32\n"
    tree = ast.parse(text)
    assert adopt(text, tree) is None
    assert parse_checked(text) == (tree, None)
    assert checked_tree(text) is tree
    deep = "x = " + "-" * (MAX_DEPTH + 50) + "1\n"
    assert adopt(deep, ast.parse(deep)) is not None


@pytest.mark.parametrize(
    "line",
    ["type Ids = list[int]", "def first[T](items: list[T]) -> T: ...", "class Box[T]: ..."],
)
def test_python_312_type_parameters_are_named_as_such(line: str) -> None:
    """An older Python rejects PEP 695 syntax: the message must not call valid code wrong."""
    text = f"import os\n\n{line}\n"
    tree, verdict = parse_checked(text)
    if sys.version_info >= (3, 12):
        assert verdict is None and tree is not None
    else:
        assert verdict is not None and verdict.line == 3
        assert "Python 3.12" in verdict.message and "syntax error" not in verdict.message
