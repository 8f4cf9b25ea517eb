"""Where a loaded model runs, and which dtype casts it gets after loading.

A Hugging Face model stays on the CPU unless the code places it: ``device_map`` (``"auto"`` and
friends use the GPU when there is one), a pipeline ``device``, ``.to("cuda")``/``.cuda()`` on the
model or on a chain from it (``from_pretrained(...).to(device).eval()``), or a pipeline that is
handed the loaded model. unsloth and vLLM run on CUDA only. ``placement`` describes the GPU
placement for messages, or is None when the model is not known to reach a GPU.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property

from ecolint.analysis.cpu_branch import in_cpu_branch
from ecolint.analysis.hf_loading import ModelLoad, dtype_names, is_unsloth, loading_facts
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import CallVal, Const, DictVal, Value, alternatives
from ecolint.i18n import Phrase, phrase

SIXTEEN_BIT = frozenset({"float16", "bfloat16"})
AUTOMATIC_MAPS = frozenset({"auto", "balanced", "balanced_low_0", "sequential"})
# Module methods that move or cast a model; ``to(...)`` is named by its arguments instead.
_METHODS = ("to", "cuda", "cpu", "float", "half", "bfloat16")


@dataclass(unsafe_hash=True)
class Move:
    """A call on a loaded model: ``cuda``, ``cpu``, ``float``, ``half``, ``bfloat16``, or for
    ``to(...)`` one of ``to-gpu``, ``to-cpu``, ``to-16bit``, ``to-32bit`` per argument."""

    load: ModelLoad
    kind: str
    call: ast.Call

    @property
    def text(self) -> str:
        """``.to("cuda")`` as written, for messages."""
        func = self.call.func
        assert isinstance(func, ast.Attribute)
        code = self.load.site.module.code_for
        arguments = [*self.call.args, *self.call.keywords]
        return f".{func.attr}({', '.join(code(arg) for arg in arguments)})"


def placement_facts(resolver: Resolver, module: ModuleInfo) -> PlacementFacts:
    return resolver.facts.memo(
        ("placement-facts", module), lambda: PlacementFacts(resolver, module)
    )


class PlacementFacts:
    def __init__(self, resolver: Resolver, module: ModuleInfo) -> None:
        self.resolver = resolver
        self.module = module
        self.loading = loading_facts(resolver, module)

    @cached_property
    def moves(self) -> list[Move]:
        """Reachable moves and casts of this module's loaded models, except those in a branch
        taken only on the CPU (``analysis.cpu_branch``)."""
        module, resolver = self.module, self.resolver
        found = []
        for method in _METHODS:
            for call in module.calls_named(method):
                func = call.func
                if not isinstance(func, ast.Attribute) or not resolver.reachable(module, call):
                    continue
                if in_cpu_branch(module, call):
                    continue  # a CPU fallback: not what happens where the model runs on a GPU
                load = self.loading.load_of(resolver.value(module, func.value))
                if load is not None:
                    kinds = self._to_kinds(call) if method == "to" else [method]
                    found.extend(Move(load, kind, call) for kind in kinds)
        return found

    def moves_of(self, load: ModelLoad) -> list[Move]:
        return [move for move in self.moves if move.load is load]

    def cast_to_16bit(self, load: ModelLoad) -> bool:
        return any(move.kind in ("half", "bfloat16", "to-16bit") for move in self.moves_of(load))

    def placement(self, load: ModelLoad) -> Phrase | str | None:
        """How the model reaches a GPU (``device_map="auto"``, ``.cuda()``, ...) or None."""
        if is_unsloth(load.loader):
            return phrase("placement.runs_on_cuda", engine="unsloth")
        for keyword in ("device_map", "device"):
            entry = load.value.kwargs.get(keyword)
            if entry is not None and device_kind(entry.value) == "gpu":
                written = entry.site.module.code_for(entry.site.node)
                return " ".join(written.split()).rstrip(",")
        for move in self.moves_of(load):
            if move.kind in ("cuda", "to-gpu"):
                return move.text
        for other in self.loading.loads:
            if other.kind == "pipeline" and other is not load:
                model = other.value.arg(1, "model")
                if model is not None and self.loading.load_of(model) is load:
                    served = self.placement(other)
                    if served is not None:
                        return phrase("placement.pipeline", placement=served)
        return None

    def _to_kinds(self, call: ast.Call) -> list[str]:
        kinds = []
        for arg in [*call.args, *call.keywords]:
            if isinstance(arg, ast.keyword) and arg.arg not in ("device", "dtype"):
                continue
            value = self.resolver.value(
                self.module, arg.value if isinstance(arg, ast.keyword) else arg
            )
            dtypes = dtype_names(value)
            device = device_kind(value)
            if dtypes and dtypes <= SIXTEEN_BIT:
                kinds.append("to-16bit")
            elif dtypes == frozenset({"float32"}):
                kinds.append("to-32bit")
            elif device is not None:
                kinds.append(f"to-{device}")
        return kinds


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
        if value.startswith("cuda") or value in AUTOMATIC_MAPS:
            return "gpu"
        if value in ("cpu", "disk"):
            return "cpu"
    return None
