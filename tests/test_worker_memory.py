"""What a worker keeps and redoes per file: a Python file is parsed once (the ``ast`` gate's
tree is the one analysed), and a project let go leaves its trees to reference counting, not to
a pass of the cycle collector over millions of nodes."""

from __future__ import annotations

import ast
import gc
import weakref
from pathlib import Path

import pytest
from conftest import ECO101_SCRIPT

from ecolint.analysis.hf_loading import loading_facts
from ecolint.analysis.project import Project
from ecolint.analysis.resolver import Resolver
from ecolint.config import Settings
from ecolint.pipeline.plan import ScanPlan
from ecolint.pipeline.scan import Scanner
from ecolint.pipeline.setup import Setup


def test_a_released_project_frees_its_trees_without_the_collector(tmp_path: Path) -> None:
    path = tmp_path / "serve.py"
    path.write_text(ECO101_SCRIPT, encoding="utf-8")
    project = Project([path])
    resolver = Resolver(project)
    module = project.load(path)
    loading_facts(resolver, module)  # facts about the module, as the checks leave them
    assert resolver.value(module, module.calls[0]) is not None
    tree = weakref.ref(module.module)
    enabled = gc.isenabled()
    gc.disable()
    try:
        project.release()
        resolver.facts.clear()
        del module, project, resolver
        assert tree() is None
    finally:
        if enabled:
            gc.enable()


def test_each_python_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate parses a file to see whether its code (not a comment) uses a trigger word;
    the analysis then indexes that same tree, whatever the number of files in the run."""
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(f"# {name}\n{ECO101_SCRIPT}", encoding="utf-8")
    parsed: list[str] = []
    original = ast.parse

    def counting(source: str, *args: object, **kwargs: object) -> ast.AST:
        parsed.append(source)
        return original(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ast, "parse", counting)
    settings = Settings(root=tmp_path)
    setup = Setup.of(settings)
    work = ScanPlan.build([tmp_path], settings, setup.prefilter).work
    scanner = Scanner(setup, Project([tmp_path / "a.py", tmp_path / "b.py"]))
    for planned in work:
        batch = scanner.scan(planned.source, planned.data, planned.rules)
        assert batch.result.files_analysed == 1 and batch.drafts
    assert len(parsed) == 2
