"""Training and inference, following the model object. A model that a trainer, ``backward`` or
``get_peft_model`` takes is trained; one whose ``generate`` runs serves. The settings of a load
take the role of what the loaded object does (a model loaded to be trained is a training load,
even when it generates a sample afterwards); a setting changed on a model afterwards
(``model.config.use_cache = False``) serves too when the same model generates later without the
setting being changed back. Code about no particular model takes the role of its unit (the
function, else the notebook cell or the script's top-level code), then of the units around it,
then of the module."""

from __future__ import annotations

import ast

from ecolint.analysis.bindings import Binding
from ecolint.analysis.call_arguments import argument_values
from ecolint.analysis.hf_loading import is_loader
from ecolint.analysis.inference import direct_generation, generation, is_model_load
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.parents import parent
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.roles.tree import Unit, ancestors, statement_of, unit_calls, units_of
from ecolint.analysis.training import module_trains, trained_objects, trains

_LINEAGE_LIMIT = 8  # bindings followed from one object
TRAINING = frozenset({"training"})
INFERENCE = frozenset({"inference"})


def work_roles(resolver: Resolver, module: ModuleInfo, node: ast.AST) -> frozenset[str]:
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


def _object_roles(resolver: Resolver, module: ModuleInfo, node: ast.AST) -> frozenset[str]:
    for up in (node, *ancestors(module, node)):
        if isinstance(up, ast.Call) and direct_generation(resolver, module, up):
            return INFERENCE
    small = statement_of(module, node)
    if not isinstance(small, ast.Assign) or len(small.targets) != 1:
        return frozenset()
    target = _first_name(small.targets[0])
    if isinstance(target, ast.Name):
        binding = _bound_at(module, target)
        model = binding and _model_from(resolver, module, binding, small.value)
        if model is None:
            return frozenset()
        if _trained(resolver, module, model):
            return TRAINING
        return INFERENCE if _generates_after(resolver, module, model, None) else frozenset()
    owner = _base_name(target) if isinstance(target, ast.Attribute) else None
    binding = resolver.lookup(module, owner) if owner is not None else None
    if binding is None:
        return frozenset()
    roles = set()
    if _trained(resolver, module, binding):
        roles.add("training")
    if _generates_after(resolver, module, binding, module.code_for(target), owner):
        roles.add("inference")
    return frozenset(roles)


def _first_name(target: ast.expr) -> ast.expr:
    """``model, tokenizer = FastLanguageModel.from_pretrained(...)``: the model comes first."""
    if isinstance(target, ast.Tuple) and target.elts:
        return target.elts[0]
    return target


def _model_from(
    resolver: Resolver, module: ModuleInfo, binding: Binding, value: ast.expr
) -> Binding | None:
    """The model a binding holds (a load), or the one it configures: ``quant =
    BitsAndBytesConfig(...)`` then ``model = from_pretrained(..., quantization_config=quant)``."""
    if _loads_model(resolver, module, value):
        return binding
    return next(
        (
            made
            for call, made in _made_from(resolver, module, binding)
            if _loads_model(resolver, module, call)
        ),
        None,
    )


def _loads_model(resolver: Resolver, module: ModuleInfo, value: ast.expr) -> bool:
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        qualname = resolver.qualname(module, value.func)
        if qualname and is_loader(qualname):
            return is_model_load(qualname)
        value = value.func.value  # ``from_pretrained(...).to("cuda")``
    if isinstance(value, ast.Call):
        qualname = resolver.qualname(module, value.func)
        return bool(qualname) and is_model_load(qualname)
    return False


def _bound_at(module: ModuleInfo, target: ast.Name) -> Binding | None:
    scope = module.scope_of.get(target)
    if scope is None:
        return None
    return next((b for b in scope.bindings.get(target.id, []) if b.node is target), None)


def _base_name(node: ast.expr) -> ast.Name | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def _refers_to(resolver: Resolver, module: ModuleInfo, node: ast.expr, binding: Binding) -> bool:
    return isinstance(node, ast.Name) and resolver.lookup(module, node) is binding


def _trained(resolver: Resolver, module: ModuleInfo, binding: Binding) -> bool:
    """The object, or one made from it (``model = get_peft_model(model, config)``, ``model, tok
    = setup_chat_format(model, tok)``), is trained."""
    trainees = _trainees(resolver, module)
    return any(
        _refers_to(resolver, module, trained, made)
        for made in _lineage(resolver, module, binding)
        for trained in trainees
    )


def _trainees(resolver: Resolver, module: ModuleInfo) -> list[ast.expr]:
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
    setting: str | None,
    written: ast.Name | None = None,
) -> bool:
    """The object, or one made from it (``PeftModel.from_pretrained(model, ...)``, a pipeline
    around it), generates after it is bound (or after ``written``, where
    ``setting``, an attribute, was written and not written again before the generation)."""
    start = module.order_of.get(written, 0) if written is not None else binding.order
    rewrites = [
        module.order_of.get(assign.target, 0)
        for assign in module.attr_assigns
        if setting is not None and module.code_for(assign.target) == setting
    ]
    objects = _lineage(resolver, module, binding)
    for call in module.calls:
        order = module.order_of.get(call, 0)
        if (
            order > start
            and _runs(resolver, module, call, objects)
            and not any(start < rewrite < order for rewrite in rewrites)
        ):
            return True
    return False


def _runs(resolver: Resolver, module: ModuleInfo, call: ast.Call, objects: list[Binding]) -> bool:
    """``model.generate(...)`` of one of the objects, or a call of an object made from the
    model (``pipe = AutomaticSpeechRecognitionPipeline(model=model)``, then ``pipe(audio)``)."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "generate":
        owner = func.value
        return isinstance(owner, ast.Name) and resolver.lookup(module, owner) in objects
    return isinstance(func, ast.Name) and resolver.lookup(module, func) in objects[1:]


def _lineage(resolver: Resolver, module: ModuleInfo, binding: Binding) -> list[Binding]:
    """A binding and those made from it by calls that take it, a few steps deep."""
    found = [binding]
    for current in found:
        if len(found) > _LINEAGE_LIMIT:
            break
        found.extend(made for _, made in _made_from(resolver, module, current) if made not in found)
    return found


def _made_from(
    resolver: Resolver, module: ModuleInfo, binding: Binding
) -> list[tuple[ast.Call, Binding]]:
    """``name = call(...)`` statements whose call takes the binding (as an argument, or as
    the receiver of a method)."""
    return [
        (call, made)
        for call, made in _assigned_calls(resolver, module)
        if any(
            _refers_to(resolver, module, node, binding)
            for node in (*argument_values(call), _receiver(call))
        )
    ]


def _receiver(call: ast.Call) -> ast.expr:
    func = call.func
    return _base_name(func.value) or func.value if isinstance(func, ast.Attribute) else func


def _assigned_calls(resolver: Resolver, module: ModuleInfo) -> list[tuple[ast.Call, Binding]]:
    def collect() -> list[tuple[ast.Call, Binding]]:
        found = []
        for call in module.calls:
            holder = parent(module, call)
            if not isinstance(holder, ast.Assign) or len(holder.targets) != 1:
                continue
            target = _first_name(holder.targets[0])
            made = _bound_at(module, target) if isinstance(target, ast.Name) else None
            if made is not None:
                found.append((call, made))
        return found

    return resolver.facts.memo(("assigned-calls", module), collect)
