"""Rule metadata from ``rules/ECOxxx.yaml``: names, moods, messages (en/zh), docs and examples.

A rule's ``phrases:`` (the pieces its check fills into its messages) are checked here for both
languages and rendered by ``ecolint.i18n`` under the key ``ecoxxx.name``.

A rule's ``docs`` and ``examples`` are three quarters of its file and only the documentation,
SARIF and the tests read them: they are parsed when first asked for, not by every run."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from ecolint.i18n import render
from ecolint.resources import rules_dir
from ecolint.sources.discovery import KINDS
from ecolint.yaml_safe import safe_load

MOODS = ("red", "orange", "yellow", "gray", "green")
FAILING_MOODS = frozenset({"red", "orange", "yellow"})
MOOD_COLORS = {
    "red": "red",
    "orange": 208,  # the 256-colour palette's orange: plain red stays for red
    "yellow": "yellow",
    "gray": "bright_black",
    "green": "green",
}
# What a rule's figures rest on: EcoCompute rows, an engineering convention no row measures
# (ECO4xx), or nothing, for rules that inform rather than estimate a cost (ECO0xx, ECO3xx).
BASES = ("measured", "convention", "informational")
FIX_TIERS = ("safe", "unsafe")  # safe: applied by --fix; unsafe: also needs --unsafe-fixes
_CODE = re.compile(r"^ECO\d{3}$")
DEFAULT_SOURCES = ("python", "notebook")
# The roles of code a rule may report (``roles:``); test code is reported only when the user
# includes tests. A rule that lists none reports training and inference code.
REPORTED_ROLES = ("inference", "training", "library-option", "benchmark")
WORK_ROLES = frozenset({"inference", "training"})
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LATER = ("docs", "examples")  # top-level keys parsed when first asked for
_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*):")  # a top-level key starts at column 0


def moods_from(threshold: str) -> frozenset[str]:
    """``--fail-on orange``: the moods at or above the threshold (red is the worst)."""
    return frozenset(MOODS[: MOODS.index(threshold) + 1])


class RuleFileError(ValueError):
    pass


@dataclass(unsafe_hash=True)
class Rule:
    code: str
    name: str
    mood: str
    basis: str
    triggers: tuple[str, ...]  # every trigger word, whatever the kind of file
    sources: frozenset[str]
    summary: dict[str, str]
    messages: dict[str, dict[str, str]]
    evidence: dict[str, Any]
    fix: dict[str, Any]
    # ``about: run``: the rule reports on ecolint's run (a file it could not analyse), not on
    # the code: no suppression comment, no fingerprint, no fix but its summary; SARIF lists it
    # as a tool notification rather than a result.
    about_the_run: bool = False
    kind_triggers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    roles: frozenset[str] = WORK_ROLES  # the roles of code it reports (see analysis.roles)
    # ``reads: comments``: its trigger words count in comments too (suppressions)
    reads_comments: bool = False
    # ``also``: words of which one must occur in the file besides a trigger (the call that
    # applies what the trigger names), so that files that only mention it are not parsed
    also: tuple[str, ...] = ()
    # ``commands``: trigger words the rule reads in the commands Python runs: they count in any
    # string (``"pip install torch --pre"``, ``["pip", "install", ...]``) but not in names
    # (``pipeline``); the others count in names and in strings without whitespace (a key, an
    # option, a model id), not in sentences
    commands: tuple[str, ...] = ()
    # The YAML text of the ``LATER`` sections, and the file's name for their errors
    later: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    source: str = ""

    @cached_property
    def docs(self) -> dict[str, Any]:
        return _require(self._section("docs"), "docs", dict, self.source)

    @cached_property
    def examples(self) -> dict[str, list[Any]]:
        """Code, or ``{files: {name: code}}``."""
        return self._section("examples").get("examples") or {}

    def _section(self, key: str) -> dict[str, Any]:
        text = self.later.get(key)
        return {} if text is None else dict(safe_load(text))

    def triggers_for(self, kind: str) -> tuple[str, ...]:
        """The words that must occur in a file of ``kind`` for this rule to read it."""
        return self.kind_triggers.get(kind, self.kind_triggers.get("default", ()))

    def message(self, key: str, params: Mapping[str, object], lang: str = "en") -> str:
        """The message in ``lang``; parameters that are Phrases are rendered in it too."""
        template = self.messages[key].get(lang) or self.messages[key]["en"]
        return template.format(**{name: render(value, lang) for name, value in params.items()})

    @property
    def measured(self) -> bool:
        return self.basis == "measured"

    @property
    def fix_summary(self) -> str:
        return self.fix_text("en")

    def fix_text(self, lang: str, key: str = "default") -> str:
        """The fix's summary; a message key listed under ``fix.variants`` has its own."""
        texts = self._variant(key).get("summary") or self.fix.get("summary", {})
        return str(texts.get(lang) or texts.get("en", ""))

    def fix_snippets(self, key: str = "default") -> dict[str, str]:
        return dict(self._variant(key).get("snippets") or self.fix.get("snippets", {}))

    def _variant(self, key: str) -> dict[str, Any]:
        return dict((self.fix.get("variants") or {}).get(key) or {})

    def summary_text(self, lang: str) -> str:
        return str(self.summary.get(lang) or self.summary.get("en", ""))

    @property
    def fixable(self) -> bool:
        """Whether ecolint can make the fix itself (``fix.applicable``); the others show a
        snippet only."""
        return self.fix.get("applicable") is True


def _require(data: dict[str, Any], key: str, kind: type, source: str) -> Any:
    if key not in data:
        raise RuleFileError(f"{source}: missing key '{key}'")
    if not isinstance(data[key], kind):
        raise RuleFileError(f"{source}: '{key}' must be a {kind.__name__}")
    return data[key]


def _triggers(data: dict[str, Any], source: str) -> dict[str, tuple[str, ...]]:
    """``triggers`` is a list for every kind of file, or a mapping from kind (or ``default``)
    to the words that must occur in such a file for the rule to read it."""
    if "triggers" not in data:
        raise RuleFileError(f"{source}: missing key 'triggers'")
    value = data["triggers"]
    if isinstance(value, list):
        return {"default": tuple(map(str, value))}
    if isinstance(value, dict) and set(value) <= {*KINDS, "default"}:
        return {str(kind): tuple(map(str, words)) for kind, words in value.items()}
    raise RuleFileError(f"{source}: 'triggers' must be a list or a mapping of kind to words")


def _about(data: dict[str, Any], source: str) -> str:
    about = data.get("about", "code")
    if about not in ("code", "run"):
        raise RuleFileError(f"{source}: 'about' must be code or run")
    return str(about)


def _split(text: str) -> tuple[str, dict[str, str]]:
    """The file without its ``LATER`` sections, and each of those as a document of its own."""
    now: list[str] = []
    later: dict[str, list[str]] = {}
    key = None
    for line in text.splitlines(keepends=True):
        top = _TOP_KEY.match(line)
        if top is not None:
            key = top.group(1)
        (later.setdefault(key, []) if key in LATER else now).append(line)
    return "".join(now), {key: "".join(lines) for key, lines in later.items()}


def parse_rule(text: str, source: str) -> Rule:
    now, later = _split(text)
    data = safe_load(now)
    if "docs" not in later:
        raise RuleFileError(f"{source}: missing key 'docs'")
    if not isinstance(data, dict):
        raise RuleFileError(f"{source}: a rule file must be a mapping")
    code = _require(data, "code", str, source)
    if not _CODE.match(code):
        raise RuleFileError(f"{source}: code '{code}' is not of the form ECO123")
    name = _require(data, "name", str, source)
    if not _NAME.match(name):
        raise RuleFileError(f"{source}: name '{name}' is not kebab-case")
    mood = _require(data, "mood", str, source)
    if mood not in MOODS:
        raise RuleFileError(f"{source}: mood '{mood}' is not one of {', '.join(MOODS)}")
    basis = _require(data, "basis", str, source)
    if basis not in BASES:
        raise RuleFileError(f"{source}: basis '{basis}' is not one of {', '.join(BASES)}")
    kinds = data.get("sources", list(DEFAULT_SOURCES))
    if not isinstance(kinds, list) or not set(kinds) <= KINDS:
        raise RuleFileError(f"{source}: 'sources' must list kinds from {', '.join(sorted(KINDS))}")
    messages = _require(data, "messages", dict, source)
    phrases = data.get("phrases") or {}
    if not isinstance(phrases, dict):
        raise RuleFileError(f"{source}: 'phrases' must be a mapping")
    for kind, texts_by_key in (("message", messages), ("phrase", phrases)):
        for key, texts in texts_by_key.items():
            if not isinstance(texts, dict) or not {"en", "zh"} <= set(texts):
                raise RuleFileError(f"{source}: {kind} '{key}' needs both 'en' and 'zh'")
    fix = data.get("fix") or {}
    if not isinstance(fix, dict):
        raise RuleFileError(f"{source}: 'fix' must be a mapping")
    if not isinstance(fix.get("applicable", False), bool):
        raise RuleFileError(f"{source}: 'fix.applicable' must be true or false")
    if fix.get("applicable") and fix.get("safety") not in FIX_TIERS:
        raise RuleFileError(f"{source}: a fixable rule needs 'fix.safety' safe or unsafe")
    kind_triggers = _triggers(data, source)
    roles = data.get("roles", sorted(WORK_ROLES))
    if not isinstance(roles, list) or not set(roles) <= set(REPORTED_ROLES):
        raise RuleFileError(f"{source}: 'roles' must list roles from {', '.join(REPORTED_ROLES)}")
    reads = data.get("reads", "code")
    if reads not in ("code", "comments"):
        raise RuleFileError(f"{source}: 'reads' must be code or comments")
    also = data.get("also", [])
    if not isinstance(also, list) or not all(isinstance(word, str) for word in also):
        raise RuleFileError(f"{source}: 'also' must be a list of words")
    commands = data.get("commands", [])
    if not isinstance(commands, list) or not all(isinstance(word, str) for word in commands):
        raise RuleFileError(f"{source}: 'commands' must list some of its Python triggers")
    rule = Rule(
        code=code,
        name=name,
        mood=mood,
        basis=basis,
        triggers=tuple(sorted({word for words in kind_triggers.values() for word in words})),
        kind_triggers=kind_triggers,
        sources=frozenset(kinds),
        summary=_require(data, "summary", dict, source),
        messages=messages,
        evidence=data.get("evidence") or {},
        fix=fix,
        reads_comments=reads == "comments",
        about_the_run=_about(data, source) == "run",
        roles=frozenset(roles),
        also=tuple(also),
        commands=tuple(commands),
        later=later,
        source=source,
    )
    if not set(rule.commands) <= set(rule.triggers_for("python")):
        raise RuleFileError(f"{source}: 'commands' must list some of its Python triggers")
    return rule


@cache
def all_rules() -> dict[str, Rule]:
    rules = {}
    for path in sorted(rules_dir().glob("ECO*.yaml")):
        rule = parse_rule(path.read_text(encoding="utf-8"), path.name)
        if rule.code != path.stem:
            raise RuleFileError(f"{path.name}: code {rule.code} does not match the file name")
        rules[rule.code] = rule
    return rules


def scanned(codes: dict[str, Rule], select: tuple[str, ...], ignore: tuple[str, ...]) -> list[Rule]:
    """The selected rules and each rule that adjusts the confidence of their findings
    (``evidence.adjusts_confidence_of``: the evidence key those rules list): a finding's
    stars must not depend on which rules are selected. Only the selected rules report."""
    chosen = selected(codes, select, ignore)
    for rule in codes.values():
        key = rule.evidence.get("adjusts_confidence_of")
        if key and rule not in chosen and any(other.evidence.get(key) for other in chosen):
            chosen.append(rule)
    return chosen


def selected(
    codes: dict[str, Rule], select: tuple[str, ...], ignore: tuple[str, ...]
) -> list[Rule]:
    """ruff semantics: the longest matching prefix wins between select and ignore."""
    chosen = []
    for code, rule in codes.items():
        best_select = max((len(p) for p in select if code.startswith(p)), default=-1)
        best_ignore = max((len(p) for p in ignore if code.startswith(p)), default=-1)
        if best_select >= 0 and best_select > best_ignore:
            chosen.append(rule)
    return chosen
