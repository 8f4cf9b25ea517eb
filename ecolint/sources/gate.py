"""The second, cheap stage of scanning: is a trigger word in the code itself?

The byte prefilter lets through every file that mentions a trigger anywhere, comments
included. Before paying for a libcst parse (about 13x ``ast.parse``), the file is parsed with
``ast`` and the triggers are looked for in what the code uses (names, attributes, keywords,
imports) and in its string constants (dict keys and model ids are strings). Docstrings do not
count (library code documents ``from_pretrained(...)`` everywhere), nor do definitions: a
method named ``from_pretrained`` or a parameter named ``batch_size`` loads or batches nothing.
A file that ``ast`` cannot parse goes on, to be reported (ECO001) without reaching libcst.
"""

from __future__ import annotations

import ast
import re


def code_words(tree: ast.Module) -> str:
    """Names and string constants of the module, one per line."""
    words: list[str] = []
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
        elif isinstance(node, ast.keyword) and node.arg:
            words.append(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:  # documentation examples are not code
                words.append(node.value)
        elif isinstance(node, ast.alias):
            words.append(node.name)
            if node.asname:
                words.append(node.asname)
    return "\n".join(words)


def triggered_in_code(words: str, pattern: re.Pattern[bytes] | None) -> bool:
    return (
        pattern is not None and pattern.search(words.encode("utf-8", "surrogatepass")) is not None
    )
