"""The first two stages of scanning, cheap enough to run on every file of a repository.

1. bytes: does the file contain a trigger word of a rule that reads its kind of file?
2. for Python, ``ast``: is that word in the code (a name, a keyword, a string), not only in a
   comment? (A rule whose YAML says ``reads: comments`` passes on stage 1 alone.)

Only files that pass both reach libcst and the data tables. A run in which no file passes is
answered by the plan, without importing either.
"""

from __future__ import annotations

import re

from ecolint.findings.suppression import skips_file
from ecolint.rules import Rule
from ecolint.sources.gate import code_words, triggered_in_code
from ecolint.sources.parse_guard import parse_checked
from ecolint.sources.python import SourceError, decode_python


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
        if pattern is None or pattern.search(data) is None:
            return False
        also = self._also(rule)
        return also is None or also.search(data) is not None

    def _also(self, rule: Rule) -> re.Pattern[bytes] | None:
        key = (rule.code, "also")
        if key not in self._patterns:
            self._patterns[key] = trigger_pattern(rule.also)
        return self._patterns[key]

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
            if rule.reads_comments or triggered_in_code(words, self._pattern(rule, "python"))
        ]
