"""Choosing and applying a run's fixes (``--fix``, ``--unsafe-fixes``, ``--diff``).

Fixes are applied to each file in one pass: a fix whose edits overlap an edit already chosen
is left for a later run, and edits that several findings share (the dict or constant they all
flow from) are made once. Each file must parse with all its fixes before it is written; when
it would not, the fixes that do not parse on their own are dropped (each is parsed alone only
then, so a clean run parses each changed file once).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ecolint.findings.model import Finding, Replacement
from ecolint.fixes.edits import FixError
from ecolint.fixes.files import SourceText
from ecolint.safe_write import Tree, WriteError
from ecolint.sources.python import SourceError


@dataclass
class FileChange:
    source: SourceText
    display: str
    after: str


@dataclass
class Plan:
    changes: list[FileChange] = field(default_factory=list)
    applied: list[Finding] = field(default_factory=list)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)
    hidden: int = 0  # unsafe fixes left out because --unsafe-fixes was not given

    def notes(self) -> list[str]:
        return [
            f"fix for {finding.code} at {finding.path}:{finding.line}:{finding.column}"
            f" not applied: {reason}"
            for finding, reason in self.skipped
        ]


def plan(
    findings: Sequence[Finding], unsafe: bool, held: dict[Path, SourceText] | None = None
) -> Plan:
    """``held``: texts of files to fix as the caller holds them (standard input, a buffer),
    instead of reading them from disk."""
    result = Plan()
    sources: dict[Path, SourceText] = dict(held or {})
    chosen: dict[Path, list[Replacement]] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        if not finding.edits:
            continue
        if finding.safety == "unsafe" and not unsafe:
            result.hidden += 1
            continue
        reason = _conflict(finding, sources, chosen)
        if reason is not None:
            result.skipped.append((finding, reason))
            continue
        _choose(chosen, finding)
        result.applied.append(finding)
    while True:
        broken = _first_broken(sources, chosen)
        if broken is None:
            break
        _drop(result, sources, *broken)
        chosen = {}
        for finding in result.applied:
            _choose(chosen, finding)
    for file, edits in chosen.items():
        source = sources[file]
        result.changes.append(FileChange(source, edits[0].path, source.apply(edits)))
    return result


def _choose(chosen: dict[Path, list[Replacement]], finding: Finding) -> None:
    for edit in finding.edits:
        if edit not in chosen.setdefault(edit.file, []):
            chosen[edit.file].append(edit)


def _conflict(
    finding: Finding, sources: dict[Path, SourceText], chosen: dict[Path, list[Replacement]]
) -> str | None:
    """Why the finding's fix cannot join the fixes chosen so far, or None."""
    for edit in finding.edits:
        if edit.file not in sources:
            try:
                sources[edit.file] = SourceText.read(edit.file, Path(edit.path))
            except (OSError, SourceError) as error:
                return f"cannot read {edit.path}: {getattr(error, 'message', error)}"
        if any(_overlap(edit, other) for other in chosen.get(edit.file, [])):
            return "it overlaps another fix (run --fix again)"
    return None


def _drop(result: Plan, sources: dict[Path, SourceText], file: Path, problem: str) -> None:
    """A file whose fixes together do not parse: the fixes that do not parse on their own are
    dropped with their reason; when each parses alone, all of the file's fixes are."""
    touching = [f for f in result.applied if any(edit.file == file for edit in f.edits)]
    alone = {id(f): _problem_alone(f, sources, file) for f in touching}
    culprits = [f for f in touching if alone[id(f)] is not None]
    if culprits:
        dropped = [(f, str(alone[id(f)])) for f in culprits]
    else:
        dropped = [(f, f"with the other fixes to {f.path}, {problem}") for f in touching]
    gone = {id(f) for f, _ in dropped}
    result.applied = [f for f in result.applied if id(f) not in gone]
    result.skipped += dropped


def _problem_alone(finding: Finding, sources: dict[Path, SourceText], file: Path) -> str | None:
    source = sources[file]
    try:
        return source.problem(source.apply([e for e in finding.edits if e.file == file]))
    except FixError as error:
        return str(error)


def _overlap(edit: Replacement, other: Replacement) -> bool:
    """Overlapping ranges, or two different insertions at one place (whose order is unclear);
    the very same edit is shared, not an overlap."""
    if edit == other and (edit.start, edit.end) == (other.start, other.end):
        return False
    if edit.start == edit.end == other.start == other.end:
        return True
    return edit.start < other.end and other.start < edit.end


def _first_broken(
    sources: dict[Path, SourceText], chosen: dict[Path, list[Replacement]]
) -> tuple[Path, str] | None:
    """The first file whose chosen fixes together would not parse, and why."""
    for file, edits in chosen.items():
        try:
            problem = sources[file].problem(sources[file].apply(edits))
        except FixError as error:
            problem = str(error)
        if problem is not None:
            return file, problem
    return None


def write(result: Plan, tree: Tree) -> list[tuple[str, str]]:
    """Write the changed files; (file, problem) for those that were not written. Their files
    and the findings whose fixes touch them leave the plan, so the summary counts only what
    is on disk."""
    problems = []
    unwritten: set[Path] = set()
    for change in result.changes:
        try:
            change.source.write(change.after, tree)
        except WriteError as error:
            problems.append((change.display, error.reason))
            unwritten.add(change.source.file)
    result.changes = [c for c in result.changes if c.source.file not in unwritten]
    result.applied = [
        f for f in result.applied if not any(edit.file in unwritten for edit in f.edits)
    ]
    return problems


def unified_diff(result: Plan) -> str:
    """``git diff``-style text for every changed file."""
    chunks = []
    for change in result.changes:
        before = change.source.text.splitlines(keepends=True)
        after = change.after.splitlines(keepends=True)
        lines = difflib.unified_diff(before, after, change.display, change.display, lineterm="\n")
        for line in lines:
            chunks.append(
                line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n"
            )
    return "".join(chunks)


def summary(result: Plan, written: bool) -> str:
    count = len(result.applied)
    files = len(result.changes)
    verb = "Fixed" if written else "Would fix"
    text = (
        f"{verb} {count} finding{'s' * (count != 1)} in {files} file{'s' * (files != 1)}."
        if count
        else "No fixes to apply."
    )
    if result.hidden:
        text += (
            f" {result.hidden} unsafe fix{'es' * (result.hidden != 1)} not applied"
            " (add --unsafe-fixes)."
        )
    return text
