"""The first two stages of scanning, cheap enough to run on every file of a repository.

1. bytes: does the file contain a trigger word of a rule that reads its kind of file?
2. for Python, ``ast``: is that word in the code (a name, a keyword, a string), not only in a
   comment or a sentence? (A rule whose YAML says ``reads: comments`` passes on stage 1
   alone; its ``commands`` words count in strings only, sentences included.)

Only files that pass both are analysed. A run's plan applies stage 1 (``by_bytes``) to every
file, serially; stage 2 (``in_code``) runs where the file is analysed, in the workers, on the
very tree the analysis then indexes, so a Python file is parsed once. A run in which no file
passes stage 1 is answered by the plan, without importing the engine or the data tables.
"""

from __future__ import annotations

import ast
import re
import weakref

from ecolint.findings.suppression import skips_file
from ecolint.rules import Rule
from ecolint.sources.gate import CodeWords, code_words, triggered_in_code, word_lines
from ecolint.sources.parse_guard import parsed
from ecolint.sources.python import SourceError, decode_python


def trigger_pattern(words: tuple[str, ...]) -> re.Pattern[bytes] | None:
    return re.compile(b"|".join(re.escape(word.encode()) for word in words)) if words else None


def command_pattern(words: tuple[str, ...]) -> re.Pattern[bytes] | None:
    """A command word as a program is named: a word of its own, after a path or ``!``/``%``
    and with a version (``/usr/bin/pip3.11``), not inside another (``pipeline``)."""
    if not words:
        return None
    names = b"|".join(re.escape(word.encode()) for word in words)
    return re.compile(rb"(?<![\w.-])(?:" + names + rb")[\d.]*(?![\w-])")


class Prefilter:
    def __init__(self, rules: list[Rule], max_bytes: int) -> None:
        self.rules = [rule for rule in rules if rule.triggers]
        self.max_bytes = max_bytes
        self._patterns: dict[tuple[str, str], re.Pattern[bytes] | None] = {}
        self._encoded: dict[tuple[str, str], tuple[bytes, ...]] = {}
        self._last_words: tuple[weakref.ref[ast.Module], bytes, bytes] | None = None
        self._line_words: tuple[str, ...] | None = None

    def active(self, kind: str, data: bytes) -> list[Rule]:
        """The rules that must read a file of ``kind`` with these bytes (both stages)."""
        active = self.by_bytes(kind, data)
        if kind == "python" and active:
            active = self.in_source(active, data)
        return active

    def by_bytes(self, kind: str, data: bytes) -> list[Rule]:
        """The rules whose trigger words a file of ``kind`` with these bytes contains."""
        present = self._present(kind, data)
        active = [
            rule for rule in self.rules if kind in rule.sources and self._fires(rule, kind, present)
        ]
        if not active or skips_file(data):
            return []
        return active

    def any_triggered(self, kind: str, data: bytes) -> bool:
        """Whether any rule's trigger words are in a file of ``kind`` (whatever its sources)."""
        present = self._present(kind, data)
        return bool(present) and any(self._fires(rule, kind, present) for rule in self.rules)

    def _present(self, kind: str, data: bytes) -> frozenset[bytes]:
        """The trigger and ``also`` words of any rule that ``data`` holds. A literal search per
        distinct word, once for all the rules: ``bytes`` finds a word many times faster than a
        regular expression of alternatives scans for any of them (2.8 s of 3.3 s of a run's
        plan), and the rules share most words."""
        key = ("*", kind)
        if key not in self._encoded:
            words = {word for rule in self.rules for word in self._words(rule, kind)}
            words.update(word for rule in self.rules for word in self._words(rule, "also"))
            self._encoded[key] = tuple(sorted(words))
        return frozenset(word for word in self._encoded[key] if word in data)

    def _fires(self, rule: Rule, kind: str, present: frozenset[bytes]) -> bool:
        if present.isdisjoint(self._words(rule, kind)):
            return False
        also = self._words(rule, "also")
        return not also or not present.isdisjoint(also)

    def _words(self, rule: Rule, kind: str) -> tuple[bytes, ...]:
        key = (rule.code, kind)
        if key not in self._encoded:
            words = rule.also if kind == "also" else rule.triggers_for(kind)
            self._encoded[key] = tuple(word.encode() for word in words)
        return self._encoded[key]

    def _pattern(self, rule: Rule, kind: str) -> re.Pattern[bytes] | None:
        """For ``commands``, the words the rule reads in the commands Python runs; for
        ``code``, its other Python triggers."""
        key = (rule.code, kind)
        if key not in self._patterns:
            if kind == "commands":
                pattern = command_pattern(rule.commands)
            else:
                words = rule.triggers_for("python")
                pattern = trigger_pattern(tuple(w for w in words if w not in rule.commands))
            self._patterns[key] = pattern
        return self._patterns[key]

    def in_source(self, active: list[Rule], data: bytes, text: str | None = None) -> list[Rule]:
        """The ``ast`` stage for a Python file's bytes (``text``: the same, already decoded).
        A file that does not decode or parse goes on, to be reported by the analysis. The
        parse guard keeps the tree, so that the analysis does not parse again, and weighs it
        only if the analysis asks for it."""
        try:
            decoded = text if text is not None else decode_python(data, self.max_bytes).text
        except SourceError:
            return active
        tree = parsed(decoded)
        if tree is None:
            return active
        return self.in_code(active, tree, decoded)

    def in_code(self, active: list[Rule], tree: ast.Module, text: str) -> list[Rule]:
        """Of the rules a Python file's bytes triggered, those whose words its code uses
        (``text``: what ``tree`` was parsed from)."""
        code, strings = self._code_words(tree, text)
        return [
            rule
            for rule in active
            if rule.reads_comments
            or triggered_in_code(code, self._pattern(rule, "code"))
            or triggered_in_code(strings, self._pattern(rule, "commands"))
        ]

    def _code_words(self, tree: ast.Module, text: str) -> tuple[bytes, bytes]:
        """What ordinary trigger words are searched in (names, strings without whitespace)
        and what command words are (every string), for the last tree asked about, walked
        once: the flake8 plugin's gate, the analysis's own file and the scan all ask about the
        same tree in turn. Only the statements on the lines of a trigger word of some rule are
        walked. The tree is not kept alive for this: flake8 lets go of each file's tree before
        it parses the next."""
        if self._last_words is None or self._last_words[0]() is not tree:
            found = code_words(tree, word_lines(text, self._lines()))
            self._last_words = (weakref.ref(tree), *_encoded(found))
        return self._last_words[1:]

    def _lines(self) -> tuple[str, ...]:
        if self._line_words is None:
            words = {word for rule in self.rules for word in rule.triggers_for("python")}
            self._line_words = tuple(sorted(words))
        return self._line_words


def _encoded(words: CodeWords) -> tuple[bytes, bytes]:
    code = f"{words.names}\n{words.strings}".encode("utf-8", "surrogatepass")
    return code, f"{words.strings}\n{words.text}".encode("utf-8", "surrogatepass")
