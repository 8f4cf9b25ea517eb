"""What the SARIF, GitHub and action tests share: a tree with every rule and a parse error, the
two SARIF validators, and annotations read back as the runner reads workflow commands.

``sarif-schema-2.1.0.json`` is a byte copy of ``sarif-2.1.0.json`` from the npm package
``@microsoft/sarif-multitool-linux`` 5.7.0 (MIT). The multitool itself is installed by
``.ci/run`` into the repository's ``node_modules/`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import example_files

from ecolint.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).resolve().parent / "sarif-schema-2.1.0.json"
MULTITOOL = ROOT / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
EXAMPLES = ROOT / "examples"


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def write_every_rule_tree(folder: Path) -> Path:
    """Each rule's invalid examples as files (ECO001's is a syntax error), plus the clean
    example, whose NF4 saving is a green finding with ``--show-green``."""
    folder.mkdir(parents=True, exist_ok=True)
    for rule in all_rules().values():
        for index, example in enumerate(rule.examples.get("invalid", [])):
            if isinstance(example, dict) and "files" in example:  # several files, or not Python
                target = folder / f"{rule.code.lower()}_{index}"
                for name, text in example["files"].items():
                    (target / name).parent.mkdir(parents=True, exist_ok=True)
                    (target / name).write_text(text, encoding="utf-8")
            else:
                source = example_files(example)["example.py"]
                (folder / f"{rule.code.lower()}_{index}.py").write_text(source, encoding="utf-8")
    clean = (EXAMPLES / "clean_serving.py").read_text(encoding="utf-8")
    (folder / "clean_serving.py").write_text(clean, encoding="utf-8")
    return folder


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecolint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def sarif_of(target: str, cwd: Path, out: Path, *extra: str) -> dict[str, Any]:
    run = run_cli("check", target, "--format", "sarif", "-o", str(out), *extra, cwd=cwd)
    assert run.returncode in (0, 1), run.stderr
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def schema_errors(document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in _validator().iter_errors(document)
    ]


MULTITOOL_PACKAGE = "@microsoft/sarif-multitool@5.7.0"


def _install_multitool() -> None:
    """From the npm registry into the checkout's git-ignored node_modules/, once."""
    npm = shutil.which("npm")
    if npm is None:
        return
    quiet = ["--no-save", "--no-package-lock", "--no-audit", "--no-fund"]
    subprocess.run(
        [npm, "install", *quiet, "--prefix", str(ROOT), MULTITOOL_PACKAGE],
        capture_output=True,
        timeout=600,
    )


def multitool() -> Path:
    """The platform binary, run directly (the npx wrapper splits ``Gh;Sarif`` on ``;``)."""
    if not MULTITOOL.exists():
        _install_multitool()
    if not MULTITOOL.exists():
        message = f"SARIF multitool could not be installed at {MULTITOOL} (needs npm)"
        if on_ci():
            pytest.fail(message)
        pytest.skip(message)
    mode = MULTITOOL.stat().st_mode
    if not mode & stat.S_IXUSR:
        MULTITOOL.chmod(mode | stat.S_IXUSR)
    return MULTITOOL


def multitool_errors(sarif: Path, work: Path) -> list[str]:
    """The ``: error `` lines of the multitool under GitHub's ingestion rules and SARIF's."""
    out = subprocess.run(
        [
            str(multitool()),
            "validate",
            str(sarif),
            "-o",
            str(work / f"{sarif.stem}.validation.sarif"),
            "--rule-kind",
            "Gh;Sarif",
            "--log",
            "ForceOverwrite",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        # .NET needs no ICU libraries in invariant mode; the checks do not depend on culture.
        env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"},
    )
    text = out.stdout + out.stderr
    assert "Analysis completed successfully" in text, text
    return [line for line in text.splitlines() if ": error " in line]


ANNOTATION = re.compile(
    r"^::(?P<command>error|warning|notice)(?: (?P<properties>[^:]*))?::(?P<data>.*)$"
)


def unescape_data(text: str) -> str:
    """The runner's order: the specific escapes first, ``%25`` last."""
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def annotations(output: str) -> list[tuple[str, dict[str, str], str]]:
    parsed = []
    for line in output.splitlines():
        match = ANNOTATION.match(line)
        if match:
            properties = dict(
                part.split("=", 1) for part in (match["properties"] or "").split(",") if part
            )
            parsed.append(
                (
                    match["command"],
                    {key: unescape_property(value) for key, value in properties.items()},
                    unescape_data(match["data"]),
                )
            )
    return parsed
