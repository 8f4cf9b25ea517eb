"""The ``ecolint`` command group. Each command lives in a module of its own and imports its
heavy modules inside the command, so that ``--version`` and ``--help`` stay instant."""

from __future__ import annotations

import importlib

import click

from ecolint import __version__
from ecolint.cli.output import EXIT_OK

# Command name -> module and attribute: a run imports only the command it runs (a one-file
# ``check`` under pre-commit pays for no advisor, diff or server code); ``--help`` loads all.
_COMMANDS = {
    "advise": ("ecolint.cli.advisor_commands", "advise"),
    "check": ("ecolint.cli.check", "check"),
    "clean": ("ecolint.cli.advisor_commands", "clean"),
    "compare": ("ecolint.cli.advisor_commands", "compare"),
    "data": ("ecolint.cli.advisor_commands", "data"),
    "diagnose": ("ecolint.cli.advisor_commands", "diagnose"),
    "diff": ("ecolint.cli.diff", "diff"),
    "estimate": ("ecolint.cli.advisor_commands", "estimate"),
    "rule": ("ecolint.cli.rule_docs", "rule"),
    "rules": ("ecolint.cli.rule_docs", "rules_command"),
    "server": ("ecolint.cli.server", "server"),
}


class _LazyGroup(click.Group):
    """click's lazily loading group (click documentation, "Lazily Loading Subcommands")."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module, attribute = _COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command


def _version_text() -> str:
    from ecolint.evidence.dataset import data_version

    return f"ecolint {__version__} (data {data_version()})"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_version_text())
        ctx.exit(EXIT_OK)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
