"""ECO403: a model loaded or cast to FP32 for GPU inference."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ecolint.analysis.hf_loading import ModelLoad, dtype_names, loading_facts
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.placement import placement_facts
from ecolint.analysis.resolver import call_value
from ecolint.analysis.values import DictVal, Entry, Ref, Site, Value, alternatives
from ecolint.checks.base import Check
from ecolint.checks.check_support import (
    callee,
    convention_evidence,
    origin_note,
    render,
    run_contexts,
)
from ecolint.checks.serving_findings import fp32_reports, serving
from ecolint.checks.serving_python import argv_serving
from ecolint.evidence.gpus import supports_bf16
from ecolint.findings.model import Report
from ecolint.fixes.definitions import dtype_settable
from ecolint.fixes.edits import Fix
from ecolint.i18n import Phrase, phrase
from ecolint.sources.document import Document

DTYPE_KEYWORDS = ("torch_dtype", "dtype")
FLOAT32 = frozenset({"float32"})
MISSING = "FP32 inference"
PRECISIONS = ("fp32",)  # the dataset's label, should FP32 rows ever be measured
CAST_METHODS = {"bfloat16": "bfloat16", "float16": "half"}  # nn.Module casts
_VLLM = frozenset({"vllm.LLM", "vllm.entrypoints.llm.LLM"})
_VLLM_ON_CUDA = phrase("placement.runs_on_cuda", engine="vLLM")


class Fp32Inference(Check):
    """Only where the model is known to run on a GPU (see ``analysis.placement``): a model left
    on the CPU, where FP32 is the norm, or placed where ecolint cannot see, is not reported; nor
    is one cast back to 16 bits. Training modules are exempt."""

    code = "ECO403"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        places = placement_facts(self.resolver, module)
        for load in loading_facts(self.resolver, module).running:
            placement = places.placement(load) if load.kind in ("model", "pipeline") else None
            if placement is None or places.cast_to_16bit(load):
                continue
            for keyword, entry in _dtype_entries(load):
                if dtype_names(entry.value) == FLOAT32:
                    yield self._dtype_report(keyword, entry, load, placement)
            for move in places.moves_of(load):
                if move.kind in ("float", "to-32bit"):
                    params = {"call": move.text, "placement": placement}
                    evidence = convention_evidence(self.context, MISSING, load, PRECISIONS)
                    site = Site(module, move.call)
                    yield Report(self.code, site, params, "cast", evidence, subject=move)
        yield from self._vllm(module)
        evidence = convention_evidence(self.context, MISSING, None, PRECISIONS)
        yield from fp32_reports(argv_serving(self.context, module), evidence)

    def run_document(self, document: Document) -> Iterator[Report]:
        evidence = convention_evidence(self.context, MISSING, None, PRECISIONS)
        return fp32_reports(serving(self.context, document), evidence)

    def _dtype_report(
        self, keyword: str, entry: Entry, load: ModelLoad | None, placement: Phrase | str
    ) -> Report:
        params = {
            "setting": f"{keyword}={render(entry.value)}",
            "origin": origin_note(entry.value, entry.site),
            "target": callee(load, entry.site) if load is not None else "vllm.LLM()",
            "placement": placement,
        }
        evidence = convention_evidence(self.context, MISSING, load, PRECISIONS)
        return Report(self.code, entry.site, params, evidence=evidence, subject=entry)

    def _vllm(self, module: ModuleInfo) -> Iterator[Report]:
        """vLLM runs on the GPU; ``dtype="float32"`` there is FP32 inference."""
        resolver = self.resolver
        for call, _ in resolver.calls_to(module, frozenset({"LLM"}), _VLLM.__contains__):
            for env in run_contexts(resolver, module, call):
                entry = call_value(resolver, module, call, env, "vllm.LLM").kwargs.get("dtype")
                if entry is not None and dtype_names(entry.value) == FLOAT32:
                    yield self._dtype_report("dtype", entry, None, _VLLM_ON_CUDA)

    def fixable(self, report: Report) -> bool:
        """A dtype option with a place to write BF16 (a deployment file's ``--dtype`` is not
        rewritten), or a cast of the model."""
        subject = report.subject
        if isinstance(subject, Entry):
            return dtype_settable(subject)
        return subject is not None

    def fix(self, report: Report) -> Fix | None:
        """The dtype becomes BF16 (FP16 on a GPU without BF16) where it is defined: a string
        stays a string, ``torch.float32`` becomes ``torch.bfloat16``. ``.float()`` becomes
        ``.bfloat16()`` (``.half()``) and ``.to(torch.float32)`` ``.to(torch.bfloat16)``."""
        from ecolint.fixes.ops import rename_attribute
        from ecolint.fixes.options import set_dtype

        dtype = "bfloat16" if supports_bf16(self.context.gpu) else "float16"
        subject = report.subject
        if not self.fixable(report):
            return None
        if isinstance(subject, Entry):
            return set_dtype(subject, dtype)
        module, call = report.site.module, subject.call
        if subject.kind == "float":
            assert isinstance(call.func, ast.Attribute)
            return Fix.of(rename_attribute(module, call.func, CAST_METHODS[dtype]))
        for arg in (*call.args, *call.keywords):
            value = self.resolver.value(module, arg.value if isinstance(arg, ast.keyword) else arg)
            if isinstance(value, Ref) and dtype_names(value) == FLOAT32:
                return set_dtype(Entry(value, Site(module, arg)), dtype)
        return None


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
