"""Which findings two runs disagree on: those lost, those new, and those whose message or span
changed. Made to check that a change of the engine (the move of the analysis from libcst to
``ast``) keeps every finding; each difference printed must be understood.

    ecolint check . --format json --no-cache --exit-zero --include-tests --show-green \
        --jobs 1 -o /tmp/after.json
    python benchmarks/compare_findings.py BEFORE.json /tmp/after.json

Exits 1 when the runs differ. Not a test: the inputs are runs on corpora outside the repo.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

Key = tuple[str, str, int, int]


def _findings(path: Path) -> dict[Key, dict[str, Any]]:
    """Findings by code, path, line and column (repeats at one spot get ``#n`` codes)."""
    by_key: dict[Key, dict[str, Any]] = {}
    seen: Counter[Key] = Counter()
    for finding in json.loads(path.read_text(encoding="utf-8"))["findings"]:
        key: Key = (finding["code"], finding["path"], finding["line"], finding["column"])
        seen[key] += 1
        if seen[key] > 1:
            key = (f"{key[0]}#{seen[key]}", *key[1:])  # type: ignore[assignment]
        by_key[key] = finding
    return by_key


def _show(key: Key, finding: dict[str, Any]) -> str:
    code, path, line, column = key
    return f"  {code} {path}:{line}:{column} {finding['message']}"


def compare(before: Path, after: Path) -> int:
    old, new = _findings(before), _findings(after)
    lost = [key for key in old if key not in new]
    added = [key for key in new if key not in old]
    changed = [
        key
        for key in old
        if key in new
        and (
            old[key]["message"] != new[key]["message"]
            or (old[key]["end_line"], old[key]["end_column"])
            != (new[key]["end_line"], new[key]["end_column"])
        )
    ]
    print(
        f"before {len(old)}, after {len(new)}: {len(lost)} lost, {len(added)} new, "
        f"{len(changed)} changed"
    )
    for title, keys, source in (("lost", lost, old), ("new", added, new)):
        if keys:
            print(f"{title}:")
            for key in sorted(keys):
                print(_show(key, source[key]))
    if changed:
        print("changed (before, then after):")
        for key in sorted(changed):
            print(_show(key, old[key]))
            print(f"    end {old[key]['end_line']}:{old[key]['end_column']}")
            print(_show(key, new[key]))
            print(f"    end {new[key]['end_line']}:{new[key]['end_column']}")
    return 1 if lost or added or changed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    options = parser.parse_args()
    sys.exit(compare(options.before, options.after))


if __name__ == "__main__":
    main()
