"""What reading deployment files costs a tree that has none to report: the number behind
"Scanning a tree of only non-serving files costs no more than before" in the README.

Builds one tree: part of the standard library of the running Python (packages that name no
serving setting) and, for each of ``--copies``, the files a service repository carries beside
its code: a Dockerfile, a Compose file, a GitHub workflow, a Kubernetes manifest, a shell script
and a script without a suffix, a Makefile and a LICENSE, none naming a TGI or vLLM setting.
Then times ``ecolint check --no-cache --jobs 1`` on it, median of ``--runs`` (interleaved),
with this checkout and with ``--baseline`` (a checkout of ecolint before deployment files were
read, e.g. ``git archive`` of the previous commit unpacked), each through ``PYTHONPATH``. Not a
test: timings depend on the machine.

    python benchmarks/non_serving.py --baseline ../ecolint-before [--runs 5] [--copies 200]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
STDLIB_PACKAGES = ("email", "json", "http", "logging", "xml", "urllib", "concurrent", "html")
SERVICE_FILES = {
    "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n"
    'CMD ["gunicorn", "app:app", "--workers", "4"]\n',
    "docker-compose.yml": "services:\n  web:\n    build: .\n    ports: ['8000:8000']\n"
    "    environment:\n      - WORKERS=4\n  db:\n    image: postgres:16\n",
    ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n",
    "deploy/web.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
    "  template:\n    spec:\n      containers:\n        - name: web\n          image: web:1.0\n"
    "          args: [--workers, '4']\n",
    "scripts/release.sh": '#!/bin/sh\nset -e\nVERSION=${1:-dev}\ngit tag "$VERSION"\n',
    "bin/migrate": '#!/usr/bin/env bash\nexec python manage.py migrate "$@"\n',
    "Makefile": "test:\n\tpytest -q\n",
    "LICENSE": "MIT License\n",
}


def build_tree(root: Path, copies: int) -> int:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for package in STDLIB_PACKAGES:
        shutil.copytree(
            stdlib / package, root / "lib" / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    for copy in range(copies):
        for name, text in SERVICE_FILES.items():
            path = root / f"service{copy}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return sum(1 for path in root.rglob("*") if path.is_file())


def once(checkout: Path, tree: Path) -> tuple[float, str]:
    """Wall seconds of one run, and the summary line it printed."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "ecolint", "check", "--no-cache", "--jobs", "1", "."]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{checkout}: exit {done.returncode}: {done.stderr}")
    return seconds, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--copies", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder)
        files = build_tree(tree, options.copies)
        print(f"tree: {files} files ({', '.join(STDLIB_PACKAGES)} + {options.copies} services)")
        rows = {"before": options.baseline.resolve(), "now": HERE}
        times: dict[str, list[float]] = {label: [] for label in rows}
        summaries: dict[str, str] = {}
        for _ in range(options.runs):  # interleaved, so that load on the machine hits both
            for label, checkout in rows.items():
                seconds, summaries[label] = once(checkout, tree)
                times[label].append(seconds)
        results = {label: statistics.median(values) for label, values in times.items()}
        for label, seconds in results.items():
            print(f"{label:>6}: {seconds:.2f} s median of {options.runs}  ({summaries[label]})")
        print(f" ratio: {results['now'] / results['before']:.2f}x")


if __name__ == "__main__":
    main()
