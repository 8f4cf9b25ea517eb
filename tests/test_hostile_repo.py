"""A repository built to hang, exhaust or crash ecolint: every run ends in bounded time and
memory, each hostile file is named with the reason it was not analysed, every other file's
findings are intact, and nothing outside the tree is touched."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ECO101_CELLS, ECO101_SCRIPT, run_ecolint

from ecolint.flake8_plugin import EcolintChecker

TRIGGER = "import torch\nload_in_8bit = True\n"
BOMB = (  # "billion laughs": nine lines that stand for 9**9 strings
    "base_model: meta-llama/Llama-2-7b-hf\nload_in_8bit: true\n"
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    + "".join(
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
)
RECURSIVE_ENV = "name: x\nbase: &a {b: *a}\ndependencies:\n  - torch\n"
MEASURE = (  # runs the command and prints the peak RSS of its process tree, in KiB
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(done.returncode)"
)


def _findings(out: subprocess.CompletedProcess[str]) -> dict[str, list[tuple[int, str, str]]]:
    assert out.returncode in (0, 1), out.stderr
    by_file: dict[str, list[tuple[int, str, str]]] = {}
    for finding in json.loads(out.stdout)["findings"]:
        entry = (finding["line"], finding["code"], finding["message"])
        by_file.setdefault(finding["path"], []).append(entry)
    return by_file


def _normal_files(tree: Path, count: int) -> None:
    for number in range(count):
        (tree / f"app_{number:02}.py").write_text(ECO101_SCRIPT, encoding="utf-8")


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _notebook(path: Path, output_bytes: int) -> None:
    """A notebook whose one code cell has an ECO101 finding, followed by many logged lines."""
    line = "step 000000 loss 0.123456 lr 0.000100 tokens/s 1234.5\n"
    lines = [line] * (output_bytes // len(line) // 100)
    cells = [
        {
            "cell_type": "code",
            "execution_count": number,
            "metadata": {},
            "source": ECO101_CELLS.splitlines(keepends=True) if number == 0 else ["x = 1\n"],
            "outputs": [{"output_type": "stream", "name": "stdout", "text": lines}],
        }
        for number in range(100)
    ]
    document = {
        "cells": cells,
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(document), encoding="utf-8")


def test_fifos_devices_and_sockets_are_not_read(tmp_path: Path) -> None:
    """A FIFO hung the run, a link to /dev/zero ate memory until MemoryError."""
    _normal_files(tmp_path, 1)
    os.mkfifo(tmp_path / "x.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "requirements.txt").symlink_to("/dev/urandom")
    started = time.monotonic()
    out = run_ecolint("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert time.monotonic() - started < 60
    found = _findings(out)
    assert found["app_00.py"] == [(2, "ECO101", found["app_00.py"][0][2])]
    assert "FIFO" in found["x.py"][0][2] and found["x.py"][0][1] == "ECO001"
    assert "character device" in found["zero.py"][0][2]
    assert "character device" in found["requirements.txt"][0][2]
    named = run_ecolint("check", "--no-cache", "x.py", cwd=tmp_path)
    assert named.returncode == 2 and "not a regular file" in named.stderr


def test_a_file_over_the_cap_is_not_read(tmp_path: Path) -> None:
    """The cap applies before reading: a sparse 64 GiB file costs nothing."""
    with open(tmp_path / "huge.py", "wb") as handle:
        handle.truncate(64 * 1024**3)
    _normal_files(tmp_path, 1)
    out = run_ecolint("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    found = _findings(out)
    assert "65536.0 MiB, over the 5 MiB limit" in found["huge.py"][0][2]
    assert found["app_00.py"][0][1] == "ECO101"


def test_yaml_recursive_aliases_and_alias_bombs_are_refused(tmp_path: Path) -> None:
    (tmp_path / "axolotl.yml").write_text(BOMB, encoding="utf-8")
    (tmp_path / "environment.yml").write_text(RECURSIVE_ENV, encoding="utf-8")
    (tmp_path / "train.yaml").write_text(
        "base_model: meta-llama/Llama-2-7b-hf\nload_in_8bit: true\nx: &x {b: *x}\n",
        encoding="utf-8",
    )
    (tmp_path / "shared.yaml").write_text(
        "defaults: &defaults {lr: 0.001}\nrun:\n  <<: *defaults\n  load_in_8bit: true\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    found = _findings(run_ecolint("check", "--no-cache", "--format", "json", ".", cwd=tmp_path))
    assert time.monotonic() - started < 60
    assert "alias bomb" in found["axolotl.yml"][0][2]
    assert "recursive alias" in found["environment.yml"][0][2]
    assert "recursive alias" in found["train.yaml"][0][2]
    assert [code for _, code, _ in found["shared.yaml"]] == ["ECO101"]  # ordinary aliases


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("brackets.py", TRIGGER + "x = " + "[" * 100_000 + "\n", "too many nested parentheses"),
        ("calls.py", TRIGGER + "x = " + "f(" * 3000 + ")" * 3000 + "\n", "too many nested"),
        ("chain.py", TRIGGER + "x = " + " + ".join(['"a"'] * 1500) + "\n", "1,000 levels"),
        (
            "literal.py",
            TRIGGER + "x = [" + ", ".join(str(n % 1000) for n in range(60_000)) + "]\n",
            "50,000 syntax nodes",
        ),
    ],
)
def test_what_libcst_cannot_survive_never_reaches_it(
    tmp_path: Path, name: str, text: str, reason: str
) -> None:
    """libcst segfaulted on the brackets, aborted on the calls and took minutes on a large
    literal; CPython's parser and the guard's limits answer first."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    _normal_files(tmp_path, 1)
    found = _findings(run_ecolint("check", "--no-cache", "--format", "json", ".", cwd=tmp_path))
    assert found[name][0][1] == "ECO001" and reason in found[name][0][2]
    assert found["app_00.py"][0][1] == "ECO101"
    EcolintChecker.parse_options(argparse.Namespace(filenames=[str(tmp_path)], ecolint_gpu=None))
    started = time.monotonic()
    (message,) = EcolintChecker(None, str(tmp_path / name), text.splitlines(True)).run()
    assert time.monotonic() - started < 30 and reason in message[2]


def test_flake8_plugin_beside_a_fifo_returns(tmp_path: Path) -> None:
    """The plugin reads the modules beside the file it checks: a FIFO there hung flake8."""
    _normal_files(tmp_path, 1)
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    out = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "ECO", "app_00.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "ECO101" in out.stdout, out.stderr


@pytest.mark.parametrize(
    "value", ["Infinity", "NaN", "-Infinity", "1e400", "99999999999999999999999", '"4096"', "[1]"]
)
def test_nonsense_sizes_in_a_local_config_json_are_unknown(tmp_path: Path, value: str) -> None:
    model = tmp_path / "mymodel"
    model.mkdir()
    (model / "config.json").write_text(
        f'{{"hidden_size": {value}, "num_hidden_layers": 32, "vocab_size": 32000,'
        ' "num_attention_heads": 32}',
        encoding="utf-8",
    )
    (tmp_path / "app.py").write_text(
        "from transformers import AutoModelForCausalLM\n"
        'm = AutoModelForCausalLM.from_pretrained("mymodel", load_in_8bit=True)\n',
        encoding="utf-8",
    )
    check = run_ecolint("check", "--no-cache", ".", cwd=tmp_path)
    assert check.returncode == 1 and "internal error" not in check.stderr
    advise = run_ecolint("advise", "--model", "./mymodel", cwd=tmp_path)
    assert advise.returncode == 2 and "Traceback" not in advise.stderr
    assert "cannot tell the size of model" in advise.stderr


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_worker_that_dies_costs_one_file(tmp_path: Path, jobs: str) -> None:
    """A file under the guard's limits whose analysis needs more than the worker's memory
    budget (``ast``'s tree of 360,000 list items takes about 400 MiB) costs that file, whether
    the parse runs out of memory or the worker dies of it; with --jobs 2 a dead worker used to
    hang the run forever."""
    _normal_files(tmp_path, 12)
    literal = "x = [" + ", ".join(str(n % 1000) for n in range(45_000)) + "]\n"
    (tmp_path / "app_05_heavy.py").write_text(TRIGGER + literal * 8, encoding="utf-8")
    args = ("check", "--no-cache", "--format", "json", "--jobs", jobs, ".")
    out = run_ecolint(*args, cwd=tmp_path, env={"ECOLINT_FILE_MEMORY": "300"})
    found = _findings(out)
    (heavy,) = found.pop("app_05_heavy.py")
    assert heavy[1] == "ECO001" and "ran out of memory" in heavy[2]
    assert sorted(found) == [f"app_{n:02}.py" for n in range(12)]
    assert all([code for _, code, _ in entries] == ["ECO101"] for entries in found.values())


@pytest.mark.slow
def test_a_file_over_the_time_budget_costs_one_file(tmp_path: Path) -> None:
    """900,000 list items in 4 MiB: parsing, guarding and indexing them takes seconds."""
    _normal_files(tmp_path, 3)
    literal = "x = [" + ", ".join(str(n % 1000) for n in range(45_000)) + "]\n"
    (tmp_path / "app_01_slow.py").write_text(TRIGGER + literal * 20, encoding="utf-8")
    env = {"ECOLINT_FILE_TIMEOUT": "1", "ECOLINT_FILE_MEMORY": "8192"}
    found = _findings(
        run_ecolint("check", "--no-cache", "--format", "json", ".", cwd=tmp_path, env=env)
    )
    assert "longer than 1 s" in found.pop("app_01_slow.py")[0][2]
    assert sorted(found) == ["app_00.py", "app_01.py", "app_02.py"]


@pytest.mark.slow
def test_hostile_repository(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (outside / "config.yaml").write_text("load_in_8bit: true\n", encoding="utf-8")
    tree = tmp_path / "repo"
    tree.mkdir()
    _normal_files(tree, 10)
    (tree / "link_out.py").symlink_to(outside / "victim.py")
    (tree / "linked_dir").symlink_to(outside, target_is_directory=True)
    (tree / "zero.py").symlink_to("/dev/zero")
    os.mkfifo(tree / "x.py")
    (tree / "axolotl.yml").write_text(BOMB, encoding="utf-8")
    (tree / "environment.yml").write_text(RECURSIVE_ENV, encoding="utf-8")
    (tree / "brackets.py").write_text(TRIGGER + "[" * 100_000 + "\n", encoding="utf-8")
    (tree / "calls.py").write_text(TRIGGER + "f(" * 3000 + ")" * 3000 + "\n", encoding="utf-8")
    big_literal = "x = [" + ", ".join(str(n % 1000) for n in range(200_000)) + "]\n"
    (tree / "literal.py").write_text(TRIGGER + big_literal, encoding="utf-8")
    _notebook(tree / "training.ipynb", 60_000_000)
    heavy = "x = [" + ", ".join(str(n % 1000) for n in range(45_000)) + "]\n"
    (tree / "app_04_heavy.py").write_text(TRIGGER + heavy * 14, encoding="utf-8")
    before = _snapshot(outside)
    outputs = []
    for jobs in ("1", "2"):
        command = [sys.executable, "-m", "ecolint", "check", "--no-cache", "--format", "json"]
        started = time.monotonic()
        out = subprocess.run(
            [sys.executable, "-c", MEASURE, *command, "--jobs", jobs, "."],
            cwd=tree,
            capture_output=True,
            text=True,
            timeout=240,
            env={**os.environ, "ECOLINT_FILE_MEMORY": "500"},
        )
        elapsed = time.monotonic() - started
        peak_kib = int(out.stderr.strip().splitlines()[-1])
        assert elapsed < 180 and peak_kib < 1024 * 1024, (elapsed, peak_kib)
        found = _findings(out)
        for number in range(10):
            assert [code for _, code, _ in found[f"app_{number:02}.py"]] == ["ECO101"]
        assert [code for _, code, _ in found["link_out.py"]] == ["ECO101"]
        assert [code for _, code, _ in found["training.ipynb"]] == ["ECO101"]
        reasons = {
            "zero.py": "character device",
            "x.py": "FIFO",
            "axolotl.yml": "alias bomb",
            "environment.yml": "recursive alias",
            "brackets.py": "too many nested parentheses",
            "calls.py": "too many nested parentheses",
            "literal.py": "50,000 syntax nodes",
            "app_04_heavy.py": "ran out of memory",
        }
        for name, reason in reasons.items():
            assert found[name][0][1] == "ECO001" and reason in found[name][0][2], found[name]
        assert not any(name.startswith("linked_dir") for name in found)
        outputs.append(out.stdout)
    assert outputs[0] == outputs[1]
    assert _snapshot(outside) == before
    assert sorted(path.name for path in outside.iterdir()) == ["config.yaml", "victim.py"]


class _Exploit:
    """A committed cache entry that runs a command when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.slow
def test_hostile_repository_cannot_run_code_write_outside_or_inject(tmp_path: Path) -> None:
    """The same kind of tree, attacking through what ecolint reads back and writes: committed
    cache entries (a pickle that runs a command, a cache folder linked out of the tree), a file
    linked out of the tree that ``--fix`` and ``--add-noqa`` would rewrite, a report path linked
    out of the tree, and file names that carry GitHub workflow commands and terminal escapes."""
    import pickle

    outside = tmp_path / "outside"
    (outside / "cache").mkdir(parents=True)
    (outside / "victim.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (outside / "report.sarif").write_text("keep\n", encoding="utf-8")
    marker = tmp_path / "pwned"
    tree = tmp_path / "repo"
    tree.mkdir()
    _normal_files(tree, 4)
    (tree / "link_out.py").symlink_to(outside / "victim.py")
    (tree / "out.sarif").symlink_to(outside / "report.sarif")
    for name in (
        "x\n::error file=a.py::pwned.py",
        "y\x1b]0;title\x07\x1b[2J.py",
        "::add-mask::z.py",
    ):
        (tree / name).write_text(ECO101_SCRIPT, encoding="utf-8")
    cache = tree / ".ecolint_cache"
    (cache / "files").mkdir(parents=True)
    exploit = pickle.dumps(_Exploit(marker))
    (cache / "0123.pickle").write_bytes(exploit)
    (cache / "files" / "0123.pickle").write_bytes(exploit)
    (cache / "4567.json").write_text('{"__type__": "RunResult"}', encoding="utf-8")
    (tree / "nested").mkdir()
    (tree / "nested" / ".ecolint_cache").symlink_to(outside / "cache", target_is_directory=True)
    before = _snapshot(outside)

    runs = [
        run_ecolint("check", ".", cwd=tree),
        run_ecolint("check", ".", cwd=tree),  # warm: reads what the first run (and the repo) left
        run_ecolint("check", "--format", "github", ".", cwd=tree),
        run_ecolint("check", "--format", "sarif", "-o", "out.sarif", ".", cwd=tree),
        run_ecolint("check", "--add-noqa", ".", cwd=tree),
        run_ecolint("check", "--fix", "--unsafe-fixes", ".", cwd=tree),
    ]

    assert not marker.exists()
    assert _snapshot(outside) == before
    assert sorted(path.name for path in (outside / "cache").iterdir()) == []
    assert runs[0].stdout == runs[1].stdout and "ECO101" in runs[0].stdout
    for run in runs:
        for line in (run.stdout + run.stderr).splitlines():
            assert not line.startswith("::") or line.startswith(("::error ", "::warning ")), line
            assert "\x1b" not in line and "\x07" not in line, line
    annotations = [line for line in runs[2].stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 8  # 4 apps, link_out.py, 3 hostile names: none split or injected
    assert not any(line.startswith(("::error file=a.py", "::add-mask::")) for line in annotations)
    assert runs[3].returncode == 2 and "out.sarif" in runs[3].stderr
    fixed = (tree / "app_00.py").read_text(encoding="utf-8")
    assert "llm_int8_threshold=0.0" in fixed or "noqa: ECO101" in fixed
