"""Each rule's YAML is complete (en + zh), has a check, and its own examples hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import example_files, example_rules, expectations, run_ecolint, scan

from ecolint.checks.base import registry
from ecolint.fixes import apply
from ecolint.resources import rules_dir
from ecolint.rules import MOODS, all_rules
from ecolint.safe_write import Tree

RULES = list(all_rules().values())
EXAMPLES = [
    (rule.code, kind, index, example)
    for rule in RULES
    for kind in ("invalid", "valid")
    for index, example in enumerate(rule.examples.get(kind, []))
]


def test_every_rule_has_a_check_and_every_check_a_rule() -> None:
    checks = set(registry())
    rules = {rule.code for rule in RULES}
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


def _write_example(folder: Path, example: str | dict[str, Any]) -> list[Path]:
    paths = []
    for name, content in example_files(example).items():
        paths.append(folder / name)
        paths[-1].parent.mkdir(parents=True, exist_ok=True)
        paths[-1].write_text(content, encoding="utf-8")
    return paths


@pytest.mark.parametrize(
    ("code", "kind", "index", "example"),
    EXAMPLES,
    ids=[f"{code}-{kind}-{index}" for code, kind, index, _ in EXAMPLES],
)
def test_rule_examples(
    tmp_path: Path, code: str, kind: str, index: int, example: str | dict[str, Any]
) -> None:
    """Each example runs with only its rule selected (``conftest.example_files`` gives its
    forms); an invalid one reports its rule on its ``# expect:`` lines, a valid one does not."""
    paths = _write_example(tmp_path, example)
    result = scan([tmp_path], select=example_rules(code, paths))
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


REPLACEMENTS = [
    (rule.code, index, example)
    for rule in RULES
    for index, example in enumerate(rule.examples.get("invalid", []))
    if isinstance(example, dict) and "expected_replacement" in example
]


@pytest.mark.parametrize(
    ("code", "index", "example"),
    REPLACEMENTS,
    ids=[f"{code}-invalid-{index}" for code, index, _ in REPLACEMENTS],
)
def test_invalid_examples_are_fixed_into_their_expected_replacement(
    tmp_path: Path, code: str, index: int, example: dict[str, Any]
) -> None:
    """Like Fixit's ``expected_replacement``: the fixed code of an invalid example, written
    in the rule's YAML, is what ``--fix --unsafe-fixes`` makes of it."""
    assert all_rules()[code].fixable, "only a fixable rule's example has a replacement"
    (path,) = _write_example(tmp_path, example)
    findings = scan([path], select=example_rules(code, [path])).findings
    plan = apply.plan([finding for finding in findings if finding.code == code], unsafe=True)
    assert apply.write(plan, Tree([tmp_path])) == [] and plan.applied and not plan.skipped
    assert path.read_text(encoding="utf-8") == example["expected_replacement"]


def test_readme_rules_table_is_what_ecolint_rules_prints(tmp_path: Path) -> None:
    """The table is generated (``python scripts/readme_rules_table.py``), never typed twice."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- rules-table:start -->\n", 1)[1].split("<!-- rules-table:end -->")[0]
    printed = run_ecolint("rules", "--format", "markdown", "--lang", "en", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert table == printed.stdout, "run python scripts/readme_rules_table.py"
    assert all(f"| {code} |" in table for code in all_rules())


def test_rule_files_declare_their_basis() -> None:
    from ecolint.rules import RuleFileError, parse_rule

    text = (
        "code: ECO999\nname: x\nmood: gray\nbasis: {basis}\ntriggers: [x]\n"
        "summary: {{en: x, zh: x}}\nmessages: {{default: {{en: x, zh: x}}}}\ndocs: {{}}\n"
    )
    assert parse_rule(text.format(basis="convention"), "ECO999.yaml").basis == "convention"
    with pytest.raises(RuleFileError, match="basis 'guessed' is not one of"):
        parse_rule(text.format(basis="guessed"), "ECO999.yaml")
    with pytest.raises(RuleFileError, match="missing key 'basis'"):
        parse_rule(text.format(basis="x").replace("basis: x\n", ""), "ECO999.yaml")


def test_a_rules_command_words_are_some_of_its_python_triggers() -> None:
    from ecolint.rules import RuleFileError, parse_rule

    text = (
        "code: ECO999\nname: x\nmood: gray\nbasis: convention\n"
        "triggers: {{default: [torch], python: [pip, setup]}}\ncommands: {commands}\n"
        "summary: {{en: x, zh: x}}\nmessages: {{default: {{en: x, zh: x}}}}\ndocs: {{}}\n"
    )
    assert parse_rule(text.format(commands="[pip]"), "ECO999.yaml").commands == ("pip",)
    for wrong in ("[torch]", "pip"):
        with pytest.raises(RuleFileError, match="'commands' must list some of its Python"):
            parse_rule(text.format(commands=wrong), "ECO999.yaml")


def test_a_rules_docs_and_examples_are_read_when_asked_for() -> None:
    """A run reads every rule file; their docs and examples (three quarters of the text) are
    parsed only by what shows them, and are then the same as in the file."""
    from ecolint.rules import RuleFileError, parse_rule

    text = (
        "code: ECO999\nname: x\nmood: gray\nbasis: informational\ntriggers: [x]\n"
        "summary: {en: x, zh: x}\ndocs: [not, a, mapping]\n"
        "messages: {default: {en: x, zh: x}}\nexamples: {valid: ['ok = 1']}\n"
    )
    rule = parse_rule(text, "ECO999.yaml")
    assert rule.messages == {"default": {"en": "x", "zh": "x"}}
    assert rule.examples == {"valid": ["ok = 1"]}
    with pytest.raises(RuleFileError, match="'docs' must be a dict"):
        assert rule.docs
    with pytest.raises(RuleFileError, match="missing key 'docs'"):
        parse_rule(text.replace("docs: [not, a, mapping]\n", ""), "ECO999.yaml")
    for code, rule in all_rules().items():
        whole = yaml.safe_load((rules_dir() / f"{code}.yaml").read_text(encoding="utf-8"))
        assert (rule.docs, rule.examples) == (whole["docs"], whole.get("examples") or {}), code
