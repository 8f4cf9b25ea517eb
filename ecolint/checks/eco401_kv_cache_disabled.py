"""ECO401: ``use_cache=False`` at inference, so every new token recomputes the whole prefix."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ecolint.analysis.bindings import AttrAssign
from ecolint.analysis.hf_loading import (
    is_loader,
    is_unsloth,
    last_name,
    loaded_kind,
    loading_facts,
)
from ecolint.analysis.model_branch import in_model_branch
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.parents import parent
from ecolint.analysis.resolver import call_value
from ecolint.analysis.values import (
    CallVal,
    DictVal,
    Entry,
    Site,
    Value,
    alternatives,
)
from ecolint.checks.base import Check
from ecolint.checks.check_support import (
    callee,
    convention_evidence,
    known_constants,
    may_pass,
    origin_note,
    render,
    run_contexts,
)
from ecolint.evidence.select import Evidence
from ecolint.findings.model import Report
from ecolint.fixes.definitions import literal_written, may_remove, written_at
from ecolint.fixes.edits import Fix
from ecolint.i18n import Phrase

KEYWORD = "use_cache"
MISSING = "generation with the KV cache disabled"


def disables(value: Value) -> bool:
    """``False`` (or ``0``) on every path; ``None`` means the default, which is True."""
    found = known_constants(value)
    return bool(found) and all(isinstance(item, int) and not item for item in found or ())


class KvCacheDisabled(Check):
    """Training scripts are exempt (gradient checkpointing needs the cache off). A value that
    cannot be known is not reported, nor one set in a branch for a model family picked by
    name (a workaround that family needs)."""

    code = "ECO401"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        facts = loading_facts(self.resolver, module)
        reported: set[int] = set()
        loads = self._loads(module) if facts.generates else ()
        for entry, target in (*loads, *self._calls(module)):
            site = entry.site
            if not disables(entry.value) or id(site.node) in reported:
                continue
            if in_model_branch(site.module, site.node):
                continue
            reported.add(id(site.node))
            params = {
                "target": target,
                "value": render(entry.value),
                "origin": origin_note(entry.value, site),
            }
            yield Report(self.code, site, params, evidence=self._evidence(), subject=entry)
        for assign in module.attr_assigns:
            if assign.target.attr != KEYWORD or in_model_branch(module, assign.value):
                continue
            if self._configures(module, assign):
                yield from self._assignment(module, assign)

    def _evidence(self) -> Evidence:
        return convention_evidence(self.context, MISSING)

    def _loads(self, module: ModuleInfo) -> Iterator[tuple[Entry, Phrase | str]]:
        """Models, configs and pipelines loaded with the cache off."""
        for load in loading_facts(self.resolver, module).running:
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

    def _calls(self, module: ModuleInfo) -> Iterator[tuple[Entry, Phrase | str]]:
        """``generate(...)``, ``GenerationConfig(...)`` and calls of a pipeline object."""
        resolver = self.resolver
        for call in module.calls:
            if not may_pass(call, KEYWORD):
                continue
            target = loading_facts(resolver, module).generation_call(call)
            if target is None or self._unsloth_generates(module, call):
                continue
            for env in run_contexts(resolver, module, call):
                value = call_value(resolver, module, call, env, None)
                nested = value.kwargs.get("generate_kwargs")
                carriers = [DictVal(entries=value.kwargs), *([nested.value] if nested else [])]
                for entry in _entries(carriers):
                    yield entry, target

    def _unsloth_generates(self, module: ModuleInfo, call: ast.Call) -> bool:
        """``generate()`` of a model unsloth loaded (or, when the model cannot be followed, in
        a module whose every load is unsloth's): unsloth replaces ``generate`` and the
        model-specific cache paths, and its notebooks pass ``use_cache=False`` where its path
        for that model needs it, so the cost this rule states does not follow."""
        func = call.func
        if not isinstance(func, ast.Attribute):
            return False
        facts = loading_facts(self.resolver, module)
        load = facts.load_of(self.resolver.value(module, func.value))
        if load is not None:
            return is_unsloth(load.loader)
        models = [other for other in facts.loads if other.kind in ("model", "pipeline")]
        return bool(models) and all(is_unsloth(other.loader) for other in models)

    def _configures(self, module: ModuleInfo, assign: AttrAssign) -> bool:
        """``<anything>.generation_config.use_cache = ...``, ``<loaded model>.config.use_cache =
        ...`` of a model that this module generates with (a reference model that only scores
        in one forward pass has no use for the cache), or in a module that generates, the
        attribute of a loaded config. ``use_cache`` is a common name: the ``.config`` of
        anything else is someone else's."""
        owner = assign.target.value
        if isinstance(owner, ast.Attribute) and owner.attr == "generation_config":
            return True
        facts = loading_facts(self.resolver, module)
        if isinstance(owner, ast.Attribute) and owner.attr == "config":
            load = facts.load_of(self.resolver.value(module, owner.value))
            return load is not None and load.value.identity() in facts.generating_loads
        for option in alternatives(self.resolver.value(module, owner)):
            qualname = option.qualname if isinstance(option, CallVal) else None
            if qualname and last_name(qualname) == "GenerationConfig":
                return True
            if is_loader(qualname) and loaded_kind(qualname or "") == "generation-config":
                return True
            if is_loader(qualname) and loaded_kind(qualname or "") == "config":
                return facts.generates
        return False

    def _assignment(self, module: ModuleInfo, assign: AttrAssign) -> Iterator[Report]:
        site = Site(module, assign.value)
        target = module.code_for(assign.target)
        for env in run_contexts(self.resolver, module, assign.target):
            value = self.resolver.value(module, assign.value, env)
            if disables(value):
                params = {
                    "target": target,
                    "value": render(value),
                    "origin": origin_note(value, site),
                }
                yield Report(self.code, site, params, "assigned", self._evidence(), subject=assign)
                return

    def fixable(self, report: Report) -> bool:
        """An option written where it is set (removed) or a literal defined elsewhere (made
        True), or an assignment of the cache flag alone (``a.use_cache = b = False`` sets more
        than the cache)."""
        subject = report.subject
        if isinstance(subject, Entry):
            if written_at(subject):
                return may_remove(subject)
            return literal_written(subject.value)
        assign = parent(report.site.module, subject.value)
        return isinstance(assign, ast.Assign) and len(assign.targets) == 1

    def fix(self, report: Report) -> Fix | None:
        """``use_cache=False`` written in a call or dict is removed (the default is True); a
        value defined elsewhere (a constant, a default) is set to True there. An assignment
        ``model.config.use_cache = False`` is removed, or set to True where it is the only
        statement of its block."""
        from ecolint.fixes.ops import remove_statement, replace_expression
        from ecolint.fixes.options import remove_option, set_literal

        subject = report.subject
        if not self.fixable(report):
            return None
        if isinstance(subject, Entry):
            if written_at(subject):
                return Fix.of(remove_option(subject))
            return Fix.of(set_literal(subject.value, True))
        module = report.site.module
        assign = parent(module, subject.value)
        assert isinstance(assign, ast.Assign)
        removed = remove_statement(module, assign)
        return Fix.of(removed or replace_expression(module, subject.value, "True"))


def _entries(carriers: list[Value]) -> Iterator[Entry]:
    for carrier in carriers:
        for option in alternatives(carrier):
            if isinstance(option, DictVal) and KEYWORD in option.entries:
                yield option.entries[KEYWORD]
