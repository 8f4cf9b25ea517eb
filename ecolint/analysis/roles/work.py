"""Training and inference, following the model object. A model that a trainer, ``backward`` or
``get_peft_model`` takes is trained; one whose ``generate`` runs serves. The settings of a load
take the role of what the loaded object does (a model loaded to be trained is a training load,
even when it generates a sample afterwards); a setting changed on a model afterwards
(``model.config.use_cache = False``) serves too when the same model generates later without the
setting being changed back. Code about no particular model takes the role of its unit (the
function, else the notebook cell or the script's top-level code), then of the units around it,
then of the module."""

from __future__ import annotations

import libcst as cst

from ecolint.analysis.bindings import Binding
from ecolint.analysis.hf_loading import is_loader
from ecolint.analysis.inference import direct_generation, generation, is_model_load
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.roles.tree import Unit, ancestors, statement_of, unit_calls, units_of
from ecolint.analysis.training import module_trains, trained_objects, trains

TRAINING = frozenset({"training"})
INFERENCE = frozenset({"inference"})


def work_roles(resolver: Resolver, module: ModuleInfo, node: cst.CSTNode) -> frozenset[str]:
    """``training`` and/or ``inference`` for the code at ``node``; never empty."""
    roles = _object_roles(resolver, module, node)
    if roles:
        return roles
    for unit in units_of(module, node):
        roles = unit_roles(resolver, module, unit)
        if roles:
            return roles
    return TRAINING if module_trains(resolver, module) else INFERENCE


def unit_roles(resolver: Resolver, module: ModuleInfo, unit: Unit) -> frozenset[str]:
    def compute() -> frozenset[str]:
        calls = unit_calls(module, unit)
        roles = set()
        if trains(resolver, module, calls):
            roles.add("training")
        if any(generation(resolver, module, call) for call in calls):
            roles.add("inference")
        return frozenset(roles)

    return resolver.facts.memo(("unit-roles", module, unit), compute)


def _object_roles(resolver: Resolver, module: ModuleInfo, node: cst.CSTNode) -> frozenset[str]:
    for up in (node, *ancestors(module, node)):
        if isinstance(up, cst.Call) and direct_generation(resolver, module, up):
            return INFERENCE
    statement = statement_of(module, node)
    if not isinstance(statement, cst.SimpleStatementLine) or not statement.body:
        return frozenset()
    small = statement.body[0]
    if not isinstance(small, cst.Assign) or len(small.targets) != 1:
        return frozenset()
    target = small.targets[0].target
    if isinstance(target, cst.Tuple) and target.elements:
        target = target.elements[0].value
    if isinstance(target, cst.Name) and _loads_model(resolver, module, small.value):
        binding = _bound_at(module, target)
        if binding is None:
            return frozenset()
        if _trained(resolver, module, binding):
            return TRAINING
        return (
            INFERENCE if _generates_after(resolver, module, binding, target, None) else frozenset()
        )
    owner = _base_name(target)
    if isinstance(target, cst.Attribute) and owner is not None:
        binding = resolver.lookup(module, owner)
        if binding is None:
            return frozenset()
        roles = set()
        if _trained(resolver, module, binding):
            roles.add("training")
        if _generates_after(resolver, module, binding, owner, module.module.code_for_node(target)):
            roles.add("inference")
        return frozenset(roles)
    return frozenset()


def _loads_model(resolver: Resolver, module: ModuleInfo, value: cst.BaseExpression) -> bool:
    while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
        qualname = resolver.qualname(module, value.func)
        if qualname and is_loader(qualname):
            return is_model_load(qualname)
        value = value.func.value  # ``from_pretrained(...).to("cuda")``
    if isinstance(value, cst.Call):
        qualname = resolver.qualname(module, value.func)
        return bool(qualname) and is_model_load(qualname)
    return False


def _bound_at(module: ModuleInfo, target: cst.Name) -> Binding | None:
    scope = module.scope_of.get(target)
    if scope is None:
        return None
    return next((b for b in scope.bindings.get(target.value, []) if b.node is target), None)


def _base_name(node: cst.BaseExpression) -> cst.Name | None:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node if isinstance(node, cst.Name) else None


def _refers_to(
    resolver: Resolver, module: ModuleInfo, node: cst.BaseExpression, binding: Binding
) -> bool:
    return isinstance(node, cst.Name) and resolver.lookup(module, node) is binding


def _trained(resolver: Resolver, module: ModuleInfo, binding: Binding) -> bool:
    return any(
        _refers_to(resolver, module, trained, binding) for trained in _trainees(resolver, module)
    )


def _trainees(resolver: Resolver, module: ModuleInfo) -> list[cst.BaseExpression]:
    """Every expression the module trains, once per run."""
    return resolver.facts.memo(
        ("trainees", module),
        lambda: [
            trained for call in module.calls for trained in trained_objects(resolver, module, call)
        ],
    )


def _generates_after(
    resolver: Resolver,
    module: ModuleInfo,
    binding: Binding,
    written: cst.Name,
    setting: str | None,
) -> bool:
    """The object generates after ``written``, with ``setting`` (an attribute written there)
    not written again in between."""
    start = module.order_of.get(written, 0)
    rewrites = [
        module.order_of.get(assign.target, 0)
        for assign in module.attr_assigns
        if setting is not None and module.module.code_for_node(assign.target) == setting
    ]
    for call in module.calls_named("generate"):
        func = call.func
        order = module.order_of.get(call, 0)
        if (
            order > start
            and isinstance(func, cst.Attribute)
            and _refers_to(resolver, module, func.value, binding)
            and not any(start < rewrite < order for rewrite in rewrites)
        ):
            return True
    return False
