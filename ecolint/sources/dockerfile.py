"""Dockerfiles: what the final image runs, and what every ``RUN`` installs.

``FROM`` gives the image (a stage built on an earlier one inherits its environment and
command), ``ARG`` defaults and ``ENV`` values are the variables of later instructions and the
environment of the container, ``ENTRYPOINT`` and ``CMD`` (exec form: a JSON list, no variable
substitution; shell form: run by ``/bin/sh -c``) are what it starts. A Dockerfile line cannot
end in a comment, so a suppression comment goes on its own line above the instruction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ecolint.sources.document import Document
from ecolint.sources.launch_model import Launch, Offsets, Word
from ecolint.sources.shell_script import (
    Chars,
    Shell,
    document_chars,
    logical_lines,
    marker_above,
    split_words,
)

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_RUN_FLAG = re.compile(r"^(\s*--[A-Za-z-]+=\S*)+\s*")


@dataclass
class Stage:
    image: Word | None
    env: dict[str, Word] = field(default_factory=dict)
    entrypoint: tuple[Word, ...] = ()
    cmd: tuple[Word, ...] = ()
    shell_entrypoint: bool = False  # a shell-form ENTRYPOINT ignores CMD

    def copy(self) -> Stage:
        return Stage(self.image, dict(self.env), self.entrypoint, self.cmd, self.shell_entrypoint)


def dockerfile_launches(document: Document) -> Iterator[Launch]:
    offsets = Offsets(document)
    global_args: dict[str, Word] = {}
    stages: dict[str, Stage] = {}
    stage: Stage | None = None
    shell = Shell(offsets)
    for line, index in logical_lines(document_chars(document)):
        stripped = line.text.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        lead = len(line.text) - len(stripped)
        instruction = stripped.split(None, 1)[0]
        rest = line.part(lead + len(instruction), len(line.text))
        keyword = instruction.upper()
        comment_line = marker_above(document.lines, index + 1)
        if keyword == "FROM":
            stage = _from(shell, rest, comment_line, global_args, stages)
            shell = Shell(offsets, {**global_args, **stage.env})
            continue
        if keyword in ("ARG", "ENV"):
            found = _assignments(shell, rest, comment_line, keyword == "ARG")
            for name, value in found.items():
                if keyword == "ARG" and name in shell.variables:
                    continue  # an ARG default does not override a value already set
                shell.variables[name] = value
                if stage is None:
                    global_args[name] = value
                elif keyword == "ENV":
                    stage.env[name] = value
            continue
        if stage is None or keyword not in ("RUN", "CMD", "ENTRYPOINT"):
            continue
        if keyword == "RUN":
            body = _RUN_FLAG.sub("", rest.text)
            rest = rest.part(len(rest.text) - len(body), len(rest.text))
        exec_form = _exec_words(offsets, rest, comment_line)
        if keyword == "RUN":
            if exec_form is not None:
                commands = shell.launch(list(exec_form), {})
            else:
                commands = list(shell.commands(rest, comment_line))
            for launch in commands:
                yield Launch(launch.argv, {**stage.env, **launch.env}, stage.image)
            continue
        words = exec_form if exec_form is not None else _shell_words(shell, rest, comment_line)
        if keyword == "CMD":
            stage.cmd = words
        else:
            stage.entrypoint, stage.shell_entrypoint = words, exec_form is None
    if stage is not None:
        argv = stage.entrypoint if stage.shell_entrypoint else (*stage.entrypoint, *stage.cmd)
        started = Shell(offsets).launch(list(argv), {}) if argv else []
        for launch in started[:-1]:
            yield Launch(launch.argv, {**stage.env, **launch.env}, stage.image)
        last = started[-1] if started else Launch(())
        yield Launch(last.argv, {**stage.env, **last.env}, stage.image)


def _from(
    shell: Shell,
    rest: Chars,
    comment_line: int | None,
    global_args: dict[str, Word],
    stages: dict[str, Stage],
) -> Stage:
    raws = [raw for raw in split_words(rest) if not raw.literal.startswith("--")]
    shell.variables = dict(global_args)
    image = shell.word(raws[0], comment_line) if raws else None
    base = stages.get((image.text or "").lower()) if image is not None else None
    stage = base.copy() if base is not None else Stage(image)
    if len(raws) >= 3 and raws[1].literal.upper() == "AS":
        stages[raws[2].literal.lower()] = stage
    return stage


def _assignments(shell: Shell, rest: Chars, comment_line: int | None, arg: bool) -> dict[str, Word]:
    """``ENV A=1 B=2``, the legacy ``ENV A 1``, ``ARG A=1``; an ``ARG`` without a default
    declares a build argument that only the build command can set."""
    raws = split_words(rest)
    if not arg and len(raws) >= 2 and "=" not in raws[0].literal:
        name = raws[0].literal
        value = shell.word(raws[1], comment_line)
        return {
            name: Word(value.text, value.span, (name, shell.offsets.position(raws[0].start)[0]))
        }
    found: dict[str, Word] = {}
    for raw in raws:
        if "=" in raw.literal:
            name, value = shell.assignment(raw, comment_line)
            found[name] = value
    return found


def _exec_words(offsets: Offsets, rest: Chars, comment_line: int | None) -> tuple[Word, ...] | None:
    """The words of an exec-form instruction, or None when it is not a JSON list of strings
    (Docker then runs it in shell form)."""
    text = rest.text.strip()
    if not text.startswith("["):
        return None
    try:
        values = json.loads(text)
    except ValueError:
        return None
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        return None
    words = []
    for match, value in zip(_STRING.finditer(rest.text), values, strict=False):
        start, end = rest.offsets[match.start() + 1], rest.offsets[match.end() - 1]
        words.append(Word(value, offsets.span(start, end, comment_line)))
    return tuple(words)


def _shell_words(shell: Shell, rest: Chars, comment_line: int | None) -> tuple[Word, ...]:
    """A shell-form command: the last simple command of its text (``cd /app && exec vllm
    serve ...`` runs ``vllm serve``)."""
    commands = list(shell.commands(rest, comment_line))
    return commands[-1].argv if commands else ()
