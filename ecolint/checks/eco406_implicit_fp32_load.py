"""ECO406: a transformers model loaded with no dtype and placed on a GPU, where the pinned
transformers version loads it in FP32."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from ecolint.analysis.hf_loading import ModelLoad, decodes_text, loading_facts, top_package
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.placement import placement_facts
from ecolint.analysis.values import Const, Site
from ecolint.checks.base import Check, RunContext
from ecolint.checks.check_support import callee, convention_evidence
from ecolint.checks.eco302_stack_newer_than_data import pin_of
from ecolint.evidence.gpus import supports_bf16
from ecolint.findings.model import Draft, Report
from ecolint.fixes.edits import Fix
from ecolint.sources.document import Document

if TYPE_CHECKING:
    from ecolint.analysis.dependencies import Dependency
    from ecolint.evidence.stack import Bounds

# transformers 5.0 loads with dtype="auto" by default (huggingface/transformers#42805);
# every release before it loads in FP32 unless told otherwise.
AUTO_DTYPE_SINCE = "5.0.0"
PACKAGE = "transformers"
# Keywords that choose the dtype, or a quantisation that brings its own.
CHOOSING = ("torch_dtype", "dtype", "quantization_config", "load_in_4bit", "load_in_8bit")
# Checkpoints quantised ahead of time load in the dtype their own config names.
PREQUANTIZED = re.compile(r"gptq|awq|bnb|fp8|gguf|int4|int8|exl2", re.I)
# Checkpoints whose own model code, run with trust_remote_code=True, does not load in FP32 when
# no dtype is given: Qwen 1.0's QWenLMHeadModel sets config.bf16 (FP16 on a GPU without BF16)
# when bf16, fp16 and fp32 are all unset ("autoset_precision" in modeling_qwen.py); ChatGLM2/3
# and GLM-4 build every layer with dtype=config.torch_dtype, the checkpoint's FP16/BF16 (ChatGLM3's
# README: "默认情况下，模型以 FP16 精度加载"). Qwen1.5 and later, and GLM's "-hf" checkpoints, are
# transformers' own classes and load in FP32 like any other.
SELF_CASTING = re.compile(r"qwen/qwen-|(?:thudm|zai-org)/(?:chatglm[23]|glm-4)(?!.*-hf/?$)", re.I)
HUB_ID = re.compile(r"(?!\.)[\w.-]+/[\w.-]+/?")  # owner/name, as a Hub id is written
MISSING = "FP32 inference"
PRECISIONS = ("fp32",)  # the dataset's label, should FP32 rows ever be measured


class ImplicitFp32Load(Check):
    """A load is reported only where the run also finds a transformers pin that governs its
    file and allows a release before 5.0: each load and each pin is a report, and ``finish``
    keeps the loads whose pins allow FP32 by default. With no pin the version is unknown and
    nothing is said. An explicit FP32 dtype or a ``.float()`` cast is ECO403's."""

    code = "ECO406"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        from ecolint.analysis.dependencies import dependencies  # only when the rule is active

        places = placement_facts(self.resolver, module)
        for load in loading_facts(self.resolver, module).running:
            if load.kind != "model" or not decodes_text(load.loader) or not _default_dtype(load):
                continue
            placement = places.placement(load)
            moves = {move.kind for move in places.moves_of(load)}
            if placement is None or moves & {"half", "bfloat16", "to-16bit", "float", "to-32bit"}:
                continue
            params = {"target": callee(load, load.site), "placement": placement}
            evidence = convention_evidence(self.context, MISSING, load, PRECISIONS)
            yield Report(self.code, load.site, params, evidence=evidence)
        yield from self._pins(dependencies(self.resolver, module))

    def run_document(self, document: Document) -> Iterator[Report]:
        from ecolint.analysis.dependencies import dependencies

        return self._pins(dependencies(self.resolver, document))

    def _pins(self, found: Iterable[Dependency]) -> Iterator[Report]:
        for dependency in found:
            if dependency.name == PACKAGE and not dependency.shared:
                pin = pin_of(dependency)
                if pin is not None:
                    yield Report(self.code, dependency.site, subject=pin)

    def fixable(self, report: Report) -> bool:
        from ecolint.evidence.stack import Pin

        site = report.site
        return (
            not isinstance(report.subject, Pin)
            and isinstance(site, Site)
            and isinstance(site.node, ast.Call)
        )

    def fix(self, report: Report) -> Fix | None:
        """``torch_dtype=torch.bfloat16`` (``torch.float16`` on a GPU without BF16) added to
        the call, with ``import torch`` where it is missing. ``torch_dtype`` is the name every
        transformers release before 5.0 reads."""
        from ecolint.fixes.ops import add_keyword, qualified

        site = report.site
        if not self.fixable(report):
            return None
        assert isinstance(site, Site) and isinstance(site.node, ast.Call)
        module, call = site.module, site.node
        dtype = "bfloat16" if supports_bf16(self.context.gpu) else "float16"
        code = qualified(module, call, f"torch.{dtype}")
        if code is None:
            return None
        return Fix.of(add_keyword(module, call, "torch_dtype", code[0]), *code[1])

    @classmethod
    def finish(cls, drafts: list[Draft], run: RunContext) -> list[Draft]:
        mine = [draft for draft in drafts if draft.code == cls.code]
        if not mine:
            return list(drafts)  # the stack's evidence is imported only for this rule's drafts
        from ecolint.evidence.stack import Pin, governing

        pins = [draft.subject for draft in mine if isinstance(draft.subject, Pin)]
        kept = []
        for draft in drafts:
            if draft.code != cls.code:
                kept.append(draft)
            elif not isinstance(draft.subject, Pin):
                governed = governing(pins, draft.file)
                if governed and all(_allows_fp32_default(pin.bounds) for pin in governed):
                    pin = governed[0]
                    params = {**draft.params, "pin": pin.text, "where": pin.where}
                    kept.append(replace(draft, params=params))
        return kept


def _default_dtype(load: ModelLoad) -> bool:
    """A transformers load that names no dtype, no quantisation and no checkpoint quantised
    ahead of time, and hides no keyword behind an unresolved ``**``. When the checkpoint
    cannot be read, a file whose name or folder names a pre-quantised format
    (``gptq/eval_quantized_model.py``) is taken to load one."""
    call = load.value
    if top_package(load.loader) != PACKAGE or call.open or load.setups:
        return False
    if any(keyword in call.kwargs for keyword in CHOOSING):
        return False
    if _casts_itself(load):
        return False
    if not load.model_ids:  # an id ecolint cannot read: a script kept with quantised models
        return not PREQUANTIZED.search("/".join(load.site.module.path.parts[-2:]))
    return not any(PREQUANTIZED.search(model_id) for model_id, _ in load.model_ids)


def _casts_itself(load: ModelLoad) -> bool:
    """The call lets the checkpoint's own model code run (``trust_remote_code=True``) and
    that code may choose the dtype: every checkpoint the load may name runs code known not to
    load in FP32 (``SELF_CASTING``) or is one whose code ecolint cannot see (a folder, such as
    a model saved after fine-tuning, or an id it cannot read)."""
    remote = load.value.kwargs.get("trust_remote_code")
    if remote is None or not isinstance(remote.value, Const) or remote.value.value is not True:
        return False
    return all(
        SELF_CASTING.match(model_id) or not HUB_ID.fullmatch(model_id)
        for model_id, _ in load.model_ids
    )


def _allows_fp32_default(bounds: Bounds) -> bool:
    """Whether the pin allows a transformers release that loads in FP32 by default."""
    from packaging.version import Version  # only for a pin

    return bounds.low is None or bounds.low < Version(AUTO_DTYPE_SINCE)
