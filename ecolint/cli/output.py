"""How every command speaks: exit codes, and lines on stderr that are inert (names from the
scanned tree cannot inject workflow commands or terminal sequences)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import click

from ecolint.reporters.inert import inert

if TYPE_CHECKING:
    from ecolint.results import RunResult

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def fail(message: str) -> NoReturn:
    click.echo(inert(f"ecolint: error: {message}"), err=True)
    sys.exit(EXIT_ERROR)


def say(message: str) -> None:
    """A line on stderr, inert: names from the scanned tree cannot inject workflow commands or
    terminal sequences there either."""
    click.echo(inert(message), err=True)


def echo_internal_errors(result: RunResult) -> None:
    for error in result.internal_errors:
        say(f"ecolint: internal error in {error.code} while checking {error.path}: {error.message}")
