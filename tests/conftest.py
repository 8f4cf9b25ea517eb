"""Shared helpers: run the real engine over files and read expectations from comments."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from ecolint.config import Settings
from ecolint.engine import Engine, RunResult
from ecolint.findings import Finding

FIXTURES = Path(__file__).parent / "fixtures"
ECO101_SCRIPT = (
    "from transformers import BitsAndBytesConfig\ncfg = BitsAndBytesConfig(load_in_8bit=True)\n"
)
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


def scan(paths: list[Path], show_green: bool = False, **overrides: object) -> RunResult:
    root = paths[0] if paths[0].is_dir() else paths[0].parent
    settings = replace(Settings(root=root), **overrides)  # type: ignore[arg-type]
    return Engine(settings, show_green=show_green).run(paths)


def expectations(path: Path) -> set[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for code in match.group("codes").split(","):
                expected.add((number, code.strip()))
    return expected


def declared_rules(*paths: Path) -> tuple[str, ...]:
    """The rules a fixture exercises, from its ``# rules: ECO101, ECO102`` header (in a
    notebook, a comment of a code cell): the fixture runs with only those selected, so a new
    rule never changes another rule's fixture. A folder declares the union of its files."""
    files = [
        file for path in paths for file in (sorted(path.rglob("*")) if path.is_dir() else [path])
    ]
    codes: set[str] = set()
    for file in files:
        if file.is_file():
            for match in RULES.finditer(file.read_text(encoding="utf-8", errors="replace")):
                codes.update(code.strip() for code in match.group("codes").split(","))
    assert codes, f"{', '.join(map(str, paths))} declares no '# rules: ECOxxx' header"
    return tuple(sorted(codes))


def declared_expectations(path: Path, tree: Path | None = None) -> set[tuple[int, str]]:
    """A fixture's expectations, each of a rule it (or the ``tree`` it belongs to) declares:
    a stale expectation of a rule not run would otherwise pass unseen."""
    expected = expectations(path)
    assert {code for _, code in expected} <= set(declared_rules(tree or path)), path.name
    return expected


def scan_declared(paths: list[Path], show_green: bool = False, **overrides: object) -> RunResult:
    """``scan`` with only the rules the fixtures declare selected."""
    return scan(paths, show_green, select=declared_rules(*paths), **overrides)


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
