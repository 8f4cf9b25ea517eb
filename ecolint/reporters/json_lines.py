"""One JSON object per finding and line, in the shape of the JSON report's ``findings``: for
tools that stream, and for ``grep``."""

from __future__ import annotations

import json

from ecolint.reporters.inert import inert_json
from ecolint.results import RunResult


def render_json_lines(result: RunResult) -> str:
    return "".join(
        inert_json(json.dumps(finding.as_dict(), ensure_ascii=False)) + "\n"
        for finding in result.findings
    )
