"""Every dependency a scanned project declares, with where it is declared: the facts the
software-stack rules share (ECO301 nightly builds, ECO302 stack drift).

Sources: requirement and constraint files (``-r``/``-c`` includes followed relative to the
including file), ``pyproject.toml`` (PEP 621, PEP 735 groups, build requirements, Poetry, PDM,
uv), ``setup.cfg``, conda environment files (conda specs with their channels, ``pip:``
lists), ``setup()`` calls (``install_requires``/``extras_require`` resolved like any other
value), ``subprocess``/``os.system`` calls that run ``pip install`` or ``conda install``, and a
notebook's ``!pip``/``%pip`` lines. Install options in force for a dependency (``--pre``, index
URLs, conda channels, ``allow-prereleases``) travel with it, since whether a build is nightly
can depend on them. Nothing is installed, imported or fetched.
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import libcst as cst
import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.project import Project
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import (
    CallVal,
    Const,
    DictVal,
    LineSpan,
    SeqVal,
    Site,
    Value,
    alternatives,
)
from ecolint.sources.document import Document, TextSpan
from ecolint.sources.python import SourceError, decode_text
from ecolint.sources.requirements import (
    Item,
    Line,
    Token,
    conda_items,
    conda_spec,
    install_commands,
    logical_lines,
    pip_items,
    poetry_specifier,
    requirement_line_items,
    shell_words,
    strip_comment,
)
from ecolint.sources.toml_positions import Span, TomlPositions, toml_positions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Where = Site | LineSpan | TextSpan

CONDA_NAMES = {"pytorch": "torch"}  # conda packages whose PyPI project has another name
# Repositories whose source installs name no project (``git+https://github.com/pytorch/ao``).
REPOSITORIES = {
    "pytorch/pytorch": "torch",
    "pytorch/ao": "torchao",
    "huggingface/transformers": "transformers",
    "huggingface/accelerate": "accelerate",
    "bitsandbytes-foundation/bitsandbytes": "bitsandbytes",
    "timdettmers/bitsandbytes": "bitsandbytes",
    "vllm-project/vllm": "vllm",
}
SETUP_CALLS = frozenset({"setuptools.setup", "distutils.core.setup"})
COMMAND_RUNNERS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "os.system",
        "os.popen",
    }
)
INSTALL_MAGICS = frozenset({"%pip", "%conda", "%mamba", "%micromamba"})
SAME_COMMAND = "the same command"


@dataclass(frozen=True)
class Option:
    """An install option in force for a dependency. ``kind``: ``pre`` (``--pre``,
    ``allow-prereleases``, ``prerelease = "allow"``), ``index`` (an index or find-links URL),
    ``channel`` (a conda channel). ``value`` is the URL or channel, or the option as written;
    ``where`` says where it is set, for messages."""

    kind: str
    value: str
    where: str


@dataclass(frozen=True)
class Dependency:
    """One declared dependency. ``specifier`` is its version constraint (empty when it has
    none, None when it cannot be read as PEP 440); ``url`` a direct reference (``git+...``).
    ``shared`` marks one found through an include of a file that is scanned on its own: its
    own line is reported when that file is, so only what the includer adds matters here."""

    name: str
    text: str
    specifier: SpecifierSet | None
    url: str | None
    site: Where
    options: tuple[Option, ...] = ()
    shared: bool = False


def dependencies(resolver: Resolver, unit: ModuleInfo | Document) -> list[Dependency]:
    """The unit's dependencies, extracted once per run and shared by every rule."""
    return resolver.memo(("dependencies", unit.path), lambda: list(_extract(resolver, unit)))


def _extract(resolver: Resolver, unit: ModuleInfo | Document) -> Iterator[Dependency]:
    if isinstance(unit, ModuleInfo):
        yield from _setup_calls(resolver, unit)
        yield from _command_calls(resolver, unit)
        if unit.notebook is not None:
            yield from _notebook_commands(resolver.project, unit)
        return
    readers: dict[str, Callable[[Project, Document], Iterable[Dependency]]] = {
        "requirements": _requirement_file,
        "pyproject": _pyproject,
        "setup_cfg": _setup_cfg,
        "conda_env": _conda_env,
    }
    reader = readers.get(unit.kind)
    if reader is not None:
        yield from reader(resolver.project, unit)


# -- requirement strings -------------------------------------------------------------------


def parse_requirement(
    text: str, site: Where, options: tuple[Option, ...] = ()
) -> Dependency | None:
    """A PEP 508 requirement, or a bare URL (``git+https://...#egg=name``)."""
    text = text.strip()
    if not text:
        return None
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        name = _url_project(text)
        if name is None:
            return None
        return Dependency(name, text, SpecifierSet(), text, site, options)
    return Dependency(
        canonicalize_name(requirement.name),
        text,
        requirement.specifier,
        requirement.url,
        site,
        options,
    )


def _url_project(url: str) -> str | None:
    if "://" not in url:
        return None
    fragment = url.partition("#")[2]
    for part in fragment.split("&"):
        if part.startswith("egg="):
            return canonicalize_name(part[4:].split("[")[0])
    path = urlparse(url.removeprefix("git+")).path.split("@")[0].removesuffix(".git")
    pieces = [piece for piece in path.split("/") if piece]
    if len(pieces) >= 2:
        known = REPOSITORIES.get(f"{pieces[0]}/{pieces[1]}".lower())
        if known:
            return known
    return None


def _text_span(document: Document, line: int, column: int, length: int) -> TextSpan:
    """``column`` 0-based; the span stays on its line."""
    text = document.lines[line - 1] if 0 < line <= len(document.lines) else ""
    if column < 0:
        return TextSpan.whole_line(document, line)
    end = min(column + max(length, 1), len(text.rstrip()) or column + 1)
    return TextSpan(document, line, column + 1, line, max(end, column + 1) + 1)


# -- requirement files ---------------------------------------------------------------------


def _requirement_file(project: Project, document: Document) -> list[Dependency]:
    found, options = _requirement_lines(
        project, document, logical_lines(document.text), False, {document.path.resolve()}
    )
    return _with_options(found, options)


def _with_options(found: list[Dependency], options: list[Option]) -> list[Dependency]:
    """Options in a requirement file (or an included one) hold for the whole pip run."""
    extra = tuple(options)
    return [replace(dependency, options=dependency.options + extra) for dependency in found]


def _requirement_lines(
    project: Project,
    document: Document,
    lines: Iterable[Line],
    shared: bool,
    seen: set[Path],
) -> tuple[list[Dependency], list[Option]]:
    found: list[Dependency] = []
    options: list[Option] = []
    for line in lines:
        where = f"{document.display}:{line.number}"
        for item in requirement_line_items(line):
            if item.kind in ("requirement", "editable"):
                span = _text_span(document, line.number, item.token.offset, len(item.value))
                dependency = parse_requirement(item.value, span)
                if dependency is not None:
                    found.append(replace(dependency, shared=shared))
            elif item.kind in ("include", "constraint"):
                more, more_options = _include(project, document, item.value, shared, seen)
                found += more
                options += more_options
            else:
                options.append(_option(item, where))
    return found, options


def _include(
    project: Project, document: Document, target: str, shared: bool, seen: set[Path]
) -> tuple[list[Dependency], list[Option]]:
    """A ``-r``/``-c`` file relative to the including file; each file is read once per chain."""
    target = target.removeprefix("file:")
    if "://" in target or not target:
        return [], []
    path = Path(target) if Path(target).is_absolute() else document.path.parent / target
    resolved = path.resolve()
    if resolved in seen:
        return [], []
    seen.add(resolved)
    try:
        text = decode_text(path.read_bytes())
    except (OSError, SourceError):
        return [], []
    display = project.display_of(path) or posixpath.normpath(
        posixpath.join(posixpath.dirname(document.display), target)
    )
    included = Document(path, display, "requirements", text)
    return _requirement_lines(
        project, included, logical_lines(text), shared or project.scans(path), seen
    )


# -- pyproject.toml ------------------------------------------------------------------------


class _Toml:
    """Dependencies of a pyproject.toml with the lines they are written on."""

    def __init__(self, document: Document, data: dict[str, Any]) -> None:
        self.document = document
        self.data = data
        self.positions: TomlPositions = toml_positions(document.text)
        self._seen: dict[tuple[tuple[str, ...], str], int] = {}

    def get(self, *path: str) -> Any:
        node: Any = self.data
        for part in path:
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node

    def span(self, found: Span | None) -> TextSpan:
        if found is None:
            return TextSpan.whole_line(self.document, 1)
        return TextSpan(self.document, found.line, found.column, found.end_line, found.end_column)

    def where(self, *path: str) -> str:
        found = self.positions.key(path)
        return f"{self.document.display}:{found.line if found else 1}"

    def strings(self, *path: str) -> Iterator[Dependency]:
        """PEP 508 strings of the array at ``path``."""
        values = self.get(*path)
        if not isinstance(values, list):
            return
        for value in values:
            if not isinstance(value, str):
                continue
            count = self._seen.get((path, value), 0)
            self._seen[(path, value)] = count + 1
            found = self.positions.string(path, value, count) or self.positions.key(path)
            dependency = parse_requirement(value, self.span(found))
            if dependency is not None:
                yield dependency

    def groups(self, *path: str) -> Iterator[Dependency]:
        table = self.get(*path)
        if isinstance(table, dict):
            for group in table:
                yield from self.strings(*path, group)


def _pyproject(project: Project, document: Document) -> list[Dependency]:
    try:
        data = tomllib.loads(document.text)
    except tomllib.TOMLDecodeError:
        return []
    toml = _Toml(document, data)
    found = [
        *toml.strings("project", "dependencies"),
        *toml.groups("project", "optional-dependencies"),
        *toml.groups("dependency-groups"),
        *toml.strings("build-system", "requires"),
        *toml.groups("tool", "pdm", "dev-dependencies"),
        *toml.strings("tool", "uv", "dev-dependencies"),
        *toml.strings("tool", "uv", "constraint-dependencies"),
        *toml.strings("tool", "uv", "override-dependencies"),
    ]
    found = _uv_sources(toml, found)
    found += _poetry(toml)
    return _with_options(found, _pyproject_options(toml))


def _pyproject_options(toml: _Toml) -> list[Option]:
    """Options of uv, PDM and Poetry that hold for every dependency of the file."""
    options = []
    if toml.get("tool", "uv", "prerelease") == "allow":
        where = toml.where("tool", "uv", "prerelease")
        options.append(Option("pre", 'prerelease = "allow"', where))
    if toml.get("tool", "pdm", "resolution", "allow-prereleases") is True:
        where = toml.where("tool", "pdm", "resolution", "allow-prereleases")
        options.append(Option("pre", "allow-prereleases = true", where))
    for key in ("index-url", "extra-index-url"):
        urls = toml.get("tool", "uv", key)
        for url in urls if isinstance(urls, list) else [urls]:
            if isinstance(url, str):
                options.append(Option("index", url, toml.where("tool", "uv", key)))
    for tool, url_key, is_global in (
        ("uv", "index", lambda entry: not entry.get("explicit")),
        ("pdm", "source", lambda entry: True),
        ("poetry", "source", lambda entry: entry.get("priority", "primary") in _POETRY_GLOBAL),
    ):
        entries = toml.get("tool", tool, url_key)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("url"), str) and is_global(entry):
                options.append(Option("index", entry["url"], toml.where("tool", tool, url_key)))
    return options


_POETRY_GLOBAL = frozenset({"default", "primary"})


def _named_index(toml: _Toml, tool: str, table: str, name: object) -> str | None:
    entries = toml.get("tool", tool, table)
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("name") == name:
            url = entry.get("url")
            return url if isinstance(url, str) else None
    return None


def _uv_sources(toml: _Toml, found: list[Dependency]) -> list[Dependency]:
    """``[tool.uv.sources]``: a git source or a named index for a declared dependency."""
    sources = toml.get("tool", "uv", "sources")
    if not isinstance(sources, dict):
        return found
    by_name = {canonicalize_name(name): (name, source) for name, source in sources.items()}
    result = []
    for dependency in found:
        entry = by_name.get(dependency.name)
        if entry is None:
            result.append(dependency)
            continue
        name, source = entry
        where = toml.where("tool", "uv", "sources", name)
        for option in source if isinstance(source, list) else [source]:
            if not isinstance(option, dict):
                continue
            if isinstance(option.get("git"), str):
                url = f"git+{option['git']}"
                dependency = replace(
                    dependency, url=url, text=f"{dependency.text} (uv source {url} at {where})"
                )
            index = _named_index(toml, "uv", "index", option.get("index"))
            if index:
                extra = Option("index", index, where)
                dependency = replace(dependency, options=(*dependency.options, extra))
        result.append(dependency)
    return result


def _poetry(toml: _Toml) -> list[Dependency]:
    tables: list[tuple[str, ...]] = [
        ("tool", "poetry", "dependencies"),
        ("tool", "poetry", "dev-dependencies"),
    ]
    groups = toml.get("tool", "poetry", "group")
    if isinstance(groups, dict):
        tables += [("tool", "poetry", "group", group, "dependencies") for group in groups]
    found = []
    for path in tables:
        table = toml.get(*path)
        if not isinstance(table, dict):
            continue
        for name, spec in table.items():
            if name.lower() == "python":
                continue
            span = toml.span(toml.positions.key((*path, name)))
            where = f"{toml.document.display}:{span.line}"
            for constraint in spec if isinstance(spec, list) else [spec]:
                dependency = _poetry_dependency(toml, name, constraint, span, where)
                if dependency is not None:
                    found.append(dependency)
    return found


def _poetry_dependency(
    toml: _Toml, name: str, spec: object, span: TextSpan, where: str
) -> Dependency | None:
    if isinstance(spec, str):
        specifier = poetry_specifier(spec)
        return Dependency(canonicalize_name(name), f"{name} {spec}", specifier, None, span)
    if not isinstance(spec, dict):
        return None
    version = spec.get("version")
    specifier = poetry_specifier(version) if isinstance(version, str) else SpecifierSet()
    url = None
    if isinstance(spec.get("git"), str):
        url = f"git+{spec['git']}"
    elif isinstance(spec.get("url"), str):
        url = spec["url"]
    options: list[Option] = []
    if spec.get("allow-prereleases") is True:
        options.append(Option("pre", "allow-prereleases = true", where))
    index = _named_index(toml, "poetry", "source", spec.get("source"))
    if index:
        options.append(Option("index", index, where))
    text = f"{name} {url or version or ''}".strip()
    return Dependency(canonicalize_name(name), text, specifier, url, span, tuple(options))


# -- setup.cfg -----------------------------------------------------------------------------


_SETUP_CFG_KEYS = {"options": frozenset({"install_requires", "setup_requires"})}


def _setup_cfg(project: Project, document: Document) -> list[Dependency]:
    """``[options] install_requires`` / ``setup_requires`` and ``[options.extras_require]``:
    one requirement a line, on the key's line or indented below it."""
    found = []
    section, key = "", ""
    for number, raw in enumerate(document.lines, start=1):
        stripped = raw.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section, key = stripped[1:-1].strip(), ""
            continue
        if raw[0] in " \t" and key:
            value, column = stripped, len(raw) - len(raw.lstrip())
        else:
            separator = min((raw.find(c) for c in "=:" if c in raw), default=-1)
            if separator < 0:
                key = ""
                continue
            key = raw[:separator].strip()
            rest = raw[separator + 1 :]
            value, column = rest.strip(), separator + 1 + len(rest) - len(rest.lstrip())
        wanted = section == "options.extras_require" or key in _SETUP_CFG_KEYS.get(section, ())
        text = strip_comment(value).strip()
        if wanted and text:
            dependency = parse_requirement(text, _text_span(document, number, column, len(text)))
            if dependency is not None:
                found.append(dependency)
    return found


# -- conda environment files ---------------------------------------------------------------


def _conda_env(project: Project, document: Document) -> list[Dependency]:
    try:
        root = yaml.compose(document.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    top = {key.value: node for key, node in root.value if isinstance(key, yaml.ScalarNode)}
    channels = [
        Option("channel", node.value, f"{document.display}:{node.start_mark.line + 1}")
        for node in _sequence(top.get("channels"))
        if isinstance(node, yaml.ScalarNode)
    ]
    found: list[Dependency] = []
    for node in _sequence(top.get("dependencies")):
        if isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
            dependency = _conda_dependency(document, node, channels)
            if dependency is not None:
                found.append(dependency)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == "pip":
                    found += _conda_pip(project, document, _sequence(value))
    return found


def _sequence(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _scalar_start(node: yaml.ScalarNode) -> tuple[int, int]:
    """1-based line and 0-based column of a scalar's text (inside its quotes)."""
    quoted = 1 if node.style in ("'", '"') else 0
    return node.start_mark.line + 1, node.start_mark.column + quoted


def _conda_dependency(
    document: Document, node: yaml.ScalarNode, channels: list[Option]
) -> Dependency | None:
    spec = conda_spec(strip_comment(node.value))
    if spec is None:
        return None
    line, column = _scalar_start(node)
    span = _text_span(document, line, column, len(node.value))
    where = f"{document.display}:{line}"
    options = (Option("channel", spec.channel, where),) if spec.channel else tuple(channels)
    name = canonicalize_name(CONDA_NAMES.get(spec.name.lower(), spec.name))
    return Dependency(name, node.value.strip(), spec.specifier, None, span, options)


def _conda_pip(project: Project, document: Document, nodes: list[yaml.Node]) -> list[Dependency]:
    """A ``pip:`` list is one pip run: its option lines hold for all its requirements."""
    lines = []
    for node in nodes:
        if isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
            line, column = _scalar_start(node)
            text = strip_comment(node.value).strip()
            if text:
                lines.append(Line(line, column, text))
    found, options = _requirement_lines(project, document, lines, False, {document.path.resolve()})
    return _with_options(found, options)


# -- Python: setup() and install commands ---------------------------------------------------


def _setup_calls(resolver: Resolver, module: ModuleInfo) -> Iterator[Dependency]:
    for call, env in _reachable_calls(resolver, module, frozenset({"setup"}), SETUP_CALLS):
        value = resolver.value(module, call, env)
        if not isinstance(value, CallVal):
            continue
        for key in ("install_requires", "setup_requires"):
            entry = value.kwargs.get(key)
            if entry is not None:
                yield from _requirement_values(entry.value, entry.site)
        extras = value.kwargs.get("extras_require")
        if extras is not None:
            for option in alternatives(extras.value):
                if isinstance(option, DictVal):
                    for group in option.entries.values():
                        yield from _requirement_values(group.value, group.site)


def _reachable_calls(
    resolver: Resolver, module: ModuleInfo, names: frozenset[str], qualnames: frozenset[str]
) -> Iterator[tuple[cst.Call, Any]]:
    for call, _ in resolver.calls_to(module, names, qualnames.__contains__):
        for env in resolver.contexts(module, call):
            if resolver.reachable(module, call, env):
                yield call, env


def _requirement_values(value: Value, fallback: Site) -> Iterator[Dependency]:
    """A list of requirement strings, or one string of them a line; each reported on the
    string where it is written."""
    for option in alternatives(value):
        items = option.items if isinstance(option, SeqVal) else (option,)
        for item in items:
            if isinstance(item, Const) and isinstance(item.value, str):
                site = item.origin or fallback
                for line in item.value.splitlines():
                    dependency = parse_requirement(strip_comment(line), site)
                    if dependency is not None:
                        yield dependency


def _command_calls(resolver: Resolver, module: ModuleInfo) -> Iterator[Dependency]:
    names = frozenset(name.rsplit(".", 1)[1] for name in COMMAND_RUNNERS)
    for call, env in _reachable_calls(resolver, module, names, COMMAND_RUNNERS):
        value = resolver.value(module, call, env)
        if not isinstance(value, CallVal):
            continue
        command = value.arg(0, "args")
        if command is None:
            command = value.arg(0, "command") or value.arg(0, "cmd")
        call_site = Site(module, call)
        anchor = _anchor(module)
        for option in alternatives(command) if command is not None else ():
            if isinstance(option, SeqVal):
                words = [Token(_text(item)) for item in option.items]
                sites = [item.origin or call_site for item in option.items]
                yield from _commands(resolver.project, anchor, words, sites.__getitem__)
            elif isinstance(option, Const) and isinstance(option.value, str):
                site = option.origin or call_site
                words = shell_words(option.value)
                yield from _commands(resolver.project, anchor, words, lambda _, s=site: s)


def _text(value: Value) -> str:
    """A command word; one the resolver cannot read is blank and matches nothing."""
    return value.value if isinstance(value, Const) and isinstance(value.value, str) else ""


def _anchor(module: ModuleInfo) -> Document:
    """What a command's ``-r`` file is relative to: the folder of the code that runs it."""
    return Document(module.path, module.display, "requirements", "")


def _notebook_commands(project: Project, module: ModuleInfo) -> Iterator[Dependency]:
    """``!pip``/``%pip``/``%conda`` lines, and the lines of ``%%bash`` cells; a trailing
    backslash continues a command on the next line. Each word is reported on its own line."""
    notebook = module.notebook
    assert notebook is not None
    by_cell: dict[int, list[Any]] = {}
    for magic in notebook.magics:
        by_cell.setdefault(notebook.source_map.locate(magic.line, 0).cell, []).append(magic)
    for magics in by_cell.values():
        opening = magics[0].text.split()
        shell_cell = opening[:1] in (["%%bash"], ["%%sh"]) or opening[:2] in (
            ["%%script", "bash"],
            ["%%script", "sh"],
        )
        group: list[Any] = []
        for magic in magics:
            group.append(magic)
            if magic.text.endswith("\\"):
                continue
            first = group[0].text.split()
            if first and (shell_cell or first[0].startswith("!") or first[0] in INSTALL_MAGICS):
                yield from _magic_command(project, module, group)
            group = []


def _magic_command(project: Project, module: ModuleInfo, group: list[Any]) -> Iterator[Dependency]:
    joined, starts = "", []
    for magic in group:
        starts.append((len(joined), magic))
        joined += (magic.text[:-1] if magic.text.endswith("\\") else magic.text) + " "
    words = shell_words(joined)

    def site_of(index: int) -> LineSpan:
        word = words[index]
        start, magic = next((s, m) for s, m in reversed(starts) if s <= max(word.offset, 0))
        column = magic.column + word.offset - start
        return LineSpan(module, magic.line, column, column + len(word.text), magic.text)

    yield from _commands(project, _anchor(module), words, site_of)


def _commands(
    project: Project, anchor: Document, words: list[Token], site_of: Callable[[int], Where]
) -> Iterator[Dependency]:
    """Dependencies of each install command among ``words``; ``site_of`` says where the
    word at an index is reported."""
    index_of = {id(word): index for index, word in enumerate(words)}
    for command in install_commands(words):
        read = pip_items if command.tool == "pip" else conda_items
        items = read(command.words)
        kinds = ("pre", "index", "channel")
        options = tuple(_option(item, SAME_COMMAND) for item in items if item.kind in kinds)
        found: list[Dependency] = []
        extra: list[Option] = []
        for item in items:
            site = site_of(index_of.get(id(item.token), 0))
            if item.kind in ("requirement", "editable"):
                dependency = _command_dependency(command.tool, item, site)
                if dependency is not None:
                    found.append(_in_command(dependency, options))
            elif item.kind in ("include", "constraint"):
                more, more_options = _include(project, anchor, item.value, False, set())
                found += more
                extra += more_options
        yield from _with_options(found, extra)


def _option(item: Item, where: str) -> Option:
    return Option(item.kind, item.value or item.token.text, where)


def _in_command(dependency: Dependency, options: tuple[Option, ...]) -> Dependency:
    """A conda spec's own channel (``pytorch-nightly::pytorch``) overrides the command's."""
    own = dependency.options
    if any(option.kind == "channel" for option in own):
        options = tuple(option for option in options if option.kind != "channel")
    return replace(dependency, options=own + options)


def _command_dependency(tool: str, item: Item, site: Where) -> Dependency | None:
    if tool == "pip":
        return parse_requirement(item.value, site)
    spec = conda_spec(item.value)
    if spec is None:
        return None
    name = canonicalize_name(CONDA_NAMES.get(spec.name.lower(), spec.name))
    options = (Option("channel", spec.channel, SAME_COMMAND),) if spec.channel else ()
    return Dependency(name, item.value, spec.specifier, None, site, options)
