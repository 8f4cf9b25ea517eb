"""Revisions of a git repository as folders to analyse, without touching the repository.

A commit is written out with ``git archive`` (only tracked files, as they were committed) and
the index with ``git checkout-index``, into a folder the caller names. The archive is unpacked
with tarfile's ``data`` filter: a hostile commit cannot place a file or a link outside that
folder (such a member is left out). git runs with the repository's own configuration; nothing
here runs hooks.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

GIT_TIMEOUT_SECONDS = 120


class GitError(ValueError):
    """A revision or repository git cannot give us; the message says which and why."""


def _git(root: Path, *args: str) -> bytes:
    done = _run(root, *args)
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(reason[-1] if reason else f"git {args[0]} failed")
    return done.stdout


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT_SECONDS} s") from None
    return done


def repository(start: Path) -> Path:
    """The top folder of the work tree ``start`` is in."""
    return Path(_git(start, "rev-parse", "--show-toplevel").decode().strip())


def commit(root: Path, revision: str) -> str:
    """The commit a revision names (``origin/main``, ``HEAD~1``, a tag), as a full hash."""
    if revision.startswith("-"):
        raise GitError(f"{revision}: not a revision")
    try:
        found = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except GitError:
        raise GitError(f"{revision}: not a commit of {root}") from None
    return found.decode().strip()


def export_commit(root: Path, sha: str, destination: Path) -> None:
    """The files of commit ``sha`` (a full hash from ``commit``) under ``destination``."""
    archive = _git(root, "archive", "--format=tar", sha)
    with tarfile.open(fileobj=io.BytesIO(archive)) as bundle:
        bundle.extractall(destination, filter=_inside_only)


def _inside_only(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
    """tarfile's ``data`` filter, but a member it refuses (a link out of the tree, an absolute
    link) is left out instead of ending the export: the rest of the commit is still analysed."""
    try:
        return tarfile.data_filter(member, destination)
    except tarfile.FilterError:
        return None


def export_index(root: Path, destination: Path) -> None:
    """The staged files (the index) under ``destination``."""
    _git(root, "checkout-index", "--all", f"--prefix={destination.resolve()}/")


def index_is_work_tree(root: Path) -> bool:
    """Whether the index holds exactly the work tree's files (nothing unstaged, nothing
    untracked and not ignored), as under a pre-commit hook, which stashes the rest: then the
    work tree, with its cache, stands for the index."""
    if _run(root, "diff", "--quiet", "--no-ext-diff").returncode != 0:
        return False
    return not _git(root, "ls-files", "--others", "--exclude-standard", "-z")
