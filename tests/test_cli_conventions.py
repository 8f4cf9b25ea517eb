"""``ecolint check`` as a ruff user would try it: unknown selectors and keys are errors that
say where they came from, a run that checks nothing says why, configuration is hierarchical
with ``--config KEY = VALUE`` overrides, ruff's output formats and options exist, and names
from the scanned tree cannot inject workflow commands or terminal sequences anywhere."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ECO101_SCRIPT
from conftest import run_ecolint as run

ECO401_SCRIPT = (
    "from transformers import AutoModelForCausalLM\n"
    'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-7B-Instruct")\n'
    "out = model.generate(input_ids, max_new_tokens=64, use_cache=False)\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    return tmp_path


# Unknown selectors, codes and keys


@pytest.mark.parametrize(
    ("option", "value"),
    [("--select", "ECO999"), ("--ignore", "FOO"), ("--extend-select", "ECO9")],
)
def test_unknown_selector_on_the_command_line_exits_2(project: Path, option: str, value: str):
    out = run("check", option, value, cwd=project)
    assert out.returncode == 2 and out.stdout == ""
    assert f"{option}: unknown rule selector '{value}'" in out.stderr
    assert "known: ECO, ECO0, ECO1" in out.stderr and "ECO101" in out.stderr


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('select = ["ECO999"]', "'select'"),
        ('ignore = ["ECO9"]', "'ignore'"),
        ('extend-select = ["ECO77"]', "'extend-select'"),
        ('per-file-ignores = { "tests/*" = ["ECO999"] }', "'per-file-ignores.tests/*'"),
    ],
)
def test_unknown_selector_in_the_configuration_names_the_file(
    project: Path, table: str, key: str
) -> None:
    (project / "pyproject.toml").write_text(f"[tool.ecolint]\n{table}\n", encoding="utf-8")
    out = run("check", cwd=project)
    assert out.returncode == 2
    assert "pyproject.toml [tool.ecolint]" in out.stderr and key in out.stderr
    assert "unknown rule selector" in out.stderr and "ECO101" in out.stderr


def test_unknown_key_names_the_file_and_the_closest_key(project: Path) -> None:
    (project / "ecolint.toml").write_text('selct = ["ECO1"]\n', encoding="utf-8")
    out = run("check", cwd=project)
    assert out.returncode == 2
    assert "ecolint.toml: unknown key 'selct'; did you mean 'select'?" in out.stderr


def test_unknown_gpu_in_the_configuration_names_the_file(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.ecolint]\ngpu = "a9000"\n', encoding="utf-8")
    out = run("check", cwd=project)
    assert out.returncode == 2
    assert f"{project / 'pyproject.toml'} gpu: unknown GPU 'a9000'" in out.stderr
    bad = run("check", "--config", "gpu = 'a9000'", cwd=project)
    assert bad.returncode == 2 and "--config: unknown GPU 'a9000'" in bad.stderr


# Runs that check nothing


def test_a_path_that_does_not_exist_is_an_error_without_a_summary(project: Path) -> None:
    out = run("check", "missing", "app.py", cwd=project)
    assert out.returncode == 2
    assert "ecolint: error: missing: no such file or directory" in out.stderr
    assert "No findings" not in out.stdout and out.stdout == ""


@pytest.mark.parametrize(
    ("files", "reason"),
    [({}, "no supported files under empty"), ({"README.md": "# hi\n"}, "no supported files")],
)
def test_a_run_that_checks_nothing_says_why(
    tmp_path: Path, files: dict[str, str], reason: str
) -> None:
    (tmp_path / "empty").mkdir()
    for name, text in files.items():
        (tmp_path / "empty" / name).write_text(text, encoding="utf-8")
    out = run("check", "empty", cwd=tmp_path)
    assert out.returncode == 0
    assert f"ecolint: warning: nothing checked: {reason}" in out.stderr
    assert out.stdout == "No files checked.\n"


def test_everything_ignored_says_so_and_no_respect_gitignore_checks_it(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("generated/\n", encoding="utf-8")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "x.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    out = run("check", cwd=tmp_path)
    assert out.returncode == 0
    assert "all 1 supported files under . are ignored by .gitignore or exclude" in out.stderr
    unfiltered = run("check", "--no-respect-gitignore", cwd=tmp_path)
    assert unfiltered.returncode == 1 and "generated/x.py:2:26: ECO101" in unfiltered.stdout


def test_an_ignored_folder_named_explicitly_is_checked_with_a_warning(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("generated/\n", encoding="utf-8")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "x.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    out = run("check", "generated", cwd=tmp_path)
    assert out.returncode == 1 and "generated/x.py:2:26: ECO101" in out.stdout
    assert "generated is ignored by .gitignore; checking it because it was named" in out.stderr


# Hierarchical configuration and --config


def test_the_nearest_configuration_governs_each_file(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.ecolint]\ngpu = "rtx5090"\n', encoding="utf-8")
    (project / "quiet").mkdir()
    (project / "quiet" / "x.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (project / "quiet" / "pyproject.toml").write_text(
        '[tool.ecolint]\nignore = ["ECO101"]\n', encoding="utf-8"
    )
    (project / "dc").mkdir()
    (project / "dc" / "y.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (project / "dc" / ".ecolint.toml").write_text('gpu = "a800"\n', encoding="utf-8")
    out = run("check", "--output-format", "concise", cwd=project)
    assert out.returncode == 1, out.stderr
    lines = [line for line in out.stdout.splitlines() if ": ECO101 " in line]
    assert len(lines) == 2, out.stdout
    assert lines[0].startswith("app.py:2:26:") and "RTX 5090" in lines[0]
    assert lines[1].startswith("dc/y.py:2:26:") and "A800" in lines[1]
    assert "in 2 analysed of 5 files" in out.stdout  # app.py and dc/y.py
    alone = run("check", "dc/y.py", cwd=project)
    assert "A800" in alone.stdout


def test_config_key_value_overrides_and_config_file_still_works(project: Path) -> None:
    out = run("check", "--config", "gpu = 'a800'", cwd=project)
    assert out.returncode == 1 and "A800" in out.stdout, out.stderr
    (project / "other.toml").write_text('ignore = ["ECO1"]\n', encoding="utf-8")
    assert run("check", "--config", "other.toml", cwd=project).returncode == 0
    typo = run("check", "--config", "gpux = 'a800'", cwd=project)
    assert typo.returncode == 2
    assert "--config 'gpux = 'a800'': unknown key 'gpux'; did you mean 'gpu'?" in typo.stderr


def test_extend_select_adds_to_the_configured_selection(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.ecolint]\nselect = ["ECO4"]\n', encoding="utf-8")
    assert run("check", cwd=project).returncode == 0
    out = run("check", "--extend-select", "ECO101", cwd=project)
    assert out.returncode == 1 and "ECO101" in out.stdout


# New options


def test_show_settings_and_show_files(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.ecolint]\ngpu = "a800"\n', encoding="utf-8")
    (project / "notes.md").write_text("# notes\n", encoding="utf-8")
    settings = run("check", "--show-settings", "app.py", cwd=project)
    assert settings.returncode == 0, settings.stderr
    assert f"Configuration: {(project / 'pyproject.toml').resolve()}" in settings.stdout
    assert 'gpu = "a800"' in settings.stdout and 'select = ["ECO"]' in settings.stdout
    files = run("check", "--show-files", cwd=project)
    assert (files.returncode, files.stdout) == (0, "app.py\npyproject.toml\n")


def test_statistics_count_findings_per_rule(project: Path) -> None:
    (project / "serve.py").write_text(ECO101_SCRIPT + ECO401_SCRIPT, encoding="utf-8")
    out = run("check", "--statistics", cwd=project)
    assert out.returncode == 1
    assert out.stdout.splitlines()[0] == "2  ECO101  [*] int8-outlier-decomposition"
    rows = json.loads(run("check", "--statistics", "--format", "json", cwd=project).stdout)
    assert {row["code"]: row["count"] for row in rows}["ECO101"] == 2


def test_quiet_prints_findings_only_and_very_quiet_nothing(project: Path) -> None:
    quiet = run("check", "-q", cwd=project)
    assert quiet.returncode == 1
    assert quiet.stdout.startswith("app.py:2:26: ECO101") and "Found" not in quiet.stdout
    silent = run("check", "-qq", cwd=project)
    assert (silent.returncode, silent.stdout, silent.stderr) == (1, "", "")


def test_exit_non_zero_on_fix(tmp_path: Path) -> None:
    (tmp_path / "gen.py").write_text(ECO401_SCRIPT, encoding="utf-8")
    out = run("check", "--fix", "--exit-non-zero-on-fix", "--select", "ECO401", cwd=tmp_path)
    assert "use_cache=False" not in (tmp_path / "gen.py").read_text(encoding="utf-8")
    assert out.returncode == 1, out.stdout + out.stderr
    (tmp_path / "gen.py").write_text(ECO401_SCRIPT, encoding="utf-8")
    assert run("check", "--fix", "--select", "ECO401", cwd=tmp_path).returncode == 0


def test_help_lines_are_whole_at_80_columns(tmp_path: Path) -> None:
    top = run("--help", cwd=tmp_path, env={"COLUMNS": "80"})
    commands = top.stdout.split("Commands:")[1].splitlines()[1:]
    assert commands and all(line.rstrip().endswith(".") for line in commands), commands
    assert not any(line.rstrip().endswith(("...", "e.g.")) for line in commands)
    check = run("check", "--help", cwd=tmp_path, env={"COLUMNS": "80"})
    assert all(len(line) <= 80 for line in check.stdout.splitlines()), check.stdout
    assert "--output-format" in check.stdout and "--show-settings" in check.stdout


def test_counts_are_singular_and_plural(project: Path) -> None:
    out = run("check", cwd=project)
    assert "Found 1 finding (1 orange) in 1 analysed of 1 file." in out.stdout
    clean = project / "clean"
    clean.mkdir()
    (clean / "a.py").write_text("x = 1\n", encoding="utf-8")
    assert run("check", "clean", cwd=project).stdout == "No findings in 1 file (0 analysed).\n"
    (clean / "b.py").write_text("x = 2\n", encoding="utf-8")
    assert "No findings in 2 files" in run("check", "clean", cwd=project).stdout
    workload = run("check", "--requests-per-day", "1000", cwd=project)
    assert "Monthly waste of 1 finding in 1 file: " in workload.stdout


# Output formats


def test_output_format_is_an_alias_with_concise_and_full(project: Path) -> None:
    concise = run("check", "--output-format", "concise", cwd=project)
    assert concise.returncode == 1
    assert concise.stdout.splitlines()[0].startswith("app.py:2:26: ECO101 [orange]")
    assert "fix:" not in concise.stdout
    full = run("check", "--output-format", "full", cwd=project).stdout.splitlines()
    assert full[1] == "  2 | cfg = BitsAndBytesConfig(load_in_8bit=True)"
    assert full[2] == "    |                          ^^^^^^^^^^^^^^^^^"


def test_json_lines_gitlab_and_junit(project: Path) -> None:
    (project / "twice.py").write_text(ECO101_SCRIPT + ECO101_SCRIPT, encoding="utf-8")
    lines = run("check", "--output-format", "json-lines", cwd=project).stdout.splitlines()
    assert [json.loads(line)["path"] for line in lines] == ["app.py", "twice.py", "twice.py"]
    issues = json.loads(run("check", "--output-format", "gitlab", cwd=project).stdout)
    assert len(issues) == 3 and len({issue["fingerprint"] for issue in issues}) == 3
    first = issues[0]
    assert first["check_name"] == "ECO101 int8-outlier-decomposition"
    assert first["severity"] == "major" and first["description"].startswith("ECO101 ")
    assert first["location"]["path"] == "app.py" and first["location"]["lines"]["begin"] == 2
    junit = ET.fromstring(run("check", "--output-format", "junit", cwd=project).stdout)
    assert junit.get("failures") == "3"
    assert [suite.get("name") for suite in junit] == ["app.py", "twice.py"]
    clean = ET.fromstring(run("check", "--format", "junit", "--ignore", "ECO1", cwd=project).stdout)
    assert clean.get("failures") == "0" and clean.find("*/testcase") is not None


# Inert output


HOSTILE_NAMES = [
    "x\n::error file=x::pwned.py",
    "::add-mask::secret.py",
    "esc\x1b]0;title\x07\x1b[31m.py",
    "c1\x9b31m.py",
]


def _command_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("::")]


def test_hostile_file_names_are_inert_in_every_format_and_on_stderr(tmp_path: Path) -> None:
    for name in HOSTILE_NAMES:
        (tmp_path / name).write_text(ECO101_SCRIPT, encoding="utf-8")
    for fmt in ("text", "concise", "full", "junit", "markdown", "gitlab", "json", "json-lines"):
        out = run("check", "--format", fmt, cwd=tmp_path)
        assert out.returncode == 1, (fmt, out.stderr)
        assert not _command_lines(out.stdout), fmt
        for char in "\x1b\x07\x9b":
            assert char not in out.stdout + out.stderr, (fmt, char)
    text = run("check", cwd=tmp_path).stdout
    assert "esc\\x1b]0;title\\x07\\x1b[31m.py:2:26: ECO101" in text
    assert "./::add-mask::secret.py:2:26: ECO101" in text
    assert "x\\n::error file=x::pwned.py:2:26: ECO101" in text
    github = run("check", "--format", "github", cwd=tmp_path).stdout.splitlines()
    assert all(line.startswith("::error ") for line in github[:-1]), github
    assert "file=x%0A%3A%3Aerror file=x%3A%3Apwned.py," in github[-2]
    assert "\x1b" not in "".join(github)
    document = json.loads(run("check", "--format", "json", cwd=tmp_path).stdout)
    assert {finding["path"] for finding in document["findings"]} == set(HOSTILE_NAMES)


def test_names_on_stderr_are_inert(tmp_path: Path) -> None:
    out = run("check", "gone\n::error file=x::pwned\x1b[2J", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr == (
        "ecolint: error: gone\\n::error file=x::pwned\\x1b[2J: no such file or directory\n"
    )
    hint = run("check", "--", "--fix", cwd=tmp_path)
    assert hint.returncode == 2 and "after '--' every argument is a path" in hint.stderr
