"""A run's result, remembered until anything it depends on changes.

The key covers every file the run discovers (path from the configuration's folder, display,
kind and a hash of its bytes), the effective configuration, ecolint's version and the data
version; not where the tree lives, so the same tree elsewhere (a commit ``ecolint diff`` writes
out) finds the entries of the working tree. Values flow between files
(imports, dependency pins, findings reported where a value is defined), so the whole result is
one entry: changing any scanned file, the configuration or ecolint re-analyses the run, which
the staged prefilter keeps cheap for files without trigger words. Entries live in
``.ecolint_cache/`` beside the configuration file or in the working folder (git-ignored by its
own ``.gitignore``); only the newest few are kept. The folder is inside the scanned tree, so
entries are checksummed JSON data rebuilt from an allow-list (``cache_codec``), and the folder
is never used through a symlink (``cache_folder``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecolint import __version__
from ecolint.cache_codec import (
    CodecError,
    decoded,
    dict_items,
    pack,
    stored_path,
    tuple_items,
    unpack,
    unpack_json,
)
from ecolint.cache_folder import Folder
from ecolint.config import Settings
from ecolint.resources import data_dir, rules_dir
from ecolint.results import RunResult
from ecolint.sources.discovery import relative_text
from ecolint.sources.safe_read import NOTEBOOK_MAX_BYTES, read_bytes

if TYPE_CHECKING:
    from ecolint.analysis.project import Reads

CACHE_DIR = ".ecolint_cache"
FILES_DIR = "files"
SUFFIX = ".json"
KEEP = 8  # results of whole runs
FILE_SETS = 4  # per-file entries: as many as this many runs of the current size ...
FILE_ENTRIES_MIN = 128  # ... and at least this many
MAX_BYTES = 256 * 1024 * 1024  # in each of the two folders
_OWN = (".py", ".yaml", ".csv", ".json")  # the files of ecolint whose change voids the cache


def cache_dir(settings: Settings) -> Path:
    """Beside the configuration file, else in the working folder (as ruff keeps its cache)."""
    base = settings.source.parent if settings.source is not None else Path.cwd()
    return base / CACHE_DIR


def settings_key(settings: Settings, options: dict[str, object]) -> str:
    """Everything besides the scanned files that a result depends on."""
    from ecolint.evidence.dataset import data_version

    effective = asdict(settings)
    del effective["source"], effective["root"]  # the keys name files from the root
    effective["baseline"] = _relative(settings.baseline, settings.root)
    header = {
        "version": __version__,
        "code": _installation(),
        "data": data_version(),
        "options": options,
    }
    text = json.dumps([header, effective], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _relative(path: Path | None, root: Path) -> str | None:
    """``path`` as seen from ``root``, so that the same tree in another folder has the same
    settings key."""
    if path is None:
        return None
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def tree_path(resolved: Path, home: Path) -> str:
    """How a key names a file (both paths resolved): from ``home`` when inside it, so the
    same tree in another folder has the same keys; a file elsewhere by where it is."""
    relative = relative_text(str(resolved), str(home))
    return str(resolved) if relative is None else relative


@cache
def _installation() -> str:
    """ecolint's own files as installed (sizes and times): an edited checkout, a reinstall,
    new rules or an edited model table invalidate the cache even when the version number and
    the measurements' data version stay."""
    package = Path(__file__).resolve().parent
    stamp = hashlib.sha256()
    for folder in dict.fromkeys((package, rules_dir(), data_dir())):
        found = []
        for current, dirs, names in os.walk(folder):  # not rglob: a third of the time
            dirs[:] = [name for name in dirs if name != "__pycache__"]
            found.extend(os.path.join(current, name) for name in names if name.endswith(_OWN))
        for path in sorted(found):
            info = os.stat(path)
            stamp.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return stamp.hexdigest()


def cached_run(
    key: str | None,
    settings: Settings,
    compute: Callable[[], RunResult],
    path: Path | None = None,
) -> RunResult:
    """The stored result for ``key``, else ``compute()`` stored, in the cache folder ``path``
    (by default the configuration's); a cache folder that is not a real folder of ours (a
    symlink, a file) is neither read nor written. Paths inside the configuration's folder are
    stored relative to it, as the key names them."""
    if key is None:
        return compute()
    home = settings.root.resolve()
    path = path or cache_dir(settings)
    folder = Folder.open(path, create=False)
    cached = _load(folder, key, home)
    if cached is not None:
        return cached
    result = compute()
    folder = folder or Folder.open(path, create=True)
    if folder is not None:
        if not result.internal_errors:
            _store(folder, key, result, home)
        _prune(folder, result.files_seen)
    return result


def _load(folder: Folder | None, key: str, home: Path) -> RunResult | None:
    data = folder.read(f"{key}{SUFFIX}") if folder is not None else None
    if data is None:
        return None
    try:
        record = unpack(data, home)
    except CodecError:
        return None
    if type(record) is tuple and len(record) == 2 and record[0] == key:
        result = record[1]
        return result if isinstance(result, RunResult) else None
    return None


def _store(folder: Folder, key: str, result: RunResult, home: Path) -> None:
    """Best effort: a read-only checkout runs uncached."""
    try:
        folder.ignore()
        folder.write(f"{key}{SUFFIX}", pack((key, result), home))
    except (OSError, CodecError):
        pass


def _prune(folder: Folder, files: int) -> None:
    try:
        folder.prune(SUFFIX, KEEP, MAX_BYTES)
        entries = folder.sub(FILES_DIR, create=False)
        if entries is not None:
            keep = max(FILE_ENTRIES_MIN, FILE_SETS * files)
            entries.prune(SUFFIX, keep, MAX_BYTES)
    except OSError:
        pass


def clean(settings: Settings) -> bool:
    """Remove the cache folder; a symlink or file in its place is left alone."""
    folder = cache_dir(settings)
    try:
        if not stat.S_ISDIR(folder.lstat().st_mode):
            return False
    except OSError:
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


@dataclass(slots=True, eq=False)
class Stored:
    """A piece found in the per-file cache, not yet rebuilt."""

    encoded: object


class FileCache:
    """What analysing one file produced, for the next run: kept while the file, every file its
    analysis read (the modules it imports, through any depth) with their displays, and
    everything ``settings_key`` covers are unchanged, while none of the paths its imports
    looked for in vain has become a file of the run and every folder it asked about is still
    a package or not (``Reads``). This is what a commit that touches a few files re-analyses:
    those files and the files that import them; a file added or removed costs its own
    analysis and that of the files whose imports it answers, not the whole run's.

    Entries do not depend on where the tree lives: a file is named by its path relative to
    ``home`` (the configuration's folder) and the hash of its bytes, and the paths an entry
    holds inside ``home`` are stored relative to it (``cache_codec``). So a commit exported
    elsewhere for ``ecolint diff`` finds the working tree's entries for the files it did not
    change. The files' displays are part of the key: they are the text findings print, and
    they stay the same only while the working folder is at the same place in the tree.

    ``files``: every file of the run with its display; ``kind``: the type of a stored piece;
    ``digests``: the files' hashes the run already knows (its plan read them). Every path it is
    given or gives is resolved (discovery resolved the run's files once): a resolution stats
    each folder up to the root, and an entry names a few paths."""

    def __init__(
        self,
        folder: Path,
        salt: str,
        files: Mapping[Path, str],
        kind: type,
        home: Path,
        digests: Mapping[Path, str] | None = None,
    ) -> None:
        self.path = folder
        self.kind = kind
        self.home = home.resolve()
        self.files = dict(files)
        self.salt = salt
        self._digests: dict[Path, str | None] = dict(digests or {})
        self._markers: dict[Path, bool] = {}
        self._by_stored: dict[tuple[str, str], Path] | None = None
        self._folder: Folder | None = None

    def digest(self, path: Path, data: bytes | None = None) -> str | None:
        if path not in self._digests:
            if data is None:
                try:
                    data = read_bytes(path, NOTEBOOK_MAX_BYTES)
                except OSError:
                    data = None
            self._digests[path] = hashlib.sha256(data).hexdigest() if data is not None else None
        return self._digests[path]

    def _name(self, path: Path, digest: str | None) -> str:
        """Two versions of a file (the working tree's and a commit's) keep two entries, and
        so does a file shown otherwise (a run from another working folder)."""
        shown = self.files.get(path)
        name = f"{self.salt}\0{tree_path(path, self.home)}\0{digest}\0{shown}"
        return hashlib.sha256(name.encode()).hexdigest() + SUFFIX

    def _open(self, create: bool) -> Folder | None:
        if self._folder is None:
            top = Folder.open(self.path, create)
            if top is not None and create:
                try:
                    top.ignore()
                except OSError:
                    return None
            self._folder = top.sub(FILES_DIR, create) if top is not None else None
        return self._folder

    def probe(self, path: Path, data: bytes) -> Stored | None:
        """The stored piece of this version of the file, still encoded, or None when there is
        none or what its analysis read no longer holds: which files must be analysed is known
        before any piece is rebuilt (``piece``), so their analysis need not wait for it. Only
        files of this run count as dependencies: an entry naming any other is not trusted."""
        digest = self.digest(path, data)
        folder = self._open(create=False)
        raw = folder.read(self._name(path, digest)) if folder is not None else None
        if raw is None:
            return None
        try:
            items = tuple_items(unpack_json(raw), 6)
            where, written_digest, modules, absent, packages = items[:5]
            if stored_path(where) != self._stored(path) or written_digest != digest:
                return None
            if not self._holds(modules, absent, packages):
                return None
        except CodecError:
            return None
        return Stored(items[5])

    def _stored(self, path: Path) -> tuple[str, str]:
        """How an entry stores ``path`` (``cache_codec.stored_path``)."""
        relative = relative_text(str(path), str(self.home))
        return ("path", str(path)) if relative is None else ("home", relative)

    def _files_stored(self) -> dict[tuple[str, str], Path]:
        if self._by_stored is None:
            self._by_stored = {self._stored(path): path for path in self.files}
        return self._by_stored

    def _holds(self, modules: object, absent: object, packages: object) -> bool:
        """Read from the entry's JSON as it is (``CodecError`` when it is not what ``put``
        writes): every module it read is a file of the run with the same bytes and display,
        no path it looked for in vain is one, and every folder is still a package or not."""
        files = self._files_stored()
        for key, known in dict_items(modules):
            other = files.get(stored_path(key))
            if other is None or known != [self.digest(other), self.files[other]]:
                return False
        if type(absent) is not list:
            raise CodecError("absent paths are not a list")
        if any(stored_path(missing) in files for missing in absent):
            return False
        for key, found in dict_items(packages):
            marker = decoded(key, self.home)
            if type(found) is not bool or not isinstance(marker, Path):
                raise CodecError("not a package marker")
            if self._exists(marker) is not found:
                return False
        return True

    def _exists(self, marker: Path) -> bool:
        """Asked once a run: the entries of a package's modules name its ``__init__.py``."""
        known = self._markers.get(marker)
        if known is None:
            known = self._markers[marker] = marker.exists()
        return known

    def piece(self, stored: Stored) -> Any:
        """The piece ``probe`` found, rebuilt; None when it does not validate."""
        try:
            piece = decoded(stored.encoded, self.home)
        except CodecError:
            return None
        return piece if isinstance(piece, self.kind) else None

    def put(self, path: Path, data: bytes, reads: Reads, piece: object) -> None:
        digest = self.digest(path, data)
        modules = {
            other: [self.digest(other), self.files.get(other)]
            for other in reads.modules
            if other != path
        }
        absent = sorted(reads.absent, key=str)
        record = (path, digest, modules, absent, dict(reads.packages), piece)
        try:
            folder = self._open(create=True)
            if folder is not None:
                folder.write(self._name(path, digest), pack(record, self.home))
        except (OSError, CodecError):
            pass
