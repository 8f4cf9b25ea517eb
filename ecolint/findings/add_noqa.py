"""``ecolint check --add-noqa``: silence every current finding where it is reported.

Each finding's line gets ``# noqa: ECOxxx`` (codes merged into a noqa comment already there; a
bare ``# noqa`` already silences everything). A Dockerfile instruction, or a shell command
continued over several lines, gets it on its own line above its first line instead. A Python
line whose end lies inside a multi-line string cannot carry a comment and is left alone, said
so. In a notebook the comment goes into
the cell's source string inside the raw JSON, leaving the rest of the file as it was.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ecolint.findings.model import Finding
from ecolint.rules import all_rules
from ecolint.safe_write import Tree, WriteError, write_file
from ecolint.sources.discovery import source_kind
from ecolint.sources.python import SourceError, decode_python, decode_text
from ecolint.text_lines import source_lines

_NOQA = re.compile(r"#\s*noqa(?P<list>:\s*[A-Z]+\d+(?:[,\s]+[A-Z]+\d+)*)?", re.I)
_NEWLINE = re.compile(r"\r?\n?$")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
# Files whose commands cannot always end in a comment: it goes on its own line above them.
COMMAND_KINDS = frozenset({"dockerfile", "shell"})


@dataclass
class Added:
    directives: int = 0
    skipped: list[str] = field(default_factory=list)
    unwritten: list[str] = field(default_factory=list)  # refused or failed writes: errors


def add_noqa(findings: list[Finding], tree: Tree) -> Added:
    """Each file is rewritten atomically, only while it still holds the bytes read here, and
    never through a symlink out of ``tree``."""
    added = Added()
    by_file: dict[str, list[Finding]] = defaultdict(list)
    rules = all_rules()
    for finding in findings:
        rule = rules.get(finding.code)
        if rule is None or not rule.about_the_run:  # a file not analysed has no line to silence
            by_file[finding.path].append(finding)
    for path, items in sorted(by_file.items()):
        try:
            if path.lower().endswith(".ipynb"):
                added.directives += _notebook(Path(path), items, tree)
            else:
                added.directives += _lines(Path(path), items, added.skipped, tree)
        except WriteError as error:
            added.unwritten.append(str(error))
        except (OSError, SourceError) as error:
            added.skipped.append(f"{path}: {error}")
    return added


def merged_noqa(comment_area: str, codes: set[str]) -> str | None:
    """The new text for the end of a line, or None when nothing needs to change."""
    match = _NOQA.search(comment_area)
    if match is None:
        return f"{comment_area}  # noqa: {', '.join(sorted(codes))}"
    if match.group("list") is None:
        return None  # a bare noqa silences every code already
    listed = re.split(r"[,\s]+", match.group("list")[1:].strip())
    missing = sorted(codes - {code.upper() for code in listed})
    if not missing:
        return None
    merged = f"# noqa: {', '.join([*listed, *missing])}"
    return comment_area[: match.start()] + merged + comment_area[match.end() :]


def _lines(path: Path, findings: list[Finding], skipped: list[str], tree: Tree) -> int:
    data = path.read_bytes()
    if path.suffix == ".py":
        decoded = decode_python(data, len(data) + 1)
        text, encoding = decoded.text, decoded.encoding
        inside = _lines_ending_in_strings(text)
    else:
        text, encoding, inside = decode_text(data, len(data) + 1), "utf-8", set()
    lines = source_lines(text)
    codes: dict[int, set[str]] = defaultdict(set)
    for finding in findings:
        if finding.line in inside:
            skipped.append(f"{path}:{finding.line}: the line ends inside a string")
        else:
            codes[finding.line].add(finding.code)
    count = 0
    kind = source_kind(path) or ""
    for number, wanted in sorted(codes.items(), reverse=True):  # insertions shift lines below
        start = _command_start(lines, number, kind) if kind in COMMAND_KINDS else None
        if start is not None:
            count += _above(lines, start, wanted)
            continue
        line = lines[number - 1]
        ending = _NEWLINE.search(line).group()  # type: ignore[union-attr]
        body = line[: len(line) - len(ending)]
        merged = merged_noqa(body, wanted)
        if merged is not None:
            lines[number - 1] = merged + ending
            count += 1
    if count:
        bom = data.startswith(b"\xef\xbb\xbf")
        new = (b"\xef\xbb\xbf" if bom else b"") + "".join(lines).encode(encoding)
        write_file(path, new, tree, expected=data)
    return count


def _command_start(lines: list[str], number: int, kind: str) -> int | None:
    """The first line of the Dockerfile instruction or continued shell command that holds line
    ``number``, when a comment cannot follow it there: every Dockerfile instruction, and a
    shell command continued with a backslash. None for a shell line that can end in one."""
    start = number
    while start > 1:
        above = lines[start - 2].rstrip("\r\n")
        if above.lstrip().startswith("#"):
            start -= 1  # a comment line inside a continued instruction
            continue
        if not above.rstrip().endswith("\\"):
            break
        start -= 1
    while start < number and lines[start - 1].lstrip().startswith("#"):
        start += 1
    continued = lines[number - 1].rstrip("\r\n").rstrip().endswith("\\")
    return start if kind == "dockerfile" or start != number or continued else None


def _above(lines: list[str], start: int, codes: set[str]) -> int:
    """``# noqa: CODES`` on its own line right above line ``start`` (merged into one already
    there); the reader of these files looks for it there."""
    line = lines[start - 1]
    ending = _NEWLINE.search(line).group() or "\n"  # type: ignore[union-attr]
    if start > 1 and lines[start - 2].lstrip().startswith("#") and _NOQA.search(lines[start - 2]):
        previous = lines[start - 2]
        body = previous[: len(previous) - len(_NEWLINE.search(previous).group())]  # type: ignore[union-attr]
        merged = merged_noqa(body, codes)
        if merged is None:
            return 0
        lines[start - 2] = merged + ending
        return 1
    indent = line[: len(line) - len(line.lstrip())]
    lines.insert(start - 1, f"{indent}# noqa: {', '.join(sorted(codes))}{ending}")
    return 1


def _lines_ending_in_strings(text: str) -> set[int]:
    inside: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError):
        pass
    return inside


def _notebook(path: Path, findings: list[Finding], tree: Tree) -> int:
    """Rewrite, inside the JSON string that holds the finding's code line, just that line (up
    to its ``\\n`` escape); the rest of the notebook keeps its bytes."""
    data = path.read_bytes()
    raw = decode_text(data, 1 << 40)
    lines = source_lines(raw)
    codes: dict[tuple[int, int, int], set[str]] = defaultdict(set)
    for finding in findings:
        segment = _code_segment(lines[finding.line - 1], finding.column - 1)
        if segment is not None:
            codes[(finding.line, *segment)].add(finding.code)
    count = 0
    for (number, start, end), wanted in sorted(codes.items(), reverse=True):
        line = lines[number - 1]
        merged = merged_noqa(json.loads(f'"{line[start:end]}"'), wanted)
        if merged is not None:
            escaped = json.dumps(merged, ensure_ascii=False)[1:-1]
            lines[number - 1] = line[:start] + escaped + line[end:]
            count += 1
    if count:
        bom = data.startswith(b"\xef\xbb\xbf")
        new = (b"\xef\xbb\xbf" if bom else b"") + "".join(lines).encode("utf-8")
        write_file(path, new, tree, expected=data)
    return count


def _code_segment(raw_line: str, column: int) -> tuple[int, int] | None:
    """The raw span of the code line around ``column``: from the string's opening quote or the
    previous ``\\n`` escape to the next one or the closing quote."""
    for token in _JSON_STRING.finditer(raw_line):
        if not token.start() < column < token.end():
            continue
        start = token.start() + 1
        index = start
        while index < token.end() - 1:
            if raw_line[index] == "\\":
                if raw_line[index + 1] == "n":
                    if index >= column:
                        return start, index
                    start = index + 2
                index += 2
            else:
                index += 1
        return start, token.end() - 1
    return None
