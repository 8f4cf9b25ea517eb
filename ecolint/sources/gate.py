"""The second, cheap stage of scanning: is a trigger word in the code itself?

The byte prefilter lets through every file that mentions a trigger anywhere, comments
included. Before the module is indexed and analysed (several times the cost of the parse),
its ``ast`` tree, the one the analysis then uses, is searched for the triggers in what the
code uses (names, attributes, keywords, imports) and in its string constants (dict keys and
model ids are strings). Docstrings do not count (library code documents
``from_pretrained(...)`` everywhere), nor do definitions: a method named ``from_pretrained``
or a parameter named ``batch_size`` loads or batches nothing. Strings with whitespace are kept
apart (``CodeWords``): a key, an option, a model id or a name has none, while the sentences of
messages and of documentation kept in constants (transformers' ``*_DOCSTRING``) name
``from_pretrained`` hundreds of times. Only a rule's command words (``pip``) count there, and
only in strings: ``pip install torch`` is a command, ``pipeline`` a name. A file that ``ast``
cannot parse goes on, to be reported (ECO001).

Most statements of a library module hold no trigger word at all: given the lines where one
may be (``word_lines``), the walk passes over every statement that spans none of them.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Iterable
from typing import NamedTuple

from ecolint.sources.ast_children import child_nodes

_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
# Where a name or a string may spell a word that its source line does not show literally: an
# escape in a string (``"from\\x5fpretrained"``), an identifier the parser normalises (NFKC
# turns a full-width ``ｆ`` into ``f``).
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WHITESPACE = re.compile(r"\s")


class CodeWords(NamedTuple):
    """A module's words, one per line (a string's own lines too)."""

    names: str  # names, attributes, keywords, import aliases
    strings: str  # strings without whitespace: keys, options, model ids, argv words
    text: str  # strings with whitespace: sentences, messages, shell commands


def word_lines(text: str, words: Iterable[str]) -> list[int] | None:
    """The numbers of the lines of ``text`` on which one of ``words`` may come from, in order:
    those where it is written, and those with an escape or a non-ASCII character. None when
    the parser would number the lines otherwise (a carriage return alone ends a line).

    Each word is looked for with ``str.find``, which skips through text many times faster than
    a regular expression of alternatives (backslashes, frequent in strings, made one match
    each)."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None
    found: list[int] = []
    find = text.find
    for word in (*words, "\\"):
        at = find(word)
        while at >= 0:
            found.append(at)
            at = find(word, at + 1)
    if not text.isascii():
        found.extend(match.start() for match in _NON_ASCII.finditer(text))
    found.sort()
    lines: list[int] = []
    line, at = 1, 0
    for start in found:
        line += text.count("\n", at, start)
        at = start
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def code_words(tree: ast.Module, lines: list[int] | None = None) -> CodeWords:
    """Names and string constants of the module. One pass, parents before
    children, so a docstring is known as such before it is reached; names, constants and
    import aliases have nothing below them worth reading. With ``lines`` (``word_lines``),
    only the words of the statements that span one of them: any word holding one of those
    words is there."""
    words: list[str] = []
    strings: list[str] = []
    texts: list[str] = []
    docstrings: set[int] = set()
    stack: list[ast.AST] = [tree]
    pop, push, word, spaced = stack.pop, stack.extend, words.append, _WHITESPACE.search
    while stack:
        node = pop()
        if lines is not None and isinstance(node, ast.stmt) and _apart(node, lines):
            continue
        if isinstance(node, ast.Name):
            word(node.id)
            continue
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str) and id(node) not in docstrings:  # examples are not code
                (texts if spaced(value) else strings).append(value)
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
    return CodeWords("\n".join(words), "\n".join(strings), "\n".join(texts))


def _apart(statement: ast.stmt, lines: list[int]) -> bool:
    """Whether ``statement`` (with its decorators, written above its first line) spans none of
    ``lines``."""
    first = statement.lineno
    for decorator in getattr(statement, "decorator_list", ()):
        first = min(first, decorator.lineno)
    index = bisect_left(lines, first)
    return index == len(lines) or lines[index] > (statement.end_lineno or first)


def triggered_in_code(words: bytes, pattern: re.Pattern[bytes] | None) -> bool:
    """``words``: a part of ``code_words`` encoded, once for all the rules asked about."""
    return pattern is not None and pattern.search(words) is not None
