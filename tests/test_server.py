"""``ecolint server`` driven over stdio by a minimal LSP client (tests/lsp_client.py), as an
editor drives it: initialize, open a file, edit, ask for code actions and apply one, hover,
shutdown and exit (notebooks: test_server_notebooks.py). Every response is structured into
lsprotocol's types, so a shape off the protocol fails the test."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_client import (
    LspClient,
    apply_edits,
    change,
    client_range,
    diagnostics_of,
    open_file,
    shaped,
)
from lsprotocol import types

from ecolint import __version__
from ecolint.evidence.dataset import data_version

INT8 = """\
import argparse

from transformers import AutoModelForCausalLM, BitsAndBytesConfig

parser = argparse.ArgumentParser()
parser.add_argument("--threshold", type=float, default=6.0)
args = parser.parse_args()
cfg = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=args.threshold)
model = AutoModelForCausalLM.from_pretrained(
    "01-ai/Yi-1.5-6B-Chat", quantization_config=cfg
)
"""
KV_OFF = """\
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("gpt2", torch_dtype="auto")
out = model.generate(**inputs, use_cache=False)
"""


@pytest.fixture
def client(tmp_path: Path) -> Iterator[LspClient]:
    started = LspClient(tmp_path)
    yield started
    if started.process.poll() is None:
        started.process.kill()
        started.process.wait()


def test_python_buffer_diagnostics_actions_hover_and_exit(
    client: LspClient, tmp_path: Path
) -> None:
    result = shaped(client.initialize(tmp_path), types.InitializeResult)
    assert result.server_info is not None and result.server_info.name == "ecolint"
    assert result.server_info.version == f"{__version__} (data {data_version()})"
    assert result.capabilities.hover_provider
    assert result.capabilities.notebook_document_sync is not None
    path = tmp_path / "app.py"
    uri = open_file(client, path, INT8)
    published = diagnostics_of(client, uri)
    [found] = published.diagnostics
    assert found.code == "ECO101"
    assert found.source == "ecolint"
    assert found.severity == types.DiagnosticSeverity.Warning  # orange
    assert found.code_description is not None
    assert found.code_description.href.endswith("/ECO101.yaml")
    assert found.range.start == types.Position(7, 25)  # load_in_8bit=True
    assert "+" in found.message and "FP16" in found.message
    [origin] = found.related_information or []
    assert origin.location.uri == uri
    assert origin.location.range.start.line == 5  # the argparse default

    raw = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": client_range(found.range),
            "context": {"diagnostics": []},
        },
    )
    actions = [shaped(action, types.CodeAction) for action in raw]
    titles = [action.title for action in actions]
    fix = next(action for action in actions if "unsafe" in action.title)
    assert not fix.is_preferred
    assert any("# noqa: ECO101" in title for title in titles)
    assert fix.edit is not None and fix.edit.changes is not None
    fixed = apply_edits(INT8, fix.edit.changes[uri])
    assert "default=0.0)" in fixed

    hover = shaped(
        client.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": 7, "character": 30}},
        ),
        types.Hover,
    )
    assert isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "rtx4090d" in text and "01-ai/Yi-1.5-6B-Chat" in text
    assert "int8\\_mixed" in text and "data/measurements.csv:" in text
    assert "confidence ★" in text and "@ `" in text  # the source's commit

    change(client, uri, 2, fixed)
    assert not diagnostics_of(client, uri).diagnostics
    change(client, uri, 3, INT8)
    assert [d.code for d in diagnostics_of(client, uri).diagnostics] == ["ECO101"]
    assert (
        client.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
        )
        is None
    )
    assert client.close() == 0


def test_safe_fixes_are_preferred_and_fix_all_applies_them(
    client: LspClient, tmp_path: Path
) -> None:
    client.initialize(tmp_path)
    uri = open_file(client, tmp_path / "gen.py", KV_OFF)
    [found] = diagnostics_of(client, uri).diagnostics
    assert found.code == "ECO401"
    context = {"diagnostics": [], "only": ["quickfix"]}
    raw = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": client_range(found.range), "context": context},
    )
    actions = [shaped(action, types.CodeAction) for action in raw]
    preferred = [action for action in actions if action.is_preferred]
    assert len(preferred) == 1 and preferred[0].kind == types.CodeActionKind.QuickFix
    everything = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    raw = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": everything,
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        },
    )
    [fix_all] = [shaped(action, types.CodeAction) for action in raw]
    assert fix_all.kind == "source.fixAll.ecolint"
    assert fix_all.edit is not None and fix_all.edit.changes is not None
    assert apply_edits(KV_OFF, fix_all.edit.changes[uri]) == KV_OFF.replace(", use_cache=False", "")
    assert client.close() == 0


def test_dependency_files_get_diagnostics(client: LspClient, tmp_path: Path) -> None:
    client.initialize(tmp_path)
    pins = open_file(
        client, tmp_path / "requirements.txt", "torch==2.12.0.dev20260101\n", "pip-requirements"
    )
    [found] = diagnostics_of(client, pins).diagnostics
    assert found.code == "ECO301"
    assert found.severity == types.DiagnosticSeverity.Information  # gray
    assert found.range.start == types.Position(0, 0)
    other = open_file(client, tmp_path / "notes.txt", "load_in_8bit=True\n", "plaintext")
    app = open_file(client, tmp_path / "app.py", INT8)
    assert [d.code for d in diagnostics_of(client, app).diagnostics] == ["ECO101"]
    assert all(m["params"].get("uri") != other for m in client.seen)  # not a file ecolint reads
    assert client.close() == 0


def test_settings_from_the_workspace_and_the_client(client: LspClient, tmp_path: Path) -> None:
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    (quiet / "pyproject.toml").write_text('[tool.ecolint]\nignore = ["ECO101"]\n')
    options = {"gpu": "a800", "lang": "zh", "workload": {"requests_per_day": 10000}}
    client.initialize(tmp_path, options)
    uri = open_file(client, tmp_path / "app.py", INT8)
    [found] = diagnostics_of(client, uri).diagnostics
    assert "A800" in found.message
    hover = shaped(
        client.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": client_range(found.range)["start"]},
        ),
        types.Hover,
    )
    assert isinstance(hover.contents, types.MarkupContent)
    assert "置信度" in hover.contents.value and "kWh" in hover.contents.value
    ignored = open_file(client, quiet / "app.py", INT8)
    assert not diagnostics_of(client, ignored).diagnostics
    assert client.close() == 0


def test_bad_input_is_reported_and_the_server_keeps_serving(
    client: LspClient, tmp_path: Path
) -> None:
    client.initialize(tmp_path, {"gpu": "mi300x", "colour": "blue", "select": ["ECO999"]})
    messages = [client.wait_for("window/showMessage")["message"] for _ in range(3)]
    assert all(message.startswith("initializationOptions") for message in messages)
    assert any("colour" in message for message in messages)
    assert any("mi300x" in message for message in messages)
    assert any("ECO999" in message for message in messages)
    broken = (
        "from transformers import BitsAndBytesConfig\ncfg = BitsAndBytesConfig(load_in_8bit=True\n"
    )
    uri = open_file(client, tmp_path / "broken.py", broken)
    [found] = diagnostics_of(client, uri).diagnostics
    assert found.code == "ECO001"
    notebook = open_file(client, tmp_path / "raw.ipynb", '{"cells": [ "load_in_8bit', "json")
    [found] = diagnostics_of(client, notebook).diagnostics
    assert found.code == "ECO001"
    uri = open_file(client, tmp_path / "app.py", INT8)
    assert [d.code for d in diagnostics_of(client, uri).diagnostics] == ["ECO101"]
    assert client.close() == 0


def test_saving_another_module_reanalyses_open_files(client: LspClient, tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text("THRESHOLD = 0.0\n")
    app = (
        "from transformers import BitsAndBytesConfig\nfrom settings import THRESHOLD\n\n"
        "cfg = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=THRESHOLD)\n"
    )
    client.initialize(tmp_path)
    uri = open_file(client, tmp_path / "app.py", app)
    assert not diagnostics_of(client, uri).diagnostics
    (tmp_path / "settings.py").write_text("THRESHOLD = 6.0\n")
    client.notify(
        "textDocument/didSave", {"textDocument": {"uri": (tmp_path / "settings.py").as_uri()}}
    )
    [found] = diagnostics_of(client, uri, lambda p: p["diagnostics"]).diagnostics
    assert found.code == "ECO101"
    [origin] = found.related_information or []
    assert origin.location.uri.endswith("/settings.py")
    assert client.close() == 0


def test_server_without_pygls_says_how_to_install_it(tmp_path: Path) -> None:
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        "import sys\nclass Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pygls' or name.startswith('pygls.'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
    )
    completed = subprocess.run(
        [sys.executable, "-m", "ecolint", "server"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": "", "LANG": "C"},
        timeout=60,
    )
    assert completed.returncode == 2
    assert "pip install 'ecolint[server]'" in completed.stderr


def test_a_burst_of_edits_publishes_only_the_last_buffer(client: LspClient, tmp_path: Path) -> None:
    client.initialize(tmp_path)
    uri = open_file(client, tmp_path / "app.py", INT8)
    assert [d.code for d in diagnostics_of(client, uri).diagnostics] == ["ECO101"]
    clean = INT8.replace("default=6.0", "default=0.0")
    for version in range(2, 22):
        change(client, uri, version, clean if version % 2 else INT8)
    last = diagnostics_of(client, uri)
    assert not last.diagnostics  # version 21 is clean
    hover = {"textDocument": {"uri": uri}, "position": {"line": 7, "character": 30}}
    assert client.request("textDocument/hover", hover) is None  # answered after the burst
    with pytest.raises(AssertionError):  # nothing stale comes after it either
        client.wait_for("textDocument/publishDiagnostics", timeout=1)
    published = [m for m in client.seen if m["method"] == "textDocument/publishDiagnostics"]
    assert len(published) == 2, published  # the open and the last edit, nothing in between
    assert client.close() == 0


def test_positions_are_in_utf16_units(client: LspClient, tmp_path: Path) -> None:
    """The client counts UTF-16 code units by default; an emoji is two of them."""
    result = shaped(client.initialize(tmp_path), types.InitializeResult)
    assert result.capabilities.position_encoding in (None, types.PositionEncodingKind.Utf16)
    line = 'tag = "🚀"; cfg = BitsAndBytesConfig(load_in_8bit=True)\n'
    text = "from transformers import BitsAndBytesConfig\n" + line
    uri = open_file(client, tmp_path / "app.py", text)
    [found] = diagnostics_of(client, uri).diagnostics
    start = line.index("load_in_8bit")
    assert found.range.start == types.Position(1, start + 1)
    assert found.range.end == types.Position(1, start + 1 + len("load_in_8bit=True"))
    assert client.close() == 0
