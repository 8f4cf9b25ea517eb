"""The analyses flake8's workers share: what one process put, a process forked from the same
parent reads, for the same file with the same bytes only; a full log loses nothing but time."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest

from ecolint.config import Settings
from ecolint.pipeline import scan
from ecolint.pipeline.run import Pipeline
from ecolint.pipeline.shared_analyses import SharedAnalyses
from ecolint.results import RunResult

ROOT = Path(__file__).resolve().parent.parent
VALUE = ("app.py", RunResult(files_seen=1, files_analysed=1), [])


def _put(shared: SharedAnalyses, path: Path, data: bytes) -> None:
    shared.put(path, data, VALUE)


def test_a_process_reads_what_a_sibling_put_after_the_fork() -> None:
    shared = SharedAnalyses()
    assert shared.get(Path("/x/app.py"), b"model = 1\n") is None
    fork = multiprocessing.get_context("fork")
    worker = fork.Process(target=_put, args=(shared, Path("/x/app.py"), b"model = 1\n"))
    worker.start()
    worker.join(timeout=60)
    assert worker.exitcode == 0
    assert shared.get(Path("/x/app.py"), b"model = 1\n") == VALUE


def test_other_bytes_or_another_path_find_nothing() -> None:
    shared = SharedAnalyses()
    shared.put(Path("/x/app.py"), b"model = 1\n", VALUE)
    assert shared.get(Path("/x/app.py"), b"model = 2\n") is None
    assert shared.get(Path("/y/app.py"), b"model = 1\n") is None
    assert shared.get(Path("/x/app.py"), b"model = 1\n") == VALUE


def test_a_full_log_takes_no_more_entries() -> None:
    shared = SharedAnalyses(capacity=600)
    shared.put(Path("/x/a.py"), b"a", VALUE)
    shared.put(Path("/x/b.py"), b"b", VALUE)
    shared.put(Path("/x/c.py"), b"c", VALUE)
    found = [shared.get(Path(f"/x/{name}.py"), name.encode()) for name in "abc"]
    assert found[0] == VALUE and found[-1] is None


def test_a_file_another_worker_analysed_is_read_not_analysed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two pipelines as two flake8 workers: the second analyses nothing the first analysed
    (the files and their neighbours), and reports the same findings."""
    shutil.copytree(ROOT / "examples" / "chatbot", tmp_path / "chatbot")
    shared = SharedAnalyses()
    files = sorted((tmp_path / "chatbot").glob("*.py"))

    def findings(pipeline: Pipeline) -> list[tuple[str, int, str]]:
        return [
            (path.name, found.line, found.code)
            for path in files
            for found in pipeline.run_source(path, path.read_text(encoding="utf-8")).findings
        ]

    first = findings(Pipeline(Settings(root=tmp_path), shared=shared))
    scanned: list[Path] = []
    original = scan.Scanner.scan
    monkeypatch.setattr(
        scan.Scanner,
        "scan",
        lambda self, source, *rest: scanned.append(source.path) or original(self, source, *rest),
    )
    assert findings(Pipeline(Settings(root=tmp_path), shared=shared)) == first
    assert sorted(code for _, _, code in first) == ["ECO102", "ECO405"]
    assert scanned == []
    assert findings(Pipeline(Settings(root=tmp_path))) == first
    assert scanned, "without the log, the files are analysed"
