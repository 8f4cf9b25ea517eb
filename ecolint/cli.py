"""The ``ecolint`` command. Heavy modules are imported inside commands so that ``--version``
and ``--help`` stay instant."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ecolint import __version__
from ecolint.equals_option import EqualsCommand, EqualsOption
from ecolint.findings.baseline import DEFAULT_BASELINE
from ecolint.options import (
    advisor_options,
    format_option,
    lang_option,
    pop_workload,
    workload_options,
)
from ecolint.reporters import FORMATS
from ecolint.reporters.inert import inert, inert_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from ecolint.config import Settings
    from ecolint.pipeline.plan import ScanPlan
    from ecolint.results import RunResult
    from ecolint.safe_write import Tree
    from ecolint.scope import Group

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROGRESS_MIN_FILES = 20  # shorter scans finish before a progress line helps
MOOD_CHOICES = ["red", "orange", "yellow", "gray", "green"]  # ecolint.rules.MOODS, worst first


def _version_text() -> str:
    from ecolint.evidence.dataset import data_version

    return f"ecolint {__version__} (data {data_version()})"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_version_text())
        ctx.exit(EXIT_OK)


def _prefixes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip().upper() for value in values for part in value.split(",") if part)


def _fail(message: str) -> NoReturn:
    click.echo(inert(f"ecolint: error: {message}"), err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the tool and data versions and exit.",
)
def main() -> None:
    """Static auditor for the energy cost of LLM inference code."""


@main.command(cls=EqualsCommand, short_help="Scan files for energy-wasting LLM inference settings.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
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
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@click.option(
    "--config",
    "config",
    multiple=True,
    metavar="FILE|KEY=VALUE",
    help="A configuration file for every file, or a TOML override such as \"gpu = 'a800'\".",
)
@click.option("--no-color", is_flag=True, help="No ANSI colours (NO_COLOR is honoured too).")
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
    show_green: bool,
    quiet: int,
    statistics: bool,
    show_files: bool,
    show_settings: bool,
    no_respect_gitignore: bool,
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
    from ecolint.command_line import CommandLine, split_config
    from ecolint.config import ConfigError, load_settings
    from ecolint.findings import baseline
    from ecolint.i18n import detect_lang
    from ecolint.reporters import render
    from ecolint.rules import moods_from
    from ecolint.safe_write import Tree, WriteError, write_file
    from ecolint.scope import merged, plan
    from ecolint.selectors import SelectorError, check_selectors
    from ecolint.workload import WorkloadError, option_name, parse_workload

    targets = list(paths) or [Path(".")]
    _check_targets(targets)
    try:
        config_file, table = split_config(config)
        base = load_settings(targets[0], config_file, table)
        options = CommandLine(
            select=check_selectors(_prefixes(select), "--select"),
            extend_select=check_selectors(_prefixes(extend_select), "--extend-select"),
            ignore=check_selectors(_prefixes(ignore), "--ignore"),
            gpu=gpu,
            lang=detect_lang(lang, base.lang),
            workload=parse_workload(pop_workload(workload), option_name),
            config_table=table,
        )
        base = options.apply(base)
        scope = plan(
            targets,
            base,
            options.settings_for,
            hierarchical=config_file is None,
            respect_gitignore=not no_respect_gitignore,
        )
    except (ConfigError, SelectorError, WorkloadError) as error:
        _fail(str(error))
    gpu_origin = "--gpu" if gpu else "--config" if "gpu" in table else None
    gpu_keys = [_gpu_key(group.settings, gpu_origin) for group in scope.groups]
    gpu_key = gpu_keys[0] if gpu_keys else _gpu_key(base, gpu_origin)
    lang_code = options.lang
    tree = Tree([*targets, base.root, *(group.settings.root for group in scope.groups)])
    if show_settings:
        from ecolint.show import settings_text

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
            _say(f"ecolint: warning: {note.render(lang_code)}")

    def run(use_cache: bool) -> tuple[RunResult, bool]:
        """The merged result of every group, and whether any needed the pipeline."""
        runs = [
            _check_group(group, show_green, jobs, use_cache, fmt, quiet, fix or diff)
            for group in scope.groups
        ]
        return merged([result for result, _ in runs], scope.problems), any(e for _, e in runs)

    result, analysed = run(not no_cache)
    changed = False
    if (diff or fix) and analysed:
        result, changed = _apply_fixes(
            lambda: run(False)[0], result, unsafe_fixes, write=not diff, tree=tree
        )
    for path, problem in result.problems:
        _say(f"ecolint: error: {path}: {problem}")
    failed = bool(result.internal_errors or result.problems)
    if diff:
        _echo_internal_errors(result)
        sys.exit(EXIT_ERROR if failed else EXIT_FINDINGS if changed else EXIT_OK)
    if add_noqa:
        from ecolint.findings.add_noqa import add_noqa as insert_noqa

        added = insert_noqa(result.findings, tree)
        for reason in added.skipped:
            _say(f"ecolint: not silenced: {reason}")
        for problem in added.unwritten:
            _say(f"ecolint: error: {problem}")
        click.echo(f"ecolint: added {added.directives} noqa directives", err=True)
        _echo_internal_errors(result)
        sys.exit(EXIT_ERROR if failed or added.unwritten else EXIT_OK)
    if write_baseline is not None:
        try:
            count = baseline.write_baseline(write_baseline, result.findings, base.root, tree)
        except (baseline.BaselineError, WriteError) as error:
            _fail(str(error))
        _say(f"ecolint: wrote {count} findings to {write_baseline}")
        _echo_internal_errors(result)
        sys.exit(EXIT_ERROR if failed else EXIT_OK)
    baseline_file = baseline_file or base.baseline
    if baseline_file is not None:
        try:
            entries = baseline.read_baseline(baseline_file)
        except baseline.BaselineError as error:
            _fail(str(error))
        outcome = baseline.apply_baseline(result.findings, entries, base.root)
        result.findings = outcome.new
        result.baseline = outcome
    color = output is None and not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()
    if statistics:
        from ecolint.reporters.statistics import render_statistics

        text = render_statistics(result.findings, fmt)
    else:
        text = render(result, fmt, color=color, gpu=gpu_key, quiet=quiet, lang=lang_code)
    if output is not None:
        try:
            write_file(output, text.encode("utf-8"), tree)
        except WriteError as error:
            _fail(str(error))
    elif quiet < 2:
        click.echo(text, nl=False, color=color)
    _echo_internal_errors(result)
    if failed:
        sys.exit(EXIT_ERROR)
    failing = moods_from(fail_on)
    fails = any(finding.mood in failing for finding in result.findings)
    fixed_fails = fix and exit_non_zero_on_fix and changed
    sys.exit(EXIT_FINDINGS if (fails and not exit_zero) or fixed_fails else EXIT_OK)


def _say(message: str) -> None:
    """A line on stderr, inert: names from the scanned tree cannot inject workflow commands or
    terminal sequences there either."""
    click.echo(inert(message), err=True)


def _check_targets(targets: list[Path]) -> None:
    """A path that does not exist is a usage error (exit 2) before anything is scanned."""
    missing = [target for target in targets if not os.path.lexists(target)]
    for target in missing:
        hint = ""
        if str(target).startswith("-"):
            hint = " (after '--' every argument is a path; put options before it)"
        _say(f"ecolint: error: {target}: no such file or directory{hint}")
    if missing:
        sys.exit(EXIT_ERROR)


def _gpu_key(settings: Settings, option: str | None) -> str:
    """The GPU's key; an unknown name exits 2 naming where it was written (``option``: the
    command-line option that set it, else the configuration file)."""
    from ecolint.evidence.gpus import GpuError, resolve_gpu

    try:
        return resolve_gpu(settings.gpu).key
    except GpuError as error:
        origin = option or (f"{settings.source} gpu" if settings.source else "gpu")
        _fail(f"{origin}: {error}")


def _check_group(
    group: Group, show_green: bool, jobs: int, use_cache: bool, fmt: str, quiet: int, fixes: bool
) -> tuple[RunResult, bool]:
    """One configuration's files: answered without libcst when no file needs analysis, from
    the cache when nothing changed, else by the pipeline (always the pipeline for fixes).
    Also: whether the pipeline ran."""
    from ecolint.pipeline.plan import ScanPlan
    from ecolint.reporters import TERMINAL_FORMATS

    plan = ScanPlan.build(group.paths, group.settings)
    result = plan.quick_result()
    if result is not None:
        return result, False
    if fixes:
        from ecolint.pipeline.run import Pipeline

        return Pipeline(group.settings, show_green=show_green, jobs=jobs).run_plan(plan), True
    show_progress = fmt in TERMINAL_FORMATS and not quiet and _interactive()
    return _analyse(plan, group.settings, show_green, jobs, use_cache, show_progress), True


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
) -> RunResult:
    """The pipeline's result, from the cache when nothing it depends on changed (a hit imports
    no analysis code at all); otherwise files whose inputs did not change are taken from the
    per-file cache."""
    from ecolint.cache import cache_dir, cached_run, settings_key

    salt = settings_key(settings, {"show_green": show_green}) if use_cache else ""

    def compute() -> RunResult:
        from ecolint.pipeline.run import Pipeline

        progress = _progress if show_progress else None
        cache = (cache_dir(settings), salt) if use_cache else None
        pipeline = Pipeline(settings, show_green, jobs, progress, cache)
        return pipeline.run_plan(plan)

    if not use_cache:
        return compute()
    return cached_run(plan.key(salt), settings, compute)


def _echo_internal_errors(result: RunResult) -> None:
    for error in result.internal_errors:
        _say(
            f"ecolint: internal error in {error.code} while checking {error.path}: {error.message}"
        )


def _apply_fixes(
    rerun: Callable[[], RunResult], result: RunResult, unsafe: bool, write: bool, tree: Tree
) -> tuple[RunResult, bool]:
    """``--diff`` prints the fixes as a diff; ``--fix`` writes them and returns the findings
    of a fresh run over the same paths (``rerun``), which is what remains. Also: whether files
    change."""
    from ecolint.fixes import apply
    from ecolint.pipeline.deep_stack import deep_stack

    plan = deep_stack(lambda: apply.plan(result.findings, unsafe))
    for note in [*result.fix_notes, *plan.notes()]:
        _say(f"ecolint: {note}")
    if not write:
        click.echo(apply.unified_diff(plan), nl=False)
        click.echo(apply.summary(plan, written=False), err=True)
        return result, bool(plan.changes)
    problems = apply.write(plan, tree)
    after = rerun() if plan.changes else result
    after.problems += problems
    click.echo(apply.summary(plan, written=True), err=True)
    return after, bool(plan.changes)


@main.command(short_help="Remove the result cache.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def clean(path: Path | None) -> None:
    """Remove the result cache (.ecolint_cache/ beside the configuration of PATH, or here)."""
    from ecolint.cache import cache_dir
    from ecolint.cache import clean as remove_cache
    from ecolint.config import ConfigError, load_settings

    try:
        settings = load_settings(path or Path("."))
    except ConfigError as error:
        _fail(str(error))
    where = cache_dir(settings)
    removed = remove_cache(settings)
    click.echo(inert(f"ecolint: removed {where}" if removed else f"ecolint: no cache at {where}"))


@main.command(short_help="Show the documentation of one rule, such as ECO101.")
@click.argument("code")
@format_option
@lang_option
def rule(code: str, fmt: str, lang: str | None) -> None:
    """Show the documentation of one rule (e.g. ECO101)."""
    import json

    from ecolint.docs import render_rule, render_rule_markdown, rule_document
    from ecolint.i18n import detect_lang
    from ecolint.rules import all_rules

    chosen = detect_lang(lang, _configured_lang())
    found = all_rules().get(code.upper())
    if found is None:
        _fail(f"unknown rule '{code}'. Known rules: {', '.join(all_rules())}")
    if fmt == "json":
        click.echo(json.dumps(rule_document(found, chosen), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(render_rule_markdown(found, chosen))
    else:
        click.echo(render_rule(found, chosen))


@main.command(name="rules", short_help="List every rule with its mood and basis.")
@format_option
@lang_option
def rules_command(fmt: str, lang: str | None) -> None:
    """List every rule with its mood and whether its figures are measured."""
    import json

    from ecolint.docs import render_rules_table, rules_table
    from ecolint.i18n import detect_lang
    from ecolint.rules import all_rules

    chosen = detect_lang(lang, _configured_lang())
    rules = list(all_rules().values())
    if fmt == "json":
        click.echo(json.dumps(rules_table(rules, chosen), indent=2, ensure_ascii=False))
    else:
        click.echo(render_rules_table(rules, chosen, markdown=fmt == "markdown"))


def _configured_lang() -> str | None:
    """``[tool.ecolint] lang`` of the nearest configuration, if it can be read."""
    from ecolint.config import ConfigError, load_settings

    try:
        return load_settings(Path(".")).lang
    except ConfigError as error:
        _fail(str(error))
    return None


def _advise(module: str, params: dict[str, Any]) -> None:
    """Run ``ecolint.advisor.<module>.answer`` with the command's own parameters; the shared
    ones (format, GPU, language, config, colour, workload) are resolved by the advisor."""
    import importlib

    from ecolint.advisor.context import execute
    from ecolint.options import WORKLOAD_OPTIONS

    shared = {key: params.pop(key, None) for key in ("fmt", "gpu", "lang", "config_file")}
    no_color = bool(params.pop("no_color", False))
    workload = {key: params.pop(key, None) for _, key, _, _ in WORKLOAD_OPTIONS}
    command = importlib.import_module(f"ecolint.advisor.{module}")
    execute(
        lambda context: command.answer(context, **params),
        no_color=no_color,
        options=workload,
        **shared,
    )


MODEL_HELP = "Hugging Face id, local model folder, or a size such as 7B."
PRECISION_HELP = "fp16, bf16, nf4, nf4_dq, int8 (default threshold), int8_pure, fp8, ..."


@main.command(short_help="Every measured precision of a model on a GPU (COMPARE).")
@click.option("--model", "model_name", required=True, help=MODEL_HELP)
@advisor_options
def compare(**params: Any) -> None:
    """Every measured precision of a model on a GPU, side by side (COMPARE)."""
    _advise("compare", params)


@main.command(short_help="Monthly kWh, cost and CO2 of a configuration (ESTIMATE).")
@click.option("--model", "model_name", required=True, help=MODEL_HELP)
@click.option("--precision", "precision_name", required=True, help=PRECISION_HELP)
@advisor_options
def estimate(**params: Any) -> None:
    """Monthly kWh, cost, CO2 and the best alternative of the same session (ESTIMATE)."""
    _advise("estimate", params)


@main.command(short_help="Recommended precision and batch size (OPTIMIZE).")
@click.option("--model", "model_name", required=True, help=MODEL_HELP)
@click.option("--vram-gb", type=click.FloatRange(min=0, min_open=True), help="GPU memory in GB.")
@click.option("--use-case", type=click.Choice(["api", "chat", "batch"]), help="Traffic shape.")
@advisor_options
def advise(**params: Any) -> None:
    """Recommended precision and batch size for a model on a GPU (OPTIMIZE)."""
    _advise("advise", params)


@main.command(short_help="Observed numbers against the measured rows (DIAGNOSE).")
@click.option("--model", "model_name", required=True, help=MODEL_HELP)
@click.option("--precision", "precision_name", required=True, help=PRECISION_HELP)
@click.option("--throughput", type=click.FloatRange(min=0, min_open=True), help="Observed tok/s.")
@click.option("--power", type=click.FloatRange(min=0, min_open=True), help="Observed watts.")
@click.option("--stack", default="", help='Software versions, e.g. "torch 2.12.0.dev20260315".')
@advisor_options
def diagnose(**params: Any) -> None:
    """Observed numbers against the measured rows and the known patterns (DIAGNOSE)."""
    _advise("diagnose", params)


@main.command(short_help="The measured rows, their sources and contradictions.")
@click.option("--gpu", "gpu_filter", help="Only rows of this GPU.")
@click.option("--model", help="Only rows whose model id contains this text.")
@click.option("--precision", help="Only rows of this precision.")
@format_option
@lang_option
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file.")
@click.option("--no-color", is_flag=True, help="No ANSI colours.")
def data(**params: Any) -> None:
    """The measured rows, their sources and commits, and the recorded contradictions."""
    _advise("data_browser", params)
