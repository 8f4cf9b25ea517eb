"""The second, cheap stage of scanning: is a trigger word in the code itself?

The byte prefilter lets through every file that mentions a trigger anywhere, comments
included. Before paying for a libcst parse (about 13× ``ast.parse``), the file is parsed with
``ast`` and the triggers are looked for in what the code names (identifiers, attributes,
keywords, imports) and in its string constants (dict keys and model ids are strings). A file
that ``ast`` cannot parse goes on to libcst, which reports the syntax error.
"""

from __future__ import annotations

import ast
import re


def code_words(text: str) -> str | None:
    """Names and string constants of the module, one per line; None when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    words: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
        elif isinstance(node, ast.keyword) and node.arg:
            words.append(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            words.append(node.value)
        elif isinstance(node, ast.alias):
            words.append(node.name)
            if node.asname:
                words.append(node.asname)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            words.append(node.name)
        elif isinstance(node, ast.arg):
            words.append(node.arg)
    return "\n".join(words)


def triggered_in_code(words: str, pattern: re.Pattern[bytes]) -> bool:
    return pattern.search(words.encode("utf-8", "surrogatepass")) is not None
