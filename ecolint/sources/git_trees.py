"""Revisions of a git repository as folders to analyse, without touching the repository.

A commit is written out with ``git archive`` (only tracked files, as they were committed, and
unpacked by ``tree_files``, which lets nothing land outside the folder) and the index with
``git checkout-index``, into a folder the caller names. git runs with the repository's own
configuration; nothing here runs hooks.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ecolint.sources.tree_files import link_from, unpack

GIT_TIMEOUT_SECONDS = 120
MAX_CHANGED_FILES = 256  # more are written out whole: a command line holds them all
SUBMODULE_MODE = b"160000"


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


def export_commit(
    root: Path, sha: str, destination: Path, earlier: tuple[str, Path] | None = None
) -> None:
    """The files of commit ``sha`` (a full hash from ``commit``) under ``destination``, an
    empty folder. ``earlier``: another commit and the folder this function wrote it to; the
    files both commits hold alike are linked from there (a link costs a twentieth of writing a
    file), and only the others come from ``git archive``. A change to a ``.gitattributes``
    (which can change how every file is written out), or too many changes, and any failure,
    write the whole commit instead."""
    if earlier is not None:
        try:
            if _export_changes(root, sha, destination, *earlier):
                return
        except (GitError, OSError):
            pass
        shutil.rmtree(destination)
        destination.mkdir()
    unpack(_git(root, "archive", "--format=tar", sha), destination)


def _export_changes(root: Path, sha: str, destination: Path, before: str, folder: Path) -> bool:
    """``destination`` as ``folder`` (commit ``before``) changed into commit ``sha``; False,
    with ``destination`` half-written, when the changes are not ones this can follow."""
    old, new = _listings(root, before, sha)
    changed = {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}
    if len(changed) > MAX_CHANGED_FILES or any(
        name.rsplit("/", 1)[-1] == ".gitattributes" for name in changed
    ):
        return False
    held = [name for name, entry in new.items() if not entry.startswith(SUBMODULE_MODE)]
    link_from(folder, destination, (name for name in held if name not in changed))
    written = [f":(literal){name}" for name in held if name in changed]
    if written:
        unpack(_git(root, "archive", "--format=tar", sha, "--", *written), destination)
    return True


def _listings(root: Path, *commits: str) -> list[dict[str, bytes]]:
    """Each commit's files: path → mode, type and object id, from ``git ls-tree`` run for all
    commits at once (two listings take the time of one)."""
    try:
        processes = [
            subprocess.Popen(
                ["git", "-C", str(root), "ls-tree", "-r", "-z", commit],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for commit in commits
        ]
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    try:
        return [_listing(process) for process in processes]
    finally:
        for process in processes:  # those a failure left running
            if process.poll() is None:
                process.kill()
                process.wait()


def _listing(process: subprocess.Popen[bytes]) -> dict[str, bytes]:
    try:
        output, errors = process.communicate(timeout=GIT_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise GitError(f"git ls-tree took longer than {GIT_TIMEOUT_SECONDS} s") from None
    if process.returncode != 0:
        raise GitError(errors.decode("utf-8", "replace").strip() or "git ls-tree failed")
    entries = (entry.partition(b"\t") for entry in output.split(b"\0") if entry)
    return {name.decode("utf-8", "surrogateescape"): meta for meta, _, name in entries if name}


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
