"""The text formats that name Python requirements: pip requirement files (and the same lines in
conda's ``pip:`` lists), shell command lines that run ``pip install`` or ``conda install``, and
Poetry and conda version constraints. Pure text parsing with positions; reading files and
following includes is ``ecolint.analysis.dependencies``' job.

pip's own rules are followed where they matter: a ``#`` starts a comment at the start of a line
or after a blank (so ``#egg=`` in a URL is not one), a trailing backslash continues a line,
options in a requirement file are global to the pip run, and the first word that starts with
``-`` ends a requirement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

_COMMENT = re.compile(r"(^|\s+)#.*$")
_OPERATORS = ("&&", "||", ";", "|", "&")
SEPARATORS = frozenset(_OPERATORS)


@dataclass(frozen=True)
class Token:
    """A word of a command or requirement line; ``offset`` is where it starts in the text it
    came from (-1 when unknown, e.g. an argument the resolver could not read)."""

    text: str
    offset: int = -1


@dataclass(frozen=True)
class Item:
    """What a word asks pip or conda for. ``kind``: ``requirement``, ``editable``,
    ``include`` (-r), ``constraint`` (-c), ``index`` (-i, --extra-index-url, -f),
    ``channel`` (conda -c)."""

    kind: str
    value: str
    token: Token


@dataclass(frozen=True)
class Line:
    """A logical line of a requirement file: continuations joined, comment removed."""

    number: int  # 1-based, where it starts
    column: int  # 0-based column of its first non-blank character
    text: str


def strip_comment(text: str) -> str:
    return _COMMENT.sub("", text)


def logical_lines(text: str) -> Iterator[Line]:
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        body = strip_comment(raw)
        if body.rstrip().endswith("\\") and not raw.lstrip().startswith("#"):
            pending.append(body.rstrip()[:-1])
            continue
        pending.append(body)
        joined = " ".join(part.strip() for part in pending).strip()
        first = pending[0]
        pending = []
        if joined:
            yield Line(start, len(first) - len(first.lstrip()), joined)
    if pending:
        joined = " ".join(part.strip() for part in pending).strip()
        if joined:
            yield Line(start, len(pending[0]) - len(pending[0].lstrip()), joined)


def shell_words(text: str) -> list[Token]:
    """Split a command line like a POSIX shell (quotes removed), keeping where each word
    starts; ``&&``, ``||``, ``;``, ``|`` and ``&`` are words of their own, and a ``#`` at the
    start of a word ends the line. ``<`` and ``>`` stay inside words: ``torch>=2.5`` is meant
    as a requirement even where a shell would read a redirection."""
    words: list[Token] = []
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if char.isspace():
            index += 1
            continue
        if char == "#":
            break
        operator = next((op for op in _OPERATORS if text.startswith(op, index)), "")
        if operator:
            words.append(Token(operator, index))
            index += len(operator)
            continue
        start, parts = index, []
        while index < size and not text[index].isspace() and text[index] not in ";|&":
            char = text[index]
            if char in "'\"":
                end = text.find(char, index + 1)
                end = size if end < 0 else end
                inner = text[index + 1 : end]
                parts.append(inner if char == "'" else re.sub(r"\\(.)", r"\1", inner))
                index = end + 1
            elif char == "\\" and index + 1 < size:
                parts.append(text[index + 1])
                index += 2
            else:
                parts.append(char)
                index += 1
        words.append(Token("".join(parts), start))
    return words


# pip options that take a value, by every spelling; the value of others must not be read as a
# requirement. Options not listed are flags.
_PIP_ITEMS = {
    "-r": "include",
    "--requirement": "include",
    "-c": "constraint",
    "--constraint": "constraint",
    "-i": "index",
    "--index-url": "index",
    "--extra-index-url": "index",
    "-f": "index",
    "--find-links": "index",
    "-e": "editable",
    "--editable": "editable",
}
_PIP_VALUED = frozenset(
    {
        *_PIP_ITEMS,
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--src",
        "--trusted-host",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--only-binary",
        "--no-binary",
        "--upgrade-strategy",
        "--progress-bar",
        "--log",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--cert",
        "--client-cert",
        "--cache-dir",
        "-C",
        "--config-settings",
        "--global-option",
        "--report",
        "--python",
        "--index-strategy",
        "--prerelease",
    }
)
_SHORT_JOINED = ("-r", "-c", "-i", "-f", "-e")


def pip_items(words: list[Token]) -> list[Item]:
    """The arguments of ``pip install`` (or of a requirement file's option line)."""
    items: list[Item] = []
    index = 0
    while index < len(words):
        word = words[index]
        text = word.text
        index += 1
        if not text.startswith("-") or text == "-":
            if text:
                items.append(Item("requirement", text, word))
            continue
        name, value, joined = text, "", False
        if text.startswith("--") and "=" in text:
            name, value = text.split("=", 1)
            joined = True
        elif not text.startswith("--") and text[:2] in _SHORT_JOINED and len(text) > 2:
            name, value, joined = text[:2], text[2:], True
        if name not in _PIP_VALUED:
            continue
        if not joined:
            if index >= len(words):
                break
            value = words[index].text
            word = words[index]
            index += 1
        if name in _PIP_ITEMS:
            items.append(Item(_PIP_ITEMS[name], value, word))
    return items


def requirement_line_items(line: Line) -> list[Item]:
    """A requirement file line: options, or one requirement followed by per-requirement
    options (``--hash=...``), which are dropped. Offsets are columns in the first line."""
    if line.text.startswith("-"):
        words = [Token(w.text, w.offset + line.column) for w in shell_words(line.text)]
        return pip_items(words)
    words = line.text.split()
    kept = []
    for word in words:
        if word.startswith("-"):
            break
        kept.append(word)
    requirement = " ".join(kept)
    return [Item("requirement", requirement, Token(requirement, line.column))] if kept else []


_PIP_NAMES = re.compile(r"^pip(\d+(\.\d+)?)?$")
_CONDA_NAMES = frozenset({"conda", "mamba", "micromamba"})


@dataclass(frozen=True)
class Command:
    tool: str  # "pip" or "conda"
    words: list[Token]  # the arguments after ``install``


def install_commands(words: list[Token]) -> Iterator[Command]:
    """``pip install``, ``python -m pip install``, ``uv pip install``, ``%pip install``,
    ``conda``/``mamba install`` in a list of command words (several commands may be chained)."""
    index = 0
    while index < len(words):
        name = words[index].text.lstrip("!%").rsplit("/", 1)[-1]
        tool = None
        if _PIP_NAMES.match(name) and (index == 0 or words[index - 1].text != "-m"):
            tool = "pip"
        elif _runs_pip(name, words[index + 1].text if index + 1 < len(words) else ""):
            tool, index = "pip", index + 1
        elif name in _CONDA_NAMES:
            tool = "conda"
        index += 1
        if tool is None:
            continue
        while index < len(words) and words[index].text.startswith("-"):
            index += 1
        if index >= len(words) or words[index].text != "install":
            continue
        end = index + 1
        while end < len(words) and words[end].text not in SEPARATORS:
            end += 1
        yield Command(tool, words[index + 1 : end])
        index = end


def _runs_pip(word: str, following: str) -> bool:
    """``-m pip`` (after any Python) and ``uv pip``."""
    return (word == "-m" and bool(_PIP_NAMES.match(following))) or (
        word == "uv" and following == "pip"
    )


_CONDA_VALUED = frozenset({"-n", "--name", "-p", "--prefix", "--file", "--solver", "--repodata-fn"})


def conda_items(words: list[Token]) -> list[Item]:
    """The arguments of ``conda install``: channels and package specs."""
    items: list[Item] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        text = word.text
        if text in ("-c", "--channel") and index < len(words):
            items.append(Item("channel", words[index].text, words[index]))
            index += 1
        elif text.startswith("--channel="):
            items.append(Item("channel", text.split("=", 1)[1], word))
        elif text in _CONDA_VALUED:
            index += 1
        elif text and not text.startswith("-"):
            items.append(Item("requirement", text, word))
    return items


@dataclass(frozen=True)
class CondaSpec:
    channel: str
    name: str
    specifier: SpecifierSet | None
    version: str  # as written, for messages


_CONDA_SPEC = re.compile(
    r"^\s*(?:(?P<channel>[^:\s]+)::)?(?P<name>[A-Za-z0-9_.\-]+)\s*(?P<rest>.*)$"
)


def conda_spec(text: str) -> CondaSpec | None:
    """``pytorch``, ``pytorch=2.5``, ``pytorch==2.5.1``, ``pytorch>=2.4,<2.6``,
    ``pytorch-nightly::pytorch``, ``pytorch 2.5.* py3*``. A single ``=`` is conda's prefix
    match; ``|`` alternatives are not read as a version bound."""
    match = _CONDA_SPEC.match(text)
    if match is None:
        return None
    rest = match.group("rest").strip()
    version = rest.split()[0] if rest else ""
    if rest.startswith("=") and not rest.startswith("=="):
        version = rest[1:].split("=")[0].split()[0] if rest[1:].strip() else ""
        if version and not version.endswith("*") and _release_only(version):
            version += ".*"
        version = f"=={version}" if version else ""
    elif version and version[0].isdigit():
        version = f"=={version}"
    return CondaSpec(match.group("channel") or "", match.group("name"), _specifier(version), rest)


def _release_only(text: str) -> bool:
    return bool(re.fullmatch(r"\d+(\.\d+)*", text))


def poetry_specifier(text: str) -> SpecifierSet | None:
    """Poetry constraints as PEP 440: ``^1.2`` → ``>=1.2,<2``, ``~1.2`` → ``>=1.2,<1.3``,
    ``1.2.3`` → ``==1.2.3``, ``*`` → no bound. ``||`` alternatives are not a single bound."""
    if "||" in text:
        return None
    parts = []
    for raw in text.split(","):
        part = raw.strip()
        if not part or part == "*":
            continue
        if part[0] in "^~" and not part.startswith("~="):
            try:
                version = Version(part[1:].strip())
            except InvalidVersion:
                return None
            parts += [f">={version}", f"<{_poetry_upper(version, part[0])}"]
        elif part[0].isdigit():
            parts.append(f"=={part}")
        else:
            parts.append(part)
    return _specifier(",".join(parts)) if parts else SpecifierSet()


def _poetry_upper(version: Version, operator: str) -> str:
    release = list(version.release)
    if operator == "^":
        first = next((i for i, part in enumerate(release) if part), len(release) - 1)
        bumped = [*release[:first], release[first] + 1]
    else:
        keep = 1 if len(release) == 1 else 2
        bumped = [*release[: keep - 1], release[keep - 1] + 1]
    return ".".join(str(part) for part in bumped)


def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None
