"""What a change does to the findings: added, removed and changed between two trees, priced.

Findings are matched as the baseline matches them, by rule and fingerprint of the offending
code, so moved code, re-indented code and a renamed file are not new. A matched pair whose
figure differs (its mood, its measured delta or its monthly cost: a model id changed so NF4
crossed the crossover) is *changed*. Each finding's monthly change is its own cost (negative
for one that went away); the net change of the tree is the difference of the two trees' totals,
where each file's traffic counts once, by its largest finding (``evidence.cost.total``), so
overlapping findings are never added twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ecolint.evidence.cost import from_kwh, total
from ecolint.findings.model import Finding

MONTHS_PER_YEAR = 12
ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(unsafe_hash=True)
class Change:
    kind: str  # ADDED, REMOVED or CHANGED
    base: Finding | None
    head: Finding | None
    kwh: float | None  # the monthly energy change; None when neither side is priced

    @property
    def finding(self) -> Finding:
        """The side a reader looks at: the new one, or the one that went away."""
        found = self.head or self.base
        assert found is not None
        return found

    def monthly(self) -> dict[str, float | None] | None:
        """The change in kWh, dollars, CO2 and equivalents under the finding's own tariff."""
        found = _assumptions(self.head) or _assumptions(self.base)
        return from_kwh(self.kwh, found) if self.kwh is not None and found else None


@dataclass(unsafe_hash=True)
class Net:
    """The whole tree's monthly waste before and after, each file's traffic counted once."""

    base_kwh: float
    head_kwh: float
    assumptions: dict[str, Any]

    @property
    def kwh(self) -> float:
        return self.head_kwh - self.base_kwh

    def per_month(self) -> dict[str, float | None]:
        return from_kwh(self.kwh, self.assumptions)

    def per_year(self) -> dict[str, float | None]:
        return from_kwh(self.kwh * MONTHS_PER_YEAR, self.assumptions)


@dataclass(unsafe_hash=True)
class Comparison:
    changes: list[Change]
    unchanged: int
    net: Net | None  # None without a workload (nothing priced on either side)

    def of(self, kind: str) -> list[Change]:
        return [change for change in self.changes if change.kind == kind]

    def counts(self) -> dict[str, int]:
        """How many findings were added, removed, changed and left as they were: the
        parameters of every report's count line."""
        return {
            "added": len(self.of(ADDED)),
            "removed": len(self.of(REMOVED)),
            "changed": len(self.of(CHANGED)),
            "unchanged": self.unchanged,
        }


def compare(
    base: Sequence[Finding], head: Sequence[Finding], workload: dict[str, Any] | None = None
) -> Comparison:
    """Pair each head finding with a base finding of the same rule and fingerprint, in the same
    file first, else in any file (the code moved). ``workload``: its assumptions, as a
    finding's cost states them, to price a net change of nothing when no finding is priced."""
    pool: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in base:
        pool[(finding.code, finding.fingerprint)].append(finding)
    changes: list[Change] = []
    unchanged = 0
    unmatched: list[Finding] = []
    for finding in head:
        candidates = pool.get((finding.code, finding.fingerprint), [])
        same = next((c for c in candidates if c.path == finding.path), None)
        match = same or (candidates[0] if candidates else None)
        if match is None:
            unmatched.append(finding)
            continue
        candidates.remove(match)
        if _figure(match) == _figure(finding):
            unchanged += 1
        else:
            changes.append(Change(CHANGED, match, finding, _difference(match, finding)))
    changes += [Change(ADDED, None, finding, _kwh(finding)) for finding in unmatched]
    for left in pool.values():
        changes += [Change(REMOVED, finding, None, _negated(_kwh(finding))) for finding in left]
    changes.sort(key=lambda change: (change.kind, change.finding.sort_key()))
    return Comparison(changes, unchanged, _net(base, head, workload))


def _cost(finding: Finding | None) -> dict[str, Any] | None:
    cost = (finding.evidence or {}).get("cost") if finding else None
    return cost if cost and "per_month" in cost else None


def _kwh(finding: Finding | None) -> float | None:
    cost = _cost(finding)
    return float(cost["per_month"]["kwh"]) if cost else None


def _assumptions(finding: Finding | None) -> dict[str, Any] | None:
    cost = _cost(finding)
    return cost["assumptions"] if cost else None


def _negated(kwh: float | None) -> float | None:
    return -kwh if kwh is not None else None


def _difference(base: Finding, head: Finding) -> float | None:
    before, after = _kwh(base), _kwh(head)
    if before is None and after is None:
        return None
    return (after or 0.0) - (before or 0.0)


def _figure(finding: Finding) -> tuple[object, ...]:
    """What a reader would see change: the mood, the measured delta, the rows and the cost."""
    evidence = finding.evidence or {}
    rows = tuple(row.get("line") for row in evidence.get("rows", []))
    return (finding.mood, evidence.get("delta_pct"), rows, _kwh(finding))


def _net(
    base: Sequence[Finding], head: Sequence[Finding], workload: dict[str, Any] | None
) -> Net | None:
    before = total([(finding.path, _cost(finding)) for finding in base])
    after = total([(finding.path, _cost(finding)) for finding in head])
    found = (after or before or {}).get("assumptions")
    if found is None:
        found = next((_assumptions(f) for f in [*head, *base] if _cost(f)), workload)
    if found is None:
        return None
    return Net(
        float(before["per_month"]["kwh"]) if before else 0.0,
        float(after["per_month"]["kwh"]) if after else 0.0,
        found,
    )


@dataclass(unsafe_hash=True)
class Revision:
    """One side as the reader knows it: the revision as written (or the working tree or the
    index), its commit when it has one, and how many findings its tree has."""

    label: str
    commit: str | None
    findings: int


@dataclass(unsafe_hash=True)
class DiffReport:
    comparison: Comparison
    base: Revision
    head: Revision
    gpu: str
