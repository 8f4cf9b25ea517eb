"""Calls: arguments bound to parameters, one level of calls into the scanned code's functions,
instances of its classes, dict methods, builtins, and the carriers' calls."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

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


def call(resolver: Resolver, module: ModuleInfo, node: cst.Call, env: Env) -> Value:
    func = node.func
    if isinstance(func, cst.Attribute):
        receiver = resolver.value(module, func.value, env)
        method = func.attr.value
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
    resolver: Resolver, module: ModuleInfo, node: cst.Call, env: Env, qualname: str | None
) -> CallVal:
    """The call as an object built outside the scanned code, with its arguments resolved."""
    args: list[Value] = []
    kwargs: dict[str, Entry] = {}
    is_open = False
    for arg in node.args:
        value = resolver.value(module, arg.value, env)
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
    resolver: Resolver, module: ModuleInfo, node: cst.Call, env: Env, qualname: str
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
    if qualname in CONVERTERS and len(node.args) == 1:
        inner = resolver.value(module, node.args[0].value, env)
        if isinstance(inner, Const):
            try:
                return replace(inner, value=CONVERTERS[qualname](inner.value))
            except (TypeError, ValueError):
                return Unknown("conversion that fails")
        return Unknown("conversion of an unknown value")
    return carrier_call(resolver, module, node, env, qualname)


def _method_call(
    resolver: Resolver, module: ModuleInfo, node: cst.Call, env: Env, receiver: Value, method: str
) -> Value | None:
    if isinstance(receiver, DictVal):
        if method == "copy":
            return receiver
        if method == "get" and node.args:
            key = resolver.value(module, node.args[0].value, env)
            if isinstance(key, Const) and key.value in receiver.entries:
                return receiver.entries[key.value].value
            if isinstance(key, Const) and not receiver.open:
                if len(node.args) > 1:
                    return resolver.value(module, node.args[1].value, env)
                return Const(None, origin=Site(module, node))
            return Unknown("dict lookup")
        return None
    return carrier_method(resolver, module, node, env, receiver, method)


def bind_arguments(
    resolver: Resolver, caller: ModuleInfo, node: cst.Call, env: Env, function: cst.FunctionDef
) -> Env:
    """The call context ``function`` runs in when called by ``node``."""
    params = function.params
    positional = [*params.posonly_params, *params.params]
    by_name = {param.name.value: param for param in (*positional, *params.kwonly_params)}
    bound: dict[cst.Param, Value] = {}
    position = 0
    for arg in node.args:
        value = resolver.value(caller, arg.value, env)
        if arg.star == "**":
            if isinstance(value, DictVal):
                for key, entry in value.entries.items():
                    if key in by_name:
                        bound[by_name[key]] = entry.value
        elif arg.star == "*":
            items = value.items if isinstance(value, SeqVal) else ()
            for item in items:
                if position < len(positional):
                    bound[positional[position]] = item
                    position += 1
        elif arg.keyword is not None:
            if arg.keyword.value in by_name:
                bound[by_name[arg.keyword.value]] = value
        elif position < len(positional):
            bound[positional[position]] = value
            position += 1
    return env.extend(bound, Site(caller, node))


def _call_function(
    resolver: Resolver,
    module: ModuleInfo,
    function: cst.FunctionDef,
    caller: ModuleInfo,
    node: cst.Call,
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
        return Unknown(f"{function.name.value}() returns nothing that can be followed")
    hop = Hop("call", function.name.value, Site(caller, node))
    if len(results) == 1:
        return with_hop(results[0], hop)
    return OneOf(
        options=tuple(with_hop(result, hop) for result in results), origin=Site(caller, node)
    )


def _instantiate(
    resolver: Resolver, cls: ClassVal, module: ModuleInfo, node: cst.Call, env: Env
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
    return ObjVal(kind="instance", attrs=attrs, name=cls.node.name.value, origin=Site(module, node))
