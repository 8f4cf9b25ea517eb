"""The flake8 plugin as users run it: the real ``flake8`` in a subprocess, compared line for
line with ``ecolint check`` on the same tree."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import COUNT_PARSES, FIXTURES

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<column>\d+): (?P<text>ECO\d{3} .*)$")

ECO101_SCRIPT = (
    "from transformers import BitsAndBytesConfig\ncfg = BitsAndBytesConfig(load_in_8bit=True)\n"
)


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return _run("flake8", *args, cwd=cwd)


def ecolint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return _run("ecolint", "check", "--no-color", "--output-format", "concise", *args, cwd=cwd)


def reported(output: str) -> set[tuple[str, int, int, str]]:
    """(path, line, column, "CODE [mood] message (evidence)") of each finding line."""
    found = set()
    for line in output.splitlines():
        match = LINE.match(line)
        if match:
            path = match["path"].removeprefix("./")
            found.add((path, int(match["line"]), int(match["column"]), match["text"]))
    return found


@pytest.mark.parametrize(
    "tree",
    ["examples", "tests/fixtures/shapes", "tests/fixtures/crossmodule"],
)
def test_flake8_reports_what_ecolint_check_reports(tree: str) -> None:
    """flake8 reads Python files only; in them, it reports exactly what ``ecolint check`` does
    (including confidence lowered by the project's dependency pins)."""
    expected = ecolint(tree, cwd=ROOT)
    assert expected.returncode == 1, expected.stderr
    out = flake8("--isolated", "--select=ECO", tree, cwd=ROOT)
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stderr == ""
    in_python = {item for item in reported(expected.stdout) if item[0].endswith(".py")}
    assert in_python, "the tree has findings to compare"
    assert reported(out.stdout) == in_python
    assert all(LINE.match(line) for line in out.stdout.splitlines()), "nothing but ECO lines"


def test_one_module_gets_the_findings_its_neighbours_cause(tmp_path: Path) -> None:
    """settings.py on its own: the model id that makes its 4-bit config a finding is in
    app.py beside it."""
    chatbot = ROOT / "examples" / "chatbot"
    out = flake8("--isolated", "--select=ECO", str(chatbot / "settings.py"), cwd=tmp_path)
    assert sorted((line, column, text[:6]) for _, line, column, text in reported(out.stdout)) == [
        (12, 5, "ECO102"),
        (12, 5, "ECO405"),
    ]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(
        "import os\n" + ECO101_SCRIPT + "plain = BitsAndBytesConfig(load_in_8bit=True)\n",
        encoding="utf-8",
    )
    return tmp_path


def test_plugin_is_on_by_default_and_select_narrows_to_it(project: Path) -> None:
    everything = flake8("--isolated", "app.py", cwd=project).stdout
    assert "app.py:1:1: F401" in everything and "app.py:3:26: ECO101" in everything
    only = flake8("--isolated", "--select=ECO", "app.py", cwd=project).stdout
    assert "F401" not in only and "app.py:3:26: ECO101" in only
    ignored = flake8("--isolated", "--extend-ignore=ECO101", "app.py", cwd=project)
    assert "ECO101" not in ignored.stdout


@pytest.mark.parametrize(
    ("comment", "suppressed"),
    [("# noqa: ECO101", True), ("# noqa", True), ("# noqa: E501", False), ("", False)],
)
def test_flake8_noqa(project: Path, comment: str, suppressed: bool) -> None:
    lines = (project / "app.py").read_text(encoding="utf-8").splitlines()
    lines[2] += f"  {comment}"
    (project / "app.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = flake8("--isolated", "--select=ECO", "app.py", cwd=project)
    assert ("app.py:3:26: ECO101" in out.stdout) is not suppressed
    assert "app.py:4:" in out.stdout, "the other line is still reported"


def _line(output: str) -> str:
    return next(line for line in output.splitlines() if ": ECO101 " in line)


@pytest.mark.parametrize("config_name", ["setup.cfg", "tox.ini", ".flake8"])
def test_gpu_from_flake8_options_over_tool_ecolint(project: Path, config_name: str) -> None:
    """``--ecolint-gpu`` > ``ecolint-gpu`` in flake8's config > ``gpu`` in [tool.ecolint]."""
    (project / "pyproject.toml").write_text('[tool.ecolint]\ngpu = "a800"\n', encoding="utf-8")
    select = ("--select=ECO", "app.py")
    in_pyproject = _line(flake8(*select, cwd=project).stdout)
    assert in_pyproject == _line(ecolint("--gpu", "a800", "app.py", cwd=project).stdout)
    assert "A800" in in_pyproject
    (project / config_name).write_text("[flake8]\necolint-gpu = rtx5090\n", encoding="utf-8")
    in_flake8_config = _line(flake8(*select, cwd=project).stdout)
    assert in_flake8_config == _line(ecolint("--gpu", "rtx5090", "app.py", cwd=project).stdout)
    on_command_line = _line(flake8("--ecolint-gpu=rtx4090d", *select, cwd=project).stdout)
    assert on_command_line == _line(ecolint("--gpu", "rtx4090d", "app.py", cwd=project).stdout)
    assert len({in_pyproject, in_flake8_config, on_command_line}) == 3


def test_tool_ecolint_select_and_per_file_ignores_apply(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.ecolint]\nignore = ["ECO101"]\n', encoding="utf-8"
    )
    assert "ECO101" not in flake8("--select=ECO", "app.py", cwd=project).stdout
    (project / "pyproject.toml").write_text(
        '[tool.ecolint.per-file-ignores]\n"app.py" = ["ECO1"]\n', encoding="utf-8"
    )
    assert "ECO101" not in flake8("--select=ECO", "app.py", cwd=project).stdout


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (("--ecolint-gpu=rtx9999",), "ecolint: unknown GPU 'rtx9999'"),
        (("--ecolint-gpu=mi300x",), "NVIDIA GPUs only"),
    ],
)
def test_bad_gpu_stops_flake8_with_ecolints_message(
    project: Path, setting: tuple[str, ...], message: str
) -> None:
    out = flake8(*setting, "app.py", cwd=project)
    assert out.returncode != 0
    assert message in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr


def test_bad_tool_ecolint_stops_flake8_naming_the_key(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.ecolint]\nselct = ["ECO1"]\n', encoding="utf-8")
    out = flake8("app.py", cwd=project)
    assert out.returncode != 0
    assert "unknown key 'selct'" in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr


def test_stdin_is_analysed_from_the_text_flake8_read(project: Path) -> None:
    """Editors lint unsaved buffers through stdin: the text, not the file on disk, counts."""
    (project / "app.py").write_text("print('saved version')\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=ECO", "--stdin-display-name=app.py", "-"],
        cwd=project,
        input=ECO101_SCRIPT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "app.py:2:26: ECO101" in out.stdout, out.stderr


def test_start_up_and_files_without_trigger_words_load_nothing_heavy(tmp_path: Path) -> None:
    """flake8 imports the plugin and parses its options for every run; a file without
    trigger words must not pull in libcst, the checks or the measurements."""
    probe = """
import argparse, sys
from ecolint.flake8_plugin import EcolintChecker
assert "ecolint.pipeline.run" not in sys.modules and "yaml" not in sys.modules
EcolintChecker.parse_options(argparse.Namespace(filenames=["."], ecolint_gpu=None))
lines = ["import torch\\n", "model = torch.nn.Linear(4, 4)\\n"]
assert list(EcolintChecker(None, "model.py", lines).run()) == []
heavy = [name for name in ("libcst", "ecolint.pipeline.run", "ecolint.evidence.dataset")
         if name in sys.modules]
print(heavy)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_fixture_trees_from_another_directory(tmp_path: Path) -> None:
    """Absolute paths, a working folder outside the repository: same findings."""
    tree = str(FIXTURES / "crossmodule")
    assert reported(flake8("--isolated", "--select=ECO", tree, cwd=tmp_path).stdout) == reported(
        ecolint(tree, cwd=tmp_path).stdout
    )


def test_run_source_takes_neighbours_only_while_the_text_is_what_is_on_disk(
    tmp_path: Path,
) -> None:
    """The modules beside a file read it from disk: for an edited buffer their findings in it
    would point at the wrong lines, so they are left out rather than misplaced."""
    from ecolint.config import Settings
    from ecolint.pipeline.run import Pipeline

    chatbot = tmp_path / "chatbot"
    shutil.copytree(ROOT / "examples" / "chatbot", chatbot)
    settings = chatbot / "settings.py"
    saved = settings.read_text(encoding="utf-8")
    engine = Pipeline(Settings(root=tmp_path, select=("ECO102",)))
    as_saved = engine.run_source(settings, saved)
    assert [(f.code, f.line, f.column) for f in as_saved.findings] == [("ECO102", 12, 5)]
    edited = engine.run_source(settings, "\n" + saved)
    assert edited.findings == [] and not edited.internal_errors
    assert edited.files_analysed == 1


FLAKE8_ONE_FILE = ("--isolated", "--select=ECO", "--jobs", "1", "settings.py")


def test_the_plugin_analyses_the_tree_flake8_parsed(tmp_path: Path) -> None:
    """flake8 parses each file once for its plugins; ecolint takes that tree (its prefilter
    reads it, its analysis indexes it) instead of parsing the text again."""
    shutil.copy(ROOT / "examples" / "chatbot" / "settings.py", tmp_path / "settings.py")
    out = subprocess.run(
        [sys.executable, "-c", COUNT_PARSES, "settings.py", *FLAKE8_ONE_FILE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 1 and "ECO405" in out.stdout, out.stdout + out.stderr
    assert out.stderr.splitlines()[-1] == "parses: 1"
