"""The stable JSON shape documented in the README ("Output formats")."""

from __future__ import annotations

import json
from collections import Counter

from ecolint import __version__
from ecolint.evidence.cost import total
from ecolint.evidence.dataset import data_version
from ecolint.results import RunResult
from ecolint.rules import MOODS


def render_json(result: RunResult, gpu: str) -> str:
    counts = Counter(finding.mood for finding in result.findings)
    document = {
        "version": __version__,
        "data_version": data_version(),
        "gpu": gpu,
        "findings": [finding.as_dict() for finding in result.findings],
        "summary": {
            "total": len(result.findings),
            "by_severity": {mood: counts.get(mood, 0) for mood in MOODS},
            "files_scanned": result.files_seen,
            "files_analysed": result.files_analysed,
            "internal_errors": [
                {"path": error.path, "code": error.code, "message": error.message}
                for error in result.internal_errors
            ],
            "baseline": _baseline(result),
            "cost": total(
                [
                    (finding.path, (finding.evidence or {}).get("cost"))
                    for finding in result.findings
                ]
            ),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _baseline(result: RunResult) -> dict[str, object] | None:
    outcome = result.baseline
    if outcome is None:
        return None
    fixed = [
        {"code": entry.code, "path": entry.path, "line": entry.line, "message": entry.message}
        for entry in outcome.fixed
    ]
    return {"matched": outcome.matched, "fixed": fixed}
