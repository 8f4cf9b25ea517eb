"""What a declared dependency is, how a requirement string and a requirement file are read,
and how ``-r``/``-c`` includes are followed (relative to the including file, each file once
per chain). Shared by the readers of every source kind."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

from packaging.specifiers import SpecifierSet

from ecolint.analysis.project import Project
from ecolint.analysis.values import LineSpan, Site
from ecolint.sources.document import Document, TextSpan
from ecolint.sources.python import DEFAULT_MAX_BYTES, SourceError, decode_text
from ecolint.sources.requirements import Item, Line, logical_lines, requirement_line_items
from ecolint.sources.safe_read import read_bytes

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
SAME_COMMAND = "the same command"  # where an option of a pip/conda command line is set


@dataclass(frozen=True)
class Option:
    """An install option in force for a dependency. ``kind``: ``index`` (an index or find-links
    URL) or ``channel`` (a conda channel); ``value`` is the URL or channel; ``where`` says where
    it is set, for messages. ``--pre`` and its kin are not kept: they admit pre-releases, which
    an index publishes as release candidates, not nightlies."""

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


def parse_requirement(
    text: str, site: Where, options: tuple[Option, ...] = ()
) -> Dependency | None:
    """A PEP 508 requirement, or a bare URL (``git+https://...#egg=name``)."""
    # packaging's requirement parser (its markers import packaging.tags) only when one is read
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

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
    from packaging.utils import canonicalize_name

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


def text_span(document: Document, line: int, column: int, length: int) -> TextSpan:
    """``column`` 0-based; the span stays on its line."""
    text = document.lines[line - 1] if 0 < line <= len(document.lines) else ""
    if column < 0:
        return TextSpan.whole_line(document, line)
    end = min(column + max(length, 1), len(text.rstrip()) or column + 1)
    return TextSpan(document, line, column + 1, line, max(end, column + 1) + 1)


def requirement_file(project: Project, document: Document) -> list[Dependency]:
    found, options = requirement_lines(
        project, document, logical_lines(document.text), False, {document.path.resolve()}
    )
    return with_options(found, options)


def option_from(item: Item, where: str) -> Option:
    return Option(item.kind, item.value or item.token.text, where)


def with_options(found: list[Dependency], options: list[Option]) -> list[Dependency]:
    """Options in a requirement file (or an included one) hold for the whole pip run."""
    extra = tuple(options)
    return [replace(dependency, options=dependency.options + extra) for dependency in found]


def requirement_lines(
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
                span = text_span(document, line.number, item.token.offset, len(item.value))
                dependency = parse_requirement(item.value, span)
                if dependency is not None:
                    found.append(replace(dependency, shared=shared))
            elif item.kind in ("include", "constraint"):
                more, more_options = include_file(project, document, item.value, shared, seen)
                found += more
                options += more_options
            else:
                options.append(option_from(item, where))
    return found, options


def include_file(
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
    project.note_read(path)
    try:
        text = decode_text(read_bytes(path, DEFAULT_MAX_BYTES))
    except (OSError, SourceError):
        return [], []
    display = project.display_of(path) or posixpath.normpath(
        posixpath.join(posixpath.dirname(document.display), target)
    )
    included = Document(path, display, "requirements", text)
    return requirement_lines(
        project, included, logical_lines(text), shared or project.scans(path), seen
    )
