"""The contract every rule's check fulfils, and automatic registration by rule code."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import ClassVar

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.project import Project
from ecolint.analysis.resolver import Resolver
from ecolint.evidence.dataset import Gpu
from ecolint.findings.model import Draft, FileSpot, Report
from ecolint.fixes.edits import Fix
from ecolint.rules import Rule
from ecolint.sources.document import Document


@dataclass
class CheckContext:
    """What a check may read: the resolver over the scanned tree and the user's settings."""

    project: Project
    resolver: Resolver
    gpu: Gpu
    user_models: Mapping[str, float] = field(default_factory=dict)
    search_dirs: tuple[Path, ...] = ()


@dataclass
class RunContext:
    """What a run-wide ``finish`` may read: the selected rules, the GPU quoted and the size
    limit of a file it reads again; ``notes`` collects the fixes it could not build."""

    rules: Mapping[str, Rule]
    gpu: Gpu
    max_file_size: int
    notes: list[str] = field(default_factory=list)


class Check:
    """One rule's visitor. Subclasses set ``code`` and override ``run`` for Python modules
    (notebooks included) and ``run_document`` for the text kinds their rule's YAML lists under
    ``sources``; the pipeline only calls what the YAML asks for. Two hooks serve rules that
    need more than one module: ``not_analysed`` (the pipeline could not analyse a file) and
    ``finish`` (the whole run's drafts)."""

    code: ClassVar[str] = ""
    # A ``finish`` that judges the run's findings themselves (are suppressions used?) runs
    # after the ``finish`` hooks that add or change findings.
    judges_findings: ClassVar[bool] = False

    def __init__(self, context: CheckContext) -> None:
        self.context = context
        self.resolver = context.resolver

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        return iter(())

    def run_document(self, document: Document) -> Iterator[Report]:
        return iter(())

    def fix(self, report: Report) -> Fix | None:
        """The mechanical fix for one of this check's reports (rules whose YAML sets
        ``fix.applicable: true``), built from what the check put in ``report.subject``; None
        when the code has a shape the fix does not rewrite."""
        return None

    def fixable(self, report: Report) -> bool:
        """Whether ``fix`` may make a fix of this report, judged without building it (a run
        that prints findings for people builds no edits, and still says which have a fix):
        the conditions ``fix`` checks first on what the check found. ``fix`` may still find
        the code a shape it does not rewrite; ``--fix`` then says so."""
        return True

    @classmethod
    def not_analysed(cls, spot: FileSpot, reason: str) -> Report | None:
        """This rule's report on a file (or notebook cell) the pipeline could not analyse."""
        return None

    @classmethod
    def finish(cls, drafts: list[Draft], run: RunContext) -> list[Draft]:
        """Every draft of the run, suppressed ones included (``silenced_at``), once all files
        are analysed; returns them as they go on. Only this check's drafts keep their
        ``subject``, and only when this hook is overridden."""
        return drafts

    @classmethod
    def has_finish(cls) -> bool:
        return cls.finish.__func__ is not Check.finish.__func__  # type: ignore[attr-defined]

    @classmethod
    def has_not_analysed(cls) -> bool:
        return cls.not_analysed.__func__ is not Check.not_analysed.__func__  # type: ignore[attr-defined]


@cache
def registry() -> dict[str, type[Check]]:
    """Every Check subclass in ``ecolint.checks``, imported only when a file needs them."""
    import ecolint.checks as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name != "base":
            importlib.import_module(f"{package.__name__}.{info.name}")
    found: dict[str, type[Check]] = {}
    pending = list(Check.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.code and cls.__module__.startswith(f"{package.__name__}."):
            found[cls.code] = cls
    return found
