"""Write the rules table of README.md from the rule files: the output of ``ecolint rules
--format markdown --lang en`` goes between the ``rules-table`` markers.

Run from a checkout with ecolint installed, after adding or changing a rule:
``python scripts/readme_rules_table.py``. tests/test_rules.py fails while the two differ, so
the table is never typed by hand.
"""

from __future__ import annotations

from pathlib import Path

from ecolint.docs import render_rules_table
from ecolint.rules import all_rules

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"


def main() -> None:
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    table = render_rules_table(list(all_rules().values()), "en", markdown=True)
    README.write_text(f"{head}{START}\n{table}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
