"""Modules parsed from disk, kept across the analyses of one editor session: a keystroke in a
buffer re-parses the buffer, not the modules it imports. A module is reused only while its
file holds the very bytes it was parsed from (read again each time: cheap next to a parse, and
unlike a modification time never fooled by two saves within one clock tick)."""

from __future__ import annotations

from pathlib import Path

from ecolint.analysis.module import ModuleInfo
from ecolint.sources.python import SourceError

Parsed = ModuleInfo | SourceError  # a module, or why it cannot be analysed


class ParsedFiles:
    def __init__(self) -> None:
        self._parsed: dict[Path, tuple[bytes, Parsed]] = {}
        self.added = 0  # modules parsed (not reused) since this store was made

    def get(self, path: Path, data: bytes) -> Parsed | None:
        """What ``path`` parsed to when it held ``data``; None when it held other bytes."""
        known = self._parsed.get(path)
        return known[1] if known is not None and known[0] == data else None

    def put(self, path: Path, data: bytes, parsed: Parsed) -> None:
        self._parsed[path] = (data, parsed)
        self.added += 1

    def bytes_of(self, paths: set[Path]) -> dict[Path, bytes]:
        """The bytes each of ``paths`` was parsed from, for those held here."""
        return {path: self._parsed[path][0] for path in paths if path in self._parsed}

    def clear(self) -> None:
        """A file changed on disk: a module's name hangs on the packages around it, so all go."""
        self._parsed.clear()
