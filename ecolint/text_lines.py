"""Lines as Python's tokenizer (and libcst, whose line numbers findings carry) counts them.

``str.splitlines`` also breaks at form feeds, U+001C-U+001E, U+0085, U+2028 and U+2029, which
Python allows inside comments and strings; counting those as line ends puts a line's number on
the wrong text, and an edit made there lands inside a string literal.
"""

from __future__ import annotations

import re

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def source_lines(text: str) -> list[str]:
    """``text`` split after each ``\\n``, ``\\r\\n`` and lone ``\\r``, line ends kept."""
    return _LINE.findall(text)
