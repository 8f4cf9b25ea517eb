"""The parse guard's verdicts: what CPython accepts but libcst must not be given. It walks only
long expressions, so each shape that must be refused is checked here directly."""

from __future__ import annotations

import ast

import pytest

from ecolint.sources.parse_guard import MAX_DEPTH, MAX_STATEMENT_NODES, refusal


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


def test_ordinary_code_passes_even_when_long() -> None:
    """Many statements, long lines and multi-line calls: each statement is small."""
    call = (
        "model = load(\n    'gpt2',\n    "
        + ",\n    ".join(f"k{i}={i}" for i in range(300))
        + ",\n)\n"
    )
    text = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(5_000)) + call
    assert refusal(ast.parse(text), text) is None
