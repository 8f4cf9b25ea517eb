"""The ``ecolint`` command. Heavy modules are imported inside commands so that ``--version``
and ``--help`` stay instant."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ecolint import __version__
from ecolint.baseline import DEFAULT_BASELINE
from ecolint.equals_option import EqualsCommand, EqualsOption
from ecolint.options import (
    advisor_options,
    format_option,
    lang_option,
    pop_workload,
    workload_options,
)

if TYPE_CHECKING:
    from ecolint.config import Settings
    from ecolint.engine import Engine
    from ecolint.results import RunResult
    from ecolint.safe_write import Tree

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


def _fail(message: str) -> None:
    click.echo(f"ecolint: error: {message}", err=True)
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


@main.command(cls=EqualsCommand)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Rule code prefixes to enable (e.g. ECO1).")
@click.option("--ignore", multiple=True, help="Rule code prefixes to disable.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "github", "markdown"]),
    default="text",
    show_default=True,
    help="Output format.",
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
    "config_file",
    type=click.Path(path_type=Path),
    help="Use this pyproject.toml or ecolint.toml.",
)
@click.option("--no-color", is_flag=True, help="No ANSI colours (NO_COLOR is honoured too).")
@click.option("--show-green", is_flag=True, help="Also show green findings (measured savings).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary when clean.")
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
    ignore: tuple[str, ...],
    fmt: str,
    gpu: str | None,
    exit_zero: bool,
    fail_on: str,
    output: Path | None,
    config_file: Path | None,
    no_color: bool,
    show_green: bool,
    quiet: bool,
    baseline_file: Path | None,
    write_baseline: Path | None,
    add_noqa: bool,
    fix: bool,
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
    from ecolint import baseline
    from ecolint.config import ConfigError, load_settings
    from ecolint.evidence.gpus import GpuError, resolve_gpu
    from ecolint.i18n import DEFAULT_LANG, detect_lang
    from ecolint.prefilter import quick_result
    from ecolint.reporters import render
    from ecolint.rules import moods_from
    from ecolint.safe_write import Tree, WriteError, write_file
    from ecolint.workload import WorkloadError, option_name, parse_workload

    targets = list(paths) or [Path(".")]
    try:
        settings = load_settings(targets[0], config_file)
        given = parse_workload(pop_workload(workload), option_name)
    except ConfigError as error:
        _fail(str(error))
    except WorkloadError as error:
        _fail(str(error))
    overrides: dict[str, object] = {}
    if select:
        overrides["select"] = _prefixes(select)
    if ignore:
        overrides["ignore"] = (*settings.ignore, *_prefixes(ignore))
    if gpu:
        overrides["gpu"] = gpu
    overrides["lang"] = detect_lang(lang, settings.lang)
    overrides["workload"] = settings.workload.merged(given)
    settings = replace(settings, **overrides)  # type: ignore[arg-type]
    try:
        gpu_key = resolve_gpu(settings.gpu).key
    except GpuError as error:
        _fail(str(error))
    tree = Tree([*targets, settings.root])
    # A run in which no file needs analysis is answered without libcst or the data tables.
    result = quick_result(targets, settings)
    changed = False
    if result is not None:
        pass
    elif diff or fix:
        from ecolint.engine import Engine

        engine = Engine(settings, show_green=show_green, jobs=jobs)
        result = engine.run(targets)
        result, changed = _apply_fixes(
            engine, targets, result, unsafe_fixes, write=not diff, tree=tree
        )
    else:
        show_progress = fmt == "text" and not quiet and _interactive()
        result = _analyse(targets, settings, show_green, jobs, not no_cache, show_progress)
    for path, problem in result.problems:
        click.echo(f"ecolint: error: {path}: {problem}", err=True)
    failed = bool(result.internal_errors or result.problems)
    if diff:
        _echo_internal_errors(result)
        sys.exit(EXIT_ERROR if failed else EXIT_FINDINGS if changed else EXIT_OK)
    if add_noqa:
        from ecolint.add_noqa import add_noqa as insert_noqa

        added = insert_noqa(result.findings, tree)
        for reason in added.skipped:
            click.echo(f"ecolint: not silenced: {reason}", err=True)
        for problem in added.unwritten:
            click.echo(f"ecolint: error: {problem}", err=True)
        click.echo(f"ecolint: added {added.directives} noqa directives", err=True)
        _echo_internal_errors(result)
        sys.exit(EXIT_ERROR if failed or added.unwritten else EXIT_OK)
    if write_baseline is not None:
        try:
            count = baseline.write_baseline(write_baseline, result.findings, settings.root, tree)
        except (baseline.BaselineError, WriteError) as error:
            _fail(str(error))
        click.echo(f"ecolint: wrote {count} findings to {write_baseline}", err=True)
        _echo_internal_errors(result)
        sys.exit(EXIT_ERROR if failed else EXIT_OK)
    baseline_file = baseline_file or settings.baseline
    if baseline_file is not None:
        try:
            entries = baseline.read_baseline(baseline_file)
        except baseline.BaselineError as error:
            _fail(str(error))
        outcome = baseline.apply_baseline(result.findings, entries, settings.root)
        result.findings = outcome.new
        result.baseline = outcome
    color = output is None and not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()
    lang_code = settings.lang or DEFAULT_LANG
    text = render(result, fmt, color=color, gpu=gpu_key, quiet=quiet, lang=lang_code)
    if output is not None:
        try:
            write_file(output, text.encode("utf-8"), tree)
        except WriteError as error:
            _fail(str(error))
    else:
        click.echo(text, nl=False, color=color)
    _echo_internal_errors(result)
    if failed:
        sys.exit(EXIT_ERROR)
    failing = moods_from(fail_on)
    fails = any(finding.mood in failing for finding in result.findings)
    sys.exit(EXIT_FINDINGS if fails and not exit_zero else EXIT_OK)


def _interactive() -> bool:
    """A progress line only for a person at a terminal: not in CI, not when piped."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def _progress(done: int, total: int) -> None:
    """``ecolint: analysed 45/146 files``, rewritten in place on stderr (long scans only)."""
    if total >= PROGRESS_MIN_FILES:
        end = "\n" if done >= total else ""
        click.echo(f"\r\033[Kecolint: analysed {done}/{total} files{end}", nl=False, err=True)


def _analyse(
    targets: list[Path],
    settings: Settings,
    show_green: bool,
    jobs: int,
    use_cache: bool,
    show_progress: bool,
) -> RunResult:
    """The engine's result, from the cache when nothing it depends on changed (a hit imports
    no analysis code at all); otherwise files whose inputs did not change are taken from the
    per-file cache."""
    from ecolint.cache import cache_dir, cached_run, run_key, settings_key

    salt = settings_key(settings, {"show_green": show_green}) if use_cache else ""

    def compute() -> RunResult:
        from ecolint.engine import Engine

        progress = _progress if show_progress else None
        cache = (cache_dir(settings), salt) if use_cache else None
        engine = Engine(settings, show_green=show_green, jobs=jobs, progress=progress, cache=cache)
        return engine.run(targets)

    if not use_cache:
        return compute()
    return cached_run(run_key(targets, settings, salt), settings, compute)


def _echo_internal_errors(result: RunResult) -> None:
    for error in result.internal_errors:
        click.echo(
            f"ecolint: internal error in {error.code} while checking {error.path}: {error.message}",
            err=True,
        )


def _apply_fixes(
    engine: Engine, targets: list[Path], result: RunResult, unsafe: bool, write: bool, tree: Tree
) -> tuple[RunResult, bool]:
    """``--diff`` prints the fixes as a diff; ``--fix`` writes them and returns the findings
    of a fresh run over the same paths, which is what remains. Also: whether files change."""
    from ecolint.engine import deep_stack
    from ecolint.fixes import apply

    plan = deep_stack(lambda: apply.plan(result.findings, unsafe))
    for note in [*result.fix_notes, *plan.notes()]:
        click.echo(f"ecolint: {note}", err=True)
    if not write:
        click.echo(apply.unified_diff(plan), nl=False)
        click.echo(apply.summary(plan, written=False), err=True)
        return result, bool(plan.changes)
    problems = apply.write(plan, tree)
    after = engine.run(targets) if plan.changes else result
    after.problems += problems
    click.echo(apply.summary(plan, written=True), err=True)
    return after, bool(plan.changes)


@main.command()
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
    click.echo(f"ecolint: removed {where}" if removed else f"ecolint: no cache at {where}")


@main.command()
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


@main.command(name="rules")
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


@main.command()
@click.option("--model", "model_name", required=True, help=MODEL_HELP)
@advisor_options
def compare(**params: Any) -> None:
    """Every measured precision of a model on a GPU, side by side (COMPARE)."""
    _advise("compare", params)


@main.command()
@click.option("--model", "model_name", required=True, help=MODEL_HELP)
@click.option("--precision", "precision_name", required=True, help=PRECISION_HELP)
@advisor_options
def estimate(**params: Any) -> None:
    """Monthly kWh, cost, CO2 and the best alternative of the same session (ESTIMATE)."""
    _advise("estimate", params)


@main.command()
@click.option("--model", "model_name", required=True, help=MODEL_HELP)
@click.option("--vram-gb", type=click.FloatRange(min=0, min_open=True), help="GPU memory in GB.")
@click.option("--use-case", type=click.Choice(["api", "chat", "batch"]), help="Traffic shape.")
@advisor_options
def advise(**params: Any) -> None:
    """Recommended precision and batch size for a model on a GPU (OPTIMIZE)."""
    _advise("advise", params)


@main.command()
@click.option("--model", "model_name", required=True, help=MODEL_HELP)
@click.option("--precision", "precision_name", required=True, help=PRECISION_HELP)
@click.option("--throughput", type=click.FloatRange(min=0, min_open=True), help="Observed tok/s.")
@click.option("--power", type=click.FloatRange(min=0, min_open=True), help="Observed watts.")
@click.option("--stack", default="", help='Software versions, e.g. "torch 2.12.0.dev20260315".')
@advisor_options
def diagnose(**params: Any) -> None:
    """Observed numbers against the measured rows and the known patterns (DIAGNOSE)."""
    _advise("diagnose", params)


@main.command()
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
