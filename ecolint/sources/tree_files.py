"""Writing a tree to analyse into a folder: from a tar archive, or by linking the files another
such folder holds alike.

The archive is unpacked member by member with plain system calls (tarfile's ``extractall``
spends about 0.25 ms a file on metadata a tree to analyse does not need: 80 ms for 300 files,
where writing them takes 7). A name that is absolute or climbs out, a link pointing out of the
tree and a member whose folder is a link are left out, and no file is written through a link
or over another, so an archive cannot place anything outside the folder. Files are linked only
from a folder written this way, which nothing writes to afterwards: a hard link to a file of a
working tree would change when that file is edited in place.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tarfile
from collections.abc import Iterable
from pathlib import Path


def unpack(archive: bytes, destination: Path) -> None:
    """The folders, files and inward links of a tar archive under ``destination``; whatever
    could land outside it is left out, and so is a member whose name is taken."""
    folders = {""}  # folders known to be real ones, relative to ``destination``, "/"-joined
    with tarfile.open(fileobj=io.BytesIO(archive)) as bundle:
        for member in bundle:
            parts = _parts(member.name)
            if parts is None or not _folder(destination, parts[:-1], folders):
                continue
            name, target = "/".join(parts), destination.joinpath(*parts)
            if member.isdir():
                _folder(destination, parts, folders)
            elif member.isfile():
                source = bundle.extractfile(member)
                _write(target, source.read() if source else b"", member.mode & 0o111 != 0)
            elif member.issym() and _inside(name, member.linkname):
                with contextlib.suppress(OSError):
                    os.symlink(member.linkname, target)


def link_from(source: Path, destination: Path, names: Iterable[str]) -> None:
    """The files and links named (relative, "/"-joined) as ``source``, a folder ``unpack``
    wrote, holds them, under ``destination``: files as hard links, links as links; a name
    ``source`` does not hold (``unpack`` left it out) is left out too. Raises ``OSError``
    where linking fails (a file system without hard links)."""
    folders = {""}
    for name in names:
        parts = name.split("/")
        path = source.joinpath(*parts)
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        if not _folder(destination, parts[:-1], folders):
            continue
        target = destination.joinpath(*parts)
        if stat.S_ISLNK(mode):
            os.symlink(os.readlink(path), target)
        elif stat.S_ISREG(mode):
            os.link(path, target)


def _parts(name: str) -> list[str] | None:
    """The components of a member's name; None for an absolute name or one with ``..``."""
    if name.startswith("/"):
        return None
    parts = [part for part in name.split("/") if part not in ("", ".")]
    return parts if parts and ".." not in parts else None


def _folder(destination: Path, parts: list[str], folders: set[str]) -> bool:
    """Whether ``parts`` is a real folder (never a link), making it and its parents where no
    entry has their name."""
    for depth in range(1, len(parts) + 1):
        name = "/".join(parts[:depth])
        if name in folders:
            continue
        path = destination.joinpath(*parts[:depth])
        try:
            os.mkdir(path, 0o755)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return False
        except OSError:
            return False
        folders.add(name)
    return True


def _write(target: Path, data: bytes, executable: bool) -> None:
    """A new file (``O_EXCL``: never through a link, never over another member)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(target, flags, 0o755 if executable else 0o644)
    except OSError:
        return
    with os.fdopen(handle, "wb") as file:
        file.write(data)


def _inside(name: str, link: str) -> bool:
    """Whether the link at ``name`` points to a place inside the tree."""
    if not link or link.startswith("/"):
        return False
    parts = name.split("/")[:-1]
    for part in link.split("/"):
        if part == "..":
            if not parts:
                return False
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return True
