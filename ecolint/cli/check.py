"""``ecolint check``: its options, then one flow from paths to report and exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ecolint.cli.check_run import apply_fixes, check_group, quoted_gpu, wants_edits
from ecolint.cli.output import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    echo_internal_errors,
    fail,
    say,
)
from ecolint.cli.shared_options import (
    color_option,
    lang_option,
    output_option,
    pop_workload,
    workload_options,
)
from ecolint.equals_option import EqualsCommand, EqualsOption
from ecolint.reporters import FORMATS
from ecolint.reporters.color import use_color
from ecolint.reporters.inert import inert_path

if TYPE_CHECKING:
    from ecolint.results import RunResult

MOOD_CHOICES = ["red", "orange", "yellow", "gray", "green"]  # ecolint.rules.MOODS, worst first
DEFAULT_BASELINE = ".ecolint-baseline.json"  # what a bare --write-baseline writes


def prefixes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip().upper() for value in values for part in value.split(",") if part)


@click.command(
    cls=EqualsCommand, short_help="Scan files for energy-wasting LLM inference settings."
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--stdin-filename",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the source from standard input and check it as this file ('-' alone: as Python).",
)
@click.option("--select", multiple=True, help="Rule code prefixes to enable (e.g. ECO1).")
@click.option("--extend-select", multiple=True, help="Rule code prefixes to enable as well.")
@click.option("--ignore", multiple=True, help="Rule code prefixes to disable.")
@click.option(
    "--output-format",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    metavar="FORMAT",
    help=f"Output format: {', '.join(FORMATS)} (default text).",
)
@click.option("--gpu", help="GPU to quote measurements for (default rtx4090d).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option(
    "--fail-on",
    type=click.Choice(MOOD_CHOICES),
    default="yellow",
    show_default=True,
    help="Exit 1 when a finding of this mood or a worse one is reported (red is the worst).",
)
@output_option
@click.option(
    "--config",
    "config",
    multiple=True,
    metavar="FILE|KEY=VALUE",
    help="A configuration file for every file, or a TOML override such as \"gpu = 'a800'\".",
)
@click.option("--no-color", is_flag=True, help="No ANSI colours (NO_COLOR is honoured too).")
@color_option
@click.option("--show-green", is_flag=True, help="Also show green findings (measured savings).")
@click.option(
    "-q", "--quiet", count=True, help="Print findings only; -qq prints nothing (exit code only)."
)
@click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them.")
@click.option("--show-files", is_flag=True, help="List the files that would be checked, exit 0.")
@click.option(
    "--show-settings", is_flag=True, help="Show the settings of the first path's file, exit 0."
)
@click.option(
    "--no-respect-gitignore", is_flag=True, help="Also check what .gitignore files ignore."
)
@click.option("--include-tests", is_flag=True, help="Also report test code (include-tests = true).")
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report only findings that are not in this baseline file.",
)
@click.option(
    "--write-baseline",
    cls=EqualsOption,
    bare=DEFAULT_BASELINE,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help=f"Record the current findings as the baseline (default {DEFAULT_BASELINE}) and exit 0.",
)
@click.option(
    "--add-noqa",
    is_flag=True,
    help="Add '# noqa: ECOxxx' to the line of every current finding, then exit 0.",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes, then report what remains.")
@click.option(
    "--exit-non-zero-on-fix", is_flag=True, help="With --fix, exit 1 when files were fixed."
)
@click.option(
    "--unsafe-fixes", is_flag=True, help="With --fix or --diff, include unsafe fixes too."
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the fixes as a unified diff and write nothing (exit 1 if there are any).",
)
@lang_option
@workload_options
@click.option("--no-cache", is_flag=True, help="Neither read nor write .ecolint_cache/.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="Processes that analyse files in parallel (the output does not depend on it).",
)
def check(
    paths: tuple[Path, ...],
    stdin_filename: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    gpu: str | None,
    exit_zero: bool,
    fail_on: str,
    output: Path | None,
    config: tuple[str, ...],
    no_color: bool,
    color_choice: str | None,
    show_green: bool,
    quiet: int,
    statistics: bool,
    show_files: bool,
    show_settings: bool,
    no_respect_gitignore: bool,
    include_tests: bool,
    baseline_file: Path | None,
    write_baseline: Path | None,
    add_noqa: bool,
    fix: bool,
    exit_non_zero_on_fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    no_cache: bool,
    jobs: int,
    lang: str | None,
    **workload: object,
) -> None:
    """Scan PATHS (default: the current folder) for energy-wasting LLM inference settings.

    With a workload ([tool.ecolint.workload] or the workload options) each finding also shows
    its monthly energy, cost and CO2."""
    from ecolint.cli.check_options import CommandLine, split_config
    from ecolint.cli.check_stdin import StdinSource, stdin_path
    from ecolint.config import ConfigError, load_settings
    from ecolint.i18n import detect_lang
    from ecolint.reporters import render
    from ecolint.rules import moods_from
    from ecolint.safe_write import Tree, WriteError, write_file
    from ecolint.scope import Scope, merged, plan
    from ecolint.selectors import SelectorError, check_selectors
    from ecolint.workload import WorkloadError, option_name, parse_workload

    stdin = stdin_path(paths, stdin_filename, add_noqa, detect_lang(lang))
    targets = [stdin] if stdin else list(paths) or [Path(".")]
    if stdin is None:
        check_targets(targets)
    try:
        config_file, table = split_config(config)
        base = load_settings(targets[0], config_file, table)
        options = CommandLine(
            select=check_selectors(prefixes(select), "--select"),
            extend_select=check_selectors(prefixes(extend_select), "--extend-select"),
            ignore=check_selectors(prefixes(ignore), "--ignore"),
            gpu=gpu,
            lang=detect_lang(lang, base.lang),
            workload=parse_workload(pop_workload(workload), option_name),
            config_table=table,
            include_tests=include_tests,
        )
        base = options.apply(base)
        scope = Scope()
        if stdin is None:
            scope = plan(
                targets,
                base,
                options.settings_for,
                hierarchical=config_file is None,
                respect_gitignore=not no_respect_gitignore,
            )
    except (ConfigError, SelectorError, WorkloadError) as error:
        fail(str(error))
    gpu_origin = "--gpu" if gpu else "--config" if "gpu" in table else None
    gpu_keys = [quoted_gpu(group.settings, gpu_origin) for group in scope.groups]
    gpu_key = gpu_keys[0] if gpu_keys else quoted_gpu(base, gpu_origin)
    lang_code = options.lang
    tree = Tree([*targets, base.root, *(group.settings.root for group in scope.groups)])
    if show_settings:
        from ecolint.cli.show_settings import settings_text

        first = scope.files[0] if scope.files else None
        group = next((g for g in scope.groups if first in g.files), None)
        shown = first.display if first else str(targets[0])
        click.echo(settings_text(shown, group.settings if group else base), nl=False)
        sys.exit(EXIT_OK)
    if show_files:
        for source in scope.files:
            click.echo(inert_path(source.display))
        sys.exit(EXIT_OK)
    if quiet < 2:
        for note in scope.notes:
            say(f"ecolint: warning: {note.render(lang_code)}")

    edits = wants_edits(fmt, fix or diff)
    held = StdinSource.read(stdin, base, show_green, edits) if stdin else None

    def run(use_cache: bool) -> tuple[RunResult, bool]:
        """The merged result of every group, and whether any needed the pipeline."""
        if held is not None:
            return held.result(), True
        runs = [
            check_group(group, show_green, jobs, use_cache, fmt, quiet, fix or diff, edits)
            for group in scope.groups
        ]
        return merged([result for result, _ in runs], scope.problems), any(e for _, e in runs)

    result, analysed = run(not no_cache)
    changed = False
    if (diff or fix) and held is not None:
        result, changed = held.fix(result, unsafe_fixes, not diff, lang_code)
    elif (diff or fix) and analysed:
        result, changed = apply_fixes(
            lambda: run(False)[0], result, unsafe_fixes, write=not diff, tree=tree
        )
    for path, problem in result.problems:
        say(f"ecolint: error: {path}: {problem}")
    failed = bool(result.internal_errors or result.problems)
    if diff:
        echo_internal_errors(result)
        sys.exit(EXIT_ERROR if failed else EXIT_FINDINGS if changed else EXIT_OK)
    if add_noqa:
        from ecolint.findings.add_noqa import add_noqa as insert_noqa

        added = insert_noqa(result.findings, tree)
        for reason in added.skipped:
            say(f"ecolint: not silenced: {reason}")
        for problem in added.unwritten:
            say(f"ecolint: error: {problem}")
        plural = "" if added.directives == 1 else "s"
        click.echo(f"ecolint: added {added.directives} noqa directive{plural}", err=True)
        echo_internal_errors(result)
        sys.exit(EXIT_ERROR if failed or added.unwritten else EXIT_OK)
    if write_baseline is not None:
        from ecolint.findings import baseline  # only for a run that uses one

        try:
            count = baseline.write_baseline(write_baseline, result.findings, base.root, tree)
        except (baseline.BaselineError, WriteError) as error:
            fail(str(error))
        say(f"ecolint: wrote {count} finding{'' if count == 1 else 's'} to {write_baseline}")
        echo_internal_errors(result)
        sys.exit(EXIT_ERROR if failed else EXIT_OK)
    baseline_file = baseline_file or base.baseline
    if baseline_file is not None:
        from ecolint.findings import baseline

        try:
            entries = baseline.read_baseline(baseline_file)
        except baseline.BaselineError as error:
            fail(str(error))
        outcome = baseline.apply_baseline(result.findings, entries, base.root)
        result.findings = outcome.new
        result.baseline = outcome
    color = use_color(color_choice, no_color, output is None and sys.stdout.isatty())
    if statistics:
        from ecolint.reporters.statistics import render_statistics

        text = render_statistics(result.findings, fmt)
    else:
        text = render(result, fmt, color=color, gpu=gpu_key, quiet=quiet, lang=lang_code)
    if output is not None:
        try:
            write_file(output, text.encode("utf-8"), tree)
        except WriteError as error:
            fail(str(error))
    elif quiet < 2:  # with --fix, standard output holds the fixed source read from stdin
        click.echo(text, nl=False, color=color, err=held is not None and fix)
    echo_internal_errors(result)
    if failed:
        sys.exit(EXIT_ERROR)
    failing = moods_from(fail_on)
    fails = any(finding.mood in failing for finding in result.findings)
    fixed_fails = fix and exit_non_zero_on_fix and changed
    sys.exit(EXIT_FINDINGS if (fails and not exit_zero) or fixed_fails else EXIT_OK)


def check_targets(targets: list[Path]) -> None:
    """A path that does not exist is a usage error (exit 2) before anything is scanned."""
    missing = [target for target in targets if not os.path.lexists(target)]
    for target in missing:
        hint = ""
        if str(target).startswith("-"):
            hint = " (after '--' every argument is a path; put options before it)"
        say(f"ecolint: error: {target}: no such file or directory{hint}")
    if missing:
        sys.exit(EXIT_ERROR)
