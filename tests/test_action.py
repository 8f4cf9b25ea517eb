"""The composite action (``action.yml``) run as the runner runs it: each ``run:`` step through
``bash --noprofile --norc -eo pipefail`` with its ``${{ }}`` expressions substituted,
``GITHUB_OUTPUT`` read back between steps, and ``GITHUB_STEP_SUMMARY`` a file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from github_tools import (
    EXAMPLES,
    ROOT,
    annotations,
    multitool_errors,
    schema_errors,
    write_every_rule_tree,
)
from markdown_it import MarkdownIt

from ecolint import __version__

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(?P<expression>[^}]+?)\s*\}\}")


@dataclass
class ActionRun:
    steps: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    summary: str = ""
    action_outputs: dict[str, str] = field(default_factory=dict)

    @property
    def returncode(self) -> int:
        return list(self.steps.values())[-1].returncode


def _read_outputs(path: Path) -> dict[str, str]:
    outputs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, separator, value = line.partition("=")
        assert separator, f"unexpected GITHUB_OUTPUT line {line!r}"
        outputs[name] = value
    return outputs


def _substitute(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def value(match: re.Match[str]) -> str:
        parts = match["expression"].split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return inputs[parts[1]]
        if parts == ["github", "action_path"]:
            return str(ROOT)
        if parts[0] == "steps" and parts[2] == "outputs" and len(parts) == 4:
            return outputs.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"the test runner does not know ${{{{ {match['expression']} }}}}")

    return EXPRESSION.sub(value, text)


CONDITION = re.compile(r"^inputs\.(?P<name>[\w-]+) (?P<operator>==|!=) '(?P<value>[^']*)'$")


def _condition(text: str, inputs: dict[str, str]) -> bool:
    """A step's ``if:``; the action compares one input with a string, nothing else."""
    match = CONDITION.match(text.strip())
    assert match, f"the test runner does not know the condition {text!r}"
    equal = inputs[match["name"]] == match["value"]
    return equal if match["operator"] == "==" else not equal


def run_action(
    workspace: Path,
    inputs: dict[str, str],
    path: str | None = None,
    env: dict[str, str] | None = None,
) -> ActionRun:
    """The runner stops a composite action at its first failing step and skips a step whose
    ``if:`` is false; ``env``: what GitHub sets besides (the event, the API's address)."""
    unknown = set(inputs) - set(ACTION["inputs"])
    assert not unknown, unknown
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update(inputs)
    runner = workspace.parent / "runner"
    runner.mkdir(exist_ok=True)
    summary = runner / "summary.md"
    summary.touch()
    run = ActionRun()
    for index, step in enumerate(ACTION["runs"]["steps"]):
        assert step["shell"] == "bash"
        if "if" in step and not _condition(step["if"], values):
            continue
        output_file = runner / f"output-{index}"
        output_file.touch()
        script = runner / f"step-{index}.sh"
        script.write_text(_substitute(step["run"], values, run.outputs), encoding="utf-8")
        environment = {
            **os.environ,
            "PATH": path if path is not None else os.environ["PATH"],
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(runner),
            **(env or {}),
            **{
                name: _substitute(str(value), values, run.outputs)
                for name, value in (step.get("env") or {}).items()
            },
        }
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=environment,
            capture_output=True,
            text=True,
            timeout=900,
        )
        run.steps[step["id"]] = result
        run.outputs[step["id"]] = _read_outputs(output_file)
        if result.returncode != 0:
            break
    run.summary = summary.read_text(encoding="utf-8")
    run.action_outputs = {
        name: _substitute(spec["value"], values, run.outputs)
        for name, spec in ACTION["outputs"].items()
    }
    return run


def _path_with_this_ecolint() -> str:
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout with the examples and a folder holding every rule and a parse error."""
    root = tmp_path / "workspace"
    shutil.copytree(EXAMPLES, root / "examples")
    write_every_rule_tree(root / "all_rules")
    return root


def test_action_inputs_and_steps_are_declared() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "paths",
        "gpu",
        "fail-on",
        "sarif-file",
        "version",
        "mode",
        "github-token",
        "fail-on-increase",
    }
    assert ACTION["inputs"]["fail-on"]["default"] == "yellow"
    assert "github.action_path" in ACTION["runs"]["steps"][0]["env"]["ACTION_PATH"]


def test_annotations_summary_and_sarif(workspace: Path, tmp_path: Path) -> None:
    run = run_action(
        workspace,
        {"paths": "examples\n  all_rules", "sarif-file": "reports/ecolint.sarif"},
        path=_path_with_this_ecolint(),
    )
    install, check = run.steps["install"], run.steps["check"]
    assert install.returncode == 0, install.stderr
    assert f"Using ecolint {__version__}" in install.stdout, "no reinstall when it is on PATH"
    assert check.returncode == 1, check.stderr  # orange and red findings fail at yellow

    # Annotations: every finding of both folders, at its place.
    parsed = annotations(check.stdout)
    files = {properties["file"] for _, properties, _ in parsed}
    assert "examples/serve_int8.py" in files and "all_rules/eco101_0.py" in files
    assert ("notice", "ECO001 unparsable-file") in {
        (command, properties["title"]) for command, properties, _ in parsed
    }

    # The job summary: one table row per annotation.
    tokens = MarkdownIt("commonmark").enable("table").parse(run.summary)
    rows = [token for token in tokens if token.type == "tr_open"]
    assert run.summary.startswith(f"## ecolint: {len(parsed)} findings")
    assert len(rows) == 1 + 5 + 1 + len(parsed)  # totals header, 5 moods, findings header, rows

    # SARIF for upload-sarif: valid, GitHub-ingestible, paths relative to the checkout.
    assert run.action_outputs["sarif-file"] == "reports/ecolint.sarif"
    sarif = workspace / "reports" / "ecolint.sarif"
    document = json.loads(sarif.read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    assert multitool_errors(sarif, tmp_path) == []
    run_log = document["runs"][0]
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in run_log["results"]
    }
    assert "examples/serve_int8.py" in uris and "all_rules/eco101_0.py" in uris
    assert run_log["originalUriBaseIds"]["%SRCROOT%"]["uri"] == workspace.resolve().as_uri() + "/"
    notices = run_log["invocations"][0]["toolExecutionNotifications"]
    assert len(run_log["results"]) + len(notices) == len(parsed)


def test_fail_on_gpu_and_never(workspace: Path) -> None:
    path = _path_with_this_ecolint()
    orange_only = {"paths": "examples/serve_int8.py", "gpu": "a800"}
    assert run_action(workspace, {**orange_only, "fail-on": "orange"}, path).returncode == 1
    passed = run_action(workspace, {**orange_only, "fail-on": "red"}, path)
    assert passed.returncode == 0, passed.steps["check"].stderr
    assert annotations(passed.steps["check"].stdout)[0][0] == "error", "still annotated"
    sarif = json.loads((workspace / "ecolint.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["properties"]["gpu"] == "a800"
    never = run_action(workspace, {"paths": "examples", "fail-on": "never"}, path)
    assert never.returncode == 0 and annotations(never.steps["check"].stdout)


def test_a_different_version_is_refused(workspace: Path) -> None:
    run = run_action(workspace, {"version": "0.0.0-other"}, path=_path_with_this_ecolint())
    assert run.returncode == 2 and "check" not in run.steps
    assert "use the action at the ref of 0.0.0-other" in run.steps["install"].stdout


@pytest.mark.slow
def test_installs_from_the_action_checkout_when_ecolint_is_missing(workspace: Path) -> None:
    bare_path = os.pathsep.join(
        folder
        for folder in os.environ["PATH"].split(os.pathsep)
        if folder and not (Path(folder) / "ecolint").exists()
    )
    run = run_action(workspace, {"paths": "examples/serve_int8.py"}, path=bare_path)
    assert run.steps["install"].returncode == 0, run.steps["install"].stderr
    installed = Path(run.outputs["install"]["ecolint"])
    assert installed == workspace.parent / "runner" / "ecolint-venv" / "bin" / "ecolint"
    assert run.returncode == 1
    assert annotations(run.steps["check"].stdout)[0][1]["file"] == "examples/serve_int8.py"


def test_readme_workflow_uses_the_action_as_declared() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## GitHub", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    workflow = yaml.safe_load(block)
    steps = workflow["jobs"]["ecolint"]["steps"]
    ours = next(step for step in steps if step.get("id") == "ecolint")
    assert set(ours["with"]) <= set(ACTION["inputs"])
    assert ours["with"]["fail-on"] in ("red", "orange", "yellow", "gray", "green", "never")
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert upload["with"]["sarif_file"] == "${{ steps.ecolint.outputs.sarif-file }}"
    assert "sarif-file" in ACTION["outputs"]
    assert workflow["jobs"]["ecolint"]["permissions"]["security-events"] == "write"
