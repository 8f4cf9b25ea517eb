"""GitLab Code Quality report: the JSON array of issues GitLab shows in merge requests
(``artifacts: reports: codequality``), with the fields GitLab documents as required:
``description``, ``check_name``, ``fingerprint``, ``severity`` and ``location.path`` with
``location.lines.begin``."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from ecolint.findings.model import Finding
from ecolint.reporters.inert import inert_json
from ecolint.results import RunResult

# GitLab's scale: info, minor, major, critical, blocker.
SEVERITIES = {
    "red": "critical",
    "orange": "major",
    "yellow": "minor",
    "gray": "info",
    "green": "info",
}


def _issue(finding: Finding, seen: Counter[str]) -> dict[str, Any]:
    """The fingerprint follows the finding's code fingerprint (stable when lines move), made
    unique when the same code and text occur twice in a file: GitLab keeps one per value."""
    identity = f"{finding.code}\0{finding.path}\0{finding.fingerprint or finding.line}"
    seen[identity] += 1
    key = f"{identity}\0{seen[identity]}"
    description = f"{finding.code} {finding.message}"
    if finding.headline:
        description += f" ({finding.headline})"
    return {
        "description": description,
        "check_name": f"{finding.code} {finding.name}",
        "fingerprint": hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest(),
        "severity": SEVERITIES[finding.mood],
        "location": {
            "path": finding.path,
            "lines": {"begin": finding.line, "end": max(finding.end_line, finding.line)},
        },
    }


def render_gitlab(result: RunResult) -> str:
    seen: Counter[str] = Counter()
    issues = [_issue(finding, seen) for finding in result.findings]
    return inert_json(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"
