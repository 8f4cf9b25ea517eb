"""Rule documentation in ruff's shape: what it does, why it is bad, example, use instead, fix
safety, plus what "unknown" means for the rule and which measured rows back it."""

from __future__ import annotations

from ecolint.evidence.select import CONVENTION_BASIS
from ecolint.rules import Rule


def _text(value: object, lang: str = "en") -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or "").strip()
    return str(value or "").strip()


def _indent(code: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in code.rstrip().splitlines())


# Fence languages of fix snippets; snippets for other frameworks are fenced without one.
SNIPPET_LANGUAGES = {
    "transformers": "python",
    "accelerate": "python",
    "vllm": "python",
    "unsloth": "python",
    "torchao": "python",
    "tgi": "shell",
}


def _fenced(code: str, language: str = "python") -> str:
    return f"```{language}\n{code.rstrip()}\n```"


def render_rule(rule: Rule, lang: str = "en") -> str:
    """Plain text for the terminal (``ecolint rule ECO101``)."""
    return _render(rule, lang, markdown=False)


def render_rule_markdown(rule: Rule, lang: str = "en") -> str:
    """The same documentation as GitHub-flavoured Markdown (SARIF ``help.markdown``)."""
    return _render(rule, lang, markdown=True)


def _render(rule: Rule, lang: str, markdown: bool) -> str:
    docs = rule.docs
    kind = "measured by EcoCompute" if rule.measured else CONVENTION_BASIS
    code = _fenced if markdown else _indent
    title = f"{rule.code} {rule.name} [{rule.mood}] ({kind})"
    parts = [
        f"# {rule.code} `{rule.name}`\n\n{rule.mood}, {kind}" if markdown else title,
        "",
        _text(rule.summary, lang),
        "",
        "## What it does",
        _text(docs.get("what"), lang),
        "",
        "## Why is this bad?",
        _text(docs.get("why"), lang),
        "",
        "## Example",
        code(str(docs.get("example", ""))),
        "",
        "## Use instead",
        code(str(docs.get("use_instead", ""))),
    ]
    if docs.get("unknown"):
        parts += ["", "## When the value cannot be known", _text(docs["unknown"], lang)]
    parts += ["", "## Fix safety", _automatic(rule), _text(docs.get("fix_safety"), lang)]
    snippets = rule.fix.get("snippets") or {}
    if snippets:
        parts += ["", "## Fix by framework"]
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
    keys = rule.evidence.get("keys") or []
    if keys:
        parts += ["", "## Evidence", *(f"- {key}" for key in keys)]
    return "\n".join(parts).rstrip() + "\n"


def _automatic(rule: Rule) -> str:
    if not rule.fixable:
        return "No automatic fix: make the change by hand (see the snippets)."
    if rule.fix.get("safety") == "safe":
        return "Automatic fix (safe): applied by `ecolint check --fix`."
    return "Automatic fix (unsafe): applied by `ecolint check --fix --unsafe-fixes`."


def render_rules_table(rules: list[Rule]) -> str:
    header = f"{'code':<8}{'name':<30}{'mood':<8}{'basis':<12}fix"
    lines = [header, "-" * len(header)]
    for rule in rules:
        basis = "measured" if rule.measured else "convention"
        lines.append(f"{rule.code:<8}{rule.name:<30}{rule.mood:<8}{basis:<12}{rule.fix_summary}")
    return "\n".join(lines)
