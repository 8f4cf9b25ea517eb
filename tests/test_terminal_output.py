"""Terminal output a person reads (issue 16): the message, its evidence and its fix each on a
line of their own (``concise`` keeps one line per finding, as ruff's), orange and red in
clearly different colours, and ``--color always|never|auto`` with NO_COLOR and FORCE_COLOR."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_ecolint

from ecolint.advisor.output import Answer, Bullets, Para, render_text

ROOT = Path(__file__).resolve().parent.parent
ORANGE = "\x1b[38;5;208m"  # the 256-colour palette's orange
RED = "\x1b[31m"
APP = """\
from transformers import BitsAndBytesConfig
cfg = BitsAndBytesConfig(load_in_8bit=True)
"""
FP8 = """\
from torchao.quantization import Float8WeightOnlyConfig, quantize_
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2-7B")
quantize_(model, Float8WeightOnlyConfig())
print(model.generate(max_new_tokens=8))
"""


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "fp8.py").write_text(FP8, encoding="utf-8")
    return tmp_path


def _check(tree: Path, *args: str, env: dict[str, str] | None = None) -> str:
    unset = {"NO_COLOR": "", "FORCE_COLOR": ""}  # empty is unset (no-color.org)
    done = run_ecolint("check", ".", *args, cwd=tree, env={**unset, **(env or {})})
    assert done.returncode == 1, done.stderr
    return done.stdout


def test_message_evidence_and_fix_each_on_their_own_line(tree: Path) -> None:
    lines = _check(tree, "--color", "never").splitlines()
    first = next(index for index, line in enumerate(lines) if line.startswith("app.py:2:"))
    assert lines[first].endswith("set llm_int8_threshold=0.0")
    assert lines[first + 1].startswith("    evidence: +") and "vs FP16 row" in lines[first + 1]
    assert lines[first + 2].startswith("    fix: set llm_int8_threshold=0.0")
    concise = _check(tree, "--output-format", "concise").splitlines()
    app = next(line for line in concise if line.startswith("app.py:2:"))
    assert (
        "(+" in app
        and "vs FP16 row" in app
        and not any(line.startswith("    ") for line in concise)
    )


def test_orange_and_red_are_different_colours(tree: Path) -> None:
    coloured = _check(tree, "--color", "always")
    app = next(line for line in coloured.splitlines() if line.startswith("app.py:2:"))
    fp8 = next(line for line in coloured.splitlines() if line.startswith("fp8.py:"))
    assert ORANGE in app and RED not in app
    assert RED in fp8 and ORANGE not in fp8


def test_color_choice_no_color_and_force_color(tree: Path) -> None:
    assert "\x1b[" not in _check(tree)  # auto, piped
    assert "\x1b[" in _check(tree, env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in _check(tree, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in _check(tree, "--color", "never", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in _check(tree, "--color", "always", env={"NO_COLOR": "1"})
    answer = run_ecolint("compare", "--model", "Qwen/Qwen2-7B", "--color", "always", cwd=tree)
    assert answer.returncode == 0 and "\x1b[" in answer.stdout
    forced = {"NO_COLOR": "", "FORCE_COLOR": "1"}
    answer = run_ecolint("compare", "--model", "Qwen/Qwen2-7B", cwd=tree, env=forced)
    assert answer.returncode == 0 and "\x1b[" in answer.stdout


def test_data_renders_provenance_markdown_for_the_terminal(tmp_path: Path) -> None:
    args = ("data", "--gpu", "a800", "--precision", "int8_pure")
    text = run_ecolint(*args, cwd=tmp_path).stdout
    assert "Contradictions" in text and "Batch sweep, energy per request." in text
    assert "**" not in text and "`" not in text
    markdown = run_ecolint(*args, "--format", "markdown", cwd=tmp_path).stdout
    assert "**Batch sweep, energy per request.**" in markdown


def test_advisor_prose_wraps_at_the_terminal_width() -> None:
    long = "word " * 40
    answer = Answer({}, [Para(long.strip()), Bullets((long.strip(),))])
    wrapped = render_text(answer, "en", color=False, width=50).splitlines()
    assert len(wrapped) > 2 and all(len(line) <= 50 for line in wrapped)
    assert wrapped[-1].startswith("    word"), "a bullet's continuation is indented"
    assert len(render_text(answer, "en", color=False).splitlines()) == 2
