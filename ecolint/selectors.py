"""Rule selectors (``ECO``, ``ECO1``, ``ECO101``) checked against the rules that exist: a typo
such as ``ECO999`` would otherwise select or ignore nothing and the run would look clean, so it
stops the run instead, as ruff's "Unknown rule selector" does."""

from __future__ import annotations

from collections.abc import Iterable

from ecolint.rules import all_rules


class SelectorError(ValueError):
    """An unknown selector; the message names where it came from and lists the known ones."""


def known_selectors() -> list[str]:
    """``ECO``, the family prefixes (``ECO1``) and every code: what a user would type."""
    codes = sorted(all_rules())
    families = sorted({code[:4] for code in codes})
    return ["ECO", *families, *codes]


def check_selectors(values: Iterable[str], origin: str) -> tuple[str, ...]:
    """``values`` unchanged when every one is a prefix of a rule code; ``origin`` says where
    they were written (``--select``, ``pyproject.toml [tool.ecolint] ignore``)."""
    chosen = tuple(values)
    codes = all_rules()
    for value in chosen:
        if not value or not any(code.startswith(value) for code in codes):
            raise SelectorError(
                f"{origin}: unknown rule selector '{value}' (known: {', '.join(known_selectors())})"
            )
    return chosen
