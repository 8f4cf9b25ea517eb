"""The modules beside a file that may use its values, found without parsing anything.

``ecolint check`` scans a whole tree, so a configuration defined in ``settings.py`` and used by
``app.py`` in the same folder is reported in settings.py, where the fix goes. A file analysed
on its own (flake8 hands over one file at a time) gets the same finding when the modules beside
it that name it are analysed with it. The bytes only narrow the candidates (a trigger word, the
module's name); whether a value really comes from the file is decided by the resolver.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ecolint.sources.safe_read import read_bytes


def _module_word(path: Path) -> bytes:
    """How importers spell a module: its stem, or its package's name for ``__init__.py``."""
    return (path.parent.name if path.name == "__init__.py" else path.stem).encode()


_WORD = re.compile(rb"\w+")


class Neighbours:
    """The Python files of a folder that may be analysed beside a file of it, with their bytes
    (``files``, by resolved path, in name order). Each file's words are listed once, when first
    asked: flake8 asks, for every file of the folder, which of the others name it."""

    def __init__(self, files: dict[Path, bytes]) -> None:
        self.files = files
        self._words: dict[Path, frozenset[bytes]] = {}

    def names(self, entry: Path, words: list[bytes]) -> bool:
        """Whether ``entry`` holds one of ``words`` as a whole word (as ``\\b`` tells)."""
        data = self.files[entry]
        plain = [word for word in words if _WORD.fullmatch(word)]
        if plain:
            found = self._words.get(entry)
            if found is None:
                found = self._words[entry] = frozenset(_WORD.findall(data))
            if not found.isdisjoint(plain):
                return True
        others = [re.escape(word) for word in words if not _WORD.fullmatch(word)]
        return bool(others) and re.search(rb"\b(?:" + b"|".join(others) + rb")\b", data) is not None


def relevant_files(folder: Path, relevant: Callable[[bytes], bool], max_bytes: int) -> Neighbours:
    """The Python files of ``folder`` (resolved) that ``relevant`` accepts."""
    found: dict[Path, bytes] = {}
    for entry in sorted(folder.glob("*.py")):
        try:
            data = read_bytes(entry, max_bytes)
        except OSError:
            continue
        if relevant(data):
            found[entry.resolve()] = data
    return Neighbours(found)


def importers(path: Path, beside: Neighbours) -> list[tuple[Path, bytes]]:
    """The files of ``beside`` (``relevant_files`` of ``path``'s folder) that name ``path``'s
    module, directly or through another such file, with their bytes, in name order."""
    here = path.resolve()
    words = [_module_word(here)]
    chosen: set[Path] = set()
    growing = True
    while growing:
        growing = False
        for entry in beside.files:
            if entry != here and entry not in chosen and beside.names(entry, words):
                chosen.add(entry)
                words.append(_module_word(entry))
                growing = True
    return [(entry, data) for entry, data in beside.files.items() if entry in chosen]
