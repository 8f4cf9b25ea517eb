"""The ``ecolint`` command group. Each command lives in a module of its own and imports its
heavy modules inside the command, so that ``--version`` and ``--help`` stay instant."""

from __future__ import annotations

import click

from ecolint import __version__
from ecolint.cli.advisor_commands import advise, clean, compare, data, diagnose, estimate
from ecolint.cli.check import check
from ecolint.cli.diff import diff
from ecolint.cli.output import EXIT_OK
from ecolint.cli.rule_docs import rule, rules_command
from ecolint.cli.server import server


def _version_text() -> str:
    from ecolint.evidence.dataset import data_version

    return f"ecolint {__version__} (data {data_version()})"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_version_text())
        ctx.exit(EXIT_OK)


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


for command in (check, clean, rule, rules_command, compare, estimate, advise, diagnose, data):
    main.add_command(command)
main.add_command(server)
main.add_command(diff)
