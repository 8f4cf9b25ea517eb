"""The scanned tree as a set of importable modules, each parsed at most once per run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.parsed_files import Parsed, ParsedFiles
from ecolint.sources.discovery import display_path
from ecolint.sources.python import (
    DEFAULT_MAX_BYTES,
    SourceError,
    checked_text,
    decode_python,
    decode_text,
    parse_python,
)
from ecolint.sources.safe_read import read_source, source_cap


class DiskPaths:
    """What the file system answers about the paths projects name: each path's resolved form
    (a resolution stats every folder up to the root) and whether a resolved path is a file.
    A pipeline that analyses one file at a time (flake8, an editor) shares one between the
    projects of its files, which import the same modules: each project asking again cost
    about 2 s of CPU per flake8 process on transformers. Whoever shares it clears it when
    files change on disk."""

    def __init__(self, resolved: Mapping[Path, Path] | None = None) -> None:
        self.real: dict[Path, Path] = dict(resolved or {})
        self.files: dict[Path, bool] = {}

    def resolve(self, path: Path) -> Path:
        real = self.real.get(path)
        if real is None:
            real = self.real[path] = path.resolve()
        return real

    def is_file(self, resolved: Path) -> bool:
        known = self.files.get(resolved)
        if known is None:
            known = self.files[resolved] = resolved.is_file()
        return known

    def clear(self) -> None:
        self.real.clear()
        self.files.clear()


@dataclass
class Reads:
    """What one file's analysis learnt from the run's files, for the file cache to tell when its
    result still holds: the modules it loaded, the paths it looked for among the run's files
    and did not find (an import that resolves once a module is added), and whether each
    folder it asked about was a package (an ``__init__.py`` on disk names modules and roots
    imports)."""

    modules: set[Path] = field(default_factory=set)
    absent: set[Path] = field(default_factory=set)
    packages: dict[Path, bool] = field(default_factory=dict)

    def merge(self, other: Reads) -> None:
        self.modules |= other.modules
        self.absent |= other.absent
        self.packages.update(other.packages)


class Project:
    """``on_disk``: imports may also name modules that were not listed but exist on disk, for
    a file analysed on its own (flake8 hands over one file at a time). ``contents``: bytes the
    run already read, by resolved path, so that an imported module is not read again.
    ``parsed``: modules read from disk in earlier analyses, reused while their bytes hold.
    ``resolved``: paths the caller resolved already (discovery did), not statted again.
    ``disk``: what the file system said of paths, shared with other projects."""

    def __init__(
        self,
        files: list[Path],
        display: dict[Path, str] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        on_disk: bool = False,
        contents: Mapping[Path, bytes] | None = None,
        parsed: ParsedFiles | None = None,
        resolved: Mapping[Path, Path] | None = None,
        disk: DiskPaths | None = None,
    ) -> None:
        self._contents = contents or {}
        self._parsed = parsed
        self._disk = disk if disk is not None else DiskPaths(resolved)
        self._files = {self._resolved(path) for path in files}
        self._display = {self._resolved(path): name for path, name in (display or {}).items()}
        self._max_bytes = max_bytes
        self._on_disk = on_disk
        self._modules: dict[Path, ModuleInfo | SourceError] = {}
        self.reads = Reads()  # since the caller last started a new one
        self._named: dict[Path, Reads] = {}  # the package folders each module's name needed
        self._located: dict[tuple[Path, str, int], tuple[tuple[Path, list[str]] | None, Reads]]
        self._located = {}

    def emptied(self) -> Project:
        """The same project without the modules it parsed: what a worker starts again from to
        bound its memory, without resolving every path of the run again."""
        fresh = Project([], max_bytes=self._max_bytes, on_disk=self._on_disk)
        fresh._contents, fresh._files, fresh._display = self._contents, self._files, self._display
        fresh._located, fresh._disk = self._located, self._disk
        return fresh

    def release(self) -> None:
        """Let go of the modules parsed so far, their trees freed at once (see
        ``ModuleInfo.release``); modules kept for later analyses (``parsed``) stay whole."""
        for path, module in self._modules.items():
            if isinstance(module, ModuleInfo) and not (
                self._parsed is not None and self._parsed.holds(path, module)
            ):
                module.release()
        self._modules.clear()

    def scans(self, path: Path) -> bool:
        """Whether ``path`` is one of the files this run scans."""
        resolved = self._resolved(path)
        if resolved in self._files:
            return True
        self.reads.absent.add(resolved)
        return False

    def note_read(self, path: Path) -> None:
        """A file the analysis read from disk itself (a requirement list another includes)."""
        self.reads.modules.add(self._resolved(path))

    def display_of(self, path: Path) -> str | None:
        return self._display.get(self._resolved(path))

    def _module_file(self, base: Path, parts: list[str], reads: Reads) -> Path | None:
        stem = base.joinpath(*parts)
        for candidate in (stem.with_name(stem.name + ".py"), stem / "__init__.py"):
            resolved = self._resolved(candidate)
            if resolved in self._files or (self._on_disk and self._disk.is_file(resolved)):
                return resolved
            reads.absent.add(resolved)
        return None

    def _resolved(self, path: Path) -> Path:
        """``path.resolve()``, once per path: modules are loaded by the same few thousand paths
        tens of thousands of times."""
        return self._disk.resolve(path)

    def load(self, path: Path, data: bytes | None = None, text: str | None = None) -> ModuleInfo:
        """Parse ``path`` (once) from ``text`` when the caller already holds it decoded, else
        from ``data`` or the file; raises SourceError when it cannot be analysed."""
        key = self._resolved(path)
        self.reads.modules.add(key)
        cached = self._modules.get(key)
        if cached is None:
            cached = self._parse(key, data, text)
            self._modules[key] = cached
        named = self._named.get(key)
        if named is not None:
            self.reads.merge(named)
        if isinstance(cached, SourceError):
            raise cached
        return cached

    def _parse(self, path: Path, data: bytes | None, text: str | None) -> Parsed:
        if text is not None or data is not None or self._parsed is None:
            return self._parse_new(path, data, text)
        try:
            data = self._contents.get(path)
            if data is None:
                data = read_source(path, _kind(path), self._max_bytes)
        except SourceError as error:
            return error
        parsed = self._parsed.get(path, data)
        if parsed is None:
            parsed = self._parse_new(path, data, None)
            self._parsed.put(path, data, parsed)
        return parsed

    def _parse_new(self, path: Path, data: bytes | None, text: str | None) -> Parsed:
        try:
            notebook = None
            if text is not None:
                text = checked_text(text, self._max_bytes)
            else:
                kind = _kind(path)
                if data is None:
                    data = self._contents.get(path)
                if data is None:
                    data = read_source(path, kind, self._max_bytes)
                if kind == "notebook":
                    from ecolint.sources.notebook import notebook_to_python  # notebooks only

                    # Outputs (plots, logs) may be huge: the limit applies to the code.
                    notebook = notebook_to_python(
                        decode_text(data, source_cap(kind, self._max_bytes))
                    )
                    text = checked_text(notebook.text, self._max_bytes)
                else:
                    text = decode_python(data, self._max_bytes).text
            module = parse_python(text)
            named = self._named[path] = Reads()
            return ModuleInfo(
                path,
                self._display.get(path) or display_path(path),
                module_name(path, named),
                module,
                text,
                is_package=path.name == "__init__.py",
                notebook=notebook,
            )
        except SourceError as error:
            return error
        except RecursionError:
            return SourceError("nesting is too deep to analyse")

    def provides(self, importer: ModuleInfo, qualname: str, level: int) -> bool:
        """Whether an import names a scanned module, without parsing it."""
        return self._locate(importer, qualname, level) is not None

    def resolve_import(
        self, importer: ModuleInfo, qualname: str, level: int
    ) -> tuple[ModuleInfo, list[str]] | None:
        """The scanned module an import names and the attribute path left after it, if any."""
        located = self._locate(importer, qualname, level)
        if located is None:
            return None
        path, rest = located
        try:
            return self.load(path), rest
        except SourceError:
            return None

    def _locate(
        self, importer: ModuleInfo, qualname: str, level: int
    ) -> tuple[Path, list[str]] | None:
        key = (importer.path.parent, qualname, level)
        known = self._located.get(key)
        if known is None:
            reads = Reads()
            known = self._located[key] = (self._search(importer, qualname, level, reads), reads)
        self.reads.merge(known[1])
        return known[0]

    def _search(
        self, importer: ModuleInfo, qualname: str, level: int, reads: Reads
    ) -> tuple[Path, list[str]] | None:
        parts = [part for part in qualname.split(".") if part]
        if level:
            base = importer.path.parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            bases = [importer.path.parent, _import_root(importer.path, reads)]
            bases += _namespace_bases(importer.path, parts[0]) if parts else []
        for base in dict.fromkeys(bases):
            for cut in range(len(parts), 0, -1):
                target = self._module_file(base, parts[:cut], reads)
                if target is not None:
                    return target, parts[cut:]
            if level and not parts:
                init = self._resolved(base / "__init__.py")
                if init in self._files or (self._on_disk and self._disk.is_file(init)):
                    return init, []
                reads.absent.add(init)
        return None


def _kind(path: Path) -> str:
    return "notebook" if path.suffix.lower() == ".ipynb" else "python"


def _is_package(folder: Path, reads: Reads) -> bool:
    marker = folder / "__init__.py"
    reads.packages[marker] = found = marker.exists()
    return found


def _import_root(path: Path, reads: Reads) -> Path:
    """The folder a package tree hangs from: the first parent without an ``__init__.py``."""
    folder = path.parent
    while _is_package(folder, reads) and folder.parent != folder:
        folder = folder.parent
    return folder


def _namespace_bases(path: Path, first: str) -> list[Path]:
    """``modules.shared`` imported in ``modules/loader.py`` where ``modules/`` has no
    ``__init__.py``: a namespace package, importable because the script that runs sits beside
    the folder (``server.py``); the folder above each ancestor of that name."""
    return [folder.parent for folder in path.parents if folder.name == first]


def module_name(path: Path, reads: Reads) -> str:
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.parent
    while _is_package(folder, reads) and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts) or path.parent.name
