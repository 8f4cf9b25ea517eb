"""The edit operations fixes are made of, on the layouts code is written in: each keeps the
rest of the code, its comments and its style, and the result parses."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import TypeVar

import libcst as cst
import pytest

from ecolint.analysis.dict_entries import DictEntry
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.project import Project
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import CallVal, Entry
from ecolint.fixes import definitions, ops, options
from ecolint.fixes.cst_bridge import cst_tree
from ecolint.fixes.edits import TextEdit, apply_text, narrow

Node = TypeVar("Node", bound=ast.AST)


def load(tmp_path: Path, text: str, name: str = "m.py") -> tuple[ModuleInfo, Resolver]:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    project = Project([path])
    return project.load(path), Resolver(project)


def call_named(module: ModuleInfo, name: str) -> ast.Call:
    return module.calls_named(name)[0]


def first_of(module: ModuleInfo, kind: type[Node]) -> Node:
    return min(
        (node for node in ast.walk(module.module) if isinstance(node, kind)),
        key=lambda node: (node.lineno, node.col_offset),  # type: ignore[attr-defined]
    )


def applied(module: ModuleInfo, *edits: TextEdit | None) -> str:
    assert all(edit is not None for edit in edits)
    result = apply_text(module.text, [(e.start, e.end, e.text) for e in edits if e])
    ast.parse(result)
    return result


def keywords(module: ModuleInfo, resolver: Resolver, name: str) -> dict[str, Entry]:
    value = resolver.value(module, call_named(module, name))
    assert isinstance(value, CallVal)
    return value.kwargs


ADD_KEYWORD = [
    ("f(a=1)\n", "f(a=1, b=2)\n"),
    ("f()\n", "f(b=2)\n"),
    ("f(x)\n", "f(x, b=2)\n"),
    ("f(a = 1)\n", "f(a = 1, b = 2)\n"),
    ("f(**kw)\n", "f(**kw, b=2)\n"),
    ("f(a=1, )\n", "f(a=1, b=2, )\n"),
    ("f(\n    a=1,  # one\n)\n", "f(\n    a=1,  # one\n    b=2,\n)\n"),
    ("f(\n    a=1  # one\n)\n", "f(\n    a=1,  # one\n    b=2\n)\n"),
    ("f(\n    x,\n    a=1,\n)\n", "f(\n    x,\n    a=1,\n    b=2,\n)\n"),
    ("f(x,\n  a=1)\n", "f(x,\n  a=1,\n  b=2)\n"),
    (
        "def g():\n    return f(\n        a=1,\n    )\n",
        "def g():\n    return f(\n        a=1,\n        b=2,\n    )\n",
    ),
    ("f(  # why\n    a=1,\n)\n", "f(  # why\n    a=1,\n    b=2,\n)\n"),
]


@pytest.mark.parametrize(("before", "after"), ADD_KEYWORD)
def test_add_keyword(tmp_path: Path, before: str, after: str) -> None:
    module, _ = load(tmp_path, before)
    assert applied(module, ops.add_keyword(module, call_named(module, "f"), "b", "2")) == after


def test_add_keyword_that_is_there_already_is_no_edit(tmp_path: Path) -> None:
    module, _ = load(tmp_path, "f(b=1)\n")
    assert ops.add_keyword(module, call_named(module, "f"), "b", "2") is None


ADD_ENTRY = [
    ('d = {"a": 1}\n', 'd = {"a": 1, "b": 2}\n'),
    ("d = {}\n", 'd = {"b": 2}\n'),
    ("d = {'a': 1}\n", "d = {'a': 1, 'b': 2}\n"),
    ('d = {"a":1}\n', 'd = {"a":1, "b":2}\n'),
    ("d = {**base}\n", 'd = {**base, "b": 2}\n'),
    ('d = {\n    "a": 1,  # one\n}\n', 'd = {\n    "a": 1,  # one\n    "b": 2,\n}\n'),
    ('d = {\n    "a": 1\n}\n', 'd = {\n    "a": 1,\n    "b": 2\n}\n'),
    ('d = {\n    "a": 1  # one\n}\n', 'd = {\n    "a": 1,  # one\n    "b": 2\n}\n'),
]


@pytest.mark.parametrize(("before", "after"), ADD_ENTRY)
def test_add_entry(tmp_path: Path, before: str, after: str) -> None:
    module, _ = load(tmp_path, before)
    node = first_of(module, ast.Dict)
    assert applied(module, ops.add_entry(module, node, "b", "2")) == after


REMOVE_KEYWORD = [
    ("f(a, use_cache=False)\n", "f(a)\n"),
    ("f(use_cache=False, b=1)\n", "f(b=1)\n"),
    ("f(use_cache=False)\n", "f()\n"),
    ("f(\n    use_cache=False,\n)\n", "f()\n"),
    ("f(\n    a,\n    use_cache=False,\n)\n", "f(\n    a,\n)\n"),
    ("f(\n    a,\n    use_cache=False,  # no cache\n    b=1,\n)\n", "f(\n    a,\n    b=1,\n)\n"),
    ("f(\n    a,  # note\n    use_cache=False,\n)\n", "f(\n    a,  # note\n)\n"),
    ("f(\n    a,  # note\n    use_cache=False\n)\n", "f(\n    a  # note\n)\n"),
    ("f(a,  # note\n  use_cache=False)\n", "f(a  # note\n)\n"),
]


@pytest.mark.parametrize(("before", "after"), REMOVE_KEYWORD)
def test_remove_keyword(tmp_path: Path, before: str, after: str) -> None:
    module, _ = load(tmp_path, before)
    args = call_named(module, "f").keywords
    arg = next(a for a in args if a.arg == "use_cache")
    assert applied(module, ops.remove_keyword(module, arg)) == after


REMOVE_ENTRY = [
    ('d = {"a": 1, "use_cache": False}\n', 'd = {"a": 1}\n'),
    ('d = {"use_cache": False, "a": 1}\n', 'd = {"a": 1}\n'),
    ('d = {"use_cache": False}\n', "d = {}\n"),
    ('d = {\n    "a": 1,\n    "use_cache": False,\n}\n', 'd = {\n    "a": 1,\n}\n'),
    ('d = {\n    "a": 1,  # one\n    "use_cache": False,\n}\n', 'd = {\n    "a": 1,  # one\n}\n'),
    ('d = {\n    "a": 1,  # one\n    "use_cache": False\n}\n', 'd = {\n    "a": 1  # one\n}\n'),
]


@pytest.mark.parametrize(("before", "after"), REMOVE_ENTRY)
def test_remove_entry(tmp_path: Path, before: str, after: str) -> None:
    module, _ = load(tmp_path, before)
    node = first_of(module, ast.Dict)
    index = next(i for i, key in enumerate(node.keys) if "use_cache" in module.code_for(key))
    assert applied(module, ops.remove_entry(module, DictEntry(node, index))) == after


def test_rename_keyword_and_key(tmp_path: Path) -> None:
    text = "f(bnb_4bit_compute_type=t)\nd = {'bnb_4bit_compute_type': t}\n"
    module, _ = load(tmp_path, text)
    arg = call_named(module, "f").keywords[0]
    element = DictEntry(first_of(module, ast.Dict), 0)
    edits = (
        ops.rename_keyword(module, arg, "bnb_4bit_compute_dtype"),
        ops.rename_key(module, element, "bnb_4bit_compute_dtype"),
    )
    assert applied(module, *edits) == (
        "f(bnb_4bit_compute_dtype=t)\nd = {'bnb_4bit_compute_dtype': t}\n"
    )


def test_rename_onto_an_existing_keyword_is_no_edit(tmp_path: Path) -> None:
    module, _ = load(tmp_path, "f(a=1, b=2)\n")
    assert ops.rename_keyword(module, call_named(module, "f").keywords[0], "b") is None


def test_replace_expression_keeps_parentheses_and_comments(tmp_path: Path) -> None:
    module, _ = load(tmp_path, "f(a=(1),  # keep\n  b=2)\n")
    value = call_named(module, "f").keywords[0].value
    assert applied(module, ops.replace_expression(module, value, "0.0")) == (
        "f(a=(0.0),  # keep\n  b=2)\n"
    )


INSERT_AFTER = [
    ("x = 1\ny = 2\n", "x = 1\nz()\ny = 2\n"),
    ("x = 1  # one\n", "x = 1  # one\nz()\n"),
    ("x = 1", "x = 1\nz()"),
    ("x = 1\r\ny = 2\r\n", "x = 1\r\nz()\r\ny = 2\r\n"),
    ("def g():\n    x = 1\n    return x\n", "def g():\n    x = 1\n    z()\n    return x\n"),
    (
        "if a:\n    x = f(\n        1,\n    )\nelse:\n    pass\n",
        "if a:\n    x = f(\n        1,\n    )\n    z()\nelse:\n    pass\n",
    ),
]


@pytest.mark.parametrize(("before", "after"), INSERT_AFTER)
def test_insert_after(tmp_path: Path, before: str, after: str) -> None:
    module, _ = load(tmp_path, before)
    first = first_of(module, ast.Assign)
    assert applied(module, ops.insert_after(module, first, "z()")) == after


def test_insert_after_rejects_what_is_not_a_statement(tmp_path: Path) -> None:
    module, _ = load(tmp_path, "x = 1\n")
    assert ops.insert_after(module, module.module.body[0], "z(") is None


def test_remove_statement_keeps_a_block_non_empty(tmp_path: Path) -> None:
    module, _ = load(tmp_path, "d = {}\nd['k'] = 1\nif a:\n    d['k'] = 2\n")
    statements = [n for n in ast.walk(module.module) if isinstance(n, ast.Assign)]
    statements.sort(key=lambda n: n.lineno)
    assert applied(module, ops.remove_statement(module, statements[1])) == (
        "d = {}\nif a:\n    d['k'] = 2\n"
    )
    assert ops.remove_statement(module, statements[2]) is None


ENSURE_IMPORT = [
    ("import torch\nx = f()\n", "torch", "import torch\nx = f()\n"),
    ("import torch as th\nx = f()\n", "th", "import torch as th\nx = f()\n"),
    (
        "import os\nfrom a import b\n\nx = f()\n",
        "torch",
        "import os\nfrom a import b\nimport torch\n\nx = f()\n",
    ),
    ('"""Doc."""\nx = f()\n', "torch", '"""Doc."""\nimport torch\nx = f()\n'),
    (
        "from __future__ import annotations\nx = f()\n",
        "torch",
        "from __future__ import annotations\nimport torch\nx = f()\n",
    ),
    ("# header\n\nx = f()\n", "torch", "# header\n\nimport torch\nx = f()\n"),
    (
        "def g():\n    import torch\n    return f()\n",
        "torch",
        "def g():\n    import torch\n    return f()\n",
    ),
    (
        "import os\nx = 1\nimport sys\ny = f()\n",
        "torch",
        "import os\nimport torch\nx = 1\nimport sys\ny = f()\n",
    ),
]


@pytest.mark.parametrize(("before", "name", "after"), ENSURE_IMPORT)
def test_ensure_import(tmp_path: Path, before: str, name: str, after: str) -> None:
    module, _ = load(tmp_path, before)
    result = ops.ensure_import(module, "torch", call_named(module, "f"))
    assert result is not None
    assert result[0] == name
    assert applied(module, *result[1]) == after


def test_ensure_import_refuses_a_name_taken_by_something_else(tmp_path: Path) -> None:
    module, _ = load(tmp_path, "torch = None\nx = f()\n")
    assert ops.ensure_import(module, "torch", call_named(module, "f")) is None


def test_ensure_import_is_the_same_edit_for_every_use(tmp_path: Path) -> None:
    module, _ = load(tmp_path, "import os\nx = f()\ny = g()\n")
    first = ops.ensure_import(module, "torch", call_named(module, "f"))
    second = ops.ensure_import(module, "torch", call_named(module, "g"))
    assert first == second


def test_options_are_changed_where_they_are_written(tmp_path: Path) -> None:
    text = 'K = {"a": 1}\nK["b"] = 2\nc = f(x=1, **K)\n'
    module, resolver = load(tmp_path, text)
    kwargs = keywords(module, resolver, "f")
    assert applied(module, options.set_option(kwargs["x"], "9")) == text.replace("x=1", "x=9")
    assert applied(module, options.set_option(kwargs["a"], "9")) == text.replace('"a": 1', '"a": 9')
    assert applied(module, options.set_option(kwargs["b"], "9")) == text.replace("= 2", "= 9")
    assert applied(module, options.remove_option(kwargs["x"])) == text.replace("x=1, ", "")
    assert applied(module, options.remove_option(kwargs["a"])) == text.replace('"a": 1', "")
    assert applied(module, options.remove_option(kwargs["b"])) == text.replace('K["b"] = 2\n', "")
    assert applied(module, options.rename_option(kwargs["a"], "z")) == text.replace('"a"', '"z"')
    assert applied(module, options.add_option(kwargs["x"], "y", "0")) == text.replace(
        "**K)", "**K, y=0)"
    )
    assert applied(module, options.add_option(kwargs["a"], "y", "0")) == text.replace(
        '{"a": 1}', '{"a": 1, "y": 0}'
    )
    assert applied(module, options.add_option(kwargs["b"], "y", "0")) == text.replace(
        'K["b"] = 2\n', 'K["b"] = 2\nK["y"] = 0\n'
    )
    assert definitions.written_at(kwargs["x"]) and definitions.written_at(kwargs["a"])


LITERALS = [
    ("T = 6.0\n", 0.0, "T = 0.0\n"),
    ("T = 6\n", 0.0, "T = 0\n"),
    ("T = -6.0\n", 0.0, "T = 0.0\n"),
    ("T = '6'\n", 0.0, "T = '0'\n"),
    ('T = "6.0"\n', 0.0, 'T = "0.0"\n'),
    ("T = 'eager'\n", "sdpa", "T = 'sdpa'\n"),
    ("T = False\n", True, "T = True\n"),
]


@pytest.mark.parametrize(("before", "new", "after"), LITERALS)
def test_set_literal_writes_the_same_kind_of_literal(
    tmp_path: Path, before: str, new: object, after: str
) -> None:
    module, resolver = load(tmp_path, before + "c = f(t=T)\n")
    entry = keywords(module, resolver, "f")["t"]
    assert not definitions.written_at(entry)
    assert applied(module, options.set_literal(entry.value, new)) == after + "c = f(t=T)\n"


def test_set_literal_leaves_computed_values_alone(tmp_path: Path) -> None:
    module, resolver = load(tmp_path, "T = 3.0 * 2\nc = f(t=T)\n")
    assert options.set_literal(keywords(module, resolver, "f")["t"].value, 0.0) is None


def test_set_value_replaces_the_definition(tmp_path: Path) -> None:
    text = (
        "import torch\n"
        "DTYPE = torch.float32\n"
        "def load(dtype=torch.float32):\n"
        "    return f(torch_dtype=dtype)\n"
        "a = g(torch_dtype=DTYPE)\n"
    )
    module, resolver = load(tmp_path, text)
    constant = keywords(module, resolver, "g")["torch_dtype"].value
    assert applied(module, options.set_value(constant, "torch.bfloat16")) == text.replace(
        "DTYPE = torch.float32", "DTYPE = torch.bfloat16"
    )
    parameter = keywords(module, resolver, "f")["torch_dtype"].value
    assert applied(module, options.set_value(parameter, "torch.bfloat16")) == text.replace(
        "dtype=torch.float32", "dtype=torch.bfloat16"
    )


NARROW = [
    ("f(a)\n", "f(a, b)\n", (3, 3, 6)),
    ("x\ny\n", "x\nz\ny\n", (2, 2, 4)),
    ("a = 6.0\n", "a = 0.0\n", (4, 7, 7)),
    ("f(t=torch.float32)\n", "f(t=torch.bfloat16)\n", (4, 17, 18)),
    ("f(a=True)\n", "f(a=True, b=0)\n", (8, 8, 13)),
    ("same\n", "same\n", (5, 5, 5)),
]


@pytest.mark.parametrize(("old", "new", "expected"), NARROW)
def test_narrow(old: str, new: str, expected: tuple[int, int, int]) -> None:
    assert narrow(old, new) == expected


def test_notebook_fix_with_an_import_changes_only_those_lines(tmp_path: Path) -> None:
    """An ECO405-style fix (a keyword plus ``import torch``) in a notebook: the import goes
    after the imports (past the ``%pip`` cell), each change is its own small replacement."""
    from ecolint.fixes.edits import Fix
    from ecolint.fixes.files import replacements

    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["%pip install bitsandbytes\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["from transformers import BitsAndBytesConfig\n", "\n",
                    "cfg = BitsAndBytesConfig(load_in_4bit=True)"]},
    ]  # fmt: skip
    raw = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    module, _ = load(tmp_path, raw, "n.ipynb")
    imported = ops.ensure_import(module, "torch", call_named(module, "BitsAndBytesConfig"))
    assert imported is not None
    name, import_edits = imported
    call = call_named(module, "BitsAndBytesConfig")
    keyword = ops.add_keyword(module, call, "bnb_4bit_compute_dtype", f"{name}.bfloat16")
    fix = Fix.of(keyword, *import_edits)
    assert fix is not None
    found = replacements(fix)
    assert len(found) == 2
    text = raw
    for edit in sorted(found, key=lambda edit: -edit.start):
        text = text[: edit.start] + edit.text + text[edit.end :]
    assert json.loads(text)["cells"][1]["source"] == [
        "from transformers import BitsAndBytesConfig\n",
        "import torch\n",
        "\n",
        "cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)",
    ]


def test_an_eco403_style_fix_replaces_the_dtype_where_it_is_defined(tmp_path: Path) -> None:
    """The generic pieces ECO403/ECO405 fixes are made of: the expression to change and the
    dtype written with the module's own name for torch (imported when missing)."""
    text = "from settings import DTYPE\nm = f(torch_dtype=DTYPE)\n"
    (tmp_path / "settings.py").write_text("import torch as th\nDTYPE = th.float32\n")
    (tmp_path / "plain.py").write_text('import os\nm = f(torch_dtype="float32")\n')
    module, _ = load(tmp_path, text)
    project = Project([tmp_path / "m.py", tmp_path / "settings.py", tmp_path / "plain.py"])
    resolver = Resolver(project)
    module = project.load(tmp_path / "m.py")
    entry = keywords(module, resolver, "f")["torch_dtype"]
    site = definitions.where_defined(entry)
    assert site is not None and site.module.path.name == "settings.py"
    code = ops.qualified(site.module, site.node, "torch.bfloat16")
    assert code == ("th.bfloat16", ())
    assert applied(site.module, ops.replace_expression(site.module, site.node, code[0])) == (
        "import torch as th\nDTYPE = th.bfloat16\n"
    )
    plain = project.load(tmp_path / "plain.py")
    entry = keywords(plain, resolver, "f")["torch_dtype"]
    site = definitions.where_defined(entry)
    assert site is not None and isinstance(site.node, ast.Constant)
    code = ops.qualified(plain, site.node, "torch.bfloat16")
    assert code is not None and code[0] == "torch.bfloat16"
    edit = ops.replace_expression(plain, site.node, code[0])
    assert (
        applied(plain, edit, *code[1])
        == "import os\nimport torch\nm = f(torch_dtype=torch.bfloat16)\n"
    )


def test_ensure_import_respects_shadowing(tmp_path: Path) -> None:
    module, _ = load(tmp_path, "import torch\ndef g(torch):\n    return f()\n")
    assert ops.ensure_import(module, "torch", call_named(module, "f")) is None


def test_an_edit_inside_a_block_regenerates_only_the_node_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A multi-line call in a function body (continuation lines carry the block's
    indentation) is regenerated at that indentation, never by generating the whole module."""
    text = (
        "def load():\n"
        "    if True:\n"
        "        model = f(\n"
        '            "gpt2",\n'
        "            a=1,  # keep\n"
        "        )\n"
        "    return model\n"
    )
    module, _ = load(tmp_path, text)
    cst_tree(module)  # parsed (and its positions worked out) before the fix is made

    def whole_module(*_: object) -> None:
        raise AssertionError("the whole module was generated again")

    monkeypatch.setattr(cst.Module, "_codegen_impl", whole_module)
    edit = ops.add_keyword(module, call_named(module, "f"), "b", "2")
    assert applied(module, edit) == text.replace(
        "a=1,  # keep\n", "a=1,  # keep\n            b=2,\n"
    )


def test_a_default_in_a_def_line_or_a_decorator_is_changed_in_place(tmp_path: Path) -> None:
    text = "@cache(size=6)\ndef g(t=6.0):\n    return f(t=t)\n"
    module, resolver = load(tmp_path, text)
    entry = keywords(module, resolver, "f")["t"]
    assert applied(module, options.set_literal(entry.value, 0.0)) == text.replace("6.0", "0.0")
    size = keywords(module, resolver, "cache")["size"]
    assert applied(module, options.set_option(size, "1")) == text.replace("size=6", "size=1")


def test_rename_attribute(tmp_path: Path) -> None:
    module, _ = load(tmp_path, "m = (model).float()\n")
    attribute = call_named(module, "float").func
    assert isinstance(attribute, ast.Attribute)
    edit = ops.rename_attribute(module, attribute, "half")
    assert applied(module, edit) == "m = (model).half()\n"
