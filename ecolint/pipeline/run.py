"""The one entry to the pipeline: a run over paths for ``ecolint check``, and one file from
text the caller holds for the flake8 plugin and an editor. Both go through the same stages
(``plan`` → ``scan`` → ``drafts`` → ``passes``); only which files are read differs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ecolint.analysis.parsed_files import ParsedFiles
from ecolint.analysis.project import DiskPaths, Project
from ecolint.checks.base import registry
from ecolint.config import Settings
from ecolint.findings.model import Draft, Finding
from ecolint.pipeline.deep_stack import deep_stack
from ecolint.pipeline.drafts import Batch, Drafter
from ecolint.pipeline.parallel import run_batches
from ecolint.pipeline.passes import best, finding, findings, run_wide
from ecolint.pipeline.plan import PYTHON_KINDS, ScanPlan
from ecolint.pipeline.scan import Analyser, Scanner, collector_off
from ecolint.pipeline.setup import Setup
from ecolint.pipeline.shared_analyses import SharedAnalyses
from ecolint.results import RunResult
from ecolint.sources.discovery import SourceFile, display_path, source_kind
from ecolint.sources.neighbours import Neighbours, importers, relevant_files
from ecolint.sources.python import SourceError, checked_text, decode_python
from ecolint.sources.safe_read import read_source

# Folders whose files a pipeline keeps for their modules' neighbours: flake8 hands a folder's
# files over one after another, and the word sets of every folder of a library, kept, are
# walked by each full pass of the cycle collector (56 ms a pass, 40 MB, on transformers).
FOLDERS_KEPT = 4


@dataclass(unsafe_hash=True)
class _Alone:
    """One file analysed on its own: its bytes, and each finding with the file it is in.
    ``imports``: the bytes of the modules it read from disk, when the pipeline keeps them."""

    data: bytes
    display: str
    result: RunResult
    placed: list[tuple[Path, Finding]]
    imports: dict[Path, bytes]


class Pipeline:
    """``cache``: (folder, settings key) where results per file are kept between runs.
    ``parsed``: where the modules the files analysed alone import are kept parsed for the
    pipeline's life (an editor's server, analysing one buffer at each keystroke; a flake8
    worker, handed one file of a library after another).
    ``edits``: findings carry their fix edits (``Setup.edits``).
    ``shared``: where the files analysed alone are shared with the other processes of a
    flake8 run."""

    def __init__(
        self,
        settings: Settings,
        show_green: bool = False,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        cache: tuple[Path, str] | None = None,
        parsed: ParsedFiles | None = None,
        edits: bool = False,
        shared: SharedAnalyses | None = None,
    ) -> None:
        self.settings = settings
        self.setup = Setup.of(settings, show_green, edits)
        self.jobs = max(1, jobs)
        self.progress = progress
        self.cache = cache
        self._alone_memo: dict[Path, _Alone] = {}
        self._folders: dict[Path, Neighbours] = {}
        self._context: dict[Path, list[Draft]] = {}
        self.parsed = parsed
        self.shared = shared
        self._disk = DiskPaths()  # shared by the projects of the files analysed alone

    def run(self, paths: list[Path]) -> RunResult:
        return self.run_plan(ScanPlan.build(paths, self.settings, self.setup.prefilter))

    def run_plan(self, plan: ScanPlan) -> RunResult:
        return deep_stack(lambda: self._run(plan))

    def run_source(self, path: Path, text: str | bytes, kind: str = "python") -> RunResult:
        """Analyse one file from what the caller already holds (flake8's lines, an editor
        buffer, standard input: bytes are decoded as the file would be) instead of reading
        it. ``kind`` is the file kind ``path`` has (a notebook's JSON, a requirement list).
        Imports resolve to modules on disk, and the modules beside it that use its values
        are analysed with it, so it gets the findings ``ecolint check`` reports in it when
        scanning its folder. Only findings in this file are returned."""
        with collector_off():  # as in a run's workers
            return deep_stack(lambda: self._run_source(path, text, kind))

    def prepare(self, path: Path) -> None:
        """Read what every analysis of ``path`` shares whatever its text holds: the dependency
        files of the folders above and the modules beside it (an editor's server does it once,
        in its own process, before each analysis it may have to kill)."""
        self._context_above(path)
        self._beside(path.resolve().parent)

    def forget(self, path: Path) -> None:
        """``path`` changed on disk (an editor's server keeps one pipeline while files are
        saved): its folder is read again, and every remembered analysis is dropped, since any
        of them may have imported it."""
        folder = path.resolve().parent
        self._alone_memo.clear()
        self._disk.clear()  # a file may have been created, deleted or moved
        if self.parsed is not None:
            self.parsed.clear()
        self._folders.pop(folder, None)
        self._context.pop(folder, None)

    def _run(self, plan: ScanPlan) -> RunResult:
        result = RunResult(problems=list(plan.problems), files_seen=len(plan.files))
        merged = Batch(result=result)
        drafter = Drafter(self.setup)
        for source, error in plan.unread:
            merged.merge(drafter.not_analysed(source, error))
        file_cache = None
        if self.cache is not None:
            from ecolint.cache import FileCache

            folder, salt = self.cache
            files = {source.real: source.display for source in plan.files}
            home = self.settings.root
            file_cache = FileCache(folder, salt, files, Batch, home, plan.digests)
        registry()  # the checks are imported once here, not again by each worker
        analyser = Analyser(self.setup, plan, file_cache, self.progress)
        probed = analyser.probed()
        missing = [index for index in range(len(analyser)) if index not in probed]
        pieces: dict[int, Batch] = {}

        def rebuild_hits() -> None:  # while the workers analyse the misses
            pieces.update(analyser.rebuilt(probed))

        pieces.update(run_batches(analyser, missing, self.jobs, rebuild_hits))
        broken = [index for index in probed if index not in pieces]
        pieces.update(run_batches(analyser, broken, self.jobs))
        for index in range(len(analyser)):
            merged.merge(pieces[index])
        drafts, notes = run_wide(merged.drafts, self.setup)
        result.fix_notes.extend(notes)
        result.findings = findings(drafts, self.setup)
        return result

    def _run_source(self, path: Path, text: str | bytes, kind: str) -> RunResult:
        source = SourceFile(path, display_path(path), kind, path.resolve())
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
        held = text if isinstance(text, str) and kind == "python" else None  # else: read as bytes
        own = self._alone(source, data, held)
        result = RunResult(
            internal_errors=list(own.result.internal_errors),
            files_seen=1,
            files_analysed=own.result.files_analysed,
        )
        analyses = [own]
        if kind == "python" and own.result.files_analysed and self._unchanged(path, data, held):
            for other, data in importers(path, self._beside(path.resolve().parent)):
                neighbour = SourceFile(other, display_path(other), "python", other.resolve())
                analyses.append(self._alone(neighbour, data))
        here = path.resolve()
        result.findings = best(
            found
            for analysis in sorted(analyses, key=lambda analysis: analysis.display)
            for place, found in analysis.placed
            if place == here
        )
        return result

    def _alone(self, source: SourceFile, data: bytes, text: str | None = None) -> _Alone:
        """One file analysed with its imports read from disk and the dependency files of its
        folders (their pins apply to it), remembered for the pipeline's lifetime (one run:
        files are not expected to change under it; a pipeline that keeps parsed modules lives
        longer and checks the bytes of its imports again)."""
        key = source.real
        cached = self._alone_memo.get(key)
        if cached is not None and cached.data == data and self._unchanged_imports(cached):
            return cached
        if self.shared is not None:
            found = _shared_alone(self.shared.get(key, data), data)
            if found is not None:
                self._alone_memo[key] = found
                return found
        batch = Batch()
        read: set[Path] = set()
        active = self.setup.prefilter.active(source.kind, data)
        if active:
            limit = self.settings.max_file_size
            displays = {source.path: source.display}
            project = Project(
                [source.path], displays, limit, on_disk=True, parsed=self.parsed, disk=self._disk
            )
            scanner = Scanner(self.setup, project)
            batch = scanner.scan(source, data, active, text)
            read = project.reads.modules - {key}
            scanner.release()
        context = [d for d in self._context_above(source.path) if d.file.resolve() != key]
        drafts, notes = run_wide([*batch.drafts, *context], self.setup)
        result = batch.result
        result.files_seen = 1
        result.fix_notes.extend(notes)
        placed = [(draft.file.resolve(), finding(draft, self.setup)) for draft in drafts]
        imports = {} if self.parsed is None else self.parsed.bytes_of(read)
        analysis = _Alone(data, source.display, result, placed, imports)
        self._alone_memo[key] = analysis
        if self.shared is not None:
            self.shared.put(key, data, (analysis.display, result, placed))
        return analysis

    def _unchanged_imports(self, analysis: _Alone) -> bool:
        """Whether the modules it read still hold the same bytes: an editor's pipeline lives
        while files change on disk, not all of them saved in the editor."""
        limit = self.settings.max_file_size
        for path, data in analysis.imports.items():
            try:
                if read_source(path, source_kind(path) or "python", limit) != data:
                    return False
            except SourceError:
                return False
        return True

    def _context_above(self, path: Path) -> list[Draft]:
        """The drafts of the dependency files in the file's folder and the folders above it up
        to the configuration's: a file analysed alone gets the confidence ``ecolint check``
        gives it when the whole project is scanned."""
        found: list[Draft] = []
        root = self.settings.root.resolve()
        folder = path.resolve().parent
        for current in (folder, *folder.parents):
            if current not in self._context:
                self._context[current] = self._folder_drafts(current)
            found.extend(self._context[current])
            if current == root:
                break
        return found

    def _folder_drafts(self, folder: Path) -> list[Draft]:
        drafts: list[Draft] = []
        try:
            names = sorted(folder.iterdir())
        except OSError:
            return drafts
        limit = self.settings.max_file_size
        for candidate in names:
            kind = source_kind(candidate)
            if kind in PYTHON_KINDS or kind in (None, "yaml") or not candidate.is_file():
                continue
            source = SourceFile(candidate, display_path(candidate), kind, candidate.resolve())
            try:
                data = read_source(candidate, kind, limit)
            except SourceError:
                continue
            active = self.setup.prefilter.active(kind, data)
            if active:
                project = Project([candidate], {candidate: source.display}, limit, on_disk=True)
                drafts.extend(Scanner(self.setup, project).scan(source, data, active).drafts)
        return drafts

    def _beside(self, folder: Path) -> Neighbours:
        """The files of a folder that may be analysed as neighbours, read once while the
        files of the folder are analysed (``FOLDERS_KEPT``: the latest used)."""
        found = self._folders.pop(folder, None)
        if found is None:
            found = relevant_files(folder, self._relevant, self.settings.max_file_size)
        self._folders[folder] = found
        while len(self._folders) > FOLDERS_KEPT:
            del self._folders[next(iter(self._folders))]
        return found

    def _unchanged(self, path: Path, data: bytes, held: str | None) -> bool:
        """Whether ``data`` (``held``, when the caller decoded it) is what is on disk: the
        modules beside a file read it from disk, so their findings in it are only placed right
        when nobody is editing it."""
        limit = self.settings.max_file_size
        try:
            disk = decode_python(read_source(path, "python", limit), limit).text
            text = held if held is not None else decode_python(data, limit).text
            return disk.splitlines() == checked_text(text, limit).splitlines()
        except (OSError, SourceError):
            return False

    def _relevant(self, data: bytes) -> bool:
        return self.setup.prefilter.any_triggered("python", data)


def _shared_alone(value: object, data: bytes) -> _Alone | None:
    """The analysis another process of this run shared (``SharedAnalyses``: the cache's
    codec rebuilt and checked its result and findings). Its imports are not kept: the
    processes of one flake8 run share one tree."""
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    display, result, placed = value
    return _Alone(data, display, result, placed, {})
