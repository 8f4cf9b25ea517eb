"""How long a one-file run takes, and which imports its time goes to: the pre-commit case
(a commit of one file), where start-up is most of the run.

Runs ``ecolint check --no-cache --exit-zero -q FILE`` on the two files ``scan.py`` times (the
smallest corpus file with ``load_in_8bit``, and one that names no ``from_pretrained``), with
bytecode caches as an installed tool has them. Prints, over ``--runs`` runs each, the median
and the fastest wall time and CPU time (the process and its forked worker), and the modules
whose imports take longest (``python -X importtime``, fastest of the runs, cumulative). The
target (issue 15) is 200 ms for the file with triggers. Not a test and not run by CI: timings
depend on the machine; CPU time is what stays comparable on a busy one, and ``--instructions``
counts what each run executes (``valgrind --tool=callgrind``, the analysis in the one process as
where ``fork`` is missing): the same on any load, to compare two commits on a shared machine.

    python benchmarks/startup.py [--runs 10] [--top 15] [--instructions]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import CORPUS, default_cache, fetch
from scan import ONE_FILE_TARGET_S, _first

ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def command(path: Path) -> list[str]:
    return [sys.executable, "-m", "ecolint", "check", "--no-cache", "--exit-zero", "-q", str(path)]


def once(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU of the process and of the children it waited for)."""
    start = time.perf_counter()
    process = subprocess.Popen(command(path), env=ENVIRONMENT, stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def imports(path: Path, runs: int) -> dict[str, int]:
    """Each module's cumulative import time in microseconds, the fastest of ``runs``."""
    fastest: dict[str, int] = {}
    for _ in range(runs):
        run = subprocess.run(
            [sys.executable, "-X", "importtime", *command(path)[1:]],
            env=ENVIRONMENT,
            capture_output=True,
            text=True,
            check=False,
        )
        for line in run.stderr.splitlines():
            if not line.startswith("import time:") or "imported package" in line:
                continue
            _, cumulative, name = line.removeprefix("import time:").split("|")
            key = name[1:].rstrip()  # nested imports keep their indentation
            fastest[key] = min(fastest.get(key, 1 << 62), int(cumulative))
    return fastest


# The command with the analysis in this process: callgrind counts a forked child's instructions
# from the parent's count at the fork, so the two cannot be added.
IN_ONE_PROCESS = "import os, runpy; del os.fork; runpy.run_module('ecolint', run_name='__main__')"


def instructions(path: Path) -> int:
    """Instructions one run executes (valgrind's callgrind)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        run = [sys.executable, "-c", IN_ONE_PROCESS, *command(path)[3:]]
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *run],
            env=ENVIRONMENT,
            capture_output=True,
            check=True,
        )
        summary = next(line for line in out.read_text().splitlines() if line.startswith("summary:"))
        return int(summary.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--top", type=int, default=15, help="top-level imports to list")
    parser.add_argument("--instructions", action="store_true", help="count them (valgrind)")
    args = parser.parse_args()
    trees = [fetch(requirement, default_cache()) for requirement in CORPUS]
    files = {
        "one file with triggers": _first(trees, b"load_in_8bit"),
        "one file without": _first(trees, b"def ", exclude=b"from_pretrained"),
    }
    print(
        f"{'run':<24} | {'wall median':>11} | {'wall min':>8} | {'CPU median':>10} | {'CPU min':>7}"
    )
    for name, path in files.items():
        once(path)  # bytecode written
        walls, cpus = zip(*(once(path) for _ in range(args.runs)), strict=True)
        print(
            f"{name:<24} | {statistics.median(walls) * 1000:8.0f} ms | {min(walls) * 1000:5.0f} ms"
            f" | {statistics.median(cpus) * 1000:7.0f} ms | {min(cpus) * 1000:4.0f} ms"
        )
    print(f"target: one file with triggers ≤ {ONE_FILE_TARGET_S * 1000:.0f} ms (wall)")
    if args.instructions:
        for name, path in files.items():
            print(f"{name:<24} | {instructions(path) / 1e6:6.0f} M instructions")
    found = imports(files["one file with triggers"], min(args.runs, 5))
    top = sorted(
        ((us, name) for name, us in found.items() if not name.startswith(" ")), reverse=True
    )
    print(f"slowest top-level imports (cumulative, fastest of {min(args.runs, 5)} runs):")
    for us, name in top[: args.top]:
        print(f"  {us / 1000:6.1f} ms  {name}")


if __name__ == "__main__":
    main()
