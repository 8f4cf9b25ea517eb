"""The wheel carries rules/ and data/: install it into a fresh venv and run it elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_pip_install_into_fresh_venv_and_run_from_another_directory(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    ecolint = env_dir / "bin" / "ecolint"
    version = subprocess.run(
        [str(ecolint), "--version"], cwd=elsewhere, capture_output=True, text=True, env=environment
    )
    assert version.returncode == 0 and "(data ecocompute-" in version.stdout
    report = subprocess.run(
        [str(ecolint), "check", str(ROOT / "examples"), "--format", "json"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=environment,
    )
    assert report.returncode == 1, report.stderr
    findings = json.loads(report.stdout)["findings"]
    codes = {finding["code"] for finding in findings}
    assert codes >= {"ECO101", "ECO102", "ECO103", "ECO202", "ECO301", "ECO302", "ECO401"}
    for finding in findings:
        evidence = finding["evidence"]
        assert evidence["confidence"] in ("★★★", "★★☆", "★☆☆")
        if evidence["rows"]:
            assert evidence["rows"][0]["source"]
        else:
            assert evidence["delta_pct"] is None
    advisor = subprocess.run(
        [
            str(ecolint),
            "compare",
            "--model",
            "Qwen/Qwen2-7B",
            "--gpu",
            "rtx5090",
            "--lang",
            "zh",
            "--requests-per-day",
            "1000",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=environment,
    )
    assert advisor.returncode == 0, advisor.stderr
    assert "数据的边界" in advisor.stdout and "$" in advisor.stdout
    location = subprocess.run(
        [str(python), "-c", "import ecolint.resources as r; print(r.rules_dir(), r.data_dir())"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=environment,
    )
    assert "site-packages/ecolint/rules" in location.stdout
    assert "site-packages/ecolint/data" in location.stdout
    assert sys.version_info >= (3, 10)
