"""Baselines: today's findings are frozen; line shifts, edits elsewhere and moved files keep
them frozen, a changed offending line revives them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_ecolint as run

INT8 = (
    "from transformers import BitsAndBytesConfig\n"
    "\n"
    "cfg = BitsAndBytesConfig(load_in_8bit=True)\n"
    "other = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=6.0)\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "load.py").write_text(INT8, encoding="utf-8")
    written = run("check", "--write-baseline", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert "wrote 2 findings to .ecolint-baseline.json" in written.stderr
    return tmp_path


def test_baseline_hides_frozen_findings(project: Path) -> None:
    out = run("check", "--baseline", ".ecolint-baseline.json", cwd=project)
    assert out.returncode == 0, out.stdout
    assert "2 baselined findings not shown; 0 fixed since the baseline." in out.stdout


def test_line_shifts_and_edits_elsewhere_keep_findings_baselined(project: Path) -> None:
    """Lines added above, whitespace inside the offending line, a new trailing comment."""
    shifted = INT8.replace(
        "cfg = BitsAndBytesConfig(load_in_8bit=True)",
        "cfg = BitsAndBytesConfig( load_in_8bit = True )  # TODO: revisit",
    )
    path = project / "pkg" / "load.py"
    path.write_text(f'"""Loading helpers."""\nimport os\n\n\n{shifted}\nprint(os.getcwd())\n')
    assert run("check", "--baseline", ".ecolint-baseline.json", cwd=project).returncode == 0


def test_moved_file_keeps_findings_baselined(project: Path) -> None:
    (project / "pkg" / "load.py").rename(project / "pkg" / "loading.py")
    assert run("check", "--baseline", ".ecolint-baseline.json", cwd=project).returncode == 0


def test_copied_code_in_a_new_file_is_new(project: Path) -> None:
    (project / "pkg" / "copy.py").write_text(INT8, encoding="utf-8")
    out = run("check", "--baseline", ".ecolint-baseline.json", cwd=project)
    assert out.returncode == 1 and out.stdout.count("pkg/copy.py") == 2


def test_changed_offending_line_revives_and_fixed_ones_are_listed(project: Path) -> None:
    path = project / "pkg" / "load.py"
    path.write_text(
        INT8.replace("load_in_8bit=True)", "load_in_8bit=True, llm_int8_threshold=0.0)", 1).replace(
            "llm_int8_threshold=6.0", "llm_int8_threshold=5.0"
        ),
        encoding="utf-8",
    )
    out = run("check", "--baseline", ".ecolint-baseline.json", "--format", "json", cwd=project)
    assert out.returncode == 1
    document = json.loads(out.stdout)
    assert [(f["line"], f["code"]) for f in document["findings"]] == [(4, "ECO101")]
    baseline = document["summary"]["baseline"]
    assert baseline["matched"] == 0
    assert sorted(entry["line"] for entry in baseline["fixed"]) == [3, 4]


def test_baseline_from_config_and_bad_baselines(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.ecolint]\nbaseline = ".ecolint-baseline.json"\n', encoding="utf-8"
    )
    assert run("check", cwd=project).returncode == 0
    (project / "broken.json").write_text("{not json", encoding="utf-8")
    out = run("check", "--baseline", "broken.json", cwd=project)
    assert out.returncode == 2 and "broken.json: not an ecolint baseline" in out.stderr
    (project / "pyproject.toml").write_text("[tool.ecolint]\nbaseline = 3\n", encoding="utf-8")
    out = run("check", cwd=project)
    assert out.returncode == 2 and "'baseline' must be a path" in out.stderr


def test_baseline_file_lists_rule_path_and_fingerprint(project: Path) -> None:
    document = json.loads((project / ".ecolint-baseline.json").read_text(encoding="utf-8"))
    assert document["version"] == 1
    entry = document["findings"][0]
    assert entry["code"] == "ECO101" and entry["path"] == "pkg/load.py"
    assert len(entry["fingerprint"]) == 20
