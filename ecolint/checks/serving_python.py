"""TGI and vLLM launched from Python (not a check: it defines no ``code``): argv lists handed
to ``subprocess`` or kept for later (``["vllm", "serve", model, "--quantization",
"bitsandbytes"]``, ``docker run`` lists included), and vLLM's own API (``LLM``, ``EngineArgs``,
``AsyncEngineArgs``). Elements and keywords are resolved like any other value; each setting
points at the element or keyword that sets it."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ecolint.analysis.hf_loading import last_name, top_package
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.origin import describe_origin
from ecolint.analysis.values import CallVal, Const, Site, Value
from ecolint.checks.base import CheckContext
from ecolint.checks.check_support import model_size
from ecolint.checks.serving_engines import VLLM, Served, Setting, served
from ecolint.checks.serving_findings import ServedModel
from ecolint.sources.launch_model import Launch, Word
from ecolint.sources.shell_script import docker_run

LAUNCHERS = frozenset({"text-generation-launcher", "vllm", "docker", "podman"})
VLLM_ENGINES = frozenset({"LLM", "EngineArgs", "AsyncEngineArgs"})
ENGINE_KEYWORDS = {"quantization": "quantize", "dtype": "dtype", "max_num_seqs": "max_num_seqs"}


def argv_serving(context: CheckContext, module: ModuleInfo) -> list[ServedModel]:
    """Every argv list of the module that starts TGI or vLLM, once per call context; worked
    out once per module for all the rules."""
    key = ("serving argv", module.path)
    return context.resolver.facts.memo(key, lambda: list(_argv_lists(context, module)))


def engine_serving(context: CheckContext, module: ModuleInfo) -> list[ServedModel]:
    """Every vLLM engine the module builds, once per call context."""
    key = ("serving engines", module.path)
    return context.resolver.facts.memo(key, lambda: list(_engines(context, module)))


def _argv_lists(context: CheckContext, module: ModuleInfo) -> Iterator[ServedModel]:
    resolver = context.resolver
    for sequence in module.guards_of:
        if not isinstance(sequence, (ast.List, ast.Tuple)) or not _names_launcher(sequence):
            continue
        for env in resolver.contexts(module, sequence):
            if not resolver.reachable(module, sequence, env):
                continue
            words = []
            for element in sequence.elts:
                if isinstance(element, ast.Starred):
                    break  # what follows a spread is at an unknown position
                value = resolver.value(module, element, env)
                words.append(Word(_text(value), Site(module, element)))
            found = _served_argv(words)
            if found is not None:
                yield _with_model(context, module, found)


def _names_launcher(sequence: ast.List | ast.Tuple) -> bool:
    return any(
        isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in LAUNCHERS
        for node in sequence.elts
    )


def _served_argv(words: list[Word]) -> Served | None:
    texts = [word.text for word in words]
    if texts[:2] in (["docker", "run"], ["podman", "run"]):
        launch = docker_run(words[2:], {})
        return served(launch) if launch is not None else None
    return served(Launch(tuple(words)))


def _engines(context: CheckContext, module: ModuleInfo) -> Iterator[ServedModel]:
    """``LLM(model, quantization="bitsandbytes")`` and the engine args of the server."""

    def accept(qualname: str) -> bool:
        return top_package(qualname) == "vllm" and last_name(qualname) in VLLM_ENGINES

    resolver = context.resolver
    for call, env, _ in resolver.calls_in_contexts(module, VLLM_ENGINES, accept):
        engine = resolver.value(module, call, env)
        if not isinstance(engine, CallVal):
            continue
        settings: dict[str, Setting] = {}
        for keyword, name in ENGINE_KEYWORDS.items():
            entry = engine.kwargs.get(keyword)
            if entry is not None and _text(entry.value) is not None:
                word = Word(_text(entry.value), entry.site)
                settings[name] = Setting(name, word, f"{keyword}=")
        model = engine.arg(0, "model")
        if model is not None and _text(model) is not None:
            entry = engine.kwargs.get("model")
            site = entry.site if entry is not None else Site(module, call)
            settings["model"] = Setting("model", Word(_text(model), site), "model=")
        yield _with_model(context, module, Served(VLLM, settings), model)


def _with_model(
    context: CheckContext, module: ModuleInfo, found: Served, model: Value | None = None
) -> ServedModel:
    setting = found.get("model")
    size = model_size(context, module.path, setting.text) if setting is not None else None
    origin = describe_origin(model, setting.value.span) if model is not None and setting else ""
    return ServedModel(found, size, origin)


def _text(value: Value) -> str | None:
    if isinstance(value, Const) and isinstance(value.value, (str, int)):
        return str(value.value) if not isinstance(value.value, bool) else None
    return None
