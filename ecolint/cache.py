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
from typing import Any

from ecolint import __version__
from ecolint.config import Settings
from ecolint.resources import rules_dir
from ecolint.results import RunResult
from ecolint.sources.discovery import discover
from ecolint.sources.safe_read import (
    NOTEBOOK_MAX_BYTES,
    FileTooLarge,
    NotRegularFile,
    read_bytes,
    source_cap,
)

CACHE_DIR = ".ecolint_cache"
KEEP = 8


def cache_dir(settings: Settings) -> Path:
    """Beside the configuration file, else in the working folder (as ruff keeps its cache)."""
    base = settings.source.parent if settings.source is not None else Path.cwd()
    return base / CACHE_DIR


def settings_key(settings: Settings, options: dict[str, object]) -> str:
    """Everything besides the scanned files that a result depends on."""
    from ecolint.evidence.dataset import data_version

    effective = {key: value for key, value in asdict(settings).items() if key != "source"}
    header = {
        "version": __version__,
        "code": _installation(),
        "data": data_version(),
        "options": options,
    }
    text = json.dumps([header, effective], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def run_key(paths: list[Path], settings: Settings, salt: str) -> str | None:
    """None when the run cannot be keyed (a path or file that cannot be read: the engine
    reports those, and such a run is not cached). ``salt``: the ``settings_key``."""
    discovery = discover(paths, settings.exclude, settings.root)
    if discovery.problems:
        return None
    digest = hashlib.sha256(salt.encode())
    for source in discovery.files:
        try:
            data = read_bytes(source.path, source_cap(source.kind, settings.max_file_size))
        except (FileTooLarge, NotRegularFile) as error:
            data = f"\0not read\0{error}".encode()  # its result (ECO001) depends on this alone
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


def _ignore(folder: Path) -> None:
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Created by ecolint: the whole folder is a cache.\n*\n")


def _store(folder: Path, entry: Path, result: RunResult) -> None:
    """Best effort: a read-only checkout runs uncached."""
    try:
        folder.mkdir(exist_ok=True)
        _ignore(folder)
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


class FileCache:
    """What analysing one file produced, for the next run: kept while the file, every file its
    analysis read (the modules it imports, through any depth), the list of files of the run
    and everything ``settings_key`` covers are unchanged. This is what a commit that touches
    a few files re-analyses: those files and the files that import them."""

    def __init__(self, folder: Path, salt: str, files: list[Path]) -> None:
        self.folder = folder / "files"
        listing = "\0".join(sorted(str(path.resolve()) for path in files))
        self.salt = hashlib.sha256(f"{salt}\0{listing}".encode()).hexdigest()
        self._digests: dict[Path, str | None] = {}

    def digest(self, path: Path, data: bytes | None = None) -> str | None:
        key = path.resolve()
        if key not in self._digests:
            if data is None:
                try:
                    data = read_bytes(key, NOTEBOOK_MAX_BYTES)
                except OSError:
                    data = None
            self._digests[key] = hashlib.sha256(data).hexdigest() if data is not None else None
        return self._digests[key]

    def _entry(self, path: Path) -> Path:
        name = hashlib.sha256(f"{self.salt}\0{path.resolve()}".encode()).hexdigest()
        return self.folder / f"{name}.pickle"

    def get(self, path: Path, data: bytes) -> Any:
        try:
            with self._entry(path).open("rb") as handle:
                digest, dependencies, piece = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        except (TypeError, ValueError):
            return None
        if digest != self.digest(path, data):
            return None
        if any(self.digest(other) != known for other, known in dependencies.items()):
            return None
        return piece

    def put(self, path: Path, data: bytes, read: set[Path], piece: object) -> None:
        dependencies = {other: self.digest(other) for other in read if other != path.resolve()}
        try:
            self.folder.parent.mkdir(exist_ok=True)
            _ignore(self.folder.parent)
            self.folder.mkdir(exist_ok=True)
            entry = self._entry(path)
            partial = entry.with_name(f"{entry.stem}.{os.getpid()}.tmp")
            record = (self.digest(path, data), dependencies, piece)
            partial.write_bytes(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
            partial.replace(entry)
        except OSError:
            pass
