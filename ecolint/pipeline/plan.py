"""The first stage of a run: which files, their bytes, and which rules must read each.

Each discovered file is read here once; the plan hands the bytes on to the cache key, the
prefilter and the analysis (a module another one imports is parsed from the plan's bytes), so
nothing later reads a scanned file again. The plan applies the prefilter's byte stage; its
``ast`` stage runs with the analysis, on the tree the analysis uses. A run in which no file
needs analysis is answered from the plan, without the engine or the data tables.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ecolint.config import Settings
from ecolint.pipeline.prefilter import Prefilter
from ecolint.results import RunResult
from ecolint.rules import Rule, all_rules, scanned
from ecolint.sources.discovery import Discovery, SourceFile, discover
from ecolint.sources.python import SourceError
from ecolint.sources.safe_read import (
    FileTooLarge,
    NotRegularFile,
    read_bytes,
    source_cap,
    unreadable,
)

PYTHON_KINDS = frozenset({"python", "notebook"})


@dataclass(unsafe_hash=True)
class Planned:
    """A file some selected rule must read, with its bytes and those rules."""

    source: SourceFile
    data: bytes
    rules: list[Rule]


@dataclass
class ScanPlan:
    """``contents``: the bytes of every Python module, by resolved path, for the imports the
    analysis follows (a notebook is never imported, and its outputs may be large).
    ``digests``: a hash of every file's bytes (or of why it was not read), for the cache.
    ``keyable``: False when a file failed to read for a reason that may pass, so the run must
    not be cached. ``work`` is prefiltered when first asked for: a run answered from the cache
    by ``key`` never parses a file."""

    files: list[SourceFile]
    problems: list[tuple[str, str]]
    prefilter: Prefilter
    unread: list[tuple[SourceFile, SourceError]] = field(default_factory=list)
    contents: dict[Path, bytes] = field(default_factory=dict)
    digests: dict[Path, str] = field(default_factory=dict)
    keyable: bool = True
    _read: list[tuple[SourceFile, bytes]] = field(default_factory=list)
    _work: list[Planned] | None = None

    @classmethod
    def build(
        cls,
        paths: list[Path],
        settings: Settings,
        prefilter: Prefilter | None = None,
        discovery: Discovery | None = None,
    ) -> ScanPlan:
        """``discovery``: what walking ``paths`` under ``settings`` finds, when the caller
        has walked them already (a tree of thousands of files takes about a second)."""
        if discovery is None:
            discovery = discover(paths, settings.exclude, settings.root)
        limit = settings.max_file_size
        if prefilter is None:
            prefilter = Prefilter(scanned(all_rules(), settings.select, settings.ignore), limit)
        plan = cls(discovery.files, list(discovery.problems), prefilter)
        for source in discovery.files:
            key = source.real
            try:
                data = read_bytes(source.path, source_cap(source.kind, limit))
            except OSError as error:
                plan.unread.append((source, unreadable(error)))
                plan.keyable &= isinstance(error, (FileTooLarge, NotRegularFile))
                data = f"\0not read\0{error}".encode()  # its not-analysed report depends on this
                plan.digests[key] = hashlib.sha256(data).hexdigest()
                continue
            plan.digests[key] = hashlib.sha256(data).hexdigest()
            if source.kind == "python":  # a module another one may import
                plan.contents[key] = data
            plan._read.append((source, data))
        return plan

    @property
    def work(self) -> list[Planned]:
        """The files some selected rule's trigger words are in, with those rules (a Python
        file's are narrowed to those its code uses when it is analysed)."""
        if self._work is None:
            active = (
                (source, data, self.prefilter.by_bytes(source.kind, data))
                for source, data in self._read
            )
            self._work = [Planned(source, data, rules) for source, data, rules in active if rules]
            self._read = []
        return self._work

    def quick_result(self) -> RunResult | None:
        """The result when no file needs analysis, or None when one does (or when a path or a
        file could not be read: the analysis reports those)."""
        if self.problems or self.unread or self.work:
            return None
        return RunResult(files_seen=len(self.files))

    def key(self, salt: str, home: Path) -> str | None:
        """The whole run's cache key: ``salt`` (the settings key) and every file's path (from
        ``home``, the configuration's folder: the same tree elsewhere has the same key),
        display, kind and bytes; None when the run must not be cached."""
        if self.problems or not self.keyable:
            return None
        from ecolint.cache import tree_path  # the cache's code only for a run that uses it

        digest = hashlib.sha256(salt.encode())
        for source in self.files:
            resolved = source.real
            entry = f"\0{tree_path(resolved, home)}\0{source.display}\0{source.kind}\0"
            digest.update(entry.encode("utf-8", "surrogatepass"))
            digest.update(bytes.fromhex(self.digests[resolved]))
        return digest.hexdigest()
