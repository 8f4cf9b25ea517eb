"""ECO301 over every dependency-file format, positives and negatives alike. Each file carries
``# expect: ECO301`` on the lines that must be reported (where the format has comments); every
other line must stay silent."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import expectations, scan

CODE = "ECO301"


def _run(root: Path, code: str = CODE) -> set[tuple[str, int]]:
    result = scan([root])
    assert not result.internal_errors
    return {
        (Path(f.path).resolve().relative_to(root.resolve()).as_posix(), f.line)
        for f in result.findings
        if f.code == code
    }


def _expected(root: Path, code: str = CODE) -> set[tuple[str, int]]:
    return {
        (path.relative_to(root).as_posix(), line)
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.suffix != ".ipynb"
        for line, expected in expectations(path)
        if expected == code
    }


def _messages(root: Path, code: str = CODE) -> list[str]:
    return [f.message for f in scan([root]).findings if f.code == code]


def test_requirements_with_includes_constraints_and_negatives(write) -> None:  # type: ignore[no-untyped-def]
    root = write(
        "requirements.txt",
        "--pre\n"
        "-r base.txt\n"
        "-r requirements/gpu.txt\n"
        "transformers==4.46.3  # nightly soon: a comment, not a build\n"
        "accelerate\n"
        "-r missing.txt\n",
    ).parent
    write(
        "base.txt",
        "torch>=2.5\nbitsandbytes==0.45.5\n-r requirements.txt\n",
    )
    write(
        "requirements/gpu.txt",
        "torchao==0.7.0.dev20241010  # expect: ECO301\ntorch==2.5.1+cu124\n",
    )
    write(
        "constraints.txt",
        "torch==2.6.0.dev20241112  # expect: ECO301\n"
        "transformers==4.47.0rc1\n"
        "vllm==0.6.3\n"
        "torch==2.6.0.dev20241112  # noqa: ECO301\n",
    )
    assert _run(root) == _expected(root)
    messages = _messages(root)
    assert not any("--pre" in m for m in messages)  # release candidates at most, not nightlies
    assert any("dev release 0.7.0.dev20241010" in m for m in messages)


def test_nightly_index_url_and_git_installs(write) -> None:  # type: ignore[no-untyped-def]
    root = write(
        "requirements-dev.txt",
        "--extra-index-url https://download.pytorch.org/whl/nightly/cu124\n"
        "torch  # expect: ECO301\n"
        "transformers>=4.46\n"
        "torch==2.5.1\n"
        "git+https://github.com/huggingface/transformers  # expect: ECO301\n"
        "accelerate @ git+https://github.com/huggingface/accelerate@main  # expect: ECO301\n"
        "-e git+https://github.com/pytorch/ao.git#egg=torchao  # expect: ECO301\n"
        "https://download.pytorch.org/whl/cu124/torch-2.5.1%2Bcu124-cp311-cp311-linux_x86_64.whl\n",
    ).parent
    assert _run(root) == _expected(root)


def test_pyproject_pep621_and_dependency_groups(write) -> None:  # type: ignore[no-untyped-def]
    root = write(
        "pyproject.toml",
        "[project]\n"
        'name = "app"\n'
        "dependencies = [\n"
        '  "torch==2.6.0.dev20241112",  # expect: ECO301\n'
        '  "torch==2.5.1+cu124",\n'
        '  "transformers==4.47.0rc1",\n'
        "]\n"
        'description = """\n'
        "torch==2.6.0.dev20241112 in a description is not a dependency\n"
        '"""\n'
        "\n"
        "[project.optional-dependencies]\n"
        'gpu = ["transformers @ git+https://github.com/huggingface/transformers"]'
        "  # expect: ECO301\n"
        'cpu = ["torch==2.6.0.dev20241112"]  # expect: ECO301\n'
        "\n"
        "[dependency-groups]\n"
        'dev = ["bitsandbytes>=0.45", {include-group = "lint"}]\n'
        'lint = ["ruff"]\n',
    ).parent
    assert _run(root) == _expected(root)


def test_pyproject_poetry(write) -> None:  # type: ignore[no-untyped-def]
    root = write(
        "pyproject.toml",
        "[tool.poetry.dependencies]\n"
        'python = "^3.10"\n'
        'torch = { version = ">=2.5", allow-prereleases = true }\n'
        'transformers = { git = "https://github.com/huggingface/transformers.git" }'
        "  # expect: ECO301\n"
        'bitsandbytes = "^0.45"\n'
        'torchao = { version = "*", source = "torch-nightly" }  # expect: ECO301\n'
        'accelerate = { version = "1.0.1", allow-prereleases = true }\n'
        "\n"
        "[tool.poetry.group.dev.dependencies]\n"
        'vllm = "0.6.4.dev20241101"  # expect: ECO301\n'
        "\n"
        "[[tool.poetry.source]]\n"
        'name = "torch-nightly"\n'
        'url = "https://download.pytorch.org/whl/nightly/cu124"\n'
        'priority = "explicit"\n',
    ).parent
    assert _run(root) == _expected(root)


def test_pdm_allow_prereleases_alone_is_not_a_nightly(write) -> None:  # type: ignore[no-untyped-def]
    root = write(
        "pyproject.toml",
        "[project]\n"
        "dependencies = [\n"
        '  "torch>=2.5",\n'
        '  "transformers==4.46.3",\n'
        "]\n"
        "\n"
        "[tool.pdm.resolution]\n"
        "allow-prereleases = true\n"
        "\n"
        "[tool.pdm.dev-dependencies]\n"
        'test = ["accelerate", "pytest"]\n',
    ).parent
    assert _run(root) == _expected(root)


def test_pyproject_uv_sources_index_and_prerelease(write) -> None:  # type: ignore[no-untyped-def]
    root = write(
        "a/pyproject.toml",
        "[project]\n"
        "dependencies = [\n"
        '  "torch",  # expect: ECO301\n'
        '  "transformers",  # expect: ECO301\n'
        '  "bitsandbytes==0.45.5",\n'
        '  "accelerate",\n'
        "]\n"
        "\n"
        "[tool.uv.sources]\n"
        'transformers = { git = "https://github.com/huggingface/transformers", branch = "main" }\n'
        'torch = { index = "pytorch-nightly" }\n'
        "\n"
        "[[tool.uv.index]]\n"
        'name = "pytorch-nightly"\n'
        'url = "https://download.pytorch.org/whl/nightly/cu124"\n'
        "explicit = true\n",
    ).parent.parent
    write(
        "b/pyproject.toml",
        "[project]\n"
        'dependencies = ["vllm>=0.6", "torch==2.5.1"]\n'
        "[tool.uv]\n"
        'prerelease = "allow"\n',
    )
    assert _run(root) == _expected(root)
    assert any(
        "uv source git+https://github.com/huggingface/transformers" in m for m in _messages(root)
    )


def test_setup_py_resolves_install_requires(write) -> None:  # type: ignore[no-untyped-def]
    root = write(
        "setup.py",
        "from setuptools import find_packages, setup\n"
        "\n"
        "BASE = ['transformers==4.46.3', 'bitsandbytes>=0.45']\n"
        "NIGHTLY = 'torch==2.6.0.dev20241112'  # expect: ECO301\n"
        "EXTRAS = {'serve': ['vllm @ git+https://github.com/vllm-project/vllm']}"
        "  # expect: ECO301\n"
        "\n"
        "setup(\n"
        "    name='app',\n"
        "    packages=find_packages(),\n"
        "    install_requires=BASE + [NIGHTLY, 'accelerate>=1.0'],\n"
        "    extras_require=EXTRAS,\n"
        ")\n"
        "# setup(install_requires=['torch==2.6.0.dev1']) in a comment is not a call\n",
    ).parent
    write(
        "other/setup.py",
        "def setup(**kwargs):\n"
        "    return kwargs\n"
        "setup(install_requires=['torch==2.6.0.dev20241112'])\n",
    )
    assert _run(root) == _expected(root)


def test_setup_cfg(write) -> None:  # type: ignore[no-untyped-def]
    root = write(
        "setup.cfg",
        "[metadata]\n"
        "name = app\n"
        "description = torch==2.6.0.dev20241112 is not read from metadata\n"
        "\n"
        "[options]\n"
        "install_requires =\n"
        "    torch==2.6.0.dev20241112\n"
        "    transformers==4.46.3\n"
        "setup_requires = torch==2.7.0.dev20250101\n"
        "\n"
        "[options.extras_require]\n"
        "src =\n"
        "    transformers @ git+https://github.com/huggingface/transformers\n"
        "stable = bitsandbytes>=0.45\n",
    ).parent
    assert _run(root) == {("setup.cfg", 7), ("setup.cfg", 9), ("setup.cfg", 13)}


def test_conda_environment(write) -> None:  # type: ignore[no-untyped-def]
    root = write(
        "environment.yml",
        "name: llm\n"
        "channels:\n"
        "  - pytorch-nightly\n"
        "  - conda-forge\n"
        "dependencies:\n"
        "  - python=3.11\n"
        "  - pytorch  # expect: ECO301\n"
        "  - pytorch=2.5.1\n"
        "  - conda-forge::transformers\n"
        "  - pip\n"
        "  - pip:\n"
        "      - --extra-index-url https://download.pytorch.org/whl/nightly/cu124\n"
        "      - torchao  # expect: ECO301\n"
        "      - bitsandbytes==0.45.5\n"
        "      - 'accelerate==1.1.0.dev0'  # expect: ECO301\n",
    ).parent
    write(
        "stable/environment.yaml",
        "channels: [pytorch, nvidia]\n"
        "dependencies:\n"
        "  - pytorch  # a nightly build would need the pytorch-nightly channel\n"
        "  - pytorch-nightly::torchaudio\n"
        "  - pip: ['transformers==4.46.3']\n",
    )
    assert _run(root) == _expected(root)


def _notebook(cells: list[str]) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}
                for source in cells
            ],
            "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def test_notebook_pip_lines(write) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "setup.ipynb",
        _notebook(
            [
                "import os\n!pip install -q --pre torch --index-url https://download.pytorch.org/whl/nightly/cu124",
                "%pip install transformers==4.46.3 bitsandbytes==0.45.5\n"
                "%pip install git+https://github.com/huggingface/transformers",
                "%%bash\npip install \\\n  torchao==0.7.0.dev20241010",
                "!pip install torch==2.5.1+cu124  # nightly later\n"
                "!pip install --pre vllm\n"
                "%matplotlib inline\n"
                "print('pip install --pre torch')",
            ]
        ),
    )
    result = scan([path])
    assert not result.internal_errors
    found = {(f.cell, f.cell_line) for f in result.findings if f.code == CODE}
    assert found == {(0, 2), (1, 2), (2, 3)}
    torch = next(f for f in result.findings if f.cell == 0)
    raw = path.read_text(encoding="utf-8").splitlines()[torch.line - 1]
    assert raw[torch.column - 1 :].startswith("torch --index-url")
    assert "nightly index https://download.pytorch.org/whl/nightly/cu124 in the same command" in (
        torch.message
    )


def test_subprocess_and_os_system(write) -> None:  # type: ignore[no-untyped-def]
    root = write(
        "install.py",
        "import os\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        "NIGHTLY = 'https://download.pytorch.org/whl/nightly/cu124'\n"
        "PACKAGES = ['torch', 'torchao']  # expect: ECO301\n"
        "\n"
        "ARGS = [sys.executable, '-m', 'pip', 'install', '--pre', *PACKAGES]\n"
        "subprocess.check_call(ARGS + ['--index-url', NIGHTLY])\n"
        "subprocess.run('pip install transformers==4.47.0.dev0 && echo ok', shell=True)"
        "  # expect: ECO301\n"
        "os.system('python -m pip install -U bitsandbytes==0.45.5 accelerate==1.0.1')\n"
        "os.system('conda install -y -c pytorch-nightly pytorch')  # expect: ECO301\n"
        "subprocess.run(['pip', 'download', '--pre', 'torch'])\n"
        "subprocess.run(['echo', 'pip install --pre torch'])\n"
        "if False:\n"
        "    os.system('pip install torch==2.6.0.dev20241112')\n",
    ).parent
    assert _run(root) == _expected(root)


def test_evidence_cites_the_nightly_rows_without_a_figure(write) -> None:  # type: ignore[no-untyped-def]
    root = write("requirements.txt", "torch==2.6.0.dev20241112\n").parent
    [finding] = scan([root]).findings
    evidence = finding.evidence
    assert evidence["confidence"] == "★☆☆" and evidence["delta_pct"] is None
    assert evidence["rows"] and all(".dev" in row["stack"] for row in evidence["rows"])
    assert all(row["energy_j_per_1k_tok"] is None for row in evidence["rows"])
    assert any("not measured" in note for note in evidence["notes"])
    assert finding.fix and finding.fix["summary"]


def test_a_line_span_locates_in_plain_modules_too(write) -> None:  # type: ignore[no-untyped-def]
    from ecolint.analysis.project import Project
    from ecolint.analysis.values import LineSpan
    from ecolint.findings.locations import locate

    path = write("m.py", "x = 1\ny = 2  # noqa: ECO301\n")
    module = Project([path]).load(path)
    place = locate(LineSpan(module, 2, 4, 5, "y = 2  # noqa: ECO301"))
    assert (place.line, place.column, place.end_column, place.cell) == (2, 5, 6, None)
    assert place.suppressed("ECO301") and not place.suppressed("ECO101")
