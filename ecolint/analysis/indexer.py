"""One pass over an ``ast`` module that records scopes, bindings, guards and calls.

This is the engine's own, lighter replacement for a full scope analysis: it keeps exactly what
value resolution needs (which assignment a name refers to, in source order, under which
``if`` conditions) and nothing else, so a module is walked once.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable, Sequence

from ecolint.analysis.bindings import (
    AttrAssign,
    Binding,
    BindingKind,
    Guard,
    Mutation,
    Scope,
    ScopeKind,
    parameters,
)
from ecolint.sources.ast_children import child_nodes

_TRACKED = frozenset(
    {
        ast.Name,
        ast.Attribute,
        ast.Call,
        ast.Subscript,
        ast.keyword,
        ast.Dict,
        ast.Return,
        ast.List,  # command lines written as lists (``["vllm", "serve", ...]``)
        ast.Tuple,
    }
)
_LEAVES = frozenset({ast.Name, ast.Constant})
Loop = ast.For | ast.AsyncFor | ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
Function = ast.FunctionDef | ast.AsyncFunctionDef
Walkable = ast.AST | Sequence[ast.AST] | None


class IndexBuilder:
    """Walks a module once, calling ``visit_<Node>`` (False skips the children, which the
    method then walks itself) and ``leave_<Node>`` like a visitor."""

    def __init__(self, module: ast.Module) -> None:
        self.root = Scope("module", module, None)
        self.scope = self.root
        self.scopes: list[Scope] = [self.root]
        self.guards: tuple[Guard, ...] = ()
        self.order = 0
        self.scope_of: dict[ast.AST, Scope] = {}
        self.order_of: dict[ast.AST, int] = {}
        self.guards_of: dict[ast.AST, tuple[Guard, ...]] = {}
        self.calls: list[ast.Call] = []
        self.mutations: list[Mutation] = []
        self.attr_assigns: list[AttrAssign] = []
        self.class_scopes: dict[ast.ClassDef, Scope] = {}
        self.returns: dict[ast.AST, list[ast.Return]] = defaultdict(list)
        self.loops: list[Loop] = []
        self.functions: list[Function] = []
        self.in_except = 0

    # -- bookkeeping -------------------------------------------------------------------------

    def walk(self, node: Walkable) -> None:
        if node is None:
            return
        if not isinstance(node, ast.AST):
            for item in node:
                self.walk(item)
            return
        self.order += 1
        node_type = type(node)
        if node_type in _LEAVES:  # a third of a module's nodes: nothing below, no handlers
            if node_type is ast.Name:
                self._track(node)
            return
        if node_type in _TRACKED:
            self._track(node)
            if node_type is ast.Call:
                self.calls.append(node)  # type: ignore[arg-type]
                for argument in node.args:  # type: ignore[attr-defined]
                    self._track(argument)  # a positional argument is a site, like a keyword
            elif node_type is ast.Return and self.scope.kind == "function":
                self.returns[self.scope.node].append(node)  # type: ignore[arg-type]
        visit, leave = _HANDLERS.get(node_type) or _handlers(node_type)
        if visit is None or visit(self, node) is not False:
            for child in child_nodes(node):
                self.walk(child)
        if leave is not None:
            leave(self, node)

    def _track(self, node: ast.AST) -> None:
        self.scope_of[node] = self.scope
        self.order_of[node] = self.order
        self.guards_of[node] = self.guards

    def _bind(self, name: str, kind: BindingKind, node: ast.AST, **extra: object) -> Binding:
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

    def _with_guard(self, guard: Guard | None, node: Walkable) -> None:
        saved = self.guards
        if guard is not None:
            self.guards = (*saved, guard)
        self.walk(node)
        self.guards = saved

    def _enter(self, kind: ScopeKind, node: ast.AST) -> Scope:
        parent = self.scope
        self.scope = Scope(kind, node, parent)
        self.scopes.append(self.scope)
        return parent

    # -- targets -----------------------------------------------------------------------------

    def _bind_target(self, target: ast.expr, value: ast.expr | None, path: tuple[int, ...]) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, "assign", target, value=value, path=path)
        elif isinstance(target, (ast.Tuple, ast.List)):
            starred = any(isinstance(element, ast.Starred) for element in target.elts)
            for position, element in enumerate(target.elts):
                if starred:
                    self._bind_unknown(element)
                else:
                    self._bind_target(element, value, (*path, position))
        elif isinstance(target, ast.Subscript) and value is not None and not path:
            base = target.value
            if isinstance(base, ast.Name) and not isinstance(target.slice, (ast.Slice, ast.Tuple)):
                self.mutations.append(
                    Mutation(base.id, self.scope, target.slice, value, self.order, self.guards)
                )
        elif isinstance(target, ast.Attribute) and value is not None and not path:
            self.attr_assigns.append(AttrAssign(target, value, self.scope, self.guards, self.order))

    def _bind_unknown(self, target: ast.AST | None) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, "unknown", target)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_unknown(element)
        elif isinstance(target, ast.Starred):
            self._bind_unknown(target.value)

    def _bind_loop_target(self, target: ast.expr, iterable: ast.expr | None) -> None:
        """A plain loop name keeps its iterable, so a loop over constants resolves to one of
        them; unpacking targets are unknown."""
        if isinstance(target, ast.Name):
            self._bind(target.id, "loop", target, value=iterable)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                if isinstance(element, ast.Starred):
                    self._bind_loop_target(element.value, None)
                else:
                    self._bind_loop_target(element, None)

    # -- statements --------------------------------------------------------------------------

    def leave_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._bind_target(target, node.value, ())

    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        target = node.target
        if node.value is not None:
            self._bind_target(target, node.value, ())
        elif isinstance(target, ast.Name) and self.scope.kind == "class":
            # A bare annotation in a class body is a (dataclass) field without a default.
            self._bind(target.id, "unknown", target)

    def leave_AugAssign(self, node: ast.AugAssign) -> None:
        self._bind_unknown(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> bool:
        self.walk(node.value)
        self.walk(node.target)
        scope = self.scope
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        saved, self.scope = self.scope, scope
        self._bind(node.target.id, "assign", node.target, value=node.value)
        self.scope = saved
        return False

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.global_names.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocal_names.update(node.names)

    def leave_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname is not None:
                self._bind(alias.asname, "import", alias, qualname=alias.name)
            else:
                head = alias.name.split(".")[0]
                self._bind(head, "import", alias, qualname=head)

    def leave_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                return
            local = alias.asname or alias.name
            qualname = f"{base}.{alias.name}" if base else alias.name
            self._bind(local, "import", alias, qualname=qualname, import_level=node.level or 0)

    def visit_If(self, node: ast.If) -> bool:
        self.walk(node.test)
        scope = self.scope
        self._with_guard(Guard(node.test, True, scope), node.body)
        self._with_guard(Guard(node.test, False, scope), node.orelse)
        # `if cond: return` guards the rest of the block with `not cond` (and vice versa).
        if _terminates(node.body) and not node.orelse:
            self.guards = (*self.guards, Guard(node.test, False, scope))
        elif node.orelse and _terminates(node.orelse) and not _terminates(node.body):
            self.guards = (*self.guards, Guard(node.test, True, scope))
        return False

    def visit_While(self, node: ast.While) -> bool:
        self.walk(node.test)
        self._with_guard(Guard(node.test, True, self.scope), node.body)
        self._with_guard(None, node.orelse)
        return False

    def visit_IfExp(self, node: ast.IfExp) -> bool:
        self.walk(node.test)
        scope = self.scope
        self._with_guard(Guard(node.test, True, scope), node.body)
        self._with_guard(Guard(node.test, False, scope), node.orelse)
        return False

    def visit_For(self, node: ast.For | ast.AsyncFor) -> bool:
        self.loops.append(node)
        self.walk(node.iter)
        self.walk(node.target)
        self._bind_loop_target(node.target, node.iter)
        self._with_guard(None, node.body)
        self.walk(node.orelse)
        return False

    visit_AsyncFor = visit_For

    def leave_withitem(self, node: ast.withitem) -> None:
        self._bind_unknown(node.optional_vars)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> bool:
        """The default path raises no exception: what a handler binds is a fallback."""
        self.walk(node.type)
        self.in_except += 1
        if node.name is not None:
            self._bind(node.name, "unknown", node)
        self.walk(node.body)
        self.in_except -= 1
        return False

    # -- scopes ------------------------------------------------------------------------------

    def visit_FunctionDef(self, node: Function) -> bool:
        self.functions.append(node)
        self.walk(node.decorator_list)
        self._walk_param_defaults(node.args)
        self.walk(node.returns)
        parent = self._enter("function", node)
        self._bind_params(node.args)
        self._with_guard(None, node.body)
        self.scope = parent
        self._bind(node.name, "def", node)
        return False

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> bool:
        self._walk_param_defaults(node.args)
        parent = self._enter("lambda", node)
        self._bind_params(node.args)
        self.walk(node.body)
        self.scope = parent
        return False

    def visit_ClassDef(self, node: ast.ClassDef) -> bool:
        self.walk(node.decorator_list)
        self.walk(node.bases)
        self.walk(node.keywords)
        parent = self._enter("class", node)
        self.class_scopes[node] = self.scope
        self._with_guard(None, node.body)
        self.scope = parent
        self._bind(node.name, "class", node)
        return False

    def _comprehension(self, node: Loop, parts: list[ast.expr]) -> bool:
        self.loops.append(node)
        parent = self._enter("comprehension", node)
        for clause in node.generators:  # type: ignore[union-attr]
            self.walk(clause.iter)
            self.walk(clause.target)
            self._bind_loop_target(clause.target, clause.iter)
            self.walk(clause.ifs)
        self.walk(parts)
        self.scope = parent
        return False

    def visit_ListComp(self, node: ast.ListComp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_SetComp(self, node: ast.SetComp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_DictComp(self, node: ast.DictComp) -> bool:
        return self._comprehension(node, [node.key, node.value])

    def _walk_param_defaults(self, arguments: ast.arguments) -> None:
        for param, default in parameters(arguments):
            self.walk(default)
            self.walk(param.annotation)

    def _bind_params(self, arguments: ast.arguments) -> None:
        for param, default in parameters(arguments):
            self._bind(param.arg, "param", param, param=param, default=default)
        for star in (arguments.vararg, arguments.kwarg):
            if star is not None:
                self._bind(star.arg, "unknown", star)


_Handler = Callable[[IndexBuilder, ast.AST], object]
_HANDLERS: dict[type[ast.AST], tuple[_Handler | None, _Handler | None]] = {}


def _handlers(node_type: type[ast.AST]) -> tuple[_Handler | None, _Handler | None]:
    """The visit and leave methods of a node type, looked up on its first visit."""
    name = node_type.__name__
    found = _HANDLERS[node_type] = (
        getattr(IndexBuilder, f"visit_{name}", None),
        getattr(IndexBuilder, f"leave_{name}", None),
    )
    return found


def _terminates(block: list[ast.stmt]) -> bool:
    """Whether a block always leaves the function (ends in ``return`` or ``raise``)."""
    return bool(block) and isinstance(block[-1], (ast.Return, ast.Raise))
