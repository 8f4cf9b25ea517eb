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


def _module_word(path: Path) -> bytes:
    """How importers spell a module: its stem, or its package's name for ``__init__.py``."""
    return (path.parent.name if path.name == "__init__.py" else path.stem).encode()


def importers(
    path: Path, relevant: Callable[[bytes], bool], max_bytes: int
) -> list[tuple[Path, bytes]]:
    """Python files in ``path``'s folder that ``relevant`` accepts and that name ``path``'s
    module, directly or through another such file, with their bytes, in name order."""
    here = path.resolve()
    candidates: dict[Path, bytes] = {}
    for entry in sorted(here.parent.glob("*.py")):
        try:
            if entry.resolve() == here or entry.stat().st_size > max_bytes:
                continue
            data = entry.read_bytes()
        except OSError:
            continue
        if relevant(data):
            candidates[entry] = data
    words = [_module_word(here)]
    chosen: set[Path] = set()
    growing = True
    while growing:
        growing = False
        named = re.compile(rb"\b(?:" + b"|".join(re.escape(word) for word in words) + rb")\b")
        for entry, data in candidates.items():
            if entry not in chosen and named.search(data):
                chosen.add(entry)
                words.append(_module_word(entry))
                growing = True
    return [(entry, data) for entry, data in candidates.items() if entry in chosen]
