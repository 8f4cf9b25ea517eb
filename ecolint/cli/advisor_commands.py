"""The advisor commands (compare, estimate, advise, diagnose, data) and ``clean``: thin
wrappers that hand their parameters to ``ecolint.advisor`` and the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ecolint.cli.output import fail
from ecolint.cli.shared_options import (
    advisor_options,
    format_option,
    lang_option,
    pop_workload,
)
from ecolint.reporters.inert import inert


@click.command(short_help="Remove the result cache.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def clean(path: Path | None) -> None:
    """Remove the result cache (.ecolint_cache/ beside the configuration of PATH, or here)."""
    from ecolint.cache import cache_dir
    from ecolint.cache import clean as remove_cache
    from ecolint.config import ConfigError, load_settings

    try:
        settings = load_settings(path or Path("."))
    except ConfigError as error:
        fail(str(error))
    where = cache_dir(settings)
    removed = remove_cache(settings)
    click.echo(inert(f"ecolint: removed {where}" if removed else f"ecolint: no cache at {where}"))


def _advise(module: str, params: dict[str, Any]) -> None:
    """Run ``ecolint.advisor.<module>.answer`` with the command's own parameters; the shared
    ones (format, GPU, language, config, colour, workload) are resolved by the advisor."""
    import importlib

    from ecolint.advisor.context import execute

    shared = {key: params.pop(key, None) for key in ("fmt", "gpu", "lang", "config_file")}
    no_color = bool(params.pop("no_color", False))
    color_choice = params.pop("color_choice", None)
    workload = pop_workload(params)
    command = importlib.import_module(f"ecolint.advisor.{module}")
    execute(
        lambda context: command.answer(context, **params),
        no_color=no_color,
        color_choice=color_choice,
        options=workload,
        **shared,
    )


model_option = click.option(
    "--model",
    "model_name",
    required=True,
    help="Hugging Face id, local model folder, or a size such as 7B.",
)
precision_option = click.option(
    "--precision",
    "precision_name",
    required=True,
    help="fp16, bf16, nf4, nf4_dq, int8 (default threshold), int8_pure, fp8, ...",
)


@click.command(short_help="Every measured precision of a model on a GPU (COMPARE).")
@model_option
@advisor_options
def compare(**params: Any) -> None:
    """Every measured precision of a model on a GPU, side by side (COMPARE)."""
    _advise("compare", params)


@click.command(short_help="Monthly kWh, cost and CO2 of a configuration (ESTIMATE).")
@model_option
@precision_option
@advisor_options
def estimate(**params: Any) -> None:
    """Monthly kWh, cost, CO2 and the best alternative of the same session (ESTIMATE)."""
    _advise("estimate", params)


@click.command(short_help="Recommended precision and batch size (OPTIMIZE).")
@model_option
@click.option("--vram-gb", type=click.FloatRange(min=0, min_open=True), help="GPU memory in GB.")
@click.option("--use-case", type=click.Choice(["api", "chat", "batch"]), help="Traffic shape.")
@advisor_options
def advise(**params: Any) -> None:
    """Recommended precision and batch size for a model on a GPU (OPTIMIZE)."""
    _advise("advise", params)


@click.command(short_help="Observed numbers against the measured rows (DIAGNOSE).")
@model_option
@precision_option
@click.option("--throughput", type=click.FloatRange(min=0, min_open=True), help="Observed tok/s.")
@click.option("--power", type=click.FloatRange(min=0, min_open=True), help="Observed watts.")
@click.option("--stack", default="", help='Software versions, e.g. "torch 2.12.0.dev20260315".')
@advisor_options
def diagnose(**params: Any) -> None:
    """Observed numbers against the measured rows and the known patterns (DIAGNOSE)."""
    _advise("diagnose", params)


@click.command(short_help="The measured rows, their sources and contradictions.")
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
