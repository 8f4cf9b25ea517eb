"""ECO403: a model loaded or cast to FP32 for GPU inference."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from ecolint.analysis.hf_loading import ModelLoad, dtype_names, is_unsloth, loading_facts
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.training import is_training_module
from ecolint.analysis.values import CallVal, Const, DictVal, Entry, Site, Value, alternatives
from ecolint.checks.base import Check
from ecolint.checks.common import callee, convention_evidence, origin_note, render, run_contexts
from ecolint.findings import Report

DTYPE_KEYWORDS = ("torch_dtype", "dtype")
MISSING = "FP32 inference"
PRECISIONS = ("fp32",)  # the dataset's label, should FP32 rows ever be measured
SIXTEEN_BIT = frozenset({"float16", "bfloat16"})
_GPU_MAPS = frozenset({"auto", "balanced", "balanced_low_0", "sequential"})
_MOVES = ("to", "cuda", "cpu", "float", "half", "bfloat16")
_VLLM = frozenset({"vllm.LLM", "vllm.entrypoints.llm.LLM"})


class Fp32Inference(Check):
    """Only where the model is known to run on a GPU (``device_map``, a pipeline ``device``,
    ``.to("cuda")``, ``.cuda()``, unsloth, vLLM): a model left on the CPU, where FP32 is the norm,
    or placed where ecolint cannot see, is not reported. Training modules are exempt."""

    code = "ECO403"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        if is_training_module(self.resolver, module):
            return
        facts = loading_facts(self.resolver, module)
        moves = self._moves(module)
        for load in facts.loads:
            if load.kind not in ("model", "pipeline"):
                continue
            placement = self._placement(load, moves)
            if placement is None:
                continue
            mine = [(name, call) for target, name, call in moves if target is load]
            if any(name in ("half", "bfloat16", "to-16bit") for name, _ in mine):
                continue
            for keyword, entry in _dtype_entries(load):
                if dtype_names(entry.value) == frozenset({"float32"}):
                    yield self._dtype_report(keyword, entry, load, placement)
            for name, call in mine:
                if name in ("float", "to-32bit"):
                    params = {"call": _call_text(module, call), "placement": placement}
                    evidence = convention_evidence(self.context, MISSING, load, PRECISIONS)
                    yield Report(self.code, Site(module, call), params, "cast", evidence)
        yield from self._vllm(module)

    def _dtype_report(
        self, keyword: str, entry: Entry, load: ModelLoad | None, placement: str
    ) -> Report:
        params = {
            "setting": f"{keyword}={render(entry.value)}",
            "origin": origin_note(entry.value, entry.site),
            "target": callee(load, entry.site) if load is not None else "vllm.LLM()",
            "placement": placement,
        }
        evidence = convention_evidence(self.context, MISSING, load, PRECISIONS)
        return Report(self.code, entry.site, params, evidence=evidence)

    def _moves(self, module: ModuleInfo) -> list[tuple[ModelLoad, str, cst.Call]]:
        """Device moves and dtype casts of loaded models: (load, what, call). A ``to(...)`` is
        named by each of its arguments: ``to-gpu``, ``to-cpu``, ``to-16bit``, ``to-32bit``."""
        facts = loading_facts(self.resolver, module)
        found = []
        for method in _MOVES:
            for call in module.calls_named(method):
                func = call.func
                if not isinstance(func, cst.Attribute) or not self.resolver.reachable(module, call):
                    continue
                load = facts.load_of(self.resolver.value(module, func.value))
                if load is not None:
                    kinds = self._to(module, call) if method == "to" else [method]
                    found.extend((load, kind, call) for kind in kinds)
        return found

    def _to(self, module: ModuleInfo, call: cst.Call) -> list[str]:
        kinds = []
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value not in ("device", "dtype"):
                continue
            value = self.resolver.value(module, arg.value)
            dtypes = dtype_names(value)
            device = device_kind(value)
            if dtypes and dtypes <= SIXTEEN_BIT:
                kinds.append("to-16bit")
            elif dtypes == frozenset({"float32"}):
                kinds.append("to-32bit")
            elif device is not None:
                kinds.append(f"to-{device}")
        return kinds

    def _placement(
        self, load: ModelLoad, moves: list[tuple[ModelLoad, str, cst.Call]]
    ) -> str | None:
        """How the model gets onto a GPU, for the message; None when it is not known to."""
        if is_unsloth(load.loader):
            return "unsloth runs on CUDA"
        for keyword in ("device_map", "device"):
            entry = load.value.kwargs.get(keyword)
            if entry is not None and device_kind(entry.value) == "gpu":
                written = entry.site.module.module.code_for_node(entry.site.node)
                return " ".join(written.split()).rstrip(",")
        module = load.site.module
        for target, name, call in moves:
            if target is load and name in ("cuda", "to-gpu"):
                return _call_text(module, call)
        facts = loading_facts(self.resolver, module)
        for other in facts.loads:
            if other.kind == "pipeline" and other is not load:
                model = other.value.arg(1, "model")
                if model is not None and facts.load_of(model) is load:
                    placement = self._placement(other, moves)
                    if placement is not None:
                        return f"pipeline {placement}"
        return None

    def _vllm(self, module: ModuleInfo) -> Iterator[Report]:
        """vLLM runs on the GPU; ``dtype="float32"`` there is FP32 inference."""
        resolver = self.resolver
        for call, _ in resolver.calls_to(module, frozenset({"LLM"}), _VLLM.__contains__):
            for env in run_contexts(resolver, module, call):
                entry = resolver.call_value(module, call, env, "vllm.LLM").kwargs.get("dtype")
                if entry is not None and dtype_names(entry.value) == frozenset({"float32"}):
                    yield self._dtype_report("dtype", entry, None, "vLLM runs on CUDA")


def _call_text(module: ModuleInfo, call: cst.Call) -> str:
    """``.to("cuda")`` / ``.float()`` as written, for messages."""
    assert isinstance(call.func, cst.Attribute)
    args = ", ".join(module.module.code_for_node(arg).rstrip(", ") for arg in call.args)
    return f".{call.func.attr.value}({args})"


def _dtype_entries(load: ModelLoad) -> Iterator[tuple[str, Entry]]:
    carriers: list[Value] = [DictVal(entries=load.value.kwargs)]
    model_kwargs = load.value.kwargs.get("model_kwargs")
    if load.kind == "pipeline" and model_kwargs is not None:
        carriers.append(model_kwargs.value)
    for carrier in carriers:
        for option in alternatives(carrier):
            if isinstance(option, DictVal):
                for keyword in DTYPE_KEYWORDS:
                    if keyword in option.entries:
                        yield keyword, option.entries[keyword]


def device_kind(value: Value) -> str | None:
    """``gpu`` when any alternative names a CUDA device or an automatic device map (which uses
    the GPU when there is one), ``cpu`` when all name the CPU, None otherwise."""
    kinds = set()
    for option in alternatives(value):
        if isinstance(option, CallVal) and option.qualname == "torch.device" and option.args:
            kinds.add(device_kind(option.args[0]))
        elif isinstance(option, DictVal):
            kinds.update(device_kind(entry.value) for entry in option.entries.values())
        elif isinstance(option, Const):
            kinds.add(_device_constant(option.value))
        else:
            kinds.add(None)
    if "gpu" in kinds:
        return "gpu"
    return "cpu" if kinds == {"cpu"} else None


def _device_constant(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return "gpu" if value >= 0 else "cpu"
    if isinstance(value, str):
        if value.startswith("cuda") or value in _GPU_MAPS:
            return "gpu"
        if value in ("cpu", "disk"):
            return "cpu"
    return None
