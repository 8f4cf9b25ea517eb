"""``--format sarif``: valid SARIF 2.1.0 (JSON schema) that GitHub code scanning ingests
(Microsoft's multitool under GitHub's rules), with rules, levels, regions, fingerprints,
evidence and honest tool notifications."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sarif_om as om
from conftest import FIXTURES, case_rules, scan
from github_tools import (
    EXAMPLES,
    ROOT,
    multitool_errors,
    run_cli,
    sarif_of,
    schema_errors,
    write_every_rule_tree,
)

from ecolint.cache_codec import pack
from ecolint.config import Settings
from ecolint.pipeline.run import Pipeline
from ecolint.reporters.sarif import FINGERPRINT, SRCROOT, information_uri, render_sarif, to_json
from ecolint.results import InternalError
from ecolint.rules import all_rules

Log = tuple[Path, dict[str, Any]]  # the SARIF file and its parsed document
ECO101_SCRIPT = (
    "from transformers import BitsAndBytesConfig\ncfg = BitsAndBytesConfig(load_in_8bit=True)\n"
)


@pytest.fixture(scope="module")
def every_rule(tmp_path_factory: pytest.TempPathFactory) -> Log:
    tree = write_every_rule_tree(tmp_path_factory.mktemp("every_rule") / "tree")
    out = tree.parent / "every_rule.sarif"
    return out, sarif_of(".", tree, out, "--show-green")


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Log:
    out = tmp_path_factory.mktemp("examples") / "examples.sarif"
    return out, sarif_of("examples", ROOT, out)


def test_examples_match_the_schema(examples: Log) -> None:
    assert schema_errors(examples[1]) == []


def test_every_rule_and_a_parse_error_match_the_schema(every_rule: Log) -> None:
    assert schema_errors(every_rule[1]) == []


def test_github_ingestion_rules_pass_on_examples(examples: Log, tmp_path: Path) -> None:
    assert multitool_errors(examples[0], tmp_path) == []


def test_github_ingestion_rules_pass_on_every_rule(every_rule: Log, tmp_path: Path) -> None:
    assert multitool_errors(every_rule[0], tmp_path) == []


def test_the_validators_do_catch_a_broken_log(examples: Log, tmp_path: Path) -> None:
    """A canary: the checks above would pass vacuously if the validators saw nothing."""
    broken = json.loads(json.dumps(examples[1]))
    del broken["runs"][0]["results"][0]["message"]["text"]
    path = tmp_path / "broken.sarif"
    path.write_text(json.dumps(broken), encoding="utf-8")
    assert schema_errors(broken)
    assert any("GH" in line for line in multitool_errors(path, tmp_path))


def test_internal_errors_make_the_run_unsuccessful(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    result = Pipeline(Settings(root=tmp_path)).run([tmp_path / "app.py"])
    result.internal_errors.append(InternalError("app.py", "ECO102", "RuntimeError: boom"))
    result.problems.append(("missing.py", "no such file or directory"))
    document = json.loads(render_sarif(result, "rtx4090d", root=tmp_path))
    assert schema_errors(document) == []
    path = tmp_path / "internal.sarif"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert multitool_errors(path, tmp_path) == []
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    internal, problem = invocation["toolExecutionNotifications"]
    assert internal["level"] == "error" and "RuntimeError: boom" in internal["message"]["text"]
    assert internal["associatedRule"]["id"] == "ECO102"
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert rules[internal["associatedRule"]["index"]]["id"] == "ECO102"
    assert internal["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.py"
    assert problem["level"] == "error" and "missing.py" in problem["message"]["text"]


def test_log_shape(examples: Log) -> None:
    document = examples[1]
    assert list(document)[:2] == ["$schema", "version"] and document["version"] == "2.1.0"
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ecolint" and driver["semanticVersion"].count(".") == 2
    if information_uri():
        assert driver["informationUri"] == information_uri()
    assert run["originalUriBaseIds"][SRCROOT]["uri"] == ROOT.as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert "toolExecutionNotifications" not in invocation
    assert run["properties"]["gpu"] == "rtx4090d"


def test_one_rule_entry_per_rule_with_docs(examples: Log) -> None:
    driver = examples[1]["runs"][0]["tool"]["driver"]
    codes = [rule["id"] for rule in driver["rules"]]
    assert codes == [code for code in all_rules() if code != "ECO001"]
    assert [entry["id"] for entry in driver["notifications"]] == ["ECO001"]
    levels = {"red": "error", "orange": "error", "yellow": "warning", "gray": "note"}
    for entry in driver["rules"]:
        rule = all_rules()[entry["id"]]
        assert entry["name"] == rule.name
        assert entry["shortDescription"]["text"].startswith(rule.summary["en"])
        assert entry["fullDescription"]["text"] == rule.docs["what"]["en"].strip()
        assert "## Why is this bad?" in entry["help"]["text"]
        assert "```python" in entry["help"]["markdown"]
        assert entry["defaultConfiguration"]["level"] == levels[rule.mood]
        assert "energy" in entry["properties"]["tags"]
        assert entry["properties"]["problem.severity"] in ("error", "warning", "recommendation")
        assert "security-severity" not in entry["properties"]
        assert "precision" not in entry["properties"]


def test_results_locate_and_explain_each_finding(examples: Log) -> None:
    run = examples[1]["runs"][0]
    by_uri = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: result
        for result in run["results"]
    }
    result = by_uri["examples/serve_int8.py"]
    assert result["ruleId"] == "ECO101" and result["level"] == "error"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "ECO101"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uriBaseId"] == SRCROOT
    assert location["region"] == {"startLine": 27, "startColumn": 5, "endLine": 27, "endColumn": 22}
    assert "set llm_int8_threshold=0.0" in result["message"]["text"]
    assert "+32.7% energy vs FP16 row 22, ★★☆ RTX 4090D" in result["message"]["text"]
    properties = result["properties"]
    assert properties["delta_pct"] == 32.7 and properties["confidence"] == "★★☆"
    assert properties["gpu"] == "rtx4090d"
    assert properties["model_id"] == "01-ai/Yi-1.5-6B-Chat"
    assert properties["rows"][0]["source"] and properties["rows"][0]["commit"]
    assert properties["fix"] == {"summary": "set llm_int8_threshold=0.0", "safety": "unsafe"}
    assert by_uri["examples/fp8_notebook.py"]["level"] == "error"  # red
    assert set(result["partialFingerprints"]) == {FINGERPRINT}


def test_parse_errors_are_notifications_not_results(every_rule: Log) -> None:
    run = every_rule[1]["runs"][0]
    assert "ECO001" not in {result["ruleId"] for result in run["results"]}
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True, "a parse error does not fail the run"
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["descriptor"] == {"id": "ECO001", "index": 0}
    assert notification["level"] == "warning"
    assert "syntax error" in notification["message"]["text"]
    location = notification["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "eco001_0.py", "uriBaseId": SRCROOT}
    assert location["region"]["startLine"] == 2


def test_every_rule_reports_and_green_is_a_note(every_rule: Log) -> None:
    results = every_rule[1]["runs"][0]["results"]
    fixable = {code for code, rule in all_rules().items() if rule.fixable}
    assert {result["ruleId"] for result in results if "fixes" in result} == fixable
    assert {result["ruleId"] for result in results} == set(all_rules()) - {"ECO001"}
    green = [result for result in results if result["properties"]["mood"] == "green"]
    assert green and all(result["level"] == "note" for result in green)
    assert all("fix" not in result["properties"] for result in green)


def test_level_is_written_even_at_the_sarif_om_default() -> None:
    """An absent result level would inherit the rule's (an orange rule's yellow finding)."""
    result = om.Result(message=om.Message(text="x"), level="warning", rule_index=-1)
    assert to_json(result) == {"message": {"text": "x"}, "level": "warning"}
    assert to_json(om.Region(start_line=3)) == {"startLine": 3}


def _fingerprints(folder: Path) -> list[str]:
    result = Pipeline(Settings(root=folder)).run([folder / "app.py"])
    document = json.loads(render_sarif(result, "rtx4090d", root=folder))
    return [item["partialFingerprints"][FINGERPRINT] for item in document["runs"][0]["results"]]


def test_fingerprints_survive_moves_and_count_twins(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(ECO101_SCRIPT, encoding="utf-8")
    (first,) = _fingerprints(tmp_path)
    app.write_text("# a new comment\n\n" + ECO101_SCRIPT.replace("cfg = ", "cfg  =  "))
    assert _fingerprints(tmp_path) == [first], "line numbers and spacing do not matter"
    app.write_text(ECO101_SCRIPT + "cfg = BitsAndBytesConfig(load_in_8bit=True)\n")
    twins = _fingerprints(tmp_path)
    assert twins == [first, first.replace(":1", ":2")]
    app.write_text(ECO101_SCRIPT.replace("cfg =", "quant ="), encoding="utf-8")
    assert _fingerprints(tmp_path) != [first], "a different offending line is a new alert"


def test_paths_outside_the_root_are_absolute_uris(tmp_path: Path) -> None:
    inside = tmp_path / "root"
    inside.mkdir()
    outside = tmp_path / "elsewhere.py"
    outside.write_text(ECO101_SCRIPT, encoding="utf-8")
    result = Pipeline(Settings(root=inside)).run([outside])
    document = json.loads(render_sarif(result, "rtx4090d", root=inside))
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": outside.resolve().as_uri()}


def test_cli_writes_sarif_and_keeps_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "my app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    out = run_cli("check", "--format", "sarif", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    document = json.loads(out.stdout)
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "my%20app.py"
    assert (
        run_cli(
            "check", str(EXAMPLES / "clean_serving.py"), "--format", "sarif", cwd=tmp_path
        ).returncode
        == 0
    )


def test_a_fixable_finding_carries_its_replacement(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    result = Pipeline(Settings(root=tmp_path), edits=True).run([tmp_path / "app.py"])
    document = json.loads(render_sarif(result, "rtx4090d", root=tmp_path))
    assert schema_errors(document) == []
    path = tmp_path / "fixes.sarif"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert multitool_errors(path, tmp_path) == []
    (found,) = document["runs"][0]["results"]
    assert found["fixes"] == [
        {
            "description": {"text": "set llm_int8_threshold=0.0 (unsafe fix)."},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "app.py", "uriBaseId": SRCROOT},
                    "replacements": [
                        {
                            "deletedRegion": {
                                "startLine": 2,
                                "startColumn": 43,
                                "endLine": 2,
                                "endColumn": 43,
                            },
                            "insertedContent": {"text": ", llm_int8_threshold=0.0"},
                        }
                    ],
                }
            ],
        }
    ]


def _apply_sarif_fixes(document: dict[str, Any], root: Path) -> dict[str, str]:
    """Each changed file's text after the SARIF replacements, applied as a SARIF consumer
    would: 1-based lines and code-point columns, end exclusive, shared edits once."""
    by_uri: dict[str, set[tuple[int, int, int, int, str]]] = {}
    for result in document["runs"][0]["results"]:
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                edits = by_uri.setdefault(change["artifactLocation"]["uri"], set())
                for replacement in change["replacements"]:
                    region = replacement["deletedRegion"]
                    text = replacement.get("insertedContent", {}).get("text", "")
                    edits.add(
                        (
                            region["startLine"],
                            region["startColumn"],
                            region["endLine"],
                            region["endColumn"],
                            text,
                        )
                    )
    texts = {}
    for uri, edits in by_uri.items():
        text = (root / uri).read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        starts = [sum(len(line) for line in lines[:index]) for index in range(len(lines) + 1)]
        for line, column, end_line, end_column, new in sorted(edits, reverse=True):
            start = starts[line - 1] + column - 1
            end = starts[end_line - 1] + end_column - 1
            text = text[:start] + new + text[end:]
        texts[uri] = text
    return texts


@pytest.mark.parametrize("case", ["notebook_eco405_eco002", "eco002_documents", "eco401_kv_cache"])
def test_sarif_fixes_give_what_fix_writes(tmp_path: Path, case: str) -> None:
    """Insertions, deletions, lines removed whole, notebooks' raw JSON and other files."""
    root = tmp_path / case
    shutil.copytree(FIXTURES / "fixes" / case / "before", root)
    result = Pipeline(Settings(root=root, select=case_rules(case)), edits=True).run([root])
    document = json.loads(render_sarif(result, "rtx4090d", root=root))
    assert schema_errors(document) == []
    path = tmp_path / f"{case}.sarif"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert multitool_errors(path, tmp_path) == []
    fixed = _apply_sarif_fixes(document, root)
    after = FIXTURES / "fixes" / case / "after"
    assert fixed and all(
        text == (after / uri).read_text(encoding="utf-8") for uri, text in fixed.items()
    )


RENDER_ALONE = """
import sys
from pathlib import Path

from ecolint.cache_codec import unpack
from ecolint.reporters.sarif import render_sarif

result = unpack(Path(sys.argv[1]).read_bytes())
log = render_sarif(result, "rtx4090d", Path(sys.argv[2]))
loaded = sorted(name for name in sys.modules if name.split(".")[0] == "libcst")
stack = ("ecolint.engine", "ecolint.pipeline", "ecolint.checks", "ecolint.analysis.resolver")
engine = sorted(name for name in sys.modules if name.startswith(stack))
print(len(log), loaded, engine)
"""


def test_writing_sarif_loads_no_libcst_nor_the_engine(tmp_path: Path) -> None:
    """Reporters depend on the run's result, not on the engine: a SARIF log of stored findings
    (a parse error among them) is written without libcst or the analysis stack."""
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (tmp_path / "broken.py").write_text(ECO101_SCRIPT + "def (:\n", encoding="utf-8")
    result = scan([tmp_path])
    assert {finding.code for finding in result.findings} == {"ECO001", "ECO101"}
    stored = tmp_path / "result.bin"
    stored.write_bytes(pack(result))
    run = subprocess.run(
        [sys.executable, "-c", RENDER_ALONE, str(stored), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    size, libcst, engine = run.stdout.split(" ", 2)
    assert int(size) > 0
    assert (libcst, engine.strip()) == ("[]", "[]")
