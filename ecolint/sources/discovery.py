"""Which files to scan: source kinds by suffix, ``.gitignore``, excludes, and the usual
folders nobody wants linted (VCS, virtualenvs, build output, caches)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

SOURCE_KINDS = {".py": "python", ".ipynb": "notebook", ".yaml": "yaml", ".yml": "yaml"}
NAMED_KINDS = {
    "pyproject.toml": "pyproject",
    "setup.cfg": "setup_cfg",
    "environment.yml": "conda_env",
    "environment.yaml": "conda_env",
}
KINDS = frozenset({*SOURCE_KINDS.values(), *NAMED_KINDS.values(), "requirements"})
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


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str  # the path as the user should see it
    kind: str


@dataclass(frozen=True)
class Discovery:
    files: list[SourceFile]
    problems: list[tuple[str, str]]  # (path, message) for arguments that could not be used


def source_kind(path: Path) -> str | None:
    """What a file is by its name; None for files no rule reads."""
    name = path.name.lower()
    if name in NAMED_KINDS:
        return NAMED_KINDS[name]
    if name.endswith(".txt") and (
        name.startswith(("requirements", "constraints")) or path.parent.name == "requirements"
    ):
        return "requirements"
    return SOURCE_KINDS.get(path.suffix.lower())


def _display(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def _git_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


class _Ignores:
    """Gitignore files met on the way down, each applied relative to its own folder."""

    def __init__(self) -> None:
        self._specs: dict[Path, pathspec.PathSpec | None] = {}

    def spec(self, folder: Path) -> pathspec.PathSpec | None:
        if folder not in self._specs:
            gitignore = folder / ".gitignore"
            spec = None
            if gitignore.is_file():
                try:
                    lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
                    spec = pathspec.GitIgnoreSpec.from_lines(lines)
                except (OSError, ValueError):
                    spec = None
            self._specs[folder] = spec
        return self._specs[folder]

    def ignored(self, path: Path, is_dir: bool, top: Path) -> bool:
        folder = path.parent
        chain = [folder, *folder.parents]
        for base in chain:
            spec = self.spec(base)
            if spec is not None:
                relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
                if spec.match_file(relative):
                    return True
            if base == top:
                break
        return False


def discover(
    arguments: Iterable[Path], exclude: Iterable[str], root: Path, cwd: Path | None = None
) -> Discovery:
    cwd = (cwd or Path.cwd()).resolve()
    excluded = pathspec.GitIgnoreSpec.from_lines(list(exclude))
    ignores = _Ignores()
    files: dict[Path, SourceFile] = {}
    problems: list[tuple[str, str]] = []
    for argument in arguments:
        path = argument if argument.is_absolute() else cwd / argument
        if path.is_file():
            kind = source_kind(path) or "python"
            files.setdefault(path.resolve(), SourceFile(path, _display(path, cwd), kind))
        elif path.is_dir():
            top = _git_root(path.resolve()) or path.resolve()
            for found, kind in _walk(path, excluded, ignores, root.resolve(), top):
                files.setdefault(found.resolve(), SourceFile(found, _display(found, cwd), kind))
        else:
            problems.append((str(argument), "no such file or directory"))
    ordered = sorted(files.values(), key=lambda source: source.display)
    return Discovery(ordered, problems)


def _excluded(path: Path, excluded: pathspec.PathSpec, root: Path, is_dir: bool) -> bool:
    try:
        relative = path.resolve().relative_to(root).as_posix()
    except ValueError:
        relative = path.name
    return excluded.match_file(relative + ("/" if is_dir else ""))


def _walk(
    folder: Path, excluded: pathspec.PathSpec, ignores: _Ignores, root: Path, top: Path
) -> Iterator[tuple[Path, str]]:
    for current, dirs, names in os.walk(folder, followlinks=False):
        here = Path(current)
        keep = []
        for name in sorted(dirs):
            child = here / name
            if name in SKIPPED_DIRS or name.endswith(".egg-info"):
                continue
            if (child / "pyvenv.cfg").exists():
                continue
            if _excluded(child, excluded, root, True) or ignores.ignored(child, True, top):
                continue
            keep.append(name)
        dirs[:] = keep
        for name in sorted(names):
            child = here / name
            kind = source_kind(child)
            if kind is None:
                continue
            if _excluded(child, excluded, root, False) or ignores.ignored(child, False, top):
                continue
            yield child, kind
