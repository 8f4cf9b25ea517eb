"""Which files to scan: source kinds by suffix, ``.gitignore``, excludes, and the usual
folders nobody wants linted (VCS, virtualenvs, build output, caches).

Files named explicitly are scanned whatever the ignores say, but only when they are of a known
kind, have no suffix at all, or start with a Python shebang: a script such as ``bin/serve`` is
Python, while a ``requirements.txt``, ``pyproject.toml`` or notebook handed over by a pre-commit
hook is skipped without a word until ecolint has a reader for its kind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ecolint.sources.safe_read import read_head, read_text

if TYPE_CHECKING:
    import pathspec

SOURCE_KINDS = {
    ".py": "python",
    ".ipynb": "notebook",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".sh": "shell",
    ".bash": "shell",
    ".dockerfile": "dockerfile",
}
NAMED_KINDS = {
    "pyproject.toml": "pyproject",
    "setup.cfg": "setup_cfg",
    "environment.yml": "conda_env",
    "environment.yaml": "conda_env",
}
KINDS = frozenset({*SOURCE_KINDS.values(), *NAMED_KINDS.values(), "requirements"})
DOCKERFILE_NAMES = ("dockerfile", "containerfile")
SHELL_SHEBANG = re.compile(rb"^#!\s*/\S*/(?:env\s+)?(?:ba|da|z)?sh\b")
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".env",
        "env",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ecolint_cache",
        "site-packages",
        ".eggs",
        ".ipynb_checkpoints",
    }
)


@dataclass(unsafe_hash=True)
class SourceFile:
    path: Path
    display: str  # the path as the user should see it
    kind: str
    real: Path  # ``path`` resolved once: each resolution stats every folder up to the root


@dataclass(unsafe_hash=True)
class Discovery:
    files: list[SourceFile]
    problems: list[tuple[str, str]]  # (path, message) for arguments that could not be used


def source_kind(path: Path) -> str | None:
    """What a file is by its name; None for files no rule reads."""
    name = path.name.lower()
    if name in NAMED_KINDS:
        return NAMED_KINDS[name]
    if name.endswith((".txt", ".in")) and (
        "requirements" in name or "constraints" in name or path.parent.name == "requirements"
    ):
        return "requirements"
    if name.endswith(".in") and path.with_suffix(".txt").is_file():
        return "requirements"  # a pip-tools input beside the file pip-compile wrote from it
    if name.startswith(DOCKERFILE_NAMES) and name.partition(".")[0] in DOCKERFILE_NAMES:
        return "dockerfile"  # Dockerfile, Dockerfile.gpu, Containerfile
    return SOURCE_KINDS.get(path.suffix.lower())


def _shell_shebang(path: Path) -> bool:
    """A script without a suffix that a shell runs (``#!/bin/bash``, ``#!/usr/bin/env sh``):
    one more read of 256 bytes, for files without a suffix only."""
    return SHELL_SHEBANG.match(read_head(path, 256)) is not None


def _explicit_kind(path: Path) -> str | None:
    """The kind of a file named on the command line, or None when it is to be skipped."""
    known = source_kind(path)
    if known is not None:
        return known
    if not path.suffix and _shell_shebang(path):
        return "shell"
    if not path.suffix or _python_shebang(path):
        return "python"
    return None


def _python_shebang(path: Path) -> bool:
    first = read_head(path, 256).split(b"\n", 1)[0]
    return first.startswith(b"#!") and b"python" in first


def display_path(path: Path, cwd: Path | None = None) -> str:
    """A path as the user should see it: relative to the working folder when it is inside."""
    return _shown(path, (cwd or Path.cwd()).resolve())


def _shown(path: Path, cwd: Path) -> str:
    """``display_path`` from a working folder already resolved (a walk shows thousands)."""
    absolute = path if path.is_absolute() else cwd / path
    relative = relative_text(str(absolute), str(cwd))
    return absolute.as_posix() if relative is None else relative


def _git_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


class _Ignores:
    """Gitignore files met on the way down, each applied relative to its own folder."""

    def __init__(self) -> None:
        self._specs: dict[Path, pathspec.PathSpec | None] = {}
        self._chains: dict[tuple[Path, Path], list[tuple[str, pathspec.PathSpec]]] = {}

    def spec(self, folder: Path) -> pathspec.PathSpec | None:
        if folder not in self._specs:
            gitignore = folder / ".gitignore"
            spec = None
            if gitignore.is_file():
                import pathspec  # only where a .gitignore is: a one-file run often has none

                try:
                    lines = read_text(gitignore).splitlines()
                    spec = pathspec.GitIgnoreSpec.from_lines(lines)
                except (OSError, ValueError):
                    spec = None
            self._specs[folder] = spec
        return self._specs[folder]

    def ignored(self, path: Path, is_dir: bool, top: Path) -> bool:
        text = str(path)
        for base, spec in self._chain(path.parent, top):
            relative = relative_text(text, base)
            if relative is not None and spec.match_file(relative + ("/" if is_dir else "")):
                return True
        return False

    def _chain(self, folder: Path, top: Path) -> list[tuple[str, pathspec.PathSpec]]:
        """The ignore files that apply in ``folder`` (those of the folders from it up to
        ``top``), nearest first, with their folders: worked out once per folder, as a walk
        asks for every file in it."""
        key = (folder, top)
        chain = self._chains.get(key)
        if chain is None:
            chain = []
            for base in (folder, *folder.parents):
                spec = self.spec(base)
                if spec is not None:
                    chain.append((str(base), spec))
                if base == top:
                    break
            self._chains[key] = chain
        return chain


def gitignored(path: Path) -> bool:
    """Whether a ``.gitignore`` of the path's repository (or folders above it) ignores it."""
    resolved = path.resolve()
    top = _git_root(resolved.parent) or resolved.parent
    return resolved != top and _Ignores().ignored(resolved, resolved.is_dir(), top)


def discover(
    arguments: Iterable[Path],
    exclude: Iterable[str],
    root: Path,
    cwd: Path | None = None,
    respect_gitignore: bool = True,
) -> Discovery:
    cwd = (cwd or Path.cwd()).resolve()
    ignores = _Ignores() if respect_gitignore else None
    files: dict[Path, SourceFile] = {}
    problems: list[tuple[str, str]] = []
    for argument in arguments:
        path = argument if argument.is_absolute() else cwd / argument
        if path.is_file():
            kind = _explicit_kind(path)
            if kind is not None:
                real = path.resolve()
                files.setdefault(real, SourceFile(path, _shown(path, cwd), kind, real))
        elif path.is_dir():
            import pathspec  # only to walk folders: a named file is checked whatever excludes say

            excluded = pathspec.GitIgnoreSpec.from_lines(list(exclude))
            resolved = path.resolve()
            top = _git_root(resolved) or resolved
            if ignores is not None and resolved != top and ignores.ignored(resolved, True, top):
                top = resolved  # named although ignored: only the .gitignore files inside apply
            for found, real, kind in _walk(path, excluded, ignores, root.resolve(), top):
                files.setdefault(real, SourceFile(found, _shown(found, cwd), kind, real))
        elif path.exists():
            problems.append((str(argument), "not a regular file or folder; skipped"))
        else:
            problems.append((str(argument), "no such file or directory"))
    ordered = sorted(files.values(), key=lambda source: source.display)
    return Discovery(ordered, problems)


def _excluded(real: Path, excluded: pathspec.PathSpec, root: Path, is_dir: bool) -> bool:
    """``real``: the resolved path."""
    if not excluded.patterns:
        return False
    relative = relative_text(str(real), str(root))
    return excluded.match_file((relative or real.name) + ("/" if is_dir else ""))


def relative_text(path: str, folder: str) -> str | None:
    """``path`` from ``folder`` in the form of ``PurePath.relative_to(...).as_posix()``, or
    None when it is not under it: string slicing, as a walk asks for every file (pathlib's
    parsing was most of a walk's time)."""
    if path == folder:
        return "."
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    return relative if os.sep == "/" else relative.replace(os.sep, "/")


def _ignored(ignores: _Ignores | None, path: Path, is_dir: bool, top: Path) -> bool:
    return ignores is not None and ignores.ignored(path, is_dir, top)


def _real(child: Path, real_here: Path) -> Path:
    """A child's resolved path without resolving every folder above it again: only a symlink
    leads elsewhere (the walk does not follow symlinked folders)."""
    return child.resolve() if os.path.islink(child) else real_here / child.name


def _walk(
    folder: Path, excluded: pathspec.PathSpec, ignores: _Ignores | None, root: Path, top: Path
) -> Iterator[tuple[Path, Path, str]]:
    """Each file of a known kind, as found and resolved, with its kind."""
    for current, dirs, names in os.walk(folder, followlinks=False):
        here = Path(current)
        real_here = here.resolve()
        keep = []
        for name in sorted(dirs):
            child = here / name
            if name in SKIPPED_DIRS or name.endswith(".egg-info"):
                continue
            if (child / "pyvenv.cfg").exists():
                continue
            real = _real(child, real_here)
            if _excluded(real, excluded, root, True) or _ignored(ignores, child, True, top):
                continue
            keep.append(name)
        dirs[:] = keep
        for name in sorted(names):
            child = here / name
            kind = source_kind(child)
            if kind is None and "." not in name and _shell_shebang(child):
                kind = "shell"
            if kind is None:
                continue
            real = _real(child, real_here)
            if _excluded(real, excluded, root, False) or _ignored(ignores, child, False, top):
                continue
            yield child, real, kind
