"""Reports become drafts: placed where the user sees them, fingerprinted, with their rule's
fix built while the syntax tree is at hand (when the run asks for edits), and marked when a
suppression comment silences them (they still count for run-wide hooks; the last pass drops
them)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ecolint.analysis.roles import allowed
from ecolint.checks.base import Check
from ecolint.findings.locations import Place, locate
from ecolint.findings.model import Draft, FileSpot, Replacement, Report, fingerprint
from ecolint.fixes.edits import FixError
from ecolint.fixes.files import replacements
from ecolint.pipeline.setup import Setup
from ecolint.results import InternalError, RunResult
from ecolint.sources.discovery import SourceFile
from ecolint.sources.python import SourceError


@dataclass
class Batch:
    """What analysing some files produced; picklable, so a worker process can return it.
    Findings are made only from the whole run's drafts, so ``result`` holds the counts, the
    internal errors and the notes of fixes not built."""

    drafts: list[Draft] = field(default_factory=list)
    result: RunResult = field(default_factory=RunResult)

    def merge(self, other: Batch) -> None:
        self.drafts.extend(other.drafts)
        self.result.internal_errors.extend(other.result.internal_errors)
        self.result.fix_notes.extend(other.result.fix_notes)
        self.result.files_analysed += other.result.files_analysed


class Drafter:
    def __init__(self, setup: Setup) -> None:
        self.setup = setup

    def drafts(self, reports: Iterable[Report], checks: Mapping[str, Check]) -> Batch:
        """Reports of shown moods resolved to where they land; per-file-ignored ones dropped."""
        batch = Batch()
        rules = self.setup.rules
        for report in reports:
            rule = rules[report.code]
            mood = report.mood or rule.mood
            if mood == "green" and not self.setup.show_green:
                continue  # savings are reported only when asked for (``--show-green``)
            check = checks.get(report.code)
            resolver = check.resolver if check is not None else None
            if not allowed(report.site, rule, self.setup.settings, resolver):
                continue  # code of a role the rule does not report (tests, library options)
            place = locate(report.site)
            if self.ignored_for(place.file, rule.code):
                continue
            edits: tuple[Replacement, ...] = ()
            autofix = False
            if rule.fixable and mood != "green" and check is not None:
                autofix = check.fixable(report)
                if autofix and self.setup.edits:
                    edits, problem = self._edits(report, check, place)
                    autofix = bool(edits)
                    if isinstance(problem, InternalError):
                        batch.result.internal_errors.append(problem)
                    elif problem:
                        batch.result.fix_notes.append(problem)
            check_class = self.setup.check_class(report.code)
            keep = check_class is not None and check_class.has_finish()
            draft = Draft(
                code=report.code,
                mood=mood,
                **place.position(),
                # a file that was not analysed has no code to fingerprint
                fingerprint=""
                if isinstance(report.site, FileSpot)
                else fingerprint(report.code, place.code_text),
                params=report.params,
                message_key=report.message_key,
                evidence=report.evidence,
                subject=report.subject if keep else None,
                edits=edits,
                autofix=autofix,
                silenced_at=(place.file, place.comment_line)
                if not rule.about_the_run and place.suppressed(rule.code)
                else None,
            )
            batch.drafts.append(draft)
        return batch

    def not_analysed(
        self, source: SourceFile, error: SourceError, cell: int | None = None
    ) -> Batch:
        """The drafts the selected rules make of a file (or notebook cell) not analysed."""
        spot = FileSpot(source.path, source.display, error.line, error.column, cell)
        return self.drafts(self.setup.not_analysed(spot, error.message), {})

    def ignored_for(self, path: Path, code: str) -> bool:
        """``per-file-ignores`` globs match paths relative to the configuration's folder."""
        settings = self.setup.settings
        try:
            relative = path.resolve().relative_to(settings.root.resolve()).as_posix()
        except ValueError:
            relative = path.as_posix()
        for pattern, codes in settings.per_file_ignores.items():
            matches = fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern)
            if matches and any(code.startswith(prefix) for prefix in codes):
                return True
        return False

    def _edits(
        self, report: Report, check: Check, place: Place
    ) -> tuple[tuple[Replacement, ...], str | InternalError]:
        """The rule's mechanical fix as replacements in the files it changes, and why there is
        none when building it failed (a note, or an internal error: a bug in the fix)."""
        try:
            fix = check.fix(report)
            return (replacements(fix) if fix is not None else ()), ""
        except FixError as error:
            where = f"{place.display}:{place.line}:{place.column}"
            return (), f"no fix for {report.code} at {where}: {error}"
        except Exception as error:
            import traceback  # only for an error: most runs have none

            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            message = f"while building its fix: {detail}"
            return (), InternalError(place.display, report.code, message)
