"""Shell scripts (``serve.sh``, a Dockerfile's shell-form ``RUN``/``CMD``, ``sh -c "..."`` in a
manifest) read as far as a reader of the script can follow them without running it.

Lines continued with a backslash are joined; words are split with quotes removed; variables
are resolved from the script's own assignments (``export`` included) and from
``${VAR:-default}``; ``docker run [options] IMAGE ARGS`` gives the image, its ``-e`` environment
and the arguments the image's entrypoint gets. What depends on the environment the script runs
in (a variable never assigned, ``$(...)``, positional parameters) is unknown, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from ecolint.sources.document import Document
from ecolint.sources.launch_model import Launch, Offsets, Word, value_after

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "/bin/sh", "/bin/bash", "/usr/bin/env"})
WRAPPERS = frozenset({"exec", "nohup", "time", "sudo", "command", "nice"})
DECLARATIONS = frozenset({"export", "declare", "local", "readonly", "typeset"})
RESERVED = frozenset({"if", "then", "else", "elif", "do", "while", "until", "{", "!"})
OPERATORS = ("&&", "||", ";", "|", "&", "(", ")")
# ``docker run`` options that take a value (every other option is a flag).
DOCKER_VALUED = frozenset(
    {
        *("-a", "--attach", "-c", "--cpu-shares", "--cidfile", "--cpus", "--cpuset-cpus"),
        *("--device", "--dns", "--entrypoint", "--env-file", "--gpus", "-h", "--hostname"),
        *("--ipc", "-l", "--label", "--log-driver", "--log-opt", "-m", "--memory", "--mount"),
        *("--name", "--network", "--net", "--pid", "--platform", "-p", "--publish", "--pull"),
        *("--restart", "--runtime", "--security-opt", "--shm-size", "--ulimit", "-u", "--user"),
        *("-v", "--volume", "--volumes-from", "-w", "--workdir", "--add-host", "--cap-add"),
        *("--cap-drop", "--group-add", "--health-cmd", "--tmpfs", "--stop-signal"),
    }
)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_REFERENCE = re.compile(
    r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-=?+])(?P<default>[^}]*))?\}"
    r"|\$(?P<plain>[A-Za-z_][A-Za-z0-9_]*)|\$[{(0-9@*#?$!-]|`"
)


@dataclass(unsafe_hash=True)
class Chars:
    """Text with the document offset of each of its characters."""

    text: str
    offsets: Sequence[int]

    def part(self, start: int, end: int) -> Chars:
        return Chars(self.text[start:end], self.offsets[start:end])


@dataclass(unsafe_hash=True)
class RawWord:
    """A word as written: its pieces (``quote`` is ``'``, ``"`` or empty) before expansion."""

    pieces: tuple[tuple[Chars, str], ...]
    start: int  # document offsets of the whole word, quotes included
    end: int

    @property
    def literal(self) -> str:
        return "".join(chars.text for chars, _ in self.pieces)


class Shell:
    """One script's variables and the spans of its words: ``expand`` a word, ``commands`` of
    a line. ``comment_line`` is handed to every span (see ``TextSpan``)."""

    def __init__(self, offsets: Offsets, variables: Mapping[str, Word] | None = None) -> None:
        self.offsets = offsets
        self.variables: dict[str, Word] = dict(variables or {})
        self.exported: set[str] = set()  # ``export``ed: the environment of later commands

    def word(self, raw: RawWord, comment_line: int | None) -> Word:
        """The word with variables substituted. A word that is one variable reference points
        at the value where it is assigned (or at its ``:-`` default)."""
        span = self.offsets.span(raw.start, raw.end, comment_line)
        text: list[str] = []
        known = True
        only: Word | None = None
        references = 0
        for chars, quote in raw.pieces:
            if quote == "'":
                text.append(chars.text)
                continue
            position = 0
            for match in _REFERENCE.finditer(chars.text):
                text.append(chars.text[position : match.start()])
                position = match.end()
                references += 1
                value = self._reference(match, chars, comment_line)
                if value is None or value.text is None:
                    known = False
                    continue
                text.append(value.text)
                only = value
            text.append(chars.text[position:])
        joined = "".join(text)
        if references == 1 and only is not None and joined == only.text:
            return only
        return Word(joined if known else None, span)

    def _reference(
        self, match: re.Match[str], chars: Chars, comment_line: int | None
    ) -> Word | None:
        name = match.group("braced") or match.group("plain")
        if name is None:
            return None  # $1, $@, $(...), `...`: the environment decides
        value = self.variables.get(name)
        operator = match.group("op") or ""
        if operator.endswith("+"):
            return None
        empty_counts = operator.startswith(":")
        if value is not None and value.text is not None and not (empty_counts and not value.text):
            return value
        if operator.lstrip(":") in ("-", "="):
            start, end = match.span("default")
            default = chars.part(start, end)
            if "$" in default.text:
                return None
            if not default.offsets:
                return Word(
                    "", self.offsets.span(chars.offsets[start - 1], chars.offsets[start - 1])
                )
            span = self.offsets.span(default.offsets[0], default.offsets[-1] + 1, comment_line)
            return Word(default.text, span)
        return None

    def script(self, chars: Chars, comment_line: int | None = None) -> Iterator[Launch]:
        """The commands of a script held in one string (``sh -c "..."``), line by line."""
        for line, _ in logical_lines(chars):
            yield from self.commands(line, comment_line)

    def commands(self, line: Chars, comment_line: int | None = None) -> Iterator[Launch]:
        """The simple commands of a logical line, in order; assignments on their own update
        the script's variables for the commands after them."""
        command: list[RawWord] = []
        for raw in [*split_words(line), None]:
            if raw is None or (raw.literal in OPERATORS and raw.pieces[0][1] == ""):
                if command:
                    yield from self._command(command, comment_line)
                command = []
            else:
                command.append(raw)

    def _command(self, raws: list[RawWord], comment_line: int | None) -> list[Launch]:
        while raws and raws[0].literal in RESERVED:
            raws = raws[1:]  # ``then export X=1``: the command after the keyword
        if not raws:
            return []
        env: dict[str, Word] = {}
        index = 0
        declaring = raws[0].literal in DECLARATIONS
        if declaring:
            index = 1
        while index < len(raws) and _ASSIGNMENT.match(raws[index].literal):
            name, value = self.assignment(raws[index], comment_line)
            env[name] = value
            index += 1
        if raws[0].literal == "export":
            self.exported.update(env)
            self.exported.update(raw.literal for raw in raws[index:] if raw.literal.isidentifier())
        words = [self.word(raw, comment_line) for raw in raws[index:]]
        if declaring or not words:
            self.variables.update(env)
            return []
        exported = {name: self.variables[name] for name in self.exported if name in self.variables}
        return self.launch(words, {**exported, **env}, raws[index:], comment_line)

    def assignment(self, raw: RawWord, comment_line: int | None) -> tuple[str, Word]:
        first, quote = raw.pieces[0]
        name, _, _ = first.text.partition("=")
        rest = first.part(len(name) + 1, len(first.text))
        pieces = ((rest, quote), *raw.pieces[1:])
        start = rest.offsets[0] if rest.offsets else raw.end
        value = self.word(RawWord(pieces, start, raw.end), comment_line)
        if value.text is not None and value.variable is None:
            line, _ = self.offsets.position(raw.start)
            value = Word(value.text, value.span, (name, line))
        return name, value

    def launch(
        self,
        words: list[Word],
        env: dict[str, Word],
        raws: list[RawWord] | None = None,
        comment_line: int | None = None,
    ) -> list[Launch]:
        """A command's words as launches: wrappers dropped, ``env K=V`` and ``docker run``
        read, and ``sh -c SCRIPT`` followed into the script when its text is plain."""
        while words and words[0].text in WRAPPERS:
            words, raws = words[1:], raws[1:] if raws else None
        if words and words[0].text == "env":
            words, raws = words[1:], raws[1:] if raws else None
            while words and words[0].text and _ASSIGNMENT.match(words[0].text):
                name = words[0].text.partition("=")[0]
                env[name] = value_after(words[0], name)
                words, raws = words[1:], raws[1:] if raws else None
        texts = [word.text for word in words]
        if texts[:2] in (["docker", "run"], ["podman", "run"]) or texts[:3] == [
            "docker",
            "container",
            "run",
        ]:
            launch = docker_run(words[3 if texts[1] == "container" else 2 :], env)
            return [launch] if launch is not None else []
        if len(words) >= 3 and texts[0] in SHELLS and "-c" in texts[1:3]:
            script = raws[texts.index("-c") + 1] if raws else None
            if script is not None and len(script.pieces) == 1 and "$" not in script.literal:
                inner = self.script(script.pieces[0][0], comment_line)
                return [Launch(launch.argv, {**env, **launch.env}) for launch in inner]
        return [Launch(tuple(words), env)] if words else []


def docker_run(words: list[Word], env: dict[str, Word]) -> Launch | None:
    index = 0
    while index < len(words):
        text = words[index].text or ""
        if not text.startswith("-") or text == "-":
            break
        flag, equals, inline = text.partition("=")
        value: Word | None = None
        if equals:
            value = Word(inline, words[index].span)
        elif flag in DOCKER_VALUED or flag in ("-e", "--env"):
            index += 1
            value = words[index] if index < len(words) else None
        if flag in ("-e", "--env") and value is not None and value.text:
            name, has_value, _ = value.text.partition("=")
            if has_value:
                env[name] = value_after(value, name)
        index += 1
    if index >= len(words):
        return None
    return Launch(tuple(words[index + 1 :]), env, words[index])


def split_words(line: Chars) -> list[RawWord]:
    """Words and operators of one logical line; a ``#`` at the start of a word ends it."""
    text, offsets = line.text, line.offsets
    found: list[RawWord] = []
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if char.isspace():
            index += 1
            continue
        if char == "#":
            break
        operator = next((op for op in OPERATORS if text.startswith(op, index)), "")
        if operator:
            chars = line.part(index, index + len(operator))
            found.append(
                RawWord(((chars, ""),), offsets[index], offsets[index + len(operator) - 1] + 1)
            )
            index += len(operator)
            continue
        start, pieces = index, []
        plain_text, plain_offsets = [], []
        while index < size and not text[index].isspace() and text[index] not in ";|&()":
            char = text[index]
            if char in "'\"":
                if plain_text:
                    pieces.append((Chars("".join(plain_text), tuple(plain_offsets)), ""))
                    plain_text, plain_offsets = [], []
                end = text.find(char, index + 1)
                end = size if end < 0 else end
                inner = line.part(index + 1, end)
                if char == '"':
                    inner = _unescape(inner)
                pieces.append((inner, char))
                index = end + 1
            elif char == "\\" and index + 1 < size:
                plain_text.append(text[index + 1])
                plain_offsets.append(offsets[index + 1])
                index += 2
            else:
                plain_text.append(char)
                plain_offsets.append(offsets[index])
                index += 1
        if plain_text:
            pieces.append((Chars("".join(plain_text), tuple(plain_offsets)), ""))
        if not pieces:
            pieces.append((Chars("", ()), '"'))
        last = min(index, size) - 1
        found.append(RawWord(tuple(pieces), offsets[start], offsets[max(last, start)] + 1))
    return found


def _unescape(chars: Chars) -> Chars:
    text, offsets = [], []
    index = 0
    while index < len(chars.text):
        if (
            chars.text[index] == "\\"
            and index + 1 < len(chars.text)
            and chars.text[index + 1] in '"\\$`'
        ):
            index += 1
        text.append(chars.text[index])
        offsets.append(chars.offsets[index])
        index += 1
    return Chars("".join(text), tuple(offsets))


def logical_lines(chars: Chars) -> Iterator[tuple[Chars, int]]:
    """Lines with backslash continuations joined (comment lines inside a continuation are
    left out, as Docker does), each with the index of its first line (0-based)."""
    text, offsets = chars.text, chars.offsets
    kept: list[str] = []
    kept_offsets: list[int] = []
    first = number = 0
    position = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.rstrip()
        if kept and body.lstrip().startswith("#"):
            position += len(raw)
            number += 1
            continue
        continued = stripped.endswith("\\")
        piece = stripped[:-1] if continued else body
        kept.extend(piece)
        kept_offsets.extend(offsets[position : position + len(piece)])
        position += len(raw)
        number += 1
        if continued:
            kept.append(" ")
            kept_offsets.append(offsets[position - 1])
            continue
        yield Chars("".join(kept), tuple(kept_offsets)), first
        kept, kept_offsets, first = [], [], number
    if kept:
        yield Chars("".join(kept), tuple(kept_offsets)), first


def document_chars(document: Document) -> Chars:
    return Chars(document.text, range(len(document.text)))


def script_launches(document: Document) -> Iterator[Launch]:
    """The commands of a shell script, with its variables followed from top to bottom."""
    shell = Shell(Offsets(document))
    lines = document.lines
    for line, index in logical_lines(document_chars(document)):
        yield from shell.commands(line, marker_above(lines, index + 1))


def marker_above(lines: list[str], number: int) -> int | None:
    """The line of a suppression comment on its own line right above line ``number``: a
    command continued over several lines has no room for one after its words."""
    above = number - 1
    while above >= 1 and lines[above - 1].lstrip().startswith("#"):
        if re.search(r"#\s*(noqa|ecolint:\s*ignore)", lines[above - 1], re.I):
            return above
        above -= 1
    return None
