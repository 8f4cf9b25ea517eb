"""The value of one expression node: literals, names, containers, operators and subscripts.

Sub-expressions go back through ``Resolver.value``, so each is cached and guarded against
cycles; calls are handed to ``calls``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import libcst as cst

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
_MISSING = object()


def evaluate(resolver: Resolver, module: ModuleInfo, node: cst.BaseExpression, env: Env) -> Value:
    form = _FORMS.get(type(node))
    if form is None:
        return Unknown(f"{type(node).__name__} expression")
    return form(resolver, module, node, env)


def _literal(
    resolver: Resolver,
    module: ModuleInfo,
    node: cst.SimpleString | cst.ConcatenatedString | cst.Integer | cst.Float,
    env: Env,
) -> Value:
    literal = node.evaluated_value
    if literal is None and not isinstance(node, (cst.Integer, cst.Float)):
        return Unknown("string with formatted parts")
    return Const(literal, origin=Site(module, node))


def _attribute(resolver: Resolver, module: ModuleInfo, node: cst.Attribute, env: Env) -> Value:
    return resolver.attribute(resolver.value(module, node.value, env), node.attr.value)


def _conditional(resolver: Resolver, module: ModuleInfo, node: cst.IfExp, env: Env) -> Value:
    known = truth(resolver.value(module, node.test, env))
    if known is True:
        return resolver.value(module, node.body, env)
    if known is False:
        return resolver.value(module, node.orelse, env)
    return OneOf(
        options=(resolver.value(module, node.body, env), resolver.value(module, node.orelse, env)),
        origin=Site(module, node),
    )


def _walrus(resolver: Resolver, module: ModuleInfo, node: cst.NamedExpr, env: Env) -> Value:
    return resolver.value(module, node.value, env)


def _name(resolver: Resolver, module: ModuleInfo, node: cst.Name, env: Env) -> Value:
    if node.value in ("True", "False", "None"):
        return Const(
            {"True": True, "False": False, "None": None}[node.value], origin=Site(module, node)
        )
    binding = resolver.lookup(module, node, env)
    if binding is None:
        if node.value in BUILTIN_NAMES:
            return Ref(qualname=f"builtins.{node.value}")
        return Unknown(f"'{node.value}' is not defined in the scanned code")
    return resolver.binding_value(module, binding, env)


def _sequence(
    resolver: Resolver, module: ModuleInfo, node: cst.Tuple | cst.List, env: Env
) -> Value:
    items: list[Value] = []
    for element in node.elements:
        inner = resolver.value(module, element.value, env)
        if not isinstance(element, cst.StarredElement):
            items.append(inner)
        elif isinstance(inner, SeqVal):
            items.extend(inner.items)
        else:
            return Unknown("starred element")
    return SeqVal(items=tuple(items), origin=Site(module, node))


def _fstring(resolver: Resolver, module: ModuleInfo, node: cst.FormattedString, env: Env) -> Value:
    pieces: list[str] = []
    configurable = False
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            pieces.append(part.value)
            continue
        if part.format_spec or part.conversion:
            return Unknown("formatted string with a format spec")
        inner = resolver.value(module, part.expression, env)
        if not isinstance(inner, Const):
            return Unknown("formatted string with an unknown part")
        configurable |= inner.configurable
        pieces.append(str(inner.value))
    return Const("".join(pieces), configurable=configurable, origin=Site(module, node))


def _subscript(resolver: Resolver, module: ModuleInfo, node: cst.Subscript, env: Env) -> Value:
    base = resolver.value(module, node.value, env)
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return Unknown("slice")
    key = resolver.value(module, node.slice[0].slice.value, env)
    if isinstance(base, Ref) and base.qualname == "os.environ":
        return Unknown("environment variable without a default")
    return index(base, key.value if isinstance(key, Const) else None, key)


def _dict_literal(resolver: Resolver, module: ModuleInfo, node: cst.Dict, env: Env) -> Value:
    entries: dict[str, Entry] = {}
    is_open = False
    for element in node.elements:
        if isinstance(element, cst.StarredDictElement):
            spread = resolver.value(module, element.value, env)
            if isinstance(spread, DictVal):
                entries.update(spread.entries)
                is_open |= spread.open
            else:
                is_open = True
            continue
        key = resolver.value(module, element.key, env)
        if isinstance(key, Const) and isinstance(key.value, str):
            entries[key.value] = Entry(
                resolver.value(module, element.value, env), Site(module, element)
            )
        else:
            is_open = True
    return DictVal(entries=entries, open=is_open, origin=Site(module, node))


def _boolean(resolver: Resolver, module: ModuleInfo, node: cst.BooleanOperation, env: Env) -> Value:
    left = resolver.value(module, node.left, env)
    known = truth(left)
    is_and = isinstance(node.operator, cst.And)
    if known is None:
        right = resolver.value(module, node.right, env)
        if is_and and truth(right) is False:
            return Const(False, origin=Site(module, node))
        if not is_and and truth(right) is True and isinstance(right, Const):
            return OneOf(options=(left, right), origin=Site(module, node))
        return Unknown("boolean expression with an unknown operand")
    if known is (not is_and):
        return left
    return resolver.value(module, node.right, env)


def _unary(resolver: Resolver, module: ModuleInfo, node: cst.UnaryOperation, env: Env) -> Value:
    operand = resolver.value(module, node.expression, env)
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


def _binary(resolver: Resolver, module: ModuleInfo, node: cst.BinaryOperation, env: Env) -> Value:
    function = _BINARY.get(type(node.operator))
    left = resolver.value(module, node.left, env)
    right = resolver.value(module, node.right, env)
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


def _comparison(resolver: Resolver, module: ModuleInfo, node: cst.Comparison, env: Env) -> Value:
    left = resolver.value(module, node.left, env)
    result = True
    for target in node.comparisons:
        right = resolver.value(module, target.comparator, env)
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


# Each kind of expression node and how its value is computed; any other kind is unknown.
_FORMS: dict[type[cst.CSTNode], Callable[[Resolver, ModuleInfo, Any, Env], Value]] = {
    cst.Name: _name,
    cst.SimpleString: _literal,
    cst.ConcatenatedString: _literal,
    cst.Integer: _literal,
    cst.Float: _literal,
    cst.FormattedString: _fstring,
    cst.Attribute: _attribute,
    cst.Subscript: _subscript,
    cst.Call: call,
    cst.Dict: _dict_literal,
    cst.Tuple: _sequence,
    cst.List: _sequence,
    cst.IfExp: _conditional,
    cst.BooleanOperation: _boolean,
    cst.UnaryOperation: _unary,
    cst.BinaryOperation: _binary,
    cst.Comparison: _comparison,
    cst.NamedExpr: _walrus,
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
