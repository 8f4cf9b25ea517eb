"""The cold scan's per-file work, made cheaper without changing what it computes: the child
lists the walks take (the gate, the index and the parse guard) are those of the reference
definitions, and a project resolves each path it is handed once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ecolint.analysis.project import Project
from ecolint.sources import gate, parse_guard
from ecolint.sources.ast_children import child_nodes, every_child_node, node_fields
from ecolint.sources.gate import CodeWords, code_words, word_lines
from ecolint.sources.python import SourceError

# Every list field that may hold something other than nodes, and the commonest shapes.
SOURCE = """
import os, sys as system
from a import (b, c as d)
def f(x, /, y=1, *args, z, w=2, **kw) -> int:
    global g
    def inner():
        nonlocal x
    return {**kw, "k": [x, *args], None: {1, 2}}[0] if x < y <= z else f"{x!r:>{w}}"
class K(Base, metaclass=Meta):
    attr: int = 3
    @decorator
    async def m(self):
        async with a as b, c:
            await m()
match point:
    case Point(x=0, y=yy) | {"k": 1, **rest} | [1, *others]:
        pass
try:
    pass
except (A, B) as error:
    del a[1:2, ::3], b.c
lambda q=1: (yield from q)
"""


def _reference_child_nodes(node: ast.AST) -> list[ast.AST]:
    """The definition the index and the gate were written against: every node of every field
    that may hold one, lists filtered item by item."""
    found: list[ast.AST] = []
    for name in node_fields(type(node)):
        value = getattr(node, name, None)
        if type(value) is list:
            found.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


@pytest.mark.parametrize("source", [SOURCE, Path(ast.__file__).read_text(encoding="utf-8")])
def test_child_lists_are_those_of_the_reference_definitions(source: str) -> None:
    for node in ast.walk(ast.parse(source)):
        assert child_nodes(node) == _reference_child_nodes(node), ast.dump(node)
        assert every_child_node(node) == list(ast.iter_child_nodes(node)), ast.dump(node)


def test_a_project_resolves_each_path_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports load the same modules tens of thousands of times in a large run, and each
    ``Path.resolve`` stats every folder up to the root."""
    path = tmp_path / "serve.py"
    path.write_text("import os\n", encoding="utf-8")
    resolved: list[Path] = []
    resolve = Path.resolve

    def counted(self: Path, strict: bool = False) -> Path:
        resolved.append(self)
        return resolve(self, strict)

    monkeypatch.setattr(Path, "resolve", counted)
    project = Project([path]).emptied()
    first = project.load(path)
    assert all(project.load(path) is first for _ in range(3))
    assert project.scans(path) and project.display_of(path) is None
    assert resolved.count(path) == 1


@pytest.fixture
def weighed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the parse guard weighs, in order."""
    texts: list[str] = []
    refusal = parse_guard.refusal

    def counted(tree: ast.Module, text: str) -> SourceError | None:
        texts.append(text)
        return refusal(tree, text)

    monkeypatch.setattr(parse_guard, "refusal", counted)
    return texts


def test_the_gate_parses_without_weighing_and_the_analysis_weighs(weighed: list[str]) -> None:
    """The guard's walk costs as much as the gate's, and a file the gate turns away is never
    analysed: the tree is weighed when the analysis takes it, not when the gate parses it."""
    text = "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('weigh-me')\n"
    tree = parse_guard.parsed(text)
    assert weighed == []
    assert parse_guard.checked_tree(text) is tree and weighed == [text]
    deep = "y = " + "-" * (parse_guard.MAX_DEPTH + 51) + "1\n"
    assert parse_guard.parsed(deep) is not None
    with pytest.raises(SourceError, match="nested over"):
        parse_guard.checked_tree(deep)
    assert parse_guard.parsed("def weigh(:\n") is None
    with pytest.raises(SourceError, match="syntax error"):
        parse_guard.checked_tree("def weigh(:\n")


TRIGGERS = ["from_pretrained", "batch_size", "pip"]
# Each names one trigger word where its line does not show it, or not in code.
HIDDEN_WORDS = [
    "@decorator(\n    batch_size=2,\n)\ndef loader(x):\n    return x\n",
    'class Settings:\n    a = 1\n    escaped = "batch\\x5fsize"\n    b = 2\n',
    'model = (\n    "a"\n    "from_pretrained"\n)\n',
    "x = 1\nｆrom_pretrained = 1\n",
    "import os  # from_pretrained in a comment only\n",
    'def f():\n    """batch_size in a docstring."""\n',
]


def _triggered(words: CodeWords) -> set[str]:
    return {word for word in TRIGGERS if any(word in part for part in words)}


@pytest.mark.parametrize(
    "source",
    [
        *HIDDEN_WORDS,
        "".join(HIDDEN_WORDS).replace("\n", "\r\n"),
        SOURCE,
        Path(ast.__file__).read_text(encoding="utf-8"),
    ],
)
def test_the_gate_walks_only_statements_on_trigger_lines_and_finds_the_same_words(
    source: str,
) -> None:
    """A name or string that holds a trigger word is written on a line that names it, or
    spells it with an escape or a character the parser normalises: walking only the
    statements that span such lines finds the words the whole walk finds."""
    tree = ast.parse(source)
    lines = word_lines(source, TRIGGERS)
    assert lines is not None
    assert _triggered(code_words(tree, lines)) == _triggered(code_words(tree))


@pytest.mark.parametrize(
    "source", [*HIDDEN_WORDS, SOURCE, "x = 'naïve'\r\ny = 'a\\nb'\r\nz = batch_size\r\n"]
)
def test_the_lines_of_trigger_words_are_those_a_line_by_line_search_finds(source: str) -> None:
    """The reference definition: every line holding a word, a backslash or a non-ASCII
    character."""
    expected = [
        number
        for number, line in enumerate(source.split("\n"), 1)
        if any(word in line for word in (*TRIGGERS, "\\")) or not line.isascii()
    ]
    assert word_lines(source, TRIGGERS) == expected


def test_a_carriage_return_alone_makes_the_gate_walk_everything() -> None:
    """The parser ends a line at a lone ``\\r``, which a count of ``\\n`` would miss."""
    text = "x = 1\ry = load(batch_size=1)\n"
    assert word_lines(text, TRIGGERS) is None
    assert _triggered(code_words(ast.parse(text))) == {"batch_size"}


def test_statements_without_trigger_words_are_not_walked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(2_000))
    text += "model = AutoModel.from_pretrained('gpt2')\n"
    visited: list[ast.AST] = []

    def counted(node: ast.AST) -> list[ast.AST]:
        visited.append(node)
        return child_nodes(node)

    monkeypatch.setattr(gate, "child_nodes", counted)
    words = code_words(ast.parse(text), word_lines(text, TRIGGERS))
    assert _triggered(words) == {"from_pretrained"}
    assert len(visited) < 10


def test_the_guard_passes_over_short_simple_statements_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its verdicts stay those of a walk into every statement (``test_parse_guard.py``); what
    a short statement without a body holds cannot be too deep or too large."""
    text = "".join(f"x{i} = load(name={i}, batch_size=[1, 2, 3])\n" for i in range(2_000))
    walked: list[ast.AST] = []

    def counted(node: ast.AST) -> list[ast.AST]:
        walked.append(node)
        return every_child_node(node)

    monkeypatch.setattr(parse_guard, "every_child_node", counted)
    assert parse_guard.refusal(ast.parse(text), text) is None
    assert len(walked) == 1  # the module
    deep = "x = 1\ny = " + "-" * (parse_guard.MAX_DEPTH + 10) + "1\n"
    verdict = parse_guard.refusal(ast.parse(deep), deep)
    assert verdict is not None and verdict.line == 2


def test_only_a_suppression_directive_makes_a_file_one_for_the_unused_suppression_rule() -> None:
    """ "ECO" is in every DECODER and SECOND of a library; what ECO002 judges is a directive."""
    from ecolint.config import Settings
    from ecolint.pipeline.setup import Setup

    found = Setup.of(Settings()).prefilter
    for data in (b"ENCODER_DECODER = 2\n", b"SECOND = 1  # the second\n"):
        assert "ECO002" not in [rule.code for rule in found.by_bytes("python", data)]
    for data in (b"x = 1  # noqa: ECO101\n", b"x = 1  # ecolint: ignore[ECO101]\n"):
        assert "ECO002" in [rule.code for rule in found.by_bytes("python", data)]


def test_a_text_is_weighed_once_however_often_it_is_parsed(weighed: list[str]) -> None:
    """A module that many files import is parsed again whenever it was not kept; its verdict
    is that of its text, weighed the first time."""
    shared = "import torch\nMODEL_ID = 'weigh-me-once'\n"
    deep = "weighed_once = " + "-" * (parse_guard.MAX_DEPTH + 51) + "1\n"
    for other in ("x = 'another module'\n", deep, "z = 'a third'\n"):
        assert parse_guard.parse_checked(shared)[1] is None
        parse_guard.parse_checked(other)
    assert weighed.count(shared) == 1
    assert parse_guard.parse_checked(deep)[1] is not None and weighed.count(deep) == 1


def _in_code(text: str) -> set[str]:
    from ecolint.config import Settings
    from ecolint.pipeline.setup import Setup

    prefilter = Setup.of(Settings()).prefilter
    active = prefilter.by_bytes("python", text.encode())
    return {rule.code for rule in prefilter.in_code(active, ast.parse(text), text)}


def test_a_trigger_word_in_a_sentence_is_not_code() -> None:
    """transformers keeps its documentation in constants (``LLAMA_INPUTS_DOCSTRING``) and its
    messages name the calls they are about: a key, an option or a model id has no whitespace."""
    sentences = (
        'START_DOCSTRING = r"""\n    Load it with [`~PreTrainedModel.from_pretrained`].\n"""\n'
        'raise ValueError("pass load_in_8bit=True to from_pretrained")\n'
        'logger.warning(f"{name} uses batch_size {size} with use_cache off")\n'
    )
    assert _in_code(sentences) == set()
    assert {"ECO101", "ECO403", "ECO201"} <= _in_code(
        'kwargs = {"load_in_8bit": True}\nload = getattr(AutoModel, "from_pretrained")\n'
        'argv = ["--batch_size", "1"]\n'
    )


@pytest.mark.parametrize(
    "code",
    [
        'os.system("pip install --pre torch")\n',
        'subprocess.run("python3 -m pip install -U torch", shell=True)\n',
        'subprocess.run(["/usr/bin/pip3.11", "install", "torch"])\n',
        'COMMAND = f"!pip install {package}"\n',
        'subprocess.run(["conda", "install", "-c", "pytorch-nightly", "pytorch"])\n',
    ],
)
def test_a_command_word_counts_in_any_string(code: str) -> None:
    assert "ECO301" in _in_code(code)


def test_a_command_word_does_not_count_in_names_or_inside_other_words() -> None:
    """``pip`` is in every ``pipeline``; ECO301 reads the commands Python runs, which are
    strings."""
    text = (
        "from transformers import pipeline\n"
        'pipe = pipeline("text-generation-pipeline")\n'
        "pip = pipe\n"
        'TOOLS = ["pip-tools", "anaconda"]\n'
    )
    assert "pip" in text and "ECO301" not in _in_code(text)
