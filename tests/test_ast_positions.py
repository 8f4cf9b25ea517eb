"""Positions of the ``ast`` analysis in the units findings report: lines 1-based, columns
0-based in characters (``ast`` counts UTF-8 bytes), and source text exactly as written."""

from __future__ import annotations

import ast
from pathlib import Path

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.project import Project


def _module(tmp_path: Path, text: str) -> ModuleInfo:
    path = tmp_path / "m.py"
    path.write_text(text, encoding="utf-8")
    module = Project([path]).load(path)
    assert isinstance(module, ModuleInfo)
    return module


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    module = _module(tmp_path, 'note = "größe"; load(dtype="float32")\n')
    (call,) = module.calls
    span = module.position(call)
    assert (span.start.line, span.start.column) == (1, 16)
    assert (span.end.line, span.end.column) == (1, 37)
    assert module.code_for(call) == 'load(dtype="float32")'


def test_source_of_a_nested_statement_keeps_its_continuation_indent(tmp_path: Path) -> None:
    text = "def f():\n    model = load(\n        'gpt2',\n        dtype='float32',\n    )\n"
    module = _module(tmp_path, text)
    statement = module.functions[0].body[0]
    assert module.code_for(statement) == (
        "model = load(\n        'gpt2',\n        dtype='float32',\n    )"
    )


def test_a_comprehension_clause_starts_at_its_for(tmp_path: Path) -> None:
    module = _module(tmp_path, "out = [pipe(p) for p in prompts if p]\n")
    (loop,) = module.loops
    assert isinstance(loop, ast.ListComp)
    span = module.position(loop.generators[0])
    assert (span.start.column, span.end.column) == (15, 36)


def test_a_dict_entry_spans_key_to_value_and_is_made_once(tmp_path: Path) -> None:
    module = _module(tmp_path, 'kwargs = {"torch_dtype": "float32", **extra}\n')
    holder = module.module.body[0].value
    assert isinstance(holder, ast.Dict)
    entry = module.dict_entry(holder, 0)
    assert entry is module.dict_entry(holder, 0)
    assert module.code_for(entry) == '"torch_dtype": "float32"'
