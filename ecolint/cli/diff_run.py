"""How ``ecolint diff`` gets the findings of one tree: the run ``ecolint check`` would make in
that folder, with that folder's own configuration and the command line's options on top.

The working tree is analysed in place, so its result and per-file cache are the ones ``ecolint
check`` keeps (a warm cache answers at once); a revision is written to a temporary folder
outside the repository and analysed there without a cache, which is deleted with the folder.
Paths are relative to the tree's top folder, so both trees name a file alike."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ecolint.cli.check_run import check_group, quoted_gpu

if TYPE_CHECKING:
    from ecolint.cli.check_options import CommandLine
    from ecolint.results import RunResult


@dataclass(frozen=True)
class Side:
    """One side of the comparison: what names it, its commit, and the tree's result."""

    label: str  # the revision as written, or "working tree" / "index"
    commit: str | None  # None for the working tree and the index
    result: RunResult
    gpu: str


@contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """Findings name files relative to the working folder: the tree's top folder here."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def analyse(
    folder: Path, options: CommandLine, table: dict[str, object], jobs: int, use_cache: bool
) -> tuple[RunResult, str]:
    """The findings of every file under ``folder`` and the GPU they quote; raises the
    configuration, selector and workload errors of ``ecolint check`` for the caller to print."""
    from ecolint.config import load_settings
    from ecolint.scope import merged, plan

    with _inside(folder):
        here = Path(".")
        base = options.apply(load_settings(here, None, table))
        scope = plan([here], base, options.settings_for)
        runs = [
            check_group(group, False, jobs, use_cache, "json", 1, False)[0]
            for group in scope.groups
        ]
        gpu_origin = "--gpu" if options.gpu else None
        settings = scope.groups[0].settings if scope.groups else base
        return merged(runs, scope.problems), quoted_gpu(settings, gpu_origin)


@contextmanager
def exported(root: Path, revision: str | None) -> Iterator[tuple[Path, str | None]]:
    """A folder holding ``revision`` of the repository at ``root`` (None: the index) and the
    commit it names; the folder is removed afterwards."""
    from ecolint.sources.git_trees import commit, export_commit, export_index

    sha = commit(root, revision) if revision is not None else None
    with tempfile.TemporaryDirectory(prefix="ecolint-diff-") as name:
        folder = Path(name) / "tree"
        folder.mkdir()
        if sha is None:
            export_index(root, folder)
        else:
            export_commit(root, sha, folder)
        yield folder, sha
