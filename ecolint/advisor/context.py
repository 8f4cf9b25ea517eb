"""What every advisor command resolves first (settings, language, GPU, model, workload), and
how it fails: a clear message listing the valid choices, exit code 2, no traceback."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ecolint.advisor.output import Answer, render
from ecolint.advisor.precisions import PrecisionError
from ecolint.config import ConfigError, Settings, load_settings
from ecolint.evidence.dataset import Gpu
from ecolint.evidence.gpus import GpuError, resolve_gpu
from ecolint.evidence.models import ModelSize, resolve_model_size
from ecolint.i18n import detect_lang, t
from ecolint.reporters.color import use_color
from ecolint.reporters.inert import inert
from ecolint.workload import Workload, WorkloadError, option_name, parse_workload

EXIT_ERROR = 2


class AdvisorError(ValueError):
    """Bad input to an advisor command; the message says what is accepted."""


@dataclass(frozen=True)
class Context:
    settings: Settings
    lang: str
    gpu: Gpu
    gpu_given: bool
    workload: Workload

    def model(self, name: str) -> ModelSize:
        size = resolve_model_size(name, self.settings.models, (Path.cwd(),))
        if size is None:
            raise AdvisorError(t("error.model_size", self.lang, model=name))
        return size


def build(
    gpu: str | None, lang: str | None, config_file: Path | None, options: dict[str, Any]
) -> Context:
    settings = load_settings(Path("."), config_file)
    chosen = detect_lang(lang, settings.lang)
    given = parse_workload(options, option_name)
    workload = settings.workload.merged(given)
    return Context(settings, chosen, resolve_gpu(gpu or settings.gpu), gpu is not None, workload)


def execute(
    answer: Callable[[Context], Answer],
    *,
    fmt: str,
    gpu: str | None,
    lang: str | None,
    config_file: Path | None,
    no_color: bool,
    options: dict[str, Any],
    color_choice: str | None = None,
) -> None:
    """Resolve the context, build the answer, print it; bad input exits 2 with a message."""
    try:
        context = build(gpu, lang, config_file, options)
        result = answer(context)
    except (AdvisorError, ConfigError, GpuError, PrecisionError, WorkloadError) as error:
        click.echo(inert(f"ecolint: error: {error}"), err=True)
        sys.exit(EXIT_ERROR)
    color = fmt == "text" and use_color(color_choice, no_color, sys.stdout.isatty())
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    click.echo(render(result, fmt, context.lang, color, width), nl=False, color=color)
