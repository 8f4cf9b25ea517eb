"""Modules stay small enough to read in one sitting: none of the package is over 400 lines."""

from __future__ import annotations

from pathlib import Path

import ecolint

LIMIT = 400
PACKAGE = Path(ecolint.__file__).parent


def _over_the_limit(folder: Path) -> dict[str, int]:
    sizes = {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(folder.rglob("*.py"))
    }
    return {name: lines for name, lines in sizes.items() if lines > LIMIT}


def test_no_module_is_over_the_limit() -> None:
    assert not _over_the_limit(PACKAGE)
