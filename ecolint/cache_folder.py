"""The cache folder, used only when it is a real folder of ours, and never through a symlink.

A scanned tree may hold ``.ecolint_cache`` (or its ``files/``) as a symlink (``-> ..``,
``-> /elsewhere``), as a file, or with symlinks or FIFOs as entries. Each folder is opened
relative to its parent's descriptor with ``O_NOFOLLOW``, and every entry is read, replaced,
touched or unlinked relative to the folder's descriptor: a symlink on the way makes the cache
unused instead of followed, and pruning can only ever remove regular files inside the folder.
Writes go to a new temporary file beside the entry (``O_EXCL``, synced) that is then renamed
over it, so concurrent runs see a whole entry or none.
"""

from __future__ import annotations

import os
import stat
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

from ecolint.safe_write import replace_atomically, temporary_tag

IGNORE_FILE = ".gitignore"
IGNORE_TEXT = b"# Created by ecolint: the whole folder is a cache.\n*\n"
ENTRY_MAX_BYTES = 64 * 1024 * 1024  # larger "entries" are not read
STALE_TEMPORARY_SECONDS = 600  # a temporary file this old was left by a killed run
USED_RESOLUTION_SECONDS = 600  # an entry read is marked as used when its mark is this old
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


@dataclass(frozen=True)
class Entry:
    name: str
    mtime_ns: int
    size: int


class Folder:
    """An open cache folder; its descriptor is closed when the object goes."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        weakref.finalize(self, os.close, fd)

    @classmethod
    def open(cls, path: Path, create: bool) -> Folder | None:
        """``path`` as a folder owned by this user, made when ``create``; None when it is
        missing, a symlink, not a folder or not ours."""
        try:
            parent = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            return cls._open_in(parent, path.name, create)
        finally:
            os.close(parent)

    def sub(self, name: str, create: bool) -> Folder | None:
        return self._open_in(self.fd, name, create)

    @classmethod
    def _open_in(cls, parent: int, name: str, create: bool) -> Folder | None:
        if create:
            try:
                os.mkdir(name, 0o755, dir_fd=parent)
            except FileExistsError:
                pass
            except OSError:
                return None
        try:
            fd = os.open(name, _DIRECTORY, dir_fd=parent)
        except OSError:
            return None
        info = os.fstat(fd)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            os.close(fd)
            return None
        return cls(fd)

    def read(self, name: str) -> bytes | None:
        """The entry's bytes when it is a regular file of a sane size. Its time is the last
        use that pruning goes by, to within ``USED_RESOLUTION_SECONDS`` (an entry not rewritten
        keeps its time through a quick series of runs)."""
        try:
            fd = os.open(name, _READ, dir_fd=self.fd)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > ENTRY_MAX_BYTES:
                return None
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            if time.time_ns() - info.st_mtime_ns > USED_RESOLUTION_SECONDS * 1_000_000_000:
                os.utime(fd)
            return b"".join(chunks)
        except OSError:
            return None
        finally:
            os.close(fd)

    def write(self, name: str, data: bytes) -> None:
        """Replace the entry atomically; raises OSError (the caller runs uncached)."""
        temporary = f".{name}.{os.getpid()}.{temporary_tag()}.tmp"
        replace_atomically(temporary, name, data, new_mode=0o644, folder=self.fd)

    def ignore(self) -> None:
        """A ``.gitignore`` that ignores the whole folder, unless something is there."""
        try:
            os.stat(IGNORE_FILE, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            self.write(IGNORE_FILE, IGNORE_TEXT)

    def entries(self, suffix: str) -> list[Entry]:
        """The regular files whose name ends with ``suffix``, newest first."""
        found = []
        with os.scandir(self.fd) as listing:
            for item in listing:
                if item.name.endswith(suffix) and item.is_file(follow_symlinks=False):
                    try:
                        info = item.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    found.append(Entry(item.name, info.st_mtime_ns, info.st_size))
        return sorted(found, key=lambda entry: (entry.mtime_ns, entry.name), reverse=True)

    def remove(self, name: str) -> None:
        """Unlink a regular file (unlinking never follows a symlink)."""
        try:
            info = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                os.unlink(name, dir_fd=self.fd)
        except OSError:
            pass

    def prune(self, suffix: str, keep: int, max_bytes: int) -> None:
        """Keep the ``keep`` most recently used entries within ``max_bytes``, the
        ``.gitignore`` and the temporary files of runs under way; remove every other regular
        file (older entries, entries of older formats, what killed runs left)."""
        kept = total = 0
        stale = time.time_ns() - STALE_TEMPORARY_SECONDS * 1_000_000_000
        for entry in self.entries(""):
            if entry.name.endswith(suffix) and not entry.name.startswith("."):
                total += entry.size
                if kept < keep and total <= max_bytes:
                    kept += 1
                    continue
            elif entry.name == IGNORE_FILE or (
                entry.name.endswith(".tmp") and entry.mtime_ns >= stale
            ):
                continue
            self.remove(entry.name)
