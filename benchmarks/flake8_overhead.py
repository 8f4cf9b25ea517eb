"""What the ecolint plugin adds to a flake8 run on real LLM code.

Downloads pinned wheels of transformers, peft and trl (``pip download --no-deps``, nothing is
installed), unpacks them into a cache folder, and times flake8 over each with the plugin and
without it, alternating the two, several runs each. Prints the median wall and CPU times
(flake8 and its workers) and their ratios; the target is at most 1.3x. Not a test and not run
by CI: timings depend on the machine.

    python benchmarks/flake8_overhead.py [--runs 3] [--jobs N] [--cache DIR]

"Without" is the same flake8 in the same environment with ecolint's entry point left out of
plugin discovery, so both runs differ by the plugin and nothing else.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from corpus import default_cache, fetch, size

CORPUS = ("transformers==4.46.3", "peft==0.13.2", "trl==0.12.1")
TARGET = 1.3

# flake8 finds plugins through this function; dropping ecolint's leaves everything else equal.
WITHOUT_PLUGIN = """
import sys
from flake8.main import cli
from flake8.plugins import finder

found = finder.find_plugins
finder.find_plugins = lambda *args: [p for p in found(*args) if p.package != "ecolint"]
sys.exit(cli.main())
"""


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time, and CPU time of flake8 and its workers (steadier on a busy machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per variant (default 3)")
    parser.add_argument("--jobs", help="flake8 --jobs (default: flake8's own, one per CPU)")
    parser.add_argument("--cache", type=Path, default=default_cache(), help="download folder")
    parser.add_argument(
        "--corpus", nargs="+", default=list(CORPUS), help="pinned name==version wheels"
    )
    args = parser.parse_args()
    flake8 = ["--exit-zero", *(["--jobs", args.jobs] if args.jobs else [])]
    variants = {
        "without": [sys.executable, "-c", WITHOUT_PLUGIN, *flake8],
        "with": [sys.executable, "-m", "flake8", *flake8],
    }
    rows = []
    for requirement in args.corpus:
        tree = fetch(requirement, args.cache)
        wall: dict[str, list[float]] = {name: [] for name in variants}
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        for run in range(args.runs):
            for name, command in variants.items():
                seconds, used = timed([*command, tree.name], tree.parent)
                wall[name].append(seconds)
                cpu[name].append(used)
                print(
                    f"{requirement} run {run + 1} {name}: {seconds:.1f} s wall, {used:.1f} s CPU",
                    file=sys.stderr,
                )
        rows.append((requirement, *size(tree), wall, cpu))

    print(f"flake8 alone vs flake8 with the ecolint plugin, median of {args.runs} runs")
    print(_row(["corpus", "files", "lines", *COLUMNS]))
    totals: dict[str, dict[str, float]] = {"wall": {}, "cpu": {}}
    for requirement, files, lines, wall, cpu in rows:
        cells = [requirement, str(files), str(lines)]
        for kind, measured in (("wall", wall), ("cpu", cpu)):
            median = {name: statistics.median(values) for name, values in measured.items()}
            for name, value in median.items():
                totals[kind][name] = totals[kind].get(name, 0.0) + value
            cells += _comparison(median)
        print(_row(cells))
    print(_row(["all", "", "", *_comparison(totals["wall"]), *_comparison(totals["cpu"])]))
    for kind in ("wall", "cpu"):
        ratio = totals[kind]["with"] / totals[kind]["without"]
        verdict = "met" if ratio <= TARGET else "not met"
        print(f"target {TARGET}x on {kind} time, all corpora: {ratio:.2f}x, {verdict}")
    print("(wall time is what users wait for; CPU time is steadier when the machine is busy)")


COLUMNS = ("alone wall", "with wall", "ratio", "alone CPU", "with CPU", "ratio")
WIDTHS = (22, 7, 9, 12, 12, 7, 12, 12, 7)


def _comparison(median: dict[str, float]) -> list[str]:
    without, with_plugin = median["without"], median["with"]
    return [f"{without:.1f} s", f"{with_plugin:.1f} s", f"{with_plugin / without:.2f}x"]


def _row(cells: list[str]) -> str:
    first, *rest = cells
    return f"{first:<{WIDTHS[0]}}" + "".join(
        f"{cell:>{width}}" for cell, width in zip(rest, WIDTHS[1:], strict=False)
    )


if __name__ == "__main__":
    main()
