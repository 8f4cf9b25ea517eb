"""What CPython's own parser says before libcst is let near a file.

libcst is far more fragile than CPython on hostile input: ``[`` ×100,000 segfaults it,
``f(`` ×3,000 aborts it, a 5,000-term ``"a" + "a" + …`` takes it half a minute, and a 1 MB list
literal takes minutes and gigabytes. CPython rejects the first three in milliseconds, so a file
it rejects never reaches libcst; of what it accepts, a statement with more syntax nodes than
``MAX_STATEMENT_NODES`` or nesting deeper than ``MAX_DEPTH`` is reported instead of parsed.

The prefilter already parses each Python file with ``ast``; it records the verdict here
(``remember``) so that the guard does not parse the same text twice.
"""

from __future__ import annotations

import ast

from ecolint.sources.python import SourceError

MAX_DEPTH = 1_000  # syntax nodes nested in one another (a 400-term chain of "+" is 400)
MAX_STATEMENT_NODES = 50_000  # a 10,000-item literal is ~10,000; libcst: ~4 s per 50,000
_verdicts: dict[tuple[int, int], SourceError | None] = {}


def _key(text: str) -> tuple[int, int]:
    return len(text), hash(text)


def refusal(tree: ast.AST) -> SourceError | None:
    """Why a tree CPython accepted is too deep or too large for libcst, or None."""
    statement_nodes: dict[int, int] = {}
    stack: list[tuple[ast.AST, int, ast.AST]] = [(tree, 1, tree)]
    while stack:
        node, depth, statement = stack.pop()
        if isinstance(node, ast.stmt):
            statement = node
        count = statement_nodes[id(statement)] = statement_nodes.get(id(statement), 0) + 1
        if depth > MAX_DEPTH:
            return SourceError(
                f"syntax nested over {MAX_DEPTH:,} levels deep; not parsed",
                getattr(node, "lineno", 1),
                getattr(node, "col_offset", 0) + 1,
            )
        if count > MAX_STATEMENT_NODES:
            return SourceError(
                f"a statement of over {MAX_STATEMENT_NODES:,} syntax nodes (generated data?);"
                " not parsed",
                getattr(statement, "lineno", 1),
                getattr(statement, "col_offset", 0) + 1,
            )
        stack.extend((child, depth + 1, statement) for child in ast.iter_child_nodes(node))
    return None


def parse_checked(text: str) -> tuple[ast.Module | None, SourceError | None]:
    """The ``ast`` of ``text`` and the guard's verdict on it, remembered for ``check``."""
    tree: ast.Module | None = None
    try:
        tree = ast.parse(text)
        verdict = refusal(tree)
    except SyntaxError as error:
        verdict = SourceError(f"syntax error: {error.msg}", error.lineno or 1, error.offset or 1)
    except (RecursionError, MemoryError):
        verdict = SourceError("nested too deeply for Python's own parser; not parsed")
    except ValueError as error:
        verdict = SourceError(f"cannot parse: {error}")
    remember(text, verdict)
    return tree, verdict


def remember(text: str, verdict: SourceError | None) -> None:
    _verdicts[_key(text)] = verdict


def check(text: str) -> None:
    """Raise the ``SourceError`` that keeps ``text`` from libcst, if any."""
    key = _key(text)
    verdict = _verdicts[key] if key in _verdicts else parse_checked(text)[1]
    if verdict is not None:
        raise verdict
