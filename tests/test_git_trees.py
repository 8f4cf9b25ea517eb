"""Writing a commit out for ``ecolint diff``: what a real commit holds arrives, and nothing an
archive names can land outside the folder (archives built by hand: git never writes these)."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

from ecolint.sources.git_trees import commit, export_commit, unpack


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_a_commit_arrives_with_its_folders_modes_and_inward_links(tmp_path: Path) -> None:
    repo, out = tmp_path / "repo", tmp_path / "out"
    (repo / "pkg" / "deep").mkdir(parents=True)
    out.mkdir()
    (repo / "pkg" / "deep" / "serve.py").write_bytes(b"print(1)\r\n")
    (repo / "run").write_text("#!/usr/bin/env python\n", encoding="utf-8")
    (repo / "run").chmod(0o755)
    (repo / "inward.py").symlink_to("pkg/deep/serve.py")
    (repo / "outward.py").symlink_to("../secret.py")
    (repo / "absolute.py").symlink_to("/etc/hostname")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "tree")
    export_commit(repo, commit(repo, "HEAD"), out)
    assert (out / "pkg" / "deep" / "serve.py").read_bytes() == b"print(1)\r\n"
    assert os.access(out / "run", os.X_OK)
    assert not os.access(out / "pkg" / "deep" / "serve.py", os.X_OK)
    assert os.readlink(out / "inward.py") == "pkg/deep/serve.py"
    assert not (out / "outward.py").is_symlink() and not (out / "absolute.py").is_symlink()


def _archive(*members: tuple[str, bytes | str | None]) -> bytes:
    """A tar of files (bytes), links (str: the target) and folders (None), in this order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as bundle:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if content is None:
                info.type = tarfile.DIRTYPE
                bundle.addfile(info)
            elif isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content
                bundle.addfile(info)
            else:
                info.size = len(content)
                bundle.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def test_nothing_an_archive_names_lands_outside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    archive = _archive(
        ("../escaped.py", b"x"),
        ("/tmp/absolute.py", b"x"),
        ("ok/../../climbed.py", b"x"),
        ("up", ".."),
        ("inner", None),
        ("inward", "inner"),
        ("inward/through_link.py", b"x"),
        ("same.py", b"first"),
        ("same.py", b"second"),
        ("kept/file.py", b"kept"),
    )
    unpack(archive, out)
    assert sorted(str(path.relative_to(out)) for path in out.rglob("*")) == [
        "inner",
        "inward",
        "kept",
        "kept/file.py",
        "same.py",
    ]
    assert os.readlink(out / "inward") == "inner" and not (out / "up").exists()
    assert (out / "same.py").read_bytes() == b"first"
    assert not (tmp_path / "escaped.py").exists() and not list((out / "inner").iterdir())


def _snapshot(folder: Path) -> dict[str, tuple[str, bytes | str, bool]]:
    """Each entry: its kind, its bytes or link target, whether it is executable."""
    found: dict[str, tuple[str, bytes | str, bool]] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = ("link", os.readlink(path), False)
        elif path.is_file():
            found[name] = ("file", path.read_bytes(), os.access(path, os.X_OK))
    return found


def _commit_files(repo: Path, files: dict[str, str | None]) -> str:
    """Write (a str starting with "->" is a link to the rest), delete (None), commit."""
    for name, content in files.items():
        path = repo / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir() and content is not None:
            subprocess.run(["rm", "-r", str(path)], check=True)
        if content is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if content.startswith("->"):
            path.symlink_to(content[2:])
        else:
            path.write_text(content, encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "change")
    return commit(repo, "HEAD")


def test_a_commit_written_from_an_earlier_one_is_the_commit_written_whole(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    first = _commit_files(
        repo,
        {
            "serve.py": "a = 1\n",
            "same.py": "same\n",
            "gone.py": "gone\n",
            "becomes_folder": "file\n",
            "folder_goes/only.py": "x\n",
            "pkg/keep.py": "keep\n",
            "link.py": "->same.py",
        },
    )
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    export_commit(repo, first, earlier)
    (earlier / "stray.py").write_text("not in any commit\n", encoding="utf-8")
    before = _snapshot(earlier)
    (repo / "same.py").chmod(0o755)
    second = _commit_files(
        repo,
        {
            "serve.py": "a = 2\n",
            "gone.py": None,
            "becomes_folder": None,
            "becomes_folder/inside.py": "in\n",
            "folder_goes/only.py": None,
            "folder_goes": "now a file\n",
            "new/deep/added.py": "added\n",
            "link.py": "->serve.py",
        },
    )
    linked, whole = tmp_path / "linked", tmp_path / "whole"
    linked.mkdir()
    whole.mkdir()
    export_commit(repo, second, linked, (first, earlier))
    export_commit(repo, second, whole)
    assert _snapshot(linked) == _snapshot(whole)
    assert _snapshot(whole)["same.py"][2] and _snapshot(whole)["link.py"][1] == "serve.py"
    assert (linked / "pkg" / "keep.py").stat().st_ino == (earlier / "pkg" / "keep.py").stat().st_ino
    assert _snapshot(earlier) == before


def test_a_changed_gitattributes_writes_the_commit_whole(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    first = _commit_files(repo, {"serve.py": "a = 1\n", "skip.py": "b = 1\n"})
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    export_commit(repo, first, earlier)
    second = _commit_files(repo, {".gitattributes": "skip.py export-ignore\n"})
    out = tmp_path / "out"
    out.mkdir()
    export_commit(repo, second, out, (first, earlier))
    assert sorted(path.name for path in out.iterdir()) == [".gitattributes", "serve.py"]
    assert (out / "serve.py").stat().st_ino != (earlier / "serve.py").stat().st_ino


def test_an_earlier_commit_git_does_not_know_writes_the_commit_whole(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    sha = _commit_files(repo, {"serve.py": "a = 1\n"})
    earlier, out = tmp_path / "earlier", tmp_path / "out"
    earlier.mkdir()
    out.mkdir()
    (earlier / "serve.py").write_text("stale\n", encoding="utf-8")
    export_commit(repo, sha, out, ("0" * 40, earlier))
    assert (out / "serve.py").read_text(encoding="utf-8") == "a = 1\n"


def test_only_a_folder_named_by_a_commit_is_written_from(tmp_path: Path) -> None:
    """A committed cache folder may hold anything; its names go to git as revisions."""
    from ecolint.cli.diff_run import _latest

    trees = tmp_path / "diff"
    (trees / "--output=x").mkdir(parents=True)
    (trees / ".tmp-abc").mkdir()
    assert _latest(trees) is None
    (trees / ("a" * 40)).mkdir()
    assert _latest(trees) == ("a" * 40, trees / ("a" * 40))
