"""Which files a walk finds and how it names them: nested ignore files apply from their own
folder, excludes from the configuration's, and display paths are relative to the working
folder, also for a folder named through ``..``."""

from __future__ import annotations

from pathlib import Path

from ecolint.sources.discovery import discover


def _tree(top: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = top / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_nested_ignore_files_and_excludes_apply_from_their_own_folders(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _tree(
        repo,
        {
            ".gitignore": "generated/\n/top_only.py\n",
            "pkg/.gitignore": "local.py\n/anchored.py\n",
            "pkg/local.py": "",
            "pkg/anchored.py": "",
            "pkg/sub/anchored.py": "",
            "pkg/sub/local.py": "",
            "pkg/kept.py": "",
            "top_only.py": "",
            "sub/top_only.py": "",
            "generated/x.py": "",
            "vendor/lib/x.py": "",
            "vendor/x.py": "",
        },
    )
    (repo / ".git").mkdir()
    found = discover([repo], ["vendor/lib/"], repo, cwd=repo)
    assert [source.display for source in found.files] == [
        "pkg/kept.py",
        "pkg/sub/anchored.py",
        "sub/top_only.py",
        "vendor/x.py",
    ]
    assert all(source.real == source.path.resolve() for source in found.files)


def test_display_paths_of_a_folder_named_through_dot_dot(tmp_path: Path) -> None:
    _tree(tmp_path, {"here/a.py": "", "other/b.py": ""})
    found = discover([Path("../other")], [], tmp_path, cwd=tmp_path / "here")
    assert [source.display for source in found.files] == ["../other/b.py"]
    outside = discover([tmp_path / "other"], [], tmp_path, cwd=tmp_path / "here")
    assert [source.display for source in outside.files] == [(tmp_path / "other/b.py").as_posix()]
