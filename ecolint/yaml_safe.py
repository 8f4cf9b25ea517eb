"""YAML is only ever read with PyYAML's safe loader: its C implementation (libyaml) where the
installed PyYAML has it, several times faster than the pure-Python one, else the latter.

The safe loader still expands aliases, and a scanned repository chooses its YAML: an alias
inside the node it names (``a: &a {b: *a}``) makes a graph every walk over it follows forever,
and nine lines of nested aliases ("billion laughs") stand for a billion nodes. Before anything
is composed, the document's events are counted as if every alias were expanded; a recursive
alias, or more than ``MAX_EXPANDED_NODES``, refuses the document (``AliasError``). Aliases used
the ordinary way (shared defaults in a training config) stay well under the bound.
"""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_EXPANDED_NODES = 100_000


class AliasError(yaml.YAMLError):
    """A document whose aliases are recursive or expand past ``MAX_EXPANDED_NODES``."""


def check_aliases(text: str) -> None:
    """Raise ``AliasError`` when expanding the aliases of ``text`` is unbounded or too large.
    A document without ``*`` has no alias and costs nothing more."""
    if "*" not in text:
        return
    sizes: dict[str, int] = {}  # anchor → nodes it stands for, once expanded
    open_nodes: list[tuple[str | None, int]] = []  # collections being read: (anchor, total so far)
    expanded = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            open_nodes.append((event.anchor, expanded))
            expanded += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, start = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = expanded - start
        elif isinstance(event, yaml.ScalarEvent):
            expanded += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                raise AliasError(
                    f"alias *{event.anchor} (line {event.start_mark.line + 1}) is inside the"
                    f" node &{event.anchor} it names: a recursive alias is not expanded"
                )
            expanded += sizes.get(event.anchor or "", 1)
            if expanded > MAX_EXPANDED_NODES:
                raise AliasError(
                    f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes by line"
                    f" {event.start_mark.line + 1} (an alias bomb?); not expanded"
                )


def safe_load(text: str) -> Any:
    check_aliases(text)
    return yaml.load(text, Loader=SAFE_LOADER)


def compose(text: str) -> yaml.Node | None:
    """The node graph of a one-document stream, aliases bounded as above."""
    check_aliases(text)
    return yaml.compose(text, Loader=SAFE_LOADER)


def compose_all(text: str) -> list[yaml.Node]:
    """The node graphs of every document of a stream, aliases bounded as above."""
    check_aliases(text)
    return list(yaml.compose_all(text, Loader=SAFE_LOADER))
