"""Facts about running models that the batching and serving rules share: what a generation
call is (``model.generate``, a pipeline object called on inputs, or a function of the module
that makes one), what a model load is, and which generation calls run once per item of a loop.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ecolint.analysis.callgraph import calls_of, local_callee, reaches
from ecolint.analysis.hf_loading import SOUND_MODELS, is_loader, last_name, top_package
from ecolint.analysis.loops import Loop, dotted, enclosing, loops
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.tree_walk import walk
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
_DEFERRED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Decoding settings of one ``generate()`` call: an item that brings its own (a request's
# temperature, a sweep's step count) cannot share that call with the other items.
_DECODING_SETTINGS = frozenset(
    {
        "temperature",
        "top_p",
        "top_k",
        "min_p",
        "typical_p",
        "do_sample",
        "num_beams",
        "num_return_sequences",
        "repetition_penalty",
        "penalty_alpha",
        "generation_config",
        "guidance_scale",
        "num_inference_steps",
    }
)
Function = ast.FunctionDef | ast.AsyncFunctionDef


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


def _makes_sound(value: Value) -> bool:
    """A text-to-speech or music model, named by the call that built it
    (``ParlerTTSForConditionalGeneration.from_pretrained(...).to(device)``)."""
    for option in alternatives(value):
        if isinstance(option, CallVal) and option.site is not None:
            names = {option.qualname or ""}
            node = option.site.node
            while isinstance(node, ast.Call):
                names.add(dotted(node.func))
                func = node.func
                node = func.value if isinstance(func, ast.Attribute) else None
            if any(word in name for name in names for word in SOUND_MODELS):
                return True
    return False


def direct_generation(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> Phrase | str:
    """``model.generate()`` / ``pipe()`` when the call runs a model itself, else ''."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "generate":
        if resolver.qualname(module, func):
            return ""  # a module's function (``ollama.generate``), not a model's method
        model = resolver.value(module, func.value)
        if _model_like(model) and not _makes_sound(model):
            return f"{dotted(func.value) or 'model'}.generate()"
        return ""
    if isinstance(func, (ast.Name, ast.Call)) and is_pipeline(resolver.value(module, func)):
        return phrase("inference.pipeline_call", call=f"{dotted(func) or 'pipeline(...)'}()")
    return ""


def _looped(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> bool:
    """A call that runs many times per run of the code around it: in a ``for``, a
    comprehension or a ``while`` (a multi-turn game, a retry, a decoding loop)."""
    if enclosing(resolver, module, call):
        return True
    in_while = resolver.facts.memo(("calls-in-while", module), lambda: _calls_in_while(module))
    return call in in_while


def _calls_in_while(module: ModuleInfo) -> frozenset[ast.Call]:
    return frozenset(
        node
        for loop in walk(module.module)
        if isinstance(loop, ast.While)
        for statement in loop.body
        for node in walk(statement, _DEFERRED)
        if isinstance(node, ast.Call)
    )


def _generates_once(resolver: Resolver, module: ModuleInfo, function: Function) -> bool:
    """Whether one call of ``function`` makes one generation: a generation call outside its
    loops, itself or through a function of the module it calls outside its loops. A function
    that generates in a loop of its own (a game played turn by turn, an evaluation over rows)
    is not one prompt per call, so a loop around it is not a loop over prompts."""
    answers: dict[Function, bool] = resolver.facts.memo(("generates-once", module), dict)
    if function in answers:
        return answers[function]
    answers[function] = False  # recursion does not count
    found = False
    for call in calls_of(resolver, module, function):
        if not resolver.reachable(module, call) or _looped(resolver, module, call):
            continue
        callee = local_callee(resolver, module, call)
        if (callee is None and direct_generation(resolver, module, call)) or (
            callee is not None and _generates_once(resolver, module, callee)
        ):
            found = True
            break
    answers[function] = found
    return found


def generation(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> Phrase | str:
    """What runs a model at this call: the call itself, or a function of the module that makes
    one generation call per call; '' otherwise."""
    callee = local_callee(resolver, module, call)
    if callee is not None:
        if _generates_once(resolver, module, callee):
            return phrase("inference.generating_helper", name=callee.name)
        return ""
    return direct_generation(resolver, module, call)


def loader_calls(resolver: Resolver, module: ModuleInfo) -> dict[ast.Call, str]:
    """Every call of the module to a loader (of models, tokenizers, pipelines, vLLM engines,
    llama.cpp models), with its qualified name; a module without any cannot load per request."""

    def collect() -> dict[ast.Call, str]:
        calls = resolver.calls_to(
            module, _LOADER_NAMES, lambda name: is_loader(name) or name in OTHER_LOADERS
        )
        return dict(calls)

    return resolver.facts.memo(("loader-calls", module), collect)


def loads_model(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> bool:
    """Any loader (models and tokenizers) at this call or in a function of the module it runs."""
    loaders = loader_calls(resolver, module)
    if not loaders:
        return False

    def direct(inner: ast.Call) -> bool:
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


@dataclass(unsafe_hash=True)
class PerItem:
    """A generation call that runs once per iteration on that iteration's item."""

    call: ast.Call
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
            and not any(keyword.arg == "batch_size" for keyword in call.keywords)
        ]
        if not candidates or loops_over_models(resolver, module, loop):
            continue
        for call, what in candidates:
            if (
                loop.depends_on_variable(call)
                and not loop.feeds_back(call)
                and not _receiver_varies(resolver, module, call)
                and not _settings_vary(loop, call)
            ):
                found.append(PerItem(call, loop, what))
    return tuple(found)


def _settings_vary(loop: Loop, call: ast.Call) -> bool:
    """A decoding setting taken from the item (``temperature=request["temperature"]``): each item
    is decoded its own way, so the items are not one batch of prompts."""
    return any(
        keyword.arg in _DECODING_SETTINGS and loop.varies(keyword.value)
        for keyword in call.keywords
    )


def _receiver_varies(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> bool:
    """``gen.generate(...)`` where ``gen`` comes from a loop's item: each iteration runs another
    object (a list of dummy-input generators, of models), not one model on many prompts."""
    func = call.func
    return isinstance(func, ast.Attribute) and any(
        loop.varies(func.value) for loop in enclosing(resolver, module, call)
    )
