"""Configuration carriers whose defaults are the values on the default path: argparse parsers
and their namespaces, ``HfArgumentParser`` dataclasses, ``os.environ`` and ``os.getenv``."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ecolint.analysis.call_arguments import argument_values
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver.call_context import Env
from ecolint.analysis.resolver.classes import class_fields
from ecolint.analysis.values import (
    ClassVal,
    Const,
    Hop,
    ObjVal,
    ParserVal,
    Ref,
    SeqVal,
    Site,
    Unknown,
    Value,
    as_configurable,
    truth,
    with_hop,
)

if TYPE_CHECKING:
    from ecolint.analysis.resolver.core import Resolver

# Builtins that turn a default read as text (``int(os.getenv("N", "4"))``, argparse's
# ``type=``) into the value the program uses.
CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "builtins.float": float,
    "builtins.int": int,
    "builtins.str": str,
    "builtins.bool": bool,
}
_ENV_GETTERS = frozenset({"os.getenv", "os.environ.get"})
_PARSER_FACTORIES = ("argparse.ArgumentParser",)


def is_hf_argument_parser(qualname: str) -> bool:
    return qualname.startswith("transformers.") and qualname.endswith(".HfArgumentParser")


def carrier_call(
    resolver: Resolver, module: ModuleInfo, node: ast.Call, env: Env, qualname: str
) -> Value | None:
    """A call that reads the environment or builds an argument parser, or None."""
    if qualname in _ENV_GETTERS:
        return _env_default(resolver, module, node, env)
    if qualname in _PARSER_FACTORIES:
        return ParserVal(site=Site(module, node), origin=Site(module, node))
    if is_hf_argument_parser(qualname):
        classes: tuple[Value, ...] = ()
        arguments = argument_values(node)
        if arguments:
            first = resolver.value(module, arguments[0], env)
            classes = first.items if isinstance(first, SeqVal) else (first,)
        return ParserVal(site=Site(module, node), dataclasses=classes, origin=Site(module, node))
    return None


def carrier_method(
    resolver: Resolver, module: ModuleInfo, node: ast.Call, env: Env, receiver: Value, method: str
) -> Value | None:
    """A method of a parser, or ``os.environ.get``, or None."""
    if isinstance(receiver, ParserVal):
        return _parser_method(resolver, receiver, method)
    if isinstance(receiver, Ref) and receiver.qualname == "os.environ" and method == "get":
        return _env_default(resolver, module, node, env)
    return None


def _env_default(resolver: Resolver, module: ModuleInfo, node: ast.Call, env: Env) -> Value:
    arguments = argument_values(node)
    if len(arguments) < 2:
        return Const(None, configurable=True, origin=Site(module, node))
    default = as_configurable(resolver.value(module, arguments[1], env))
    key = resolver.value(module, arguments[0], env)
    name = key.value if isinstance(key, Const) else "?"
    return with_hop(default, Hop("env_default", str(name), Site(module, node)))


def _parser_method(resolver: Resolver, parser: ParserVal, method: str) -> Value | None:
    if method in ("add_argument_group", "add_mutually_exclusive_group"):
        return parser
    if method == "parse_args":
        return namespace(resolver, parser)
    if method == "parse_known_args":
        return SeqVal(items=(namespace(resolver, parser), Unknown("unparsed arguments")))
    if method == "parse_args_into_dataclasses":
        return SeqVal(items=tuple(_dataclass_defaults(resolver, cls) for cls in parser.dataclasses))
    if method in ("parse_dict", "parse_json_file", "parse_yaml_file"):
        return Unknown("values come from a configuration file or dict read at run time")
    return None


def _dataclass_defaults(resolver: Resolver, cls: Value) -> Value:
    if isinstance(cls, ClassVal) and cls.node is not None:
        attrs = {key: as_configurable(value) for key, value in class_fields(resolver, cls).items()}
        return ObjVal(kind="instance", attrs=attrs, name=cls.node.name)
    return Unknown("argument dataclass outside the scanned code")


def namespace(resolver: Resolver, parser: ParserVal) -> ObjVal:
    """What ``parser.parse_args()`` returns when the command line gives no option."""
    assert parser.site is not None
    module = parser.site.module
    attrs: dict[str, Value] = {}
    defaults: dict[str, Value] = {}
    for call in module.calls_named("add_argument"):
        if _belongs_to(resolver, module, call, parser):
            dest, value = _argument_default(resolver, module, call)
            if dest:
                attrs[dest] = value
    for call in module.calls_named("set_defaults"):
        if _belongs_to(resolver, module, call, parser):
            for keyword in call.keywords:
                if keyword.arg is not None:
                    value = as_configurable(resolver.value(module, keyword.value))
                    defaults[keyword.arg] = with_hop(
                        value, Hop("set_defaults", keyword.arg, Site(module, keyword))
                    )
    attrs.update(defaults)
    return ObjVal(kind="argparse namespace", attrs=attrs, name="args")


def _belongs_to(resolver: Resolver, module: ModuleInfo, call: ast.Call, parser: ParserVal) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    receiver = resolver.value(module, call.func.value)
    return isinstance(receiver, ParserVal) and receiver.site == parser.site


def _argument_default(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> tuple[str, Value]:
    flags: list[str] = []
    options = {keyword.arg: keyword for keyword in call.keywords if keyword.arg is not None}
    for arg in call.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            flags.append(arg.value)
    if not flags:
        return "", Unknown("argument without a name")
    site = Site(module, call)
    hop = Hop("argparse_default", flags[0], site)
    dest_arg = options.get("dest")
    if dest_arg is not None:
        dest_value = resolver.value(module, dest_arg.value)
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
    if required is not None and truth(resolver.value(module, required.value)) is True:
        return dest, Unknown(f"{flags[0]} is required on the command line")
    action = options.get("action")
    action_value = resolver.value(module, action.value) if action is not None else None
    action_name = action_value.value if isinstance(action_value, Const) else None
    if "default" in options:
        value = resolver.value(module, options["default"].value)
        type_arg = options.get("type")
        if type_arg is not None and isinstance(value, Const) and isinstance(value.value, str):
            converter = CONVERTERS.get(resolver.qualname(module, type_arg.value))
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
    return dest, with_hop(as_configurable(value), hop)
