"""A parsed module of the scanned tree with the index the resolver and the checks read."""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ecolint.analysis.bindings import AttrAssign, Guard, Mutation, Scope
from ecolint.analysis.dict_entries import DictEntries, DictEntry
from ecolint.analysis.indexer import IndexBuilder
from ecolint.analysis.positions import CodeRange, LineOffsets

if TYPE_CHECKING:
    from ecolint.sources.notebook import NotebookModule


class ModuleInfo:
    """A parsed module plus the index the resolver and the checks read."""

    def __init__(
        self,
        path: Path,
        display: str,
        name: str,
        module: ast.Module,
        text: str,
        is_package: bool = False,
        notebook: NotebookModule | None = None,
    ) -> None:
        self.path = path
        self.text = text
        self.notebook = notebook  # positions map back to cells when the module is a notebook
        self.display = display
        self.name = name  # dotted module name inside the scanned tree
        self.is_package = is_package
        self.module = module
        builder = IndexBuilder(module)
        builder.walk(module)
        self.root: Scope = builder.root
        self.scope_of: dict[ast.AST, Scope] = builder.scope_of
        self.order_of: dict[ast.AST, int] = builder.order_of
        self.guards_of: dict[ast.AST, tuple[Guard, ...]] = builder.guards_of
        self.calls: list[ast.Call] = builder.calls
        self.mutations: list[Mutation] = builder.mutations
        self.attr_assigns: list[AttrAssign] = builder.attr_assigns
        self.class_scopes: dict[ast.ClassDef, Scope] = builder.class_scopes
        self.returns: dict[ast.AST, list[ast.Return]] = builder.returns
        self.loops: list[ast.For | ast.AsyncFor | ast.comprehension] = builder.loops
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = builder.functions
        self._scopes = builder.scopes

    def release(self) -> None:
        """Break the index's reference cycles (a scope holds its bindings, each binding its
        scope) once the module is no longer analysed: its tree, millions of nodes across a
        project, is then freed by reference counting as soon as it is dropped, instead of
        waiting for (and costing) a pass of the cycle collector."""
        for scope in self._scopes:
            scope.bindings.clear()

    def __repr__(self) -> str:
        return f"ModuleInfo({self.display})"

    @cached_property
    def _offsets(self) -> LineOffsets:
        """Split into lines only when something is reported or quoted."""
        return LineOffsets(self.text)

    def position(self, node: ast.AST) -> CodeRange:
        return self._offsets.range_of(node)

    def code_for(self, node: ast.AST) -> str:
        """The node's source text exactly as written (continuation lines keep their indent)."""
        span = self.position(node)
        return self.text[self._offsets.offset(span.start) : self._offsets.offset(span.end)]

    def dict_entry(self, holder: ast.Dict, index: int) -> DictEntry:
        """The ``index``-th ``key: value`` pair of a dict literal, as one node."""
        return self._dict_entries.entry(holder, index)

    @cached_property
    def _dict_entries(self) -> DictEntries:
        return DictEntries()

    def calls_named(self, name: str) -> list[ast.Call]:
        return self._calls_by_name.get(name, [])

    @cached_property
    def _calls_by_name(self) -> dict[str, list[ast.Call]]:
        index: dict[str, list[ast.Call]] = defaultdict(list)
        for call in self.calls:
            func = call.func
            if isinstance(func, ast.Name):
                index[func.id].append(call)
            elif isinstance(func, ast.Attribute):
                index[func.attr].append(call)
        return index
