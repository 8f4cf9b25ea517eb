"""Test code, by the discovery conventions of pytest and unittest themselves: a maintainer's
tests load 8-bit, 4-bit or FP8 models precisely to test that, so nothing in them is a waste."""

from __future__ import annotations

import ast
import re
from pathlib import Path, PurePath

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.roles.tree import ancestors
from ecolint.sources.document import Document

TEST_FOLDERS = frozenset({"tests", "test"})
_RAISES = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertWarns"})


def is_test_path(path: Path, root: Path) -> bool:
    """``test_*.py``, ``*_test.py``, ``conftest.py``, or a file in a ``tests``/``test`` folder:
    the project root itself or one below it (folders above it are the user's)."""
    try:
        relative: PurePath = PurePath(root.resolve().name) / path.resolve().relative_to(
            root.resolve()
        )
    except ValueError:
        relative = PurePath(path.name)
    name = relative.name
    stem = name.rsplit(".", 1)[0]
    if name == "conftest.py" or stem.startswith("test_") or stem.endswith("_test"):
        return True
    return any(part in TEST_FOLDERS for part in relative.parts[:-1])


# A container image or script that runs a test suite or installs a package's test extras is
# test infrastructure: it installs development builds to test against them on purpose.
_TEST_RUN = re.compile(
    r"\b(?:pytest|tox|nox)\b|\bunittest\b|\[(?:[\w-]+,)*(?:test|tests|testing)(?:,[\w-]+)*\]"
)
_LAUNCH_KINDS = frozenset({"dockerfile", "shell"})


def is_test_infrastructure(document: Document) -> bool:
    """A Dockerfile or shell script that runs tests (``pytest``, ``tox``, ``unittest``) or
    installs test extras (``pip install .[test]``): a CI image, not a deployment."""
    return document.kind in _LAUNCH_KINDS and _TEST_RUN.search(document.text) is not None


def in_test_code(resolver: Resolver, module: ModuleInfo, node: ast.AST) -> bool:
    """In a ``test_*`` function or a ``Test*`` class (not in a notebook, which pytest does not
    collect), a ``unittest.TestCase`` subclass, a ``@pytest.fixture``, or a ``with
    pytest.raises(...)`` / ``self.assertRaises(...)`` block."""
    collected = module.notebook is None
    for up in ancestors(module, node):
        if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if collected and up.name.startswith("test_"):
                return True
            if any(_is_fixture(resolver, module, item) for item in up.decorator_list):
                return True
        elif isinstance(up, ast.ClassDef):
            if collected and up.name.startswith("Test"):
                return True
            if any(_is_test_case(resolver, module, base) for base in up.bases):
                return True
        elif isinstance(up, (ast.With, ast.AsyncWith)) and any(
            _expects_error(item.context_expr) for item in up.items
        ):
            return True
    return False


def _is_fixture(resolver: Resolver, module: ModuleInfo, decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    qualname = resolver.qualname(module, target)
    return qualname in ("pytest.fixture", "pytest_asyncio.fixture")


def _is_test_case(resolver: Resolver, module: ModuleInfo, base: ast.expr) -> bool:
    qualname = resolver.qualname(module, base)
    if qualname:
        return qualname.split(".")[-1].endswith("TestCase")
    return isinstance(base, (ast.Name, ast.Attribute)) and _last(base).endswith("TestCase")


def _expects_error(item: ast.expr) -> bool:
    return (
        isinstance(item, ast.Call)
        and isinstance(item.func, (ast.Name, ast.Attribute))
        and _last(item.func) in _RAISES
    )


def _last(node: ast.Name | ast.Attribute) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr
