"""sources → analysis → checks → evidence → findings.

Files whose bytes contain none of a selected rule's trigger words are never parsed. Each
remaining file is parsed once (the Project caches it for cross-module look-ups too), every
active check runs over its index, and the reports become findings with positions, messages
and evidence. Nothing from the scanned code is imported or executed.
"""

from __future__ import annotations

import fnmatch
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ecolint.analysis.project import Project
from ecolint.analysis.resolver import Resolver
from ecolint.checks.base import Check, CheckContext, registry
from ecolint.config import Settings
from ecolint.evidence.gpus import resolve_gpu
from ecolint.findings import Finding, Report
from ecolint.rules import FAILING_MOODS, Rule, all_rules, selected
from ecolint.sources.discovery import SourceFile, discover, display_path
from ecolint.sources.neighbours import importers, relevant_files
from ecolint.sources.python import SourceError, checked_text, decode_python
from ecolint.suppression import is_suppressed

PARSE_ERROR = "ECO001"
T = TypeVar("T")


@dataclass(frozen=True)
class InternalError:
    path: str
    code: str
    message: str


@dataclass(frozen=True)
class _Alone:
    """One file analysed on its own: its bytes, and each finding with the file it is in."""

    data: bytes
    display: str
    result: RunResult
    placed: list[tuple[Path, Finding]]


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    internal_errors: list[InternalError] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    files_seen: int = 0
    files_analysed: int = 0

    @property
    def failing(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.mood in FAILING_MOODS]


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


def trigger_pattern(rule: Rule) -> re.Pattern[bytes]:
    return re.compile(b"|".join(re.escape(word.encode()) for word in rule.triggers))


class Engine:
    def __init__(self, settings: Settings, show_green: bool = False) -> None:
        self.settings = settings
        self.show_green = show_green
        self.gpu = resolve_gpu(settings.gpu)
        rules = selected(all_rules(), settings.select, settings.ignore)
        self.rules = {rule.code: rule for rule in rules}
        self.check_rules = [(rule, trigger_pattern(rule)) for rule in rules if rule.triggers]
        self._alone_cache: dict[Path, _Alone] = {}
        self._folders: dict[Path, dict[Path, bytes]] = {}

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
        project = Project(
            [source.path for source in discovery.files],
            {source.path: source.display for source in discovery.files},
            self.settings.max_file_size,
        )
        context = self._context(project)
        checks: dict[str, Check] = {}
        reports: list[Report] = []
        for source in discovery.files:
            reports.extend(self._scan(source, project, context, checks, result))
        self._collect(result, reports)
        return result

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
        result = RunResult(files_seen=1)
        reports = self._scan(source, project, self._context(project), {}, result, data, text)
        placed = [(key, finding) for finding in result.findings]
        for report in reports:
            finding = self._finding(report)
            if finding is not None:
                placed.append((report.site.module.path, finding))
        analysis = _Alone(data, source.display, result, placed)
        self._alone_cache[key] = analysis
        return analysis

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
            disk = decode_python(path.read_bytes(), limit).text
            return disk.splitlines() == checked_text(text, limit).splitlines()
        except (OSError, SourceError):
            return False

    def _context(self, project: Project) -> CheckContext:
        return CheckContext(
            project, Resolver(project), self.gpu, self.settings.models, (self.settings.root,)
        )

    def _relevant(self, data: bytes) -> bool:
        return any(pattern.search(data) for _, pattern in self.check_rules)

    def _collect(self, result: RunResult, reports: list[Report]) -> None:
        """Reports become findings, one per site and code, sorted."""
        found = (self._finding(report) for report in reports)
        result.findings = _best([*result.findings, *(f for f in found if f is not None)])

    def _scan(
        self,
        source: SourceFile,
        project: Project,
        context: CheckContext,
        checks: dict[str, Check],
        result: RunResult,
        data: bytes | None = None,
        text: str | None = None,
    ) -> list[Report]:
        if data is None:
            try:
                data = source.path.read_bytes()
            except OSError as error:
                self._parse_error(
                    result, source, SourceError(f"cannot read file: {error.strerror}")
                )
                return []
        active = [rule for rule, pattern in self.check_rules if pattern.search(data)]
        if not active:
            return []
        try:
            module = project.load(source.path, data, text)
        except SourceError as error:
            self._parse_error(result, source, error)
            return []
        result.files_analysed += 1
        reports: list[Report] = []
        for rule in active:
            check = checks.get(rule.code)
            if check is None:
                check = checks[rule.code] = registry()[rule.code](context)
            try:
                reports.extend(check.run(module))
            except Exception as error:
                detail = "".join(traceback.format_exception_only(type(error), error)).strip()
                result.internal_errors.append(InternalError(source.display, rule.code, detail))
        return reports

    def _parse_error(self, result: RunResult, source: SourceFile, error: SourceError) -> None:
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
                message=rule.message("default", {"reason": error.message}),
                fix={"summary": rule.fix_summary},
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

    def _finding(self, report: Report) -> Finding | None:
        rule = self.rules[report.code]
        mood = report.mood or rule.mood
        if mood == "green" and not self.show_green:
            return None
        module = report.site.module
        position = module.position(report.site.node)
        line = position.start.line
        if is_suppressed(module.text, line, rule.code):
            return None
        if self._ignored_for(module.path, rule.code):
            return None
        evidence = report.evidence
        return Finding(
            code=rule.code,
            name=rule.name,
            mood=mood,
            path=module.display,
            line=line,
            column=position.start.column + 1,
            end_line=position.end.line,
            end_column=position.end.column + 1,
            message=rule.message(report.message_key, report.params),
            evidence={**evidence.as_dict(), "headline": evidence.headline()} if evidence else None,
            fix=None
            if mood == "green"
            else {
                "summary": rule.fix_summary,
                "safety": rule.fix.get("safety", "none"),
                "snippets": rule.fix.get("snippets", {}),
            },
            headline=evidence.headline() if evidence else "",
            stars=evidence.stars if evidence else 0,
        )


def _best(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per site and code (the first of equals wins), sorted."""
    best: dict[tuple[str, str, int, int], Finding] = {}
    for finding in findings:
        key = (finding.code, finding.path, finding.line, finding.column)
        if key not in best or _preference(finding) > _preference(best[key]):
            best[key] = finding
    return sorted(best.values(), key=Finding.sort_key)


def _preference(finding: Finding) -> tuple[bool, int]:
    """One finding per site: a penalty beats a saving at the same spot, then confidence."""
    return (finding.mood != "green", finding.stars)
