"""ECO201: an explicit batch size of 1 on an inference path."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ecolint.analysis.commands import cli_options
from ecolint.analysis.hf_loading import last_name, loading_facts, top_package
from ecolint.analysis.inference import is_pipeline, per_item_generation
from ecolint.analysis.loops import is_dataloader, iterated
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.origin import line_label
from ecolint.analysis.required_values import required_constant
from ecolint.analysis.values import CallVal, Const, Entry, Ref, Site, Value, alternatives, truth
from ecolint.checks.base import Check
from ecolint.checks.check_support import origin_note
from ecolint.checks.serving_engines import TGI
from ecolint.checks.serving_findings import batch_reports, serving
from ecolint.checks.serving_python import argv_serving
from ecolint.evidence.select import batch_evidence
from ecolint.findings.model import Report
from ecolint.i18n import Phrase, phrase
from ecolint.sources.document import Document

TRAINING_ARGUMENTS = frozenset({"TrainingArguments", "Seq2SeqTrainingArguments"})
EVAL_BATCH_KEYS = ("per_device_eval_batch_size", "eval_batch_size")
VLLM_ENGINES = frozenset({"LLM", "EngineArgs", "AsyncEngineArgs"})
VLLM_FLAGS = frozenset({"--max-num-seqs", "--max_num_seqs"})


def _is_one(value: Value, text: bool = False) -> bool:
    if not isinstance(value, Const) or _counts_inputs(value):
        return False
    if type(value.value) is int:
        return value.value == 1
    return text and isinstance(value.value, str) and value.value.strip() == "1"


def _counts_inputs(value: Const) -> bool:
    """``batch_size=len(prompts)``: every input in one batch, however few the code holds."""
    node = getattr(value.origin, "node", None)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"


class BatchSizeOne(Check):
    """A batch size that cannot be resolved, a training-only batch size, or one the code
    asserts is 1 (it supports nothing else): no finding."""

    code = "ECO201"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        seen: set[int] = set()
        for report in (
            *self._pipelines(module),
            *self._eval_arguments(module),
            *self._dataloaders(module),
            *self._vllm(module),
            *self._tgi(module),
        ):
            site = report.site
            if isinstance(site, Site) and required_constant(site.module, site.node, 1):
                continue
            if id(report.site.node) not in seen:
                seen.add(id(report.site.node))
                yield report

    def run_document(self, document: Document) -> Iterator[Report]:
        return batch_reports(serving(self.context, document), batch_evidence(self.context.gpu))

    def _tgi(self, module: ModuleInfo) -> Iterator[Report]:
        """TGI argv lists (``--max-batch-size 1``); vLLM's are read by ``_vllm``."""
        launched = argv_serving(self.context, module)
        return batch_reports(launched, batch_evidence(self.context.gpu), engines=(TGI,))

    def _report(self, message: str, site: Site, value: Value, **params: Phrase | str) -> Report:
        params["origin"] = origin_note(value, site)
        return Report(self.code, site, params, message, batch_evidence(self.context.gpu))

    def _pipelines(self, module: ModuleInfo) -> Iterator[Report]:
        """``pipeline(..., batch_size=1)`` and ``pipe(inputs, batch_size=1)``."""
        for load in loading_facts(self.resolver, module).running:
            entry = load.value.kwargs.get("batch_size")
            if last_name(load.loader) == "pipeline" and entry and _is_one(entry.value):
                yield self._report("pipeline", entry.site, entry.value, call="pipeline(...)")
        resolver = self.resolver
        for call in module.calls:
            if not isinstance(call.func, (ast.Name, ast.Call)):
                continue
            arg = _keyword(call, "batch_size")
            if arg is None:
                continue
            for env in resolver.contexts(module, call):
                if not resolver.reachable(module, call, env):
                    continue
                if is_pipeline(resolver.value(module, call.func, env)):
                    value = resolver.value(module, arg.value, env)
                    if _is_one(value):
                        name = call.func.id if isinstance(call.func, ast.Name) else "pipeline"
                        yield self._report("pipeline", Site(module, arg), value, call=f"{name}()")

    def _eval_arguments(self, module: ModuleInfo) -> Iterator[Report]:
        """``per_device_eval_batch_size=1`` in training arguments that evaluate or predict."""

        def accept(qualname: str) -> bool:
            return top_package(qualname) == "transformers" and (
                last_name(qualname) in TRAINING_ARGUMENTS
            )

        calls = self.resolver.calls_in_contexts(module, TRAINING_ARGUMENTS, accept)
        for call, env, _ in calls:
            arguments = self.resolver.value(module, call, env)
            if not isinstance(arguments, CallVal):
                continue
            for key in EVAL_BATCH_KEYS:
                entry = arguments.kwargs.get(key)
                if entry is None or not _is_one(entry.value):
                    continue
                use = self._evaluation(module, arguments)
                if use:
                    yield self._report("eval", entry.site, entry.value, key=key, use=use)

    def _evaluation(self, module: ModuleInfo, arguments: CallVal) -> Phrase | str:
        """How the arguments are used for inference: ``do_eval``/``do_predict``, an evaluation
        strategy (which sets ``do_eval``), or a trainer built on them that evaluates or predicts."""
        for flag in ("do_eval", "do_predict"):
            entry = arguments.kwargs.get(flag)
            if entry is not None and truth(entry.value) is True:
                return phrase("eco201.with_flag", flag=flag)
        for key in ("eval_strategy", "evaluation_strategy"):
            entry = arguments.kwargs.get(key)
            strategy = _strategy(entry) if entry else None
            if strategy:
                return phrase("eco201.with_strategy", key=key, strategy=strategy)
        for method in ("evaluate", "predict"):
            for call in module.calls_named(method):
                if self._trainer_uses(module, call, arguments):
                    line = line_label(Site(module, call))
                    return phrase("eco201.used_by", method=method, line=line)
        return ""

    def _trainer_uses(self, module: ModuleInfo, call: ast.Call, arguments: CallVal) -> bool:
        if not isinstance(call.func, ast.Attribute) or not self.resolver.reachable(module, call):
            return False
        for trainer in alternatives(self.resolver.value(module, call.func.value)):
            if not (isinstance(trainer, CallVal) and (trainer.qualname or "").endswith("Trainer")):
                continue
            used = trainer.arg(1, "args")
            if used is not None and any(
                isinstance(option, CallVal) and option.identity() == arguments.identity()
                for option in alternatives(used)
            ):
                return True
        return False

    def _dataloaders(self, module: ModuleInfo) -> Iterator[Report]:
        """A ``DataLoader(batch_size=1)`` whose loop hands each batch to a generation call."""
        for item in per_item_generation(self.resolver, module):
            for loader in alternatives(iterated(self.resolver, module, item.loop)):
                if not isinstance(loader, CallVal) or not is_dataloader(loader.qualname):
                    continue
                entry = _batch_size_entry(loader)
                if entry is not None and _is_one(entry.value):
                    yield self._report("dataloader", entry.site, entry.value, call=item.what)

    def _vllm(self, module: ModuleInfo) -> Iterator[Report]:
        """vLLM ``LLM(max_num_seqs=1)`` (or engine args), and ``--max-num-seqs 1`` in a list."""

        def accept(qualname: str) -> bool:
            return top_package(qualname) == "vllm" and last_name(qualname) in VLLM_ENGINES

        for call, env, qualname in self.resolver.calls_in_contexts(module, VLLM_ENGINES, accept):
            engine = self.resolver.value(module, call, env)
            entry = engine.kwargs.get("max_num_seqs") if isinstance(engine, CallVal) else None
            if entry is not None and _is_one(entry.value):
                setting = f"{last_name(qualname)}(max_num_seqs=1)"
                yield self._report("vllm", entry.site, entry.value, setting=setting)
        for option in cli_options(self.resolver, module, VLLM_FLAGS):
            if _is_one(option.value, text=True):
                setting = f"{option.flag} 1"
                yield self._report("vllm", option.site, option.value, setting=setting)


def _strategy(entry: Entry) -> str | None:
    """An evaluation strategy other than "no" (a string or ``IntervalStrategy.STEPS``)."""
    value = entry.value
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value if value.value.lower() != "no" else None
    if isinstance(value, Ref) and last_name(value.qualname) in ("STEPS", "EPOCH"):
        return last_name(value.qualname).lower()
    return None


def _batch_size_entry(loader: CallVal) -> Entry | None:
    """``batch_size`` of a DataLoader, given by keyword or as the second positional argument."""
    if "batch_size" in loader.kwargs:
        return loader.kwargs["batch_size"]
    site = loader.site
    if site is None or not isinstance(site.node, ast.Call) or len(loader.args) < 2:
        return None
    positional = site.node.args
    if len(positional) < 2 or any(isinstance(arg, ast.Starred) for arg in positional[:2]):
        return None
    return Entry(loader.args[1], Site(site.module, positional[1]))


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((arg for arg in call.keywords if arg.arg == name), None)
