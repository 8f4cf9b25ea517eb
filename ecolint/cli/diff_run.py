"""How ``ecolint diff`` gets the findings of one tree: the run ``ecolint check`` would make in
that folder, with that folder's own configuration and the command line's options on top.

The working tree is analysed in place, so its result and per-file cache are the ones ``ecolint
check`` keeps (a warm cache answers at once); a commit is written once to the cache folder and
analysed there with the working tree's cache, whose keys do not depend on where a tree lives:
a commit whose files ``check`` once saw is answered from that run's result, and the files it
shares with the working tree from their entries; the next diff against the same commit costs
what a warm check costs (the index goes to a temporary folder, uncached). Paths are relative to
the tree's top folder, so both trees name a file alike."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecolint.cli.check_run import check_group, quoted_gpu

if TYPE_CHECKING:
    from ecolint.cli.check_options import CommandLine
    from ecolint.config import Settings
    from ecolint.results import RunResult
    from ecolint.scope import Group

TREES_DIR = "diff"  # in .ecolint_cache: the trees of commits compared against
KEEP_TREES = 4
STALE_SECONDS = 24 * 3600  # a half-written tree this old was left by a killed run
COMMIT_NAME = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 repositories


@dataclass(unsafe_hash=True)
class Side:
    """One side of the comparison: what names it, its commit, and the tree's result."""

    label: str  # the revision as written, or "working-tree" / "index"
    commit: str | None  # None for the working tree and the index
    result: RunResult
    gpu: str
    workload: dict[str, Any] | None  # the workload's assumptions; None without a workload


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
    folder: Path,
    options: CommandLine,
    jobs: int,
    use_cache: bool,
    commit: str | None = None,
    work_tree: Path | None = None,
) -> tuple[RunResult, str, dict[str, Any] | None]:
    """The findings of every file under ``folder``, the GPU they quote and the workload's
    assumptions (None without a workload); raises the configuration, selector and workload
    errors of ``ecolint check`` for the caller to print, and exits on an unknown GPU before
    analysing anything. ``commit``: the folder holds that commit and never changes, so with
    the cache its result is keyed by the commit and the settings alone, without listing or
    reading a file. ``work_tree``: the repository's folder when ``folder`` is a tree exported
    from it: see ``_exported_settings``; it is analysed with the working tree's cache."""
    from ecolint.cache import cached_run, settings_key
    from ecolint.config import load_settings
    from ecolint.scope import merged, plan

    with _inside(folder):
        here = Path(".")
        if work_tree is None:
            base, settings_for, top = options.apply(load_settings(here)), options.settings_for, None
        else:
            base = _exported_settings(folder, work_tree, options)
            settings_for, top = _governed(base, options), folder
        gpu = quoted_gpu(base, "--gpu" if options.gpu else None)

        def compute() -> RunResult:
            scope = plan([here], base, settings_for, top=top)
            runs = [
                check_group(
                    group,
                    False,
                    jobs,
                    use_cache,
                    "json",
                    1,
                    False,
                    False,
                    _shared(group, folder, work_tree),
                )[0]
                for group in scope.groups
            ]
            return merged(runs, scope.problems)

        if commit is not None and use_cache:
            salt = settings_key(base, {"show_green": False, "commit": commit})
            result = cached_run(hashlib.sha256(salt.encode()).hexdigest(), base, compute)
        else:
            result = compute()
        return result, gpu, _workload(base, gpu)


def _exported_settings(folder: Path, work_tree: Path, options: CommandLine) -> Settings:
    """An exported tree is governed by the configuration at its top; without one, by the
    working tree's, as if it were at the tree's top: BASE is priced with the settings the
    project has now (the GPU, the workload, the rules ignored), so a change that adds the
    configuration compares code with code. Never by a file found above the tree, which would
    depend on where it was written (in the cache folder: the working tree's own file rooted
    elsewhere; in a temporary folder: whatever is above it)."""
    from ecolint.config import config_in, find_config

    top = folder.resolve()
    own = config_in(top)
    if own is not None:
        return options.settings_for(own)
    head = find_config(work_tree)
    settings = options.settings_for(head)
    if head is None:
        return settings
    baseline = settings.baseline
    if baseline is not None and baseline.is_relative_to(settings.root):
        baseline = top / baseline.relative_to(settings.root)
    return replace(settings, root=top, baseline=baseline)


def _governed(base: Settings, options: CommandLine) -> Callable[[Path | None], Settings]:
    """Files under no configuration of the exported tree get the tree's settings."""
    return lambda config: base if config is None else options.settings_for(config)


def _shared(group: Group, folder: Path, work_tree: Path | None) -> Path | None:
    """The working tree's cache folder at the place of the exported tree's (None: its own):
    a file the commit did not change, or the whole tree when ``check`` once saw it, is found
    there under the same key. Not through a symlink inside the working tree."""
    from ecolint.cache import cache_dir

    own, top = cache_dir(group.settings).resolve(), folder.resolve()
    if work_tree is None or not own.is_relative_to(top):
        return None
    shared = work_tree.resolve() / own.relative_to(top)
    return shared if shared.parent.resolve() == shared.parent else None


def _workload(settings: Settings, gpu: str) -> dict[str, Any] | None:
    """What the workload assumes (tokens per month, price, grid, PUE), as a finding's cost
    states it: the net change is priced from it even when no finding on either side is. None
    without a workload, or when its volume needs a measured row (``hours_per_day``)."""
    from ecolint.evidence.cost import CostError, assumptions, tariff, volume
    from ecolint.evidence.gpus import resolve_gpu

    try:
        found = volume(settings.workload)
    except CostError:
        return None
    if found is None:
        return None
    return assumptions(found, tariff(settings.workload, resolve_gpu(gpu)), settings.lang)


@contextmanager
def exported(
    root: Path, revision: str | None, use_cache: bool
) -> Iterator[tuple[Path, str | None, bool]]:
    """A folder holding ``revision`` of the repository at ``root`` (None: the index), the
    commit it names, and whether the folder lasts (so its result may be kept by commit). A commit
    never changes, so it is written once to ``.ecolint_cache/diff/COMMIT`` and analysed from
    there by the next run too. The index, a commit where the cache folder cannot be used, and
    anything without ``use_cache`` go to a temporary folder removed afterwards."""
    from ecolint.sources.git_trees import commit, export_commit, export_index

    sha = commit(root, revision) if revision is not None else None
    lasting = _lasting_tree(root, sha) if sha is not None and use_cache else None
    if lasting is not None:
        yield lasting, sha, True
        return
    with tempfile.TemporaryDirectory(prefix="ecolint-diff-") as name:
        folder = Path(name) / "tree"
        folder.mkdir()
        if sha is None:
            export_index(root, folder)
        else:
            export_commit(root, sha, folder)
        yield folder, sha, False


def _lasting_tree(root: Path, sha: str) -> Path | None:
    """``.ecolint_cache/diff/COMMIT`` with the commit's files, written once: unpacked beside
    it under a temporary name and renamed into place, so a concurrent run sees the whole tree
    or none. Only the most recently used few are kept. None when the cache folder is not a
    real folder of ours (a symlink, a file) or cannot be written."""
    from ecolint.cache import CACHE_DIR
    from ecolint.cache_folder import Folder
    from ecolint.sources.git_trees import export_commit

    top = Folder.open(root / CACHE_DIR, create=True)
    trees = top.sub(TREES_DIR, create=True) if top is not None else None
    if top is None or trees is None:
        return None
    folder = root / CACHE_DIR / TREES_DIR / sha
    try:
        top.ignore()
        if folder.is_dir() and not folder.is_symlink():
            os.utime(folder)
            return folder
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        export_commit(root, sha, staging, _latest(folder.parent))
        try:
            staging.rename(folder)
        except OSError:  # another run put it there first
            shutil.rmtree(staging, ignore_errors=True)
        _prune(folder.parent)
    except OSError:
        return None
    return folder if folder.is_dir() and not folder.is_symlink() else None


def _latest(trees: Path) -> tuple[str, Path] | None:
    """The commit written out here most recently used, and its folder: the next commit is
    written from it, as most of their files are usually alike. Only a folder named by a full
    commit hash counts: the name goes to git (a committed cache folder may hold anything)."""
    done = [
        path
        for path in trees.iterdir()
        if COMMIT_NAME.fullmatch(path.name) and path.is_dir() and not path.is_symlink()
    ]
    latest = max(done, key=lambda path: path.stat().st_mtime, default=None)
    return None if latest is None else (latest.name, latest)


def _prune(trees: Path) -> None:
    """The ``KEEP_TREES`` most recently used trees stay; older ones and what killed runs left
    behind (``.tmp-*`` older than a day) go. Symlinks are never followed."""
    now = time.time()
    found = [path for path in trees.iterdir() if path.is_dir() and not path.is_symlink()]
    staged = [path for path in found if path.name.startswith(".tmp-")]
    done = sorted(
        (path for path in found if not path.name.startswith(".")),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    old = [path for path in staged if now - path.stat().st_mtime > STALE_SECONDS]
    for path in [*done[KEEP_TREES:], *old]:
        shutil.rmtree(path, ignore_errors=True)
