"""The work one file's analysis does when it comes from flake8 (or an editor): what it repeats
across the files of a folder costs flake8 users on every run, so it is counted here, and the
shortcuts are checked to find what the plain search finds."""

from __future__ import annotations

import ast
import gc
import shutil
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import COUNT_PARSES

from ecolint import flake8_plugin
from ecolint.config import Settings
from ecolint.flake8_plugin import EcolintChecker
from ecolint.pipeline import prefilter
from ecolint.pipeline.run import FOLDERS_KEPT, Pipeline
from ecolint.pipeline.setup import Setup
from ecolint.rules import Rule
from ecolint.sources.neighbours import importers, relevant_files

ROOT = Path(__file__).resolve().parent.parent
CHATBOT = ROOT / "examples" / "chatbot"


def _flake8_over(folder: Path) -> list[str]:
    """The plugin run in this process as flake8 runs it: one file at a time, with the tree
    flake8 parsed; the codes it reports."""
    codes = []
    for path in sorted(folder.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        checker = EcolintChecker(ast.parse(text), str(path), text.splitlines(True))
        codes += [message.split()[0] for _, _, message, _ in checker.run()]
    return codes


def test_each_tree_is_searched_for_trigger_words_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """flake8's gate, the analysis of the file and its scan ask in turn whether a trigger word
    is in the code of the same tree: it is walked for its words once."""
    shutil.copytree(CHATBOT, tmp_path / "chatbot")
    monkeypatch.setattr(EcolintChecker, "settings", Settings(root=tmp_path))
    monkeypatch.setattr(EcolintChecker, "_triggers", None)
    monkeypatch.setattr(EcolintChecker, "_pipeline", None)
    walked: list[ast.Module] = []
    words = prefilter.code_words
    monkeypatch.setattr(
        prefilter, "code_words", lambda tree, lines: walked.append(tree) or words(tree, lines)
    )
    assert sorted(_flake8_over(tmp_path / "chatbot")) == ["ECO102", "ECO405"]
    assert walked, "the folder has files to analyse"
    assert len({id(tree) for tree in walked}) == len(walked)


def test_an_analysis_leaves_no_trees_to_the_cycle_collector(tmp_path: Path) -> None:
    """As in a run's workers, the trees of a file analysed with its neighbours are freed as
    soon as the analysis ends (the collector is off meanwhile, and on again after)."""
    shutil.copytree(CHATBOT, tmp_path / "chatbot")
    pipeline = Pipeline(Settings(root=tmp_path))
    gc.collect()
    found = []
    for path in sorted((tmp_path / "chatbot").glob("*.py")):
        found += pipeline.run_source(path, path.read_text(encoding="utf-8")).findings
        assert gc.isenabled()
        assert gc.collect() == 0, path.name
    assert sorted(finding.code for finding in found) == ["ECO102", "ECO405"]


class _Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def plugin_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The chatbot example for the plugin, and the collector as it was found afterwards."""
    shutil.copytree(CHATBOT, tmp_path / "chatbot")
    monkeypatch.setattr(EcolintChecker, "settings", Settings(root=tmp_path))
    monkeypatch.setattr(EcolintChecker, "_triggers", None)
    monkeypatch.setattr(EcolintChecker, "_pipeline", None)
    monkeypatch.setattr(EcolintChecker, "_analyses", 0)
    enabled = gc.isenabled()
    yield tmp_path / "chatbot"
    gc.unfreeze()
    if enabled:
        gc.enable()


def test_what_the_plugin_keeps_is_left_out_of_collections_until_a_periodic_one(
    plugin_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """flake8's collector walks all that is alive on each full pass: what is alive after an
    analysis is frozen; a cycle that dies while frozen is freed by the collection that comes
    every ``FROZEN_ANALYSES`` analyses."""
    monkeypatch.setattr(flake8_plugin, "FROZEN_ANALYSES", 4)
    cycle = _Cycle()
    died = weakref.ref(cycle)
    assert sorted(_flake8_over(plugin_in)) == ["ECO102", "ECO405"]
    analyses = EcolintChecker._analyses
    assert 0 < analyses < 4 and gc.get_freeze_count() > 0
    del cycle
    gc.collect()
    assert died() is not None, "frozen: a full collection passes it over"
    while EcolintChecker._analyses < 4:
        _flake8_over(plugin_in)
    assert died() is None


def test_the_plugin_freezes_nothing_when_the_host_turned_the_collector_off(
    plugin_in: Path,
) -> None:
    gc.unfreeze()
    gc.disable()
    assert sorted(_flake8_over(plugin_in)) == ["ECO102", "ECO405"]
    assert gc.get_freeze_count() == 0 and not gc.isenabled()


@pytest.mark.parametrize(
    ("module", "files", "expected"),
    [
        ("settings", {"app.py": "import settings\n", "extra.py": "settings_old = 1\n"}, ["app.py"]),
        ("settings", {"app.py": "import helper\n", "helper.py": "from settings import X\n"}, None),
        (
            "my-settings",
            {"app.py": "load('my-settings')\n", "b.py": "my_settings = 1\n"},
            ["app.py"],
        ),
        ("paramètres", {"app.py": "import paramètres\n", "b.py": "paramètres_2 = 1\n"}, ["app.py"]),
    ],
)
def test_importers_are_the_files_naming_the_module_as_a_whole_word(
    tmp_path: Path, module: str, files: dict[str, str], expected: list[str] | None
) -> None:
    """A module is named where ``\\b`` finds its word, directly or through another importer,
    in names whose bytes are not all word characters too (``my-settings``, ``paramètres``)."""
    for name, text in {f"{module}.py": "X = 1\n", **files}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    beside = relevant_files(tmp_path, lambda data: True, 1_000_000)
    found = [path.name for path, _ in importers(tmp_path / f"{module}.py", beside)]
    assert found == (sorted(files) if expected is None else expected)


FLAKE8_ONE_JOB = ("--isolated", "--select=ECO", "--jobs", "1")
SHARED = "THRESHOLD = 6.0\n"
USER = (
    "from transformers import BitsAndBytesConfig\nfrom shared import THRESHOLD\n\n"
    "cfg = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=THRESHOLD)\n"
)


def test_a_module_many_files_import_is_parsed_again_only_until_it_is_kept(
    tmp_path: Path,
) -> None:
    """A flake8 worker analyses one file at a time, each with the modules it imports: a
    module that a second analysis parses again is kept for the next ones (transformers'
    300 KB ``__init__.py`` was parsed by 121 analyses)."""
    (tmp_path / "shared.py").write_text(SHARED, encoding="utf-8")
    users = [f"user_{index}.py" for index in range(4)]
    for name in users:
        (tmp_path / name).write_text(USER, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", COUNT_PARSES, "shared.py", *FLAKE8_ONE_JOB, *users],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.stdout.count("ECO101") == len(users), out.stdout + out.stderr
    assert out.stderr.splitlines()[-1] == "parses: 2"


def test_a_pipeline_keeps_the_files_of_its_latest_folders_only(tmp_path: Path) -> None:
    """flake8 hands a library over folder after folder: the files read as the neighbours of
    one folder's modules are let go once later folders are analysed (kept, a library's word
    sets cost every full pass of the cycle collector), and read again if it comes back."""
    folders = [tmp_path / f"chatbot_{index}" for index in range(FOLDERS_KEPT + 2)]
    pipeline = Pipeline(Settings(root=tmp_path))
    for folder in [*folders, folders[0]]:
        if not folder.exists():
            shutil.copytree(CHATBOT, folder)
        settings = folder / "settings.py"
        found = pipeline.run_source(settings, settings.read_text(encoding="utf-8")).findings
        assert sorted(finding.code for finding in found) == ["ECO102", "ECO405"], folder.name
        assert len(pipeline._folders) <= FOLDERS_KEPT
    assert list(pipeline._folders)[-1] == folders[0].resolve()


def test_the_gate_keeps_no_tree_alive() -> None:
    """flake8 lets go of a file's tree when it moves on; the gate's words of the last tree must
    not keep it alive, walked by every full pass of the cycle collector meanwhile."""
    prefilter_of_run = Setup.of(Settings()).prefilter
    text = "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('gpt2')\n"
    tree = ast.parse(text)
    assert prefilter_of_run.in_code(prefilter_of_run.rules, tree, text)
    assert prefilter_of_run.in_code(prefilter_of_run.rules, tree, text)  # the same words
    kept = weakref.ref(tree)
    del tree
    assert kept() is None


def test_the_words_searched_once_for_all_rules_trigger_what_each_rule_s_words_do() -> None:
    """The prefilter searches each distinct word once and asks every rule of the result: the
    rules it finds are those a search of each rule's own words finds."""
    found = Setup.of(Settings()).prefilter
    samples = [path.read_bytes() for path in sorted((ROOT / "examples").rglob("*.py"))]
    samples += [b"", b"import os\n", b"x = quantize_(m)\n", b"x = Float8WeightOnlyConfig()\n"]
    samples += [b"model_kwargs = {}  # noqa: ECO101\n", b"DECODER = 'float8'\n"]

    def fires(rule: Rule, data: bytes) -> bool:
        words, also = rule.triggers_for("python"), rule.also
        return any(word.encode() in data for word in words) and (
            not also or any(word.encode() in data for word in also)
        )

    for data in samples:
        expected = [rule for rule in found.rules if "python" in rule.sources and fires(rule, data)]
        assert found.by_bytes("python", data) == expected, data[:80]
        relevant = any(fires(rule, data) for rule in found.rules)
        assert found.any_triggered("python", data) is relevant, data[:80]


def test_the_files_analysed_alone_ask_the_disk_about_an_import_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """flake8 analyses a library one file at a time, and its files import the same modules:
    a pipeline resolves and stats each module path once, and again after a file changed on
    disk (one may have been created or deleted)."""
    (tmp_path / "helper.py").write_text("THRESHOLD = 6.0\n", encoding="utf-8")
    load = "from helper import THRESHOLD\nfrom transformers import AutoModel\n"
    load += "model = AutoModel.from_pretrained('gpt2', batch_size=THRESHOLD)\n"
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(load, encoding="utf-8")
    asked: list[Path] = []
    is_file = Path.is_file
    monkeypatch.setattr(Path, "is_file", lambda path: asked.append(path) or is_file(path))
    pipeline = Pipeline(Settings(root=tmp_path))
    helper = (tmp_path / "helper.py").resolve()
    for name in ("a.py", "b.py"):
        pipeline.run_source(tmp_path / name, load)
    assert asked.count(helper) == 1
    pipeline.forget(tmp_path / "helper.py")
    pipeline.run_source(tmp_path / "a.py", load)
    assert asked.count(helper) == 2
