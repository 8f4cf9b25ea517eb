"""Fixes as changes to files on disk: Python sources in their own encoding, notebooks, whose
code-cell edits become edits of the cells' ``source`` strings in the raw JSON, and the text
files rules read (a suppression comment in a requirement list, TOML or YAML).

Every changed file is parsed again before it is written; a change that does not parse is
never written.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ecolint.analysis.module import ModuleInfo
from ecolint.findings.model import Replacement
from ecolint.fixes.edits import Fix, FixError, apply_text, line_column, line_starts, narrow
from ecolint.safe_write import Tree, write_file
from ecolint.sources.discovery import source_kind
from ecolint.sources.python import SourceError, decode_python, decode_text, parse_python
from ecolint.yaml_safe import safe_load

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def replacements(fix: Fix) -> tuple[Replacement, ...]:
    """The fix's edits as replacements in the files it changes (FixError when a notebook edit
    cannot be mapped back to a cell)."""
    by_module: dict[ModuleInfo, list[tuple[int, int, str]]] = {}
    for edit in fix.edits:
        by_module.setdefault(edit.module, []).append((edit.start, edit.end, edit.text))
    found: list[Replacement] = []
    for module, edits in by_module.items():
        text = module.text
        if module.notebook is not None:
            text = module.notebook.source_map.raw
            try:
                edits = module.notebook.source_map.rewrite(edits)
            except SourceError as error:
                raise FixError(error.message) from None
        found += text_replacements(module.display, module.path, text, edits)
    return tuple(found)


def text_replacements(
    display: str, file: Path, text: str, edits: Iterable[tuple[int, int, str]]
) -> list[Replacement]:
    """``(start, end, new)`` edits of a file's whole text (as ``SourceText`` reads it) as
    replacements; also for files that are not Python (a requirement list's comment)."""
    starts = line_starts(text)
    digest = text_digest(text)
    found = []
    for first, last, replacement in (
        hunk for start, end, new in edits for hunk in hunks(text, start, end, new)
    ):
        line, column = line_column(starts, first)
        end_line, end_column = line_column(starts, last)
        found.append(
            Replacement(
                display,
                line,
                column,
                end_line,
                end_column,
                replacement,
                file=file,
                start=first,
                end=last,
                digest=digest,
            )
        )
    return found


def hunks(text: str, start: int, end: int, new: str) -> list[tuple[int, int, str]]:
    """``text[start:end]`` → ``new`` as the smallest replacements, one per changed run of
    lines (a rewritten notebook cell changes a line here and there)."""
    old_lines = text[start:end].splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    old_at = list(itertools.accumulate((len(line) for line in old_lines), initial=start))
    new_at = list(itertools.accumulate((len(line) for line in new_lines), initial=0))
    found = []
    import difflib  # only when a fix is written or shown

    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old = text[old_at[a1] : old_at[a2]]
        head, old_stop, new_stop = narrow(old, new[new_at[b1] : new_at[b2]])
        found.append(
            (
                old_at[a1] + head,
                old_at[a1] + old_stop,
                new[new_at[b1] + head : new_at[b1] + new_stop],
            )
        )
    return found


@dataclass
class SourceText:
    """A file's text as ecolint reads it, and how to write it back byte for byte alike."""

    file: Path
    text: str
    encoding: str
    bom: bool
    kind: str  # as discovery names it: python, notebook, requirements, pyproject, yaml, ...
    data: bytes  # as read: the file is only replaced while it still holds these bytes
    named: Path  # as discovery reached it (``file`` is resolved): a symlink shows here

    @classmethod
    def read(cls, file: Path, named: Path | None = None) -> SourceText:
        return cls.of(file, file.read_bytes(), named)

    @classmethod
    def of(cls, file: Path, data: bytes, named: Path | None = None) -> SourceText:
        """The text of bytes held rather than read (standard input, an editor buffer), decoded
        as ``file`` would be."""
        named = named or file
        bom = data.startswith(codecs.BOM_UTF8)
        kind = source_kind(file) or "python"
        if kind != "python":
            return cls(file, decode_text(data, len(data)), "utf-8", bom, kind, data, named)
        decoded = decode_python(data, len(data))
        encoding = "utf-8" if decoded.encoding == "utf-8-sig" else decoded.encoding
        return cls(file, decoded.text, encoding, bom, kind, data, named)

    def apply(self, edits: Iterable[Replacement]) -> str:
        """The text with ``edits`` applied; FixError when the file is no longer what was
        analysed or the edits overlap."""
        digest = text_digest(self.text)
        for edit in edits:
            if edit.digest != digest:
                raise FixError(f"{edit.path} changed since it was analysed")
        return apply_text(self.text, ((edit.start, edit.end, edit.text) for edit in edits))

    def problem(self, text: str) -> str | None:
        """Why ``text`` must not be written (it does not parse as this file's kind), or None."""
        try:
            if self.kind == "notebook":
                return _notebook_problem(self.text, text)
            if self.kind != "python":
                return _document_problem(self.kind, self.text, text)
            parse_python(text)
            return None
        except SourceError as error:
            return f"the result would not parse ({error.message})"
        except RecursionError:
            return "the result nests too deeply to parse"

    def write(self, text: str, tree: Tree) -> None:
        """Atomically, in the file's own encoding and BOM; WriteError when it changed since
        it was read, leads out of ``tree`` or cannot be written."""
        data = (codecs.BOM_UTF8 if self.bom else b"") + text.encode(self.encoding)
        write_file(self.named, data, tree, expected=self.data)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _document_problem(kind: str, before: str, after: str) -> str | None:
    """TOML and YAML files must still load (safely) when they did; requirement lists and
    setup.cfg have no grammar to break."""
    load: Callable[[str], object]
    error: type[Exception]
    if kind == "pyproject":
        load, error = tomllib.loads, tomllib.TOMLDecodeError
    elif kind in ("yaml", "conda_env"):
        load, error = safe_load, yaml.YAMLError
    else:
        return None
    try:
        load(before)
    except error:
        return None
    try:
        load(after)
    except error:
        return "the result would not parse"
    return None


def _notebook_problem(before: str, after: str) -> str | None:
    """The result is JSON equal to the original but for code cells' sources, and those
    sources parse as well as before."""
    try:
        old, new = json.loads(before), json.loads(after)
    except ValueError as error:
        return f"the notebook would not be valid JSON ({error})"
    old_cells, new_cells = old.pop("cells"), new.pop("cells")
    if old != new or len(old_cells) != len(new_cells):
        return "the notebook outside its cells' sources would change"
    for old_cell, new_cell in zip(old_cells, new_cells, strict=True):
        if {**old_cell, "source": None} != {**new_cell, "source": None}:
            return "a cell's metadata or outputs would change"
    from ecolint.sources.notebook import notebook_to_python  # notebooks only

    old_module, new_module = notebook_to_python(before), notebook_to_python(after)
    if len(new_module.broken_cells) > len(old_module.broken_cells):
        return "a changed cell would not parse"
    parse_python(new_module.text)
    return None
