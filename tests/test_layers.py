"""Layering runs one way: a module imports only modules of its own layer or of layers below.

The layers, lowest first (a prefix names a package or a root module):

1. foundation: the package's version, ``resources``, ``yaml_safe``, ``i18n``, ``text_lines``,
   ``safe_write``, ``workload``, ``cost_text``, ``options``, ``equals_option`` — nothing of
   the linter's own stages.
2. ``sources``: files → decoded text → documents (discovery, safe reads, parse guard).
3. rules and settings: ``rules``, ``selectors``, ``config`` (the rule files name source kinds).
4. ``analysis``: module index, value resolver, loading facts.
5. ``evidence``: measured rows, GPUs, models, confidence, cost (independent of the analysis).
6. findings: ``findings`` (reports, drafts, findings, places, suppressions, baseline,
   add-noqa) and ``results`` (a run's result).
7. ``fixes``: edit operations → text replacements.
8. ``checks``: one check per rule, over analysis facts and evidence, fixes built from
   ``fixes``.
9. the pipeline: ``pipeline`` (plan, scan, drafts, parallel, passes, the one entry), the
   cache (``cache``, ``cache_codec``, ``cache_folder``) and ``scope``.
10. ``docs`` and ``text_table``: a rule's documentation (SARIF rule help is built from it)
    and the terminal tables it and the advisor print.
11. ``reporters``: results → text, JSON, SARIF and the rest; never the pipeline.
12. ``advisor``: compare, estimate, advise, diagnose.
13. the command line and plugins: ``cli``, ``command_line``, ``show``, ``flake8_plugin``,
    ``__main__``, and the language server ``server``.

Module-level and function-level imports count alike (a deferred import is still a dependency);
so do imports only for type checkers.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ecolint"
LAYERS: list[tuple[str, ...]] = [
    (
        "ecolint",
        "ecolint.resources",
        "ecolint.yaml_safe",
        "ecolint.i18n",
        "ecolint.text_lines",
        "ecolint.safe_write",
        "ecolint.workload",
        "ecolint.cost_text",
        "ecolint.options",
        "ecolint.equals_option",
    ),
    ("ecolint.sources",),
    ("ecolint.rules", "ecolint.selectors", "ecolint.config"),
    ("ecolint.analysis",),
    ("ecolint.evidence",),
    ("ecolint.findings", "ecolint.results"),
    ("ecolint.fixes",),
    ("ecolint.checks",),
    (
        "ecolint.pipeline",
        "ecolint.cache",
        "ecolint.cache_codec",
        "ecolint.cache_folder",
        "ecolint.scope",
    ),
    ("ecolint.docs", "ecolint.text_table"),
    ("ecolint.reporters",),
    ("ecolint.advisor",),
    (
        "ecolint.cli",
        "ecolint.command_line",
        "ecolint.show",
        "ecolint.flake8_plugin",
        "ecolint.__main__",
        "ecolint.server",
    ),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    """The layer of the longest prefix that names the module or a package holding it."""
    best, found = -1, -1
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and len(prefix) > best:
                best, found = len(prefix), number
    return found


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The ecolint modules ``module`` imports, anywhere in its code."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def test_every_module_has_a_layer() -> None:
    unplaced = [module for module in modules() if layer_of(module) < 0]
    assert not unplaced, f"add these modules to a layer in LAYERS: {unplaced}"


def test_no_module_imports_a_layer_above_its_own() -> None:
    found = modules()
    upward = sorted(
        (module, target)
        for module, path in found.items()
        for target in imports(module, path, set(found))
        if layer_of(target) > layer_of(module)
    )
    assert not upward, "\n".join(f"{module} imports {target}" for module, target in upward)


def test_reporters_depend_on_results_not_on_the_analysis() -> None:
    """Writing a report of a cached result loads neither libcst nor the pipeline."""
    found = modules()
    heavy = ("ecolint.analysis", "ecolint.checks", "ecolint.fixes", "ecolint.pipeline")
    loaded = sorted(
        (module, target)
        for module, path in found.items()
        if module.startswith("ecolint.reporters")
        for target in imports(module, path, set(found))
        if target.startswith(heavy)
    )
    assert not loaded, loaded
