"""A run walks its tree once: grouping the files by the configuration that governs them and
planning the run (bytes, digests, prefilter) share one discovery when one configuration
governs the whole tree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ECO101_SCRIPT

from ecolint.cli import main
from ecolint.sources import discovery


def test_a_one_configuration_run_walks_its_tree_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "serve.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    walked: list[Path] = []
    original = discovery._walk

    def counting(path: Path, *args: Any) -> Iterator[Any]:
        walked.append(path)
        return original(path, *args)

    monkeypatch.setattr(discovery, "_walk", counting)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--no-cache", "--exit-zero", "pkg"])
    assert result.exit_code == 0, result.output
    assert "ECO101" in result.output
    assert len(walked) == 1
