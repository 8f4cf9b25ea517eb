"""sources → analysis → checks → evidence → findings.

Files whose bytes contain none of a selected rule's trigger words are never parsed. Each
remaining file is parsed once (the Project caches it for cross-module look-ups too), every
active check runs over its index, and the reports become findings with positions, messages
and evidence. Nothing from the scanned code is imported or executed.
"""

from __future__ import annotations

import fnmatch
import sys
import threading
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing import get_all_start_methods
from pathlib import Path
from typing import Any, TypeVar

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.project import Project
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.roles import allowed
from ecolint.analysis.values import LineSpan
from ecolint.cache import FileCache
from ecolint.checks.base import Check, CheckContext, registry
from ecolint.config import Settings
from ecolint.evidence.gpus import resolve_gpu
from ecolint.evidence.select import Evidence
from ecolint.evidence.stack import DRIFT_CODE, stack_drift
from ecolint.findings import Draft, Finding, Replacement, Report, fingerprint
from ecolint.fixes.edits import FixError
from ecolint.fixes.files import replacements
from ecolint.fixes.suppressions import unused_codes_fix
from ecolint.i18n import DEFAULT_LANG
from ecolint.locations import Place, locate
from ecolint.prefilter import Prefilter
from ecolint.results import InternalError, RunResult
from ecolint.rules import Rule, all_rules, selected
from ecolint.sources.discovery import SourceFile, discover, display_path, source_kind
from ecolint.sources.document import Document, TextSpan
from ecolint.sources.neighbours import importers, relevant_files
from ecolint.sources.python import SourceError, checked_text, decode_python, decode_text
from ecolint.sources.safe_read import read_source
from ecolint.supervisor import Budget, Failure, supervise
from ecolint.suppression import Directive, python_directives, text_directives

PARSE_ERROR = "ECO001"
UNUSED_SUPPRESSION = "ECO002"
ENGINE_RULES = frozenset({PARSE_ERROR, UNUSED_SUPPRESSION})  # reported by the engine itself
PYTHON_KINDS = frozenset({"python", "notebook"})
T = TypeVar("T")
Used = dict[tuple[Path, int], set[str]]  # (file, line) → codes a suppression there silenced
PARALLEL_MIN_FILES = 8  # fewer files than this are analysed by one worker
FRESH_PROJECT_EVERY = 32  # files analysed with one project (and its parsed modules)


@dataclass(frozen=True)
class _Alone:
    """One file analysed on its own: its bytes, and each finding with the file it is in."""

    data: bytes
    display: str
    result: RunResult
    placed: list[tuple[Path, Finding]]


STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 60_000


def deep_stack(work: Callable[[], T]) -> T:
    """Run ``work`` on a thread with a large stack and recursion limit: libcst parses and
    prints recursively, and code such as a 400-term ``"a" + "a" + ...`` chain, which
    Python compiles happily, would otherwise exhaust the default limit."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # re-raised in the calling thread
            outcome["error"] = error

    previous_limit = sys.getrecursionlimit()
    previous_size = threading.stack_size(STACK_BYTES)
    sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
    try:
        thread = threading.Thread(target=target, name="ecolint")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous_size)
        sys.setrecursionlimit(previous_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


@dataclass
class Batch:
    """What analysing some files produced; picklable, so a worker process can return it."""

    drafts: list[Draft] = field(default_factory=list)
    used: Used = field(default_factory=lambda: defaultdict(set))
    judged: list[Judged] = field(default_factory=list)
    result: RunResult = field(default_factory=RunResult)

    def merge(self, other: Batch) -> None:
        self.drafts.extend(other.drafts)
        for key, codes in other.used.items():
            self.used[key] |= codes
        self.judged.extend(other.judged)
        self.result.findings.extend(other.result.findings)
        self.result.internal_errors.extend(other.result.internal_errors)
        self.result.fix_notes.extend(other.result.fix_notes)
        self.result.files_analysed += other.result.files_analysed


Work = list[tuple[SourceFile, bytes, list[Rule]]]


def run_batches(
    engine: Engine, files: list[Path], displays: dict[Path, str], work: Work, jobs: int
) -> list[Batch]:
    """Files go in small consecutive blocks to up to ``jobs`` forked workers (one worker for
    ``--jobs 1`` or a small run), each with its own project of every file of the run. A worker
    that crashes or runs out of its time or memory budget costs the file it was on (ECO001)
    and a new worker takes the rest of its block. Each file's piece is put back in file order,
    so the output is the same whatever the number of jobs. Without ``fork``, files are
    analysed in this process."""
    if not work:
        return []
    if "fork" not in get_all_start_methods():
        return [engine.analyse(files, displays, work)]
    workers = 1 if jobs <= 1 or len(work) < PARALLEL_MIN_FILES else jobs
    size = len(work) if workers == 1 else max(1, min(16, len(work) // (workers * 4)))
    blocks = [
        list(range(start, min(start + size, len(work)))) for start in range(0, len(work), size)
    ]

    import libcst  # noqa: F401  (imported once here, not again by each worker)

    registry()

    def analyse_block(indices: list[int]) -> Iterator[tuple[int, Batch]]:
        engine.progress = None  # the parent reports progress as pieces come back
        return engine.pieces(files, displays, work, indices)

    pieces: dict[int, Batch] = {}
    for index, outcome in supervise(blocks, workers, analyse_block, Budget.from_environment()):
        if isinstance(outcome, Failure):
            outcome = engine.failed(work[index][0], outcome)
        pieces[index] = outcome
        engine.advance(1)
    return [pieces[index] for index in range(len(work))]


class Engine:
    def __init__(
        self,
        settings: Settings,
        show_green: bool = False,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        cache: tuple[Path, str] | None = None,
    ) -> None:
        self.settings = settings
        self.show_green = show_green
        self.jobs = max(1, jobs)
        self.progress = progress  # told (files analysed, files to analyse) as it goes
        self.cache = cache  # (folder, settings key): results per file are kept there
        self.file_cache: FileCache | None = None
        self._done = self._total = 0
        self.lang = settings.lang or DEFAULT_LANG
        self.gpu = resolve_gpu(settings.gpu)
        rules = selected(all_rules(), settings.select, settings.ignore)
        self.rules = {rule.code: rule for rule in rules}
        self.prefilter = Prefilter(rules, settings.max_file_size)
        self._alone_cache: dict[Path, _Alone] = {}
        self._folders: dict[Path, dict[Path, bytes]] = {}
        self._pins: dict[Path, list[Draft]] = {}

    def run(self, paths: list[Path]) -> RunResult:
        return deep_stack(lambda: self._run(paths))

    def run_source(self, path: Path, text: str) -> RunResult:
        """Analyse one file from text the caller already holds (flake8's lines, an editor
        buffer) instead of reading it. Imports resolve to modules on disk, and the modules
        beside it that use its values are analysed with it, so it gets the findings
        ``ecolint check`` reports in it when scanning its folder. Only findings in this file
        are returned."""
        return deep_stack(lambda: self._run_source(path, text))

    def _run(self, paths: list[Path]) -> RunResult:
        discovery = discover(paths, self.settings.exclude, self.settings.root)
        result = RunResult(problems=list(discovery.problems), files_seen=len(discovery.files))
        work: list[tuple[SourceFile, bytes, list[Rule]]] = []
        for source in discovery.files:
            try:
                data = read_source(source.path, source.kind, self.settings.max_file_size)
            except SourceError as error:
                self._parse_error(result, source, error)
                continue
            active = self.prefilter.active(source.kind, data)
            if active:
                work.append((source, data, active))
        files = [source.path for source in discovery.files]
        displays = {source.path: source.display for source in discovery.files}
        self._done, self._total = 0, len(work)
        if self.cache is not None:
            self.file_cache = FileCache(*self.cache, files)
        batches = run_batches(self, files, displays, work, self.jobs)
        merged = Batch(result=result)
        for batch in batches:
            merged.merge(batch)
        drafts, used, judged = merged.drafts, merged.used, merged.judged
        drafts.sort(key=Draft.order)
        drafts = _unsilenced(stack_drift(drafts, self.rules, self.gpu), used)
        # Every other finding is in: only now can a suppression be judged unused.
        drafts.extend(self._unused_suppressions(judged, used, result))
        result.findings = _best([*result.findings, *(self._finding(d) for d in drafts)])
        return result

    def advance(self, files: int) -> None:
        if self.progress is not None:
            self._done += files
            self.progress(self._done, self._total)

    def analyse(
        self,
        files: list[Path],
        displays: dict[Path, str],
        work: list[tuple[SourceFile, bytes, list[Rule]]],
    ) -> Batch:
        """Analyse files that passed the prefilter, in this process, with a project of all the
        files of the run (imports are followed into any of them)."""
        batch = Batch()
        for _, piece in self.pieces(files, displays, work, range(len(work))):
            batch.merge(piece)
        return batch

    def pieces(
        self, files: list[Path], displays: dict[Path, str], work: Work, indices: Iterable[int]
    ) -> Iterator[tuple[int, Batch]]:
        """What analysing each file of ``work`` at ``indices`` produced, one file at a time."""
        for count, index in enumerate(indices):
            source, data, active = work[index]
            if count % FRESH_PROJECT_EVERY == 0:
                # Parsed modules are kept for the imports of the next files, not for the run:
                # a fresh project bounds memory (drafts hold no syntax tree).
                project = Project(files, displays, self.settings.max_file_size)
                context = self._context(project)
                checks: dict[str, Check] = {}
            self.advance(1)
            cache = self.file_cache
            piece = cache.get(source.path, data) if cache is not None else None
            if piece is None:
                project.read.clear()
                piece = Batch()
                units: list[ModuleInfo | Document] = []
                reports = self._scan(
                    source, project, context, checks, piece.result, units, data, None, active
                )
                piece.drafts = self._drafts(reports, piece, checks)
                piece.judged = [_judged(unit) for unit in units]
                if cache is not None and not piece.result.internal_errors:
                    cache.put(source.path, data, project.read, piece)
            yield index, piece

    def failed(self, source: SourceFile, failure: Failure) -> Batch:
        """The piece of a file whose worker did not survive it: ECO001 for a crash or a budget
        run out, an internal error for an exception in ecolint's own code."""
        piece = Batch()
        if failure.internal:
            error = InternalError(source.display, "analysis", failure.reason)
            piece.result.internal_errors.append(error)
        else:
            reason = SourceError(f"analysis stopped: {failure.reason}; the run went on")
            self._parse_error(piece.result, source, reason)
        return piece

    def _run_source(self, path: Path, text: str) -> RunResult:
        source = SourceFile(path, display_path(path), "python")
        own = self._alone(source, text.encode("utf-8", "surrogatepass"), text)
        result = RunResult(
            internal_errors=list(own.result.internal_errors),
            files_seen=1,
            files_analysed=own.result.files_analysed,
        )
        analyses = [own]
        if own.result.files_analysed and self._unchanged(path, text):
            for other, data in importers(path, self._beside(path.resolve().parent)):
                analyses.append(self._alone(SourceFile(other, display_path(other), "python"), data))
        here = path.resolve()
        result.findings = _best(
            finding
            for analysis in sorted(analyses, key=lambda analysis: analysis.display)
            for place, finding in analysis.placed
            if place == here
        )
        return result

    def _alone(self, source: SourceFile, data: bytes, text: str | None = None) -> _Alone:
        """One file analysed with its imports read from disk, remembered for the engine's
        lifetime (one run: files are not expected to change under it)."""
        key = source.path.resolve()
        cached = self._alone_cache.get(key)
        if cached is not None and cached.data == data:
            return cached
        project = Project(
            [source.path], {source.path: source.display}, self.settings.max_file_size, on_disk=True
        )
        batch = Batch()
        units: list[ModuleInfo | Document] = []
        context = self._context(project)
        checks: dict[str, Check] = {}
        reports = self._scan(source, project, context, checks, batch.result, units, data, text)
        drafts = self._drafts(reports, batch, checks)
        drafts = stack_drift([*drafts, *self._pins_above(source.path)], self.rules, self.gpu)
        drafts = _unsilenced(drafts, batch.used)
        judged = [_judged(unit) for unit in units]
        drafts.extend(self._unused_suppressions(judged, batch.used, batch.result))
        result = batch.result
        result.files_seen = 1
        placed = [(key, finding) for finding in result.findings]
        placed.extend((draft.file.resolve(), self._finding(draft)) for draft in drafts)
        analysis = _Alone(data, source.display, result, placed)
        self._alone_cache[key] = analysis
        return analysis

    def _pins_above(self, path: Path) -> list[Draft]:
        """ECO302's pins in the dependency files of the file's folder and the folders above it
        up to the configuration's: a file analysed alone gets the confidence ``ecolint check``
        gives it when the whole project is scanned."""
        if DRIFT_CODE not in self.rules:
            return []
        found: list[Draft] = []
        root = self.settings.root.resolve()
        folder = path.resolve().parent
        for current in (folder, *folder.parents):
            if current not in self._pins:
                self._pins[current] = self._folder_pins(current)
            found.extend(self._pins[current])
            if current == root:
                break
        return found

    def _folder_pins(self, folder: Path) -> list[Draft]:
        drafts: list[Draft] = []
        try:
            names = sorted(folder.iterdir())
        except OSError:
            return drafts
        for candidate in names:
            kind = source_kind(candidate)
            if kind in PYTHON_KINDS or kind in (None, "yaml") or not candidate.is_file():
                continue
            source = SourceFile(candidate, display_path(candidate), kind)
            project = Project([candidate], {candidate: source.display}, on_disk=True)
            scratch = Batch()
            scanned = self._scan(source, project, self._context(project), {}, scratch.result, [])
            pins = [report for report in scanned if report.code == DRIFT_CODE]
            drafts.extend(self._drafts(pins, scratch, {}))
        return drafts

    def _beside(self, folder: Path) -> dict[Path, bytes]:
        """The files of a folder that may be analysed as neighbours, read once per run."""
        if folder not in self._folders:
            limit = self.settings.max_file_size
            self._folders[folder] = relevant_files(folder, self._relevant, limit)
        return self._folders[folder]

    def _unchanged(self, path: Path, text: str) -> bool:
        """Whether ``text`` is what is on disk: the modules beside a file read it from disk,
        so their findings in it are only placed right when nobody is editing it."""
        limit = self.settings.max_file_size
        try:
            disk = decode_python(read_source(path, "python", limit), limit).text
            return disk.splitlines() == checked_text(text, limit).splitlines()
        except (OSError, SourceError):
            return False

    def _context(self, project: Project) -> CheckContext:
        return CheckContext(
            project, Resolver(project), self.gpu, self.settings.models, (self.settings.root,)
        )

    def _relevant(self, data: bytes) -> bool:
        return any(self.prefilter.triggered(rule, "python", data) for rule in self.prefilter.rules)

    def _unused_suppressions(
        self, judged: list[Judged], used: Used, result: RunResult
    ) -> list[Draft]:
        """``# noqa: ECOxxx`` codes that silenced nothing in this run (codes of rules not
        selected cannot be judged and are left alone)."""
        rule = self.rules.get(UNUSED_SUPPRESSION)
        if rule is None:
            return []
        known = all_rules()
        drafts: list[Draft] = []
        for unit in judged:
            for directive, spot in unit.directives:
                silenced = used.get((unit.file, directive.line), set())
                unknown = [c for c in directive.codes if not any(k.startswith(c) for k in known)]
                unused = [
                    code
                    for code in directive.codes
                    if code not in unknown
                    and code != UNUSED_SUPPRESSION
                    and any(rule.startswith(code) for rule in self.rules)
                    and not any(hit.startswith(code) for hit in silenced)
                ]
                if not (unknown or unused) or spot.silenced:
                    continue
                edits = self._unused_codes_edits(unit, directive, (*unknown, *unused), result)
                for key, codes in (("unknown", unknown), ("default", unused)):
                    if codes:
                        params = {"codes": ", ".join(codes)}
                        draft = replace(
                            spot.draft, mood=rule.mood, params=params, message_key=key, edits=edits
                        )
                        drafts.append(draft)
        return drafts

    def _unused_codes_edits(
        self, unit: Judged, directive: Directive, codes: tuple[str, ...], result: RunResult
    ) -> tuple[Replacement, ...]:
        """The comment without ``codes``; the file is read again (rare: stale suppressions)."""
        if not self.rules[UNUSED_SUPPRESSION].fixable:
            return ()
        try:
            if unit.kind in PYTHON_KINDS:
                project = Project([unit.file], {unit.file: unit.display}, on_disk=True)
                loaded: ModuleInfo | Document = project.load(unit.file)
            else:
                limit = self.settings.max_file_size
                text = decode_text(read_source(unit.file, unit.kind, limit), limit)
                loaded = Document(unit.file, unit.display, unit.kind, text)
            return unused_codes_fix(loaded, directive, codes)
        except (OSError, SourceError, FixError) as error:
            result.fix_notes.append(f"no fix for {UNUSED_SUPPRESSION} at {unit.display}: {error}")
            return ()

    def _edits(
        self, report: Report, check: Check | None, place: Place, result: RunResult
    ) -> tuple[Replacement, ...]:
        """The rule's mechanical fix, as replacements in the files it changes."""
        rule = self.rules[report.code]
        if check is None or not rule.fixable or (report.mood or rule.mood) == "green":
            return ()
        try:
            fix = check.fix(report)
            return replacements(fix) if fix is not None else ()
        except FixError as error:
            result.fix_notes.append(
                f"no fix for {report.code} at {place.display}:{place.line}:{place.column}: {error}"
            )
        except Exception as error:
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            result.internal_errors.append(
                InternalError(place.display, report.code, f"while building its fix: {detail}")
            )
        return ()

    def _drafts(self, reports: list[Report], batch: Batch, checks: dict[str, Check]) -> list[Draft]:
        """Reports resolved to where they land; per-file-ignored ones are dropped, suppressed
        ones marked (they still count for stack drift; ``_unsilenced`` drops them)."""
        drafts = []
        for report in reports:
            if not self._shown(report):
                continue
            rule = self.rules[report.code]
            check = checks.get(report.code)
            if not allowed(report, rule, self.settings, check.resolver if check else None):
                continue
            place = locate(report.site)
            if self._ignored_for(place.file, rule.code):
                continue
            edits = self._edits(report, check, place, batch.result)
            draft = _draft(report, report.mood or rule.mood, place, edits)
            if place.suppressed(rule.code):
                draft = replace(draft, silenced_at=(place.file, place.comment_line))
            drafts.append(draft)
        return drafts

    def _scan(
        self,
        source: SourceFile,
        project: Project,
        context: CheckContext,
        checks: dict[str, Check],
        result: RunResult,
        judged: list[ModuleInfo | Document],
        data: bytes | None = None,
        text: str | None = None,
        active: list[Rule] | None = None,
    ) -> list[Report]:
        if data is None:
            try:
                data = read_source(source.path, source.kind, self.settings.max_file_size)
            except SourceError as error:
                self._parse_error(result, source, error)
                return []
        if active is None:
            active = self.prefilter.active(source.kind, data)
        if not active:
            return []
        try:
            unit = self._load(source, project, data, text)
        except SourceError as error:
            self._parse_error(result, source, error)
            return []
        result.files_analysed += 1
        if isinstance(unit, ModuleInfo) and unit.notebook is not None:
            self._broken_cells(result, source, unit)
        reports: list[Report] = []
        for rule in active:
            if rule.code == UNUSED_SUPPRESSION:
                judged.append(unit)
                continue
            check = checks.get(rule.code)
            if check is None:
                check = checks[rule.code] = registry()[rule.code](context)
            try:
                if isinstance(unit, ModuleInfo):
                    reports.extend(check.run(unit))
                else:
                    reports.extend(check.run_document(unit))
            except SourceError as error:
                self._parse_error(result, source, error)
            except Exception as error:
                detail = "".join(traceback.format_exception_only(type(error), error)).strip()
                result.internal_errors.append(InternalError(source.display, rule.code, detail))
        return reports

    def _load(
        self, source: SourceFile, project: Project, data: bytes, text: str | None
    ) -> ModuleInfo | Document:
        if source.kind in PYTHON_KINDS:
            return project.load(source.path, data, text)
        text = decode_text(data, self.settings.max_file_size)
        return Document(source.path, source.display, source.kind, text)

    def _broken_cells(self, result: RunResult, source: SourceFile, module: ModuleInfo) -> None:
        """A notebook cell that does not parse is left out; the others are still analysed."""
        notebook = module.notebook
        assert notebook is not None
        for cell in notebook.broken_cells:
            where = notebook.source_map.locate(cell.first_line, 0)
            error = SourceError(f"cell {cell.index}: {cell.reason}", where.line, where.column)
            self._parse_error(result, source, error, cell=(cell.index, 1))

    def _parse_error(
        self,
        result: RunResult,
        source: SourceFile,
        error: SourceError,
        cell: tuple[int, int] | None = None,
    ) -> None:
        rule = self.rules.get(PARSE_ERROR)
        if rule is None or self._ignored_for(source.path, PARSE_ERROR):
            return
        result.findings.append(
            Finding(
                code=rule.code,
                name=rule.name,
                mood=rule.mood,
                path=source.display,
                line=error.line,
                column=error.column,
                end_line=error.line,
                end_column=error.column,
                message=rule.message("default", {"reason": error.message}, self.lang),
                fix={"summary": rule.fix_text(self.lang)},
                cell=cell[0] if cell else None,
                cell_line=cell[1] if cell else None,
                cell_column=1 if cell else None,
            )
        )

    def _ignored_for(self, path: Path, code: str) -> bool:
        """``per-file-ignores`` globs match paths relative to the configuration's folder."""
        try:
            relative = path.resolve().relative_to(self.settings.root.resolve()).as_posix()
        except ValueError:
            relative = path.as_posix()
        for pattern, codes in self.settings.per_file_ignores.items():
            matches = fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern)
            if matches and any(code.startswith(prefix) for prefix in codes):
                return True
        return False

    def _shown(self, report: Report) -> bool:
        """Savings are reported only when asked for (``--show-green``)."""
        return self.show_green or (report.mood or self.rules[report.code].mood) != "green"

    def _finding(self, draft: Draft) -> Finding:
        rule = self.rules[draft.code]
        evidence = draft.evidence
        lang = self.lang
        return Finding(
            code=rule.code,
            name=rule.name,
            mood=draft.mood,
            path=draft.display,
            line=draft.line,
            column=draft.column,
            end_line=draft.end_line,
            end_column=draft.end_column,
            cell=draft.cell,
            cell_line=draft.cell_line,
            cell_column=draft.cell_column,
            fingerprint=draft.fingerprint,
            message=rule.message(draft.message_key, draft.params, lang),
            evidence=self._evidence(evidence) if evidence else None,
            fix=None
            if draft.mood == "green"
            else {
                "summary": rule.fix_text(lang),
                "safety": rule.fix.get("safety", "none"),
                "snippets": rule.fix.get("snippets", {}),
            },
            headline=evidence.headline(lang) if evidence else "",
            stars=evidence.stars if evidence else 0,
            edits=draft.edits,
        )

    def _evidence(self, evidence: Evidence) -> dict[str, Any]:
        """The evidence of a finding, with its monthly cost when a workload is configured."""
        cost = None
        if self.settings.workload.has_volume:
            from ecolint.evidence.cost import finding_cost

            cost = finding_cost(evidence, self.settings.workload, self.gpu, self.lang)
        return {**evidence.as_dict(), "headline": evidence.headline(self.lang), "cost": cost}


def _draft(report: Report, mood: str, place: Place, edits: tuple[Replacement, ...]) -> Draft:
    return Draft(
        code=report.code,
        mood=mood,
        file=place.file,
        display=place.display,
        line=place.line,
        column=place.column,
        end_line=place.end_line,
        end_column=place.end_column,
        cell=place.cell,
        cell_line=place.cell_line,
        cell_column=place.cell_column,
        fingerprint=fingerprint(report.code, place.code_text),
        params=report.params,
        message_key=report.message_key,
        evidence=report.evidence,
        subject=report.subject if report.code == DRIFT_CODE else None,
        edits=edits,
    )


def _unsilenced(drafts: list[Draft], used: Used) -> list[Draft]:
    """Drop the drafts a suppression comment silences, recording that the comment is used."""
    kept = []
    for draft in drafts:
        if draft.silenced_at is None:
            kept.append(draft)
        else:
            used[draft.silenced_at].add(draft.code)
    return kept


@dataclass(frozen=True)
class Spot:
    """Where an ECO002 finding on one suppression comment would land, resolved while the file
    is at hand; ``silenced``: the comment suppresses ECO002 itself."""

    draft: Draft
    silenced: bool


@dataclass(frozen=True)
class Judged:
    """A file whose suppression comments ECO002 judges once the whole run is in."""

    file: Path
    display: str
    kind: str
    directives: tuple[tuple[Directive, Spot], ...]


def _judged(unit: ModuleInfo | Document) -> Judged:
    is_module = isinstance(unit, ModuleInfo)
    found = python_directives(unit.text) if is_module else text_directives(unit.text)
    spots = []
    for directive in found:
        line, start, end = directive.line, directive.column, directive.end_column
        site: LineSpan | TextSpan
        if isinstance(unit, ModuleInfo):
            site = LineSpan(unit, line, start, end, unit.text.splitlines()[line - 1])
        else:
            site = TextSpan(unit, line, start + 1, line, end + 1)
        place = locate(site)
        report = Report(UNUSED_SUPPRESSION, site)
        spot = Spot(_draft(report, "", place, ()), place.suppressed(UNUSED_SUPPRESSION))
        spots.append((directive, spot))
    kind = "python" if is_module else unit.kind
    return Judged(unit.path, unit.display, kind, tuple(spots))


def _best(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per site and code (the first of equals wins), sorted."""
    best: dict[tuple[str, str, int, int], Finding] = {}
    for finding in findings:
        key = (finding.code, finding.path, finding.line, finding.column)
        if key not in best or _preference(finding) > _preference(best[key]):
            best[key] = finding
    return sorted(best.values(), key=Finding.sort_key)


def _preference(finding: Finding) -> tuple[bool, int, bool]:
    """One finding per site: a penalty beats a saving at the same spot, then confidence, then
    evidence that knows the model (the loading call was seen)."""
    evidence = finding.evidence or {}
    return (finding.mood != "green", finding.stars, evidence.get("model_id") is not None)
