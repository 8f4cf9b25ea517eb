"""ECO402: ``attn_implementation="eager"`` on a model loaded for inference."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ecolint.analysis.hf_loading import ModelLoad, last_name, loading_facts, top_package
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.values import DictVal, Entry, Value, alternatives, truth
from ecolint.checks.base import Check
from ecolint.checks.check_support import callee, convention_evidence, known_constants, origin_note
from ecolint.findings.model import Report
from ecolint.fixes.definitions import literal_written
from ecolint.fixes.edits import Fix

KEYWORD = "attn_implementation"
MISSING = "one attention implementation against another"
SDPA = "sdpa"  # transformers' default where the model supports it
# Gemma 2's attention logit soft-capping is not computed by SDPA ("gemma-2b" is Gemma 1).
NEEDS_EAGER = re.compile(r"gemma-?2(?!\d*b)", re.I)
_ATTENTION_WEIGHTS = "output_attentions"
_GENERIC_CLASSES = ("Auto", "PreTrained")


class EagerAttention(Check):
    """Unknown model (no id and a generic Auto class), custom modelling code, Gemma 2, a module
    that asks for attention weights, or a training module: no finding."""

    code = "ECO402"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        resolver = self.resolver
        if self._wants_attention_weights(module):
            return
        for load in loading_facts(resolver, module).running:
            if load.kind not in ("model", "config", "pipeline") or not _family_allows(load):
                continue
            for entry in _entries(load):
                if _eager(entry.value):
                    target = callee(load, entry.site)
                    params = {"target": target, "origin": origin_note(entry.value, entry.site)}
                    evidence = convention_evidence(self.context, MISSING, load)
                    yield Report(self.code, entry.site, params, evidence=evidence, subject=entry)

    def _wants_attention_weights(self, module: ModuleInfo) -> bool:
        """Only the eager path returns attention weights: ``output_attentions`` anywhere in the
        module, unless it is known to be False, means eager is needed."""
        if _ATTENTION_WEIGHTS not in module.text:
            return False
        resolver = self.resolver
        if any(
            arg.arg == _ATTENTION_WEIGHTS and truth(resolver.value(module, arg.value)) is not False
            for call in module.calls
            for arg in call.keywords
        ):
            return True
        return any(
            assign.target.attr == _ATTENTION_WEIGHTS
            and truth(resolver.value(module, assign.value)) is not False
            for assign in module.attr_assigns
        )

    def fixable(self, report: Report) -> bool:
        return literal_written(report.subject.value)

    def fix(self, report: Report) -> Fix | None:
        """``"eager"`` → ``"sdpa"`` where the string is written (the keyword, a constant, a
        default); "flash_attention_2" would need a package and a GPU that may be missing."""
        from ecolint.fixes.options import set_literal

        entry: Entry = report.subject
        if not self.fixable(report):
            return None
        return Fix.of(set_literal(entry.value, SDPA))


def _eager(value: Value) -> bool:
    found = known_constants(value)
    return bool(found) and all(item == "eager" for item in found or ())


def _entries(load: ModelLoad) -> Iterator[Entry]:
    if load.kind != "pipeline":
        entry = load.value.kwargs.get(KEYWORD)
        if entry is not None:
            yield entry
        return
    model_kwargs = load.value.kwargs.get("model_kwargs")
    for option in alternatives(model_kwargs.value) if model_kwargs is not None else ():
        if isinstance(option, DictVal) and KEYWORD in option.entries:
            yield option.entries[KEYWORD]


def _family_allows(load: ModelLoad) -> bool:
    """The model must be known (an id, or a model-specific class such as LlamaForCausalLM), not
    Gemma 2, and not run by custom modelling code (``trust_remote_code``), whose attention
    implementations ecolint cannot see."""
    remote = load.value.kwargs.get("trust_remote_code")
    if remote is not None and truth(remote.value) is not False:
        return False
    names = [model_id for model_id, _ in load.model_ids]
    owner = last_name(load.loader.rsplit(".", 1)[0])
    specific = load.kind != "pipeline" and not owner.startswith(_GENERIC_CLASSES)
    if specific and top_package(load.loader) == "transformers":
        names.append(owner)
    return bool(names) and not any(NEEDS_EAGER.search(name) for name in names)
