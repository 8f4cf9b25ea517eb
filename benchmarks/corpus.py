"""The benchmark corpus: pinned releases of real LLM libraries, downloaded with pip (no install,
no dependencies) and unpacked once into a cache folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

CORPUS = ("transformers==4.46.3", "peft==0.13.2", "trl==0.12.1", "torchao==0.7.0")


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ecolint" / "benchmark-corpus"


def fetch(requirement: str, cache: Path) -> Path:
    """The unpacked release of ``name==version`` (its wheel, else its sdist), downloaded and
    unpacked once."""
    name, version = requirement.split("==")
    target = cache / f"{name}-{version}"
    if (target / ".unpacked").exists():
        return target
    downloads = cache / "downloads"
    found = _downloaded(downloads, name, version)
    if not found:
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
        subprocess.run([*pip, "--dest", str(downloads), requirement], check=True)
        found = _downloaded(downloads, name, version)
    archive = found[0]
    target.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            wheel.extractall(target)
    else:
        with tarfile.open(archive) as sdist:
            sdist.extractall(target, filter="data")
    (target / ".unpacked").touch()
    return target


def _downloaded(folder: Path, name: str, version: str) -> list[Path]:
    stems = {re.sub(r"[-_.]+", "_", name), name}
    return sorted(path for stem in stems for path in folder.glob(f"{stem}-{version}*"))


def size(tree: Path) -> tuple[int, int]:
    files = sorted(tree.rglob("*.py"))
    return len(files), sum(path.read_bytes().count(b"\n") for path in files)
