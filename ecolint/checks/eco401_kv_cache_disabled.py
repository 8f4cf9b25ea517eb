"""ECO401: ``use_cache=False`` at inference, so every new token recomputes the whole prefix."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from ecolint.analysis.hf_loading import (
    LOADER_PACKAGES,
    is_loader,
    last_name,
    loaded_kind,
    loading_facts,
    top_package,
)
from ecolint.analysis.module import AttrAssign, ModuleInfo
from ecolint.analysis.training import is_training_module
from ecolint.analysis.values import (
    CallVal,
    ClassVal,
    DictVal,
    Entry,
    FuncVal,
    ModuleVal,
    ObjVal,
    Ref,
    Site,
    Value,
    alternatives,
)
from ecolint.checks.base import Check
from ecolint.checks.common import (
    callee,
    convention_evidence,
    known_constants,
    may_pass,
    origin_note,
    render,
    run_contexts,
)
from ecolint.evidence.select import Evidence
from ecolint.findings import Report

KEYWORD = "use_cache"
MISSING = "generation with the KV cache disabled"
# Packages whose objects may carry a Hugging Face ``generate``; torch for ``torch.compile(model)``.
_GENERATE_PACKAGES = LOADER_PACKAGES | {"torch"}


def disables(value: Value) -> bool:
    """``False`` (or ``0``) on every path; ``None`` means the default, which is True."""
    found = known_constants(value)
    return bool(found) and all(isinstance(item, int) and not item for item in found or ())


class KvCacheDisabled(Check):
    """Training scripts are exempt (gradient checkpointing needs the cache off). A value that
    cannot be known is not reported."""

    code = "ECO401"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        if is_training_module(self.resolver, module):
            return
        reported: set[int] = set()
        loads = self._loads(module) if self._generates(module) else ()
        for entry, target in (*loads, *self._calls(module)):
            if disables(entry.value) and id(entry.site.node) not in reported:
                reported.add(id(entry.site.node))
                params = {
                    "target": target,
                    "value": render(entry.value),
                    "origin": origin_note(entry.value, entry.site),
                }
                yield Report(self.code, entry.site, params, evidence=self._evidence())
        for assign in module.attr_assigns:
            if assign.target.attr.value == KEYWORD and self._configures(module, assign):
                yield from self._assignment(module, assign)

    def _generates(self, module: ModuleInfo) -> bool:
        """A model or config loaded with the cache off matters only where text is generated: a
        scoring script (perplexity, embeddings) needs no cache and may turn it off."""
        if module.calls_named("generate") or module.calls_named("GenerationConfig"):
            return True
        return any(
            load.kind in ("pipeline", "generation-config")
            for load in loading_facts(self.resolver, module).loads
        )

    def _evidence(self) -> Evidence:
        return convention_evidence(self.context, MISSING)

    def _loads(self, module: ModuleInfo) -> Iterator[tuple[Entry, str]]:
        """Models, configs and pipelines loaded with the cache off."""
        for load in loading_facts(self.resolver, module).loads:
            if load.kind == "other":
                continue
            carriers: list[Value] = [DictVal(entries=load.value.kwargs)]
            if load.kind == "pipeline":
                for name in ("model_kwargs", "generate_kwargs"):
                    nested = load.value.kwargs.get(name)
                    if nested is not None:
                        carriers.append(nested.value)
            for entry in _entries(carriers):
                yield entry, callee(load, entry.site)

    def _calls(self, module: ModuleInfo) -> Iterator[tuple[Entry, str]]:
        """``generate(...)``, ``GenerationConfig(...)`` and calls of a pipeline object."""
        resolver = self.resolver
        for call in module.calls:
            if not may_pass(call, KEYWORD):
                continue
            target = self._generation_call(module, call)
            if target is None:
                continue
            for env in run_contexts(resolver, module, call):
                value = resolver.call_value(module, call, env, None)
                nested = value.kwargs.get("generate_kwargs")
                carriers = [DictVal(entries=value.kwargs), *([nested.value] if nested else [])]
                for entry in _entries(carriers):
                    yield entry, target

    def _generation_call(self, module: ModuleInfo, call: cst.Call) -> str | None:
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "generate":
            receiver = self.resolver.value(module, func.value)
            return "generate()" if _may_generate(receiver) else None
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return None
        qualname = self.resolver.qualname(module, func)
        if top_package(qualname) == "transformers" and last_name(qualname) == "GenerationConfig":
            return "GenerationConfig()"
        if not qualname:
            for option in alternatives(self.resolver.value(module, func)):
                built = option.qualname if isinstance(option, CallVal) else None
                if is_loader(built) and loaded_kind(built or "") == "pipeline":
                    return f"{module.module.code_for_node(func)}()"
        return None

    def _configures(self, module: ModuleInfo, assign: AttrAssign) -> bool:
        """``<anything>.generation_config.use_cache = ...``, ``<loaded model>.config.use_cache =
        ...``, or the attribute of a loaded or constructed (generation) config. ``use_cache`` is
        a common name: a ``.config`` of an object that is not a loaded model is someone else's."""
        owner = assign.target.value
        if isinstance(owner, cst.Attribute) and owner.attr.value == "generation_config":
            return True
        if isinstance(owner, cst.Attribute) and owner.attr.value == "config":
            base = self.resolver.value(module, owner.value)
            loaded = loading_facts(self.resolver, module).load_of(base) is not None
            return loaded and self._generates(module)
        for option in alternatives(self.resolver.value(module, owner)):
            if isinstance(option, CallVal) and option.qualname:
                name = last_name(option.qualname)
                if name == "GenerationConfig" or (
                    is_loader(option.qualname)
                    and loaded_kind(option.qualname) in ("config", "generation-config")
                ):
                    return True
        return False

    def _assignment(self, module: ModuleInfo, assign: AttrAssign) -> Iterator[Report]:
        site = Site(module, assign.value)
        target = module.module.code_for_node(assign.target)
        for env in run_contexts(self.resolver, module, assign.target):
            value = self.resolver.value(module, assign.value, env)
            if disables(value):
                params = {
                    "target": target,
                    "value": render(value),
                    "origin": origin_note(value, site),
                }
                yield Report(self.code, site, params, "assigned", self._evidence())
                return


def _entries(carriers: list[Value]) -> Iterator[Entry]:
    for carrier in carriers:
        for option in alternatives(carrier):
            if isinstance(option, DictVal) and KEYWORD in option.entries:
                yield option.entries[KEYWORD]


def _may_generate(receiver: Value) -> bool:
    """A receiver from the scanned code (a local class, module or function) is not a Hugging
    Face model, nor is an object built by a package that has no ``generate(use_cache=...)``."""
    for option in alternatives(receiver):
        if isinstance(option, (ObjVal, ClassVal, ModuleVal, FuncVal)):
            return False
        qualname = option.qualname if isinstance(option, (CallVal, Ref)) else None
        if qualname and top_package(qualname) not in _GENERATE_PACKAGES:
            return False
    return True
