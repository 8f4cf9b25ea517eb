"""A parsed module of the scanned tree with the index the resolver and the checks read."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from pathlib import Path

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ecolint.analysis.bindings import AttrAssign, Guard, Mutation, Scope
from ecolint.analysis.indexer import IndexBuilder
from ecolint.sources.notebook import NotebookModule


class ModuleInfo:
    """A parsed module plus the index the resolver and the checks read."""

    def __init__(
        self,
        path: Path,
        display: str,
        name: str,
        module: cst.Module,
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
        self.scope_of: dict[cst.CSTNode, Scope] = builder.scope_of
        self.order_of: dict[cst.CSTNode, int] = builder.order_of
        self.guards_of: dict[cst.CSTNode, tuple[Guard, ...]] = builder.guards_of
        self.calls: list[cst.Call] = builder.calls
        self.mutations: list[Mutation] = builder.mutations
        self.attr_assigns: list[AttrAssign] = builder.attr_assigns
        self.class_scopes: dict[cst.ClassDef, Scope] = builder.class_scopes
        self.returns: dict[cst.CSTNode, list[cst.Return]] = builder.returns
        self.loops: list[cst.For | cst.BaseComp | cst.DictComp] = builder.loops
        self.functions: list[cst.FunctionDef] = builder.functions

    def __repr__(self) -> str:
        return f"ModuleInfo({self.display})"

    @cached_property
    def positions(self) -> dict[cst.CSTNode, CodeRange]:
        """Computed only when something is reported: position metadata costs a codegen pass."""
        wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        return dict(wrapper.resolve(PositionProvider))

    def position(self, node: cst.CSTNode) -> CodeRange:
        return self.positions[node]

    def calls_named(self, name: str) -> list[cst.Call]:
        return self._calls_by_name.get(name, [])

    @cached_property
    def _calls_by_name(self) -> dict[str, list[cst.Call]]:
        index: dict[str, list[cst.Call]] = defaultdict(list)
        for call in self.calls:
            func = call.func
            if isinstance(func, cst.Name):
                index[func.value].append(call)
            elif isinstance(func, cst.Attribute):
                index[func.attr.value].append(call)
        return index
