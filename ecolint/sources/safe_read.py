"""Reading a file from a tree nobody vetted: only regular files, never more than a cap.

A repository can hold a ``x.py`` that is a FIFO (opening it blocks until a writer comes), a
symlink to ``/dev/zero`` (reading it never ends) or a 50 GB file. Each is refused before a byte
is read: the kind of file is checked with ``stat`` (which follows symlinks, so a link to a
device is a device), the size is checked against the cap, the file is opened non-blocking in
case it was swapped for a FIFO in between, checked again on the open descriptor, and at most
``cap + 1`` bytes are read, so a file that grows meanwhile is still caught.

Every refusal is an ``OSError`` whose ``strerror`` says why, so the callers that already skip
or report unreadable files handle these too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ecolint.sources.python import SourceError

NOTEBOOK_MAX_BYTES = 128 * 1024 * 1024  # outputs (plots, logs) make notebooks large
SMALL_FILE_BYTES = 1024 * 1024  # configuration beside the code: config.json, .gitignore

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


class NotRegularFile(OSError):
    """The path is (or leads through a symlink to) a FIFO, device, socket or folder."""


class FileTooLarge(OSError):
    """The file is over the cap; ``size`` is what it holds (at least ``cap + 1``)."""

    def __init__(self, size: int, cap: int) -> None:
        super().__init__(
            f"file is {size / 1_048_576:.1f} MiB, over the {cap / 1_048_576:.0f} MiB limit"
        )
        self.strerror = str(self)
        self.size = size
        self.cap = cap


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a special file"


def _refuse(mode: int) -> NotRegularFile:
    error = NotRegularFile(f"not a regular file but {_kind(mode)}")
    error.strerror = str(error)
    return error


def _open_regular(path: Path) -> tuple[int, os.stat_result]:
    """A read-only descriptor on the regular file at ``path``, checked before and after the
    open (non-blocking, so a FIFO swapped in between cannot hang the open)."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(info.st_mode)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    opened = os.fstat(descriptor)
    if not stat.S_ISREG(opened.st_mode):
        os.close(descriptor)
        raise _refuse(opened.st_mode)
    return descriptor, opened


def read_bytes(path: Path, cap: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``cap`` of them; raises
    ``NotRegularFile``, ``FileTooLarge`` or the ``OSError`` of the failed call."""
    descriptor, info = _open_regular(path)
    try:
        if info.st_size > cap:
            raise FileTooLarge(info.st_size, cap)
        chunks: list[bytes] = []
        left = cap + 1
        while left > 0:
            chunk = os.read(descriptor, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > cap:
        raise FileTooLarge(len(data), cap)
    return data


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a regular file (a shebang line); b"" for anything else."""
    try:
        descriptor, _ = _open_regular(path)
    except OSError:
        return b""
    try:
        return os.read(descriptor, size)
    except OSError:
        return b""
    finally:
        os.close(descriptor)


def read_text(path: Path, cap: int = SMALL_FILE_BYTES) -> str:
    """A small UTF-8 file (``config.json``, ``.gitignore``); undecodable bytes replaced."""
    return read_bytes(path, cap).decode("utf-8", errors="replace")


def source_cap(kind: str, max_bytes: int) -> int:
    """The read cap of a scanned file: the ``max-file-size`` setting, except for notebooks,
    whose outputs do not count toward it (the code cells are held to it once extracted)."""
    return max(max_bytes, NOTEBOOK_MAX_BYTES) if kind == "notebook" else max_bytes


def read_source(path: Path, kind: str, max_bytes: int) -> bytes:
    """A scanned file's bytes, or a ``SourceError`` whose message the user sees (ECO001)."""
    try:
        return read_bytes(path, source_cap(kind, max_bytes))
    except OSError as error:
        raise unreadable(error) from None


def unreadable(error: OSError) -> SourceError:
    """What the user is told about a file ``read_bytes`` refused or failed to read."""
    if isinstance(error, FileTooLarge):
        return SourceError(f"{error.strerror} (raise max-file-size in [tool.ecolint])")
    if isinstance(error, NotRegularFile):
        return SourceError(f"{error.strerror}; not read")
    return SourceError(f"cannot read file: {error.strerror or error}")
