"""Command-line options several commands share: ``--lang`` and the workload options that
mirror ``[tool.ecolint.workload]``. Kept free of heavy imports so ``--help`` stays instant."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

LANG_CHOICES = ("en", "zh")

# (option, workload key, type, help)
WORKLOAD_OPTIONS: tuple[tuple[str, str, type, str], ...] = (
    ("--requests-per-month", "requests_per_month", float, "Requests served per month."),
    ("--requests-per-day", "requests_per_day", float, "Requests served per day."),
    ("--users-per-day", "users_per_day", float, "Users per day (× requests per user)."),
    ("--requests-per-user", "requests_per_user", float, "Requests per user per day."),
    ("--tokens-per-month", "tokens_per_month", float, "Generated tokens per month."),
    ("--text-gb-per-month", "text_gb_per_month", float, "GB of English text per month."),
    (
        "--chinese-chars-per-month",
        "chinese_chars_per_month",
        float,
        "Chinese characters generated per month.",
    ),
    ("--hours-per-day", "hours_per_day", float, "Hours of generation per day."),
    ("--days-per-month", "days_per_month", float, "Days per month (default 30)."),
    ("--batch-size", "batch_size", int, "Requests per batch."),
    ("--prompt-tokens", "prompt_tokens", int, "Prompt tokens per request."),
    ("--generated-tokens", "generated_tokens", int, "Generated tokens per request."),
    ("--region", "region", str, "Electricity price and grid intensity region."),
    ("--usd-per-kwh", "usd_per_kwh", float, "Electricity price instead of the region's."),
    ("--gco2-per-kwh", "gco2_per_kwh", float, "Grid intensity instead of the region's."),
    ("--pue", "pue", str, "Power usage effectiveness: a number, cloud or local."),
)


def lang_option(function: F) -> F:
    return click.option(
        "--lang",
        type=click.Choice(LANG_CHOICES),
        help="Output language (default: [tool.ecolint] lang, then the locale).",
    )(function)


def color_option(function: F) -> F:
    """``--color``, shared by every command that prints colours (``reporters.color`` decides)."""
    return click.option(
        "--color",
        "color_choice",
        type=click.Choice(("auto", "always", "never")),
        help="Colour the output: auto (a terminal; NO_COLOR and FORCE_COLOR honoured), always, "
        "never.",
    )(function)


def workload_options(function: F) -> F:
    """Add the workload options; the command receives them as one ``workload`` dict."""
    for option, key, kind, text in reversed(WORKLOAD_OPTIONS):
        function = click.option(option, key, type=kind, help=text, default=None)(function)
    return function


def pop_workload(values: dict[str, Any]) -> dict[str, Any]:
    """Take the workload options out of a command's keyword arguments."""
    table = {key: values.pop(key, None) for _, key, _, _ in WORKLOAD_OPTIONS}
    pue = table.get("pue")
    if pue is not None:
        try:
            table["pue"] = float(pue)
        except ValueError:
            table["pue"] = pue
    return {key: value for key, value in table.items() if value is not None}


def output_option(function: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the report to FILE instead of standard output.",
    )(function)


def format_option(function: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json", "markdown"]),
        default="text",
        show_default=True,
        help="Output format.",
    )(function)


def advisor_options(function: F) -> F:
    """--gpu, --format, --lang, --config, --no-color and the workload options."""
    function = lang_option(workload_options(function))
    for decorator in (
        click.option("--no-color", is_flag=True, help="No ANSI colours."),
        color_option,
        click.option(
            "--config", "config_file", type=click.Path(path_type=Path), help="Config file."
        ),
        format_option,
        click.option("--gpu", help="GPU (default: [tool.ecolint] gpu, else rtx4090d)."),
    ):
        function = decorator(function)
    return function
