"""Read Python source bytes as text the way the interpreter would (PEP 263, BOM) and parse it."""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class SourceError(Exception):
    """A file that cannot be analysed; the message says why and is shown to the user."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(unsafe_hash=True)
class PythonText:
    text: str
    encoding: str


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise SourceError(
            f"file is {size / 1_048_576:.1f} MiB, over the {max_bytes / 1_048_576:.0f} MiB"
            " limit (raise max-file-size in [tool.ecolint])"
        )


def _check_size_and_binary(data: bytes, max_bytes: int) -> None:
    _check_size(len(data), max_bytes)
    if b"\x00" in data:
        raise SourceError("file contains NUL bytes; it looks binary, not source text")


def decode_text(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """UTF-8 text files that are not Python (notebooks, requirement lists, TOML, YAML)."""
    _check_size_and_binary(data, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"cannot decode as UTF-8: {error}") from None
    return text[1:] if text.startswith("\ufeff") else text


def decode_python(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> PythonText:
    _check_size_and_binary(data, max_bytes)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise SourceError(
            f"cannot decode ({error}); save the file as UTF-8 or declare its encoding (PEP 263)"
        ) from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"cannot decode as {encoding}: {error}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return PythonText(text, encoding)


def checked_text(text: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Text another tool already decoded (flake8's lines, an editor buffer), held to the
    limits ``decode_python`` applies to bytes."""
    _check_size(len(text.encode("utf-8", "surrogatepass")), max_bytes)
    if "\x00" in text:
        raise SourceError("file contains NUL bytes; it looks binary, not Python source")
    return text[1:] if text.startswith("\ufeff") else text


def parse_python(text: str) -> ast.Module:
    """The ``ast`` tree of ``text``, once CPython's parser and the guard's limits accept it."""
    from ecolint.sources.parse_guard import checked_tree

    return checked_tree(text)
