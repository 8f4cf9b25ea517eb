"""Command-line options written as Python lists: ``["vllm", "serve", model, "--max-num-seqs",
"1"]`` passed to ``subprocess``, or kept in a list literal for later. An option's value is
resolved like any other expression (``str(args.seqs)`` follows argparse defaults)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import Const, Site, Value


@dataclass(unsafe_hash=True)
class CliOption:
    flag: str
    value: Value
    site: Site  # the value element (or the ``--flag=value`` element)


def cli_options(
    resolver: Resolver, module: ModuleInfo, flags: frozenset[str]
) -> Iterator[CliOption]:
    """Reachable ``flag, value`` and ``flag=value`` pairs in list and tuple literals, once per
    call context of the code they are in."""
    for sequence in module.guards_of:
        if not isinstance(sequence, (ast.List, ast.Tuple)):
            continue
        elements = sequence.elts
        for index, element in enumerate(elements):
            text = _literal(element)
            if text is None:
                continue
            flag, equals, inline = text.partition("=")
            if flag not in flags:
                continue
            for env in resolver.contexts(module, sequence):
                if not resolver.reachable(module, sequence, env):
                    continue
                if equals:
                    yield CliOption(flag, Const(inline), Site(module, element))
                elif index + 1 < len(elements) and not isinstance(elements[index + 1], ast.Starred):
                    node = elements[index + 1]
                    value = resolver.value(module, node, env)
                    yield CliOption(flag, value, Site(module, node))


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
