"""Each rule's YAML is complete (en + zh), has a check, and its own examples hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import expectations, scan

from ecolint.checks.base import registry
from ecolint.engine import ENGINE_RULES
from ecolint.rules import MOODS, all_rules

RULES = list(all_rules().values())
EXAMPLES = [
    (rule.code, kind, index, text)
    for rule in RULES
    for kind in ("invalid", "valid")
    for index, text in enumerate(rule.examples.get(kind, []))
]


def test_every_rule_has_a_check_and_every_check_a_rule() -> None:
    checks = set(registry())
    rules = {rule.code for rule in RULES if rule.code not in ENGINE_RULES}
    assert checks == rules


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_metadata_is_complete(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.mood in MOODS
    assert rule.summary.get("en") and rule.summary.get("zh")
    for texts in rule.messages.values():
        assert texts["en"] and texts["zh"]
        assert set(_fields(texts["en"])) == set(_fields(texts["zh"]))
    for section in ("what", "why", "fix_safety"):
        assert rule.docs[section]["en"] and rule.docs[section]["zh"], section
    assert rule.docs["example"] and rule.docs["use_instead"]
    assert rule.fix["summary"]["en"] and rule.fix["summary"]["zh"]
    assert rule.examples.get("invalid") and rule.examples.get("valid")


def _fields(template: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


@pytest.mark.parametrize(
    ("code", "kind", "index", "text"),
    EXAMPLES,
    ids=[f"{code}-{kind}-{index}" for code, kind, index, _ in EXAMPLES],
)
def test_rule_examples(tmp_path: Path, code: str, kind: str, index: int, text: object) -> None:
    """An example is Python source (written as ``example.py``) or ``{files: {name: text}}``
    for rules that read other files or need several of them."""
    files = text["files"] if isinstance(text, dict) else {"example.py": text}
    paths = []
    for name, content in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(content, encoding="utf-8")
    result = scan([tmp_path])
    assert not result.internal_errors
    mine = {(Path(f.path).name, f.line, f.code) for f in result.findings if f.code == code}
    if kind == "invalid":
        assert mine, "an invalid example must produce a finding"
        expected = {
            (path.name, line, expected_code)
            for path in paths
            for line, expected_code in expectations(path)
            if expected_code == code
        }
        assert mine == expected
    else:
        assert not mine


def test_readme_rules_table_lists_every_rule() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Rules", 1)[1].split("\n\n", 2)[1]
    for rule in RULES:
        assert f"| {rule.code} | `{rule.name}` | {rule.mood}" in table, rule.code
