"""The ``ecolint`` command as users run it: a real subprocess of the installed entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ECO101_SCRIPT, FIXTURES
from conftest import run_ecolint as run

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (tmp_path / "clean.py").write_text("print('hello')\n", encoding="utf-8")
    return tmp_path


def test_version_names_tool_and_data(tmp_path: Path) -> None:
    out = run("--version", cwd=tmp_path)
    assert out.returncode == 0
    assert out.stdout.startswith("ecolint 0.") and "(data ecocompute-" in out.stdout


def test_findings_exit_1_with_text_report(project: Path) -> None:
    out = run("check", cwd=project)
    assert out.returncode == 1, out.stderr
    first, evidence = out.stdout.splitlines()[:2]
    assert first.startswith("app.py:2:26: ECO101 [orange] bitsandbytes INT8")
    assert first.endswith("set llm_int8_threshold=0.0"), "the evidence has its own line"
    assert evidence.startswith("    evidence: +") and "vs FP16 row 25, ★★☆ RTX 4090D" in evidence
    assert "fix: set llm_int8_threshold=0.0" in out.stdout
    assert "Found 1 finding (1 orange)" in out.stdout
    assert "\x1b[" not in out.stdout


def test_clean_tree_exits_0(project: Path) -> None:
    out = run("check", "clean.py", cwd=project)
    assert out.returncode == 0 and "No findings" in out.stdout


def test_exit_zero(project: Path) -> None:
    assert run("check", "--exit-zero", cwd=project).returncode == 0


def test_select_and_ignore_by_prefix(project: Path) -> None:
    assert run("check", "--ignore", "ECO1", cwd=project).returncode == 0
    assert run("check", "--select", "ECO10", cwd=project).returncode == 1
    assert run("check", "--select", "ECO103", cwd=project).returncode == 0


def test_json_output_to_file(project: Path) -> None:
    out = run("check", "--format", "json", "-o", "report.json", cwd=project)
    assert out.returncode == 1 and out.stdout == ""
    document = json.loads((project / "report.json").read_text(encoding="utf-8"))
    assert set(document) == {"version", "data_version", "gpu", "findings", "summary"}
    finding = document["findings"][0]
    assert list(finding) == [
        "code",
        "name",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "cell",
        "cell_line",
        "message",
        "evidence",
        "fix",
    ]
    assert finding["code"] == "ECO101" and finding["severity"] == "orange"
    assert finding["evidence"]["confidence"] == "★★☆"
    assert set(finding["evidence"]) >= {
        "precision",
        "gpu",
        "model_id",
        "delta_pct",
        "confidence",
        "stars",
        "basis",
        "notes",
        "rows",
        "other_sessions",
        "headline",
    }
    assert finding["fix"]["safety"] == "unsafe"
    assert document["summary"]["by_severity"]["orange"] == 1
    assert document["summary"]["files_scanned"] == 2


def test_gpu_option_and_errors(project: Path) -> None:
    out = run("check", "--gpu", "a800", "--format", "json", cwd=project)
    assert json.loads(out.stdout)["findings"][0]["evidence"]["gpu"] == "a800"
    bad = run("check", "--gpu", "rtx9999", cwd=project)
    assert bad.returncode == 2 and "unknown GPU 'rtx9999'" in bad.stderr
    amd = run("check", "--gpu", "mi300x", cwd=project)
    assert amd.returncode == 2 and "NVIDIA GPUs only" in amd.stderr


def test_usage_error_exits_2(project: Path) -> None:
    assert run("check", "--format", "xml", cwd=project).returncode == 2
    missing = run("check", "nope.py", cwd=project)
    assert missing.returncode == 2 and "nope.py: no such file or directory" in missing.stderr


def test_color_only_when_asked_and_allowed(project: Path) -> None:
    assert "\x1b[" not in run("check", cwd=project, env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" not in run("check", "--no-color", cwd=project).stdout


def test_config_in_pyproject(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.ecolint]\nignore = ["ECO101"]\ngpu = "t4"\n', encoding="utf-8"
    )
    assert run("check", cwd=project).returncode == 0
    (project / "pyproject.toml").write_text('[tool.ecolint]\ngpu = "a800"\n', encoding="utf-8")
    out = run("check", "--format", "json", cwd=project)
    assert json.loads(out.stdout)["gpu"] == "a800"


def test_config_in_ecolint_toml_and_explicit_file(project: Path) -> None:
    (project / "ecolint.toml").write_text('ignore = ["ECO"]\n', encoding="utf-8")
    assert run("check", cwd=project).returncode == 0
    other = project / "strict.toml"
    other.write_text('select = ["ECO101"]\n', encoding="utf-8")
    assert run("check", "--config", str(other), cwd=project).returncode == 1


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[tool.ecolint]\nselct = ["ECO1"]\n', "unknown key 'selct'"),
        ("[tool.ecolint]\ngpu = 4090\n", "'gpu' must be a string"),
        ('[tool.ecolint]\nselect = "ECO1"\n', "'select' must be a list of strings"),
        ('[tool.ecolint.models]\n"acme/x" = -1\n', 'models."acme/x" must be a positive number'),
        ("[tool.ecolint\n", "invalid TOML"),
        ('[tool.ecolint]\ngpu = "rtx9999"\n', "unknown GPU 'rtx9999'"),
    ],
)
def test_bad_config_exits_2_naming_the_key(project: Path, table: str, message: str) -> None:
    (project / "pyproject.toml").write_text(table, encoding="utf-8")
    out = run("check", cwd=project)
    assert out.returncode == 2
    assert message in out.stderr


def test_per_file_ignores_and_exclude(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.ecolint.per-file-ignores]\n"app.py" = ["ECO101"]\n', encoding="utf-8"
    )
    assert run("check", cwd=project).returncode == 0
    (project / "pyproject.toml").write_text(
        '[tool.ecolint]\nexclude = ["app.py"]\n', encoding="utf-8"
    )
    assert run("check", cwd=project).returncode == 0
    assert run("check", "app.py", cwd=project).returncode == 1, "explicit files are scanned"


def test_gitignore_and_skipped_folders(project: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / ".gitignore").write_text("generated/\n", encoding="utf-8")
    for folder in ("generated", ".venv", "node_modules", "build"):
        (project / folder).mkdir()
        (project / folder / "x.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    out = run("check", "--format", "json", cwd=project)
    paths = {finding["path"] for finding in json.loads(out.stdout)["findings"]}
    assert paths == {"app.py"}


@pytest.mark.parametrize(
    "comment", ["# noqa", "# noqa: ECO101", "# NOQA:ECO1,E501", "# ecolint: ignore[ECO101]"]
)
def test_suppression_comments(tmp_path: Path, comment: str) -> None:
    (tmp_path / "app.py").write_text(
        ECO101_SCRIPT.rstrip("\n") + f"  {comment}\n", encoding="utf-8"
    )
    assert run("check", cwd=tmp_path).returncode == 0


def test_a_suppression_that_silences_nothing_is_eco002(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        ECO101_SCRIPT.rstrip("\n") + "  # NOQA:ECO101,ECO102\n", encoding="utf-8"
    )
    out = run("check", "--no-color", cwd=tmp_path)
    assert out.returncode == 1
    assert "app.py:2:46: ECO002 [yellow] unused suppression of ECO102" in out.stdout
    assert "ECO101 [" not in out.stdout
    assert run("check", "--ignore", "ECO102", cwd=tmp_path).returncode == 0


def test_noqa_for_another_code_does_not_suppress(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        ECO101_SCRIPT.rstrip("\n") + "  # noqa: ECO102\n", encoding="utf-8"
    )
    assert run("check", cwd=tmp_path).returncode == 1


def test_syntax_error_is_eco001_and_the_run_goes_on(project: Path) -> None:
    (project / "broken.py").write_text(
        "from transformers import BitsAndBytesConfig\nx = BitsAndBytesConfig(load_in_8bit=True\n",
        encoding="utf-8",
    )
    out = run("check", cwd=project)
    assert (
        "broken.py:2:23: ECO001 [gray] file could not be analysed: "
        "syntax error: '(' was never closed" in out.stdout
    )
    assert "app.py:2:26: ECO101" in out.stdout
    assert out.returncode == 1


def test_rule_docs_and_rules_table(tmp_path: Path) -> None:
    doc = run("rule", "eco101", cwd=tmp_path)
    assert doc.returncode == 0
    for heading in (
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## Fix safety",
        "## Evidence",
    ):
        assert heading in doc.stdout
    assert run("rule", "ECO999", cwd=tmp_path).returncode == 2
    table = run("rules", cwd=tmp_path).stdout
    for code in ("ECO001", "ECO101", "ECO102", "ECO103"):
        assert code in table


def test_fixtures_tree_from_another_directory(tmp_path: Path) -> None:
    out = run("check", str(FIXTURES / "crossmodule"), cwd=tmp_path)
    assert out.returncode == 1
    assert "settings.py:6:" in out.stdout


def test_internal_error_names_file_and_rule_and_run_goes_on(project: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ecolint.checks import base
    from ecolint.config import Settings
    from ecolint.pipeline.run import Pipeline

    class Broken(base.Check):
        code = "ECO101"

        def run(self, module):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    real = base.registry()
    monkeypatch.setattr("ecolint.pipeline.setup.registry", lambda: {**real, "ECO101": Broken})
    (project / "second.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    result = Pipeline(Settings(root=project)).run([project])
    assert {(Path(error.path).name, error.code) for error in result.internal_errors} == {
        ("app.py", "ECO101"),
        ("second.py", "ECO101"),
    }
    assert "RuntimeError: boom" in result.internal_errors[0].message


def test_per_file_ignores_are_relative_to_the_config_folder(project: Path) -> None:
    (project / "pkg").mkdir()
    (project / "pkg" / "load.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (project / "app.py").unlink()
    (project / "pyproject.toml").write_text(
        '[tool.ecolint.per-file-ignores]\n"pkg/*" = ["ECO1"]\n', encoding="utf-8"
    )
    assert run("check", cwd=project).returncode == 0
    assert run("check", ".", cwd=project / "pkg").returncode == 0


def test_json_matches_the_shape_documented_in_the_readme(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("`json`: a stable document.", 1)[1].split("```json", 1)[1]
    documented = json.loads(block.split("```", 1)[0])
    out = run("check", str(ROOT / "examples" / "serve_int8.py"), "--format", "json", cwd=ROOT)
    actual = json.loads(out.stdout)
    assert set(actual) == set(documented)
    assert set(actual["summary"]) == set(documented["summary"])
    finding, example = actual["findings"][0], documented["findings"][0]
    assert list(finding) == list(example)
    assert set(finding["evidence"]) == set(example["evidence"])
    assert set(finding["evidence"]["rows"][0]) == set(example["evidence"]["rows"][0])
    assert set(finding["fix"]) == set(example["fix"])
    assert finding["message"] == example["message"]
    assert finding["evidence"]["delta_pct"] == example["evidence"]["delta_pct"]


def test_deeply_nested_expression_is_analysed(tmp_path: Path) -> None:
    """libcst recurses per nesting level; a 600-term concatenation must not exhaust the stack."""
    terms = " + ".join(['"a"'] * 600)
    path = tmp_path / "deep.py"
    path.write_text(
        f"from transformers import BitsAndBytesConfig\nS = {terms}\n"
        "cfg = BitsAndBytesConfig(load_in_8bit=True)\n",
        encoding="utf-8",
    )
    result = run("check", "--no-color", str(path), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "deep.py:3:26: ECO101" in result.stdout


def test_version_and_clean_runs_import_no_analysis(tmp_path: Path) -> None:
    """``--version`` and a run on files without trigger words load neither libcst, the engine
    nor the measurements table: they are what every commit pays."""
    (tmp_path / "clean.py").write_text("print('hello')\n", encoding="utf-8")
    probe = """
import sys
from ecolint.cli import main
for args in (["--version"], ["check", "."]):
    try:
        main(args)
    except SystemExit as stop:
        assert stop.code == 0, stop.code
heavy = ["libcst", "ecolint.pipeline.run", "ecolint.analysis.module"]
loaded = [name for name in heavy if name in sys.modules]
from ecolint.evidence import dataset
print(loaded, dataset.measurements.cache_info().currsize)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[] 0"
