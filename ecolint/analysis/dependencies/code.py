"""Dependencies that code installs: ``setup()`` calls (``install_requires``, ``setup_requires``
and ``extras_require`` resolved like any other value), ``subprocess``/``os.system`` calls that
run ``pip install`` or ``conda install`` (argument lists resolved, shell strings split like a
shell), and a notebook's ``!pip``/``%pip``/``%conda`` lines and ``%%bash`` cells. Each word is
reported where it is written: a list item's string, or its column of a notebook line."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from ecolint.analysis.dependencies.model import (
    CONDA_NAMES,
    SAME_COMMAND,
    Dependency,
    Option,
    Where,
    include_file,
    option_from,
    parse_requirement,
    with_options,
)
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
from ecolint.sources.document import Document
from ecolint.sources.requirements import (
    Item,
    Token,
    conda_items,
    conda_spec,
    install_commands,
    pip_items,
    shell_words,
    strip_comment,
)

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


def setup_calls(resolver: Resolver, module: ModuleInfo) -> Iterator[Dependency]:
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
) -> Iterator[tuple[ast.Call, Any]]:
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


def command_calls(resolver: Resolver, module: ModuleInfo) -> Iterator[Dependency]:
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
                yield from install_dependencies(resolver.project, anchor, words, sites.__getitem__)
            elif isinstance(option, Const) and isinstance(option.value, str):
                site = option.origin or call_site
                words = shell_words(option.value)
                yield from install_dependencies(
                    resolver.project, anchor, words, lambda _, s=site: s
                )


def _text(value: Value) -> str:
    """A command word; one the resolver cannot read is blank and matches nothing."""
    return value.value if isinstance(value, Const) and isinstance(value.value, str) else ""


def _anchor(module: ModuleInfo) -> Document:
    """What a command's ``-r`` file is relative to: the folder of the code that runs it."""
    return Document(module.path, module.display, "requirements", "")


def notebook_commands(project: Project, module: ModuleInfo) -> Iterator[Dependency]:
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
            install = first and (first[0] in INSTALL_MAGICS or f"%{first[0]}" in INSTALL_MAGICS)
            if first and (shell_cell or first[0].startswith("!") or install):
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

    yield from install_dependencies(project, _anchor(module), words, site_of)


def install_dependencies(
    project: Project, anchor: Document, words: list[Token], site_of: Callable[[int], Where]
) -> Iterator[Dependency]:
    """Dependencies of each install command among ``words``; ``site_of`` says where the
    word at an index is reported."""
    index_of = {id(word): index for index, word in enumerate(words)}
    for command in install_commands(words):
        read = pip_items if command.tool == "pip" else conda_items
        items = read(command.words)
        kinds = ("index", "channel")
        options = tuple(option_from(item, SAME_COMMAND) for item in items if item.kind in kinds)
        found: list[Dependency] = []
        extra: list[Option] = []
        for item in items:
            site = site_of(index_of.get(id(item.token), 0))
            if item.kind in ("requirement", "editable"):
                dependency = _command_dependency(command.tool, item, site)
                if dependency is not None:
                    found.append(_in_command(dependency, options))
            elif item.kind in ("include", "constraint"):
                more, more_options = include_file(project, anchor, item.value, False, set())
                found += more
                extra += more_options
        yield from with_options(found, extra)


def _in_command(dependency: Dependency, options: tuple[Option, ...]) -> Dependency:
    """A conda spec's own channel (``pytorch-nightly::pytorch``) overrides the command's."""
    own = dependency.options
    if any(option.kind == "channel" for option in own):
        options = tuple(option for option in options if option.kind != "channel")
    return replace(dependency, options=own + options)


def _command_dependency(tool: str, item: Item, site: Where) -> Dependency | None:
    from packaging.utils import canonicalize_name  # imports packaging.tags: only when used

    if tool == "pip":
        return parse_requirement(item.value, site)
    spec = conda_spec(item.value)
    if spec is None:
        return None
    name = canonicalize_name(CONDA_NAMES.get(spec.name.lower(), spec.name))
    options = (Option("channel", spec.channel, SAME_COMMAND),) if spec.channel else ()
    return Dependency(name, item.value, spec.specifier, None, site, options)
