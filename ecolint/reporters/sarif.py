"""SARIF 2.1.0 for GitHub code scanning, built with the ``sarif-om`` object model.

Findings become results; files that could not be parsed (ECO001) and checks that crashed
become tool-execution notifications, because they say something about the run, not about the
code. Locations are relative to ``%SRCROOT%`` (the folder ecolint ran in, the checkout on a
runner), and each result carries a fingerprint that survives edits elsewhere in the file, and
its mechanical fix, if it has one, as SARIF ``fixes``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attr
import sarif_om as om

from ecolint import __version__
from ecolint.docs import render_rule, render_rule_markdown
from ecolint.evidence.dataset import data_version
from ecolint.findings.model import Finding, Replacement
from ecolint.results import InternalError, RunResult
from ecolint.rules import Rule, all_rules

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "ecolintLineHash/v1"
LEVELS = {"red": "error", "orange": "error", "yellow": "warning", "gray": "note", "green": "note"}
# GitHub ranks non-security alerts by ``problem.severity``; the mood is that ranking.
PROBLEM_SEVERITY = {
    "red": "error",
    "orange": "error",
    "yellow": "warning",
    "gray": "recommendation",
    "green": "recommendation",
}
# A result or notification without ``level`` inherits its rule's level, so the level is always
# written, even where it equals sarif-om's default.
ALWAYS_WRITTEN = frozenset({"level"})


def render_sarif(result: RunResult, gpu: str, root: Path | None = None) -> str:
    base = (root or Path.cwd()).resolve()
    rules = [rule for rule in all_rules().values() if not rule.about_the_run]
    index = {rule.code: position for position, rule in enumerate(rules)}
    # A rule about the run (a file was not analysed) is a notification descriptor.
    notification_rules = [rule for rule in all_rules().values() if rule.about_the_run]
    notification_index = {rule.code: position for position, rule in enumerate(notification_rules)}
    fingerprints = _Fingerprints()
    results = []
    notifications = []
    for finding in result.findings:
        if finding.code in notification_index:
            position = notification_index[finding.code]
            notifications.append(_parse_notification(finding, base, descriptor_index=position))
        else:
            results.append(_result(finding, index[finding.code], base, fingerprints.of(finding)))
    notifications += [
        _internal_notification(error, index, base) for error in result.internal_errors
    ]
    notifications += [
        om.Notification(message=om.Message(text=f"{path}: {problem}"), level="error")
        for path, problem in result.problems
    ]
    run = om.Run(
        tool=om.Tool(driver=_driver(rules, notification_rules)),
        invocations=[
            om.Invocation(
                execution_successful=not (result.internal_errors or result.problems),
                tool_execution_notifications=notifications,
            )
        ],
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=base.as_uri() + "/")},
        column_kind="unicodeCodePoints",
        results=results,
        properties={
            "gpu": gpu,
            "data_version": data_version(),
            "files_scanned": result.files_seen,
            "files_analysed": result.files_analysed,
        },
    )
    log = to_json(om.SarifLog(runs=[run], version="2.1.0", schema_uri=SCHEMA_URI))
    document = {"$schema": log.pop("$schema"), "version": log.pop("version"), **log}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_json(value: Any) -> Any:
    """sarif-om objects to JSON values under their schema names (``ruleId``, ``$schema``),
    leaving out what is unset: None, empty containers, and sarif-om's defaults such as the
    ``-1`` "no index" sentinels, which the schema implies anyway."""
    if attr.has(type(value)):
        document = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            if _unset(field, item):
                continue
            document[field.metadata["schema_property_name"]] = to_json(item)
        return document
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def _unset(field: attr.Attribute, value: Any) -> bool:  # type: ignore[type-arg]
    if value is None or (isinstance(value, list | tuple | dict) and not value):
        return True
    if field.name in ALWAYS_WRITTEN or field.default is attr.NOTHING:
        return False
    default = field.default
    if isinstance(default, attr.Factory):  # type: ignore[arg-type]
        default = default.factory()
    return bool(value == default)


def _driver(rules: list[Rule], notification_rules: list[Rule]) -> om.ToolComponent:
    return om.ToolComponent(
        name="ecolint",
        version=__version__,
        semantic_version=__version__,
        information_uri=information_uri(),
        rules=[_descriptor(rule) for rule in rules],
        notifications=[_descriptor(rule) for rule in notification_rules],
    )


@cache
def information_uri() -> str | None:
    """The project's home page from the installed package's metadata (``[project.urls]``);
    no address is written when the package declares none."""
    try:
        urls = metadata.metadata("ecolint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    found = dict(entry.split(", ", 1) for entry in urls if ", " in entry)
    for label in ("Homepage", "Documentation", "Repository", "Source"):
        if found.get(label):
            return found[label]
    return None


def _descriptor(rule: Rule) -> om.ReportingDescriptor:
    level = LEVELS[rule.mood]
    tags = ["energy", "efficiency", "llm-inference", "measured" if rule.measured else "convention"]
    return om.ReportingDescriptor(
        id=rule.code,
        name=rule.name,
        short_description=om.MultiformatMessageString(text=_sentence(rule.summary["en"])),
        full_description=om.MultiformatMessageString(text=_english(rule.docs.get("what"), rule)),
        help=om.MultiformatMessageString(
            text=render_rule(rule), markdown=render_rule_markdown(rule)
        ),
        default_configuration=om.ReportingConfiguration(level=level),
        properties={"tags": tags, "problem.severity": PROBLEM_SEVERITY[rule.mood]},
    )


def _english(text: object, rule: Rule) -> str:
    if isinstance(text, dict):
        text = text.get("en")
    return str(text or rule.summary["en"]).strip()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _result(
    finding: Finding, rule_index: int, base: Path, fingerprint: dict[str, str]
) -> om.Result:
    message = finding.message + (f" ({finding.headline})" if finding.headline else "")
    return om.Result(
        rule_id=finding.code,
        rule_index=rule_index,
        level=LEVELS[finding.mood],
        message=om.Message(text=_sentence(message)),
        locations=[
            om.Location(
                physical_location=om.PhysicalLocation(
                    artifact_location=_artifact(finding.path, base),
                    region=om.Region(
                        start_line=finding.line,
                        start_column=finding.column,
                        end_line=finding.end_line,
                        end_column=finding.end_column,
                    ),
                )
            )
        ],
        partial_fingerprints=fingerprint,
        fixes=_fixes(finding, base),
        properties=_evidence_properties(finding),
    )


def _fixes(finding: Finding, base: Path) -> list[om.Fix]:
    """The mechanical fix as one SARIF fix: per file it changes, its replacements (1-based
    columns in code points, end exclusive, as the result regions; an insertion is an empty
    region, a deletion has no inserted content)."""
    if not finding.edits:
        return []
    by_path: dict[str, list[Replacement]] = {}
    for edit in finding.edits:
        by_path.setdefault(edit.path, []).append(edit)
    changes = [
        om.ArtifactChange(
            artifact_location=_artifact(path, base),
            replacements=[
                om.Replacement(
                    deleted_region=om.Region(
                        start_line=edit.line,
                        start_column=edit.column,
                        end_line=edit.end_line,
                        end_column=edit.end_column,
                    ),
                    inserted_content=om.ArtifactContent(text=edit.text) if edit.text else None,
                )
                for edit in sorted(edits, key=lambda edit: (edit.line, edit.column))
            ],
        )
        for path, edits in by_path.items()
    ]
    summary = (finding.fix or {}).get("summary", "")
    description = om.Message(text=_sentence(f"{summary} ({finding.safety} fix)"))
    return [om.Fix(description=description, artifact_changes=changes)]


def _evidence_properties(finding: Finding) -> dict[str, Any]:
    """What a reviewer needs to trust the figure: delta, confidence, GPU, model, and the data
    rows with the public source and commit each one was copied from."""
    properties: dict[str, Any] = {"mood": finding.mood}
    evidence = finding.evidence or {}
    if evidence:
        properties.update(
            {
                "headline": evidence.get("headline"),
                "delta_pct": evidence.get("delta_pct"),
                "confidence": evidence.get("confidence"),
                "basis": evidence.get("basis"),
                "gpu": evidence.get("gpu"),
                "model_id": evidence.get("model_id"),
                "model_params_b": evidence.get("model_params_b"),
                "rows": evidence.get("rows"),
                "notes": evidence.get("notes"),
            }
        )
    fix = finding.fix or {}
    if fix.get("summary"):
        properties["fix"] = {"summary": fix["summary"], "safety": fix.get("safety", "none")}
    return {key: value for key, value in properties.items() if value not in (None, [], {})}


def _parse_notification(finding: Finding, base: Path, descriptor_index: int) -> om.Notification:
    """A file that was not analysed may hide findings: a warning about the run."""
    return om.Notification(
        descriptor=om.ReportingDescriptorReference(id=finding.code, index=descriptor_index),
        message=om.Message(text=_sentence(finding.message)),
        level="warning",
        locations=[
            om.Location(
                physical_location=om.PhysicalLocation(
                    artifact_location=_artifact(finding.path, base),
                    region=om.Region(start_line=finding.line, start_column=finding.column),
                )
            )
        ],
    )


def _internal_notification(
    error: InternalError, index: dict[str, int], base: Path
) -> om.Notification:
    rule = (
        om.ReportingDescriptorReference(id=error.code, index=index[error.code])
        if error.code in index
        else None
    )
    return om.Notification(
        message=om.Message(
            text=f"Internal error in {error.code} while checking {error.path}: {error.message}"
        ),
        level="error",
        associated_rule=rule,
        exception=om.Exception(message=error.message),
        locations=[
            om.Location(
                physical_location=om.PhysicalLocation(artifact_location=_artifact(error.path, base))
            )
        ],
    )


def _artifact(path: str, base: Path) -> om.ArtifactLocation:
    """Relative to %SRCROOT% when the file lies under it, an absolute file URI otherwise."""
    full = (base / path).resolve()
    try:
        relative = full.relative_to(base)
    except ValueError:
        return om.ArtifactLocation(uri=full.as_uri())
    return om.ArtifactLocation(uri=quote(relative.as_posix()), uri_base_id=SRCROOT)


class _Fingerprints:
    """``hash(path, the finding's code fingerprint):n``, n counting identical ones, so that an
    alert keeps its identity when lines are added above it or re-indented (the engine's
    fingerprint is of the offending code without whitespace and comments)."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def of(self, finding: Finding) -> dict[str, str]:
        digest = hashlib.sha256(f"{finding.path}\0{finding.fingerprint}".encode()).hexdigest()
        self.seen[digest] += 1
        return {FINGERPRINT: f"{digest[:32]}:{self.seen[digest]}"}
