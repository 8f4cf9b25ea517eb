"""ECO103: torchao FP8 run in eager mode (the model object is never compiled)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ecolint.analysis.bindings import AttrAssign
from ecolint.analysis.call_arguments import argument_values
from ecolint.analysis.callgraph import calls_of, owner
from ecolint.analysis.hf_loading import last_name, loading_facts, top_package
from ecolint.analysis.loops import dotted
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.parents import parent
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import CallVal, Const, ObjVal, Site, Value, alternatives
from ecolint.checks.base import Check
from ecolint.evidence.models import ModelSize, resolve_model_size
from ecolint.evidence.select import select
from ecolint.findings.model import Report
from ecolint.fixes.edits import Fix, TextEdit
from ecolint.i18n import phrase

# torchao's FP8 configs by kind; INT4/INT8 configs (``Int4WeightOnlyConfig``,
# ``Int8DynamicActivationInt8WeightConfig`` …) are not this rule.
KINDS = {
    "Float8WeightOnlyConfig": "weight_only",
    "float8_weight_only": "weight_only",
    "Float8DynamicActivationFloat8WeightConfig": "dynamic",
    "float8_dynamic_activation_float8_weight": "dynamic",
    "Float8StaticActivationFloat8WeightConfig": "static",
    "float8_static_activation_float8_weight": "static",
}
# The measured rows: weight-only, and dynamic activation (quoted for static activation too,
# whose eager path runs the same unfused FP8 activation casts).
PRECISIONS = {
    "weight_only": "fp8_torchao_eager",
    "dynamic": "fp8dyn_torchao_eager",
    "static": "fp8dyn_torchao_eager",
}
_TORCHAO_NAMES = frozenset({"quantize_"})
_COMPILE_NAMES = frozenset({"compile", "generate"})
# Saving the quantised model: an export utility, whose generation (if any) is a smoke test.
_SAVES = frozenset({"save_pretrained", "push_to_hub", "save_quantized"})


def _is_torchao_call(qualname: str) -> bool:
    return top_package(qualname) == "torchao" and last_name(qualname) == "quantize_"


def _compiles(qualname: str) -> bool:
    """``torch.compile(m)``, ``m.compile()`` and ``m.generate(...)`` on a model object (the
    callee of a method call on a local object has no qualified name; ``re.compile`` has one)."""
    return qualname == "torch.compile" or not qualname.startswith(("re.", "regex.", "torch."))


def fp8_kind(option: Value) -> str | None:
    """``weight_only``, ``dynamic`` or ``static`` for one torchao FP8 config value. A static
    config's ``step="prepare"`` only inserts observers: it quantises nothing."""
    if not (isinstance(option, CallVal) and option.qualname):
        return None
    name = last_name(option.qualname)
    if top_package(option.qualname) == "torchao" and name in KINDS:
        step = option.arg(99, "step")
        if isinstance(step, Const) and step.value == "prepare":
            return None
        return KINDS[name]
    if top_package(option.qualname) == "transformers" and name == "TorchAoConfig":
        inner = option.arg(0, "quant_type")
        if isinstance(inner, Const) and isinstance(inner.value, str):
            text = inner.value
            if not text.startswith("float8"):
                return None
            if "weight_only" in text:
                return "weight_only"
            return "static" if "static" in text else "dynamic"
        if inner is not None:
            return next(filter(None, map(fp8_kind, alternatives(inner))), None)
    return None


def identity(value: Value) -> Site | None:
    for option in alternatives(value):
        if isinstance(option, CallVal):
            if option.qualname == "torch.compile" and option.args:
                return identity(option.args[0])
            return option.identity()
    return None


class Fp8Eager(Check):
    """A compile behind a flag that is False by default does not clear the finding; one behind
    a condition that cannot be known does. The config must quantise a model that runs: a
    config that is only built (lists, factories), a toy model of a few ``torch.nn`` layers and
    a model that is saved (an export utility) are not reported."""

    code = "ECO103"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        compiled = self._compiled_objects(module)
        any_compile = bool(compiled) or self._compiles_something(module)
        done = compiled | self._saved_objects(module)
        reported: set[int] = set()
        applications = [
            (target, option, site, anchor, kind)
            for target, config, site, anchor in self._applications(module)
            for option in alternatives(config)
            for kind in (fp8_kind(option),)
            if kind is not None
            and not (target is not None and _toy(target))
            and self._may_run(module, target)
        ]
        anchors: dict[int, list[Site]] = {}
        for _, config, site, anchor, _ in applications:
            anchors.setdefault(id(_construction(config, site).node), []).append(anchor)
        for target, config_value, config_site, anchor, kind in applications:
            site = _construction(config_value, config_site)
            key = identity(target) if target is not None else None
            if key is not None and key in done:
                reported.add(id(site.node))
                continue
            if key is None and (any_compile or self._handled_in_place(anchor)):
                continue
            if id(site.node) in reported:
                continue
            reported.add(id(site.node))
            yield self._report(site, kind, target, tuple(anchors.get(id(site.node), ())))

    def _may_run(self, module: ModuleInfo, target: Value | None) -> bool:
        """A model loaded here runs only if something uses it after quantising it (``effect``);
        one that comes from elsewhere (a parameter, another module) is not known not to."""
        facts = loading_facts(self.resolver, module)
        load = facts.load_of(target) if target is not None else None
        return load is None or load in facts.running

    def _report(
        self, site: Site, kind: str, target: Value | None, anchors: tuple[Site, ...]
    ) -> Report:
        size = self._size(target)
        evidence = select(self.context.gpu, (PRECISIONS[kind],), size)
        params = {"kind": phrase(f"eco103.{kind}")}
        return Report(self.code, site, params, "default", evidence, subject=anchors)

    def fixable(self, report: Report) -> bool:
        """Each statement that quantises or loads the model names it (``quantize_(model,
        ...)``, ``model = ...``): an attribute or a call inside an expression is left to the
        user."""
        anchors = report.subject
        return bool(anchors) and all(_compiled_name(anchor) for anchor in anchors)

    def fix(self, report: Report) -> Fix | None:
        """``model.compile()`` on a line of its own after each statement that quantises the
        model (``quantize_(model, ...)``) or loads it with the config (``model =
        ...from_pretrained(..., quantization_config=config)``). ``nn.Module.compile()`` compiles
        the model in place: ``generate`` calls the compiled forward, where ``model =
        torch.compile(model)`` would return a wrapper whose ``generate`` runs eager."""
        if not self.fixable(report):
            return None
        return Fix.of(*(_compile_after(anchor) for anchor in dict.fromkeys(report.subject)))

    def _size(self, target: Value | None) -> ModelSize | None:
        for option in alternatives(target) if target is not None else ():
            if (
                isinstance(option, CallVal)
                and option.qualname
                and option.qualname.endswith("from_pretrained")
            ):
                model = option.arg(0, "pretrained_model_name_or_path")
                if isinstance(model, Const) and isinstance(model.value, str):
                    return resolve_model_size(model.value, self.context.user_models)
        return None

    def _applications(self, module: ModuleInfo) -> Iterator[tuple[Value | None, Value, Site, Site]]:
        """(model object or None, config value, where the config is used, the call that
        quantises or loads the model) for every config applied to a model."""
        resolver = self.resolver
        for call, _ in resolver.calls_to(module, _TORCHAO_NAMES, _is_torchao_call):
            arguments = argument_values(call)
            if resolver.reachable(module, call) and len(arguments) > 1:
                target = resolver.value(module, arguments[0])
                config = resolver.value(module, arguments[1])
                yield target, config, Site(module, arguments[1]), Site(module, call)
        for load in loading_facts(resolver, module).loads:
            quant = load.value.kwargs.get("quantization_config")
            if quant is not None:
                yield load.value, quant.value, quant.site, load.site

    def _saved_objects(self, module: ModuleInfo) -> set[Site]:
        """Identities of objects saved (``save_pretrained``, ``push_to_hub``, ``torch.save``)."""
        resolver = self.resolver
        saved: set[Site] = set()
        for name in (*_SAVES, "save"):
            for call in module.calls_named(name):
                func = call.func
                if not (isinstance(func, ast.Attribute) and resolver.reachable(module, call)):
                    continue
                arguments = argument_values(call)
                if name in _SAVES:
                    owner: ast.expr | None = func.value
                elif resolver.qualname(module, func) == "torch.save" and arguments:
                    owner = _state_dict_owner(arguments[0])
                else:
                    continue
                key = identity(resolver.value(module, owner)) if owner is not None else None
                if key is not None:
                    saved.add(key)
        return saved

    def _handled_in_place(self, anchor: Site) -> bool:
        """``def apply(net): quantize_(net, cfg); net.compile()``: the object the rule cannot
        follow is compiled or saved by name in the function that quantises it."""
        module, call = anchor.module, anchor.node
        arguments = argument_values(call) if isinstance(call, ast.Call) else []
        if not arguments:
            return False
        name = dotted(arguments[0])
        if not name:
            return False
        for other in calls_of(self.resolver, module, owner(module, call)):
            func = other.func
            subject: ast.expr | None = None
            if self.resolver.qualname(module, func) in ("torch.compile", "torch.save"):
                given = argument_values(other)
                subject = _state_dict_owner(given[0]) if given else None
            elif isinstance(func, ast.Attribute) and func.attr in ("compile", *_SAVES):
                subject = func.value
            if subject is not None and dotted(subject) == name:
                return True
        return False

    def _compiled_objects(self, module: ModuleInfo) -> set[tuple[int, int]]:
        """Identities of objects compiled on the default path, however they are compiled."""
        resolver = self.resolver
        objects: set[tuple[int, int]] = set()
        for call, qualname in resolver.calls_to(module, _COMPILE_NAMES, _compiles):
            func = call.func
            if qualname == "torch.compile":
                arguments = argument_values(call)
                if not arguments:
                    continue
                compiled = resolver.value(module, arguments[0])
            elif isinstance(func, ast.Attribute):
                if func.attr == "generate" and not _static_cache(resolver, module, call):
                    continue
                compiled = resolver.value(module, func.value)
            else:
                continue
            key = identity(compiled)
            if key is not None and resolver.reachable(module, call):
                objects.add(key)
        for assign in module.attr_assigns:
            if assign.target.attr not in ("forward", "cache_implementation"):
                continue
            owner = _compiled_owner(resolver, module, assign)
            if owner is not None and resolver.reachable(module, assign.target):
                key = identity(resolver.value(module, owner))
                if key is not None:
                    objects.add(key)
        return objects

    def _compiles_something(self, module: ModuleInfo) -> bool:
        return any(
            self.resolver.qualname(module, call.func) == "torch.compile"
            and self.resolver.reachable(module, call)
            for call in module.calls_named("compile")
        )


def _toy(target: Value) -> bool:
    """A stand-in model of an API snippet: ``torch.nn`` layers (``nn.Linear``, an
    ``nn.Sequential`` of a few) or an instance of a local ``ToyModel``."""
    for option in alternatives(target):
        if isinstance(option, CallVal) and (option.qualname or "").startswith("torch.nn."):
            continue
        if isinstance(option, ObjVal) and "toy" in option.name.lower():
            continue
        return False
    return True


def _state_dict_owner(node: ast.expr) -> ast.expr:
    """``model`` for ``model.state_dict()``, else the expression itself."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "state_dict"
    ):
        return node.func.value
    return node


def _compiled_name(anchor: Site) -> str | None:
    """``name`` when the call that quantises or loads the model is ``quantize_(name, ...)`` or
    ``name = loader(...)``, written as a statement of its own."""
    module, call = anchor.module, anchor.node
    statement = parent(module, call)
    name: ast.expr | None = None
    if isinstance(statement, ast.Expr) and statement.value is call:
        assert isinstance(call, ast.Call)
        arguments = argument_values(call)
        name = arguments[0] if arguments else None
    elif isinstance(statement, ast.Assign) and statement.value is call:
        name = statement.targets[0] if len(statement.targets) == 1 else None
    return name.id if isinstance(name, ast.Name) else None


def _compile_after(anchor: Site) -> TextEdit | None:
    """``name.compile()`` on a line of its own after the statement that quantises or loads
    the model (``_compiled_name``)."""
    from ecolint.fixes.cst_bridge import cst_tree
    from ecolint.fixes.ops import insert_after

    name = _compiled_name(anchor)
    statement = parent(anchor.module, anchor.node)
    if name is None or not isinstance(statement, ast.stmt):
        return None
    line = cst_tree(anchor.module).statement_line(statement)
    if line is None or len(line.body) != 1:
        return None  # ``quantize_(m, c); m.eval()``: a line of its own is for a person to make
    return insert_after(anchor.module, statement, f"{name}.compile()")


def _static_cache(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> bool:
    """``generate(cache_implementation="static")`` makes transformers compile the forward."""
    for arg in call.keywords:
        if arg.arg == "cache_implementation":
            value = resolver.value(module, arg.value)
            return isinstance(value, Const) and value.value == "static"
    return False


def _compiled_owner(resolver: Resolver, module: ModuleInfo, assign: AttrAssign) -> ast.expr | None:
    """``m.forward = torch.compile(m.forward)`` and ``m.generation_config.cache_implementation =
    "static"`` both mean ``m`` runs compiled."""
    target = assign.target
    value = resolver.value(module, assign.value)
    if (
        target.attr == "forward"
        and isinstance(value, CallVal)
        and (value.qualname == "torch.compile")
    ):
        return target.value
    if (
        target.attr == "cache_implementation"
        and isinstance(value, Const)
        and (value.value == "static")
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == ("generation_config")
    ):
        return target.value.value
    return None


def _construction(option: Value, fallback: Site) -> Site:
    """Report at the FP8 config construction, wherever it is written (inside a
    ``TorchAoConfig(quant_type=...)``, at the FP8 config of the alternatives)."""
    if isinstance(option, CallVal) and option.site is not None:
        inner = option.arg(0, "quant_type")
        if inner is not None and not isinstance(inner, Const):
            for candidate in alternatives(inner):
                if fp8_kind(candidate) is not None:
                    return _construction(candidate, fallback)
        return option.site
    return fallback
