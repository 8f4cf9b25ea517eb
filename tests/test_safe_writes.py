"""Every write ecolint makes (``--fix``, ``--add-noqa``, baselines, ``-o``) is atomic, stays
inside the scanned tree, keeps the file's bytes it does not mean to change, and never
overwrites a file that changed since it was read; a write that fails is an error, not a fix."""

from __future__ import annotations

import ast
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ECO101_CELLS, ECO101_SCRIPT, scan
from conftest import run_ecolint as run

from ecolint import safe_write
from ecolint.fixes import apply
from ecolint.safe_write import Tree, WriteError, write_file

FIXED_ECO101 = ECO101_SCRIPT.replace(
    "load_in_8bit=True", "load_in_8bit=True, llm_int8_threshold=0.0"
)
FIX = ("check", "--fix", "--unsafe-fixes", "--no-cache", ".")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A project with ``link.py -> ../outside/victim.py`` committed beside a real file."""
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "victim.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (project / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (project / "link.py").symlink_to(Path("..") / "outside" / "victim.py")
    return project


def test_fix_does_not_write_through_a_symlink_out_of_the_tree(hostile: Path) -> None:
    out = run(*FIX, cwd=hostile)
    assert (hostile.parent / "outside" / "victim.py").read_text(encoding="utf-8") == ECO101_SCRIPT
    assert (hostile / "app.py").read_text(encoding="utf-8") == FIXED_ECO101
    assert "link.py: not written: it is a symlink to" in out.stderr
    assert "outside the scanned tree" in out.stderr
    assert "Fixed 1 finding in 1 file." in out.stderr
    assert out.returncode == 2


def test_add_noqa_does_not_write_through_a_symlink_out_of_the_tree(hostile: Path) -> None:
    out = run("check", "--add-noqa", "--no-cache", ".", cwd=hostile)
    assert (hostile.parent / "outside" / "victim.py").read_text(encoding="utf-8") == ECO101_SCRIPT
    assert "# noqa: ECO101" in (hostile / "app.py").read_text(encoding="utf-8")
    assert "link.py: not written" in out.stderr
    assert "added 1 noqa directive" in out.stderr
    assert out.returncode == 2


def test_a_symlink_inside_the_tree_is_fixed_in_its_target(tmp_path: Path) -> None:
    (tmp_path / "real.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (tmp_path / "link.py").symlink_to("real.py")
    out = run(*FIX, "link.py", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "link.py").is_symlink()
    assert (tmp_path / "real.py").read_text(encoding="utf-8") == FIXED_ECO101


@pytest.mark.parametrize(
    "args",
    [("-o", "ecolint.sarif", "--format", "sarif"), ("--write-baseline=ecolint.sarif",)],
)
def test_reports_and_baselines_are_not_written_through_a_symlink_out_of_the_tree(
    hostile: Path, args: tuple[str, ...]
) -> None:
    target = hostile.parent / "outside" / "report"
    kept = '{"version": 1, "tool": "ecolint", "findings": []}\n'
    target.write_text(kept, encoding="utf-8")
    (hostile / "ecolint.sarif").symlink_to(target)
    out = run("check", "--no-cache", *args, cwd=hostile)
    assert out.returncode == 2
    assert "ecolint.sarif: not written: it is a symlink to" in out.stderr
    assert target.read_text(encoding="utf-8") == kept
    assert (hostile / "ecolint.sarif").is_symlink()


def test_a_report_named_outside_the_tree_is_written(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    report = tmp_path / "report.json"
    out = run("check", "--format", "json", "-o", str(report), cwd=project)
    assert out.returncode == 1, out.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["findings"]


def test_write_baseline_followed_by_a_path_scans_the_path(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (tmp_path / "other.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    out = run("check", "--write-baseline", "app.py", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == ECO101_SCRIPT
    assert "wrote 1 finding to .ecolint-baseline.json" in out.stderr
    written = json.loads((tmp_path / ".ecolint-baseline.json").read_text(encoding="utf-8"))
    assert [entry["path"] for entry in written["findings"]] == ["app.py"]


def test_write_baseline_refuses_to_overwrite_a_file_that_is_not_a_baseline(
    tmp_path: Path,
) -> None:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    out = run("check", "--write-baseline=app.py", cwd=tmp_path)
    assert out.returncode == 2
    assert "app.py: not overwritten: it is not an ecolint baseline" in out.stderr
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == ECO101_SCRIPT
    assert run("check", "--write-baseline=base.json", cwd=tmp_path).returncode == 0
    again = run("check", "--write-baseline=base.json", "--no-cache", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "wrote 1 finding to base.json" in again.stderr


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ({"code": ["ECO101"]}, "finding 0: 'code' must be a string"),
        ({"line": "3"}, "finding 0: 'line' must be a whole number"),
        ({"line": True}, "finding 0: 'line' must be a whole number"),
        ({"extra": 1}, "finding 0 must be an object with code, path, fingerprint, line"),
    ],
)
def test_an_ill_typed_baseline_is_a_clear_error(
    tmp_path: Path, entry: dict[str, object], complaint: str
) -> None:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    item = {"code": "ECO101", "path": "app.py", "fingerprint": "x", "line": 3, "message": "m"}
    document = {"version": 1, "tool": "ecolint", "findings": [{**item, **entry}]}
    (tmp_path / "base.json").write_text(json.dumps(document), encoding="utf-8")
    out = run("check", "--baseline", "base.json", cwd=tmp_path)
    assert out.returncode == 2
    assert complaint in out.stderr
    assert "Traceback" not in out.stderr


SOURCE = (
    "from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
    "cfg = BitsAndBytesConfig(load_in_8bit=True)\n"
    "model = AutoModelForCausalLM.from_pretrained('m/x', quantization_config=cfg)\n"
    "out = model.generate(x, use_cache=False)"
)
FIXED = SOURCE.replace("load_in_8bit=True", "load_in_8bit=True, llm_int8_threshold=0.0").replace(
    ", use_cache=False", ""
)


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def _mixed(text: str) -> str:
    lines = text.split("\n")
    return (
        "".join(line + ("\r\n" if number % 2 else "\n") for number, line in enumerate(lines[:-1]))
        + lines[-1]
    )


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("crlf", lambda text: _crlf(text).encode()),
        ("mixed", lambda text: _mixed(text).encode()),
        ("newline", lambda text: (text + "\n").encode()),
        ("bom", lambda text: b"\xef\xbb\xbf" + f"# é\n{text}\r\n".encode()),
        ("latin1", lambda text: f"# -*- coding: latin-1 -*-\n# café\n{text}".encode("latin-1")),
    ],
)
def test_fix_keeps_encoding_bom_line_endings_final_newline_and_mode(
    tmp_path: Path, name: str, encode: Callable[[str], bytes]
) -> None:
    path = tmp_path / f"{name}.py"
    path.write_bytes(encode(SOURCE))
    path.chmod(0o754)
    out = run(*FIX, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert path.read_bytes() == encode(FIXED)
    assert path.stat().st_mode & 0o777 == 0o754
    assert [p.name for p in tmp_path.iterdir() if p.name != ".ecolint_cache"] == [path.name]


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text("edited by a person\n", encoding="utf-8")
    with pytest.raises(WriteError, match="changed since ecolint read it"):
        write_file(path, b"ecolint's version\n", Tree([tmp_path]), expected=b"as analysed\n")
    assert path.read_text(encoding="utf-8") == "edited by a person\n"
    assert [p.name for p in tmp_path.iterdir()] == ["app.py"]


def test_a_temporary_name_already_taken_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary file is created exclusively; one that is already there is not ours to
    remove when the write then fails."""
    target = tmp_path / "app.py"
    target.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(safe_write, "temporary_tag", lambda: "cafe")
    taken = tmp_path / f".app.py.cafe{safe_write.TEMP_SUFFIX}"
    taken.write_text("someone else's\n", encoding="utf-8")
    with pytest.raises(WriteError):
        write_file(target, b"new\n", Tree([tmp_path]))
    assert taken.read_text(encoding="utf-8") == "someone else's\n"
    assert target.read_text(encoding="utf-8") == "old\n"


def test_a_fix_planned_before_an_edit_is_skipped_and_not_counted(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (tmp_path / "other.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    plan = apply.plan(scan([tmp_path]).findings, unsafe=True)
    edited = ECO101_SCRIPT + "print('edited meanwhile')\n"
    (tmp_path / "app.py").write_text(edited, encoding="utf-8")
    problems = apply.write(plan, Tree([tmp_path]))
    assert problems == [(str(tmp_path / "app.py"), "not written: it changed since ecolint read it")]
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == edited
    assert (tmp_path / "other.py").read_text(encoding="utf-8") == FIXED_ECO101
    assert apply.summary(plan, written=True) == "Fixed 1 finding in 1 file."


@pytest.mark.parametrize(
    "char", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
)
def test_add_noqa_counts_lines_as_the_tokenizer_does(tmp_path: Path, char: str) -> None:
    """``str.splitlines`` breaks at ``char``: the finding's line 4 became the middle of the
    string on line 3, and ``# noqa`` went inside the literal."""
    before = (
        "from transformers import BitsAndBytesConfig\n"
        f"# a comment{char}with a break\n"
        f'x = "a{char}b{char}c"\n'
        "cfg = BitsAndBytesConfig(load_in_8bit=True)\n"
    )
    path = tmp_path / "app.py"
    path.write_bytes(before.encode())
    out = run("check", "--add-noqa", "--no-cache", ".", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    after = path.read_bytes().decode()
    expected = before.replace("load_in_8bit=True)\n", "load_in_8bit=True)  # noqa: ECO101\n")
    assert after == expected
    assert ast.literal_eval(ast.parse(after).body[1].value) == f"a{char}b{char}c"  # type: ignore[attr-defined]
    assert run("check", "--no-cache", ".", cwd=tmp_path).returncode == 0


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


def test_a_write_that_fails_leaves_the_original_and_is_not_counted(tmp_path: Path) -> None:
    """A full disk, simulated by a file size limit: writing past it fails with EFBIG."""
    path = tmp_path / "app.py"
    path.write_text(ECO101_SCRIPT, encoding="utf-8")
    assert len(ECO101_SCRIPT) > 64
    out = subprocess.run(
        [sys.executable, "-m", "ecolint", *FIX],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=_limit_file_size,
        timeout=300,
    )
    assert path.read_text(encoding="utf-8") == ECO101_SCRIPT
    assert "app.py: cannot write: File too large" in out.stderr
    assert "Fixed 1 finding" not in out.stderr
    assert out.returncode == 2
    assert [p.name for p in tmp_path.iterdir()] == ["app.py"]


def _changed(path: Path, process: subprocess.Popen[bytes]) -> float | None:
    """When ``path`` was rewritten (in place or replaced), or None if the process ended
    first."""

    def state() -> tuple[int, int, int]:
        found = path.stat()
        return found.st_ino, found.st_mtime_ns, found.st_size

    start = state()
    while process.poll() is None:
        if state() != start:
            return time.monotonic()
        time.sleep(0.0002)
    return None


def _fix_in_background(folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ecolint", *FIX],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_killing_fix_at_random_points_leaves_every_file_whole(tmp_path: Path) -> None:
    """SIGKILL while ``--fix`` writes 250 files: each is its original or its fixed bytes, never
    empty or half written; a later run works and completes the fix. Most kills land in the
    writing phase, timed by an undisturbed run (files are written in path order)."""
    original = tmp_path / "original"
    (original / "src").mkdir(parents=True)
    names = [f"m{number}.py" for number in range(250)]
    for number, name in enumerate(names):
        text = ECO101_SCRIPT.replace("cfg =", f"N = {number}\ncfg =")
        (original / "src" / name).write_text(text, encoding="utf-8")
    first, last = min(names), max(names)
    reference = tmp_path / "reference"
    shutil.copytree(original, reference)
    started = time.monotonic()
    process = _fix_in_background(reference)
    began, ended = _changed(reference / "src" / first, process), None
    if began is not None:
        ended = _changed(reference / "src" / last, process)
    assert process.wait() == 0
    duration = time.monotonic() - started
    writing = (ended or time.monotonic()) - (began or started)
    fixed = {path.name: path.read_bytes() for path in (reference / "src").iterdir()}
    before = {path.name: path.read_bytes() for path in (original / "src").iterdir()}
    assert all(fixed[name] != before[name] for name in names)

    work = tmp_path / "work"
    generator = random.Random(12)
    kills, states = 0, set()
    attempt = 0
    while kills < 20 and attempt < 40:  # under load a run may end before its kill: try again
        attempt += 1
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(original, work)
        process = _fix_in_background(work)
        if attempt % 5 == 0:  # anywhere in the run, analysis included
            time.sleep(generator.uniform(0, duration))
        elif _changed(work / "src" / first, process) is not None:
            time.sleep(generator.uniform(0, writing))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        done = 0
        for name in names:
            data = (work / "src" / name).read_bytes()
            assert data in (before[name], fixed[name]), f"{name} after a kill"
            done += data == fixed[name]
        states.add(0 if done == 0 else 2 if done == len(names) else 1)
    assert kills >= 20
    assert 1 in states, "some kill landed between two files' writes"

    assert run("check", "--no-cache", ".", cwd=work).returncode in (0, 1)
    assert run("check", ".", cwd=work).returncode in (0, 1)
    again = run(*FIX, cwd=work)
    assert again.returncode == 0, again.stderr
    assert {name: (work / "src" / name).read_bytes() for name in names} == fixed
    cached = run("check", ".", cwd=work)
    assert cached.returncode == 0 and "No findings in 250 files" in cached.stdout


def test_add_noqa_keeps_a_notebooks_bom(tmp_path: Path) -> None:
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": []}
    source = ECO101_CELLS.splitlines(keepends=True)
    notebook = {"cells": [{**cell, "source": source}], "metadata": {}, "nbformat": 4}
    path = tmp_path / "n.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(notebook, indent=1).encode())
    out = run("check", "--add-noqa", "--no-cache", ".", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf{")
    assert "# noqa: ECO101" in json.loads(data[3:])["cells"][0]["source"][1]
