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
    """``max_bytes``: a bounded store (a flake8 worker going through a whole library) keeps a
    module only once a second analysis parses it, the least recently used let go first
    beyond this many bytes of source; modules kept alive are walked by every full pass of
    the cycle collector, so only those that save parses are worth keeping."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self._parsed: dict[Path, tuple[bytes, Parsed]] = {}
        self._once: set[Path] = set()
        self.max_bytes = max_bytes
        self.added = 0  # modules parsed (not reused) since this store was made

    def get(self, path: Path, data: bytes) -> Parsed | None:
        """What ``path`` parsed to when it held ``data``; None when it held other bytes."""
        known = self._parsed.pop(path, None)
        if known is None:
            return None
        self._parsed[path] = known  # the most recently used last
        return known[1] if known[0] == data else None

    def put(self, path: Path, data: bytes, parsed: Parsed) -> None:
        self.added += 1
        if self.max_bytes is None:
            self._parsed[path] = (data, parsed)
            return
        if path not in self._once:
            self._once.add(path)
            return
        self._parsed.pop(path, None)
        self._parsed[path] = (data, parsed)
        while sum(len(kept) for kept, _ in self._parsed.values()) > self.max_bytes:
            del self._parsed[next(iter(self._parsed))]  # freed by the cycle collector

    def holds(self, path: Path, parsed: Parsed) -> bool:
        """Whether ``parsed`` is kept for ``path`` (a later analysis may read it)."""
        known = self._parsed.get(path)
        return known is not None and known[1] is parsed

    def bytes_of(self, paths: set[Path]) -> dict[Path, bytes]:
        """The bytes each of ``paths`` was parsed from, for those held here."""
        return {path: self._parsed[path][0] for path in paths if path in self._parsed}

    def clear(self) -> None:
        """A file changed on disk: a module's name hangs on the packages around it, so all go."""
        self._parsed.clear()
