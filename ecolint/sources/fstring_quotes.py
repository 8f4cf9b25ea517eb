"""Python 3.12 f-strings (PEP 701) made readable to an older parser, position for position.

Before 3.12 a replacement field may not reuse the quote of its f-string: ``f"{row["a"]}"``
runs on 3.12 (Colab, Kaggle) but does not parse on 3.11. Such a string inside a field is given
the other quote (``f"{row['a']}"``): one character swapped for another, so every line and
column of the tree still points at the text as written. Shapes this cannot express on an old
parser (a backslash or comment in a field, three levels of the same quote) stay unparsed.
"""

from __future__ import annotations

_QUOTES = "'\""
_PREFIX_LETTERS = frozenset("rRbBfFuU")
_OPENERS = "([{"
_CLOSERS = ")]}"


class _Unfixable(Exception):
    """The f-string needs more than a swap of quotes."""


def requoted(text: str) -> str | None:
    """``text`` with same-quote strings inside f-string fields given the other quote, or None
    when that is not enough."""
    scanner = _Scanner(text)
    try:
        scanner.module()
    except (_Unfixable, IndexError):
        return None
    return "".join(scanner.out)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = list(text)

    def module(self) -> None:
        text, at = self.text, 0
        while at < len(text):
            char = text[at]
            if char == "#":
                end = text.find("\n", at)
                at = len(text) if end < 0 else end
            elif char in _QUOTES:
                at = self.string(at, None)
            else:
                at += 1

    def _prefix(self, at: int) -> str:
        start = at
        while start > 0 and self.text[start - 1] in _PREFIX_LETTERS:
            start -= 1
        if start > 0 and (self.text[start - 1].isalnum() or self.text[start - 1] == "_"):
            return ""  # the letters end a name: ``x"..."`` is not a prefix
        return self.text[start:at].lower()

    def string(self, at: int, enclosing: str | None) -> int:
        """Scan the string literal opening at ``at``; return the index after it. Inside a field
        of an f-string quoted with ``enclosing``, a string with that same quote is requoted."""
        text = self.text
        quote = text[at : at + 3] if text[at : at + 3] in ("'''", '"""') else text[at]
        prefix = self._prefix(at)
        if enclosing is not None and quote == enclosing:
            return self._requote(at, quote, prefix)
        if "f" in prefix:
            return self._fstring(at, quote, "r" in prefix)
        return self._plain_end(at, quote, "r" in prefix)

    def _plain_end(self, at: int, quote: str, raw: bool) -> int:
        text, index = self.text, at + len(quote)
        while not text.startswith(quote, index):
            if text[index] == "\n" and len(quote) == 1:
                raise _Unfixable
            index += 2 if text[index] == "\\" and not raw else 1
        return index + len(quote)

    def _requote(self, at: int, quote: str, prefix: str) -> int:
        other = "'" if quote == '"' else '"'
        end = self._fstring(at, quote, "r" in prefix) if "f" in prefix else None
        if end is None:
            end = self._plain_end(at, quote, "r" in prefix)
        if other in self.text[at + 1 : end - 1]:
            raise _Unfixable
        self.out[at] = self.out[end - 1] = other
        return end

    def _fstring(self, at: int, quote: str, raw: bool) -> int:
        text, index = self.text, at + len(quote)
        while not text.startswith(quote, index):
            char = text[index]
            escaped = char == "\\" and not raw
            if escaped or text.startswith("{{", index) or text.startswith("}}", index):
                index += 2
            elif char == "{":
                index = self._field(index + 1, quote)
            else:
                index += 1
        return index + len(quote)

    def _field(self, at: int, quote: str) -> int:
        text, index, depth = self.text, at, 0
        while True:
            char = text[index]
            if char in _QUOTES:
                index = self.string(index, quote if len(quote) == 1 else None)
                continue
            if char in "\\#":
                raise _Unfixable
            if char in _OPENERS:
                depth += 1
            elif char in _CLOSERS:
                if depth == 0:
                    return index + 1
                depth -= 1
            index += 1
