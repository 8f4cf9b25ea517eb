"""A finding as an LSP diagnostic: its code with a link to the rule's documentation, a
severity by mood, the message with its measured headline, and where the offending value is
defined when that is elsewhere (the fix's edits point there: the argparse default, the
constant, the other module)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from ecolint.findings.model import Finding
from ecolint.i18n import t
from ecolint.resources import rules_dir
from ecolint.server.places import Spot

SOURCE = "ecolint"
SEVERITY = {
    "red": types.DiagnosticSeverity.Error,
    "orange": types.DiagnosticSeverity.Warning,
    "yellow": types.DiagnosticSeverity.Warning,
    "gray": types.DiagnosticSeverity.Information,
    "green": types.DiagnosticSeverity.Hint,
}


def rule_link(code: str) -> str:
    """The rule's own file (its documentation in English and Chinese), shipped with ecolint:
    a link that works offline, as ``ecolint rule CODE`` does."""
    return (rules_dir() / f"{code}.yaml").resolve().as_uri()


def diagnostic(
    finding: Finding,
    spot: Spot,
    to_range: Callable[[Spot], types.Range],
    lang: str,
    synced_notebook: Path | None = None,
) -> types.Diagnostic:
    """``synced_notebook``: the notebook the finding is in when the editor shows it as cells;
    edits in it are in its JSON, not in editor terms, so only edits elsewhere are pointed to."""
    message = finding.message
    if finding.headline:
        message += f" ({finding.headline})"
    related = _definitions(finding, spot, to_range, lang, synced_notebook)
    return types.Diagnostic(
        range=to_range(spot),
        message=message,
        severity=SEVERITY[finding.mood],
        code=finding.code,
        code_description=types.CodeDescription(href=rule_link(finding.code)),
        source=SOURCE,
        related_information=related or None,
        data={"fingerprint": finding.fingerprint, "code": finding.code},
    )


def _definitions(
    finding: Finding,
    spot: Spot,
    to_range: Callable[[Spot], types.Range],
    lang: str,
    synced_notebook: Path | None,
) -> list[types.DiagnosticRelatedInformation]:
    found = []
    here = Path(to_fs_path(spot.uri) or "").resolve()
    skipped = synced_notebook.resolve() if synced_notebook is not None else None
    for edit in finding.edits:
        there = Path(edit.file).resolve()
        if there == skipped or (there == here and edit.line - 1 == spot.line):
            continue
        uri = spot.uri if there == here else from_fs_path(str(there)) or there.as_uri()
        where = Spot(uri, edit.line - 1, edit.column - 1, edit.end_line - 1, edit.end_column - 1)
        location = types.Location(uri=uri, range=to_range(where))
        message = t("server.defined_here", lang, code=finding.code)
        related = types.DiagnosticRelatedInformation(location=location, message=message)
        if related not in found:
            found.append(related)
    return found
