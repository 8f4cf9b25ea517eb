"""The pipeline knows no rule: a rule's code is written only in its YAML and its check. What a
rule needs from the pipeline is a hook on ``Check`` (``not_analysed``, ``finish``) or a key in
its YAML (``reads: comments``, ``about: run``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ecolint"
CODE = re.compile(r"ECO\d")  # a string that is a rule code (or a list of them)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_no_rule_code_outside_the_checks() -> None:
    written = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "checks":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and CODE.match(node.value)
            ):
                written.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value!r}")
    assert not written, "\n".join(written)
