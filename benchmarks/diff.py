"""How long ``ecolint diff HEAD~1`` takes against a warm ``ecolint check`` of the same tree.

Builds the project of ``lsp_latency.py`` (a few hundred files: loaders, configuration modules,
helpers, a serving script) in a git repository. Each first run gets a new commit in which one
file differs from the working tree (the serving script, committed with another INT8
threshold, then changed back and committed again). Times, as a user runs them in the working
tree, each diff right after a warm ``ecolint check`` (its cache filled by a first run):
``ecolint diff HEAD~1`` against a commit it has never compared with, in the two ways a user
gets there: the commit's files were checked before the change was made (check, edit, commit,
check, diff), or never (the commit came from elsewhere: its version of the changed file is
analysed); the repeated runs against the same commit; and, for reference, ``ecolint check``
right after that file is edited. Prints the medians and the median ratios to the warm check;
the target is at most 1.5×. Not a test and not run by CI: timings depend on the machine.

    python benchmarks/diff.py [--files 300] [--runs 5]
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

from lsp_latency import SERVE, build_project

TARGET_RATIO = 1.5


def ecolint(root: Path, *args: str) -> float:
    """Seconds of one run of the real command (exit codes 0 and 1 are both answers), with
    bytecode caches written and used as an installed tool has them."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ecolint", *args],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"ecolint {' '.join(args)} failed:\n{done.stderr}")
    return seconds


def git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def new_base(root: Path, serve: Path, run: int, checked: bool) -> tuple[float, float]:
    """Seconds of a warm ``ecolint check`` and of the first ``ecolint diff HEAD~1`` against a
    new commit whose serving script has another threshold; ``checked``: ``ecolint check`` ran
    on that commit's files."""
    serve.write_text(SERVE.format(threshold=1.0 + run + (0.5 if checked else 0.0)))
    git(root, "commit", "-q", "-am", f"a new base ({run})")
    if checked:
        ecolint(root, "check", ".")
    serve.write_text(SERVE.format(threshold=0.0))
    git(root, "commit", "-q", "-am", "one file changed")
    ecolint(root, "check", ".")  # the working tree as it was: the cache answers
    return ecolint(root, "check", "."), ecolint(root, "diff", "HEAD~1")


def one_file_edited(root: Path, serve: Path, run: int) -> tuple[float, float]:
    """Seconds of a warm ``ecolint check`` and of one after the serving script was edited (the
    least a diff against a commit with a version of it never analysed can cost), restored."""
    warm = ecolint(root, "check", ".")
    before = serve.read_text()
    serve.write_text(SERVE.format(threshold=100.0 + run))
    seconds = ecolint(root, "check", ".")
    serve.write_text(before)
    return warm, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ecolint-diff-bench-") as name:
        root = Path(name)
        serve = build_project(root, options.files)
        (root / ".gitignore").write_text(".ecolint_cache/\n")
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "base")
        files = len(
            subprocess.run(["git", "ls-files"], cwd=root, capture_output=True).stdout.splitlines()
        )
        seen = [new_base(root, serve, run, checked=True) for run in range(options.runs)]
        unseen = [new_base(root, serve, run, checked=False) for run in range(options.runs)]
        again = [
            (ecolint(root, "check", "."), ecolint(root, "diff", "HEAD~1"))
            for _ in range(options.runs)
        ]
        edited = [one_file_edited(root, serve, run) for run in range(options.runs)]
    print(f"{files} files, one changed; {os.cpu_count()} CPUs; medians of {options.runs} runs")
    print("each diff is timed right after a warm check of the same tree; ratio: diff / check")
    for label, pairs in (
        ("ecolint diff HEAD~1, a new base checked before:", seen),
        ("ecolint diff HEAD~1, a new base never checked:", unseen),
        ("ecolint diff HEAD~1, the same base again:", again),
    ):
        check = statistics.median(warm for warm, _ in pairs)
        diff = statistics.median(seconds for _, seconds in pairs)
        ratio = statistics.median(seconds / warm for warm, seconds in pairs)
        print(f"{label:50} check {check:.2f} s, diff {diff:.2f} s, ratio {ratio:.2f}")
    check = statistics.median(warm for warm, _ in edited)
    alone = statistics.median(seconds for _, seconds in edited)
    ratio = statistics.median(seconds / warm for warm, seconds in edited)
    label = "for reference, ecolint check, one file edited:"
    print(f"{label:50} check {check:.2f} s, then {alone:.2f} s, ratio {ratio:.2f}")
    print(f"target: ratio ≤ {TARGET_RATIO}")


if __name__ == "__main__":
    main()
