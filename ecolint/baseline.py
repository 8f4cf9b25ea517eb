"""Freeze today's findings and fail only on new ones.

A baselined finding is recognised by its rule and a fingerprint of the offending code (its
lines with whitespace and trailing comments removed), not by line number, so edits elsewhere in
the file do not revive it; paths are kept relative to the configuration folder, and an entry
whose file no longer exists still matches the same code in a moved file. Changing the offending
code changes the fingerprint: the finding is new again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ecolint import __version__

if TYPE_CHECKING:  # kept light: the command line imports this module at start-up
    from ecolint.findings import Finding

DEFAULT_BASELINE = ".ecolint-baseline.json"
FORMAT_VERSION = 1


class BaselineError(ValueError):
    """A baseline file that cannot be read; the message names it."""


@dataclass(frozen=True)
class Entry:
    code: str
    path: str
    fingerprint: str
    line: int
    message: str


@dataclass
class Outcome:
    new: list[Finding]
    matched: int = 0
    fixed: list[Entry] = field(default_factory=list)


def _entry(finding: Finding, root: Path) -> Entry:
    return Entry(
        finding.code, _relative(finding, root), finding.fingerprint, finding.line, finding.message
    )


def _relative(finding: Finding, root: Path) -> str:
    path = Path(finding.path).resolve()
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def write_baseline(path: Path, findings: list[Finding], root: Path) -> int:
    entries = [_entry(finding, root).__dict__ for finding in findings]
    document = {"version": FORMAT_VERSION, "tool": f"ecolint {__version__}", "findings": entries}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


def read_baseline(path: Path) -> list[Entry]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("version") != FORMAT_VERSION:
            raise BaselineError(f"{path}: unsupported baseline version {document.get('version')}")
        return [Entry(**item) for item in document["findings"]]
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: cannot read baseline: {error}") from None
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise BaselineError(f"{path}: not an ecolint baseline ({error})") from None


def apply_baseline(findings: list[Finding], entries: list[Entry], root: Path) -> Outcome:
    """Same file first; then an entry whose file is gone (the file was moved or renamed)."""
    pool: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in entries:
        pool[(entry.code, entry.fingerprint)].append(entry)
    outcome = Outcome(new=[])
    for finding in findings:
        candidates = pool.get((finding.code, finding.fingerprint), [])
        where = _relative(finding, root)
        match = next((e for e in candidates if e.path == where), None)
        if match is None:
            match = next((e for e in candidates if not (root / e.path).exists()), None)
        if match is None:
            outcome.new.append(finding)
        else:
            candidates.remove(match)
            outcome.matched += 1
    outcome.fixed = [entry for remaining in pool.values() for entry in remaining]
    return outcome
