"""Rule documentation sits below the advisor: ``ecolint rules`` and ``ecolint rule`` render
without loading any advisor module (both share ``ecolint.text_table``)."""

from __future__ import annotations

import subprocess
import sys

RENDER_DOCS = """
import sys

from ecolint.docs import render_rule, render_rules_table
from ecolint.rules import all_rules

rules = list(all_rules().values())
render_rules_table(rules, "zh")
render_rule(rules[0], "en")
print(sorted(name for name in sys.modules if name.startswith("ecolint.advisor")))
"""


def test_rule_docs_load_no_advisor_module() -> None:
    run = subprocess.run(
        [sys.executable, "-c", RENDER_DOCS], capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"
