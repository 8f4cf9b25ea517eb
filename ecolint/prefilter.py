"""The first two stages of scanning, cheap enough to run on every file of a repository.

1. bytes: does the file contain a trigger word of a rule that reads its kind of file?
2. for Python, ``ast``: is that word in the code (a name, a keyword, a string), not only in a
   comment? (ECO002 reads comments, so it passes on stage 1 alone.)

Only files that pass both reach libcst and the data tables. A run in which no file passes is
answered here, without importing either (``quick_result``).
"""

from __future__ import annotations

import re
from pathlib import Path

from ecolint.config import Settings
from ecolint.results import RunResult
from ecolint.rules import Rule, all_rules, selected
from ecolint.sources.discovery import discover
from ecolint.sources.gate import code_words, triggered_in_code
from ecolint.sources.parse_guard import parse_checked
from ecolint.sources.python import SourceError, decode_python
from ecolint.sources.safe_read import read_source
from ecolint.suppression import skips_file

COMMENT_RULES = frozenset({"ECO002"})  # rules that read comments: no ast gate for them


def trigger_pattern(words: tuple[str, ...]) -> re.Pattern[bytes] | None:
    return re.compile(b"|".join(re.escape(word.encode()) for word in words)) if words else None


class Prefilter:
    def __init__(self, rules: list[Rule], max_bytes: int) -> None:
        self.rules = [rule for rule in rules if rule.triggers]
        self.max_bytes = max_bytes
        self._patterns: dict[tuple[str, str], re.Pattern[bytes] | None] = {}

    def active(self, kind: str, data: bytes) -> list[Rule]:
        """The rules that must read a file of ``kind`` with these bytes."""
        active = [
            rule for rule in self.rules if kind in rule.sources and self.triggered(rule, kind, data)
        ]
        if kind == "python" and active:
            active = self._in_code(active, data)
        if not active or skips_file(data):
            return []
        return active

    def triggered(self, rule: Rule, kind: str, data: bytes) -> bool:
        pattern = self._pattern(rule, kind)
        return pattern is not None and pattern.search(data) is not None

    def _pattern(self, rule: Rule, kind: str) -> re.Pattern[bytes] | None:
        key = (rule.code, kind)
        if key not in self._patterns:
            self._patterns[key] = trigger_pattern(rule.triggers_for(kind))
        return self._patterns[key]

    def _in_code(self, active: list[Rule], data: bytes) -> list[Rule]:
        """A file that does not decode or parse goes on, to be reported by the analysis. The
        parse guard keeps its verdict on the text, so that libcst's guard does not parse again."""
        try:
            tree, _ = parse_checked(decode_python(data, self.max_bytes).text)
        except SourceError:
            return active
        if tree is None:
            return active
        words = code_words(tree)
        return [
            rule
            for rule in active
            if rule.code in COMMENT_RULES or triggered_in_code(words, self._pattern(rule, "python"))
        ]


def quick_result(paths: list[Path], settings: Settings) -> RunResult | None:
    """The result of a run in which no file needs analysis, or None when one does (or when a
    path or a file cannot be read: the engine reports those)."""
    discovery = discover(paths, settings.exclude, settings.root)
    if discovery.problems:
        return None
    prefilter = Prefilter(selected(all_rules(), settings.select, settings.ignore), 1 << 62)
    for source in discovery.files:
        try:
            data = read_source(source.path, source.kind, settings.max_file_size)
        except SourceError:
            return None
        if prefilter.active(source.kind, data):
            return None
    return RunResult(files_seen=len(discovery.files))
