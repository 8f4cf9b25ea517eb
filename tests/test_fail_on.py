"""``--fail-on MOOD``: exit 1 only for findings of that mood or a worse one."""

from __future__ import annotations

from pathlib import Path

import pytest
from github_tools import EXAMPLES, run_cli


@pytest.mark.parametrize(
    ("example", "fail_on", "code"),
    [
        ("serve_int8.py", None, 1),  # orange fails at the default, yellow
        ("serve_int8.py", "orange", 1),
        ("serve_int8.py", "red", 0),
        ("fp8_notebook.py", "red", 1),
        ("clean_serving.py", "gray", 0),
        ("clean_serving.py", "green", 0),  # the saving is hidden without --show-green
    ],
)
def test_fail_on_threshold(tmp_path: Path, example: str, fail_on: str | None, code: int) -> None:
    args = ["check", str(EXAMPLES / example), *(["--fail-on", fail_on] if fail_on else [])]
    assert run_cli(*args, cwd=tmp_path).returncode == code


def test_fail_on_green_counts_shown_savings(tmp_path: Path) -> None:
    target = str(EXAMPLES / "clean_serving.py")
    assert run_cli("check", target, "--show-green", cwd=tmp_path).returncode == 0
    shown = run_cli("check", target, "--show-green", "--fail-on", "green", cwd=tmp_path)
    assert shown.returncode == 1


def test_fail_on_gray_counts_parse_errors(tmp_path: Path) -> None:
    broken = (
        "from transformers import BitsAndBytesConfig\ncfg = BitsAndBytesConfig(load_in_8bit=True\n"
    )
    (tmp_path / "broken.py").write_text(broken, encoding="utf-8")
    assert run_cli("check", cwd=tmp_path).returncode == 0
    assert run_cli("check", "--fail-on", "gray", cwd=tmp_path).returncode == 1


def test_exit_zero_wins_and_bad_moods_are_usage_errors(tmp_path: Path) -> None:
    target = str(EXAMPLES / "fp8_notebook.py")
    assert run_cli("check", target, "--fail-on", "red", "--exit-zero", cwd=tmp_path).returncode == 0
    assert run_cli("check", target, "--fail-on", "purple", cwd=tmp_path).returncode == 2


def test_cli_choices_match_the_reporters_and_moods() -> None:
    """The CLI lists them literally so that ``--help`` imports nothing heavy."""
    from ecolint.cli.check import MOOD_CHOICES, check
    from ecolint.reporters import FORMATS
    from ecolint.rules import MOODS

    options = {param.name: param for param in check.params}
    assert tuple(options["fmt"].type.choices) == FORMATS  # type: ignore[attr-defined]
    assert tuple(MOOD_CHOICES) == MOODS
