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
from ecolint.server.places import Spot

FIX_ALL = "source.fixAll.ecolint"


@dataclass(frozen=True)
class Shown:
    """A finding as published: where, as which diagnostic, and whether its fix's edits are
    in editor terms (not in a synced notebook, whose edits are in the raw JSON)."""

    finding: Finding
    spot: Spot
    diagnostic: types.Diagnostic
    fixable: bool
    noqa: bool  # a comment can go at the end of its line


Ranger = Callable[[Spot], types.Range]


def code_actions(
    shown: Iterable[Shown],
    wanted: types.Range,
    lines: list[str],
    to_range: Ranger,
    lang: str,
    held: SourceText | None,
) -> list[types.CodeAction]:
    """``lines``: the document's lines; ``held``: its text for the fix-all planner, None when
    its fixes cannot be offered."""
    actions: list[types.CodeAction] = []
    items = list(shown)
    for item in items:
        if not _overlaps(item.diagnostic.range, wanted):
            continue
        finding = item.finding
        if item.fixable and finding.edits:
            plan = _plan([finding], finding.safety == "unsafe", held)
            if plan.applied:
                key = "server.action.fix" if finding.safety == "safe" else "server.action.unsafe"
                title = t(key, lang, code=finding.code, fix=(finding.fix or {}).get("summary"))
                actions.append(
                    types.CodeAction(
                        title=title,
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[item.diagnostic],
                        is_preferred=finding.safety == "safe",
                        edit=_workspace_edit(plan.applied, item.spot, to_range),
                    )
                )
        if item.noqa:
            action = _noqa(item, lines, to_range, lang)
            if action is not None:
                actions.append(action)
    safe = [i.finding for i in items if i.fixable and i.finding.safety == "safe"]
    plan = _plan(safe, False, held) if safe and held is not None else None
    if plan is not None and plan.applied:
        spot = next(i.spot for i in items if i.fixable)
        actions.append(
            types.CodeAction(
                title=t("server.action.fix_all", lang, count=len(plan.applied)),
                kind=FIX_ALL,
                edit=_workspace_edit(plan.applied, spot, to_range),
            )
        )
    return actions


def _plan(findings: list[Finding], unsafe: bool, held: SourceText | None) -> apply.Plan:
    texts = {held.file: held} if held is not None else {}
    return deep_stack(lambda: apply.plan(findings, unsafe, texts))


def _workspace_edit(findings: list[Finding], spot: Spot, to_range: Ranger) -> types.WorkspaceEdit:
    """The findings' edits, each once, by document (the one open in the editor keeps its
    own URI; another module gets its file's)."""
    here = Path(to_fs_path(spot.uri) or "").resolve()
    changes: dict[str, list[types.TextEdit]] = {}
    seen: set[Replacement] = set()
    for finding in findings:
        for edit in finding.edits:
            if edit in seen:
                continue
            seen.add(edit)
            there = Path(edit.file).resolve()
            uri = spot.uri if there == here else from_fs_path(str(there)) or there.as_uri()
            where = Spot(
                uri, edit.line - 1, edit.column - 1, edit.end_line - 1, edit.end_column - 1
            )
            changes.setdefault(uri, []).append(types.TextEdit(to_range(where), edit.text))
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
