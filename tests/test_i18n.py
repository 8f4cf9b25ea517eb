"""Every user-facing string exists in English and Chinese with the same {fields}."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ecolint.i18n import LANGS, CatalogueError, catalogue, detect_lang, fields, t
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
