"""Text from a scanned repository (file names, values quoted in messages, source lines) made
inert before it is printed on any channel.

A file name can hold a newline followed by ``::error …`` or ``::add-mask::``, which a GitHub
Actions runner reads as a workflow command when the line reaches its log, and ESC/OSC/C0/C1
characters drive the terminal that shows it. Escaped, they print as ``\\n`` and ``\\x1b``; bidi
controls as ``\\u202e`` so the text reads as it is stored.
"""

from __future__ import annotations

import re

# C0, DEL, C1, the Unicode line and paragraph separators, bidi embeddings, overrides and
# isolates, and the byte-order mark.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in NAMED:
        return NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}"


def inert(text: str, keep_lines: bool = False) -> str:
    """One line, without control characters: safe on a terminal and in a CI log.
    ``keep_lines``: leave CR and LF to an encoding that escapes them itself (GitHub's)."""
    if keep_lines:
        return UNSAFE.sub(
            lambda match: match.group() if match.group() in "\r\n" else _escape(match), text
        )
    return UNSAFE.sub(_escape, text)


def inert_path(path: str) -> str:
    """A file name that starts a printed line: a leading ``::`` would make the line a workflow
    command, so such a relative name is written ``./::…`` (the same file)."""
    text = inert(path)
    return f"./{text}" if text.lstrip().startswith("::") else text


def inert_json(text: str) -> str:
    """JSON text with the characters ``json.dumps(ensure_ascii=False)`` leaves raw (DEL, C1,
    separators, bidi controls) written as ``\\u`` escapes: the data is the same, the bytes are
    safe to show. Such characters only occur inside JSON strings, so the escape is valid."""
    return RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
