"""Facts about running models that the batching and serving rules share: what a generation
call is (``model.generate``, a pipeline object called on inputs, or a function of the module
that makes one), what a model load is, and which generation calls run once per item of a loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ecolint.analysis.callgraph import local_callee, reaches
from ecolint.analysis.hf_loading import is_loader, last_name, top_package
from ecolint.analysis.loops import Loop, dotted, enclosing, loops
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import CallVal, Const, Unknown, Value, alternatives
from ecolint.i18n import Phrase, phrase

# Objects built by these packages are models whose ``generate`` runs on the local GPU; other
# packages' ``generate`` (openai, cohere, text_generation clients …) call a remote service.
MODEL_PACKAGES = frozenset(
    {"transformers", "peft", "trl", "optimum", "auto_gptq", "awq", "unsloth", "vllm", "torch"}
)
OTHER_LOADERS = frozenset(
    {"vllm.LLM", "vllm.entrypoints.llm.LLM", "llama_cpp.Llama", "llama_cpp.Llama.from_pretrained"}
)
_NOT_MODELS = ("Tokenizer", "Processor", "Config", "FeatureExtractor")
_LOADER_NAMES = frozenset({"from_pretrained", "pipeline", "LLM", "Llama"})


def is_pipeline(value: Value) -> bool:
    """Whether a value is (possibly) a transformers pipeline object."""
    return any(
        isinstance(option, CallVal) and option.qualname and _is_pipeline_factory(option.qualname)
        for option in alternatives(value)
    )


def _is_pipeline_factory(qualname: str) -> bool:
    return is_loader(qualname) and last_name(qualname) == "pipeline"


def is_model_load(qualname: str) -> bool:
    """``from_pretrained`` of a model (not a tokenizer, processor or config), ``pipeline(...)``,
    vLLM's ``LLM(...)`` and llama-cpp-python's ``Llama(...)``."""
    if qualname in OTHER_LOADERS:
        return True
    if not is_loader(qualname):
        return False
    if last_name(qualname) == "from_pretrained":
        owner = qualname.split(".")[-2]
        return not any(word in owner for word in _NOT_MODELS)
    return True


def _model_like(value: Value) -> bool:
    for option in alternatives(value):
        if isinstance(option, Unknown) or (isinstance(option, Const) and option.value is None):
            return True
        if isinstance(option, CallVal) and (
            option.qualname is None or top_package(option.qualname) in MODEL_PACKAGES
        ):
            return True
    return False


def direct_generation(resolver: Resolver, module: ModuleInfo, call: cst.Call) -> Phrase | str:
    """``model.generate()`` / ``pipe()`` when the call runs a model itself, else ''."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "generate":
        if resolver.qualname(module, func):
            return ""  # a module's function (``ollama.generate``), not a model's method
        if _model_like(resolver.value(module, func.value)):
            return f"{dotted(func.value) or 'model'}.generate()"
        return ""
    if isinstance(func, (cst.Name, cst.Call)) and is_pipeline(resolver.value(module, func)):
        return phrase("inference.pipeline_call", call=f"{dotted(func) or 'pipeline(...)'}()")
    return ""


def _single_generation(resolver: Resolver, module: ModuleInfo, call: cst.Call) -> bool:
    """A generation a helper makes once per call (not inside a loop of its own)."""
    return bool(direct_generation(resolver, module, call)) and not enclosing(resolver, module, call)


def generation(resolver: Resolver, module: ModuleInfo, call: cst.Call) -> Phrase | str:
    """What runs a model at this call: the call itself, or a function of the module that makes
    one generation call per call; '' otherwise."""
    callee = local_callee(resolver, module, call)
    if callee is not None:
        if reaches(
            resolver,
            module,
            callee,
            "generation",
            lambda inner: _single_generation(resolver, module, inner),
            lambda _: True,
        ):
            return phrase("inference.generating_helper", name=callee.name.value)
        return ""
    return direct_generation(resolver, module, call)


def loader_calls(resolver: Resolver, module: ModuleInfo) -> dict[cst.Call, str]:
    """Every call of the module to a loader (of models, tokenizers, pipelines, vLLM engines,
    llama.cpp models), with its qualified name; a module without any cannot load per request."""

    def collect() -> dict[cst.Call, str]:
        calls = resolver.calls_to(
            module, _LOADER_NAMES, lambda name: is_loader(name) or name in OTHER_LOADERS
        )
        return dict(calls)

    return resolver.facts.memo(("loader-calls", module), collect)


def loads_model(resolver: Resolver, module: ModuleInfo, call: cst.Call) -> bool:
    """Any loader (models and tokenizers) at this call or in a function of the module it runs."""
    loaders = loader_calls(resolver, module)
    if not loaders:
        return False

    def direct(inner: cst.Call) -> bool:
        return inner in loaders

    if direct(call):
        return True
    callee = local_callee(resolver, module, call)
    return callee is not None and reaches(
        resolver, module, callee, "any-loader", direct, lambda _: True
    )


def loops_over_models(resolver: Resolver, module: ModuleInfo, loop: Loop) -> bool:
    """The loop variable feeds a loader: each iteration is another model (or precision)."""
    return any(
        loads_model(resolver, module, call) and loop.depends_on_variable(call)
        for call in loop.calls
    )


@dataclass(frozen=True)
class PerItem:
    """A generation call that runs once per iteration on that iteration's item."""

    call: cst.Call
    loop: Loop
    what: Phrase | str


def per_item_generation(resolver: Resolver, module: ModuleInfo) -> tuple[PerItem, ...]:
    """Generation calls inside loops whose input comes from the loop variable, and whose output
    does not flow back into the next input. Loops over models and calls given a ``batch_size``
    are left out; whether the loop iterates batches is for each rule to decide."""
    return resolver.facts.memo(("per-item-generation", module), lambda: _per_item(resolver, module))


def _per_item(resolver: Resolver, module: ModuleInfo) -> tuple[PerItem, ...]:
    if not module.calls_named("generate") and "pipeline" not in module.text:
        return ()
    found: list[PerItem] = []
    for loop in loops(resolver, module):
        candidates = [
            (call, what)
            for call in loop.calls
            if (what := generation(resolver, module, call))
            and resolver.reachable(module, call)
            and not any(arg.keyword and arg.keyword.value == "batch_size" for arg in call.args)
        ]
        if not candidates or loops_over_models(resolver, module, loop):
            continue
        for call, what in candidates:
            if loop.depends_on_variable(call) and not loop.feeds_back(call):
                found.append(PerItem(call, loop, what))
    return tuple(found)
