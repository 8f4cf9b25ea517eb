"""The analysis behind the server: one pipeline per configuration, kept for the server's life,
so what a keystroke does not change (the dependency files of the folders above, the modules
beside the file, the rule tables, the data) is analysed once and reused; only the edited
buffer is parsed again. Nothing here raises: a configuration or analysis problem comes back as
a message the server shows, and the buffer's own problems come back as ECO001 findings."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

from ecolint.analysis.parsed_files import ParsedFiles
from ecolint.config import CONFIG_NAMES, DEFAULT_GPU, Settings
from ecolint.evidence.gpus import GpuError
from ecolint.findings.model import Finding
from ecolint.pipeline.parallel import Budget
from ecolint.pipeline.run import Pipeline
from ecolint.server.forked import Done, Forked, start
from ecolint.server.settings import ClientOptions
from ecolint.sources.discovery import source_kind


@dataclass(frozen=True)
class Buffer:
    """A file as the editor holds it: where it would be saved, its kind, its text."""

    path: Path
    kind: str
    text: str

    @classmethod
    def of(cls, path: Path, text: str, language: str = "") -> Buffer | None:
        """The buffer of a file ecolint reads (by its name, else Python by the editor's
        language id); None for other files."""
        kind = source_kind(path) or ("python" if language == "python" else None)
        return None if kind is None else cls(path, kind, text)


@dataclass(frozen=True)
class Analysis:
    """Findings in the buffer, and what to tell the user once (configuration problems,
    internal errors of a rule), in the buffer's language. ``parsed``: the modules read from
    disk that were parsed, not reused, on the way."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lang: str = "en"
    parsed: int = 0


class Engine:
    def __init__(self, options: ClientOptions) -> None:
        self.options = options
        self._pipelines: dict[tuple[Path | None, Path], tuple[Settings, Pipeline]] = {}
        self._learned: set[str] | None = None  # the rules whose findings were analysed here

    def analyse(self, buffer: Buffer) -> Analysis:
        try:
            return self._analyse(buffer)
        except Exception as error:  # a bug of ecolint's must not take the editor's server down
            return Analysis([], [internal_error_text(error)])

    def start(self, buffer: Buffer, budget: Budget) -> Forked[Analysis] | Done[Analysis]:
        """The buffer's analysis in a process the server can kill. What every analysis of the
        file shares whatever the buffer holds (its configuration's pipeline, the dependency
        files of the folders above, the modules beside it) is read here first, once, so that
        each fork finds it and only the buffer's own analysis is lost when one is killed."""
        try:
            pipeline, _ = self._pipeline_for(buffer.path)
            pipeline.prepare(buffer.path)
        except Exception:  # the analysis meets it again, and says what it is
            pass
        return start(lambda: self.analyse(buffer), budget)

    def learn(self, buffer: Buffer, analysis: Analysis) -> None:
        """A fork loads what its findings need (the rules' tables and messages, the data rows)
        and parses the modules the buffer imports, and the server never sees it. Analysed once
        more here, the first time, whenever a rule finds something for the first time and
        whenever the fork parsed a module the server does not hold, it is loaded in the server
        and every later fork starts with it. ``buffer`` is one a fork has just analysed within
        its budgets."""
        codes = {finding.code for finding in analysis.findings}
        if self._learned is not None and codes <= self._learned and not analysis.parsed:
            return
        self._learned = (self._learned or set()) | codes
        self.analyse(buffer)

    def _pipeline_for(self, path: Path) -> tuple[Pipeline, list[str]]:
        """The pipeline of the file's configuration, and the problems found on the way."""
        settings, problem = self.options.settings_for(path)
        problems = [problem] if problem else []
        try:
            pipeline = self._pipeline(settings)
        except GpuError as error:
            problems.append(f"{settings.source or 'gpu'}: {error}")
            pipeline = self._pipeline(replace(settings, gpu=DEFAULT_GPU))
        return pipeline, problems

    def _analyse(self, buffer: Buffer) -> Analysis:
        pipeline, problems = self._pipeline_for(buffer.path)
        lang = pipeline.setup.lang
        kept = pipeline.parsed
        before = kept.added if kept is not None else 0
        try:
            result = pipeline.run_source(buffer.path, buffer.text, buffer.kind)
        except Exception as error:
            return Analysis([], [*problems, internal_error_text(error)], lang)
        problems += [
            f"ecolint: internal error in {error.code} while checking {error.path}: {error.message}"
            for error in result.internal_errors
        ]
        parsed = kept.added - before if kept is not None else 0
        return Analysis(result.findings, problems, lang, parsed)

    def changed_on_disk(self, path: Path) -> None:
        """A file was saved: a configuration file starts every pipeline afresh; any other file
        may be imported or pinned by what is analysed next, so cached analyses are dropped."""
        if path.name in CONFIG_NAMES:
            self._pipelines.clear()
            return
        for _, pipeline in self._pipelines.values():
            pipeline.forget(path)

    def _pipeline(self, settings: Settings) -> Pipeline:
        key = (settings.source, settings.root)
        known = self._pipelines.get(key)
        if known is None or known[0] != settings:
            known = (settings, Pipeline(settings, parsed=ParsedFiles(), edits=True))
            self._pipelines[key] = known
        return known[1]


def internal_error_text(error: Exception) -> str:
    """An error of ecolint's own, as the user is told of it (the server goes on)."""
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    return f"ecolint: internal error: {detail}"
