"""Per-file cache entries hold while what the file's analysis read holds, not while the list of
files of the run does: a file added or removed costs its own analysis and that of the files
whose imports it answers, never the whole run's. Every run's output is an uncached run's."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import run_ecolint as run

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ARGS = ("check", "--format", "json", "--jobs", "2", ".")
# The run as the command makes it, printing last the files handed to workers to analyse.
HANDED = f"""
import ecolint.pipeline.run as pipeline
handed = []
analyse = pipeline.run_batches
def spy(work, indices, jobs, meanwhile=None):
    handed.extend(work.plan.work[index].source.display for index in indices)
    return analyse(work, indices, jobs, meanwhile)
pipeline.run_batches = spy
from ecolint.cli import main
try:
    main({list(ARGS)!r})
except SystemExit as stop:
    assert stop.code in (0, 1), stop.code
print(sorted(handed))
"""
LOADER = (
    "from transformers import AutoModelForCausalLM\n"
    'model = AutoModelForCausalLM.from_pretrained("01-ai/Yi-1.5-6B-Chat", load_in_8bit=True)\n'
)


def _analysed(tree: Path) -> list[str]:
    """The files a cached run analysed; its output must be an uncached run's."""
    out = subprocess.run(
        [sys.executable, "-c", HANDED], cwd=tree, capture_output=True, text=True, timeout=120
    )
    *report, handed = out.stdout.strip().splitlines()
    assert "\n".join(report) == run(*ARGS, "--no-cache", cwd=tree).stdout.strip(), out.stderr
    return eval(handed)  # a list of strings this test printed


def _project(tree: Path) -> None:
    shutil.copytree(EXAMPLES / "chatbot", tree / "chatbot")
    for n in range(4):
        (tree / f"loader_{n}.py").write_text(LOADER, encoding="utf-8")
    run(*ARGS, cwd=tree)


def test_a_new_file_costs_its_own_analysis_only(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "notes.py").write_text("x = 1\n", encoding="utf-8")
    assert _analysed(tmp_path) == []  # passes no prefilter: nothing to analyse
    (tmp_path / "loader_new.py").write_text(LOADER, encoding="utf-8")
    assert _analysed(tmp_path) == ["loader_new.py"]
    (tmp_path / "loader_0.py").unlink()
    assert _analysed(tmp_path) == []


def test_a_module_added_where_an_import_looked_for_it_is_read(tmp_path: Path) -> None:
    """serve.py imports its threshold from a module that does not exist yet: ECO101 is not
    reported (the value is unknown); once the module is added, it is."""
    _project(tmp_path)
    serve = (
        "from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
        "from limits import THRESHOLD\n"
        "cfg = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=THRESHOLD)\n"
        'model = AutoModelForCausalLM.from_pretrained("01-ai/Yi-1.5-6B-Chat",'
        " quantization_config=cfg)\n"
        "print(model.generate(max_new_tokens=8))\n"
    )
    (tmp_path / "serve.py").write_text(serve, encoding="utf-8")
    assert _analysed(tmp_path) == ["serve.py"]
    (tmp_path / "limits.py").write_text("THRESHOLD = 6.0\n", encoding="utf-8")
    assert _analysed(tmp_path) == ["serve.py"]
    (tmp_path / "limits.py").unlink()
    assert _analysed(tmp_path) == []  # serve.py's entry before the module came holds again


def test_a_folder_that_stops_being_a_package_renames_its_modules(tmp_path: Path) -> None:
    """chatbot/ has an ``__init__.py``: its modules are ``chatbot.app`` and
    ``chatbot.settings``; without it, ``app`` and ``settings``, imported from their folder."""
    _project(tmp_path)
    (tmp_path / "chatbot" / "__init__.py").unlink()
    assert _analysed(tmp_path) == ["chatbot/app.py", "chatbot/settings.py"]


def test_an_included_requirement_list_is_read_by_the_list_that_includes_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "serve.py").write_text(LOADER, encoding="utf-8")
    (tmp_path / "requirements.txt").write_text(
        "-r requirements/base.txt\nbitsandbytes\n", encoding="utf-8"
    )
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("torch==2.5.1\n", encoding="utf-8")
    run(*ARGS, cwd=tmp_path)
    (tmp_path / "requirements" / "base.txt").write_text("torch==2.4.0.dev20240601\n")
    assert _analysed(tmp_path) == ["requirements.txt", "requirements/base.txt"]


def test_a_file_depends_on_what_a_module_it_imports_reads_even_when_another_file_read_it_first(
    tmp_path: Path,
) -> None:
    """a.py, b.py and c.py load a model with m.py's config, whose threshold n.py defines. a.py's
    analysis reads n.py first; b.py's and c.py's must record it as well, or their entries
    outlive an edit of n.py and keep a finding the uncached run no longer has."""
    (tmp_path / "n.py").write_text("THRESHOLD = 6.0\n", encoding="utf-8")
    (tmp_path / "m.py").write_text(
        "from transformers import BitsAndBytesConfig\nfrom n import THRESHOLD\n"
        "CFG = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=THRESHOLD)\n",
        encoding="utf-8",
    )
    user = (
        "from transformers import AutoModelForCausalLM\nfrom m import CFG\n"
        'model = AutoModelForCausalLM.from_pretrained("01-ai/Yi-1.5-6B-Chat",'
        " quantization_config=CFG)\nprint(model.generate(max_new_tokens=8))\n"
    )
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(user, encoding="utf-8")
    assert "ECO101" in run(*ARGS, cwd=tmp_path).stdout
    (tmp_path / "n.py").write_text("THRESHOLD = 0.0\n", encoding="utf-8")
    assert _analysed(tmp_path) == ["a.py", "b.py", "c.py", "m.py"]
