"""``# noqa``, ``# noqa: ECO101`` and ``# ecolint: ignore[ECO101]`` on a reported line."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+\d+(?:[,\s]+[A-Z]+\d+)*))?", re.I)
_IGNORE = re.compile(r"#\s*ecolint:\s*ignore\[(?P<codes>[^\]]*)\]", re.I)
_SKIP_FILE = re.compile(
    rb"^[ \t]*#[ \t]*(?:ecolint:[ \t]*skip-file|flake8[:=][ \t]*noqa)[ \t]*\r?$", re.I | re.M
)
_MARKER = re.compile(r"#\s*(?:noqa|ecolint:\s*ignore)", re.I)
_SEPARATOR = re.compile(r"[,\s]+")
_COMMA = re.compile(r",\s*")
# A marker with the blanks after it, which go with it when it is removed.
_TRAILED_NOQA = re.compile(rf"(?:{_NOQA.pattern})\s*", re.I)
_TRAILED_IGNORE = re.compile(rf"(?:{_IGNORE.pattern})\s*", re.I)
ALL = "*"


@lru_cache(maxsize=32)
def comments_by_line(text: str) -> dict[int, str]:
    """The comments of ``text`` by line; without a suppression marker anywhere in it, none is
    needed, and the tokenizer (whose first use compiles its patterns) is not run."""
    comments: dict[int, str] = {}
    if _MARKER.search(text) is None:
        return comments
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


def skips_file(data: bytes) -> bool:
    """``# ecolint: skip-file``, or flake8's file-level ``# flake8: noqa`` (with no codes after
    it, as flake8 defines it), on a line of its own."""
    return _SKIP_FILE.search(data) is not None


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


@dataclass(unsafe_hash=True)
class Directive:
    """A suppression comment that names ecolint codes: where it is and which codes it lists."""

    line: int  # 1-based
    column: int  # 0-based start of the comment
    end_column: int
    codes: tuple[str, ...]


def _directive(line: int, column: int, comment: str) -> Directive | None:
    codes = tuple(sorted(c for c in suppressed_codes(comment) if c.startswith("ECO")))
    return Directive(line, column, column + len(comment), codes) if codes else None


def python_directives(text: str) -> list[Directive]:
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                directive = _directive(token.start[0], token.start[1], token.string)
                if directive is not None:
                    found.append(directive)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return found


def text_directives(text: str) -> list[Directive]:
    """Requirement lists, TOML and YAML: the comment runs from the marker to the line's end."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MARKER.search(line)
        if match is not None:
            directive = _directive(number, match.start(), line[match.start() :].rstrip())
            if directive is not None:
                found.append(directive)
    return found


def without_codes(comment: str, codes: Collection[str]) -> str:
    """``comment`` with ``codes`` taken out of its ``# noqa: …`` and ``# ecolint: ignore[…]``
    markers, the others kept as written (``# noqa: E501, ECO101`` → ``# noqa: E501``). A marker
    left without codes goes; the rest of the comment stays (``# noqa: ECO101  # why`` →
    ``# why``), and an empty string is returned when nothing is left."""
    drop = {code.upper() for code in codes}

    def keep(match: re.Match[str], separator: re.Pattern[str]) -> str:
        listed = match.group("codes")
        if listed is None:
            return match.group(0)  # a bare noqa (all codes) is left to flake8
        written = [code for code in separator.split(listed) if code.strip()]
        kept = [code for code in written if code.strip().upper() not in drop]
        if len(kept) == len(written):
            return match.group(0)
        if not kept:
            return ""
        between = separator.search(listed)
        joined = (between.group() if between else ", ").join(code.strip() for code in kept)
        text, offset = match.group(0), match.start()
        return text[: match.start("codes") - offset] + joined + text[match.end("codes") - offset :]

    new = _TRAILED_NOQA.sub(lambda match: keep(match, _SEPARATOR), comment)
    new = _TRAILED_IGNORE.sub(lambda match: keep(match, _COMMA), new)
    if new == comment:
        return comment
    new = new.strip()
    return new if not new or new.startswith("#") else f"# {new}"
