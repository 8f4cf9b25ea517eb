"""Dependency tables: pyproject.toml (PEP 621, PEP 735 groups, build requirements, Poetry,
PDM, uv with their sources, indexes and pre-release settings), setup.cfg and conda environment
files (conda specs with their channels, ``pip:`` lists). Positions come from the text:
``toml_positions`` for TOML, the composed YAML nodes for conda, line scanning for setup.cfg."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import yaml
from packaging.specifiers import SpecifierSet

from ecolint.analysis.dependencies.model import (
    CONDA_NAMES,
    Dependency,
    Option,
    parse_requirement,
    requirement_lines,
    text_span,
    with_options,
)
from ecolint.analysis.project import Project
from ecolint.sources.document import Document, TextSpan
from ecolint.sources.python import SourceError
from ecolint.sources.requirements import Line, conda_spec, poetry_specifier, strip_comment
from ecolint.sources.toml_positions import Span, TomlPositions, toml_positions
from ecolint.yaml_safe import AliasError, compose

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


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


def pyproject(project: Project, document: Document) -> list[Dependency]:
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
    return with_options(found, _pyproject_options(toml))


def _pyproject_options(toml: _Toml) -> list[Option]:
    """Options of uv, PDM and Poetry that hold for every dependency of the file."""
    options = []
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
    from packaging.utils import canonicalize_name  # imports packaging.tags: only when used

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
    from packaging.utils import canonicalize_name

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
    index = _named_index(toml, "poetry", "source", spec.get("source"))
    if index:
        options.append(Option("index", index, where))
    text = f"{name} {url or version or ''}".strip()
    return Dependency(canonicalize_name(name), text, specifier, url, span, tuple(options))


# -- setup.cfg -----------------------------------------------------------------------------


_SETUP_CFG_KEYS = {"options": frozenset({"install_requires", "setup_requires"})}


def setup_cfg(project: Project, document: Document) -> list[Dependency]:
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
            dependency = parse_requirement(text, text_span(document, number, column, len(text)))
            if dependency is not None:
                found.append(dependency)
    return found


# -- conda environment files ---------------------------------------------------------------


def conda_env(project: Project, document: Document) -> list[Dependency]:
    try:
        root = compose(document.text)
    except AliasError as error:
        raise SourceError(f"YAML not analysed: {error}") from None
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
    from packaging.utils import canonicalize_name

    spec = conda_spec(strip_comment(node.value))
    if spec is None:
        return None
    line, column = _scalar_start(node)
    span = text_span(document, line, column, len(node.value))
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
    found, options = requirement_lines(project, document, lines, False, {document.path.resolve()})
    return with_options(found, options)
