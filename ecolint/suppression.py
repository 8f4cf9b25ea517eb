"""``# noqa``, ``# noqa: ECO101`` and ``# ecolint: ignore[ECO101]`` on a reported line."""

from __future__ import annotations

import io
import re
import tokenize
from functools import lru_cache

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+\d+(?:[,\s]+[A-Z]+\d+)*))?", re.I)
_IGNORE = re.compile(r"#\s*ecolint:\s*ignore\[(?P<codes>[^\]]*)\]", re.I)
ALL = "*"


@lru_cache(maxsize=32)
def comments_by_line(text: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return comments


def suppressed_codes(comment: str) -> set[str]:
    codes: set[str] = set()
    for match in _NOQA.finditer(comment):
        listed = match.group("codes")
        if listed is None:
            return {ALL}
        codes.update(code.upper() for code in re.split(r"[,\s]+", listed) if code)
    for match in _IGNORE.finditer(comment):
        codes.update(code.strip().upper() for code in match.group("codes").split(",") if code)
    return codes


def _silences(comment: str, code: str) -> bool:
    codes = suppressed_codes(comment)
    return ALL in codes or any(code.startswith(listed) for listed in codes)


def is_suppressed(text: str, line: int, code: str) -> bool:
    """Python: only real comments count (a ``# noqa`` inside a string does not)."""
    comment = comments_by_line(text).get(line)
    return comment is not None and _silences(comment, code)


def suppressed_in_line(line: str, code: str) -> bool:
    """Requirement lists, TOML and YAML: the markers themselves are specific enough."""
    return _silences(line, code)
