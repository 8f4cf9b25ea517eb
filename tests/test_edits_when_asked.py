"""Fix edits are built only when a run uses them (``--fix``, ``--diff``, the formats that print
them): a plain ``ecolint check`` analyses on ``ast`` and never imports libcst, in its own
process or in the workers it forks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, case_rules, run_ecolint, scan

ROOT = Path(__file__).resolve().parent.parent
FIX_CASES = sorted(path.name for path in (FIXTURES / "fixes").iterdir() if path.is_dir())
CASE = FIXTURES / "fixes" / "eco101_layouts" / "before" / "layouts.py"
# An audit hook is inherited by forked workers, whose stderr (where ``-X importtime`` writes)
# is silenced; the hook appends every libcst import to a file instead.
RECORD_IMPORTS = """
import runpy, sys
log = open(sys.argv.pop(1), "a")
def hook(event, args):
    if event == "import" and args[0].partition(".")[0] == "libcst":
        log.write(args[0] + "\\n")
        log.flush()
sys.addaudithook(hook)
runpy.run_module("ecolint", run_name="__main__", alter_sys=True)
"""


def libcst_imports(tmp_path: Path, *args: str) -> list[str]:
    log = tmp_path / "imports.log"
    log.write_text("", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", RECORD_IMPORTS, str(log), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr  # the case has findings
    return log.read_text(encoding="utf-8").split()


def test_a_plain_check_never_imports_libcst(tmp_path: Path) -> None:
    shutil.copy(CASE, tmp_path / "layouts.py")
    assert libcst_imports(tmp_path, "check", "layouts.py", "--no-cache") == []
    # the same run asking for the edits does import it: the hook sees the workers' imports
    assert "libcst" in libcst_imports(tmp_path, "check", "layouts.py", "--format", "json")


def test_text_output_marks_fixable_findings_and_json_has_their_edits(tmp_path: Path) -> None:
    """A text run builds no edits yet marks the findings a fix applies to (``Check.fixable``),
    the same ones a JSON run builds edits for. The cache keeps what each kind of run built
    apart: a JSON run after a text run does not get the text run's findings."""
    shutil.copy(CASE, tmp_path / "layouts.py")
    text = run_ecolint("check", "layouts.py", cwd=tmp_path).stdout
    assert text.count("[unsafe autofix]") == 12
    assert "12 fixable with --fix --unsafe-fixes." in text
    cached = run_ecolint("check", "layouts.py", "--format", "json", cwd=tmp_path)
    fresh = run_ecolint("check", "layouts.py", "--format", "json", "--no-cache", cwd=tmp_path)
    findings = json.loads(cached.stdout)["findings"]
    assert findings == json.loads(fresh.stdout)["findings"]
    assert sum(bool(finding["fix"]["edits"]) for finding in findings) == 12


@pytest.mark.parametrize("case", [*FIX_CASES, "examples"])
def test_a_fix_is_marked_exactly_where_one_is_built(case: str) -> None:
    """``Check.fixable`` judges on ``ast`` what ``fix`` then builds with libcst: the findings a
    run without edits marks are the ones a run with edits has edits for."""
    if case == "examples":
        root, rules = ROOT / "examples", {}
    else:
        root, rules = FIXTURES / "fixes" / case / "before", {"select": case_rules(case)}

    def where(findings: list, fixed: object) -> set[tuple[str, int, int, str]]:
        return {(f.path, f.line, f.column, f.code) for f in findings if fixed(f)}

    marked = where(scan([root], edits=False, **rules).findings, lambda f: f.autofix)
    built = where(scan([root], edits=True, **rules).findings, lambda f: f.edits)
    assert marked == built and built
