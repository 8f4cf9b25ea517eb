"""The one way ecolint writes a file: fixes, ``--add-noqa``, baselines and ``-o`` reports.

A repository being scanned is not trusted. A committed symlink must not turn a fix or a report
into a write outside the tree the run was given, so a write whose real location leaves the tree
while the name it was asked for lies inside it is refused. A write never leaves a half-written
file: the bytes go to a temporary file in the same folder (created exclusively, with the
original's permission bits), are flushed to disk and then renamed over the original, so a kill,
a full disk or a size limit leaves the old bytes or the new ones, never a mix. A file that
changed since ecolint read it is not overwritten: the person's edit wins over ecolint's.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

NEW_FILE_MODE = 0o666  # before the umask, as open() creates files
TEMP_SUFFIX = ".ecolint-tmp"


class WriteError(Exception):
    """A write that was refused or failed; the file is as it was before."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class Tree:
    """The folders a run may write into through a symlink: the paths it was given and the
    project root, each as written and as resolved."""

    def __init__(self, roots: Iterable[Path]) -> None:
        found: list[Path] = []
        for root in roots:
            folder = root if root.is_dir() else root.parent
            found += [Path(os.path.abspath(folder)), Path(os.path.realpath(folder))]
        self.roots = tuple(dict.fromkeys(found))

    def contains(self, path: Path) -> bool:
        return any(path == root or path.is_relative_to(root) for root in self.roots)

    def target(self, path: Path) -> Path:
        """Where writing ``path`` really lands. A location outside the tree is only accepted
        when it was named directly (``-o /tmp/report.json``), not reached through a symlink
        from inside the tree or through ``path`` itself being a symlink."""
        named = Path(os.path.abspath(path))
        real = Path(os.path.realpath(path))
        if real == named or self.contains(real):
            return real
        if path.is_symlink() or self.contains(named):
            raise WriteError(
                path, f"not written: it is a symlink to {real}, outside the scanned tree"
            )
        return real


def write_file(path: Path, data: bytes, tree: Tree, expected: bytes | None = None) -> None:
    """Replace ``path`` with ``data`` atomically. With ``expected``, the file must still hold
    exactly those bytes (what was read and analysed) or nothing is written."""
    target = tree.target(path)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise WriteError(path, f"cannot write: {error.strerror or error}") from None
    if mode is not None and not os.access(target, os.W_OK):
        # A rename would replace a read-only file; writing in place would have been refused.
        raise WriteError(path, "cannot write: Permission denied")
    temporary = target.with_name(f".{target.name}.{temporary_tag()}{TEMP_SUFFIX}")

    def unchanged() -> None:
        if expected is not None and _current(target) != expected:
            raise WriteError(path, "not written: it changed since ecolint read it")

    try:
        replace_atomically(temporary, target, data, mode=mode, check=unchanged)
    except OSError as error:
        raise WriteError(path, f"cannot write: {error.strerror or error}") from None
    _sync_folder(target.parent)


def temporary_tag() -> str:
    """Eight random hex digits for a temporary file's name: ``secrets.token_hex(4)`` without
    importing ``secrets`` (hmac, random and base64) at every run's start."""
    return os.urandom(4).hex()


def replace_atomically(
    temporary: str | Path,
    target: str | Path,
    data: bytes,
    *,
    mode: int | None = None,
    new_mode: int = NEW_FILE_MODE,
    folder: int | None = None,
    check: Callable[[], None] | None = None,
) -> None:
    """Write ``data`` to ``temporary`` and rename it over ``target``, so a reader sees the old
    bytes or the new ones, never a mix. ``temporary`` is created exclusively and never through
    a symlink, with exactly ``mode`` when given (the original's bits) or ``new_mode`` under the
    umask; names are relative to the descriptor ``folder`` when given (the cache opens its
    folders that way). ``check`` runs just before the rename and may refuse it by raising. On
    any failure the temporary file is removed and the error raised; a temporary name that
    already exists is not touched, since it is not ours."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(temporary, flags, new_mode if mode is None else 0o600, dir_fd=folder)
    try:
        try:
            if mode is not None:
                os.fchmod(descriptor, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if check is not None:
            check()
        os.replace(temporary, target, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise


def _current(target: Path) -> bytes | None:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return None


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a power cut only once the folder is flushed; where a folder
    cannot be opened (Windows) the rename is already as durable as the platform makes it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
