"""A run's result, remembered until anything it depends on changes.

The key covers every file the run discovers (path, kind and a hash of its bytes), the
effective configuration, ecolint's version and the data version. Values flow between files
(imports, dependency pins, findings reported where a value is defined), so the whole result is
one entry: changing any scanned file, the configuration or ecolint re-analyses the run, which
the staged prefilter keeps cheap for files without trigger words. Entries live in
``.ecolint_cache/`` beside the configuration file or in the working folder (git-ignored by its
own ``.gitignore``); only the newest few are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from ecolint import __version__
from ecolint.config import Settings
from ecolint.resources import rules_dir
from ecolint.results import RunResult
from ecolint.sources.discovery import discover

CACHE_DIR = ".ecolint_cache"
KEEP = 8


def cache_dir(settings: Settings) -> Path:
    """Beside the configuration file, else in the working folder (as ruff keeps its cache)."""
    base = settings.source.parent if settings.source is not None else Path.cwd()
    return base / CACHE_DIR


def run_key(paths: list[Path], settings: Settings, options: dict[str, object]) -> str | None:
    """None when the run cannot be keyed (a path or file that cannot be read: the engine
    reports those, and such a run is not cached)."""
    from ecolint.evidence.dataset import data_version

    discovery = discover(paths, settings.exclude, settings.root)
    if discovery.problems:
        return None
    digest = hashlib.sha256()
    effective = {key: value for key, value in asdict(settings).items() if key != "source"}
    header = {
        "version": __version__,
        "code": _installation(),
        "data": data_version(),
        "options": options,
    }
    digest.update(json.dumps([header, effective], sort_keys=True, default=str).encode())
    for source in discovery.files:
        try:
            data = source.path.read_bytes()
        except OSError:
            return None
        entry = f"\0{source.path.resolve()}\0{source.display}\0{source.kind}\0"
        digest.update(entry.encode("utf-8", "surrogatepass"))
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def _installation() -> str:
    """ecolint's own files as installed (sizes and times): an edited checkout, a reinstall or
    new rules invalidate the cache even when the version number stays."""
    package = Path(__file__).resolve().parent
    folders = [package, rules_dir()]
    stamp = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".yaml", ".csv", ".json"):
                info = path.stat()
                stamp.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return stamp.hexdigest()


def cached_run(key: str | None, settings: Settings, compute: Callable[[], RunResult]) -> RunResult:
    if key is None:
        return compute()
    folder = cache_dir(settings)
    entry = folder / f"{key}.pickle"
    try:
        with entry.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, RunResult):
            os.utime(entry)
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass
    result = compute()
    if not result.internal_errors:
        _store(folder, entry, result)
    return result


def _store(folder: Path, entry: Path, result: RunResult) -> None:
    """Best effort: a read-only checkout runs uncached."""
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by ecolint: the whole folder is a cache.\n*\n")
        partial = entry.with_suffix(".tmp")
        partial.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(entry)
        entries = sorted(folder.glob("*.pickle"), key=lambda path: path.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def clean(settings: Settings) -> bool:
    folder = cache_dir(settings)
    if not folder.is_dir():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True
