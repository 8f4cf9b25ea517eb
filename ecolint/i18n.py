"""English and Chinese for every user-facing string, with the Chinese beside the English.

Rules keep their messages, docs and phrases (the pieces a check fills into its messages) in
``rules/ECOxxx.yaml``, so a rule is one YAML file and one check; a phrase ``x`` of ECO101 is
asked for as ``eco101.x``. Everything else ecolint prints (summaries, cost lines, advisor
output, headings, where a value was set) lives in ``ecolint/messages.yaml``. A test fails when
a key lacks a language or the two disagree on their ``{fields}``.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ecolint.resources import rules_dir
from ecolint.yaml_safe import safe_load

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
CATALOGUE = Path(__file__).resolve().parent / "messages.yaml"
RULE_KEY = re.compile(r"^(eco\d{3})\.(.+)$")
_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*)[.:]")  # a top-level key starts at column 0
# POSIX precedence: LC_ALL overrides LC_MESSAGES, which overrides LANG.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


class CatalogueError(KeyError):
    """A key the code asks for is missing from messages.yaml or its rule's ``phrases:`` (a bug,
    caught by the tests)."""


def _texts(document: Mapping[Any, Any]) -> dict[str, dict[str, str]]:
    return {str(key): {str(k): str(v) for k, v in texts.items()} for key, texts in document.items()}


def sections(text: str) -> dict[str, str]:
    """A YAML mapping's text by the first part of its top-level keys (``check`` for
    ``check.fix``, ``phrases`` for ``phrases``), each a document of its own: a run parses only
    the texts it prints (a check run not the advisor's, a phrase not its rule's docs)."""
    found: dict[str, list[str]] = {}
    lines = found.setdefault("", [])  # the comments before the first key
    for line in text.splitlines(keepends=True):
        top = _TOP_KEY.match(line)
        if top is not None:
            lines = found.setdefault(top.group(1), [])
        lines.append(line)
    return {name: "".join(lines) for name, lines in found.items()}


@cache
def _catalogue_sections() -> dict[str, str]:
    return sections(CATALOGUE.read_text(encoding="utf-8"))


PARSED: dict[str, dict[str, dict[str, str]]] = {}  # messages.yaml's sections parsed so far


def catalogue_section(name: str) -> dict[str, dict[str, str]]:
    """The messages.yaml keys that start with ``name``, parsed when one is first asked for."""
    if name not in PARSED:
        text = _catalogue_sections().get(name)
        PARSED[name] = _texts(safe_load(text) or {}) if text else {}
    return PARSED[name]


def general() -> dict[str, dict[str, str]]:
    """messages.yaml: what ecolint prints that belongs to no rule."""
    entries: dict[str, dict[str, str]] = {}
    for name in _catalogue_sections():
        entries |= catalogue_section(name)
    return entries


@cache
def rule_phrases(code: str) -> dict[str, dict[str, str]]:
    """The ``phrases:`` of ``rules/ECOxxx.yaml``, read only when one of them is asked for."""
    path = rules_dir() / f"{code.upper()}.yaml"
    if not path.is_file():
        return {}
    text = sections(path.read_text(encoding="utf-8")).get("phrases")
    document = safe_load(text) if text else None
    return _texts((document or {}).get("phrases") or {})


def catalogue() -> dict[str, dict[str, str]]:
    """Every key: messages.yaml and each rule's phrases as ``ecoxxx.name``."""
    entries = dict(general())
    for path in sorted(rules_dir().glob("ECO*.yaml")):
        code = path.stem.lower()
        entries |= {f"{code}.{name}": texts for name, texts in rule_phrases(code).items()}
    return entries


def lookup(key: str) -> dict[str, str]:
    rule_key = RULE_KEY.match(key)
    if rule_key:
        texts = rule_phrases(rule_key[1]).get(rule_key[2])
    else:
        texts = catalogue_section(key.split(".", 1)[0]).get(key)
    if texts is None:
        raise CatalogueError(key)
    return texts


def fields(template: str) -> set[str]:
    """The ``{names}`` a template formats."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def t(key: str, lang: str = DEFAULT_LANG, /, **params: object) -> str:
    """The text of ``key`` in ``lang`` with ``params`` filled in (Phrases rendered too)."""
    texts = lookup(key)
    template = texts.get(lang) or texts[DEFAULT_LANG]
    return template.format(**{name: render(value, lang) for name, value in params.items()})


def noun(word: str, count: int, lang: str = DEFAULT_LANG) -> str:
    """``file``/``files`` by ``count`` (Chinese has one form; the catalogue gives both)."""
    return t(f"word.{word}.{'one' if count == 1 else 'many'}", lang)


def render(value: object, lang: str) -> object:
    return value.render(lang) if isinstance(value, Phrase) else value


@dataclass(frozen=True)
class Phrase:
    """A message kept as key and parameters until the language is known (notes, reasons)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.render(DEFAULT_LANG)


def phrase(key: str, /, **params: Any) -> Phrase:
    return Phrase(key, params)


def normalise(value: str) -> str | None:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans`` → ``zh``; ``en_US`` → ``en``; anything else None."""
    lowered = value.strip().lower().replace("-", "_")
    for lang in LANGS:
        if lowered == lang or lowered.startswith(f"{lang}_") or lowered.startswith(f"{lang}."):
            return lang
    return None


def detect_lang(
    explicit: str | None = None,
    configured: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """``--lang``, then ``[tool.ecolint] lang``, then a locale starting with ``zh``."""
    if explicit:
        return explicit
    if configured:
        return configured
    environ = os.environ if environ is None else environ
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:
            return "zh" if normalise(value) == "zh" else DEFAULT_LANG
    return DEFAULT_LANG
