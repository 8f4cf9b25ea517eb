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


def relevant_files(
    folder: Path, relevant: Callable[[bytes], bool], max_bytes: int
) -> dict[Path, bytes]:
    """The Python files of ``folder`` (resolved) that ``relevant`` accepts, with their bytes."""
    found: dict[Path, bytes] = {}
    for entry in sorted(folder.glob("*.py")):
        try:
            data = read_bytes(entry, max_bytes)
        except OSError:
            continue
        if relevant(data):
            found[entry.resolve()] = data
    return found


def importers(path: Path, beside: dict[Path, bytes]) -> list[tuple[Path, bytes]]:
    """The files of ``beside`` (``relevant_files`` of ``path``'s folder) that name ``path``'s
    module, directly or through another such file, with their bytes, in name order."""
    here = path.resolve()
    words = [_module_word(here)]
    chosen: set[Path] = set()
    growing = True
    while growing:
        growing = False
        named = re.compile(rb"\b(?:" + b"|".join(re.escape(word) for word in words) + rb")\b")
        for entry, data in beside.items():
            if entry != here and entry not in chosen and named.search(data):
                chosen.add(entry)
                words.append(_module_word(entry))
                growing = True
    return [(entry, data) for entry, data in beside.items() if entry in chosen]
