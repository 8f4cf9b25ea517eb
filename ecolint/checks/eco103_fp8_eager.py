"""ECO103: torchao FP8 run in eager mode (the model object is never compiled)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from ecolint.analysis.bindings import AttrAssign
from ecolint.analysis.hf_loading import last_name, loading_facts, top_package
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import CallVal, Const, Site, Value, alternatives
from ecolint.checks.base import Check
from ecolint.evidence.models import ModelSize, resolve_model_size
from ecolint.evidence.select import select
from ecolint.findings.model import Report
from ecolint.fixes.edits import Fix, TextEdit, enclosing
from ecolint.fixes.ops import insert_after
from ecolint.i18n import phrase

WEIGHT_ONLY = frozenset({"Float8WeightOnlyConfig", "float8_weight_only"})
DYNAMIC = frozenset(
    {
        "Float8DynamicActivationFloat8WeightConfig",
        "float8_dynamic_activation_float8_weight",
        "Float8StaticActivationFloat8WeightConfig",
        "float8_static_activation_float8_weight",
    }
)
FP8_NAMES = WEIGHT_ONLY | DYNAMIC
_TORCHAO_NAMES = FP8_NAMES | {"quantize_", "TorchAoConfig"}
_COMPILE_NAMES = frozenset({"compile", "generate"})


def _is_torchao_call(qualname: str) -> bool:
    name = last_name(qualname)
    package = top_package(qualname)
    if package == "torchao":
        return name in FP8_NAMES or name == "quantize_"
    return package == "transformers" and name == "TorchAoConfig"


def _compiles(qualname: str) -> bool:
    """``torch.compile(m)``, ``m.compile()`` and ``m.generate(...)`` on a model object (the
    callee of a method call on a local object has no qualified name; ``re.compile`` has one)."""
    return qualname == "torch.compile" or not qualname.startswith(("re.", "regex.", "torch."))


def fp8_precision(value: Value) -> str | None:
    """``fp8_torchao_eager`` / ``fp8dyn_torchao_eager`` for a torchao FP8 config value."""
    for option in alternatives(value):
        if isinstance(option, CallVal) and option.qualname:
            name = last_name(option.qualname)
            if top_package(option.qualname) == "torchao" and name in FP8_NAMES:
                return "fp8_torchao_eager" if name in WEIGHT_ONLY else "fp8dyn_torchao_eager"
            if top_package(option.qualname) == "transformers" and name == "TorchAoConfig":
                inner = option.arg(0, "quant_type")
                if isinstance(inner, Const) and isinstance(inner.value, str):
                    if inner.value.startswith("float8"):
                        return (
                            "fp8_torchao_eager"
                            if "weight_only" in inner.value
                            else "fp8dyn_torchao_eager"
                        )
                elif inner is not None:
                    return fp8_precision(inner)
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
    a condition that cannot be known does."""

    code = "ECO103"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        compiled = self._compiled_objects(module)
        any_compile = bool(compiled) or self._compiles_something(module)
        reported: set[int] = set()
        applications = [
            (target, config, site, anchor, precision)
            for target, config, site, anchor in self._applications(module)
            for precision in (fp8_precision(config),)
            if precision is not None
        ]
        anchors: dict[int, list[Site]] = {}
        for _, config, site, anchor, _ in applications:
            if anchor is not None:
                anchors.setdefault(id(_construction(config, site).node), []).append(anchor)
        for target, config_value, config_site, _, precision in applications:
            key = identity(target) if target is not None else None
            if key is not None and key in compiled:
                reported.add(id(_construction(config_value, config_site).node))
                continue
            if key is None and any_compile:
                continue
            site = _construction(config_value, config_site)
            if id(site.node) in reported:
                continue
            reported.add(id(site.node))
            yield self._report(site, precision, target, tuple(anchors.get(id(site.node), ())))

    def _report(
        self, site: Site, precision: str, target: Value | None, anchors: tuple[Site, ...]
    ) -> Report:
        size = self._size(target)
        evidence = select(self.context.gpu, (precision,), size)
        kind = phrase(
            "eco103.weight_only" if precision == "fp8_torchao_eager" else "eco103.dynamic"
        )
        return Report(self.code, site, {"kind": kind}, "default", evidence, subject=anchors)

    def fix(self, report: Report) -> Fix | None:
        """``model.compile()`` on a line of its own after each statement that quantises the
        model (``quantize_(model, ...)``) or loads it with the config (``model =
        ...from_pretrained(..., quantization_config=config)``). ``nn.Module.compile()`` compiles
        the model in place: ``generate`` calls the compiled forward, where ``model =
        torch.compile(model)`` would return a wrapper whose ``generate`` runs eager."""
        anchors = report.subject
        if not anchors:
            return None
        return Fix.of(*(_compile_after(anchor) for anchor in dict.fromkeys(anchors)))

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

    def _applications(
        self, module: ModuleInfo
    ) -> Iterator[tuple[Value | None, Value, Site, Site | None]]:
        """(model object or None, FP8 config value, where the config is used, the call that
        quantises or loads the model) for every use."""
        resolver = self.resolver
        for call, qualname in resolver.calls_to(module, _TORCHAO_NAMES, _is_torchao_call):
            if not resolver.reachable(module, call):
                continue
            if last_name(qualname) == "quantize_":
                if len(call.args) > 1:
                    target = resolver.value(module, call.args[0].value)
                    config = resolver.value(module, call.args[1].value)
                    yield target, config, Site(module, call.args[1].value), Site(module, call)
                continue
            config = resolver.value(module, call)
            if fp8_precision(config) is not None:
                yield None, config, Site(module, call), None
        for load in loading_facts(resolver, module).loads:
            quant = load.value.kwargs.get("quantization_config")
            if quant is not None:
                yield load.value, quant.value, quant.site, load.site

    def _compiled_objects(self, module: ModuleInfo) -> set[tuple[int, int]]:
        """Identities of objects compiled on the default path, however they are compiled."""
        resolver = self.resolver
        objects: set[tuple[int, int]] = set()
        for call, qualname in resolver.calls_to(module, _COMPILE_NAMES, _compiles):
            func = call.func
            if qualname == "torch.compile":
                if not call.args:
                    continue
                compiled = resolver.value(module, call.args[0].value)
            elif isinstance(func, cst.Attribute):
                if func.attr.value == "generate" and not _static_cache(resolver, module, call):
                    continue
                compiled = resolver.value(module, func.value)
            else:
                continue
            key = identity(compiled)
            if key is not None and resolver.reachable(module, call):
                objects.add(key)
        for assign in module.attr_assigns:
            if assign.target.attr.value not in ("forward", "cache_implementation"):
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


def _compile_after(anchor: Site) -> TextEdit | None:
    """``name.compile()`` after ``quantize_(name, ...)`` or ``name = loader(...)`` written as
    a statement of its own; other shapes (an attribute, a call inside an expression) are left
    to the user."""
    module, call = anchor.module, anchor.node
    statement = enclosing(module, call, cst.SimpleStatementLine)
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    name: cst.BaseExpression | None = None
    if isinstance(small, cst.Expr) and small.value is call:
        assert isinstance(call, cst.Call)
        name = call.args[0].value
    elif isinstance(small, cst.Assign) and small.value is call and len(small.targets) == 1:
        name = small.targets[0].target
    if not isinstance(name, cst.Name):
        return None
    return insert_after(module, statement, f"{name.value}.compile()")


def _static_cache(resolver: Resolver, module: ModuleInfo, call: cst.Call) -> bool:
    """``generate(cache_implementation="static")`` makes transformers compile the forward."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "cache_implementation":
            value = resolver.value(module, arg.value)
            return isinstance(value, Const) and value.value == "static"
    return False


def _compiled_owner(
    resolver: Resolver, module: ModuleInfo, assign: AttrAssign
) -> cst.BaseExpression | None:
    """``m.forward = torch.compile(m.forward)`` and ``m.generation_config.cache_implementation =
    "static"`` both mean ``m`` runs compiled."""
    target = assign.target
    value = resolver.value(module, assign.value)
    if (
        target.attr.value == "forward"
        and isinstance(value, CallVal)
        and (value.qualname == "torch.compile")
    ):
        return target.value
    if (
        target.attr.value == "cache_implementation"
        and isinstance(value, Const)
        and (value.value == "static")
        and isinstance(target.value, cst.Attribute)
        and target.value.attr.value == ("generation_config")
    ):
        return target.value.value
    return None


def _construction(value: Value, fallback: Site) -> Site:
    """Report at the FP8 config construction, wherever it is written."""
    for option in alternatives(value):
        if isinstance(option, CallVal) and option.site is not None:
            inner = option.arg(0, "quant_type")
            if (
                inner is not None
                and fp8_precision(inner) is not None
                and not isinstance(inner, Const)
            ):
                return _construction(inner, fallback)
            return option.site
    return fallback
