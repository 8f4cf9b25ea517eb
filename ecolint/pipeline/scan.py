"""One file analysed: loaded (parsed once; the project keeps it for the imports of the next
files), every active check run over it, and its reports turned into drafts. A file or cell
that cannot be analysed is an event the selected rules' ``not_analysed`` hooks report."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.project import Project, Reads
from ecolint.checks.base import Check
from ecolint.findings.model import Report
from ecolint.pipeline.drafts import Batch, Drafter
from ecolint.pipeline.parallel import Failure
from ecolint.pipeline.plan import PYTHON_KINDS, ScanPlan
from ecolint.pipeline.setup import Setup
from ecolint.results import InternalError, RunResult
from ecolint.rules import Rule
from ecolint.sources.discovery import SourceFile
from ecolint.sources.document import Document
from ecolint.sources.python import SourceError, decode_text

if TYPE_CHECKING:
    from ecolint.cache import FileCache, Stored

FRESH_PROJECT_EVERY = 32  # files analysed with one project (and its parsed modules)
# Syntax trees are millions of small objects without cycles: a cycle collector that runs as they
# are allocated walks them over and over (a fifth of the parse). It is off while files are
# analysed; a project let go breaks the index's cycles itself (``Project.release``), so its
# trees are freed at once, and one collection then frees what cycles the checks made, before
# the next project (on the benchmark corpus: 0.03 s each, where collecting the trees cost 0.7 s).


class Scanner:
    """Analyses files against one project; each rule's check is made once per project."""

    def __init__(self, setup: Setup, project: Project) -> None:
        self.setup = setup
        self.project = project
        self.drafter = Drafter(setup)
        self.context = setup.check_context(project)
        self.checks: dict[str, Check] = {}

    def scan(
        self, source: SourceFile, data: bytes, active: Iterable[Rule], text: str | None = None
    ) -> Batch:
        """``text``: the file's text when the caller holds it decoded (an editor buffer).
        A Python file whose code uses none of the rules' trigger words (only its comments
        do) is not analysed."""
        if source.kind == "python":
            active = self.setup.prefilter.in_source(list(active), data, text)
            if not active:
                return Batch()
        try:
            unit = self._load(source, data, text)
        except SourceError as error:
            return self.drafter.not_analysed(source, error)
        scanned = Batch(result=RunResult(files_analysed=1))
        if isinstance(unit, ModuleInfo) and unit.notebook is not None:
            for cell in unit.notebook.broken_cells:  # the other cells are still analysed
                where = unit.notebook.source_map.locate(cell.first_line, 0)
                broken = SourceError(cell.reason, where.line, where.column)
                scanned.merge(self.drafter.not_analysed(source, broken, cell.index))
        reports: list[Report] = []
        for rule in active:
            check = self.checks.get(rule.code)
            if check is None:
                made = self.setup.check_class(rule.code)
                assert made is not None, f"{rule.code} has trigger words but no check"
                check = self.checks[rule.code] = made(self.context)
            try:
                if isinstance(unit, ModuleInfo):
                    reports.extend(check.run(unit))
                else:
                    reports.extend(check.run_document(unit))
            except SourceError as error:
                scanned.merge(self.drafter.not_analysed(source, error))
            except Exception as error:
                import traceback  # only for an error: most runs have none

                detail = "".join(traceback.format_exception_only(type(error), error)).strip()
                error_at = InternalError(source.display, rule.code, detail)
                scanned.result.internal_errors.append(error_at)
        scanned.merge(self.drafter.drafts(reports, self.checks))
        return scanned

    def release(self) -> None:
        """Let go of the project's modules and what the resolver worked out about them."""
        self.project.release()
        self.context.resolver.facts.clear()

    def _load(self, source: SourceFile, data: bytes, text: str | None) -> ModuleInfo | Document:
        if source.kind in PYTHON_KINDS:
            return self.project.load(source.path, data, text)
        text = decode_text(data, self.setup.settings.max_file_size)
        return Document(source.path, source.display, source.kind, text)


class Analyser:
    """The plan's files to analyse, by index: what ``parallel.run_batches`` hands to workers.
    ``progress`` is told (files analysed, files to analyse) as it goes."""

    def __init__(
        self,
        setup: Setup,
        plan: ScanPlan,
        file_cache: FileCache | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.setup = setup
        self.plan = plan
        self.file_cache = file_cache
        self.progress = progress
        self.done = 0
        # A project of every file of the run (imports are followed into any of them), made
        # here, before the workers fork: resolving every path once per block grew with the
        # square of the run.
        files = [source.path for source in plan.files]
        displays = {source.path: source.display for source in plan.files}
        limit = setup.settings.max_file_size
        resolved = {source.path: source.real for source in plan.files}
        self.whole = Project(files, displays, limit, contents=plan.contents, resolved=resolved)

    def __len__(self) -> int:
        return len(self.plan.work)

    def advance(self, files: int) -> None:
        if self.progress is not None:
            self.done += files
            self.progress(self.done, len(self))

    def probed(self) -> dict[int, Stored]:
        """The files the per-file cache holds a valid entry for, by index, looked up in this
        process before any worker starts: after a commit or an edit nearly every file is a
        hit, and a hit a worker finds costs a pickle on its way back here. The pieces are
        rebuilt by ``rebuilt``, while the workers analyse the misses."""
        found: dict[int, Stored] = {}
        if self.file_cache is not None:
            for index, planned in enumerate(self.plan.work):
                stored = self.file_cache.probe(planned.source.real, planned.data)
                if stored is not None:
                    found[index] = stored
        return found

    def rebuilt(self, probed: dict[int, Stored]) -> dict[int, Batch]:
        """The pieces ``probed`` found, by index; an entry that does not rebuild is left out
        (its file is analysed)."""
        found: dict[int, Batch] = {}
        if self.file_cache is not None:
            for index, stored in probed.items():
                piece = self.file_cache.piece(stored)
                if piece is not None:
                    found[index] = piece
            self.advance(len(found))
        return found

    def pieces(self, indices: Iterable[int]) -> Iterator[tuple[int, Batch]]:
        """What analysing each file at ``indices`` produced, one file at a time (the misses of
        ``probed``: these are analysed without looking the cache up again)."""
        with collector_off():
            yield from self._pieces(indices, self.whole)

    def _pieces(self, indices: Iterable[int], whole: Project) -> Iterator[tuple[int, Batch]]:
        plan, cache = self.plan, self.file_cache
        scanner: Scanner | None = None
        for count, index in enumerate(indices):
            planned = plan.work[index]
            if scanner is None or count % FRESH_PROJECT_EVERY == 0:
                # Parsed modules are kept for the imports of the next files, not for the run:
                # a fresh project bounds memory (drafts hold no syntax tree).
                if scanner is not None:
                    scanner.release()
                    gc.collect()
                scanner = Scanner(self.setup, whole.emptied())
            self.advance(1)
            source, data = planned.source, planned.data
            scanner.project.reads = Reads()
            if cache is not None:
                # What the resolver worked out for an earlier file (a value defined in a module
                # both import) would spare this file the reads it rests on, and its entry would
                # outlive a change to them: a cached analysis reads what it uses itself.
                scanner.context.resolver.facts.clear()
            piece = scanner.scan(source, data, planned.rules)
            if cache is not None and not piece.result.internal_errors:
                cache.put(source.real, data, scanner.project.reads, piece)
            yield index, piece
        if scanner is not None:
            scanner.release()

    def failed(self, index: int, failure: Failure) -> Batch:
        """The piece of a file whose worker did not survive it: a crash or a budget run out is
        reported as not analysed, an exception in ecolint's own code as an internal error."""
        source = self.plan.work[index].source
        if failure.internal:
            piece = Batch()
            error = InternalError(source.display, "analysis", failure.reason)
            piece.result.internal_errors.append(error)
            return piece
        reason = SourceError(f"analysis stopped: {failure.reason}; the run went on")
        return Drafter(self.setup).not_analysed(source, reason)


@contextmanager
def collector_off() -> Iterator[None]:
    """The cycle collector off while analysing: it would walk every tree again and again, and
    the trees are freed by ``Scanner.release`` instead; back on after, if it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
