"""Calls: arguments bound to parameters, one level of calls into the scanned code's functions,
instances of its classes, dict methods, builtins, and the carriers' calls."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from ecolint.analysis.bindings import parameters
from ecolint.analysis.call_arguments import argument_count, argument_values
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver.call_context import Env
from ecolint.analysis.resolver.carriers import CONVERTERS, carrier_call, carrier_method
from ecolint.analysis.resolver.classes import class_fields, is_dataclass
from ecolint.analysis.values import (
    CallVal,
    ClassVal,
    Const,
    DictVal,
    Entry,
    FuncVal,
    Hop,
    ObjVal,
    OneOf,
    Ref,
    SeqVal,
    Site,
    Unknown,
    Value,
    with_hop,
)

if TYPE_CHECKING:
    from ecolint.analysis.resolver.core import Resolver

MAX_CALL_DEPTH = 3
Function = ast.FunctionDef | ast.AsyncFunctionDef


def call(resolver: Resolver, module: ModuleInfo, node: ast.Call, env: Env) -> Value:
    func = node.func
    if isinstance(func, ast.Attribute):
        receiver = resolver.value(module, func.value, env)
        method = func.attr
        special = _method_call(resolver, module, node, env, receiver, method)
        if special is not None:
            return special
        callee = resolver.attribute(receiver, method)
    else:
        callee = resolver.value(module, func, env)
    if isinstance(callee, FuncVal) and callee.module is not None and callee.node is not None:
        return _call_function(resolver, callee.module, callee.node, module, node, env)
    if isinstance(callee, ClassVal) and callee.module is not None and callee.node is not None:
        return _instantiate(resolver, callee, module, node, env)
    if isinstance(callee, Ref):
        special = _known_call(resolver, module, node, env, callee.qualname)
        if special is not None:
            return special
        return call_value(resolver, module, node, env, callee.qualname)
    return call_value(resolver, module, node, env, None)


def call_value(
    resolver: Resolver, module: ModuleInfo, node: ast.Call, env: Env, qualname: str | None
) -> CallVal:
    """The call as an object built outside the scanned code, with its arguments resolved."""
    args: list[Value] = []
    kwargs: dict[str, Entry] = {}
    is_open = False
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            spread = resolver.value(module, arg.value, env)
            if isinstance(spread, SeqVal):
                args.extend(spread.items)
            else:
                is_open = True
        else:
            args.append(resolver.value(module, arg, env))
    for keyword in node.keywords:
        value = resolver.value(module, keyword.value, env)
        if keyword.arg is not None:
            kwargs[keyword.arg] = Entry(value, Site(module, keyword))
        elif isinstance(value, DictVal):
            kwargs.update(value.entries)
            is_open |= value.open
        else:
            is_open = True
    return CallVal(
        qualname=qualname,
        site=Site(module, node),
        args=tuple(args),
        kwargs=kwargs,
        open=is_open,
        origin=Site(module, node),
    )


def _known_call(
    resolver: Resolver, module: ModuleInfo, node: ast.Call, env: Env, qualname: str
) -> Value | None:
    if qualname == "builtins.dict":
        built = call_value(resolver, module, node, env, qualname)
        entries: dict[str, Entry] = {}
        is_open = built.open
        if built.args:  # dict(mapping) copies it; dict(pairs) is not followed
            first = built.args[0]
            if isinstance(first, DictVal):
                entries.update(first.entries)
            is_open |= first.open if isinstance(first, DictVal) else True
        entries.update(built.kwargs)
        return DictVal(entries=entries, open=is_open, origin=Site(module, node))
    if qualname == "builtins.len" and argument_count(node) == 1:
        return _literal_length(resolver.value(module, argument_values(node)[0], env), module, node)
    if qualname in CONVERTERS and argument_count(node) == 1:
        inner = resolver.value(module, argument_values(node)[0], env)
        if isinstance(inner, Const):
            try:
                return replace(inner, value=CONVERTERS[qualname](inner.value))
            except (TypeError, ValueError):
                return Unknown("conversion that fails")
        return Unknown("conversion of an unknown value")
    return carrier_call(resolver, module, node, env, qualname)


def _literal_length(value: Value, module: ModuleInfo, node: ast.Call) -> Value | None:
    """``len()`` of a list or tuple written out in the code (``if n < len(test_inputs):``);
    None, the call's own value, for anything else."""
    origin = value.origin.node if isinstance(value, SeqVal) and value.origin else None
    if isinstance(origin, (ast.List, ast.Tuple)):
        return Const(value=len(value.items), origin=Site(module, node))
    return None


def _method_call(
    resolver: Resolver, module: ModuleInfo, node: ast.Call, env: Env, receiver: Value, method: str
) -> Value | None:
    if isinstance(receiver, DictVal):
        if method == "copy":
            return receiver
        arguments = argument_values(node)
        if method == "get" and arguments:
            key = resolver.value(module, arguments[0], env)
            if isinstance(key, Const) and key.value in receiver.entries:
                return receiver.entries[key.value].value
            if isinstance(key, Const) and not receiver.open:
                if len(arguments) > 1:
                    return resolver.value(module, arguments[1], env)
                return Const(None, origin=Site(module, node))
            return Unknown("dict lookup")
        return None
    return carrier_method(resolver, module, node, env, receiver, method)


def bind_arguments(
    resolver: Resolver, caller: ModuleInfo, node: ast.Call, env: Env, function: Function
) -> Env:
    """The call context ``function`` runs in when called by ``node``."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    by_name = {param.arg: param for param, _ in parameters(arguments)}
    bound: dict[ast.arg, Value] = {}
    position = 0
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            spread = resolver.value(caller, arg.value, env)
            items = spread.items if isinstance(spread, SeqVal) else ()
        else:
            items = (resolver.value(caller, arg, env),)
        for item in items:
            if position < len(positional):
                bound[positional[position]] = item
                position += 1
    for keyword in node.keywords:
        value = resolver.value(caller, keyword.value, env)
        if keyword.arg is not None:
            if keyword.arg in by_name:
                bound[by_name[keyword.arg]] = value
        elif isinstance(value, DictVal):
            for key, entry in value.entries.items():
                if key in by_name:
                    bound[by_name[key]] = entry.value
    return env.extend(bound, Site(caller, node))


def _call_function(
    resolver: Resolver,
    module: ModuleInfo,
    function: Function,
    caller: ModuleInfo,
    node: ast.Call,
    env: Env,
) -> Value:
    if resolver.call_depth >= MAX_CALL_DEPTH:
        return Unknown("call chain too deep to follow")
    inner_env = bind_arguments(resolver, caller, node, env, function)
    resolver.call_depth += 1
    try:
        results = [
            resolver.value(module, ret.value, inner_env)
            for ret in module.returns.get(function, [])
            if ret.value is not None and resolver.reachable(module, ret, inner_env)
        ]
    finally:
        resolver.call_depth -= 1
    if not results:
        return Unknown(f"{function.name}() returns nothing that can be followed")
    hop = Hop("call", function.name, Site(caller, node))
    if len(results) == 1:
        return with_hop(results[0], hop)
    return OneOf(
        options=tuple(with_hop(result, hop) for result in results), origin=Site(caller, node)
    )


def _instantiate(
    resolver: Resolver, cls: ClassVal, module: ModuleInfo, node: ast.Call, env: Env
) -> Value:
    attrs = class_fields(resolver, cls)
    if is_dataclass(resolver, cls):
        built = call_value(resolver, module, node, env, cls.qualname)
        field_names = list(attrs)
        for position, arg in enumerate(built.args):
            if position < len(field_names):
                attrs[field_names[position]] = arg
        for key, entry in built.kwargs.items():
            attrs[key] = entry.value
    assert cls.node is not None
    return ObjVal(kind="instance", attrs=attrs, name=cls.node.name, origin=Site(module, node))
