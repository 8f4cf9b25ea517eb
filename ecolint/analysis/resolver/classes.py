"""Class bodies of the scanned code: attributes, fields in definition order, dataclass defaults."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver.call_context import EMPTY
from ecolint.analysis.values import (
    CallVal,
    ClassVal,
    DictVal,
    Hop,
    ObjVal,
    Ref,
    Site,
    Unknown,
    Value,
    as_configurable,
    with_hop,
)

if TYPE_CHECKING:
    from ecolint.analysis.resolver.core import Resolver


def class_attribute(resolver: Resolver, module: ModuleInfo, node: ast.ClassDef, attr: str) -> Value:
    scope = module.class_scopes.get(node)
    if scope is None:
        return Unknown("class body")
    binding = resolver.last_binding(module, scope, attr, None, EMPTY)
    if binding is None:
        return Unknown(f"'{attr}' is not set in the class body of {node.name}")
    value = resolver.binding_value(module, binding, EMPTY)
    if isinstance(value, CallVal) and value.qualname == "dataclasses.field":
        return _field_default(resolver, module, value, f"{node.name}.{attr}")
    return value


def is_dataclass(resolver: Resolver, cls: ClassVal) -> bool:
    assert cls.node is not None and cls.module is not None
    for target in cls.node.decorator_list:
        if isinstance(target, ast.Call):
            target = target.func
        if resolver.qualname(cls.module, target).endswith("dataclass"):
            return True
    return False


def class_fields(resolver: Resolver, cls: ClassVal) -> dict[str, Value]:
    """Class-level attributes in definition order, base classes first; ``field()`` defaults
    are unwrapped."""
    assert cls.node is not None and cls.module is not None
    attrs: dict[str, Value] = {}
    for base in cls.node.bases:
        parent = resolver.value(cls.module, base)
        if isinstance(parent, ClassVal) and parent.node is not None:
            attrs.update(class_fields(resolver, parent))
    scope = cls.module.class_scopes.get(cls.node)
    if scope is None:
        return attrs
    for name in scope.bindings:
        attrs[name] = class_attribute(resolver, cls.module, cls.node, name)
    return attrs


def _field_default(resolver: Resolver, module: ModuleInfo, value: CallVal, label: str) -> Value:
    site = value.site or Site(module, module.module)
    hop = Hop("dataclass_default", label, site)
    if "default" in value.kwargs:
        return with_hop(as_configurable(value.kwargs["default"].value), hop)
    if "default_factory" in value.kwargs:
        factory = value.kwargs["default_factory"].value
        if isinstance(factory, ClassVal) and factory.node is not None:
            return ObjVal(
                kind="instance",
                attrs=class_fields(resolver, factory),
                name=factory.node.name,
                origin=site,
            )
        if isinstance(factory, Ref) and factory.qualname == "builtins.dict":
            return DictVal(origin=site)
    return Unknown(f"{label} has no default")
