"""What a run produced, kept apart from the pipeline so that reporting a clean run needs none of
the analysis machinery (libcst, the data tables)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ecolint.rules import FAILING_MOODS

if TYPE_CHECKING:
    from ecolint.findings.baseline import Outcome
    from ecolint.findings.model import Finding


@dataclass(unsafe_hash=True)
class InternalError:
    path: str
    code: str
    message: str


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    internal_errors: list[InternalError] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    fix_notes: list[str] = field(default_factory=list)  # fixes that could not be built
    files_seen: int = 0
    files_analysed: int = 0
    baseline: Outcome | None = None  # set when findings were filtered through a baseline

    @property
    def failing(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.mood in FAILING_MOODS]
