"""An editor's pipeline keeps the modules a buffer imports parsed between keystrokes, and parses
one again as soon as its file holds other bytes, even of the same size and with no save
notification (a ``git checkout`` under the editor). Through the pipeline the server uses, and
through ``ecolint server`` itself over stdio."""

from __future__ import annotations

from pathlib import Path

from lsp_client import LspClient, change, diagnostics_of, open_file

from ecolint.analysis.parsed_files import ParsedFiles
from ecolint.config import Settings
from ecolint.pipeline.run import Pipeline
from ecolint.sources.python import SourceError

APP = """\
from transformers import BitsAndBytesConfig
from settings import THRESHOLD

cfg = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=THRESHOLD)
"""
EDITED = APP + "\nprint(cfg)\n"


def codes(pipeline: Pipeline, path: Path, text: str) -> list[str]:
    return [finding.code for finding in pipeline.run_source(path, text).findings]


def test_imports_are_parsed_once_across_buffers_and_again_when_their_bytes_change(
    tmp_path: Path,
) -> None:
    (tmp_path / "settings.py").write_text("THRESHOLD = 0.0\n")
    app = tmp_path / "app.py"
    pipeline = Pipeline(Settings(root=tmp_path), parsed=ParsedFiles())
    assert pipeline.parsed is not None
    assert codes(pipeline, app, APP) == []
    assert pipeline.parsed.added == 1  # settings.py; the buffer itself is never kept
    assert codes(pipeline, app, EDITED) == []
    assert pipeline.parsed.added == 1  # reused for the edited buffer
    (tmp_path / "settings.py").write_text("THRESHOLD = 6.0\n")  # same size, no notice
    assert codes(pipeline, app, APP) == ["ECO101"]
    assert pipeline.parsed.added == 2


def test_a_pipeline_for_one_run_keeps_nothing(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text("THRESHOLD = 0.0\n")
    pipeline = Pipeline(Settings(root=tmp_path))
    assert codes(pipeline, tmp_path / "app.py", APP) == []
    assert pipeline.parsed is None


def test_the_server_sees_an_import_changed_on_disk_without_a_save(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text("THRESHOLD = 0.0\n")
    client = LspClient(tmp_path)
    try:
        client.initialize(tmp_path)
        uri = open_file(client, tmp_path / "app.py", APP)
        assert not diagnostics_of(client, uri).diagnostics
        change(client, uri, 2, EDITED)
        assert not diagnostics_of(client, uri).diagnostics
        (tmp_path / "settings.py").write_text("THRESHOLD = 6.0\n")
        change(client, uri, 3, APP)
        assert [d.code for d in diagnostics_of(client, uri).diagnostics] == ["ECO101"]
        (tmp_path / "settings.py").write_text("THRESHOLD = 0.0\n")
        change(client, uri, 4, EDITED)
        assert not diagnostics_of(client, uri).diagnostics
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()
            client.process.wait()


def test_a_bounded_store_keeps_what_is_parsed_twice_within_its_bytes() -> None:
    """flake8's store: a module one analysis parsed is not kept, one parsed by a second is;
    beyond the bytes allowed the least recently used goes."""
    store = ParsedFiles(max_bytes=10)
    first, second = Path("first.py"), Path("second.py")
    parsed = SourceError("stands for a parsed module")
    store.put(first, b"A = 1\n", parsed)
    assert store.get(first, b"A = 1\n") is None
    store.put(first, b"A = 1\n", parsed)
    assert store.get(first, b"A = 1\n") is parsed
    store.put(second, b"B = 2\n", parsed)
    store.put(second, b"B = 2\n", parsed)
    assert store.get(second, b"B = 2\n") is parsed
    assert store.get(first, b"A = 1\n") is None
