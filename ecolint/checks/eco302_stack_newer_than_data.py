"""ECO302: a pinned stack package whose version differs from the measured stack."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from ecolint.analysis.module import ModuleInfo
from ecolint.checks.base import Check, RunContext
from ecolint.evidence.dataset import Gpu
from ecolint.findings.locations import locate
from ecolint.findings.model import Draft, Report
from ecolint.rules import Rule
from ecolint.sources.document import Document

if TYPE_CHECKING:
    from ecolint.analysis.dependencies import Dependency
    from ecolint.evidence.stack import Comparison, Pin

PACKAGES = frozenset({"torch", "torchao", "transformers", "bitsandbytes"})
# Code that installs what it runs with (``!pip install`` in a notebook, ``subprocess`` running
# pip in a script) governs only itself; ``setup.py`` declares the project's dependencies.
OWN_INSTALLS = frozenset({".ipynb", ".py"})
PROJECT_FILES = frozenset({"setup.py"})


class StackNewerThanData(Check):
    """Each pin becomes a report that ``finish`` compares with the rows quoted by the run's
    quantization findings (``ecolint.evidence.stack``): it is kept only when it differs from
    them, and it lowers their confidence. An unbounded requirement is not a pin; one found
    through an include of a file scanned on its own is reported there."""

    code = "ECO302"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        from ecolint.analysis.dependencies import dependencies  # only when the rule is active

        return self._pins(dependencies(self.resolver, module))

    def run_document(self, document: Document) -> Iterator[Report]:
        from ecolint.analysis.dependencies import dependencies

        return self._pins(dependencies(self.resolver, document))

    def _pins(self, found: Iterable[Dependency]) -> Iterator[Report]:
        for dependency in found:
            if dependency.name not in PACKAGES or dependency.shared:
                continue
            pin = pin_of(dependency)
            if pin is not None:
                yield Report(self.code, dependency.site, subject=pin)

    @classmethod
    def finish(cls, drafts: list[Draft], run: RunContext) -> list[Draft]:
        return stack_drift(drafts, run.rules, run.gpu)


def pin_of(dependency: Dependency) -> Pin | None:
    from ecolint.evidence.stack import Pin, pin_bounds  # only when a rule reads dependencies

    bounds = pin_bounds(dependency.specifier)
    if bounds is None:
        return None
    place = locate(dependency.site)
    where = place.display + (
        f" cell {place.cell} line {place.cell_line}" if place.cell is not None else f":{place.line}"
    )
    file = place.file.resolve()
    if file.suffix in OWN_INSTALLS and file.name not in PROJECT_FILES:
        return Pin(dependency.name, dependency.text, bounds, where, file, own_file=True)
    folder = file.parent
    scope = folder.parent if folder.name == "requirements" else folder
    return Pin(dependency.name, dependency.text, bounds, where, scope)


def stack_drift(reports: list[Draft], rules: Mapping[str, Rule], gpu: Gpu) -> list[Draft]:
    """Lower the confidence of findings whose rule lists a pinned package under
    ``evidence.stack``, and turn each ECO302 pin report into its finding (or drop it when it
    compares with nothing quoted in this run)."""
    if all(report.code != StackNewerThanData.code for report in reports):
        return list(reports)  # no pin: the stack's evidence is not imported
    from ecolint.evidence.stack import Pin, compare, governing

    pins = [
        (report, pin)
        for report in reports
        if report.code == StackNewerThanData.code
        for pin in [report.subject]
        if isinstance(pin, Pin)
    ]
    if not pins:
        return [report for report in reports if report.code != StackNewerThanData.code]
    compared: dict[int, list[tuple[Comparison, Draft]]] = {id(pin): [] for _, pin in pins}
    result = []
    for report in reports:
        if report.code == StackNewerThanData.code:
            continue
        rule = rules.get(report.code)
        packages = set(rule.evidence.get("stack") or ()) if rule else set()
        evidence = report.evidence
        if not packages or evidence is None or evidence.stars == 0:
            result.append(report)
            continue
        row = evidence.pair.quant if evidence.pair else None
        found = []
        for pin in governing((pin for _, pin in pins if pin.name in packages), report.file):
            comparison = compare(pin, row)
            if comparison is not None:
                found.append(comparison)
                compared[id(pin)].append((comparison, report))
        result.append(_adjusted(report, found) if found else report)
    for report, pin in pins:
        if any(comparison.lowers for comparison, _ in compared[id(pin)]):
            result.append(_pin_report(report, pin, compared[id(pin)], gpu))
    return result


def _adjusted(report: Draft, found: list[Comparison]) -> Draft:
    evidence = report.evidence
    assert evidence is not None
    stars = max(1, evidence.stars - 1) if any(c.lowers for c in found) else evidence.stars
    notes = (*evidence.notes, *(comparison.note() for comparison in found))
    return replace(report, evidence=replace(evidence, stars=stars, notes=notes))


def _pin_report(report: Draft, pin: Pin, found: list[tuple[Comparison, Draft]], gpu: Gpu) -> Draft:
    from ecolint.evidence.stack import DRIFT_BASIS, StackEvidence, measured_text

    relations = {comparison.relation for comparison, _ in found}
    if relations <= {"newer", "drift"}:
        key = "newer"
    elif relations == {"older"}:
        key = "older"
    else:
        key = "mixed"
    places = {id(finding): _place(finding) for _, finding in found}
    lowered = {places[id(finding)] for comparison, finding in found if comparison.lowers}
    found = [(comparison, finding) for comparison, finding in found if comparison.lowers]
    rows = tuple(dict.fromkeys(c.row for c, _ in found if c.row is not None))
    notes = tuple(
        dict.fromkeys(
            f"{places[id(finding)][0]} at {places[id(finding)][1]}: {comparison.note()}"
            for comparison, finding in found
        )
    )
    params = {
        **report.params,
        "pin": pin.text,
        "package": pin.name,
        "measured": measured_text(c for c, _ in found),
        "lowered": str(len(lowered)),
    }
    evidence = StackEvidence(None, gpu, None, None, 1, DRIFT_BASIS, notes, rows=rows)
    return replace(report, message_key=key, params=params, evidence=evidence)


def _place(report: Draft) -> tuple[str, str]:
    """A finding as the user will see it; reports of one site in several call contexts
    become one finding."""
    return report.code, f"{report.display}:{report.line}:{report.column}"
