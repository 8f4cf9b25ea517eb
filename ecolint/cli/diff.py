"""``ecolint diff BASE [HEAD]``: the findings a change adds, removes and changes, and what it
costs or saves per month and per year at the workload."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ecolint.cli.output import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, echo_internal_errors, fail, say
from ecolint.cli.shared_options import (
    color_option,
    lang_option,
    output_option,
    pop_workload,
    workload_options,
)

if TYPE_CHECKING:
    from ecolint.cli.check_options import CommandLine
    from ecolint.cli.diff_run import Side
    from ecolint.findings.changes import DiffReport

WORKING_TREE, INDEX = "working-tree", "index"


@click.command(short_help="What a change adds or saves: findings and their monthly cost.")
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option("--staged", is_flag=True, help="Compare the index (staged files) with HEAD.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Output format (markdown: a pull-request comment).",
)
@output_option
@click.option("--gpu", help="GPU to quote measurements for (default rtx4090d).")
@click.option("--select", multiple=True, help="Rule code prefixes to enable (e.g. ECO1).")
@click.option("--ignore", multiple=True, help="Rule code prefixes to disable.")
@click.option(
    "--fail-on-increase",
    type=click.FloatRange(min=0),
    metavar="KWH",
    help="Exit 1 when the net change exceeds KWH per month (0: any increase).",
)
@click.option(
    "--repository-url",
    metavar="URL",
    help="Link file:line in Markdown to URL/blob/COMMIT/PATH (e.g. https://github.com/o/r).",
)
@color_option
@click.option("--no-cache", is_flag=True, help="Neither read nor write .ecolint_cache/.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="Processes that analyse files in parallel.",
)
@lang_option
@workload_options
def diff(
    base: str | None,
    head: str | None,
    staged: bool,
    fmt: str,
    output: Path | None,
    gpu: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on_increase: float | None,
    repository_url: str | None,
    color_choice: str | None,
    no_cache: bool,
    jobs: int,
    lang: str | None,
    **workload: object,
) -> None:
    """Compare the findings of revision BASE with those of HEAD (default: the working tree).

    Findings are matched by rule and fingerprint, so moved code is not new. With a workload
    ([tool.ecolint.workload] or the workload options) each change is priced per month, and the
    net change of the whole tree counts each file's traffic once."""
    from ecolint.cli.check import prefixes
    from ecolint.cli.check_options import CommandLine
    from ecolint.config import ConfigError, load_settings
    from ecolint.i18n import detect_lang, t
    from ecolint.reporters.color import use_color
    from ecolint.selectors import SelectorError, check_selectors
    from ecolint.sources.git_trees import GitError, repository
    from ecolint.workload import WorkloadError, option_name, parse_workload

    language = detect_lang(lang)
    if staged and (base or head):
        fail(t("diff.staged_with_revisions", language))
    if not staged and base is None:
        fail(t("diff.no_base", language))
    try:
        root = repository(Path.cwd())
        language = detect_lang(lang, load_settings(root).lang)
        options = CommandLine(
            select=check_selectors(prefixes(select), "--select"),
            ignore=check_selectors(prefixes(ignore), "--ignore"),
            gpu=gpu,
            lang=language,
            workload=parse_workload(pop_workload(workload), option_name),
        )
        before = _side(root, "HEAD" if staged else base, options, jobs, no_cache)
        after = _side(root, head, options, jobs, no_cache, index=staged)
    except (GitError, ConfigError, SelectorError, WorkloadError) as error:
        fail(str(error))
    report = _report(before, after)
    color = use_color(color_choice, False, output is None and sys.stdout.isatty())
    text = _render(report, fmt, repository_url, language, color)
    if output is not None:
        from ecolint.safe_write import Tree, WriteError, write_file

        try:
            write_file(output, text.encode("utf-8"), Tree([Path.cwd(), output.parent]))
        except WriteError as error:
            fail(str(error))
    else:
        click.echo(text, nl=False, color=color)
    failed = False
    for side in (before, after):
        echo_internal_errors(side.result)
        for path, problem in side.result.problems:
            say(f"ecolint: error: {path}: {problem}")
        failed = failed or bool(side.result.internal_errors or side.result.problems)
    if failed:
        sys.exit(EXIT_ERROR)
    net = report.comparison.net
    if fail_on_increase is None:
        sys.exit(EXIT_OK)
    if net is None:
        fail(t("diff.fail_needs_workload", language))
    if net.kwh > fail_on_increase:
        say(t("diff.increase", language, kwh=f"{net.kwh:+.3f}", limit=f"{fail_on_increase:g}"))
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


def _side(
    root: Path,
    revision: str | None,
    options: CommandLine,
    jobs: int,
    no_cache: bool,
    index: bool = False,
) -> Side:
    """A revision, exported; else the index (``index``), exported unless it holds what the
    working tree holds; else the working tree, in place with the cache. An exported tree is
    analysed with the working tree's cache; only a lasting one's result is kept by commit."""
    from ecolint.cli.diff_run import Side, analyse, exported
    from ecolint.sources.git_trees import index_is_work_tree

    label = revision or (INDEX if index else WORKING_TREE)
    if revision is None and (not index or index_is_work_tree(root)):
        result, gpu, found = analyse(root, options, jobs, use_cache=not no_cache)
        return Side(label, None, result, gpu, found)
    with exported(root, revision, not no_cache) as (folder, sha, lasting):
        result, gpu, found = analyse(
            folder, options, jobs, not no_cache, sha if lasting else None, work_tree=root
        )
    return Side(label, sha, result, gpu, found)


def _report(before: Side, after: Side) -> DiffReport:
    from ecolint.findings.changes import DiffReport, Revision, compare

    workload = after.workload or before.workload
    comparison = compare(before.result.findings, after.result.findings, workload)
    return DiffReport(
        comparison,
        Revision(before.label, before.commit, len(before.result.findings)),
        Revision(after.label, after.commit, len(after.result.findings)),
        after.gpu,
    )


def _render(
    report: DiffReport, fmt: str, repository_url: str | None, lang: str, color: bool
) -> str:
    if fmt == "json":
        from ecolint.reporters.diff_text import render_diff_json
        from ecolint.reporters.inert import inert_json

        return inert_json(render_diff_json(report))
    if fmt == "markdown":
        from ecolint.reporters.diff_markdown import render_diff_markdown

        return render_diff_markdown(report, repository_url, lang)
    from ecolint.reporters.diff_text import render_diff_text

    return render_diff_text(report, color, lang)
