"""Analyses of files analysed alone, shared by the processes a flake8 run forks.

flake8 hands its workers one file at a time, so a folder's files alternate between them, and
each worker analyses a file with the modules beside it that import it: over transformers, 289
files were analysed by both workers. What one worker analysed the other now reads instead, as
the cache's JSON (``cache_codec``), never as code.

The log is made before the fork, in anonymous shared memory (no file is written) with a lock
shared the same way: an 8-byte end offset, then entries of a key (the file's resolved path and
the digest of its bytes) and a value. A process started another way (``spawn``) makes its own
log, and shares nothing. A full log takes no more entries; files are then analysed again.
"""

from __future__ import annotations

import hashlib
import mmap
import struct
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.synchronize import Lock

CAPACITY = 64 * 1024 * 1024  # address space; only the pages written take memory
_END = struct.Struct("<Q")  # where the next entry goes
_SIZES = struct.Struct("<II")  # an entry's key and value lengths


class SharedAnalyses:
    def __init__(self, capacity: int = CAPACITY) -> None:
        import multiprocessing

        self._memory = mmap.mmap(-1, capacity)  # MAP_SHARED: the forked workers see one log
        self._lock: Lock = multiprocessing.Lock()
        _END.pack_into(self._memory, 0, _END.size)
        self._read = _END.size  # how far this process has indexed the log
        self._found: dict[bytes, tuple[int, int]] = {}  # key: where its value is

    @classmethod
    def made(cls) -> SharedAnalyses | None:
        """A log, or None where the platform cannot share a lock between processes (flake8
        then runs its files in one process anyway)."""
        try:
            return cls()
        except (ImportError, OSError):
            return None

    def get(self, path: Path, data: bytes) -> object | None:
        """What a process put for ``path`` holding ``data``, or None."""
        from ecolint.cache_codec import CodecError, unpack

        key = _key(path, data)
        if key not in self._found:
            self._index()
        where = self._found.get(key)
        if where is None:
            return None
        start, size = where
        try:
            return unpack(self._memory[start : start + size])
        except CodecError:
            return None

    def put(self, path: Path, data: bytes, value: object) -> None:
        from ecolint.cache_codec import CodecError, pack

        key = _key(path, data)
        try:
            payload = pack(value)
        except CodecError:
            return
        entry = _SIZES.pack(len(key), len(payload)) + key + payload
        with self._lock:
            (end,) = _END.unpack_from(self._memory, 0)
            if end + len(entry) > len(self._memory):
                return
            self._memory[end : end + len(entry)] = entry
            _END.pack_into(self._memory, 0, end + len(entry))

    def _index(self) -> None:
        """Note where the entries written since the last look are."""
        with self._lock:
            (end,) = _END.unpack_from(self._memory, 0)
        at = self._read
        while at < end:
            key_size, value_size = _SIZES.unpack_from(self._memory, at)
            key_at = at + _SIZES.size
            value_at = key_at + key_size
            self._found[self._memory[key_at:value_at]] = (value_at, value_size)
            at = value_at + value_size
        self._read = end


def _key(path: Path, data: bytes) -> bytes:
    return str(path).encode("utf-8", "surrogatepass") + b"\0" + hashlib.blake2b(data).digest()
