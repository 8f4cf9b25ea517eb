"""The flake8 plugin: the pipeline's ``ECO`` findings, one file at a time.

flake8 imports this module at start-up, so it imports nothing of the pipeline. A file whose
text holds no trigger word of a selected rule is passed over without the checks or the
measurements being loaded. The others pass the pipeline's prefilter on the ``ast`` tree
flake8 hands its plugins (its names and strings must use a trigger word, as for ``ecolint
check``), and that tree, not a second parse, is what ``Pipeline.run_source`` analyses, with
the text flake8 already read.

Settings are the ones ``ecolint check`` uses for the same paths: ``[tool.ecolint]`` found from
the first path, with ``--ecolint-gpu`` (command line, or ``ecolint-gpu`` in flake8's config)
over its ``gpu``. Each finding is printed as ``ecolint check`` prints its first line.
"""

from __future__ import annotations

import ast
import gc
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ecolint import __version__
from ecolint.reporters.inert import inert

if TYPE_CHECKING:
    import argparse

    from ecolint.config import Settings
    from ecolint.pipeline.run import Pipeline
    from ecolint.pipeline.shared_analyses import SharedAnalyses

Result = tuple[int, int, str, type]
# flake8's cycle collector walks every tracked object on each of its full passes, about 120 per
# worker on transformers. What the plugin keeps between files (its code, rules and
# measurements, the parsed modules below) made each pass several times dearer: 8 s of a
# worker's 70. So after each analysis its young garbage is collected and what is alive is
# frozen (``gc.freeze``: left out of collections until unfrozen); after every
# ``FROZEN_ANALYSES`` analyses everything is unfrozen and collected once, which frees the
# cycles that died while frozen (a module no longer kept, another plugin's objects).
FROZEN_ANALYSES = 100
# Source bytes of the modules a worker keeps parsed for the analyses of later files (imports
# and neighbours: in transformers, 121 files' analyses follow imports into its 300 KB
# ``__init__.py``). Frozen, a kept tree costs memory but no collector time. Over transformers,
# flake8 with the plugin took 1.43x flake8 alone keeping 400 KB (one interleaved run) and
# 1.26–1.37x keeping 4 MB (two, medians of 3); a worker's peak is 150–170 MiB there.
KEPT_SOURCE_BYTES = 4_000_000


class EcolintChecker:
    name = "ecolint"
    version = __version__

    settings: ClassVar[Settings | None] = None
    _triggers: ClassVar[tuple[str, ...] | None] = None
    _pipeline: ClassVar[Pipeline | None] = None
    _shared: ClassVar[SharedAnalyses | None] = None
    _analyses: ClassVar[int] = 0

    def __init__(self, tree: ast.Module | None, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--ecolint-gpu",
            metavar="NAME",
            default=None,
            parse_from_config=True,
            help="GPU to quote ecolint's measurements for, over `gpu` in [tool.ecolint] "
            "(default: rtx4090d).",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        """Read the settings once, before flake8 forks its workers; a bad configuration stops
        flake8 with the message ``ecolint check`` would print."""
        from flake8.exceptions import ExecutionError

        from ecolint.config import DEFAULT_GPU, ConfigError, load_settings
        from ecolint.pipeline.shared_analyses import SharedAnalyses

        paths = [name for name in getattr(options, "filenames", None) or [] if name != "-"]
        try:
            settings = load_settings(Path(paths[0] if paths else "."))
        except ConfigError as error:
            raise ExecutionError(f"ecolint: {error}") from None
        gpu = getattr(options, "ecolint_gpu", None)
        if gpu:
            settings = replace(settings, gpu=gpu)
        if settings.gpu != DEFAULT_GPU:
            from ecolint.evidence.gpus import GpuError, resolve_gpu

            try:
                resolve_gpu(settings.gpu)
            except GpuError as error:
                raise ExecutionError(f"ecolint: {error}") from None
        cls.settings = settings
        cls._triggers = None
        cls._pipeline = None
        cls._shared = SharedAnalyses.made()  # before flake8 forks its workers

    @classmethod
    def _settings(cls) -> Settings:
        if cls.settings is None:  # flake8 always parses options; a direct caller may not
            from ecolint.config import load_settings

            cls.settings = load_settings(Path("."))
        return cls.settings

    @classmethod
    def _trigger_words(cls) -> tuple[str, ...]:
        """The trigger words of the selected rules, each looked for on its own: ``str`` finds
        a word many times faster than a regular expression of alternatives scans for any."""
        if cls._triggers is None:
            from ecolint.rules import all_rules, selected

            settings = cls._settings()
            cls._triggers = tuple(
                sorted(
                    {
                        word
                        for rule in selected(all_rules(), settings.select, settings.ignore)
                        for word in rule.triggers_for("python")
                    }
                )
            )
        return cls._triggers

    @classmethod
    def _get_pipeline(cls) -> Pipeline:
        if cls._pipeline is None:
            from ecolint.analysis.parsed_files import ParsedFiles
            from ecolint.pipeline.run import Pipeline

            parsed = ParsedFiles(KEPT_SOURCE_BYTES)
            cls._pipeline = Pipeline(cls._settings(), parsed=parsed, shared=cls._shared)
        return cls._pipeline

    def run(self) -> Iterator[Result]:
        text = "".join(self.lines)
        if not any(word in text for word in self._trigger_words()):
            return
        pipeline = self._get_pipeline()
        if self.tree is not None and not _in_code(pipeline, text, self.tree):
            return
        result = pipeline.run_source(Path(self.filename), text)
        _settle(type(self))
        for error in result.internal_errors:
            print(
                inert(
                    f"ecolint: internal error in {error.code} while checking {error.path}:"
                    f" {error.message}"
                ),
                file=sys.stderr,
            )
        for finding in result.findings:
            message = f"{finding.code} [{finding.mood}] {inert(finding.message)}"
            if finding.headline:
                message += f" ({inert(finding.headline)})"
            yield finding.line, finding.column - 1, message, type(self)


def _settle(checker: type[EcolintChecker]) -> None:
    """Leave what the plugin keeps out of flake8's full collections (``FROZEN_ANALYSES``);
    nothing when the collector is off (the host's choice)."""
    if not gc.isenabled():
        return
    checker._analyses += 1
    if checker._analyses % FROZEN_ANALYSES == 0:
        gc.unfreeze()
        gc.collect()
    else:
        gc.collect(1)
    gc.freeze()


def _in_code(pipeline: Pipeline, text: str, tree: ast.Module) -> bool:
    """Whether a rule's trigger word is in the code of ``tree`` (flake8's parse of ``text``),
    which the parse guard then keeps for the analysis, so that the file is not parsed again.
    Without a trigger in the code, the file has no finding (``Pipeline.run_source`` would not
    analyse it, nor its neighbours for it)."""
    from ecolint.sources.parse_guard import adopt

    prefilter = pipeline.setup.prefilter
    active = prefilter.by_bytes("python", text.encode("utf-8", "surrogatepass"))
    if not active or not prefilter.in_code(active, tree, text):
        return False
    adopt(text, tree)
    return True
