"""What value does this expression have on the default path?

One mechanism for every rule: names are followed to their last reachable assignment, imports to
their qualified names (or into scanned modules), parameters to the argument a caller passes or to
their default, and the usual configuration carriers (dicts and ``**`` expansion, argparse,
dataclasses and ``HfArgumentParser``, ``os.environ``) to their defaults. Branches whose condition
is known on the default path are pruned; anything else that cannot be known is ``Unknown``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import libcst as cst

from ecolint.analysis.module import BUILTIN_NAMES, Binding, Guard, ModuleInfo, Scope
from ecolint.analysis.project import Project
from ecolint.analysis.values import (
    CallVal,
    ClassVal,
    Const,
    DictVal,
    Entry,
    FuncVal,
    Hop,
    ModuleVal,
    ObjVal,
    OneOf,
    ParserVal,
    Ref,
    SeqVal,
    Site,
    Unknown,
    Value,
    alternatives,
    truth,
    with_hop,
)

MAX_CALL_DEPTH = 3
T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Env:
    """Argument values bound to function parameters for one call context."""

    params: dict[cst.Param, Value] = field(default_factory=dict)
    call: Site | None = None

    def extend(self, params: dict[cst.Param, Value], call: Site) -> Env:
        return Env({**self.params, **params}, call)


EMPTY = Env()

_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
    cst.Is: operator.is_,
    cst.IsNot: operator.is_not,
    cst.In: lambda a, b: a in b,
    cst.NotIn: lambda a, b: a not in b,
}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod,
    cst.Power: operator.pow,
}
_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "builtins.float": float,
    "builtins.int": int,
    "builtins.str": str,
    "builtins.bool": bool,
}
_ENV_GETTERS = frozenset({"os.getenv", "os.environ.get"})
_PARSER_FACTORIES = ("argparse.ArgumentParser",)


def is_hf_argument_parser(qualname: str) -> bool:
    return qualname.startswith("transformers.") and qualname.endswith(".HfArgumentParser")


class Resolver:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._cache: dict[tuple[int, int, bool], Value] = {}
        self._active: set[tuple[int, int, bool]] = set()
        self._depth = 0
        self._in_condition = False
        self._memo: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Per-run cache for facts derived from a module (shared by all rules)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    # -- entry points ------------------------------------------------------------------------

    def value(self, module: ModuleInfo, node: cst.BaseExpression, env: Env = EMPTY) -> Value:
        key = (id(node), id(env), self._in_condition)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            return Unknown("the value depends on itself")
        self._active.add(key)
        try:
            result = self._eval(module, node, env)
        except RecursionError:
            result = Unknown("expression nests too deeply")
        finally:
            self._active.discard(key)
        self._cache[key] = result
        return result

    def qualname(self, module: ModuleInfo, node: cst.BaseExpression, env: Env = EMPTY) -> str:
        """The dotted name an expression refers to (``transformers.BitsAndBytesConfig``), or ''.

        Imports answer syntactically, without parsing the imported module: naming a callee must
        stay cheap, since every call in a file may be asked about."""
        if isinstance(node, cst.Attribute):
            base = self.qualname(module, node.value, env)
            return f"{base}.{node.attr.value}" if base else ""
        if isinstance(node, cst.Name):
            binding = self.lookup(module, node, env)
            if binding is None:
                return f"builtins.{node.value}" if node.value in BUILTIN_NAMES else ""
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
    ) -> Iterator[tuple[cst.Call, str]]:
        """Calls whose callee ``accept`` recognises by qualified name. ``x.attr(...)`` calls
        are filtered by ``attr`` first; bare names are resolved, since they may be aliases."""
        for call in module.calls:
            func = call.func
            if isinstance(func, cst.Attribute):
                if func.attr.value not in names:
                    continue
            elif not isinstance(func, cst.Name):
                continue
            qualname = self.qualname(module, func)
            if accept(qualname):
                yield call, qualname

    def calls_in_contexts(
        self, module: ModuleInfo, names: frozenset[str], accept: Callable[[str], bool]
    ) -> Iterator[tuple[cst.Call, Env, str]]:
        """Reachable calls to what ``accept`` recognises, once per call context."""
        for call, qualname in self.calls_to(module, names, accept):
            for env in self.contexts(module, call):
                if self.reachable(module, call, env):
                    yield call, env, qualname

    def reachable(self, module: ModuleInfo, node: cst.CSTNode, env: Env = EMPTY) -> bool:
        """False only when a guarding condition is known to be contrary on the default path."""
        return all(self._holds(module, guard, env) for guard in module.guards_of.get(node, ()))

    def _holds(self, module: ModuleInfo, guard: Guard, env: Env) -> bool:
        """Whether a guard may hold. Conditions do not follow imports into other scanned
        modules: ``if is_torch_available():`` must not parse half a package."""
        saved, self._in_condition = self._in_condition, True
        try:
            known = truth(self.value(module, guard.test, env))
        finally:
            self._in_condition = saved
        return known is None or known == guard.polarity

    def contexts(self, module: ModuleInfo, node: cst.CSTNode) -> list[Env]:
        """The call contexts code at ``node`` runs in: one per call site of its function, one
        level deep, or the parameters' defaults when the function is not called in the module."""
        scope = module.scope_of.get(node)
        while scope is not None and scope.kind not in ("function", "lambda"):
            scope = scope.parent
        if scope is None or not isinstance(scope.node, cst.FunctionDef):
            return [EMPTY]
        function = scope.node
        envs: list[Env] = []
        for call in module.calls_named(function.name.value):
            if not isinstance(call.func, cst.Name):
                continue
            target = self.value(module, call.func)
            if (
                isinstance(target, FuncVal)
                and target.node is function
                and self.reachable(module, call)
            ):
                envs.append(self.bind_arguments(module, call, EMPTY, function))
        return envs or [EMPTY]

    # -- names -------------------------------------------------------------------------------

    def lookup(self, module: ModuleInfo, node: cst.Name, env: Env = EMPTY) -> Binding | None:
        name = node.value
        scope = module.scope_of.get(node)
        if scope is None:
            return None
        if name in scope.global_names:
            return self._last_binding(module, module.root, name, None, env)
        first = True
        current: Scope | None = scope
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent
                continue
            if name in current.bindings and name not in current.nonlocal_names:
                before = module.order_of.get(node) if first else None
                return self._last_binding(module, current, name, before, env)
            first = False
            current = current.parent
        return None

    def _last_binding(
        self, module: ModuleInfo, scope: Scope, name: str, before: int | None, env: Env
    ) -> Binding | None:
        fallback = None
        for binding in reversed(scope.bindings.get(name, [])):
            if before is not None and binding.order >= before:
                continue
            if not self._binding_reachable(module, binding, env):
                continue
            if not binding.secondary:
                return binding
            fallback = fallback or binding
        return fallback

    def _binding_reachable(self, module: ModuleInfo, binding: Binding, env: Env) -> bool:
        return all(self._holds(module, guard, env) for guard in binding.guards)

    def binding_value(self, module: ModuleInfo, binding: Binding, env: Env = EMPTY) -> Value:
        site = Site(module, binding.node)
        if binding.kind == "assign" and binding.value is not None:
            value = self.value(module, binding.value, env)
            for index in binding.path:
                value = _index(value, index)
            value = self._apply_mutations(module, binding, value, env)
            label = binding.name
            if binding.scope.kind == "class":
                label = f"{binding.scope.name}.{binding.name}"
            return with_hop(value, Hop(label, site))
        if binding.kind == "import":
            return self._import_value(module, binding)
        if binding.kind == "def" and isinstance(binding.node, cst.FunctionDef):
            return FuncVal(module=module, node=binding.node, origin=site)
        if binding.kind == "class" and isinstance(binding.node, cst.ClassDef):
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
        hop = Hop(f"loop variable '{binding.name}'", Site(module, binding.node))
        return OneOf(options=tuple(with_hop(item, hop) for item in items))

    def _param_value(self, module: ModuleInfo, binding: Binding, env: Env) -> Value:
        param = binding.param
        assert param is not None
        if param in env.params:
            value = env.params[param]
            if env.call is not None:
                value = with_hop(value, Hop(f"argument '{binding.name}'", env.call))
            return value
        if param.default is None:
            return Unknown(f"parameter '{binding.name}' has no default")
        value = self.value(module, param.default, EMPTY)
        return with_hop(value, Hop(f"default of parameter '{binding.name}'", Site(module, param)))

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
            if not all(self._holds(module, guard, env) for guard in mutation.guards):
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

    # -- expressions -------------------------------------------------------------------------

    def _eval(self, module: ModuleInfo, node: cst.BaseExpression, env: Env) -> Value:
        site = Site(module, node)
        if isinstance(node, cst.Name):
            return self._name(module, node, env)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
            literal = node.evaluated_value
            if literal is None and not isinstance(node, (cst.Integer, cst.Float)):
                return Unknown("string with formatted parts")
            return Const(literal, origin=site)
        if isinstance(node, cst.FormattedString):
            return self._fstring(module, node, env)
        if isinstance(node, cst.Attribute):
            return self.attribute(self.value(module, node.value, env), node.attr.value)
        if isinstance(node, cst.Subscript):
            return self._subscript(module, node, env)
        if isinstance(node, cst.Call):
            return self.call(module, node, env)
        if isinstance(node, cst.Dict):
            return self._dict_literal(module, node, env)
        if isinstance(node, (cst.Tuple, cst.List)):
            return self._sequence(module, node, env)
        if isinstance(node, cst.IfExp):
            known = truth(self.value(module, node.test, env))
            if known is True:
                return self.value(module, node.body, env)
            if known is False:
                return self.value(module, node.orelse, env)
            return OneOf(
                options=(self.value(module, node.body, env), self.value(module, node.orelse, env)),
                origin=site,
            )
        if isinstance(node, cst.BooleanOperation):
            return self._boolean(module, node, env)
        if isinstance(node, cst.UnaryOperation):
            return self._unary(module, node, env)
        if isinstance(node, cst.BinaryOperation):
            return self._binary(module, node, env)
        if isinstance(node, cst.Comparison):
            return self._comparison(module, node, env)
        if isinstance(node, cst.NamedExpr):
            return self.value(module, node.value, env)
        return Unknown(f"{type(node).__name__} expression")

    def _sequence(self, module: ModuleInfo, node: cst.Tuple | cst.List, env: Env) -> Value:
        items: list[Value] = []
        for element in node.elements:
            inner = self.value(module, element.value, env)
            if not isinstance(element, cst.StarredElement):
                items.append(inner)
            elif isinstance(inner, SeqVal):
                items.extend(inner.items)
            else:
                return Unknown("starred element")
        return SeqVal(items=tuple(items), origin=Site(module, node))

    def _name(self, module: ModuleInfo, node: cst.Name, env: Env) -> Value:
        if node.value in ("True", "False", "None"):
            return Const(
                {"True": True, "False": False, "None": None}[node.value], origin=Site(module, node)
            )
        binding = self.lookup(module, node, env)
        if binding is None:
            if node.value in BUILTIN_NAMES:
                return Ref(qualname=f"builtins.{node.value}")
            return Unknown(f"'{node.value}' is not defined in the scanned code")
        return self.binding_value(module, binding, env)

    def _fstring(self, module: ModuleInfo, node: cst.FormattedString, env: Env) -> Value:
        pieces: list[str] = []
        configurable = False
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(part.value)
                continue
            if part.format_spec or part.conversion:
                return Unknown("formatted string with a format spec")
            inner = self.value(module, part.expression, env)
            if not isinstance(inner, Const):
                return Unknown("formatted string with an unknown part")
            configurable |= inner.configurable
            pieces.append(str(inner.value))
        return Const("".join(pieces), configurable=configurable, origin=Site(module, node))

    def _subscript(self, module: ModuleInfo, node: cst.Subscript, env: Env) -> Value:
        base = self.value(module, node.value, env)
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return Unknown("slice")
        key = self.value(module, node.slice[0].slice.value, env)
        if isinstance(base, Ref) and base.qualname == "os.environ":
            return Unknown("environment variable without a default")
        return _index(base, key.value if isinstance(key, Const) else None, key)

    def _dict_literal(self, module: ModuleInfo, node: cst.Dict, env: Env) -> Value:
        entries: dict[str, Entry] = {}
        is_open = False
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                spread = self.value(module, element.value, env)
                if isinstance(spread, DictVal):
                    entries.update(spread.entries)
                    is_open |= spread.open
                else:
                    is_open = True
                continue
            key = self.value(module, element.key, env)
            if isinstance(key, Const) and isinstance(key.value, str):
                entries[key.value] = Entry(
                    self.value(module, element.value, env), Site(module, element)
                )
            else:
                is_open = True
        return DictVal(entries=entries, open=is_open, origin=Site(module, node))

    def _boolean(self, module: ModuleInfo, node: cst.BooleanOperation, env: Env) -> Value:
        left = self.value(module, node.left, env)
        known = truth(left)
        is_and = isinstance(node.operator, cst.And)
        if known is None:
            right = self.value(module, node.right, env)
            if is_and and truth(right) is False:
                return Const(False, origin=Site(module, node))
            if not is_and and truth(right) is True and isinstance(right, Const):
                return OneOf(options=(left, right), origin=Site(module, node))
            return Unknown("boolean expression with an unknown operand")
        if known is (not is_and):
            return left
        return self.value(module, node.right, env)

    def _unary(self, module: ModuleInfo, node: cst.UnaryOperation, env: Env) -> Value:
        operand = self.value(module, node.expression, env)
        if isinstance(node.operator, cst.Not):
            known = truth(operand)
            if known is None:
                return Unknown("negation of an unknown value")
            return Const(not known, origin=Site(module, node))
        if isinstance(operand, Const) and isinstance(operand.value, (int, float)):
            number = operand.value
            if isinstance(node.operator, cst.Minus):
                return replace(operand, value=-number, origin=Site(module, node))
            if isinstance(node.operator, cst.Plus):
                return operand
        return Unknown("unary operation")

    def _binary(self, module: ModuleInfo, node: cst.BinaryOperation, env: Env) -> Value:
        function = _BINARY.get(type(node.operator))
        left = self.value(module, node.left, env)
        right = self.value(module, node.right, env)
        concatenation = isinstance(node.operator, cst.Add)
        if concatenation and isinstance(left, SeqVal) and isinstance(right, SeqVal):
            return SeqVal(items=left.items + right.items, origin=Site(module, node))
        if function and isinstance(left, Const) and isinstance(right, Const):
            try:
                result = function(left.value, right.value)
            except Exception:
                return Unknown("arithmetic that fails")
            return Const(
                result,
                configurable=left.configurable or right.configurable,
                origin=Site(module, node),
            )
        return Unknown("binary operation on unknown values")

    def _comparison(self, module: ModuleInfo, node: cst.Comparison, env: Env) -> Value:
        left = self.value(module, node.left, env)
        result = True
        for target in node.comparisons:
            right = self.value(module, target.comparator, env)
            function = _COMPARE.get(type(target.operator))
            if function is None:
                return Unknown("comparison")
            left_value = _comparable(left)
            right_value = _comparable(right)
            if left_value is _MISSING or right_value is _MISSING:
                return Unknown("comparison with an unknown value")
            try:
                result = result and bool(function(left_value, right_value))
            except Exception:
                return Unknown("comparison that fails")
            left = right
        return Const(result, origin=Site(module, node))

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
            return self._class_attribute(base.module, base.node, attr)
        if isinstance(base, OneOf):
            return OneOf(options=tuple(self.attribute(option, attr) for option in base.options))
        return Unknown(f"attribute '{attr}' of an unknown object")

    def _module_attribute(self, module: ModuleInfo, attr: str) -> Value:
        binding = self._last_binding(module, module.root, attr, None, EMPTY)
        if binding is not None:
            return self.binding_value(module, binding, EMPTY)
        if module.is_package:
            target = self.project.resolve_import(module, attr, 1)
            if target is not None and not target[1]:
                return ModuleVal(module=target[0])
        return Unknown(f"'{attr}' is not defined in {module.display}")

    def _class_attribute(self, module: ModuleInfo, node: cst.ClassDef, attr: str) -> Value:
        scope = module.class_scopes.get(node)
        if scope is None:
            return Unknown("class body")
        binding = self._last_binding(module, scope, attr, None, EMPTY)
        if binding is None:
            return Unknown(f"'{attr}' is not set in the class body of {node.name.value}")
        value = self.binding_value(module, binding, EMPTY)
        if isinstance(value, CallVal) and value.qualname == "dataclasses.field":
            return self._field_default(module, value, f"{node.name.value}.{attr}")
        return value

    # -- calls -------------------------------------------------------------------------------

    def call(self, module: ModuleInfo, node: cst.Call, env: Env) -> Value:
        func = node.func
        if isinstance(func, cst.Attribute):
            receiver = self.value(module, func.value, env)
            method = func.attr.value
            special = self._method_call(module, node, env, receiver, method)
            if special is not None:
                return special
            callee = self.attribute(receiver, method)
        else:
            callee = self.value(module, func, env)
        if isinstance(callee, FuncVal) and callee.module is not None and callee.node is not None:
            return self._call_function(callee.module, callee.node, module, node, env)
        if isinstance(callee, ClassVal) and callee.module is not None and callee.node is not None:
            return self._instantiate(callee, module, node, env)
        if isinstance(callee, Ref):
            special = self._known_call(module, node, env, callee.qualname)
            if special is not None:
                return special
            return self.call_value(module, node, env, callee.qualname)
        return self.call_value(module, node, env, None)

    def call_value(
        self, module: ModuleInfo, node: cst.Call, env: Env, qualname: str | None
    ) -> CallVal:
        args: list[Value] = []
        kwargs: dict[str, Entry] = {}
        is_open = False
        for arg in node.args:
            value = self.value(module, arg.value, env)
            if arg.star == "**":
                if isinstance(value, DictVal):
                    kwargs.update(value.entries)
                    is_open |= value.open
                else:
                    is_open = True
            elif arg.star == "*":
                if isinstance(value, SeqVal):
                    args.extend(value.items)
                else:
                    is_open = True
            elif arg.keyword is not None:
                kwargs[arg.keyword.value] = Entry(value, Site(module, arg))
            else:
                args.append(value)
        return CallVal(
            qualname=qualname,
            site=Site(module, node),
            args=tuple(args),
            kwargs=kwargs,
            open=is_open,
            origin=Site(module, node),
        )

    def _known_call(
        self, module: ModuleInfo, node: cst.Call, env: Env, qualname: str
    ) -> Value | None:
        if qualname == "builtins.dict":
            call = self.call_value(module, node, env, qualname)
            entries: dict[str, Entry] = {}
            is_open = call.open
            if call.args:  # dict(mapping) copies it; dict(pairs) is not followed
                first = call.args[0]
                if isinstance(first, DictVal):
                    entries.update(first.entries)
                is_open |= first.open if isinstance(first, DictVal) else True
            entries.update(call.kwargs)
            return DictVal(entries=entries, open=is_open, origin=Site(module, node))
        if qualname in _ENV_GETTERS:
            return self._env_default(module, node, env)
        if qualname in _CONVERTERS and len(node.args) == 1:
            inner = self.value(module, node.args[0].value, env)
            if isinstance(inner, Const):
                try:
                    return replace(inner, value=_CONVERTERS[qualname](inner.value))
                except (TypeError, ValueError):
                    return Unknown("conversion that fails")
            return Unknown("conversion of an unknown value")
        if qualname in _PARSER_FACTORIES:
            return ParserVal(site=Site(module, node), origin=Site(module, node))
        if is_hf_argument_parser(qualname):
            classes: tuple[Value, ...] = ()
            if node.args:
                first = self.value(module, node.args[0].value, env)
                classes = first.items if isinstance(first, SeqVal) else (first,)
            return ParserVal(
                site=Site(module, node), dataclasses=classes, origin=Site(module, node)
            )
        return None

    def _env_default(self, module: ModuleInfo, node: cst.Call, env: Env) -> Value:
        if len(node.args) < 2:
            return Const(None, configurable=True, origin=Site(module, node))
        default = self.value(module, node.args[1].value, env)
        key = self.value(module, node.args[0].value, env)
        name = key.value if isinstance(key, Const) else "?"
        if isinstance(default, Const):
            default = replace(default, configurable=True)
        return with_hop(default, Hop(f"default of environment variable {name}", Site(module, node)))

    def _method_call(
        self, module: ModuleInfo, node: cst.Call, env: Env, receiver: Value, method: str
    ) -> Value | None:
        if isinstance(receiver, ParserVal):
            return self._parser_method(receiver, method)
        if isinstance(receiver, Ref) and receiver.qualname == "os.environ" and method == "get":
            return self._env_default(module, node, env)
        if isinstance(receiver, DictVal):
            if method == "copy":
                return receiver
            if method == "get" and node.args:
                key = self.value(module, node.args[0].value, env)
                if isinstance(key, Const) and key.value in receiver.entries:
                    return receiver.entries[key.value].value
                if isinstance(key, Const) and not receiver.open:
                    if len(node.args) > 1:
                        return self.value(module, node.args[1].value, env)
                    return Const(None, origin=Site(module, node))
                return Unknown("dict lookup")
        return None

    # -- functions and classes of the scanned code --------------------------------------------

    def bind_arguments(
        self, caller: ModuleInfo, call: cst.Call, env: Env, function: cst.FunctionDef
    ) -> Env:
        params = function.params
        positional = [*params.posonly_params, *params.params]
        by_name = {param.name.value: param for param in (*positional, *params.kwonly_params)}
        bound: dict[cst.Param, Value] = {}
        index = 0
        for arg in call.args:
            value = self.value(caller, arg.value, env)
            if arg.star == "**":
                if isinstance(value, DictVal):
                    for key, entry in value.entries.items():
                        if key in by_name:
                            bound[by_name[key]] = entry.value
            elif arg.star == "*":
                items = value.items if isinstance(value, SeqVal) else ()
                for item in items:
                    if index < len(positional):
                        bound[positional[index]] = item
                        index += 1
            elif arg.keyword is not None:
                if arg.keyword.value in by_name:
                    bound[by_name[arg.keyword.value]] = value
            elif index < len(positional):
                bound[positional[index]] = value
                index += 1
        return env.extend(bound, Site(caller, call))

    def _call_function(
        self,
        module: ModuleInfo,
        function: cst.FunctionDef,
        caller: ModuleInfo,
        call: cst.Call,
        env: Env,
    ) -> Value:
        if self._depth >= MAX_CALL_DEPTH:
            return Unknown("call chain too deep to follow")
        inner_env = self.bind_arguments(caller, call, env, function)
        self._depth += 1
        try:
            results = [
                self.value(module, ret.value, inner_env)
                for ret in module.returns.get(function, [])
                if ret.value is not None and self.reachable(module, ret, inner_env)
            ]
        finally:
            self._depth -= 1
        if not results:
            return Unknown(f"{function.name.value}() returns nothing that can be followed")
        hop = Hop(f"{function.name.value}()", Site(caller, call))
        if len(results) == 1:
            return with_hop(results[0], hop)
        return OneOf(
            options=tuple(with_hop(result, hop) for result in results), origin=Site(caller, call)
        )

    def _instantiate(self, cls: ClassVal, module: ModuleInfo, node: cst.Call, env: Env) -> Value:
        attrs = self.class_fields(cls)
        if self.is_dataclass(cls):
            call = self.call_value(module, node, env, cls.qualname)
            field_names = list(attrs)
            for index, arg in enumerate(call.args):
                if index < len(field_names):
                    attrs[field_names[index]] = arg
            for key, entry in call.kwargs.items():
                attrs[key] = entry.value
        assert cls.node is not None
        return ObjVal(
            kind="instance", attrs=attrs, name=cls.node.name.value, origin=Site(module, node)
        )

    def is_dataclass(self, cls: ClassVal) -> bool:
        assert cls.node is not None and cls.module is not None
        for decorator in cls.node.decorators:
            target = decorator.decorator
            if isinstance(target, cst.Call):
                target = target.func
            if self.qualname(cls.module, target).endswith("dataclass"):
                return True
        return False

    def class_fields(self, cls: ClassVal) -> dict[str, Value]:
        """Class-level attributes in definition order, base classes first; ``field()`` defaults
        are unwrapped."""
        assert cls.node is not None and cls.module is not None
        attrs: dict[str, Value] = {}
        for base in cls.node.bases:
            parent = self.value(cls.module, base.value)
            if isinstance(parent, ClassVal) and parent.node is not None:
                attrs.update(self.class_fields(parent))
        scope = cls.module.class_scopes.get(cls.node)
        if scope is None:
            return attrs
        for name in scope.bindings:
            attrs[name] = self._class_attribute(cls.module, cls.node, name)
        return attrs

    def _field_default(self, module: ModuleInfo, value: CallVal, label: str) -> Value:
        site = value.site or Site(module, module.module)
        hop = Hop(f"dataclass default {label}", site)
        if "default" in value.kwargs:
            return with_hop(_as_configurable(value.kwargs["default"].value), hop)
        if "default_factory" in value.kwargs:
            factory = value.kwargs["default_factory"].value
            if isinstance(factory, ClassVal) and factory.node is not None:
                return ObjVal(
                    kind="instance",
                    attrs=self.class_fields(factory),
                    name=factory.node.name.value,
                    origin=site,
                )
            if isinstance(factory, Ref) and factory.qualname == "builtins.dict":
                return DictVal(origin=site)
        return Unknown(f"{label} has no default")

    # -- argparse and HfArgumentParser --------------------------------------------------------

    def _parser_method(self, parser: ParserVal, method: str) -> Value | None:
        if method in ("add_argument_group", "add_mutually_exclusive_group"):
            return parser
        if method == "parse_args":
            return self.namespace(parser)
        if method == "parse_known_args":
            return SeqVal(items=(self.namespace(parser), Unknown("unparsed arguments")))
        if method == "parse_args_into_dataclasses":
            return SeqVal(items=tuple(self._dataclass_defaults(cls) for cls in parser.dataclasses))
        if method in ("parse_dict", "parse_json_file", "parse_yaml_file"):
            return Unknown("values come from a configuration file or dict read at run time")
        return None

    def _dataclass_defaults(self, cls: Value) -> Value:
        if isinstance(cls, ClassVal) and cls.node is not None:
            attrs = {key: _as_configurable(value) for key, value in self.class_fields(cls).items()}
            return ObjVal(kind="instance", attrs=attrs, name=cls.node.name.value)
        return Unknown("argument dataclass outside the scanned code")

    def namespace(self, parser: ParserVal) -> ObjVal:
        assert parser.site is not None
        module = parser.site.module
        attrs: dict[str, Value] = {}
        defaults: dict[str, Value] = {}
        for call in module.calls_named("add_argument"):
            if self._belongs_to(module, call, parser):
                dest, value = self._argument_default(module, call)
                if dest:
                    attrs[dest] = value
        for call in module.calls_named("set_defaults"):
            if self._belongs_to(module, call, parser):
                for arg in call.args:
                    if arg.keyword is not None:
                        value = _as_configurable(self.value(module, arg.value))
                        defaults[arg.keyword.value] = with_hop(
                            value, Hop(f"set_defaults({arg.keyword.value}=...)", Site(module, arg))
                        )
        attrs.update(defaults)
        return ObjVal(kind="argparse namespace", attrs=attrs, name="args")

    def _belongs_to(self, module: ModuleInfo, call: cst.Call, parser: ParserVal) -> bool:
        if not isinstance(call.func, cst.Attribute):
            return False
        receiver = self.value(module, call.func.value)
        return isinstance(receiver, ParserVal) and receiver.site == parser.site

    def _argument_default(self, module: ModuleInfo, call: cst.Call) -> tuple[str, Value]:
        flags: list[str] = []
        options: dict[str, cst.Arg] = {}
        for arg in call.args:
            if arg.keyword is not None:
                options[arg.keyword.value] = arg
            elif isinstance(arg.value, cst.SimpleString):
                flag = arg.value.evaluated_value
                if isinstance(flag, str):
                    flags.append(flag)
        if not flags:
            return "", Unknown("argument without a name")
        site = Site(module, call)
        hop = Hop(f"argparse default of {flags[0]}", site)
        dest_arg = options.get("dest")
        if dest_arg is not None:
            dest_value = self.value(module, dest_arg.value)
            dest = dest_value.value if isinstance(dest_value, Const) else ""
        elif not flags[0].startswith("-"):
            dest = flags[0]
        else:
            long_flags = [flag for flag in flags if flag.startswith("--")]
            dest = (long_flags or flags)[0].lstrip("-").replace("-", "_")
        if not isinstance(dest, str) or not dest:
            return "", Unknown("argument with a computed name")
        if not flags[0].startswith("-") and "default" not in options:
            return dest, Unknown(f"positional argument {dest} is given on the command line")
        required = options.get("required")
        if required is not None and truth(self.value(module, required.value)) is True:
            return dest, Unknown(f"{flags[0]} is required on the command line")
        action = options.get("action")
        action_value = self.value(module, action.value) if action is not None else None
        action_name = action_value.value if isinstance(action_value, Const) else None
        if "default" in options:
            value = self.value(module, options["default"].value)
            type_arg = options.get("type")
            if type_arg is not None and isinstance(value, Const) and isinstance(value.value, str):
                converter = _CONVERTERS.get(self.qualname(module, type_arg.value))
                if converter is not None:
                    try:
                        value = replace(value, value=converter(value.value))
                    except ValueError:
                        value = Unknown(f"default of {flags[0]} does not convert")
        elif action_name == "store_true":
            value = Const(False, origin=site)
        elif action_name == "store_false":
            value = Const(True, origin=site)
        else:
            value = Const(None, origin=site)
        return dest, with_hop(_as_configurable(value), hop)


def absolute_import(module: ModuleInfo, binding: Binding) -> str:
    """``from ..utils import x`` in ``pkg.sub.mod`` names ``pkg.utils.x``."""
    qualname = binding.qualname or ""
    if not binding.import_level:
        return qualname
    parts = module.name.split(".")
    package = parts if module.is_package else parts[:-1]
    base = package[: len(package) - (binding.import_level - 1)]
    return ".".join([*base, qualname] if qualname else base)


_MISSING = object()


def _comparable(value: Value) -> Any:
    if isinstance(value, Const):
        return value.value
    if isinstance(value, SeqVal) and all(isinstance(item, Const) for item in value.items):
        return tuple(item.value for item in value.items)  # type: ignore[attr-defined]
    return _MISSING


def _as_configurable(value: Value) -> Value:
    return replace(value, configurable=True) if isinstance(value, Const) else value


def _index(value: Value, index: Any, key: Value | None = None) -> Value:
    if isinstance(value, OneOf):
        return OneOf(options=tuple(_index(option, index, key) for option in value.options))
    if isinstance(value, SeqVal) and isinstance(index, int):
        if -len(value.items) <= index < len(value.items):
            return value.items[index]
        return Unknown("index out of range")
    if isinstance(value, DictVal) and isinstance(index, str):
        if index in value.entries:
            return value.entries[index].value
        return Unknown(f"key '{index}' is not in the dict")
    if isinstance(value, DictVal) and key is not None and isinstance(key, OneOf):
        return OneOf(
            options=tuple(
                _index(value, option.value, option)
                for option in alternatives(key)
                if isinstance(option, Const)
            )
        )
    return Unknown("subscript of an unknown value")
