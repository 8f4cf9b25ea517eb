"""The result cache lives inside the scanned tree, so a hostile repository controls it: its
entries are data that is validated (never code that runs), a broken entry is recomputed,
a symlink is never followed, the folder stays bounded, and concurrent runs agree."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_ecolint as run

from ecolint.cache import FILE_ENTRIES_MIN, FILE_SETS, KEEP
from ecolint.cache_codec import CodecError, pack, unpack

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ARGS = ("check", "--format", "json", "--show-green", "--jobs", "1", "chatbot")


class _Exploit:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[[str], int], tuple[str]]:
        return os.system, (f"touch '{self.marker}'",)


def _tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLES / "chatbot", tree / "chatbot")
    return tree


def _entries(tree: Path) -> list[Path]:
    """Every entry a run wrote, whatever its format."""
    folder = tree / ".ecolint_cache"
    return [path for path in folder.rglob("*") if path.is_file() and path.name != ".gitignore"]


def _uncached(tree: Path) -> subprocess.CompletedProcess[str]:
    return run(*ARGS, "--no-cache", cwd=tree)


def _same_as_uncached(tree: Path, expected: subprocess.CompletedProcess[str]) -> None:
    out = run(*ARGS, cwd=tree)
    assert "Traceback" not in out.stderr, out.stderr
    assert (out.returncode, out.stdout, out.stderr) == (
        expected.returncode,
        expected.stdout,
        expected.stderr,
    )


def _entry(payload: object) -> bytes:
    """An entry with a valid header and checksum around any JSON payload."""
    data = json.dumps(payload).encode("ascii")
    return b"ecolint-cache/1 " + hashlib.sha256(data).hexdigest().encode("ascii") + b"\n" + data


def _payload(data: bytes) -> object:
    return json.loads(data.partition(b"\n")[2])


def test_a_pickle_in_the_cache_never_runs(tmp_path: Path) -> None:
    """The confirmed exploit: every entry replaced by a pickle that runs a command, and a
    crafted ``.pickle`` committed beside them."""
    tree = _tree(tmp_path)
    marker = tmp_path / "pwned"
    expected = _uncached(tree)
    cold = run(*ARGS, cwd=tree)
    assert cold.stdout == expected.stdout
    exploit = pickle.dumps(_Exploit(marker))
    entries = _entries(tree)
    assert len(entries) >= 3  # the run's result and one entry per analysed file
    for entry in entries:
        entry.write_bytes(exploit)
    (tree / ".ecolint_cache" / "0123abcd.pickle").write_bytes(exploit)
    (tree / ".ecolint_cache" / "files" / "0123abcd.pickle").write_bytes(exploit)
    _same_as_uncached(tree, expected)
    assert not marker.exists()
    _same_as_uncached(tree, expected)  # the entries written again are good ones
    assert not marker.exists()


def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x04]) + data[middle + 1 :]


def _flip_header(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x01]) + data[1:]


def _retagged(data: bytes) -> bytes:
    """A valid checksum around a payload that names a class outside the allow-list."""
    text = json.dumps(_payload(data))
    for name in ("RunResult", "Batch"):
        text = text.replace(f'"$": "{name}"', '"$": "subprocess.Popen"')
    return _entry(json.loads(text))


def _ill_typed(data: bytes) -> bytes:
    """A valid checksum around a payload whose line numbers are strings."""
    payload = _payload(data)

    def visit(node: object) -> None:
        if isinstance(node, dict):
            fields = node.get("fields")
            if isinstance(fields, dict) and isinstance(fields.get("line"), int):
                fields["line"] = str(fields["line"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(payload)
    return _entry(payload)


def _missing_field(data: bytes) -> bytes:
    """A valid checksum around a payload whose findings and drafts lack their code."""
    return _entry(json.loads(json.dumps(_payload(data)).replace('"code": ', '"kode": ')))


def _wrong_shape(data: bytes) -> bytes:
    return _entry({"$": "dict", "items": [[1, 2]]})


def _climbing(data: bytes) -> bytes:
    """A valid checksum around a payload whose paths climb out of the tree: the modules a
    per-file entry read are compared with the run's files without being rebuilt."""
    text = json.dumps(_payload(data))
    return _entry(json.loads(text.replace('"$": "home", "value": "', '"$": "home", "value": "../')))


def _misshapen_reads(data: bytes) -> bytes:
    """A per-file entry whose record of what its analysis read is not what ``put`` writes."""
    payload = _payload(data)
    if isinstance(payload, dict) and payload.get("$") == "tuple" and len(payload["items"]) == 6:
        payload["items"][2:5] = [{"$": "dict", "items": [[{"$": "home"}, 1]]}, "x", {"a": 1}]
    return _entry(payload)


@pytest.mark.parametrize(
    "payload",
    [
        '{"$": "this", "fields": {}}',
        '{"$": "os.system", "fields": {"command": "true"}}',
        '{"$": "InternalError", "fields": {"path": "a", "code": "ECO101"}}',
        '{"$": "InternalError", "fields": {"path": "a", "code": "ECO101", "message": 1}}',
        '{"$": "Pair", "fields": {"quant": {"$": "path", "value": "a"}, "base": null}}',
        '{"$": "tuple", "items": [{"$": "set", "items": [[1]]}]}',
        '{"$": "version", "value": "not a version"}',
        '{"$": "home", "value": "a.py"}',  # a path relative to the tree, read with no tree
        '{"a": 1}',
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_the_codec_rebuilds_only_allowed_well_typed_values(payload: str) -> None:
    data = payload.encode("ascii")
    digest = hashlib.sha256(data).hexdigest().encode("ascii")
    with pytest.raises(CodecError):
        unpack(b"ecolint-cache/1 " + digest + b"\n" + data)
    assert "this" not in sys.modules


def test_paths_in_the_tree_are_stored_relative_and_never_climb_out(tmp_path: Path) -> None:
    """An entry holds a path inside its tree relative to it, and reads it back under the tree
    of the run that reads it; a path outside stays as it was."""
    value = {tmp_path / "a" / "x.py": Path("/elsewhere/y.py"), "here": tmp_path / "a"}
    data = pack(value, tmp_path / "a")
    assert str(tmp_path).encode() not in data
    moved = {tmp_path / "b" / "x.py": Path("/elsewhere/y.py"), "here": tmp_path / "b"}
    assert unpack(data, tmp_path / "b") == moved
    for text in ("../x.py", "a/../../x.py", "/x.py"):
        with pytest.raises(CodecError):
            unpack(_entry({"$": "home", "value": text}), tmp_path)


@pytest.mark.parametrize(
    "damage",
    [
        _truncate,
        _flip,
        _flip_header,
        _retagged,
        _ill_typed,
        _missing_field,
        _wrong_shape,
        _climbing,
        _misshapen_reads,
    ],
)
def test_a_damaged_entry_is_recomputed(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    tree = _tree(tmp_path)
    expected = _uncached(tree)
    run(*ARGS, cwd=tree)
    entries = _entries(tree)
    assert entries
    for entry in entries:
        entry.write_bytes(damage(entry.read_bytes()))
    _same_as_uncached(tree, expected)


def test_an_entry_that_is_not_a_regular_file_is_not_read(tmp_path: Path) -> None:
    """A FIFO would hang the read, a folder cannot be read, a symlink is not followed (its
    target stays as it was)."""
    tree = _tree(tmp_path)
    expected = _uncached(tree)
    run(*ARGS, cwd=tree)
    outside = tmp_path / "outside"
    outside.mkdir()
    entries = sorted(_entries(tree))
    for index, entry in enumerate(entries):
        victim = outside / f"victim{index}.json"
        victim.write_bytes(entry.read_bytes())
        entry.unlink()
        if index % 3 == 0:
            os.mkfifo(entry)
        elif index % 3 == 1:
            entry.mkdir()
        else:
            entry.symlink_to(victim)
    before = {path: path.read_bytes() for path in outside.iterdir()}
    _same_as_uncached(tree, expected)
    assert {path: path.read_bytes() for path in outside.iterdir()} == before


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink() and "tree" not in path.relative_to(folder).parts
    }


def test_a_cache_folder_linked_out_of_the_tree_is_not_used(tmp_path: Path) -> None:
    """``.ecolint_cache -> ..``: nothing is pruned or written in the folder above."""
    tree = _tree(tmp_path)
    expected = _uncached(tree)
    for index in range(KEEP + 4):
        (tmp_path / f"{index:02}.pickle").write_bytes(b"keep me")
        (tmp_path / f"{index:02}.json").write_bytes(b"keep me")
    (tree / ".ecolint_cache").symlink_to("..")
    before = _snapshot(tmp_path)
    _same_as_uncached(tree, expected)
    _same_as_uncached(tree, expected)
    assert _snapshot(tmp_path) == before
    assert not (tmp_path / ".gitignore").exists()
    assert not (tmp_path / "files").exists()
    out = run("clean", cwd=tree)
    assert "no cache" in out.stdout
    assert (tree / ".ecolint_cache").is_symlink() and _snapshot(tmp_path) == before


def test_a_files_folder_linked_out_of_the_tree_is_not_used(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    expected = _uncached(tree)
    outside = tmp_path / "outside"
    outside.mkdir()
    for index in range(FILE_ENTRIES_MIN + 4):
        (outside / f"{index:03}.pickle").write_bytes(b"keep me")
        (outside / f"{index:03}.json").write_bytes(b"keep me")
    (tree / ".ecolint_cache").mkdir()
    (tree / ".ecolint_cache" / "files").symlink_to(outside)
    (tree / ".ecolint_cache" / ".gitignore").symlink_to(outside / "written-through")
    before = _snapshot(outside)
    _same_as_uncached(tree, expected)
    _same_as_uncached(tree, expected)
    assert _snapshot(outside) == before
    assert not (outside / ".gitignore").exists()
    assert not (outside / "written-through").exists()


def test_a_cache_folder_that_is_a_file_is_left_alone(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    expected = _uncached(tree)
    (tree / ".ecolint_cache").write_text("not a folder\n")
    _same_as_uncached(tree, expected)
    assert (tree / ".ecolint_cache").read_text() == "not a folder\n"


def test_entries_of_older_formats_are_pruned(tmp_path: Path) -> None:
    """A folder full of the per-file entries of an older ecolint is emptied of them."""
    tree = _tree(tmp_path)
    files = tree / ".ecolint_cache" / "files"
    files.mkdir(parents=True)
    for index in range(500):
        (files / f"{index:03}.pickle").write_bytes(b"old")
    (tree / ".ecolint_cache" / "stale.pickle").write_bytes(b"old")
    run(*ARGS, cwd=tree)
    assert not list(tree.joinpath(".ecolint_cache").rglob("*.pickle"))
    assert len(list(files.iterdir())) == 2  # app.py and settings.py


@pytest.mark.slow
def test_edits_and_new_settings_keep_the_cache_bounded(tmp_path: Path) -> None:
    """40 edits, each with settings never seen before (as a reinstall changes the key of
    every entry): the per-file entries stay within the bound."""
    tree = tmp_path / "tree"
    for index in range(12):
        shutil.copytree(EXAMPLES / "chatbot", tree / f"bot{index}")
    files = tree / ".ecolint_cache" / "files"
    bound = max(FILE_ENTRIES_MIN, FILE_SETS * (12 * 3 + 1))  # the run's files: 36 + pyproject
    counts = []
    for edit in range(40):
        (tree / "pyproject.toml").write_text(
            f'[tool.ecolint.models]\n"acme/model-{edit}" = 1.5\n', encoding="utf-8"
        )
        app = tree / f"bot{edit % 12}" / "app.py"
        app.write_text(app.read_text(encoding="utf-8") + f"# edit {edit}\n", encoding="utf-8")
        out = run("check", "--jobs", "1", ".", cwd=tree)
        assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
        counts.append(len(list(files.iterdir())))
    assert max(counts) <= bound, counts
    assert counts[-1] == bound  # 40 runs × 24 entries were written
    assert len(list((tree / ".ecolint_cache").glob("*.json"))) <= KEEP


@pytest.mark.slow
def test_twenty_concurrent_runs_agree(tmp_path: Path) -> None:
    """20 runs at once on one tree and one cache, cold and then warm, print byte for byte what
    an uncached run prints."""
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLES, tree / "examples")
    args = ("check", "--format", "json", "--show-green", "--jobs", "1", "examples")
    expected = run(*args, "--no-cache", cwd=tree)
    environment = {**os.environ, "NO_COLOR": "1"}
    folders: list[dict[str, tuple[int, bytes]]] = []
    for _ in ("cold", "warm"):
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "ecolint", *args],
                cwd=tree,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=environment,
            )
            for _ in range(20)
        ]
        for process in processes:
            stdout, stderr = process.communicate(timeout=600)
            assert (process.returncode, stdout, stderr) == (
                expected.returncode,
                expected.stdout.encode(),
                expected.stderr.encode(),
            )
        folder = tree / ".ecolint_cache"
        entries = [path for path in folder.rglob("*") if path.is_file()]
        folders.append(
            {str(path): (path.stat().st_mtime_ns, path.read_bytes()) for path in entries}
        )
    for path, (_, data) in folders[0].items():
        if path.endswith(".json"):
            unpack(data, tree)  # every entry the cold runs left is whole
    assert folders[1] == folders[0]  # the warm runs only read
    assert not [path for path in folders[0] if path.endswith(".tmp")]
