"""Run-wide passes, once every file's drafts are in: the selected checks' ``finish`` hooks
(which may change, add or drop drafts), then drafts a suppression comment silences are
dropped, and the rest become findings, one per site and code."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ecolint.evidence.select import Evidence
from ecolint.findings.model import Draft, Finding
from ecolint.pipeline.setup import Setup


def run_wide(drafts: list[Draft], setup: Setup) -> tuple[list[Draft], list[str]]:
    """The drafts that become findings, and the notes of fixes the hooks could not build."""
    drafts = sorted(drafts, key=Draft.order)
    run = setup.run_context()
    for check in setup.finishing():
        if check.judges_findings:  # judged as shown: without rules that only adjust others
            drafts = [draft for draft in drafts if draft.code in setup.reported]
        drafts = check.finish(drafts, run)
    shown = [draft for draft in drafts if draft.code in setup.reported]
    return [draft for draft in shown if draft.silenced_at is None], run.notes


def findings(drafts: Iterable[Draft], setup: Setup) -> list[Finding]:
    return best(finding(draft, setup) for draft in drafts)


def finding(draft: Draft, setup: Setup) -> Finding:
    rule = setup.rules[draft.code]
    evidence = draft.evidence
    lang = setup.lang
    key = draft.message_key
    fix: dict[str, Any] | None = {"summary": rule.fix_text(lang, key)}
    if draft.mood == "green":
        fix = None
    elif not rule.about_the_run:  # a finding about the run has no code to fix
        fix = {
            "summary": rule.fix_text(lang, key),
            "safety": rule.fix.get("safety", "none"),
            "snippets": rule.fix_snippets(key),
        }
    return Finding(
        code=rule.code,
        name=rule.name,
        mood=draft.mood,
        path=draft.display,
        line=draft.line,
        column=draft.column,
        end_line=draft.end_line,
        end_column=draft.end_column,
        cell=draft.cell,
        cell_line=draft.cell_line,
        cell_column=draft.cell_column,
        fingerprint=draft.fingerprint,
        message=rule.message(draft.message_key, draft.params, lang),
        evidence=_evidence(evidence, setup) if evidence else None,
        fix=fix,
        headline=evidence.headline(lang) if evidence else "",
        stars=evidence.stars if evidence else 0,
        edits=draft.edits,
        autofix=draft.autofix,
    )


def _evidence(evidence: Evidence, setup: Setup) -> dict[str, Any]:
    """The evidence of a finding, with its monthly cost when a workload is configured."""
    cost = None
    workload = setup.settings.workload
    if workload.has_volume:
        from ecolint.evidence.cost import finding_cost

        cost = finding_cost(evidence, workload, setup.gpu, setup.lang)
    return {**evidence.as_dict(), "headline": evidence.headline(setup.lang), "cost": cost}


def best(found: Iterable[Finding]) -> list[Finding]:
    """One finding per site and code (the first of equals wins), sorted."""
    chosen: dict[tuple[str, str, int, int], Finding] = {}
    for item in found:
        key = (item.code, item.path, item.line, item.column)
        if key not in chosen or _preference(item) > _preference(chosen[key]):
            chosen[key] = item
    return sorted(chosen.values(), key=Finding.sort_key)


def _preference(item: Finding) -> tuple[bool, int, bool]:
    """One finding per site: a penalty beats a saving at the same spot, then confidence, then
    evidence that knows the model (the loading call was seen)."""
    evidence = item.evidence or {}
    return (item.mood != "green", item.stars, evidence.get("model_id") is not None)
