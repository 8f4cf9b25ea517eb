"""Code actions on findings: the rule's mechanical fix (a safe one is the preferred quick fix,
an unsafe one says so in its title), ``# noqa: ECOxxx`` on the finding's line, and every safe
fix of the document at once (``source.fixAll.ecolint``, which editors run on save). Fixes are
chosen by the same planner as ``ecolint check --fix``, so overlapping edits are never offered
together and a result that would not parse is never offered."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from ecolint.findings.add_noqa import merged_noqa
from ecolint.findings.model import Finding, Replacement
from ecolint.fixes import apply
from ecolint.fixes.files import SourceText
from ecolint.i18n import t
from ecolint.pipeline.deep_stack import deep_stack
from ecolint.server.places import NotebookBuffer, Spot

FIX_ALL = "source.fixAll.ecolint"


@dataclass(frozen=True)
class Shown:
    """A finding as published: where, as which diagnostic, and whether a ``# noqa`` comment
    can go at the end of its line (not in a notebook opened as its raw JSON)."""

    finding: Finding
    spot: Spot
    diagnostic: types.Diagnostic
    noqa: bool


Ranger = Callable[[Spot], types.Range]


@dataclass(frozen=True)
class Target:
    """The document the fixes are planned for: its text as the editor holds it (for a
    notebook, the JSON built from its cells, under the notebook's path), and the cells to put
    a notebook's changes back into."""

    held: SourceText
    cells: NotebookBuffer | None = None


def code_actions(
    shown: Iterable[Shown],
    wanted: types.Range,
    lines: list[str],
    to_range: Ranger,
    lang: str,
    target: Target | None,
) -> list[types.CodeAction]:
    """``lines``: the document's lines; ``target``: None when fixes cannot be offered."""
    actions: list[types.CodeAction] = []
    items = list(shown)
    for item in items:
        if not _overlaps(item.diagnostic.range, wanted):
            continue
        finding = item.finding
        if target is not None and finding.edits:
            plan = _plan([finding], finding.safety == "unsafe", target)
            if plan.applied:
                key = "server.action.fix" if finding.safety == "safe" else "server.action.unsafe"
                title = t(key, lang, code=finding.code, fix=(finding.fix or {}).get("summary"))
                actions.append(
                    types.CodeAction(
                        title=title,
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[item.diagnostic],
                        is_preferred=finding.safety == "safe",
                        edit=_workspace_edit(plan, item.spot, to_range, target),
                    )
                )
        if item.noqa:
            action = _noqa(item, lines, to_range, lang)
            if action is not None:
                actions.append(action)
    safe = [i.finding for i in items if i.finding.safety == "safe"]
    plan = _plan(safe, False, target) if safe and target is not None else None
    if target is not None and plan is not None and plan.applied:
        spot = items[0].spot
        actions.append(
            types.CodeAction(
                title=t("server.action.fix_all", lang, count=len(plan.applied)),
                kind=FIX_ALL,
                edit=_workspace_edit(plan, spot, to_range, target),
            )
        )
    return actions


def _plan(findings: list[Finding], unsafe: bool, target: Target) -> apply.Plan:
    return deep_stack(lambda: apply.plan(findings, unsafe, {target.held.file: target.held}))


def _workspace_edit(
    plan: apply.Plan, spot: Spot, to_range: Ranger, target: Target
) -> types.WorkspaceEdit:
    """The plan's edits, each once, by document: the one open in the editor keeps its own URI,
    another module gets its file's, and a notebook's changes go to the cells they change."""
    here = Path(to_fs_path(spot.uri) or "").resolve()
    changes: dict[str, list[types.TextEdit]] = {}
    seen: set[Replacement] = set()
    for finding in plan.applied:
        for edit in finding.edits:
            if edit in seen or (target.cells is not None and edit.file == target.held.file):
                continue
            seen.add(edit)
            there = Path(edit.file).resolve()
            uri = spot.uri if there == here else from_fs_path(str(there)) or there.as_uri()
            where = Spot(
                uri, edit.line - 1, edit.column - 1, edit.end_line - 1, edit.end_column - 1
            )
            changes.setdefault(uri, []).append(types.TextEdit(to_range(where), edit.text))
    if target.cells is not None:
        for change in plan.changes:
            if change.source.file == target.held.file:
                for where, text in target.cells.cell_edits(change.after):
                    changes.setdefault(where.uri, []).append(types.TextEdit(to_range(where), text))
    return types.WorkspaceEdit(changes=changes)


def _noqa(item: Shown, lines: list[str], to_range: Ranger, lang: str) -> types.CodeAction | None:
    line = item.spot.line
    if line >= len(lines):
        return None
    body = lines[line].rstrip("\r\n")
    merged = merged_noqa(body, {item.finding.code})
    if merged is None:
        return None
    where = to_range(Spot(item.spot.uri, line, 0, line, len(body)))
    return types.CodeAction(
        title=t("server.action.noqa", lang, code=item.finding.code),
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[item.diagnostic],
        edit=types.WorkspaceEdit(changes={item.spot.uri: [types.TextEdit(where, merged)]}),
    )


def _overlaps(shown: types.Range, wanted: types.Range) -> bool:
    def key(position: types.Position) -> tuple[int, int]:
        return position.line, position.character

    return key(shown.start) <= key(wanted.end) and key(wanted.start) <= key(shown.end)
