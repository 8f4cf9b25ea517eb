"""The pre-commit hook: which files reach it, that ecolint takes every one of them without an
error, and the real ``pre-commit try-repo`` failing on findings and passing on a clean repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / ".pre-commit-hooks.yaml"

ECO101_SCRIPT = (
    "from transformers import BitsAndBytesConfig\ncfg = BitsAndBytesConfig(load_in_8bit=True)\n"
)
REQUIREMENTS = "transformers==4.46.3\nbitsandbytes>=0.43  # load_in_8bit\n"
PYPROJECT = (
    '[project]\nname = "demo"\ndependencies = ["bitsandbytes"]\n\n[tool.ecolint]\ngpu = "a800"\n'
)
NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'


def _hook() -> object:
    from pre_commit.clientlib import load_manifest
    from pre_commit.hook import Hook
    from pre_commit.prefix import Prefix

    manifest, fixer = load_manifest(str(HOOKS))
    assert fixer["id"] == "ecolint-fix" and fixer["entry"] == "ecolint check --fix --"
    assert manifest["id"] == "ecolint" and manifest["entry"] == "ecolint check --"
    assert manifest["language"] == "python" and manifest["pass_filenames"] is True
    assert manifest["require_serial"] is False
    return Hook.create(str(ROOT), Prefix(str(ROOT)), manifest)


def test_sources_notebooks_requirements_and_pyproject_reach_the_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pre_commit.commands.run import Classifier

    names = [
        "app.py",
        "pkg/model.py",
        "notes.ipynb",
        "requirements.txt",
        "requirements-dev.txt",
        "requirements/base.txt",
        "constraints.txt",
        "requirements.in",
        "dev-requirements.txt",
        "pyproject.toml",
        "setup.cfg",
        "axolotl/qlora.yml",
        "llamafactory.yaml",
        "README.md",
        "data.csv",
        "sub/pyproject.toml.bak",
        "MANIFEST.in",
    ]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    chosen = set(Classifier.from_config(names, "", "^$").filenames_for_hook(_hook()))
    assert chosen == set(names[:13])


def _ecolint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecolint", "check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_files_named_explicitly_that_are_not_python_are_skipped_cleanly(tmp_path: Path) -> None:
    """What the hook passes: sources with requirement files, pyproject.toml and notebooks."""
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (tmp_path / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "notes.ipynb").write_text(NOTEBOOK, encoding="utf-8")
    others = ["requirements.txt", "pyproject.toml", "notes.ipynb"]
    alone = _ecolint(*others, cwd=tmp_path)
    assert (alone.returncode, alone.stderr) == (0, "")
    assert "ECO001" not in alone.stdout, "not parsed as Python"
    mixed = _ecolint("requirements.txt", "app.py", *others, cwd=tmp_path)
    assert mixed.returncode == 1 and mixed.stderr == ""
    assert "app.py:2:26: ECO101" in mixed.stdout and "A800" in mixed.stdout


def test_scripts_without_a_suffix_or_with_a_python_shebang_are_python(tmp_path: Path) -> None:
    (tmp_path / "serve").write_text(ECO101_SCRIPT, encoding="utf-8")
    (tmp_path / "serve.cgi").write_text("#!/usr/bin/env python3\n" + ECO101_SCRIPT, "utf-8")
    (tmp_path / "notes.txt").write_text(ECO101_SCRIPT, encoding="utf-8")
    out = _ecolint("serve", "serve.cgi", "notes.txt", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "serve:2:26: ECO101" in out.stdout and "serve.cgi:3:26: ECO101" in out.stdout
    assert "notes.txt" not in out.stdout


def test_hook_entries_take_a_file_named_like_an_option_as_a_path(tmp_path: Path) -> None:
    """pre-commit appends file names to the entry: without ``--`` a committed file named
    ``--output=setup.py`` would make ecolint write its report over setup.py."""
    import shlex

    import yaml

    setup = "from setuptools import setup\nsetup()\n"
    (tmp_path / "setup.py").write_text(setup, encoding="utf-8")
    (tmp_path / "--output=setup.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8")):
        program, command, *options = shlex.split(hook["entry"])
        assert (program, command, options[-1:]) == ("ecolint", "check", ["--"]), hook["id"]
        out = _ecolint(*options, "--output=setup.py", "setup.py", cwd=tmp_path)
        assert (tmp_path / "setup.py").read_text(encoding="utf-8") == setup, hook["id"]
        assert "--output=setup.py:2:26: ECO101" in out.stdout, hook["id"]


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={**os.environ, **GIT_IDENTITY},
        timeout=120,
    )


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "ecolint tests",
    "GIT_AUTHOR_EMAIL": "tests@ecolint.invalid",
    "GIT_COMMITTER_NAME": "ecolint tests",
    "GIT_COMMITTER_EMAIL": "tests@ecolint.invalid",
}


def _hook_repository(tmp_path: Path) -> Path:
    """The checkout as it is now, committed into a repository of its own: try-repo installs
    from a git repository, and uncommitted or untracked work must be tested too."""
    copy = tmp_path / "hook-repo"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", "__pycache__", "*.egg-info", ".venv", "venv", "build", "dist", ".*_cache"
        ),
    )
    _git("init", "-q", cwd=copy)
    _git("add", "-A", cwd=copy)
    _git("commit", "-q", "-m", "ecolint under test", cwd=copy)
    return copy


def _try_repo(hook_repo: Path, target: Path, home: Path) -> subprocess.CompletedProcess[str]:
    _git("add", "-A", cwd=target)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "ecolint", "--all-files"],
        cwd=target,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"},
        timeout=900,
    )


@pytest.mark.slow
def test_pre_commit_try_repo_fails_on_findings_and_passes_when_clean(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("pre-commit needs git")
    hook_repo = _hook_repository(tmp_path)
    target = tmp_path / "project"
    (target / "src").mkdir(parents=True)
    _git("init", "-q", cwd=target)
    (target / "src" / "serve.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (target / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    (target / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (target / "notes.ipynb").write_text(NOTEBOOK, encoding="utf-8")
    setup = "from setuptools import setup\nsetup()\n"
    (target / "setup.py").write_text(setup, encoding="utf-8")
    (target / "--output=setup.py").write_text("print('a file named like an option')\n", "utf-8")
    home = tmp_path / "pre-commit-home"

    failing = _try_repo(hook_repo, target, home)
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "Failed" in output and "src/serve.py:2:26: ECO101 [orange]" in output
    assert "A800" in output, "[tool.ecolint] of the project applies"
    assert "ecolint: error" not in output and "Traceback" not in output
    assert (target / "setup.py").read_text(encoding="utf-8") == setup, "a path, not --output"

    (target / "src" / "serve.py").write_text(
        ECO101_SCRIPT.replace("load_in_8bit=True", "load_in_8bit=True, llm_int8_threshold=0.0"),
        encoding="utf-8",
    )
    passing = _try_repo(hook_repo, target, home)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
