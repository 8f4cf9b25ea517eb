"""``ecolint diff`` against a commit it has not seen: the exported tree takes the working
tree's per-file cache entries for the files the commit shares with it, a file whose imports
changed is analysed again in either tree, and a tree without a configuration of its own is
analysed alike with and without the cache."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import heavy_modules_after, run_ecolint
from tests.test_diff import INT8, commit, git, kinds, nf4

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def chatbot() -> dict[str, str | None]:
    """app.py reads settings.py, which holds the model id and the 4-bit configuration."""
    folder = EXAMPLES / "chatbot"
    return {f"chatbot/{path.name}": path.read_text(encoding="utf-8") for path in folder.iterdir()}


def entries(repo: Path) -> dict[str, int]:
    folder = repo / ".ecolint_cache" / "files"
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}


def diff(repo: Path, *args: str) -> str:
    done = run_ecolint("diff", *args, "--format=json", cwd=repo)
    assert done.returncode == 0, done.stderr
    return done.stdout


def same_as_uncached(repo: Path, *args: str) -> dict[str, object]:
    cached = diff(repo, *args)
    assert cached == diff(repo, *args, "--no-cache")
    document: dict[str, object] = json.loads(cached)
    return document


def test_a_new_base_takes_the_working_trees_entries_for_unchanged_files(tmp_path: Path) -> None:
    loaders = {f"loader_{n}.py": nf4(model) for n, model in enumerate(["Qwen/Qwen2-1.5B"] * 3)}
    commit(tmp_path, {**chatbot(), **loaders, "serve.py": INT8})
    commit(tmp_path, {"serve.py": INT8 + "print(2)\n"})
    assert run_ecolint("check", ".", cwd=tmp_path).returncode == 1  # fills the cache
    before = entries(tmp_path)
    assert len(before) == 6  # app, settings, three loaders and serve.py pass the prefilter
    document = same_as_uncached(tmp_path, "HEAD~1")
    assert kinds(document) == {"added": set(), "removed": set(), "changed": set()}
    after = entries(tmp_path)
    assert {name: after[name] for name in before} == before, "reused, not written again"
    assert len(set(after) - set(before)) == 1, "only serve.py as the commit holds it"
    sha = git(tmp_path, "rev-parse", "HEAD~1").strip()
    assert not (tmp_path / ".ecolint_cache" / "diff" / sha / ".ecolint_cache" / "files").exists()


def test_a_commit_checked_before_is_answered_from_that_runs_result(tmp_path: Path) -> None:
    """check, edit, commit, check, diff: ``check`` saw the commit's files as the commit holds
    them, so the diff takes that run's result and does not even load the analysis."""
    commit(tmp_path, {**chatbot(), "serve.py": INT8})
    run_ecolint("check", ".", cwd=tmp_path)
    commit(tmp_path, {"serve.py": None})
    run_ecolint("check", ".", cwd=tmp_path)
    assert heavy_modules_after(tmp_path, ["diff", "HEAD~1", "--format", "json"], 0) == []
    assert kinds(json.loads(diff(tmp_path, "HEAD~1")))["removed"] == {("ECO101", "serve.py")}


def test_a_module_changed_under_an_unchanged_importer(tmp_path: Path) -> None:
    """settings.py changes its model id; app.py, which reads it, is the same file in both
    trees and is analysed with each tree's settings.py."""
    commit(tmp_path, chatbot())
    settings = chatbot()["chatbot/settings.py"]
    assert settings is not None
    larger = settings.replace("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "Qwen/Qwen2.5-7B-Instruct")
    commit(tmp_path, {"chatbot/settings.py": larger})
    run_ecolint("check", ".", cwd=tmp_path)
    document = same_as_uncached(tmp_path, "HEAD~1")
    assert "TinyLlama" in json.dumps(document["removed"] or document["changed"])
    assert same_as_uncached(tmp_path, "HEAD", "HEAD~1") != document
    check = run_ecolint("check", ".", "--format=json", cwd=tmp_path).stdout
    assert check == run_ecolint("check", ".", "--format=json", "--no-cache", cwd=tmp_path).stdout
    assert "Qwen2.5-7B" in check and "TinyLlama" not in check


def test_a_base_without_a_configuration_is_analysed_with_the_working_trees(
    tmp_path: Path,
) -> None:
    """The configuration is added with no change to the code: nothing is added or removed,
    with the cache (the commit written inside the cache folder) or without (a temporary
    folder). A base with a configuration of its own is analysed with it."""
    commit(tmp_path, chatbot())
    commit(tmp_path, {"pyproject.toml": '[tool.ecolint]\nignore = ["ECO405"]\n'})
    document = same_as_uncached(tmp_path, "HEAD~1")
    assert kinds(document) == {"added": set(), "removed": set(), "changed": set()}
    commit(tmp_path, {"pyproject.toml": '[tool.ecolint]\nignore = ["ECO102"]\n'})
    document = same_as_uncached(tmp_path, "HEAD~1")
    assert kinds(document)["added"] == {("ECO405", "chatbot/settings.py")}
    assert kinds(document)["removed"] == {("ECO102", "chatbot/settings.py")}


def test_the_index_takes_the_working_trees_entries(tmp_path: Path) -> None:
    """``diff --staged`` with an unstaged change: the index goes to a temporary folder, and
    only its version of the file changed since is analysed."""
    loaders = {f"loader_{n}.py": nf4("Qwen/Qwen2-1.5B") for n in range(3)}
    commit(tmp_path, {**chatbot(), **loaders, "serve.py": "print(1)\n"})
    (tmp_path / "serve.py").write_text(INT8, encoding="utf-8")
    git(tmp_path, "add", "serve.py")
    (tmp_path / "serve.py").write_text(INT8 + "print(2)\n", encoding="utf-8")
    run_ecolint("check", ".", cwd=tmp_path)
    before = entries(tmp_path)
    document = same_as_uncached(tmp_path, "--staged")
    assert kinds(document)["added"] == {("ECO101", "serve.py")}
    after = entries(tmp_path)
    assert {name: after[name] for name in before} == before
    assert len(set(after) - set(before)) == 1, "only serve.py as the index holds it"
