"""``--statistics``: how many findings each rule has, most first, as ruff counts them; ``[*]``
marks rules with findings ``--fix`` can fix."""

from __future__ import annotations

import json
from collections import Counter

from ecolint.findings.model import Finding


def statistics(findings: list[Finding]) -> list[dict[str, object]]:
    counts = Counter(finding.code for finding in findings)
    names = {finding.code: finding.name for finding in findings}
    fixable = {finding.code for finding in findings if finding.autofix}
    ordered = sorted(counts, key=lambda code: (-counts[code], code))
    return [
        {"code": code, "name": names[code], "count": counts[code], "fixable": code in fixable}
        for code in ordered
    ]


def render_statistics(findings: list[Finding], fmt: str) -> str:
    rows = statistics(findings)
    if fmt in ("json", "json-lines"):
        return json.dumps(rows, indent=2) + "\n"
    width = max((len(str(row["count"])) for row in rows), default=1)
    lines = []
    for row in rows:
        mark = "[*]" if row["fixable"] else "[ ]"
        lines.append(f"{row['count']:>{width}}  {row['code']}  {mark} {row['name']}\n")
    return "".join(lines)
