"""Requirement files go by many names: ``dev-requirements.txt``, ``requirements/*.txt``,
pip-tools inputs (``requirements.in``, ``dev.in`` beside the ``dev.txt`` compiled from it), and
any file a found one includes with ``-r``/``-c``; ``MANIFEST.in`` is not one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_ecolint

GIT = "git+https://github.com/{name}"
# Each package's own repository: a git install of a fork is not a nightly (ECO301).
UPSTREAM = {
    "torch": "pytorch/pytorch",
    "transformers": "huggingface/transformers",
    "accelerate": "huggingface/accelerate",
    "vllm": "vllm-project/vllm",
    "bitsandbytes": "bitsandbytes-foundation/bitsandbytes",
}


@pytest.mark.slow
def test_requirement_files_are_found_by_every_usual_name(tmp_path: Path) -> None:
    files = {
        "dev-requirements.txt": "torch",
        "requirements-test.in": "transformers",
        "requirements/serve.in": "accelerate",
        "tools/dev.in": "vllm",
        "deps/base.txt": "transformers",
        "docs/constraints_docs.txt": "bitsandbytes",
    }
    for relative, package in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{package} @ {GIT.format(name=UPSTREAM[package])}\n", encoding="utf-8")
    (tmp_path / "tools" / "dev.txt").write_text("# compiled by pip-compile\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("-r deps/base.txt\n", encoding="utf-8")
    (tmp_path / "MANIFEST.in").write_text("include README.md\n", encoding="utf-8")
    (tmp_path / "notes.in").write_text(f"torch @ {GIT.format(name=UPSTREAM['torch'])}\n")
    result = run_ecolint("check", "--select", "ECO301", "--format", "json", ".", cwd=tmp_path)
    findings = json.loads(result.stdout)["findings"]
    assert {finding["path"] for finding in findings} == set(files)
