"""Each scanned file is read once per run: the plan reads it and hands its bytes on to the
cache key, the prefilter and the analysis (a module another one imports included). Reads are
counted where every read of a scanned file starts (``safe_read._open_regular``), in the real
command and in its forked workers alike (they append to one log)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

APP = """\
from transformers import AutoModelForCausalLM, BitsAndBytesConfig
from settings import THRESHOLD

cfg = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=THRESHOLD)
model = AutoModelForCausalLM.from_pretrained(
    "mistralai/Mistral-7B-Instruct-v0.3", quantization_config=cfg
)
"""
CELL = (
    "from transformers import BitsAndBytesConfig\n"
    "cfg = BitsAndBytesConfig(load_in_4bit=True)\n"
    "serve(cfg)\n"
)
PROBE = """
import sys
from pathlib import Path
import ecolint.sources.safe_read as safe_read

opened = safe_read._open_regular

def counted(path):
    with open(sys.argv[1], "a", encoding="utf-8") as log:
        log.write(f"{Path(path).resolve()}\\n")
    return opened(path)

safe_read._open_regular = counted
from ecolint.cli import main
try:
    main(["check", ".", "--format", "json"])
except SystemExit:
    pass
"""


def _tree(folder: Path) -> list[Path]:
    notebook = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": CELL}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    files = {
        "app.py": APP,
        "settings.py": "THRESHOLD = 6.0\n",  # no trigger word: read for app.py's import only
        "explore.ipynb": json.dumps(notebook),
        "requirements.txt": "torch==2.5.1\nbitsandbytes==0.45.5\n",
        "train.yaml": "base_model: mistralai/Mistral-7B-Instruct-v0.3\nload_in_8bit: true\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [(folder / name).resolve() for name in files]


def _reads(folder: Path, log: Path) -> tuple[Counter[Path], str]:
    log.write_text("", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(log)],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return Counter(Path(line) for line in log.read_text(encoding="utf-8").splitlines()), done.stdout


def test_each_file_is_read_once_cold_and_at_most_once_warm(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    scanned = _tree(folder)
    log = tmp_path / "reads.log"
    cold, output = _reads(folder, log)
    found = {finding["path"] for finding in json.loads(output)["findings"]}
    assert found == {"app.py", "explore.ipynb", "requirements.txt", "train.yaml"}
    assert {path: cold[path] for path in scanned} == dict.fromkeys(scanned, 1)
    warm, again = _reads(folder, log)
    assert again == output
    assert all(warm[path] <= 1 for path in scanned), warm
