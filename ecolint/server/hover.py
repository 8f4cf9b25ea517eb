"""Hover text of a finding: what it costs and on what measurement that rests, next to the
code. The rows are quoted as the JSON report quotes them (GPU, model, precision, batch size,
J per 1k tokens, where the row comes from and its commit), with the confidence and, when a
workload is configured, the monthly cost."""

from __future__ import annotations

from typing import Any

from ecolint.cost_text import finding_line
from ecolint.findings.model import Finding
from ecolint.i18n import t


def hover_markdown(finding: Finding, lang: str) -> str:
    mood = t(f"mood.{finding.mood}", lang)
    parts = [f"**{finding.code}** `{finding.name}` [{mood}]", _escaped(finding.message)]
    evidence: dict[str, Any] = finding.evidence or {}
    if finding.headline:
        parts.append(_escaped(finding.headline))
    rows = evidence.get("rows") or []
    if rows:
        header = t("server.hover.rows", lang)
        table = [f"| {' | '.join(header.split('|'))} |", "|---" * len(header.split("|")) + "|"]
        table += [_row(row) for row in rows]
        parts.append("\n".join(table))
    if evidence.get("confidence"):
        parts.append(t("server.hover.confidence", lang, confidence=evidence["confidence"]))
    if evidence.get("cost"):
        parts.append(_escaped(finding_line(evidence["cost"], lang)))
    if finding.fix and finding.fix.get("summary"):
        parts.append(_escaped(t("check.fix", lang, fix=finding.fix["summary"])))
    return "\n\n".join(parts)


def _row(row: dict[str, Any]) -> str:
    plain = [row.get(key) for key in ("gpu", "model_id", "precision", "batch_size")]
    cells = [_escaped(str(value)) if value is not None else "—" for value in plain]
    cells.append(str(row.get("energy_j_per_1k_tok", "—")))
    source = _escaped(str(row.get("source") or "—"))
    commit = str(row.get("commit") or "")[:12]
    cells.append(f"{source} @ `{commit}`" if commit else source)
    cells.append(_escaped(f"{row.get('file')}:{row.get('line')}"))
    return f"| {' | '.join(cells)} |"


def _escaped(text: str) -> str:
    """Names from the scanned code are shown as text, not as Markdown."""
    for mark in ("\\", "`", "*", "_", "|", "<", "[", "]"):
        text = text.replace(mark, f"\\{mark}")
    return text
