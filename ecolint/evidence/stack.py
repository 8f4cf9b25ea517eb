"""The software stack behind measured rows, and what a project's own stack means for them.

Every row of ``data/measurements.csv`` records the versions its source states (``stack``):
exact (``bitsandbytes 0.45.5``), only a major version (``transformers 4.x``) or none. ECO301
cites the rows measured on a nightly stack. ECO302 compares the project's pins with the stack
of the rows each quantization finding quotes (its check's run-wide ``finish``):

* a pin newer than the row's version lowers the finding's confidence by one star;
* a pin older than the row's version only adds a note ("measured on a newer stack"), unless
  the author's stack-drift version for the package (``constants.csv``
  ``confidence.stack_drift_<package>_min_version``) lies between them: then it lowers too;
* where the row records no exact version for the package, the author's stack-drift version
  is the rule: a pin at or above it lowers the confidence.

Stars never drop below ★☆☆, and a finding loses at most one star however many pins differ.
A pin applies to the findings in files under the folder of the file that pins it (a
``requirements/`` folder stands for its parent): one checkout may hold several projects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from ecolint.evidence.dataset import MEASUREMENTS, Constant, Gpu, Row, constants, measurements
from ecolint.evidence.select import Evidence
from ecolint.i18n import Phrase, phrase, t

_STACK_VERSION = re.compile(
    r"\b(pytorch|torch|torchao|transformers|bitsandbytes)\s+(\d[\w.+]*)", re.IGNORECASE
)
_DRIFT_KEY = re.compile(r"confidence\.stack_drift_(?P<package>\w+)_min_version")
NIGHTLY_BASIS = "nightly vs stable builds not measured"
DRIFT_BASIS = "stack recorded with the quoted rows; the effect of the difference is not measured"


@dataclass(unsafe_hash=True)
class StackEvidence(Evidence):
    """Rows cited for the software stack they were measured on, not for an energy delta."""

    rows: tuple[Row, ...] = ()

    def headline(self, lang: str = "en") -> str:
        key = "headline.stack_nightly" if self.basis == NIGHTLY_BASIS else "headline.stack_drift"
        return t(key, lang, confidence=self.confidence)

    def as_dict(self) -> dict[str, object]:
        cited = [{**row.citation(), "stack": row.stack} for row in self.rows]
        return {**super().as_dict(), "rows": cited}


@dataclass(frozen=True)
class VersionRange:
    """A version a row states: exact (low == high) or a major series (``4.x``: [4, 5))."""

    low: Version
    high: Version
    exact: bool
    text: str


def _public(text: str) -> Version:
    """The version without its local tag: ``2.5.1+cu124`` is a build of 2.5.1."""
    return Version(Version(text).public)


@cache
def stack_versions(row: Row) -> dict[str, VersionRange]:
    versions: dict[str, VersionRange] = {}
    for match in _STACK_VERSION.finditer(row.stack):
        name = match.group(1).lower()
        package = "torch" if name == "pytorch" else name
        text = match.group(2).rstrip(".")
        try:
            if text.endswith(".x") and text[:-2].isdigit():
                major = int(text[:-2])
                found = VersionRange(Version(str(major)), Version(str(major + 1)), False, text)
            else:
                version = _public(text)
                found = VersionRange(version, version, True, text)
        except InvalidVersion:
            continue
        versions.setdefault(package, found)
    return versions


@dataclass(frozen=True)
class Bounds:
    """The versions a pin allows: the lowest and highest, each inclusive or not."""

    low: Version | None
    low_inclusive: bool
    high: Version | None
    high_inclusive: bool


def pin_bounds(specifier: SpecifierSet | None) -> Bounds | None:
    """``==``, ``~=``, ``>=``/``>`` and ``<=``/``<`` bounds; None when nothing bounds it."""
    if specifier is None:
        return None
    lows: list[tuple[Version, bool]] = []
    highs: list[tuple[Version, bool]] = []
    for spec in specifier:
        operator, text = spec.operator, spec.version
        try:
            if operator in ("==", "===") and text.endswith(".*"):
                prefix = Version(text[:-2])
                lows.append((prefix, True))
                highs.append((_bump(prefix.release), False))
            elif operator in ("==", "==="):
                version = _public(text)
                lows.append((version, True))
                highs.append((version, True))
            elif operator == "~=":
                version = _public(text)
                lows.append((version, True))
                highs.append((_bump(version.release[:-1]), False))
            elif operator in (">=", ">"):
                lows.append((_public(text), operator == ">="))
            elif operator in ("<=", "<"):
                highs.append((_public(text), operator == "<="))
        except InvalidVersion:
            continue
    if not lows and not highs:
        return None
    low = max(lows, key=lambda bound: (bound[0], not bound[1])) if lows else (None, True)
    high = min(highs, key=lambda bound: (bound[0], bound[1])) if highs else (None, True)
    return Bounds(low[0], low[1], high[0], high[1])


def _bump(release: tuple[int, ...]) -> Version:
    parts = list(release) or [0]
    parts[-1] += 1
    return Version(".".join(str(part) for part in parts))


def relation(bounds: Bounds, measured: VersionRange) -> str:
    """``newer``/``older`` when every version the pin allows is above/below the measured
    one(s); ``same`` when the pin allows the exact measured version; else ``unknown``."""
    if bounds.low is not None and (
        bounds.low > measured.high
        or (bounds.low == measured.high and not (bounds.low_inclusive and measured.exact))
    ):
        return "newer"
    if bounds.high is not None and (
        bounds.high < measured.low or (bounds.high == measured.low and not bounds.high_inclusive)
    ):
        return "older"
    return "same" if measured.exact else "unknown"


@cache
def drift_versions() -> dict[str, tuple[Version, Constant]]:
    """The author's stack-drift version per package, from constants.csv."""
    found = {}
    for key, constant in constants().items():
        match = _DRIFT_KEY.fullmatch(key)
        if match is None:
            continue
        try:
            version = Version(constant.text or str(constant.value))
        except InvalidVersion:
            continue
        found[match.group("package")] = (version, constant)
    return found


@dataclass(frozen=True)
class Pin:
    """A dependency on a stack package with a version bound, and where it is written.
    ``scope`` is what it governs: a notebook's own installs govern only that notebook; a
    dependency file governs the files under its folder (the parent, for a ``requirements/``
    folder)."""

    name: str  # the package
    text: str  # the requirement as written
    bounds: Bounds
    where: str
    scope: Path
    own_file: bool = False  # ``scope`` is the one file it governs

    def applies_to(self, path: Path) -> bool:
        resolved = path.resolve()
        return resolved == self.scope if self.own_file else resolved.is_relative_to(self.scope)


def governing(pins: Iterable[Pin], path: Path) -> list[Pin]:
    """The pins that govern a file, per package: code's own installs of a package (a
    notebook's ``!pip install``, a script that runs pip) replace the project's pins of it
    there, since that code runs with what it installs."""
    applying = [pin for pin in pins if pin.applies_to(path)]
    own = {pin.name for pin in applying if pin.own_file}
    return [pin for pin in applying if pin.own_file or pin.name not in own]


@dataclass(frozen=True)
class Comparison:
    """One pin against the row one finding quotes (or the author's drift version)."""

    pin: Pin
    relation: str  # "newer", "older" or "drift"
    lowers: bool
    row: Row | None
    measured: VersionRange | None
    drift: tuple[Version, Constant] | None

    @property
    def package(self) -> str:
        return self.pin.name

    def note(self) -> str:
        pin = f"{self.pin.text} ({self.pin.where})"
        consequence = "; one star less" if self.lowers else ""
        if self.relation == "drift":
            assert self.drift is not None
            version, constant = self.drift
            return (
                f"stack drift: {pin} is at or above {self.package} {version}, the author's"
                f" stack-drift version ({constant.key}, {constant.source}), and the quoted row"
                f" records no exact {self.package} version{consequence}"
            )
        assert self.measured is not None and self.row is not None
        text = (
            f"stack drift: {pin} is {self.relation} than {self.package} {self.measured.text}"
            f" of the quoted row (data/{MEASUREMENTS} line {self.row.line})"
        )
        if self.relation == "older":
            text += ": the data was measured on a newer stack"
            if self.lowers and self.drift is not None:
                text += f", across the author's stack-drift version {self.drift[0]}"
        return text + consequence


def compare(pin: Pin, row: Row | None) -> Comparison | None:
    package = pin.name
    drift = drift_versions().get(package)
    measured = stack_versions(row).get(package) if row is not None else None
    if measured is not None:
        found = relation(pin.bounds, measured)
        if found == "newer":
            return Comparison(pin, "newer", True, row, measured, drift)
        if found == "older":
            crosses = (
                drift is not None and _below(pin.bounds, drift[0]) and measured.low >= drift[0]
            )
            return Comparison(pin, "older", crosses, row, measured, drift)
        if found == "same":
            return None
    low = pin.bounds.low
    if drift is not None and low is not None and low >= drift[0]:
        return Comparison(pin, "drift", True, row, measured, drift)
    return None


def _below(bounds: Bounds, version: Version) -> bool:
    high = bounds.high
    return high is not None and (high < version or (high == version and not bounds.high_inclusive))


def measured_text(comparisons: Iterable[Comparison]) -> Phrase:
    """``newer than 0.45.5 (data/measurements.csv line 26); at or above the author's ...``"""
    lines: dict[tuple[str, str], list[int]] = {}
    drift: tuple[Version, Constant] | None = None
    unrecorded: list[int] = []
    for comparison in comparisons:
        if comparison.relation == "drift":
            drift = comparison.drift
            if comparison.row is not None:
                unrecorded.append(comparison.row.line)
            continue
        assert comparison.measured is not None and comparison.row is not None
        key = (comparison.relation, comparison.measured.text)
        lines.setdefault(key, []).append(comparison.row.line)
    parts = [
        phrase(f"eco302.{name}", version=version, file=MEASUREMENTS, lines=_lines(numbers))
        for (name, version), numbers in lines.items()
    ]
    if drift is not None:
        version, constant = drift
        unrecorded_text = (
            phrase("eco302.unrecorded", lines=_lines(unrecorded)) if unrecorded else ""
        )
        parts.append(
            phrase("eco302.drift", version=str(version), key=constant.key, where=unrecorded_text)
        )
    joined = parts[0]
    for part in parts[1:]:
        joined = phrase("list.joined", first=joined, second=part)
    return joined


def _lines(numbers: list[int]) -> Phrase:
    unique = sorted(set(numbers))
    return phrase(
        "eco302.line" if len(unique) == 1 else "eco302.lines", numbers=", ".join(map(str, unique))
    )


def nightly_evidence(gpu: Gpu) -> StackEvidence:
    """The rows measured on a nightly/dev stack, quoted for what they are: ★☆☆, no figure."""
    rows = tuple(
        row
        for row in measurements()
        if any(version.low.is_devrelease for version in stack_versions(row).values())
    )
    notes = ["no measured row of this dataset was taken on a nightly stack"]
    if rows:
        stacks = "; ".join(dict.fromkeys(row.stack for row in rows))
        sources = ", ".join(dict.fromkeys(f"{row.source_repo}:{row.source_path}" for row in rows))
        with_energy = [row for row in rows if row.energy_j_per_1k_tok is not None]
        notes = [
            f"{len(rows)} rows were measured on a nightly stack ({stacks}) from {sources},"
            f" data/{MEASUREMENTS} {_lines([row.line for row in rows])}"
        ]
        if with_energy:
            notes.append(f"{len(with_energy)} of them carry an energy figure")
        else:
            notes.append("none of them carries an energy figure")
    notes.append(
        "no delta is formed between a nightly and a stable build (deltas come only from two"
        " rows of one session): what a nightly build costs in energy is not measured"
    )
    return StackEvidence(None, gpu, None, None, 1, NIGHTLY_BASIS, tuple(notes), rows=rows)
