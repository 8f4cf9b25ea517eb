"""The value of one expression node: literals, names, containers, operators and subscripts.

Sub-expressions go back through ``Resolver.value``, so each is cached and guarded against
cycles; calls are handed to ``calls``.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ecolint.analysis.bindings import BUILTIN_NAMES
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver.call_context import Env
from ecolint.analysis.resolver.calls import call
from ecolint.analysis.values import (
    CallVal,
    Const,
    DictVal,
    Entry,
    OneOf,
    Part,
    Ref,
    SeqVal,
    Site,
    Unknown,
    Value,
    alternatives,
    truth,
)

if TYPE_CHECKING:
    from ecolint.analysis.resolver.core import Resolver

_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_MISSING = object()


def evaluate(resolver: Resolver, module: ModuleInfo, node: ast.expr, env: Env) -> Value:
    form = _FORMS.get(type(node))
    if form is None:
        return Unknown(f"{type(node).__name__} expression")
    return form(resolver, module, node, env)


def _constant(resolver: Resolver, module: ModuleInfo, node: ast.Constant, env: Env) -> Value:
    if node.value is Ellipsis or isinstance(node.value, complex):
        return Unknown(f"{type(node.value).__name__} literal")
    return Const(node.value, origin=Site(module, node))


def _attribute(resolver: Resolver, module: ModuleInfo, node: ast.Attribute, env: Env) -> Value:
    return resolver.attribute(resolver.value(module, node.value, env), node.attr)


def _conditional(resolver: Resolver, module: ModuleInfo, node: ast.IfExp, env: Env) -> Value:
    known = truth(resolver.value(module, node.test, env))
    if known is True:
        return resolver.value(module, node.body, env)
    if known is False:
        return resolver.value(module, node.orelse, env)
    return OneOf(
        options=(resolver.value(module, node.body, env), resolver.value(module, node.orelse, env)),
        origin=Site(module, node),
    )


def _walrus(resolver: Resolver, module: ModuleInfo, node: ast.NamedExpr, env: Env) -> Value:
    return resolver.value(module, node.value, env)


def _name(resolver: Resolver, module: ModuleInfo, node: ast.Name, env: Env) -> Value:
    binding = resolver.lookup(module, node, env)
    if binding is None:
        if node.id in BUILTIN_NAMES:
            return Ref(qualname=f"builtins.{node.id}")
        return Unknown(f"'{node.id}' is not defined in the scanned code")
    return resolver.binding_value(module, binding, env)


def _sequence(
    resolver: Resolver, module: ModuleInfo, node: ast.Tuple | ast.List, env: Env
) -> Value:
    items: list[Value] = []
    for element in node.elts:
        if not isinstance(element, ast.Starred):
            items.append(resolver.value(module, element, env))
            continue
        inner = resolver.value(module, element.value, env)
        if isinstance(inner, SeqVal):
            items.extend(inner.items)
        else:
            return Unknown("starred element")
    return SeqVal(items=tuple(items), origin=Site(module, node))


def _fstring(resolver: Resolver, module: ModuleInfo, node: ast.JoinedStr, env: Env) -> Value:
    pieces: list[str] = []
    configurable = False
    for part in node.values:
        if isinstance(part, ast.Constant):
            pieces.append(str(part.value))
            continue
        if not isinstance(part, ast.FormattedValue) or part.format_spec or part.conversion != -1:
            return Unknown("formatted string with a format spec")
        inner = resolver.value(module, part.value, env)
        if not isinstance(inner, Const):
            return Unknown("formatted string with an unknown part")
        configurable |= inner.configurable
        pieces.append(str(inner.value))
    return Const("".join(pieces), configurable=configurable, origin=Site(module, node))


def _subscript(resolver: Resolver, module: ModuleInfo, node: ast.Subscript, env: Env) -> Value:
    base = resolver.value(module, node.value, env)
    if isinstance(node.slice, (ast.Slice, ast.Tuple)):
        return Unknown("slice")
    key = resolver.value(module, node.slice, env)
    if isinstance(base, Ref) and base.qualname == "os.environ":
        return Unknown("environment variable without a default")
    return index(base, key.value if isinstance(key, Const) else None, key)


def _dict_literal(resolver: Resolver, module: ModuleInfo, node: ast.Dict, env: Env) -> Value:
    entries: dict[str, Entry] = {}
    is_open = False
    for position, (key_node, value_node) in enumerate(zip(node.keys, node.values, strict=True)):
        if key_node is None:
            spread = resolver.value(module, value_node, env)
            if isinstance(spread, DictVal):
                entries.update(spread.entries)
                is_open |= spread.open
            else:
                is_open = True
            continue
        key = resolver.value(module, key_node, env)
        if isinstance(key, Const) and isinstance(key.value, str):
            entries[key.value] = Entry(
                resolver.value(module, value_node, env),
                Site(module, module.dict_entry(node, position)),
            )
        else:
            is_open = True
    return DictVal(entries=entries, open=is_open, origin=Site(module, node))


def _boolean(resolver: Resolver, module: ModuleInfo, node: ast.BoolOp, env: Env) -> Value:
    """``a and b and c`` is one ``ast`` node: folded left to right, as ``(a and b) and c``."""
    is_and = isinstance(node.op, ast.And)
    left = resolver.value(module, node.values[0], env)
    for operand in node.values[1:]:
        left = _boolean_pair(resolver, module, node, env, left, operand, is_and)
    return left


def _boolean_pair(
    resolver: Resolver,
    module: ModuleInfo,
    node: ast.BoolOp,
    env: Env,
    left: Value,
    operand: ast.expr,
    is_and: bool,
) -> Value:
    known = truth(left)
    if known is None:
        right = resolver.value(module, operand, env)
        if is_and and truth(right) is False:
            return Const(False, origin=Site(module, node))
        if not is_and and truth(right) is True and isinstance(right, Const):
            return OneOf(options=(left, right), origin=Site(module, node))
        return Unknown("boolean expression with an unknown operand")
    if known is (not is_and):
        return left
    return resolver.value(module, operand, env)


def _unary(resolver: Resolver, module: ModuleInfo, node: ast.UnaryOp, env: Env) -> Value:
    operand = resolver.value(module, node.operand, env)
    if isinstance(node.op, ast.Not):
        known = truth(operand)
        if known is None:
            return Unknown("negation of an unknown value")
        return Const(not known, origin=Site(module, node))
    if isinstance(operand, Const) and isinstance(operand.value, (int, float)):
        number = operand.value
        if isinstance(node.op, ast.USub):
            return replace(operand, value=-number, origin=Site(module, node))
        if isinstance(node.op, ast.UAdd):
            return operand
    return Unknown("unary operation")


def _binary(resolver: Resolver, module: ModuleInfo, node: ast.BinOp, env: Env) -> Value:
    function = _BINARY.get(type(node.op))
    left = resolver.value(module, node.left, env)
    right = resolver.value(module, node.right, env)
    concatenation = isinstance(node.op, ast.Add)
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


def _comparison(resolver: Resolver, module: ModuleInfo, node: ast.Compare, env: Env) -> Value:
    left = resolver.value(module, node.left, env)
    result = True
    for op, comparator in zip(node.ops, node.comparators, strict=True):
        right = resolver.value(module, comparator, env)
        function = _COMPARE.get(type(op))
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


# Each kind of expression node and how its value is computed; any other kind is unknown.
_FORMS: dict[type[ast.AST], Callable[[Resolver, ModuleInfo, Any, Env], Value]] = {
    ast.Name: _name,
    ast.Constant: _constant,
    ast.JoinedStr: _fstring,
    ast.Attribute: _attribute,
    ast.Subscript: _subscript,
    ast.Call: call,
    ast.Dict: _dict_literal,
    ast.Tuple: _sequence,
    ast.List: _sequence,
    ast.IfExp: _conditional,
    ast.BoolOp: _boolean,
    ast.UnaryOp: _unary,
    ast.BinOp: _binary,
    ast.Compare: _comparison,
    ast.NamedExpr: _walrus,
}


def _comparable(value: Value) -> Any:
    if isinstance(value, Const):
        return value.value
    if isinstance(value, SeqVal) and all(isinstance(item, Const) for item in value.items):
        return tuple(item.value for item in value.items)  # type: ignore[attr-defined]
    return _MISSING


def index(value: Value, position: Any, key: Value | None = None) -> Value:
    """``value[position]`` for a known sequence or dict; ``key`` is the subscript's value, for
    a key that is one of several constants."""
    if isinstance(value, OneOf):
        return OneOf(options=tuple(index(option, position, key) for option in value.options))
    if isinstance(value, SeqVal) and isinstance(position, int):
        if -len(value.items) <= position < len(value.items):
            return value.items[position]
        return Unknown("index out of range")
    if isinstance(value, DictVal) and isinstance(position, str):
        if position in value.entries:
            return value.entries[position].value
        return Unknown(f"key '{position}' is not in the dict")
    if isinstance(value, DictVal) and key is not None and isinstance(key, OneOf):
        return OneOf(
            options=tuple(
                index(value, option.value, option)
                for option in alternatives(key)
                if isinstance(option, Const)
            )
        )
    if isinstance(value, CallVal) and isinstance(position, int):
        return Part("an element of a call's result", whole=value, position=position)
    return Unknown("subscript of an unknown value")
