"""How ``ecolint check`` gets its result for one configuration's files: without the analysis
when no file needs it, from the cache when nothing changed, else from the pipeline (with fix
edits only when the run uses them); and how it applies fixes."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from ecolint.cli.output import fail, say

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from ecolint.config import Settings
    from ecolint.pipeline.plan import ScanPlan
    from ecolint.results import RunResult
    from ecolint.safe_write import Tree
    from ecolint.scope import Group

PROGRESS_MIN_FILES = 20  # shorter scans finish before a progress line helps


def quoted_gpu(settings: Settings, option: str | None) -> str:
    """The GPU's key; an unknown name exits 2 naming where it was written (``option``: the
    command-line option that set it, else the configuration file)."""
    from ecolint.evidence.gpus import GpuError, resolve_gpu

    try:
        return resolve_gpu(settings.gpu).key
    except GpuError as error:
        origin = option or (f"{settings.source} gpu" if settings.source else "gpu")
        fail(f"{origin}: {error}")


def check_group(
    group: Group,
    show_green: bool,
    jobs: int,
    use_cache: bool,
    fmt: str,
    quiet: int,
    fixes: bool,
    edits: bool,
    cache_folder: Path | None = None,
) -> tuple[RunResult, bool]:
    """One configuration's files: answered without analysis when no file needs it, from the
    cache when nothing changed, else by the pipeline (always the pipeline for fixes). With
    ``edits``, findings carry their fix edits (``--fix``, ``--diff`` and the formats that
    print them: ``wants_edits``). Also: whether the pipeline ran. ``cache_folder``: the cache
    folder to use instead of the configuration's own (a commit exported by ``ecolint diff``
    uses the working tree's: the run, or the files, that tree once held are found there)."""
    from ecolint.pipeline.plan import ScanPlan
    from ecolint.reporters import TERMINAL_FORMATS

    plan = ScanPlan.build(group.paths, group.settings, discovery=group.discovery)
    if fixes:
        result = plan.quick_result()
        if result is not None:
            return result, False
        from ecolint.pipeline.run import Pipeline

        pipeline = Pipeline(group.settings, show_green=show_green, jobs=jobs, edits=True)
        return pipeline.run_plan(plan), True
    show_progress = fmt in TERMINAL_FORMATS and not quiet and _interactive()
    return _analyse(
        plan, group.settings, show_green, jobs, use_cache, show_progress, edits, cache_folder
    )


def wants_edits(fmt: str, fixes: bool) -> bool:
    """Whether a run's findings need their fix edits: to fix or show a diff, or for a format
    that prints them."""
    from ecolint.reporters import EDIT_FORMATS

    return fixes or fmt in EDIT_FORMATS


def _interactive() -> bool:
    """A progress line only for a person at a terminal: not in CI, not when piped."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def _progress(done: int, total: int) -> None:
    """``ecolint: analysed 45/146 files``, rewritten in place on stderr (long scans only)."""
    if total >= PROGRESS_MIN_FILES:
        end = "\n" if done >= total else ""
        click.echo(f"\r\033[Kecolint: analysed {done}/{total} files{end}", nl=False, err=True)


def _analyse(
    plan: ScanPlan,
    settings: Settings,
    show_green: bool,
    jobs: int,
    use_cache: bool,
    show_progress: bool,
    edits: bool,
    cache_folder: Path | None,
) -> tuple[RunResult, bool]:
    """The result from the cache when nothing it depends on changed (a hit neither parses a
    file nor imports analysis code); else from the plan when no file needs analysis; else from
    the pipeline, which takes files whose inputs did not change from the per-file cache. Also:
    whether the pipeline ran."""
    ran = False
    cache: tuple[Path, str] | None = None
    if use_cache:  # the cache's code is not imported by a --no-cache run
        from ecolint.cache import cache_dir, cached_run, settings_key

        salt = settings_key(settings, {"show_green": show_green, "edits": edits})
        cache = (cache_folder or cache_dir(settings), salt)

    def compute() -> RunResult:
        nonlocal ran
        quick = plan.quick_result()
        if quick is not None:
            return quick
        from ecolint.pipeline.run import Pipeline

        ran = True
        progress = _progress if show_progress else None
        pipeline = Pipeline(settings, show_green, jobs, progress, cache, edits=edits)
        return pipeline.run_plan(plan)

    if cache is None:
        return compute(), ran
    key = plan.key(cache[1], settings.root.resolve())
    return cached_run(key, settings, compute, cache_folder), ran


def apply_fixes(
    rerun: Callable[[], RunResult], result: RunResult, unsafe: bool, write: bool, tree: Tree
) -> tuple[RunResult, bool]:
    """``--diff`` prints the fixes as a diff; ``--fix`` writes them and returns the findings
    of a fresh run over the same paths (``rerun``), which is what remains. Also: whether files
    change."""
    from ecolint.fixes import apply
    from ecolint.pipeline.deep_stack import deep_stack

    plan = deep_stack(lambda: apply.plan(result.findings, unsafe))
    for note in [*result.fix_notes, *plan.notes()]:
        say(f"ecolint: {note}")
    if not write:
        click.echo(apply.unified_diff(plan), nl=False)
        click.echo(apply.summary(plan, written=False), err=True)
        return result, bool(plan.changes)
    problems = apply.write(plan, tree)
    after = rerun() if plan.changes else result
    after.problems += problems
    click.echo(apply.summary(plan, written=True), err=True)
    return after, bool(plan.changes)
