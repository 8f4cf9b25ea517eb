"""Shared helpers: run the real engine over files and read expectations from comments."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ecolint.config import Settings
from ecolint.findings.model import Finding
from ecolint.pipeline.run import Pipeline
from ecolint.results import RunResult

FIXTURES = Path(__file__).parent / "fixtures"
# Scanned, never run: some fixtures look like tests on purpose (tests/fixtures/roles).
collect_ignore = ["fixtures"]
ECO101_SCRIPT = (  # a module's global: other modules may load and run a model with it
    "from transformers import BitsAndBytesConfig\ncfg = BitsAndBytesConfig(load_in_8bit=True)\n"
)
# In a notebook nothing imports the config: it must reach code that may run a model.
ECO101_CELLS = ECO101_SCRIPT + "serve(cfg)\n"
EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>ECO\d{3}(?:\s*,\s*ECO\d{3})*)")
RULES = re.compile(r"#\s*rules:\s*(?P<codes>ECO\d{3}(?:\s*,\s*ECO\d{3})*)")


def run_ecolint(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess, without colour."""
    return subprocess.run(
        [sys.executable, "-m", "ecolint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=300,
    )


def scan(
    paths: list[Path], show_green: bool = False, edits: bool = True, **overrides: object
) -> RunResult:
    """The pipeline's result; findings carry their fix edits unless ``edits`` is False."""
    root = paths[0] if paths[0].is_dir() else paths[0].parent
    settings = replace(Settings(root=root), **overrides)  # type: ignore[arg-type]
    return Pipeline(settings, show_green=show_green, edits=edits).run(paths)


def expectations(path: Path) -> set[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for code in match.group("codes").split(","):
                expected.add((number, code.strip()))
    return expected


def header_rules(path: Path) -> set[str]:
    """The codes of the ``# rules: ECO101, ECO102`` comments in a file: a header line, in a
    notebook a comment of a code cell, in a rule's YAML example a comment on its first line."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return {code.strip() for match in RULES.finditer(text) for code in match["codes"].split(",")}


def declared_rules(*paths: Path) -> tuple[str, ...]:
    """The rules a fixture exercises, from its ``# rules:`` header: the fixture runs with only
    those selected, so a new rule never changes another rule's fixture. A folder declares the
    union of its files'."""
    files = [path for path in paths if path.is_file()]
    files += [file for path in paths if path.is_dir() for file in path.rglob("*") if file.is_file()]
    codes = set().union(*map(header_rules, files))
    assert codes, f"{', '.join(map(str, paths))} declares no '# rules: ECOxxx' header"
    return tuple(sorted(codes))


def example_files(example: str | dict[str, Any]) -> dict[str, str]:
    """A rule's YAML example is Python source (written as ``example.py``), the same as
    ``{code: source, expected_replacement: fixed source}``, or ``{files: {name: text}}`` for
    rules that read other files or need several of them."""
    if isinstance(example, str):
        return {"example.py": example}
    if "files" in example:
        return dict(example["files"])
    return {"example.py": example["code"]}


def example_rules(code: str, paths: list[Path]) -> tuple[str, ...]:
    """The rules a rule's example runs with: the rule alone, plus any the example declares
    (``# rules: ECO002, ECO101``: ECO002 judges only suppressions of rules that run)."""
    return tuple(sorted({code}.union(*map(header_rules, paths))))


def declared_expectations(path: Path, tree: Path | None = None) -> set[tuple[int, str]]:
    """A fixture's expectations, each of a rule it (or the ``tree`` it belongs to) declares:
    a stale expectation of a rule not run would otherwise pass unseen."""
    expected = expectations(path)
    assert {code for _, code in expected} <= set(declared_rules(tree or path)), path.name
    return expected


def scan_declared(paths: list[Path], show_green: bool = False) -> RunResult:
    """``scan`` with only the rules the fixtures declare selected."""
    return scan(paths, show_green, select=declared_rules(*paths))


def case_rules(name: str) -> tuple[str, ...]:
    """The rules a fix case runs with, from the ``# rules:`` header of its ``remaining.txt``
    (an ECO002 case names the rules its suppressions name, so that they are judged)."""
    return declared_rules(FIXTURES / "fixes" / name / "remaining.txt")


def select_args(codes: tuple[str, ...]) -> list[str]:
    """``--select`` options of the command for ``codes``."""
    return [argument for code in codes for argument in ("--select", code)]


def found(findings: list[Finding], path: Path | None = None) -> set[tuple[int, str]]:
    return {
        (finding.line, finding.code)
        for finding in findings
        if path is None or Path(finding.path).name == path.name
    }


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def heavy_modules_after(cwd: Path, args: list[str], code: int, prelude: str = "") -> list[str]:
    """Which of libcst and the analysis pipeline ``ecolint ARGS`` imports, run in a fresh
    interpreter in ``cwd`` after ``prelude`` (which may make something it must not do raise);
    the run must exit with ``code``."""
    probe = f"""
import sys
{prelude}
from ecolint.cli import main
try:
    main({args!r})
except SystemExit as stop:
    assert stop.code == {code}, stop.code
print([name for name in ("libcst", "ecolint.pipeline.run") if name in sys.modules])
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    lines = done.stdout.strip().splitlines()
    assert lines, done.stdout + done.stderr
    found: list[str] = ast.literal_eval(lines[-1])
    return found


# ``python -c COUNT_PARSES FILE FLAKE8_ARGS...``: runs flake8 and prints on stderr how many
# times FILE's text was compiled (``ast.parse`` included), flake8's own parse and ecolint's.
COUNT_PARSES = """
import runpy, sys
text = open(sys.argv.pop(1), encoding="utf-8").read()
parses = []
def hook(event, args):
    if event == "compile" and args[0] in (text, text.encode("utf-8")):  # ast.parse: bytes
        parses.append(1)
sys.addaudithook(hook)
try:
    runpy.run_module("flake8", run_name="__main__", alter_sys=True)
finally:
    print("parses:", len(parses), file=sys.stderr)
"""
