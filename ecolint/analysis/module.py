"""One pass over a libcst module that records scopes, bindings, guards and calls.

This is the engine's own, lighter replacement for libcst's ScopeProvider: it keeps exactly what
value resolution needs (which assignment a name refers to, in source order, under which
``if`` conditions) and nothing else, so a module is walked once.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ecolint.sources.notebook import NotebookModule

ScopeKind = Literal["module", "class", "function", "lambda", "comprehension"]
BindingKind = Literal["assign", "import", "def", "class", "param", "loop", "unknown", "global-decl"]

BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True, repr=False)
class Guard:
    """An ``if``/``while``/ternary condition that must be ``polarity`` for a node to run."""

    test: cst.BaseExpression
    polarity: bool
    scope: Scope


@dataclass(eq=False, repr=False)
class Scope:
    kind: ScopeKind
    node: cst.CSTNode
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=lambda: defaultdict(list))
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)

    def __repr__(self) -> str:
        return f"Scope({self.kind} {self.name})"

    @property
    def name(self) -> str:
        node = self.node
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return node.name.value
        return "<module>" if self.kind == "module" else f"<{self.kind}>"


@dataclass(eq=False, repr=False)
class Binding:
    """One place a name gets a value: an assignment, import, def, class, parameter or loop."""

    name: str
    kind: BindingKind
    scope: Scope
    order: int
    node: cst.CSTNode  # the target name (or the def/class/import alias node)
    value: cst.BaseExpression | None = None
    path: tuple[int, ...] = ()  # index path for tuple unpacking
    guards: tuple[Guard, ...] = ()
    # Off the default path: set in an ``except`` handler, or rebound through ``global`` from a
    # function body. Such a binding is used only when no ordinary one exists.
    secondary: bool = False
    qualname: str | None = None  # imports: the imported dotted name
    import_level: int = 0  # relative import depth
    param: cst.Param | None = None

    def __repr__(self) -> str:
        return f"Binding({self.kind} {self.name} @{self.order})"


@dataclass(frozen=True)
class Mutation:
    """``name[key] = value`` on a dict held by a name, applied in source order."""

    binding_name: str
    scope: Scope
    key: cst.BaseExpression
    value: cst.BaseExpression
    order: int
    guards: tuple[Guard, ...]


@dataclass(frozen=True)
class AttrAssign:
    """``target.attr = value``: how models get compiled or reconfigured after loading."""

    target: cst.Attribute
    value: cst.BaseExpression
    scope: Scope
    guards: tuple[Guard, ...]
    order: int


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
        builder = _IndexBuilder(self)
        builder._walk(module)
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


_TRACKED = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.Arg,
    cst.DictElement,
    cst.Return,
    cst.List,  # command lines written as lists (``["vllm", "serve", ...]``)
    cst.Tuple,
)


_TRIVIA_MODULES = frozenset({"libcst._nodes.whitespace", "libcst._nodes.op"})
_TRIVIA_FIELDS = frozenset({"lpar", "rpar", "leading_lines", "lines_after_decorators", "footer"})


@cache
def _child_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    return tuple(
        item.name
        for item in fields(node_type)
        if item.name not in _TRIVIA_FIELDS and not item.name.startswith("whitespace")
    )


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Child nodes in field order, without whitespace, punctuation and operators: libcst's own
    visitor rebuilds every node it passes, which costs more than the whole index."""
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            if type(value).__module__ not in _TRIVIA_MODULES:
                yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, cst.CSTNode) and type(item).__module__ not in _TRIVIA_MODULES:
                    yield item


def walk(node: cst.CSTNode, prune: tuple[type[cst.CSTNode], ...] = ()) -> Iterator[cst.CSTNode]:
    """``node`` and every node below it in source order, without trivia; nodes of a ``prune``
    type below ``node`` are yielded but not entered (a nested ``def`` runs later, if at all)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is node or not isinstance(current, prune):
            stack.extend(reversed(list(children(current))))


class _IndexBuilder:
    """Walks a module once, calling ``visit_<Node>`` (False skips the children, which the
    method then walks itself) and ``leave_<Node>`` like a libcst visitor."""

    def __init__(self, info: ModuleInfo) -> None:
        self.info = info
        self.root = Scope("module", info.module, None)
        self.scope = self.root
        self.guards: tuple[Guard, ...] = ()
        self.order = 0
        self.scope_of: dict[cst.CSTNode, Scope] = {}
        self.order_of: dict[cst.CSTNode, int] = {}
        self.guards_of: dict[cst.CSTNode, tuple[Guard, ...]] = {}
        self.calls: list[cst.Call] = []
        self.mutations: list[Mutation] = []
        self.attr_assigns: list[AttrAssign] = []
        self.class_scopes: dict[cst.ClassDef, Scope] = {}
        self.returns: dict[cst.CSTNode, list[cst.Return]] = defaultdict(list)
        self.loops: list[cst.For | cst.BaseComp | cst.DictComp] = []
        self.functions: list[cst.FunctionDef] = []
        self.in_except = 0

    # -- bookkeeping -------------------------------------------------------------------------

    def _walk(self, node: cst.CSTNode | None) -> None:
        if node is None:
            return
        self.order += 1
        if isinstance(node, _TRACKED):
            self.scope_of[node] = self.scope
            self.order_of[node] = self.order
            self.guards_of[node] = self.guards
            if isinstance(node, cst.Call):
                self.calls.append(node)
            elif isinstance(node, cst.Return) and self.scope.kind == "function":
                self.returns[self.scope.node].append(node)
        name = type(node).__name__
        visit = getattr(self, f"visit_{name}", None)
        if visit is None or visit(node) is not False:
            for child in children(node):
                self._walk(child)
        leave = getattr(self, f"leave_{name}", None)
        if leave is not None:
            leave(node)

    def _bind(self, name: str, kind: BindingKind, node: cst.CSTNode, **extra: object) -> Binding:
        scope = self.scope
        secondary = self.in_except > 0
        if name in scope.global_names and scope is not self.root:
            scope = self.root
            secondary = True
        binding = Binding(
            secondary=secondary,
            name=name,
            kind=kind,
            scope=scope,
            order=self.order,
            node=node,
            guards=self.guards,
            **extra,  # type: ignore[arg-type]
        )
        scope.bindings[name].append(binding)
        return binding

    def _with_guard(self, guard: Guard | None, node: cst.CSTNode | None) -> None:
        saved = self.guards
        if guard is not None:
            self.guards = (*saved, guard)
        self._walk(node)
        self.guards = saved

    def _enter(self, kind: ScopeKind, node: cst.CSTNode) -> Scope:
        parent = self.scope
        self.scope = Scope(kind, node, parent)
        return parent

    # -- targets -----------------------------------------------------------------------------

    def _bind_target(
        self, target: cst.BaseExpression, value: cst.BaseExpression | None, path: tuple[int, ...]
    ) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, "assign", target, value=value, path=path)
        elif isinstance(target, (cst.Tuple, cst.List)):
            starred = any(isinstance(el, cst.StarredElement) for el in target.elements)
            for index, element in enumerate(target.elements):
                inner = element.value
                if starred or isinstance(element, cst.StarredElement):
                    self._bind_unknown(inner)
                else:
                    self._bind_target(inner, value, (*path, index))
        elif isinstance(target, cst.Subscript) and value is not None and not path:
            base = target.value
            if isinstance(base, cst.Name) and len(target.slice) == 1:
                index = target.slice[0].slice
                if isinstance(index, cst.Index):
                    self.mutations.append(
                        Mutation(
                            base.value, self.scope, index.value, value, self.order, self.guards
                        )
                    )
        elif isinstance(target, cst.Attribute) and value is not None and not path:
            self.attr_assigns.append(AttrAssign(target, value, self.scope, self.guards, self.order))

    def _bind_unknown(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, "unknown", target)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_unknown(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_unknown(target.value)

    def _bind_loop_target(
        self, target: cst.BaseExpression, iterable: cst.BaseExpression | None
    ) -> None:
        """A plain loop name keeps its iterable, so a loop over constants resolves to one of
        them; unpacking targets are unknown."""
        if isinstance(target, cst.Name):
            self._bind(target.value, "loop", target, value=iterable)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_loop_target(element.value, None)

    # -- statements --------------------------------------------------------------------------

    def leave_Assign(self, original_node: cst.Assign) -> None:
        for target in original_node.targets:
            self._bind_target(target.target, original_node.value, ())

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        target = original_node.target
        if original_node.value is not None:
            self._bind_target(target, original_node.value, ())
        elif isinstance(target, cst.Name) and self.scope.kind == "class":
            # A bare annotation in a class body is a (dataclass) field without a default.
            self._bind(target.value, "unknown", target)

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        self._bind_unknown(original_node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> bool:
        self._walk(node.value)
        if isinstance(node.target, cst.Name):
            scope = self.scope
            while scope.kind == "comprehension" and scope.parent is not None:
                scope = scope.parent
            saved, self.scope = self.scope, scope
            self._bind(node.target.value, "assign", node.target, value=node.value)
            self.scope = saved
        return False

    def visit_Global(self, node: cst.Global) -> None:
        self.scope.global_names.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.scope.nonlocal_names.update(item.name.value for item in node.names)

    def leave_Import(self, original_node: cst.Import) -> None:
        for alias in original_node.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(alias.asname.name.value, "import", alias, qualname=dotted)
            else:
                head = dotted.split(".")[0]
                self._bind(head, "import", alias, qualname=head)

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        if isinstance(original_node.names, cst.ImportStar):
            return
        base = _dotted(original_node.module) if original_node.module is not None else ""
        level = len(original_node.relative)
        for alias in original_node.names:
            imported = _dotted(alias.name)
            local = imported
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            qualname = f"{base}.{imported}" if base else imported
            self._bind(local, "import", alias, qualname=qualname, import_level=level)

    def visit_If(self, node: cst.If) -> bool:
        self._walk(node.test)
        scope = self.scope
        self._with_guard(Guard(node.test, True, scope), node.body)
        self._with_guard(Guard(node.test, False, scope), node.orelse)
        # `if cond: return` guards the rest of the block with `not cond` (and vice versa).
        if _terminates(node.body) and node.orelse is None:
            self.guards = (*self.guards, Guard(node.test, False, scope))
        elif (
            isinstance(node.orelse, cst.Else)
            and _terminates(node.orelse.body)
            and not _terminates(node.body)
        ):
            self.guards = (*self.guards, Guard(node.test, True, scope))
        return False

    def visit_While(self, node: cst.While) -> bool:
        self._walk(node.test)
        self._with_guard(Guard(node.test, True, self.scope), node.body)
        self._with_guard(None, node.orelse)
        return False

    def visit_IfExp(self, node: cst.IfExp) -> bool:
        self._walk(node.test)
        scope = self.scope
        self._with_guard(Guard(node.test, True, scope), node.body)
        self._with_guard(Guard(node.test, False, scope), node.orelse)
        return False

    def visit_For(self, node: cst.For) -> bool:
        self.loops.append(node)
        self._walk(node.iter)
        self._bind_loop_target(node.target, node.iter)
        self._with_guard(None, node.body)
        self._walk(node.orelse)
        return False

    def leave_WithItem(self, original_node: cst.WithItem) -> None:
        if original_node.asname is not None:
            self._bind_unknown(original_node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        """The default path raises no exception: what a handler binds is a fallback."""
        self._walk(node.type)
        self.in_except += 1
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind(node.name.name.value, "unknown", node.name.name)
        self._walk(node.body)
        self.in_except -= 1
        return False

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> bool:
        self._walk(node.type)
        self.in_except += 1
        if isinstance(node.name, cst.AsName) and isinstance(node.name.name, cst.Name):
            self._bind(node.name.name.value, "unknown", node.name.name)
        self._walk(node.body)
        self.in_except -= 1
        return False

    # -- scopes ------------------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.functions.append(node)
        for decorator in node.decorators:
            self._walk(decorator)
        self._walk_param_defaults(node.params)
        self._walk(node.returns)
        parent = self._enter("function", node)
        self._bind_params(node.params)
        self._with_guard(None, node.body)
        self.scope = parent
        self._bind(node.name.value, "def", node)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self._walk_param_defaults(node.params)
        parent = self._enter("lambda", node)
        self._bind_params(node.params)
        self._walk(node.body)
        self.scope = parent
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for decorator in node.decorators:
            self._walk(decorator)
        for base in (*node.bases, *node.keywords):
            self._walk(base)
        parent = self._enter("class", node)
        self.class_scopes[node] = self.scope
        self._with_guard(None, node.body)
        self.scope = parent
        self._bind(node.name.value, "class", node)
        return False

    def _comprehension(self, node: cst.BaseComp | cst.DictComp, parts: list[cst.CSTNode]) -> bool:
        self.loops.append(node)
        parent = self._enter("comprehension", node)
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            self._walk(clause.iter)
            self._bind_loop_target(clause.target, clause.iter)
            for condition in clause.ifs:
                self._walk(condition)
            clause = clause.inner_for_in
        for part in parts:
            self._walk(part)
        self.scope = parent
        return False

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_SetComp(self, node: cst.SetComp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_DictComp(self, node: cst.DictComp) -> bool:
        return self._comprehension(node, [node.key, node.value])

    def _walk_param_defaults(self, params: cst.Parameters) -> None:
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self._walk(param.default)
            self._walk(param.annotation)

    def _bind_params(self, params: cst.Parameters) -> None:
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self._bind(param.name.value, "param", param.name, param=param)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self._bind(star.name.value, "unknown", star.name)


def _terminates(block: cst.BaseSuite) -> bool:
    """Whether a block always leaves the function (ends in ``return`` or ``raise``)."""
    if not isinstance(block, cst.IndentedBlock) or not block.body:
        if isinstance(block, cst.SimpleStatementSuite) and block.body:
            return isinstance(block.body[-1], (cst.Return, cst.Raise))
        return False
    last = block.body[-1]
    return (
        isinstance(last, cst.SimpleStatementLine)
        and bool(last.body)
        and isinstance(last.body[-1], (cst.Return, cst.Raise))
    )


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""
