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
from ecolint.safe_write import Tree, write_file

if TYPE_CHECKING:  # kept light: every run with a baseline imports this module
    from ecolint.findings.model import Finding

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


ENTRY_TYPES: dict[str, type] = {
    "code": str,
    "path": str,
    "fingerprint": str,
    "line": int,
    "message": str,
}
_TYPE_NAMES = {str: "string", int: "whole number"}


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


def write_baseline(path: Path, findings: list[Finding], root: Path, tree: Tree) -> int:
    """Only a missing or empty file, or an ecolint baseline, is overwritten: a source file
    named by mistake must survive (BaselineError); WriteError when the write is refused."""
    entries = [_entry(finding, root).__dict__ for finding in findings]
    document = {"version": FORMAT_VERSION, "tool": f"ecolint {__version__}", "findings": entries}
    try:
        existing = path.read_bytes()
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise BaselineError(f"{path}: cannot read: {error.strerror or error}") from None
    if existing and not _is_baseline(existing):
        raise BaselineError(
            f"{path}: not overwritten: it is not an ecolint baseline"
            " (name a new file with --write-baseline=FILE)"
        )
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    write_file(path, data, tree, expected=existing)
    return len(entries)


def _is_baseline(data: bytes) -> bool:
    try:
        document = json.loads(data.decode("utf-8"))
    except ValueError:
        return False
    return (
        isinstance(document, dict)
        and isinstance(document.get("tool"), str)
        and document["tool"].startswith("ecolint")
        and isinstance(document.get("findings"), list)
    )


def read_baseline(path: Path) -> list[Entry]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: cannot read baseline: {error}") from None
    except json.JSONDecodeError as error:
        raise BaselineError(f"{path}: not an ecolint baseline ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not an ecolint baseline (no list of findings)")
    if document.get("version") != FORMAT_VERSION:
        raise BaselineError(f"{path}: unsupported baseline version {document.get('version')!r}")
    return [_read_entry(path, number, item) for number, item in enumerate(document["findings"])]


def _read_entry(path: Path, number: int, item: object) -> Entry:
    """One entry, every field of its type: a hand-edited or hostile baseline gets a message
    naming the entry, not a TypeError deep in the matching."""
    if not isinstance(item, dict) or set(item) != set(ENTRY_TYPES):
        fields = ", ".join(ENTRY_TYPES)
        raise BaselineError(f"{path}: finding {number} must be an object with {fields}")
    for name, kind in ENTRY_TYPES.items():
        value = item[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise BaselineError(
                f"{path}: finding {number}: {name!r} must be a {_TYPE_NAMES[kind]},"
                f" not {json.dumps(value)[:40]}"
            )
    return Entry(**item)


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
