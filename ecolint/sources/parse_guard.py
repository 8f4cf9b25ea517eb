"""CPython's parser, and the limits a tree must keep to be analysed (and, for a fix, given
to libcst).

The analysis walks trees recursively and libcst is far more fragile still (``[`` ×100,000
segfaults it, a 1 MB list literal takes it minutes and gigabytes): of what CPython accepts, a
statement with more syntax nodes than ``MAX_STATEMENT_NODES`` or nesting deeper than
``MAX_DEPTH`` is reported instead of analysed.

The prefilter already parses each Python file with ``ast``; the verdict is remembered here, and
the tree of the last text parsed, so that the analysis of the file the gate has just let
through does not parse it again. That tree is handed to the analysis once: another file with
the same text gets a tree of its own, since the analysis tells sites apart by their nodes. A
tree parsed elsewhere (flake8 hands its plugins one) is ``adopt``-ed the same way.

One rejection is not the file's fault: before Python 3.12 (PEP 701) the parser rejects
f-strings that reuse their own quotes inside a replacement field, which run fine on 3.12. Such
a file is parsed with those inner strings requoted (``fstring_quotes``) when its brackets nest
shallowly.
"""

from __future__ import annotations

import ast
import itertools
import re
import sys

from ecolint.sources.ast_children import every_child_node
from ecolint.sources.fstring_quotes import requoted
from ecolint.sources.python import SourceError

MAX_DEPTH = 1_000  # syntax nodes nested in one another (a 400-term chain of "+" is 400)
MAX_STATEMENT_NODES = 50_000  # a 10,000-item literal is ~10,000; libcst: ~4 s per 50,000
SMALL_SPAN = 900  # bytes: an expression shorter than this cannot nest MAX_DEPTH deep
MAX_FSTRING_FALLBACK_DEPTH = 100  # brackets nested in a file whose f-strings are requoted
PEP_701 = (3, 12)  # the first Python whose parser accepts these f-strings
# Python 3.12's type parameters and ``type`` aliases (PEP 695), on the line of the error.
_PEP_695 = re.compile(r"\s*(?:type\s+\w+\s*[\[=]|(?:async\s+)?def\s+\w+\s*\[|class\s+\w+\s*\[)")
# Statements without a body: what they hold is expressions (and import aliases, operators).
_SIMPLE = (
    ast.Return, ast.Delete, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Raise, ast.Assert,
    ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Expr, ast.Pass, ast.Break,
    ast.Continue,
)  # fmt: skip
_verdicts: dict[tuple[int, int], SourceError | None] = {}
_last_tree: list[tuple[tuple[int, int], ast.Module]] = []  # one entry: memory stays flat


def _key(text: str) -> tuple[int, int]:
    return len(text), hash(text)


def refusal(tree: ast.AST, text: str) -> SourceError | None:
    """Why a tree CPython accepted is too deep or too large to analyse, or None.

    An expression written in fewer than ``SMALL_SPAN`` bytes is not walked into when it cannot
    reach ``MAX_DEPTH`` (every level of nesting below it takes at least one of its characters,
    plus a context leaf): its nodes are counted as an estimate from its length. A simple
    statement (no body) that short is passed over whole: its expressions are all small, and
    their estimates cannot add up to ``MAX_STATEMENT_NODES``. Ordinary code then costs a walk of
    its compound statements and its few long ones, not of every node."""
    starts = [
        0,
        *itertools.accumulate(map(len, text.encode("utf-8", "surrogatepass").splitlines(True))),
    ]
    statement_nodes: dict[int, int] = {}
    # Each entry carries the nearest node with a position: context and operator markers
    # (Load, Add) have none, and a refusal must point at the code, not at line 1.
    stack: list[tuple[ast.AST, int, ast.AST, ast.AST]] = [(tree, 1, tree, tree)]
    while stack:
        node, depth, statement, placed = stack.pop()
        if hasattr(node, "lineno"):
            placed = node
        weight = 1
        small = False
        if isinstance(node, ast.stmt):
            if isinstance(node, _SIMPLE):
                span = _span(node, starts)
                if span < SMALL_SPAN and depth + span + 3 <= MAX_DEPTH:
                    continue  # its expressions: one level deeper, each small
            statement = node
        elif isinstance(node, ast.expr):
            span = _span(node, starts)
            small = span < SMALL_SPAN and depth + span + 2 <= MAX_DEPTH
            if small:
                weight = _leaf_weight(node) or 1 + span // 2
        count = statement_nodes[id(statement)] = statement_nodes.get(id(statement), 0) + weight
        if depth > MAX_DEPTH:
            return SourceError(
                f"syntax nested over {MAX_DEPTH:,} levels deep; not parsed",
                getattr(placed, "lineno", 1),
                getattr(placed, "col_offset", 0) + 1,
            )
        if count > MAX_STATEMENT_NODES:
            return SourceError(
                f"a statement of over {MAX_STATEMENT_NODES:,} syntax nodes (generated data?);"
                " not parsed",
                getattr(statement, "lineno", 1),
                getattr(statement, "col_offset", 0) + 1,
            )
        if not small:
            stack.extend(
                [(child, depth + 1, statement, placed) for child in every_child_node(node)]
            )
    return None


def _span(node: ast.stmt | ast.expr, starts: list[int]) -> int:
    """How many bytes of the text ``node`` is written in."""
    end = starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0)
    return end - starts[node.lineno - 1] - node.col_offset


def _leaf_weight(node: ast.expr) -> int:
    """The exact node count of the commonest small expressions (a literal, a name and its
    context); 0 for anything else, whose count is estimated."""
    if isinstance(node, ast.Constant):
        return 1
    if isinstance(node, ast.Name):
        return 2
    return 0


def parse_checked(text: str) -> tuple[ast.Module | None, SourceError | None]:
    """The ``ast`` of ``text`` and the guard's verdict on it, both remembered for
    ``checked_tree``; the remembered tree when ``text`` was the last text parsed (weighed now
    if ``parsed`` left it unweighed)."""
    key = _key(text)
    tree = _last_tree[0][1] if _last_tree and _last_tree[0][0] == key else None
    if tree is not None and key in _verdicts:
        return tree, _verdicts[key]
    if tree is None:
        tree, verdict = _parse_or_verdict(text)
        if verdict is not None:
            return _remember(key, tree, verdict)
    assert tree is not None  # parsed without a verdict
    if key in _verdicts:  # weighed before: a module that many analyses import, parsed again
        return _remember(key, tree, _verdicts[key])
    try:
        verdict = refusal(tree, text)
    except MemoryError:  # a worker's memory budget (ECOLINT_FILE_MEMORY), or the machine's
        verdict = SourceError("ran out of memory while parsing; not parsed")
    return _remember(key, tree, verdict)


def parsed(text: str) -> ast.Module | None:
    """The ``ast`` of ``text`` (None if it does not parse), remembered for ``checked_tree``
    like ``parse_checked``'s, but not yet weighed: the gate turns away some of the files it
    is given, and the guard's walk is as costly as the gate's."""
    key = _key(text)
    if _last_tree and _last_tree[0][0] == key:
        return _last_tree[0][1]
    tree, verdict = _parse_or_verdict(text)
    if verdict is not None:
        return _remember(key, tree, verdict)[0]
    _last_tree[:] = [(key, tree)] if tree is not None else []
    return tree


def _parse_or_verdict(text: str) -> tuple[ast.Module | None, SourceError | None]:
    try:
        return _parse(text), None
    except SyntaxError as error:
        return None, _syntax_error(error)
    except RecursionError:
        return None, SourceError("nested too deeply for Python's own parser; not parsed")
    except MemoryError:  # a worker's memory budget (ECOLINT_FILE_MEMORY), or the machine's
        return None, SourceError("ran out of memory while parsing; not parsed")
    except ValueError as error:
        return None, SourceError(f"cannot parse: {error}")


def adopt(text: str, tree: ast.Module) -> SourceError | None:
    """Take ``tree``, parsed by someone else, as the parse of ``text``: the guard's limits
    apply to it, and the analysis indexes it instead of parsing ``text`` again."""
    return _remember(_key(text), tree, refusal(tree, text))[1]


def _remember(
    key: tuple[int, int], tree: ast.Module | None, verdict: SourceError | None
) -> tuple[ast.Module | None, SourceError | None]:
    _verdicts[key] = verdict
    _last_tree[:] = [(key, tree)] if tree is not None and verdict is None else []
    return tree, verdict


def _parse(text: str) -> ast.Module:
    try:
        return ast.parse(text)
    except SyntaxError as error:
        fixed = requoted(text) if newer_fstring(error, text) else None
        if fixed is None:
            raise
        try:
            return ast.parse(fixed)
        except SyntaxError:
            raise error from None


def _syntax_error(error: SyntaxError) -> SourceError:
    return SourceError(syntax_complaint(error), error.lineno or 1, error.offset or 1)


def syntax_complaint(error: SyntaxError) -> str:
    """The parser's complaint; where an older Python rejects Python 3.12's type-parameter
    syntax, the user is told that the code is not wrong and how to have it analysed."""
    if sys.version_info < PEP_701 and _PEP_695.match(error.text or ""):
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        return (
            f"Python 3.12 type-parameter syntax, which the Python {running} running ecolint"
            " cannot parse; run ecolint with Python 3.12 or newer to analyse this file"
        )
    return f"syntax error: {error.msg}"


def newer_fstring(error: SyntaxError, text: str) -> bool:
    """A rejection by a pre-3.12 parser of an f-string that Python 3.12 may accept, in a file
    whose brackets nest shallowly."""
    if sys.version_info >= PEP_701 or not (error.msg or "").startswith("f-string"):
        return False
    return _bracket_depth(text) <= MAX_FSTRING_FALLBACK_DEPTH


def _bracket_depth(text: str) -> int:
    """The deepest nesting of brackets, counting those inside strings too (an overestimate
    is safe: it only leaves a file unparsed)."""
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth = max(0, depth - 1)
    return deepest


def checked_tree(text: str) -> ast.Module:
    """The tree of ``text`` (the gate's own, when it has just parsed this text), or the
    ``SourceError`` that keeps it from analysis."""
    verdict = _verdicts.get(_key(text))
    if verdict is not None:
        raise verdict
    tree, verdict = parse_checked(text)
    if verdict is not None:
        raise verdict
    assert tree is not None  # no verdict means the text parsed
    _last_tree.clear()  # handed out: the next file with this text gets a tree of its own
    return tree
