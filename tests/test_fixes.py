"""Fixes end to end: before/after fixtures, idempotency, notebooks, values defined elsewhere,
tier gating, ``--diff``, and every invalid rule example fixed without touching anything else."""

from __future__ import annotations

import ast
import difflib
import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import libcst as cst
import pytest
from conftest import FIXTURES, case_rules, example_files, example_rules, scan, select_args
from test_cli import run

from ecolint.findings.model import Finding
from ecolint.fixes import apply
from ecolint.rules import all_rules
from ecolint.safe_write import Tree

CASES = sorted(path.name for path in (FIXTURES / "fixes").iterdir() if path.is_dir())


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def scan_case(root: Path) -> list[Finding]:
    """The findings of the rules a case copied to ``root`` names (``copy_case``)."""
    return scan([root], select=case_rules(root.name)).findings


def check_case(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``ecolint check`` in a copied case with only its rules selected."""
    return run("check", *select_args(case_rules(root.name)), *args, cwd=root)


def fix(root: Path, unsafe: bool = True, select: tuple[str, ...] | None = None) -> apply.Plan:
    findings = scan_case(root) if select is None else scan([root], select=select).findings
    plan = apply.plan(findings, unsafe)
    assert apply.write(plan, Tree([root])) == []
    return plan


def copy_case(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / "fixes" / name / "before", target)
    return target


@pytest.mark.parametrize("name", CASES)
def test_fixture_before_becomes_after(tmp_path: Path, name: str) -> None:
    root = copy_case(name, tmp_path)
    plan = fix(root)
    assert plan.applied and not plan.skipped
    assert tree(root) == tree(FIXTURES / "fixes" / name / "after")
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert cst.parse_module(text).code == text
        ast.parse(text)


@pytest.mark.parametrize("name", CASES)
def test_a_second_fix_changes_nothing(tmp_path: Path, name: str) -> None:
    root = copy_case(name, tmp_path)
    fix(root)
    fixed = tree(root)
    second = fix(root)
    assert not second.applied and not second.changes
    assert tree(root) == fixed


@pytest.mark.parametrize("name", CASES)
def test_only_findings_without_a_mechanical_fix_remain(tmp_path: Path, name: str) -> None:
    """``remaining.txt`` beside a case declares its rules (``# rules: ECO101``) and lists
    ``file code`` of the findings a fix leaves, and why after a ``#``."""
    root = copy_case(name, tmp_path)
    fix(root)
    remaining = scan_case(root)
    assert all(not finding.edits for finding in remaining)
    listed = (FIXTURES / "fixes" / name / "remaining.txt").read_text(encoding="utf-8")
    expected = set()
    for line in listed.splitlines():
        if not line.startswith("#"):
            file, code = line.split("#", 1)[0].split()
            expected.add((file, code))
    assert {(Path(f.path).relative_to(root).as_posix(), f.code) for f in remaining} == expected


def test_a_value_shared_by_several_findings_is_fixed_once(tmp_path: Path) -> None:
    root = copy_case("eco101_defined_elsewhere", tmp_path)
    findings = scan_case(root)
    shared = [f for f in findings if any(e.text == "0.0" and e.line == 8 for e in f.edits)]
    assert len(shared) == 2, "first and second flow from THRESHOLD"
    from_settings = [f for f in findings if Path(f.path).name == "serve.py"]
    assert not from_settings, "findings about INT8 are reported where it is defined"
    plan = fix(root)
    assert all(finding in plan.applied for finding in shared)
    after = (root / "values.py").read_text(encoding="utf-8")
    assert after.count("THRESHOLD = 0.0") == 1


def test_notebook_fix_keeps_json_layout_metadata_and_outputs(tmp_path: Path) -> None:
    root = copy_case("notebook", tmp_path)
    before = (root / "trials.ipynb").read_text(encoding="utf-8")
    fix(root)
    after = (root / "trials.ipynb").read_text(encoding="utf-8")
    old, new = json.loads(before), json.loads(after)
    assert old["metadata"] == new["metadata"]
    for old_cell, new_cell in zip(old["cells"], new["cells"], strict=True):
        assert {**old_cell, "source": 0} == {**new_cell, "source": 0}
    changed = [
        line[1:]
        for line in difflib.ndiff(before.splitlines(), after.splitlines())
        if line[0] in "+-"
    ]
    assert len(changed) == 3, "one line added to a source list, one source string rewritten"
    assert "très rapide" in after and "BitsAndBytesConfig {…}" in after


def test_notebook_edit_of_a_magic_line_is_refused(tmp_path: Path) -> None:
    from ecolint.analysis.project import Project
    from ecolint.fixes.edits import Fix, FixError, TextEdit
    from ecolint.fixes.files import replacements

    path = copy_case("notebook", tmp_path) / "trials.ipynb"
    module = Project([path]).load(path)
    assert module.text.startswith("pass\npass\n")
    with pytest.raises(FixError, match="shell or magic line"):
        replacements(Fix((TextEdit(module, 0, 4, "x = 1"),)))
    (inserted,) = replacements(Fix((TextEdit(module, 0, 0, "import torch\n"),)))
    raw = path.read_text(encoding="utf-8")
    after = raw[: inserted.start] + inserted.text + raw[inserted.end :]
    assert json.loads(after)["cells"][1]["source"][:2] == [
        "import torch\n",
        "%pip install -q torchao bitsandbytes\n",
    ]


def test_unsafe_fixes_need_the_flag(tmp_path: Path) -> None:
    root = copy_case("eco103_compile", tmp_path)
    before = tree(root)
    plan = fix(root, unsafe=False)
    assert plan.hidden == 3 and not plan.applied
    assert tree(root) == before
    assert "3 unsafe fixes not applied (add --unsafe-fixes)" in apply.summary(plan, True)


def test_safe_fixes_are_applied_by_fix_alone(tmp_path: Path) -> None:
    root = copy_case("eco103_compile", tmp_path)
    findings = [
        replace(f, fix={**f.fix, "safety": "safe"}) if f.fix else f for f in scan_case(root)
    ]
    plan = apply.plan(findings, unsafe=False)
    assert len(plan.applied) == 3 and plan.hidden == 0


def test_overlapping_fixes_are_left_for_another_run(tmp_path: Path) -> None:
    root = copy_case("eco101_layouts", tmp_path)
    findings = [f for f in scan_case(root) if f.edits]
    first = findings[0]
    rival = replace(first, code="ECO999", edits=(replace(first.edits[0], text=", other=1"),))
    plan = apply.plan([first, rival], unsafe=True)
    assert plan.applied == [first]
    assert plan.skipped == [(rival, "it overlaps another fix (run --fix again)")]


def test_a_fix_that_would_not_parse_is_dropped_with_a_message(tmp_path: Path) -> None:
    root = copy_case("eco101_layouts", tmp_path)
    findings = [f for f in scan_case(root) if f.edits]
    broken = replace(findings[0], edits=(replace(findings[0].edits[0], text=", ("),))
    plan = apply.plan([broken, *findings[1:]], unsafe=True)
    assert [f for f, _ in plan.skipped] == [broken]
    assert "would not parse" in plan.skipped[0][1]
    assert len(plan.applied) == len(findings) - 1
    assert any("not applied: the result would not parse" in note for note in plan.notes())


def test_a_file_changed_since_the_analysis_is_not_written(tmp_path: Path) -> None:
    root = copy_case("eco101_layouts", tmp_path)
    findings = scan_case(root)
    (root / "layouts.py").write_text("# rewritten meanwhile\n", encoding="utf-8")
    plan = apply.plan(findings, unsafe=True)
    assert not plan.applied and not plan.changes
    assert all("changed since it was analysed" in reason for _, reason in plan.skipped)


def test_encodings_and_line_endings_are_kept(tmp_path: Path) -> None:
    text = (
        "# -*- coding: latin-1 -*-\r\n"
        "from transformers import BitsAndBytesConfig\r\n"
        "NOTE = 'café'\r\n"
        "cfg = BitsAndBytesConfig(load_in_8bit=True)\r\n"
    )
    path = tmp_path / "legacy.py"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8").replace(b"latin-1", b"utf-8"))
    latin = tmp_path / "latin.py"
    latin.write_bytes(text.encode("latin-1"))
    fix(tmp_path, select=("ECO101",))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"load_in_8bit=True, llm_int8_threshold=0.0)\r\n" in path.read_bytes()
    assert latin.read_bytes() == text.replace(
        "load_in_8bit=True)", "load_in_8bit=True, llm_int8_threshold=0.0)"
    ).encode("latin-1")


def _fixable_examples() -> list[tuple[str, int, dict[str, str]]]:
    return [
        (rule.code, index, example_files(example))
        for rule in all_rules().values()
        if rule.fixable
        for index, example in enumerate(rule.examples.get("invalid", []))
    ]


@pytest.mark.parametrize(
    ("code", "index", "files"),
    _fixable_examples(),
    ids=[f"{code}-{index}" for code, index, _ in _fixable_examples()],
)
def test_every_invalid_example_is_fixed_and_nothing_else_changes(
    tmp_path: Path, code: str, index: int, files: dict[str, str]
) -> None:
    """The example's Python file (``example.py``, or the first of its ``files:``) is fixed;
    its other files (a requirements pin) are context."""
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    main = "example.py" if "example.py" in files else next(n for n in files if n.endswith(".py"))
    path, text = tmp_path / main, files[main]
    rules = example_rules(code, [path])
    mine = [f for f in scan([tmp_path], select=rules).findings if f.code == code]
    assert mine and all(f.edits for f in mine), "every invalid example has a mechanical fix"
    plan = apply.plan(mine, unsafe=True)
    assert apply.write(plan, Tree([tmp_path])) == [] and not plan.skipped
    after = path.read_text(encoding="utf-8")
    assert cst.parse_module(after).code == after
    ast.parse(after)
    assert not [f for f in scan([tmp_path], select=rules).findings if f.code == code], "gone"
    edited = {line for f in mine for e in f.edits for line in range(e.line, e.end_line + 1)}
    matcher = difflib.SequenceMatcher(None, text.splitlines(), after.splitlines())
    for tag, first, last, _, _ in matcher.get_opcodes():
        if tag != "equal":
            touched = set(range(first + 1, last + 1)) or {first, first + 1}
            assert touched & edited, f"line {first + 1} changed outside the fix's edits"
    again = [f for f in scan([path], select=rules).findings if f.code == code]
    assert not apply.plan(again, unsafe=True).changes, "idempotent"


def test_every_fixable_rule_has_a_fix_and_declares_its_tier() -> None:
    from ecolint.checks.base import Check, registry

    for rule in all_rules().values():
        check = registry().get(rule.code)
        overrides = check is not None and check.fix is not Check.fix
        judged_fix = check is not None and check.judges_findings  # built in its ``finish``
        assert (overrides or judged_fix) == rule.fixable, rule.code
        if rule.fixable:
            assert rule.fix["safety"] in ("safe", "unsafe")
            assert rule.docs["fix_safety"]["en"].startswith(rule.fix["safety"].capitalize())


def test_json_exposes_the_edits(tmp_path: Path) -> None:
    root = copy_case("eco101_defined_elsewhere", tmp_path)
    out = check_case(root, "--format", "json")
    findings = json.loads(out.stdout)["findings"]
    edits = [edit for finding in findings for edit in finding["fix"]["edits"]]
    assert {"path": "app/settings.py", "line": 3, "column": 29, "end_line": 3,
            "end_column": 29, "text": ', "llm_int8_threshold": 0.0'} in edits  # fmt: skip


def test_cli_diff_prints_and_writes_nothing(tmp_path: Path) -> None:
    root = copy_case("eco103_compile", tmp_path)
    before = tree(root)
    out = check_case(root, "--diff", "--unsafe-fixes")
    assert out.returncode == 1, out.stderr
    assert tree(root) == before
    assert out.stdout.startswith("--- fp8.py\n+++ fp8.py\n@@ -5,18 +5,22 @@\n")
    assert "+model.compile()\n" in out.stdout and "+    loaded.compile()\n" in out.stdout
    assert "Would fix 3 findings in 1 file." in out.stderr
    safe_only = check_case(root, "--diff")
    assert safe_only.returncode == 0 and safe_only.stdout == ""
    assert "3 unsafe fixes not applied (add --unsafe-fixes)" in safe_only.stderr


def test_cli_fix_reports_what_was_fixed_and_what_remains(tmp_path: Path) -> None:
    root = copy_case("eco103_compile", tmp_path)
    out = check_case(root, "--fix", "--unsafe-fixes")
    assert out.returncode == 1, "server.py still has a finding"
    assert "Fixed 3 findings in 1 file." in out.stderr
    assert out.stdout.startswith("server.py:9:31: ECO103")
    assert "Found 1 finding (1 red)" in out.stdout
    again = check_case(root, "--fix", "--unsafe-fixes")
    assert "No fixes to apply." in again.stderr


def test_cli_fix_without_unsafe_fixes_changes_nothing(tmp_path: Path) -> None:
    root = copy_case("eco101_layouts", tmp_path)
    before = tree(root)
    out = check_case(root, "--fix")
    assert out.returncode == 1
    assert tree(root) == before
    assert "12 unsafe fixes not applied (add --unsafe-fixes)" in out.stderr
    assert "12 fixable with --fix --unsafe-fixes." in out.stdout
    assert "fix: set llm_int8_threshold=0.0 [unsafe autofix]" in out.stdout


def test_findings_keep_their_order_and_fields(tmp_path: Path) -> None:
    root = copy_case("eco101_layouts", tmp_path)
    findings: list[Finding] = scan_case(root)
    assert findings == sorted(findings, key=Finding.sort_key)
    assert [f.safety for f in findings if f.edits] == ["unsafe"] * 12


@pytest.mark.parametrize(
    ("fix", "message"),
    [
        ("fix: [1]", "'fix' must be a mapping"),
        ("fix: {applicable: yes please}", "'fix.applicable' must be true or false"),
        ("fix: {applicable: true, safety: maybe}", "needs 'fix.safety' safe or unsafe"),
    ],
)
def test_rule_files_declare_fixes_properly(fix: str, message: str) -> None:
    from ecolint.rules import RuleFileError, parse_rule

    text = (
        "code: ECO999\nname: x\nmood: gray\nbasis: informational\ntriggers: [x]\n"
        "summary: {en: x, zh: x}\n"
        "messages: {default: {en: x, zh: x}}\ndocs: {}\n" + fix + "\n"
    )
    with pytest.raises(RuleFileError, match=message):
        parse_rule(text, "ECO999.yaml")


def test_safe_fixes_apply_with_fix_alone_and_unsafe_ones_wait(tmp_path: Path) -> None:
    """ECO002 (safe) is fixed by --fix in the notebook; ECO405 (unsafe) waits for the flag."""
    root = copy_case("notebook_eco405_eco002", tmp_path)
    plan = fix(root, unsafe=False)
    assert sorted(f.code for f in plan.applied) == ["ECO002"] * 3 and plan.hidden == 1
    assert [f.code for f in scan_case(root)] == ["ECO405"]
    assert [f.code for f in fix(root).applied] == ["ECO405"]
    assert tree(root) == tree(FIXTURES / "fixes" / "notebook_eco405_eco002" / "after")


def test_kv_cache_fixes_are_safe(tmp_path: Path) -> None:
    root = copy_case("eco401_kv_cache", tmp_path)
    plan = fix(root, unsafe=False)
    assert len(plan.applied) == 13 and plan.hidden == 0
    settings = (root / "settings.py").read_text(encoding="utf-8")
    assert settings.count("USE_CACHE = True") == 1, "two findings flow from one constant"


@pytest.mark.parametrize("name", ["eco402_sdpa", "eco403_dtype", "eco405_compute_dtype"])
def test_attention_and_dtype_fixes_are_unsafe(tmp_path: Path, name: str) -> None:
    root = copy_case(name, tmp_path)
    before = tree(root)
    plan = fix(root, unsafe=False)
    assert not plan.applied and plan.hidden > 0
    assert tree(root) == before


def test_gpus_without_bf16_get_float16(tmp_path: Path) -> None:
    (tmp_path / "load.py").write_text(
        "import torch\n"
        "from accelerate.utils import BnbQuantizationConfig\n"
        "from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
        'ID = "Qwen/Qwen2.5-7B-Instruct"\n'
        "load = AutoModelForCausalLM.from_pretrained\n"
        'a = load(ID, torch_dtype=torch.float32, device_map="auto")\n'
        'b = load(ID, torch_dtype="float32", device_map="auto")\n'
        'c = load(ID).float().to("cuda")\n'
        "q = BitsAndBytesConfig(load_in_4bit=True)\n"
        'r = BnbQuantizationConfig(load_in_4bit=True, bnb_4bit_compute_dtype="fp32")\n',
        encoding="utf-8",
    )
    findings = scan([tmp_path], gpu="t4", select=("ECO403", "ECO405")).findings
    assert len(findings) == 5
    apply.write(apply.plan(findings, unsafe=True), Tree([tmp_path]))
    after = (tmp_path / "load.py").read_text(encoding="utf-8")
    assert "bfloat16" not in after and "bf16" not in after
    for code in (
        "torch_dtype=torch.float16,",
        'torch_dtype="float16",',
        ".half().to(",
        "BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.float16)",
        'bnb_4bit_compute_dtype="fp16"',
    ):
        assert code in after


def test_the_comment_of_an_unknown_and_an_unused_code_is_fixed_once(tmp_path: Path) -> None:
    """The two ECO002 findings of one comment are kept as one; its fix removes both codes."""
    path = tmp_path / "app.py"
    path.write_text("x = 1  # noqa: E501, ECO999, ECO101\n", encoding="utf-8")
    (finding,) = scan([path], select=("ECO002", "ECO101")).findings
    assert finding.code == "ECO002" and "ECO999" in finding.message
    assert [(e.column, e.end_column, e.text) for e in finding.edits] == [(20, 36, "")]
    fix(tmp_path, select=("ECO002", "ECO101"))
    assert path.read_text(encoding="utf-8") == "x = 1  # noqa: E501\n"


def test_documents_must_still_load_after_a_fix(tmp_path: Path) -> None:
    from ecolint.fixes.files import SourceText

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "deploy.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("torch\n", encoding="utf-8")
    toml = SourceText.read(tmp_path / "pyproject.toml")
    assert toml.kind == "pyproject" and toml.problem('[project]\nname = "x"\n') is None
    assert toml.problem('[project]\nname = "x\n') == "the result would not parse"
    yaml_file = SourceText.read(tmp_path / "deploy.yaml")
    assert yaml_file.problem("a: [1\n") == "the result would not parse"
    assert SourceText.read(tmp_path / "requirements.txt").problem("torch ((\n") is None
