"""Precision of ecolint on pinned checkouts of real repositories, against hand-judged findings.

The curated examples of this repository are clean inference scripts, so they cannot tell whether
a rule is right about real trees full of tests, library helpers, benchmarks and training code.
This script runs the real ``ecolint check`` on each repository of ``repos.json`` (checked out
under ``--corpus``), matches every finding to a row of ``judged.csv`` and prints, per rule and
overall, how many findings there are, how many are judged, true and false positives, and the
precision. Judged true positives that are no longer found ("lost TPs") fail the run: a change
that buys precision by losing real findings must be seen.

A finding matches a judged row of the same repository, path and code when the line and the
offending source text (stripped) are both equal; failing that, when the text is equal (the line
moved: the nearest such row wins); failing that, when the line is equal (the text was edited).
Each finding matches at most one row and each row at most one finding.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
COLUMNS = ("repo", "commit", "path", "line", "code", "verdict", "reason", "text")
VERDICTS = ("tp", "fp")
OVERALL_TARGET = 0.95
RULE_TARGET = 0.85
RULE_TARGET_MIN_JUDGED = 5
_Key = TypeVar("_Key", bound=Hashable)


@dataclass(frozen=True)
class Repo:
    """One pinned repository: ``name`` is its folder under the corpus."""

    name: str
    url: str
    commit: str
    subtrees: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    """One finding of ecolint, with the stripped source line that identifies it when lines move."""

    repo: str
    path: str
    line: int
    code: str
    text: str
    message: str


@dataclass(frozen=True)
class Judged:
    """One row of judged.csv."""

    repo: str
    commit: str
    path: str
    line: int
    code: str
    verdict: str
    reason: str
    text: str


@dataclass
class Tally:
    """Counts of one rule (or of all rules)."""

    findings: int = 0
    tp: int = 0
    fp: int = 0

    @property
    def judged(self) -> int:
        return self.tp + self.fp

    @property
    def unjudged(self) -> int:
        return self.findings - self.judged

    @property
    def precision(self) -> float | None:
        return self.tp / self.judged if self.judged else None


@dataclass
class Comparison:
    """Findings matched against the judged rows."""

    matches: list[tuple[Found, Judged]] = field(default_factory=list)
    unjudged: list[Found] = field(default_factory=list)
    lost_tps: list[Judged] = field(default_factory=list)
    gone_fps: list[Judged] = field(default_factory=list)

    def tallies(self) -> dict[str, Tally]:
        """Per rule code, plus ``"all"``."""
        by_code = _count(self.matches, self.unjudged, lambda found: found.code)
        return {**dict(sorted(by_code.items())), "all": _sum(by_code.values())}

    def estimates(self) -> dict[str, float | None]:
        """Precision per rule code (and ``"all"``) over all findings, not only the judged ones:
        each repository's share of a rule is weighted by its judged precision, because large rules
        are judged on a sample and repositories differ. None while a share has no judged row."""
        strata = _count(self.matches, self.unjudged, lambda found: (found.code, found.repo))
        estimates: dict[str, float | None] = {}
        for code in sorted({code for code, _ in strata}):
            estimates[code] = _estimate([t for (c, _), t in strata.items() if c == code])
        estimates["all"] = _estimate(list(strata.values()))
        return estimates


def _count(
    matches: Iterable[tuple[Found, Judged]],
    unjudged: Iterable[Found],
    key: Callable[[Found], _Key],
) -> dict[_Key, Tally]:
    tallies: dict[_Key, Tally] = {}
    for found, judged in matches:
        tally = tallies.setdefault(key(found), Tally())
        tally.findings += 1
        if judged.verdict == "tp":
            tally.tp += 1
        else:
            tally.fp += 1
    for found in unjudged:
        tallies.setdefault(key(found), Tally()).findings += 1
    return tallies


def _sum(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.findings += tally.findings
        total.tp += tally.tp
        total.fp += tally.fp
    return total


def _estimate(strata: Sequence[Tally]) -> float | None:
    findings = sum(tally.findings for tally in strata)
    if not findings or any(tally.precision is None for tally in strata):
        return None
    return sum(tally.findings * (tally.precision or 0.0) for tally in strata) / findings


def load_repos(path: Path) -> list[Repo]:
    entries = json.loads(path.read_text(encoding="utf-8"))["repos"]
    return [
        Repo(entry["name"], entry["url"], entry["commit"], tuple(entry["subtrees"]))
        for entry in entries
    ]


def load_judged(path: Path) -> list[Judged]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise SystemExit(f"{path}: columns must be {','.join(COLUMNS)}")
        rows = [
            Judged(
                row["repo"],
                row["commit"],
                row["path"],
                int(row["line"]),
                row["code"],
                row["verdict"],
                row["reason"],
                row["text"],
            )
            for row in reader
        ]
    wrong = [row for row in rows if row.verdict not in VERDICTS]
    if wrong:
        raise SystemExit(f"{path}: verdict must be tp or fp: {_describe(wrong[0])}")
    return rows


def source_text(file: Path, line: int, cell: int | None, cell_line: int | None) -> str:
    """The stripped source line of a finding; for a notebook, the line inside its cell (the raw
    JSON line can hold a whole cell)."""
    try:
        raw = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    if cell is not None and cell_line is not None:
        try:
            source = json.loads(raw)["cells"][cell]["source"]
        except (ValueError, KeyError, IndexError, TypeError):
            return ""
        lines = ("".join(source) if isinstance(source, list) else str(source)).splitlines()
        return lines[cell_line - 1].strip() if 0 < cell_line <= len(lines) else ""
    lines = raw.splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def scan(repo: Repo, corpus: Path) -> list[Found]:
    """The findings of ``ecolint check`` with its default options on the repository's subtrees."""
    root = corpus / repo.name
    if not root.is_dir():
        raise SystemExit(f"{root}: missing; check out {repo.url} at {repo.commit} there")
    checked_out = _head(root)
    if checked_out and checked_out != repo.commit:
        print(f"warning: {root} is at {checked_out}, judged at {repo.commit}", file=sys.stderr)
    command = [
        sys.executable,
        "-m",
        "ecolint",
        "check",
        "--format",
        "json",
        "--no-cache",
        "--jobs",
        "1",
        *repo.subtrees,
    ]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):
        raise SystemExit(
            f"ecolint failed on {repo.name} (exit {result.returncode}):\n{result.stderr}"
        )
    report = json.loads(result.stdout)
    return [
        Found(
            repo.name,
            item["path"],
            item["line"],
            item["code"],
            source_text(root / item["path"], item["line"], item["cell"], item["cell_line"]),
            item["message"],
        )
        for item in report["findings"]
    ]


def _head(root: Path) -> str | None:
    """The commit of a git checkout, None for a plain folder (an unpacked archive)."""
    if not (root / ".git").exists():
        return None
    result = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or None


def compare(found: Iterable[Found], judged: Iterable[Judged]) -> Comparison:
    """Match findings to judged rows one to one: line and text, then text, then line."""
    pool: dict[tuple[str, str, str], list[Judged]] = {}
    for row in judged:
        pool.setdefault((row.repo, row.path, row.code), []).append(row)
    comparison = Comparison()
    pending = list(found)
    for same in (_same_line_and_text, _same_text, _same_line):
        still: list[Found] = []
        for item in pending:
            rows = pool.get((item.repo, item.path, item.code), [])
            candidates = [row for row in rows if same(item, row)]
            if candidates:
                best = min(candidates, key=lambda row: abs(row.line - item.line))
                rows.remove(best)
                comparison.matches.append((item, best))
            else:
                still.append(item)
        pending = still
    comparison.unjudged = pending
    left = [row for rows in pool.values() for row in rows]
    comparison.lost_tps = [row for row in left if row.verdict == "tp"]
    comparison.gone_fps = [row for row in left if row.verdict == "fp"]
    return comparison


def _same_line_and_text(item: Found, row: Judged) -> bool:
    return item.line == row.line and item.text == row.text


def _same_text(item: Found, row: Judged) -> bool:
    return bool(item.text) and item.text == row.text


def _same_line(item: Found, row: Judged) -> bool:
    return item.line == row.line


def misses_targets(tallies: dict[str, Tally]) -> list[str]:
    """The precision targets of issue 14 that are not met, as sentences."""
    misses = []
    overall = tallies["all"].precision
    if overall is not None and overall < OVERALL_TARGET:
        misses.append(f"overall precision {overall:.2f} < {OVERALL_TARGET}")
    for code, tally in tallies.items():
        precision = tally.precision
        if code == "all" or tally.judged < RULE_TARGET_MIN_JUDGED or precision is None:
            continue
        if precision < RULE_TARGET:
            misses.append(f"{code} precision {precision:.2f} < {RULE_TARGET}")
    return misses


def table(tallies: dict[str, Tally], estimates: dict[str, float | None]) -> str:
    """The result table in Markdown, as the README shows it."""
    lines = [
        "| rule | findings | judged | tp | fp | unjudged | precision (judged) | estimated |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for code, tally in tallies.items():
        name = "**all**" if code == "all" else code
        lines.append(
            f"| {name} | {tally.findings} | {tally.judged} | {tally.tp} | {tally.fp} "
            f"| {tally.unjudged} | {_ratio(tally.precision)} | {_ratio(estimates.get(code))} |"
        )
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def write_unjudged(path: Path, items: Sequence[Found], repos: Sequence[Repo]) -> None:
    """New findings as judged.csv rows with an empty verdict and reason, ready to judge."""
    commits = {repo.name: repo.commit for repo in repos}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for item in items:
            writer.writerow(
                (item.repo, commits[item.repo], item.path, item.line, item.code, "", "", item.text)
            )


def report(comparison: Comparison) -> None:
    print(table(comparison.tallies(), comparison.estimates()))
    sections = (
        (
            "unjudged findings",
            [f"{_describe(item)}\n    {item.message}" for item in comparison.unjudged],
        ),
        ("lost TPs (judged tp, no longer found)", [_describe(row) for row in comparison.lost_tps]),
        ("judged fp no longer found", [_describe(row) for row in comparison.gone_fps]),
    )
    for title, entries in sections:
        if entries:
            print(f"\n{title}: {len(entries)}")
            for entry in entries:
                print(f"  {entry}")


def _describe(item: Found | Judged) -> str:
    return f"{item.repo}:{item.path}:{item.line}: {item.code} {item.text}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder of the checkouts")
    parser.add_argument("--repos", type=Path, default=HERE / "repos.json")
    parser.add_argument("--judged", type=Path, default=HERE / "judged.csv")
    parser.add_argument("--only", action="append", default=[], help="scan only this repo")
    parser.add_argument("--write-unjudged", type=Path, metavar="FILE")
    parser.add_argument(
        "--check-targets",
        action="store_true",
        help=f"fail below {OVERALL_TARGET} overall or {RULE_TARGET} for a rule "
        f"with >= {RULE_TARGET_MIN_JUDGED} judged",
    )
    args = parser.parse_args(argv)
    repos = [repo for repo in load_repos(args.repos) if not args.only or repo.name in args.only]
    names = {repo.name for repo in repos}
    judged = [row for row in load_judged(args.judged) if row.repo in names]
    found = [item for repo in repos for item in scan(repo, args.corpus)]
    comparison = compare(found, judged)
    report(comparison)
    if args.write_unjudged:
        write_unjudged(args.write_unjudged, comparison.unjudged, repos)
    failed = bool(comparison.lost_tps)
    if args.check_targets:
        for miss in misses_targets(comparison.tallies()):
            print(f"target missed: {miss}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
