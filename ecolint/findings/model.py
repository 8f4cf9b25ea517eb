"""What a check reports, and the finished finding every reporter prints."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ecolint.analysis.values import LineSpan, Site
from ecolint.evidence.select import Evidence
from ecolint.i18n import Phrase
from ecolint.sources.document import TextSpan


@dataclass(unsafe_hash=True)
class FileSpot:
    """A place in a file that was not analysed (it could not be read or parsed, or its worker
    did not survive it): no syntax node, only a position, and in a notebook the cell."""

    path: Path
    display: str
    line: int
    column: int
    cell: int | None = None


@dataclass(unsafe_hash=True)
class Report:
    """A check's raw result: where, which message, with which evidence."""

    code: str
    site: Site | LineSpan | TextSpan | FileSpot
    params: dict[str, str | Phrase] = field(default_factory=dict)
    message_key: str = "default"
    evidence: Evidence | None = None
    mood: str | None = None  # overrides the rule's mood (a saving is green)
    # What the check hands on: to its own ``fix`` (the nodes to change), or to its own
    # run-wide ``finish`` (then it must be picklable data, such as a dependency pin).
    subject: Any = None


@dataclass(unsafe_hash=True)
class Replacement:
    """One text replacement a fix makes, in a file as it is stored (for a notebook, in the raw
    ``.ipynb`` JSON), so that any reporter can offer it: lines and columns are 1-based and
    count characters, the end is exclusive, ``text`` replaces what is between them."""

    path: str  # as findings name the file
    line: int
    column: int
    end_line: int
    end_column: int
    text: str
    file: Path = field(compare=False)  # where to write
    start: int = field(compare=False)  # offsets of the replaced characters in the file's text
    end: int = field(compare=False)
    digest: str = field(compare=False)  # of the file's text, to detect a file changed meanwhile

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "text": self.text,
        }


@dataclass(unsafe_hash=True)
class Position:
    """Where a report lands, as findings print it: 1-based lines and columns and, in a
    notebook, the cell with the line and column inside it. A place and the draft built from
    it share these fields."""

    file: Path
    display: str
    line: int
    column: int
    end_line: int
    end_column: int
    cell: int | None
    cell_line: int | None
    cell_column: int | None

    def position(self) -> dict[str, Any]:
        """The position alone, to hand on to what is built from it (a place to a draft)."""
        return {item.name: getattr(self, item.name) for item in fields(Position)}


@dataclass(unsafe_hash=True)
class Draft(Position):
    """A report resolved to where it lands, with what only the analysis can compute (its fix,
    its fingerprint, the ``subject`` of a check with a run-wide ``finish``). It holds no syntax
    tree, so worker processes can hand it back, and the run-wide passes (the checks' ``finish``
    hooks, one finding per site) work on drafts from every file alike."""

    code: str
    mood: str
    fingerprint: str
    params: dict[str, str | Phrase]
    message_key: str
    evidence: Evidence | None
    subject: Any = None
    edits: tuple[Replacement, ...] = ()
    # A mechanical fix applies: its edits were built, or (a run that builds none) the check
    # judged the code a shape its fix rewrites (``Check.fixable``).
    autofix: bool = False
    silenced_at: tuple[Path, int] | None = None  # the suppression comment that silences it

    def order(self) -> tuple[object, ...]:
        """A total order, so that the first of equal drafts is the same whatever the order
        worker processes return them in."""
        evidence = self.evidence
        known = (
            (evidence.stars, evidence.model.model_id if evidence.model else "", evidence.basis)
            if evidence
            else (0, "", "")
        )
        where = (self.display, self.line, self.column, self.code)
        return (*where, self.message_key, repr(self.params), known, len(self.edits))


@dataclass(unsafe_hash=True)
class Finding:
    code: str
    name: str
    mood: str
    path: str
    line: int
    column: int  # 1-based, as ruff and flake8 print it
    end_line: int
    end_column: int
    message: str
    evidence: dict[str, Any] | None = None
    fix: dict[str, Any] | None = None
    headline: str = ""
    stars: int = 0
    cell: int | None = None  # notebooks: index into ``cells``, markdown cells counted
    cell_line: int | None = None  # notebooks: 1-based line inside that cell
    cell_column: int | None = None  # notebooks: 1-based column in that line (text output)
    edits: tuple[Replacement, ...] = ()  # the mechanical fix, when the run built it
    autofix: bool = False  # a mechanical fix applies (``Draft.autofix``)
    fingerprint: str = ""  # rule + offending code, whitespace- and line-number-insensitive

    @property
    def location(self) -> str:
        """``path:12``, or in a notebook ``path:cell 3:line 2`` as the notebook numbers it."""
        if self.cell is not None:
            return f"{self.path}:cell {self.cell}:line {self.cell_line}"
        return f"{self.path}:{self.line}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.mood,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "cell": self.cell,
            "cell_line": self.cell_line,
            "message": self.message,
            "evidence": self.evidence,
            "fix": None
            if self.fix is None
            else {**self.fix, "edits": [edit.as_dict() for edit in self.edits]},
        }

    @property
    def safety(self) -> str:
        """``safe`` or ``unsafe`` when the finding has a mechanical fix, ``none`` otherwise."""
        return str((self.fix or {}).get("safety", "none")) if self.autofix else "none"


_TRAILING_COMMENT = re.compile(r"#[^'\"]*$")


def fingerprint(code: str, text: str) -> str:
    """Stable across moved lines, re-indentation and comment edits; changes with the code."""
    normalised = "".join(
        "".join(_TRAILING_COMMENT.sub("", line).split()) for line in text.splitlines()
    )
    return hashlib.sha256(f"{code}\0{normalised}".encode()).hexdigest()[:20]
