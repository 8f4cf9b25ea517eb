"""The resolver's entry points: names, bindings, imports, attributes and reachability."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import replace

from ecolint.analysis.bindings import BUILTIN_NAMES, Binding, Guard, Scope
from ecolint.analysis.facts import Facts, ValueKey
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.project import Project
from ecolint.analysis.resolver.call_context import EMPTY, Env
from ecolint.analysis.resolver.calls import bind_arguments
from ecolint.analysis.resolver.classes import class_attribute
from ecolint.analysis.resolver.expressions import evaluate, index
from ecolint.analysis.values import (
    ClassVal,
    Const,
    DictVal,
    Entry,
    FuncVal,
    Hop,
    ModuleVal,
    ObjVal,
    OneOf,
    Ref,
    SeqVal,
    Site,
    Unknown,
    Value,
    truth,
    with_hop,
)

CONTEXT_DEPTH = 3  # calls out from a function whose contexts are followed
MAX_CONTEXTS = 16  # contexts of one function, so that call chains cannot multiply without end


class Resolver:
    """One per run, shared by every check, so that what one rule works out serves the others."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.facts = Facts()
        self.call_depth = 0  # calls into scanned functions being followed right now
        self._active: set[ValueKey] = set()  # values being computed: asked again, a cycle
        self._in_condition = False

    # -- entry points ------------------------------------------------------------------------

    def value(self, module: ModuleInfo, node: ast.expr, env: Env = EMPTY) -> Value:
        key: ValueKey = (node, env, self._in_condition)
        cached = self.facts.values.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            return Unknown("the value depends on itself")
        self._active.add(key)
        try:
            result = evaluate(self, module, node, env)
        except RecursionError:
            result = Unknown("expression nests too deeply")
        finally:
            self._active.discard(key)
        self.facts.values[key] = result
        return result

    def qualname(self, module: ModuleInfo, node: ast.expr, env: Env = EMPTY) -> str:
        """The dotted name an expression refers to (``transformers.BitsAndBytesConfig``), or ''.

        Imports answer syntactically, without parsing the imported module: naming a callee must
        stay cheap, since every call in a file may be asked about."""
        if isinstance(node, ast.Attribute):
            base = self.qualname(module, node.value, env)
            return f"{base}.{node.attr}" if base else ""
        if isinstance(node, ast.Name):
            binding = self.lookup(module, node, env)
            if binding is None:
                return f"builtins.{node.id}" if node.id in BUILTIN_NAMES else ""
            if binding.kind == "import":
                return absolute_import(module, binding)
            if binding.kind == "class":
                return f"{module.name}.{binding.name}"
            if binding.kind != "assign":
                return ""
        value = self.value(module, node, env)
        if isinstance(value, Ref):
            return value.qualname
        if isinstance(value, ClassVal):
            return value.qualname
        return ""

    def calls_to(
        self, module: ModuleInfo, names: frozenset[str], accept: Callable[[str], bool]
    ) -> Iterator[tuple[ast.Call, str]]:
        """Calls whose callee ``accept`` recognises by qualified name. ``x.attr(...)`` calls
        are filtered by ``attr`` first; bare names are resolved, since they may be aliases."""
        for call in module.calls:
            func = call.func
            if isinstance(func, ast.Attribute):
                if func.attr not in names:
                    continue
            elif not isinstance(func, ast.Name):
                continue
            qualname = self.qualname(module, func)
            if accept(qualname):
                yield call, qualname

    def calls_in_contexts(
        self, module: ModuleInfo, names: frozenset[str], accept: Callable[[str], bool]
    ) -> Iterator[tuple[ast.Call, Env, str]]:
        """Reachable calls to what ``accept`` recognises, once per call context."""
        for call, qualname in self.calls_to(module, names, accept):
            for env in self.contexts(module, call):
                if self.reachable(module, call, env):
                    yield call, env, qualname

    def reachable(self, module: ModuleInfo, node: ast.AST, env: Env = EMPTY) -> bool:
        """False only when a guarding condition is known to be contrary on the default path."""
        return self._all_hold(module, module.guards_of.get(node, ()), env)

    def _all_hold(self, module: ModuleInfo, guards: tuple[Guard, ...], env: Env) -> bool:
        return all(self._holds(module, guard, env) for guard in guards)

    def _holds(self, module: ModuleInfo, guard: Guard, env: Env) -> bool:
        """Whether a guard may hold. Conditions do not follow imports into other scanned
        modules: ``if is_torch_available():`` must not parse half a package."""
        saved, self._in_condition = self._in_condition, True
        try:
            known = truth(self.value(module, guard.test, env))
        finally:
            self._in_condition = saved
        return known is None or known == guard.polarity

    def contexts(self, module: ModuleInfo, node: ast.AST, depth: int = CONTEXT_DEPTH) -> list[Env]:
        """The call contexts code at ``node`` runs in: one per call site of its function, each
        in the contexts of the function that call is in, up to ``depth`` calls out (a script's
        ``run(load_in_8bit=False)`` reaches the loader two helpers down), or the parameters'
        defaults when the function is not called in the module."""
        scope = module.scope_of.get(node)
        while scope is not None and scope.kind not in ("function", "lambda"):
            scope = scope.parent
        if scope is None or not isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return [EMPTY]
        function = scope.node
        key = ("contexts", module, function, depth)
        return self.facts.memo(key, lambda: self._call_contexts(module, function, depth))

    def _call_contexts(
        self, module: ModuleInfo, function: ast.FunctionDef | ast.AsyncFunctionDef, depth: int
    ) -> list[Env]:
        envs: list[Env] = []
        for call in module.calls_named(function.name):
            if not isinstance(call.func, ast.Name):
                continue
            target = self.value(module, call.func)
            if (
                isinstance(target, FuncVal)
                and target.node is function
                and self.reachable(module, call)
            ):
                outer = self.contexts(module, call, depth - 1) if depth > 1 else [EMPTY]
                for env in outer[: MAX_CONTEXTS - len(envs)]:
                    envs.append(bind_arguments(self, module, call, env, function))
        return envs or [EMPTY]

    # -- names -------------------------------------------------------------------------------

    def lookup(self, module: ModuleInfo, node: ast.Name, env: Env = EMPTY) -> Binding | None:
        name = node.id
        scope = module.scope_of.get(node)
        if scope is None:
            return None
        if name in scope.global_names:
            return self.last_binding(module, module.root, name, None, env)
        first = True
        current: Scope | None = scope
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent
                continue
            if name in current.bindings and name not in current.nonlocal_names:
                before = module.order_of.get(node) if first else None
                return self.last_binding(module, current, name, before, env)
            first = False
            current = current.parent
        return None

    def last_binding(
        self, module: ModuleInfo, scope: Scope, name: str, before: int | None, env: Env
    ) -> Binding | None:
        """The last binding of ``name`` in ``scope`` (before order ``before``) that may run;
        one off the default path only when there is no other."""
        fallback = None
        for binding in reversed(scope.bindings.get(name, [])):
            if before is not None and binding.order >= before:
                continue
            if not self._all_hold(module, binding.guards, env):
                continue
            if not binding.secondary:
                return binding
            fallback = fallback or binding
        return fallback

    def binding_value(self, module: ModuleInfo, binding: Binding, env: Env = EMPTY) -> Value:
        site = Site(module, binding.node)
        if binding.kind == "assign" and binding.value is not None:
            value = self.value(module, binding.value, env)
            for position in binding.path:
                value = index(value, position)
            value = self._apply_mutations(module, binding, value, env)
            label = binding.name
            if binding.scope.kind == "class":
                label = f"{binding.scope.name}.{binding.name}"
            return with_hop(value, Hop("variable", label, site))
        if binding.kind == "import":
            return self._import_value(module, binding)
        if binding.kind == "def" and isinstance(
            binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            return FuncVal(module=module, node=binding.node, origin=site)
        if binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
            return ClassVal(
                module=module,
                node=binding.node,
                qualname=f"{module.name}.{binding.name}",
                origin=site,
            )
        if binding.kind == "param" and binding.param is not None:
            return self._param_value(module, binding, env)
        if binding.kind == "loop" and binding.value is not None:
            return self._loop_value(module, binding, env)
        return Unknown(f"'{binding.name}' is assigned in a way that is not tracked")

    def _loop_value(self, module: ModuleInfo, binding: Binding, env: Env) -> Value:
        """A loop over a literal sequence (or a dict's keys) takes one of its items."""
        assert binding.value is not None
        iterable = self.value(module, binding.value, env)
        if isinstance(iterable, SeqVal) and iterable.items:
            items: tuple[Value, ...] = iterable.items
        elif isinstance(iterable, DictVal) and iterable.entries and not iterable.open:
            items = tuple(Const(key, origin=entry.site) for key, entry in iterable.entries.items())
        else:
            return Unknown(f"loop variable '{binding.name}'")
        hop = Hop("loop_variable", binding.name, Site(module, binding.node))
        return OneOf(options=tuple(with_hop(item, hop) for item in items))

    def _param_value(self, module: ModuleInfo, binding: Binding, env: Env) -> Value:
        param = binding.param
        assert param is not None
        if param in env.params:
            value = env.params[param]
            if env.call is not None:
                value = with_hop(value, Hop("argument", binding.name, env.call))
            return value
        if binding.default is None:
            return Unknown(f"parameter '{binding.name}' has no default")
        value = self.value(module, binding.default, EMPTY)
        return with_hop(value, Hop("parameter_default", binding.name, Site(module, param)))

    def _apply_mutations(
        self, module: ModuleInfo, binding: Binding, value: Value, env: Env
    ) -> Value:
        if not isinstance(value, DictVal):
            return value
        later = [
            other.order
            for other in binding.scope.bindings.get(binding.name, [])
            if other.order > binding.order
        ]
        limit = min(later, default=None)
        entries = dict(value.entries)
        changed = False
        for mutation in module.mutations:
            if mutation.binding_name != binding.name or mutation.scope is not binding.scope:
                continue
            if mutation.order <= binding.order or (limit is not None and mutation.order > limit):
                continue
            if not self._all_hold(module, mutation.guards, env):
                continue
            key = self.value(module, mutation.key, env)
            if isinstance(key, Const) and isinstance(key.value, str):
                entries[key.value] = Entry(
                    self.value(module, mutation.value, env), Site(module, mutation.value)
                )
                changed = True
        return replace(value, entries=entries) if changed else value

    def _import_value(self, module: ModuleInfo, binding: Binding) -> Value:
        qualname = binding.qualname or ""
        site = Site(module, binding.node)
        if self._in_condition and self.project.provides(module, qualname, binding.import_level):
            return Unknown(f"'{qualname}' comes from a scanned module (not followed in conditions)")
        target = self.project.resolve_import(module, qualname, binding.import_level)
        if target is not None:
            found, rest = target
            value: Value = ModuleVal(module=found, origin=site)
            for attr in rest:
                value = self.attribute(value, attr)
            return value
        if binding.import_level:
            return Unknown(f"relative import of '{qualname}' outside the scanned files")
        return Ref(qualname=qualname, origin=site)

    # -- attributes --------------------------------------------------------------------------

    def attribute(self, base: Value, attr: str) -> Value:
        if isinstance(base, Ref):
            return Ref(qualname=f"{base.qualname}.{attr}", origin=base.origin)
        if isinstance(base, ModuleVal) and base.module is not None:
            return self._module_attribute(base.module, attr)
        if isinstance(base, ObjVal):
            if attr in base.attrs:
                return base.attrs[attr]
            return Unknown(f"'{attr}' is not a known attribute of {base.name or base.kind}")
        if isinstance(base, ClassVal) and base.module is not None and base.node is not None:
            return class_attribute(self, base.module, base.node, attr)
        if isinstance(base, OneOf):
            return OneOf(options=tuple(self.attribute(option, attr) for option in base.options))
        return Unknown(f"attribute '{attr}' of an unknown object")

    def _module_attribute(self, module: ModuleInfo, attr: str) -> Value:
        binding = self.last_binding(module, module.root, attr, None, EMPTY)
        if binding is not None:
            return self.binding_value(module, binding, EMPTY)
        if module.is_package:
            target = self.project.resolve_import(module, attr, 1)
            if target is not None and not target[1]:
                return ModuleVal(module=target[0])
        return Unknown(f"'{attr}' is not defined in {module.display}")


def absolute_import(module: ModuleInfo, binding: Binding) -> str:
    """``from ..utils import x`` in ``pkg.sub.mod`` names ``pkg.utils.x``."""
    qualname = binding.qualname or ""
    if not binding.import_level:
        return qualname
    parts = module.name.split(".")
    package = parts if module.is_package else parts[:-1]
    base = package[: len(package) - (binding.import_level - 1)]
    return ".".join([*base, qualname] if qualname else base)
