"""The second, cheap stage of scanning: is a trigger word in the code itself?

The byte prefilter lets through every file that mentions a trigger anywhere, comments
included. Before the module is indexed and analysed (several times the cost of the parse),
its ``ast`` tree, the one the analysis then uses, is searched for the triggers in what the
code uses (names, attributes, keywords, imports) and in its string constants (dict keys and
model ids are strings). Docstrings do not
count (library code documents ``from_pretrained(...)`` everywhere), nor do definitions: a
method named ``from_pretrained`` or a parameter named ``batch_size`` loads or batches nothing.
A file that ``ast`` cannot parse goes on, to be reported (ECO001).
"""

from __future__ import annotations

import ast
import re

from ecolint.sources.ast_children import child_nodes

_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def code_words(tree: ast.Module) -> str:
    """Names and string constants of the module, one per line. One pass, parents before
    children, so a docstring is known as such before it is reached; names, constants and
    import aliases have nothing below them worth reading."""
    words: list[str] = []
    docstrings: set[int] = set()
    stack: list[ast.AST] = [tree]
    pop, push, word = stack.pop, stack.extend, words.append
    while stack:
        node = pop()
        if isinstance(node, ast.Name):
            word(node.id)
            continue
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str) and id(node) not in docstrings:
                word(node.value)  # documentation examples are not code
            continue
        if isinstance(node, ast.alias):
            word(node.name)
            if node.asname:
                word(node.asname)
            continue
        if isinstance(node, ast.Attribute):
            word(node.attr)
        elif isinstance(node, ast.keyword):
            if node.arg:
                word(node.arg)
        elif isinstance(node, _DOCUMENTED) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
        push(child_nodes(node))
    return "\n".join(words)


def triggered_in_code(words: bytes, pattern: re.Pattern[bytes] | None) -> bool:
    """``words``: ``code_words`` encoded, once for all the rules asked about."""
    return pattern is not None and pattern.search(words) is not None
