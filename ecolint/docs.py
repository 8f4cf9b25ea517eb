"""Rule documentation in ruff's shape: what it does, why it is bad, example, use instead, fix
safety, plus what "unknown" means for the rule and which measured rows back it. Plain text for
the terminal, Markdown, or JSON; English or Chinese."""

from __future__ import annotations

import re
from typing import Any

from ecolint.i18n import DEFAULT_LANG, t
from ecolint.rules import Rule
from ecolint.text_table import Table, table_lines

# Precision families: a rule about NF4 is backed by double-quant rows too, FP8 by both modes.
EVIDENCE_FAMILIES = {
    "nf4": ("nf4", "nf4_dq"),
    "fp8_torchao_eager": ("fp8_torchao_eager", "fp8dyn_torchao_eager"),
}
# Fence languages of fix snippets; snippets for other frameworks are fenced without one.
SNIPPET_LANGUAGES = {
    "transformers": "python",
    "accelerate": "python",
    "vllm": "python",
    "unsloth": "python",
    "torchao": "python",
    "tgi": "shell",
}
SECTIONS = ("what", "why", "example", "use_instead", "unknown", "fix_safety")
CODE_SECTIONS = ("example", "use_instead")
# ``{range}`` (the rule's precision) or ``{range:int8_pure}`` in a rule's prose: the smallest
# and largest same-session delta of the rows; ``{crossovers}``: the NF4 crossovers of
# data/constants.csv. Figures in docs come from the data, never typed by hand.
_RANGE = re.compile(r"\{range(?::(\w+))?\}")
_CROSSOVERS = "{crossovers}"
CROSSOVER_PREFIX = "crossover.practitioner_v1."


def _text(value: object, lang: str = DEFAULT_LANG, rule: Rule | None = None) -> str:
    if isinstance(value, dict):
        text = str(value.get(lang) or value.get("en") or "").strip()
    else:
        text = str(value or "").strip()
    return _filled(text, rule, lang) if rule is not None else text


def _filled(text: str, rule: Rule, lang: str) -> str:
    def measured(found: re.Match[str]) -> str:
        precision = found.group(1) or rule.evidence.get("precision") or ""
        span = delta_span(EVIDENCE_FAMILIES.get(precision, (precision,)))
        if span is None:
            return t("docs.range_none", lang)
        low, high = span
        return t(
            "docs.range",
            lang,
            low=low["delta_pct"],
            low_rows="/".join(map(str, low["rows"])),
            high=high["delta_pct"],
            high_rows="/".join(map(str, high["rows"])),
        )

    text = _RANGE.sub(measured, text)
    if _CROSSOVERS in text:
        text = text.replace(_CROSSOVERS, crossovers())
    return text


def delta_span(family: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The smallest and largest delta against FP16 over every same-session pair of these
    precisions, with their rows (quantised, FP16)."""
    from ecolint.evidence.sessions import pairs

    found = [pair for pair in pairs() if pair.quant.precision in family]
    if not found:
        return None
    ends = (min(found, key=lambda p: p.delta_pct), max(found, key=lambda p: p.delta_pct))
    return tuple(  # type: ignore[return-value]
        {"delta_pct": round(pair.delta_pct, 2), "rows": [pair.quant.line, pair.base.line]}
        for pair in ends
    )


def crossovers() -> str:
    """``t4 3.2B, rtx4090d 3.9B, …`` from the practitioner report's keys in constants.csv."""
    from ecolint.evidence.dataset import constants

    return ", ".join(
        f"{key.split('.')[3]} {constant.value:g}B"
        for key, constant in sorted(constants().items())
        if key.startswith(CROSSOVER_PREFIX) and key.endswith(".nf4_b")
    )


def _indent(code: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in code.rstrip().splitlines())


def _fenced(code: str, language: str = "python") -> str:
    return f"```{language}\n{code.rstrip()}\n```"


def evidence_rows(rule: Rule) -> list[dict[str, Any]]:
    """Per GPU: how many same-session pairs back the rule, and the smallest and largest delta
    with their rows (quantised row, FP16 row)."""
    from ecolint.evidence.sessions import pairs

    precision = rule.evidence.get("precision")
    if not precision:
        return []
    family = EVIDENCE_FAMILIES.get(precision, (precision,))
    by_gpu: dict[str, list[Any]] = {}
    for pair in pairs():
        if pair.quant.precision in family:
            by_gpu.setdefault(pair.quant.gpu, []).append(pair)
    summary = []
    for gpu, found in sorted(by_gpu.items()):
        low = min(found, key=lambda pair: pair.delta_pct)
        high = max(found, key=lambda pair: pair.delta_pct)
        summary.append(
            {
                "gpu": gpu,
                "pairs": len(found),
                "min": {
                    "delta_pct": round(low.delta_pct, 2),
                    "rows": [low.quant.line, low.base.line],
                },
                "max": {
                    "delta_pct": round(high.delta_pct, 2),
                    "rows": [high.quant.line, high.base.line],
                },
            }
        )
    return summary


def _evidence_lines(rule: Rule, lang: str) -> list[str]:
    lines = [f"- {key}" for key in rule.evidence.get("keys") or []]
    for entry in evidence_rows(rule):
        low, high = entry["min"], entry["max"]
        lines.append(
            "- "
            + t(
                "docs.evidence_gpu",
                lang,
                gpu=entry["gpu"],
                pairs=entry["pairs"],
                low=low["delta_pct"],
                low_rows=f"{low['rows'][0]}/{low['rows'][1]}",
                high=high["delta_pct"],
                high_rows=f"{high['rows'][0]}/{high['rows'][1]}",
            )
        )
    return lines


def render_rule(rule: Rule, lang: str = DEFAULT_LANG) -> str:
    """Plain text for the terminal (``ecolint rule ECO101``)."""
    return _render(rule, lang, markdown=False)


def render_rule_markdown(rule: Rule, lang: str = DEFAULT_LANG) -> str:
    """The same documentation as GitHub-flavoured Markdown (SARIF ``help.markdown``)."""
    return _render(rule, lang, markdown=True)


def _kind(rule: Rule, lang: str) -> str:
    return t(f"docs.{rule.basis}", lang)


def _render(rule: Rule, lang: str, markdown: bool) -> str:
    docs = rule.docs
    code = _fenced if markdown else _indent
    mood = t(f"mood.{rule.mood}", lang)
    title = (
        f"# {rule.code} `{rule.name}`\n\n{mood}, {_kind(rule, lang)}"
        if markdown
        else f"{rule.code} {rule.name} [{mood}] ({_kind(rule, lang)})"
    )
    parts = [title, "", rule.summary_text(lang)]
    for section in SECTIONS:
        value = docs.get(section)
        if not value:
            continue
        body = code(str(value)) if section in CODE_SECTIONS else _text(value, lang, rule)
        if section == "fix_safety":
            body = f"{_automatic(rule, lang)}\n{body}"
        parts += ["", f"## {t(f'docs.{section}', lang)}", body]
    snippets = rule.fix.get("snippets") or {}
    if snippets:
        parts += ["", f"## {t('docs.fix_by_framework', lang)}"]
        for index, (framework, snippet) in enumerate(snippets.items()):
            if not markdown:
                parts += [f"{framework}:", _indent(str(snippet))]
                continue
            language = SNIPPET_LANGUAGES.get(framework, "")
            parts += [
                *([""] if index else []),
                f"{framework}:",
                "",
                _fenced(str(snippet), language),
            ]
    evidence = _evidence_lines(rule, lang)
    if evidence:
        parts += ["", f"## {t('docs.evidence', lang)}", *evidence]
    return "\n".join(parts).rstrip() + "\n"


def _automatic(rule: Rule, lang: str = DEFAULT_LANG) -> str:
    if not rule.fixable:
        return t("docs.auto.none", lang)
    return t("docs.auto.safe" if rule.fix.get("safety") == "safe" else "docs.auto.unsafe", lang)


def rule_document(rule: Rule, lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """The documentation as data (``ecolint rule ECO101 --format json``)."""
    docs = rule.docs
    return {
        "code": rule.code,
        "name": rule.name,
        "mood": rule.mood,
        "measured": rule.measured,
        "lang": lang,
        "summary": rule.summary_text(lang),
        "docs": {
            section: str(docs[section])
            if section in CODE_SECTIONS
            else _text(docs[section], lang, rule)
            for section in SECTIONS
            if docs.get(section)
        },
        "fix": {
            "summary": rule.fix_text(lang),
            "safety": rule.fix.get("safety", "none"),
            "automatic": rule.fixable,
            "snippets": rule.fix.get("snippets", {}),
        },
        "evidence": {"keys": rule.evidence.get("keys") or [], "rows": evidence_rows(rule)},
    }


def rules_table(rules: list[Rule], lang: str = DEFAULT_LANG) -> list[dict[str, str]]:
    return [
        {
            "code": rule.code,
            "name": rule.name,
            "mood": rule.mood,
            "basis": rule.basis,
            "summary": rule.summary_text(lang),
            "fix": rule.fix_text(lang),
        }
        for rule in rules
    ]


def render_rules_table(rules: list[Rule], lang: str = DEFAULT_LANG, markdown: bool = False) -> str:
    """``ecolint rules``; its Markdown form in English is the README's rules table
    (``scripts/readme_rules_table.py`` writes it there)."""
    headers = [t(f"docs.col.{name}", lang) for name in ("code", "name", "mood", "basis", "fix")]
    rows = [
        [
            entry["code"],
            f"`{entry['name']}`" if markdown else entry["name"],
            t(f"mood.{entry['mood']}", lang),
            t(f"docs.basis.{entry['basis']}", lang),
            entry["fix"],
        ]
        for entry in rules_table(rules, lang)
    ]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
        ]
        return "\n".join(lines)
    return "\n".join(table_lines(Table(tuple(headers), tuple(map(tuple, rows))), lang, False))
