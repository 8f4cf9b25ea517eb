"""``ecolint rule`` and ``ecolint rules``: a rule's documentation and the table of rules."""

from __future__ import annotations

from pathlib import Path

import click

from ecolint.cli.output import fail
from ecolint.cli.shared_options import format_option, lang_option


@click.command(short_help="Show the documentation of one rule, such as ECO101.")
@click.argument("code")
@format_option
@lang_option
def rule(code: str, fmt: str, lang: str | None) -> None:
    """Show the documentation of one rule (e.g. ECO101)."""
    import json

    from ecolint.docs import render_rule, render_rule_markdown, rule_document
    from ecolint.i18n import detect_lang
    from ecolint.rules import all_rules

    chosen = detect_lang(lang, configured_lang())
    found = all_rules().get(code.upper())
    if found is None:
        fail(f"unknown rule '{code}'. Known rules: {', '.join(all_rules())}")
    if fmt == "json":
        click.echo(json.dumps(rule_document(found, chosen), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(render_rule_markdown(found, chosen))
    else:
        click.echo(render_rule(found, chosen))


@click.command(name="rules", short_help="List every rule with its mood and basis.")
@format_option
@lang_option
def rules_command(fmt: str, lang: str | None) -> None:
    """List every rule with its mood and whether its figures are measured."""
    import json

    from ecolint.docs import render_rules_table, rules_table
    from ecolint.i18n import detect_lang
    from ecolint.rules import all_rules

    chosen = detect_lang(lang, configured_lang())
    rules = list(all_rules().values())
    if fmt == "json":
        click.echo(json.dumps(rules_table(rules, chosen), indent=2, ensure_ascii=False))
    else:
        click.echo(render_rules_table(rules, chosen, markdown=fmt == "markdown"))


def configured_lang() -> str | None:
    """``[tool.ecolint] lang`` of the nearest configuration, if it can be read."""
    from ecolint.config import ConfigError, load_settings

    try:
        return load_settings(Path(".")).lang
    except ConfigError as error:
        fail(str(error))
    return None
