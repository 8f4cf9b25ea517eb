"""ecolint on real LLM code, against ruff and flake8: the numbers behind "Speed" in the README.

Downloads pinned releases of transformers, peft, trl and torchao with pip (no install), then
times, several runs each, median: ruff (default rules, ``--no-cache``); ecolint cold
(``--no-cache``) with one job and with every CPU; ecolint warm (the result cache filled by a
previous run); a one-file pre-commit-style run on a file with trigger words and on one without;
flake8 alone and flake8 with the ecolint plugin; cold runs on 1, 2 and 4 copies of the corpus
(cost per file must stay flat). Prints wall times, peak RSS and the ratios the project targets,
and compares the cold run's findings with ``corpus_findings.json`` (recorded by
``--record-findings`` when the analysis ran on libcst, so a faster analysis that loses a
finding shows here). Not a test and not run by CI: timings depend on the machine.

    python benchmarks/scan.py [--runs 3] [--no-flake8] [--no-scaling] [--cache DIR]
    python benchmarks/scan.py --record-findings
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from corpus import CORPUS, default_cache, fetch, size
from flake8_overhead import WITHOUT_PLUGIN

TARGETS = {  # issue 15's targets (cold: stretch 3x)
    "ecolint cold / ruff": 8.0,
    "ecolint warm / ruff": 1.0,
    "flake8 + plugin / flake8": 1.3,
}
ONE_FILE_TARGET_S = 0.2
RSS_TARGET_MIB = 200
COPIES = (1, 2, 4)
FINDINGS = Path(__file__).with_name("corpus_findings.json")


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``command``, with bytecode caches written
    and used as an installed tool has them (a shell's PYTHONDONTWRITEBYTECODE would make every
    run compile ecolint again)."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {error}")
    return wall, usage.ru_maxrss / 1024


def median_of(runs: int, once: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    results = [once() for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-flake8", action="store_true", help="skip the two flake8 rows")
    parser.add_argument("--no-scaling", action="store_true", help="skip the 1x-4x cold runs")
    parser.add_argument(
        "--record-findings", action="store_true", help=f"write {FINDINGS.name} and exit"
    )
    parser.add_argument("--cache", type=Path, default=default_cache())
    args = parser.parse_args()
    trees = [fetch(requirement, args.cache) for requirement in CORPUS]
    work = Path(tempfile.mkdtemp(prefix="ecolint-bench-"))
    corpus = [str(tree) for tree in trees]
    files, lines = map(sum, zip(*(size(tree) for tree in trees), strict=True))
    ecolint = [sys.executable, "-m", "ecolint", "check", "--exit-zero", "-q"]
    found = work / "cold.json"
    as_json = ["--format", "json", "-o", str(found)]
    if args.record_findings:
        subprocess.run([*ecolint, "--no-cache", *as_json, *corpus], cwd=work, check=True)
        FINDINGS.write_text(json.dumps(_findings(found, work, args.cache), indent=0) + "\n")
        print(f"recorded {FINDINGS}")
        return
    with_trigger = _first(trees, b"load_in_8bit")
    without_trigger = _first(trees, b"def ", exclude=b"from_pretrained")
    rows: dict[str, tuple[float, float]] = {}

    def run(name: str, command: list[str], prepare: Callable[[], None] = lambda: None) -> None:
        def once() -> tuple[float, float]:
            prepare()
            return measure(command, work)

        rows[name] = median_of(args.runs, once)
        print(f"{name}: {rows[name][0]:.2f} s, {rows[name][1]:.0f} MiB", file=sys.stderr)

    def no_cache() -> None:
        shutil.rmtree(work / ".ecolint_cache", ignore_errors=True)

    run(
        "ruff",
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--isolated",
            "--exit-zero",
            "-q",
            *corpus,
        ],
    )
    run("ecolint cold, 1 job", [*ecolint, "--no-cache", "--jobs", "1", *corpus])
    run("ecolint cold", [*ecolint, "--no-cache", *corpus])
    subprocess.run([*ecolint, "--no-cache", *as_json, *corpus], cwd=work, check=True)
    lost = _compare(_findings(found, work, args.cache))
    subprocess.run([*ecolint, *corpus], cwd=work, stdout=subprocess.DEVNULL, check=False)
    run("ecolint warm", [*ecolint, *corpus])
    run("one file with triggers", [*ecolint, "--no-cache", str(with_trigger)], no_cache)
    run("one file without", [*ecolint, "--no-cache", str(without_trigger)], no_cache)
    if not args.no_flake8:
        flake8 = ["--exit-zero", "-q", *corpus]
        run("flake8", [sys.executable, "-c", WITHOUT_PLUGIN, *flake8])
        run("flake8 + plugin", [sys.executable, "-m", "flake8", *flake8])
    scaling = {} if args.no_scaling else _scaling(trees, work, ecolint, files)
    _report(rows, files, lines, os.cpu_count() or 1, args.runs)
    print(f"findings of the cold run vs {FINDINGS.name}: {lost}")
    _scaling_table(scaling)
    shutil.rmtree(work, ignore_errors=True)


def _scaling(
    trees: list[Path], work: Path, ecolint: list[str], files: int
) -> dict[int, tuple[int, float, float]]:
    """Cold runs over 1, 2 and 4 copies of the corpus (each copy its own folder, so the
    module names of one copy do not resolve into another)."""
    results: dict[int, tuple[int, float, float]] = {}
    for copies in COPIES:
        folders = []
        for index in range(copies):
            folder = work / f"copy-{index}"
            if not folder.exists():
                for tree in trees:
                    shutil.copytree(tree, folder / tree.name)
            folders.append(str(folder))
        wall, rss = measure([*ecolint, "--no-cache", *folders], work)
        results[copies] = (files * copies, wall, rss)
        print(f"cold, {copies} copies: {wall:.2f} s, {rss:.0f} MiB", file=sys.stderr)
    return results


def _scaling_table(scaling: dict[int, tuple[int, float, float]]) -> None:
    if not scaling:
        return
    print()
    header = ("copies", "files", "cold wall", "ms / file", "peak RSS")
    print("| " + " | ".join(f"{name:>9}" for name in header) + " |")
    print("|" + "|".join("-" * 10 + ":" for _ in header) + "|")
    for copies, (count, wall, rss) in scaling.items():
        cells = (
            f"{copies}",
            f"{count}",
            f"{wall:.2f} s",
            f"{wall / count * 1000:.2f}",
            f"{rss:.0f} MiB",
        )
        print("| " + " | ".join(f"{cell:>9}" for cell in cells) + " |")


def _findings(report: Path, work: Path, cache: Path) -> list[list[object]]:
    """The cold run's findings as sorted [code, path below the corpus cache, line, column,
    message] rows: what a faster analysis must reproduce."""
    rows = []
    for finding in json.loads(report.read_text())["findings"]:
        path = (work / finding["path"]).resolve()
        relative = path.relative_to(cache.resolve()).as_posix()
        rows.append(
            [finding["code"], relative, finding["line"], finding["column"], finding["message"]]
        )
    return sorted(rows, key=lambda row: [str(item) for item in row])


def _compare(rows: list[list[object]]) -> str:
    """How the cold run's findings differ from the recorded libcst-analysis run (each
    difference is listed on standard error)."""
    if not FINDINGS.exists():
        return "none recorded"
    recorded = {json.dumps(row) for row in json.loads(FINDINGS.read_text())}
    now = {json.dumps(row) for row in rows}
    for row in sorted(recorded - now):
        print(f"lost: {row}", file=sys.stderr)
    for row in sorted(now - recorded):
        print(f"new: {row}", file=sys.stderr)
    return f"{len(recorded - now)} lost, {len(now - recorded)} new"


def _first(trees: list[Path], needle: bytes, exclude: bytes = b"\0") -> Path:
    """The smallest corpus file that holds ``needle`` and not ``exclude``: a typical module a
    commit touches, not the largest one."""
    found = [
        path
        for tree in trees
        for path in tree.rglob("*.py")
        if needle in (data := path.read_bytes()) and exclude not in data and len(data) > 2000
    ]
    if not found:
        raise SystemExit(f"no corpus file contains {needle!r}")
    return min(found, key=lambda path: (path.stat().st_size, str(path)))


def _report(
    rows: dict[str, tuple[float, float]], files: int, lines: int, cpus: int, runs: int
) -> None:
    print(f"corpus: {', '.join(CORPUS)} ({files} files, {lines} lines); {cpus} CPUs;")
    print(f"median of {runs} run(s), wall time; peak RSS of the largest process")
    print(f"| {'run':<26} | {'wall':>8} | {'peak RSS':>9} |")
    print(f"|{'-' * 28}|{'-' * 10}:|{'-' * 11}:|")
    for name, (wall, rss) in rows.items():
        print(f"| {name:<26} | {wall:>6.2f} s | {rss:>5.0f} MiB |")
    ratios = {
        "ecolint cold / ruff": rows["ecolint cold"][0] / rows["ruff"][0],
        "ecolint warm / ruff": rows["ecolint warm"][0] / rows["ruff"][0],
    }
    if "flake8" in rows:
        ratios["flake8 + plugin / flake8"] = rows["flake8 + plugin"][0] / rows["flake8"][0]
    print()
    for name, ratio in ratios.items():
        verdict = "met" if ratio <= TARGETS[name] else "not met"
        print(f"{name}: {ratio:.2f}x (target ≤ {TARGETS[name]:g}x, {verdict})")
    one = rows["one file with triggers"][0]
    print(f"one-file run: {one * 1000:.0f} ms (target ≤ {ONE_FILE_TARGET_S * 1000:.0f} ms)")
    peak = max(rss for name, (_, rss) in rows.items() if name.startswith(("ecolint", "one")))
    print(f"ecolint peak RSS: {peak:.0f} MiB (target ≤ {RSS_TARGET_MIB} MiB)")


if __name__ == "__main__":
    main()
