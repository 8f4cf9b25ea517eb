"""JUnit XML, which CI systems (GitLab, Jenkins, Azure) show as test results: one test suite
per file, one failing test case per finding, as ruff writes it; a clean run is one passing
case. XML 1.0 cannot hold control characters, so names and messages are made inert."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from ecolint.reporters.inert import inert
from ecolint.results import RunResult


def render_junit(result: RunResult) -> str:
    root = ET.Element("testsuites", name="ecolint")
    failures = errors = 0
    for path, group in groupby(result.findings, key=lambda finding: finding.path):
        findings = list(group)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=inert(path),
            tests=str(len(findings)),
            failures=str(len(findings)),
        )
        failures += len(findings)
        for finding in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{finding.code} {finding.name}",
                classname=inert(path),
                file=inert(path),
                line=str(finding.line),
            )
            failure = ET.SubElement(
                case, "failure", message=inert(finding.message), type=finding.code
            )
            failure.text = inert(
                f"{finding.location}:{finding.column}: {finding.code} [{finding.mood}]"
                f" {finding.message}" + (f" ({finding.headline})" if finding.headline else "")
            )
    problems = [
        *(
            (error.path, f"internal error in {error.code}: {error.message}")
            for error in result.internal_errors
        ),
        *result.problems,
    ]
    if problems:
        suite = ET.SubElement(
            root, "testsuite", name="ecolint", tests=str(len(problems)), errors=str(len(problems))
        )
        errors += len(problems)
        for path, problem in problems:
            case = ET.SubElement(suite, "testcase", name="not checked", classname=inert(path))
            ET.SubElement(case, "error", message=inert(f"{path}: {problem}"))
    if not result.findings and not problems:
        suite = ET.SubElement(root, "testsuite", name="ecolint", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="No findings", classname="ecolint")
    total = failures + errors or 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
