"""One pass over a libcst module that records scopes, bindings, guards and calls.

This is the engine's own, lighter replacement for libcst's ScopeProvider: it keeps exactly what
value resolution needs (which assignment a name refers to, in source order, under which
``if`` conditions) and nothing else, so a module is walked once.
"""

from __future__ import annotations

from collections import defaultdict

import libcst as cst

from ecolint.analysis.bindings import (
    AttrAssign,
    Binding,
    BindingKind,
    Guard,
    Mutation,
    Scope,
    ScopeKind,
)
from ecolint.analysis.tree_walk import children

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


class IndexBuilder:
    """Walks a module once, calling ``visit_<Node>`` (False skips the children, which the
    method then walks itself) and ``leave_<Node>`` like a libcst visitor."""

    def __init__(self, module: cst.Module) -> None:
        self.root = Scope("module", module, None)
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

    def walk(self, node: cst.CSTNode | None) -> None:
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
                self.walk(child)
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
        self.walk(node)
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
        self.walk(node.value)
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
        self.walk(node.test)
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
        self.walk(node.test)
        self._with_guard(Guard(node.test, True, self.scope), node.body)
        self._with_guard(None, node.orelse)
        return False

    def visit_IfExp(self, node: cst.IfExp) -> bool:
        self.walk(node.test)
        scope = self.scope
        self._with_guard(Guard(node.test, True, scope), node.body)
        self._with_guard(Guard(node.test, False, scope), node.orelse)
        return False

    def visit_For(self, node: cst.For) -> bool:
        self.loops.append(node)
        self.walk(node.iter)
        self._bind_loop_target(node.target, node.iter)
        self._with_guard(None, node.body)
        self.walk(node.orelse)
        return False

    def leave_WithItem(self, original_node: cst.WithItem) -> None:
        if original_node.asname is not None:
            self._bind_unknown(original_node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        return self._handler(node)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> bool:
        return self._handler(node)

    def _handler(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
        """The default path raises no exception: what a handler binds is a fallback."""
        self.walk(node.type)
        self.in_except += 1
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind(node.name.name.value, "unknown", node.name.name)
        self.walk(node.body)
        self.in_except -= 1
        return False

    # -- scopes ------------------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.functions.append(node)
        for decorator in node.decorators:
            self.walk(decorator)
        self._walk_param_defaults(node.params)
        self.walk(node.returns)
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
        self.walk(node.body)
        self.scope = parent
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for decorator in node.decorators:
            self.walk(decorator)
        for base in (*node.bases, *node.keywords):
            self.walk(base)
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
            self.walk(clause.iter)
            self._bind_loop_target(clause.target, clause.iter)
            for condition in clause.ifs:
                self.walk(condition)
            clause = clause.inner_for_in
        for part in parts:
            self.walk(part)
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
            self.walk(param.default)
            self.walk(param.annotation)

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
