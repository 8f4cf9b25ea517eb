"""Which files a run checks, under which configuration each, and why it checks none.

As in ruff, the nearest configuration file governs each file, so a sub-folder with its own
``pyproject.toml`` keeps its own rules when the run starts in the parent. Files are grouped by
the configuration that governs them and each group runs as a run of its own; a tree with one
configuration is one group handed the command's paths unchanged, exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ecolint.config import Settings, config_in
from ecolint.i18n import Phrase, phrase
from ecolint.results import RunResult
from ecolint.sources.discovery import Discovery, SourceFile, discover, gitignored


@dataclass(unsafe_hash=True)
class Group:
    """Files under one configuration; ``paths`` is what its run is handed. ``discovery``:
    what walking ``paths`` finds, when the group's run would find just that (one
    configuration governs the whole tree), so that the run does not walk the tree again."""

    settings: Settings
    paths: list[Path]
    files: list[SourceFile]
    discovery: Discovery | None = None


@dataclass
class Scope:
    groups: list[Group] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # kept when paths are lists
    notes: list[Phrase] = field(default_factory=list)  # warnings for stderr

    @property
    def files(self) -> list[SourceFile]:
        return sorted(
            (source for group in self.groups for source in group.files),
            key=lambda source: source.display,
        )


def plan(
    targets: list[Path],
    base: Settings,
    settings_for: Callable[[Path | None], Settings],
    hierarchical: bool = True,
    respect_gitignore: bool = True,
    top: Path | None = None,
) -> Scope:
    """``settings_for`` turns a configuration file (None: none) into the run's settings;
    ``hierarchical`` is False when ``--config FILE`` governs every file. ``top``: no
    configuration above this folder governs its files (a commit exported into the cache
    folder is not governed by the working tree's)."""
    scope = Scope()
    if respect_gitignore:
        scope.notes += [
            phrase("scope.ignored_named", path=str(t)) for t in targets if gitignored(t)
        ]
    found = discover(targets, base.exclude, base.root, respect_gitignore=respect_gitignore)
    nearest = _Nearest(top.resolve() if top is not None else None)
    grouped: dict[Path | None, list[SourceFile]] = {}
    folders: dict[Path, Path] = {}  # each folder resolved once, not once for each of its files
    for source in found.files:
        config = base.source
        if hierarchical:
            folder = source.path.parent
            if folder not in folders:
                folders[folder] = folder.resolve()
            config = nearest(folders[folder])
        grouped.setdefault(config, []).append(source)
    named = {target.resolve() for target in targets if target.is_file()}
    if list(grouped) in ([], [base.source]) and respect_gitignore:
        scope.groups = [Group(base, list(targets), found.files, found)]
    else:
        scope.problems = list(found.problems)
        for config, files in grouped.items():
            settings = base if config == base.source else settings_for(config)
            kept = [s for s in files if s.real in named or not _excluded(s, settings)]
            if kept:
                scope.groups.append(Group(settings, [s.path for s in kept], kept))
    if not scope.files:
        scope.notes += [_why_nothing(target, base) for target in targets]
    return scope


class _Nearest:
    """The configuration file governing a folder, each folder looked at once per run (a tree
    of a thousand folders under one pyproject.toml reads it once, not a thousand times)."""

    def __init__(self, top: Path | None = None) -> None:
        self.top = top
        self._known: dict[Path, Path | None] = {}

    def __call__(self, folder: Path) -> Path | None:
        if folder not in self._known:
            own = config_in(folder)
            above = folder.parent
            last = above == folder or folder == self.top
            self._known[folder] = own if own or last else self(above)
        return self._known[folder]


def _excluded(source: SourceFile, settings: Settings) -> bool:
    """A sub-folder configuration's ``exclude``, relative to its own folder."""
    if not settings.exclude:
        return False
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(list(settings.exclude))
    try:
        relative = source.real.relative_to(settings.root.resolve()).as_posix()
    except ValueError:
        return False
    return spec.match_file(relative)


def _why_nothing(target: Path, base: Settings) -> Phrase:
    if target.is_dir():
        everything = discover([target], (), base.root, respect_gitignore=False).files
        if everything:
            return phrase("scope.all_ignored", path=str(target), count=len(everything))
        return phrase("scope.no_supported", path=str(target))
    return phrase("scope.unsupported_file", path=str(target))


def merged(results: list[RunResult], problems: list[tuple[str, str]]) -> RunResult:
    """One result from the groups' results, in the order a single run would give."""
    if len(results) == 1 and not problems:
        return results[0]
    total = RunResult(problems=list(problems))
    for result in results:
        total.findings.extend(result.findings)
        total.internal_errors.extend(result.internal_errors)
        total.problems.extend(result.problems)
        total.fix_notes.extend(result.fix_notes)
        total.files_seen += result.files_seen
        total.files_analysed += result.files_analysed
    total.findings.sort(key=lambda finding: finding.sort_key())
    return total
