"""Every user-facing string exists in English and Chinese with the same {fields}."""

from __future__ import annotations

import difflib
import json
import keyword
import re
from pathlib import Path

import pytest
import yaml
from conftest import run_ecolint

from ecolint.analysis.serving import WEB_FRAMEWORKS
from ecolint.evidence.dataset import gpus
from ecolint.i18n import (
    CATALOGUE,
    LANGS,
    RULE_KEY,
    CatalogueError,
    catalogue,
    catalogue_section,
    detect_lang,
    fields,
    general,
    rule_phrases,
    t,
)
from ecolint.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
KEY_IN_CODE = re.compile(r"""\b(?:t|phrase|Phrase)\(\s*f?["']([a-z][\w.]*)["']""")


def test_every_catalogue_key_has_every_language_with_the_same_fields() -> None:
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGS), f"{key}: languages {sorted(texts)}"
        for lang in LANGS:
            assert texts[lang].strip(), f"{key}: empty {lang}"
        assert fields(texts["en"]) == fields(texts["zh"]), key


def test_chinese_entries_are_chinese() -> None:
    """Technical names (FP16, tok/s, FP8 eager) may stay as they are; prose may not."""
    han = re.compile(r"[\u4e00-\u9fff]")
    technical = {"eager", "tok", "gpu"}
    for key, texts in catalogue().items():
        english = re.sub(r"\{[^}]*\}|\S*[_=]\S*", "", texts["en"])  # fields and code
        prose = set(re.findall(r"[a-z]{3,}", english)) - technical
        assert han.search(texts["zh"]) or not prose, f"{key}: zh has no Chinese"


def test_every_key_the_code_asks_for_exists() -> None:
    used = set()
    for path in (ROOT / "ecolint").rglob("*.py"):
        used |= set(KEY_IN_CODE.findall(path.read_text(encoding="utf-8")))
    known = set(catalogue())
    prefixes = {key for key in used if key.endswith(".")}
    missing = {key for key in used - prefixes if key not in known}
    assert not missing, sorted(missing)
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in known), prefix


def test_rule_texts_have_both_languages() -> None:
    for rule in all_rules().values():
        assert set(rule.summary) >= set(LANGS), rule.code
        assert set(rule.fix.get("summary", {"en": 1, "zh": 1})) >= set(LANGS), rule.code
        for key, texts in rule.messages.items():
            assert fields(texts["en"]) == fields(texts["zh"]), (rule.code, key)
        for section, value in rule.docs.items():
            if isinstance(value, dict):
                assert set(value) >= set(LANGS), (rule.code, section)


def test_unknown_key_is_a_catalogue_error() -> None:
    with pytest.raises(CatalogueError):
        t("no.such.key", "en")


def test_missing_translation_is_detected(tmp_path: Path) -> None:
    """The completeness check itself fails on a catalogue with a missing zh."""
    broken = yaml.safe_load("a.b: {en: 'x {n}'}\nc.d: {en: 'y {n}', zh: '乙 {m}'}\n")
    problems = [
        key
        for key, texts in broken.items()
        if set(texts) != set(LANGS) or fields(texts["en"]) != fields(texts.get("zh", ""))
    ]
    assert problems == ["a.b", "c.d"]


@pytest.mark.parametrize(
    ("explicit", "configured", "environ", "expected"),
    [
        ("zh", "en", {"LANG": "en_US.UTF-8"}, "zh"),
        (None, "zh", {"LANG": "en_US.UTF-8"}, "zh"),
        (None, None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, None, {"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, None, {"LC_ALL": "zh_TW.UTF-8"}, "zh"),
        (None, None, {"LANG": "C.UTF-8"}, "en"),
        (None, None, {}, "en"),
    ],
)
def test_language_precedence(
    explicit: str | None, configured: str | None, environ: dict[str, str], expected: str
) -> None:
    assert detect_lang(explicit, configured, environ) == expected


# What a Chinese message may keep in Latin letters: code and names. A token with code
# punctuation or digits (``load_in_8bit=True``, ``--eight``, ``Qwen/Qwen2.5-7B``, ``J/tok``,
# ``ECO101``, ``app.py:3``) is code; so is a word with an inner capital (``DataLoader``,
# ``vLLM``). Other words must come from the message's own parameters — a name in the scanned
# file, a web framework's name, a GPU architecture — or be a name the zh catalogue itself
# writes (``bitsandbytes``).
CODE_TOKEN = re.compile(r"[_.=/:\-()\[\]@+*<>~'\"`\d]")
LATIN_WORD = re.compile(r"[A-Za-z]+")
NON_LATIN = re.compile(r"[^\x21-\x7e]+")
# ECO001 quotes the parser's own words (libcst, json, PyYAML) after "cannot be analysed".
PARSER_WORDS = frozenset({"ECO001"})


def _catalogue_words() -> set[str]:
    texts = [entry["zh"] for entry in catalogue().values()]
    for rule in all_rules().values():
        texts += [entry["zh"] for entry in rule.messages.values()]
        texts.append(rule.summary_text("zh"))
        texts.append(rule.fix_text("zh"))
    return {word for text in texts for word in LATIN_WORD.findall(re.sub(r"\{[^}]*\}", "", text))}


def _names_in(path: Path) -> set[str]:
    """Names a parameter can carry from the scanned file: its identifiers and words of its
    strings and keys; Python's keywords (``in``, ``not``, ``with``) are prose, not names."""
    if not path.is_file():
        return set()
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".py":
        text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return set(LATIN_WORD.findall(text)) - set(keyword.kwlist)


def _quoted_code(message: str, path: Path) -> str:
    """Stretches of the message copied from the scanned file (a placement such as
    ``.to("cuda" if ok else "cpu")``): their keywords are code, not prose."""
    if not path.is_file():
        return ""
    source = path.read_text(encoding="utf-8", errors="replace")
    matcher = difflib.SequenceMatcher(None, message, source, autojunk=False)
    blocks = matcher.get_matching_blocks()
    return " ".join(message[start : start + size] for start, _, size in blocks if size >= 12)


def _prose(message: str, allowed: set[str]) -> list[str]:
    words = []
    for token in NON_LATIN.split(message):
        token = token.removeprefix("(").rstrip(",;")
        if token.endswith(")") and "(" not in token:
            token = token[:-1]
        if not token or CODE_TOKEN.search(token):
            continue
        for word in LATIN_WORD.findall(token):
            if word in allowed or word.isupper() or any(c.isupper() for c in word[1:]):
                continue
            words.append(word)
    return words


def test_every_rule_speaks_chinese_under_lang_zh() -> None:
    """Every rule's messages over the fixtures and examples, in Chinese: no English prose
    built from fragments (``with do_eval=True``, ``set by argparse default of --x``)."""
    result = run_ecolint(
        "check",
        "tests/fixtures",
        "examples",
        "--select",
        "ECO",
        "--lang",
        "zh",
        "--format",
        "json",
        "--no-cache",
        "--exit-zero",
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert {finding["code"] for finding in findings} >= set(all_rules()) - PARSER_WORDS
    architectures = {gpu.arch for gpu in gpus().values()}
    known = _catalogue_words() | set(WEB_FRAMEWORKS.values()) | architectures
    leaks = []
    for finding in findings:
        if finding["code"] in PARSER_WORDS:
            continue
        allowed = known | _names_in(ROOT / finding["path"])
        allowed |= set(LATIN_WORD.findall(_quoted_code(finding["message"], ROOT / finding["path"])))
        english = _prose(finding["message"], allowed)
        if english:
            leaks.append(f"{finding['code']} {finding['path']}: {english}: {finding['message']}")
    assert not leaks, "\n".join(leaks)


def test_the_chinese_check_catches_english_fragments() -> None:
    allowed = {"bitsandbytes", "mode"}
    assert _prose("batch_size=1（由第 3 行的 mode 设置）", allowed) == []
    assert _prose("bitsandbytes INT8 使用 DataLoader（with do_eval=True）", allowed) == ["with"]
    assert _prose("use_cache=False (set by argparse default of --x at line 4)", allowed) == [
        "set",
        "by",
        "argparse",
        "default",
        "of",
        "at",
        "line",
    ]


def test_messages_yaml_holds_no_rule_phrases() -> None:
    """A rule's phrases live in its YAML (``phrases:``), asked for as ``ecoxxx.name``."""
    assert not [key for key in general() if RULE_KEY.match(key)]
    assert t("eco101.default_threshold", "zh", value=6.0) == "默认的 llm_int8_threshold=6.0"


def test_each_key_is_read_from_its_section_as_from_the_whole_file() -> None:
    """messages.yaml and a rule's phrases are parsed a section at a time (``i18n.sections``):
    each key must come out of its own section as the whole file's parse has it."""
    whole = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    for key, texts in whole.items():
        assert catalogue_section(key.split(".", 1)[0]).get(key) == texts, key
    assert general() == whole
    for path in sorted((ROOT / "rules").glob("ECO*.yaml")):
        phrases = yaml.safe_load(path.read_text(encoding="utf-8")).get("phrases") or {}
        assert rule_phrases(path.stem.lower()) == phrases, path.name
