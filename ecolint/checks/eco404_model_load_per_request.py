"""ECO404: a model loaded inside a request handler or a loop over requests."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ecolint.analysis.callgraph import calls_of, local_callee, reaches
from ecolint.analysis.inference import (
    generation,
    is_model_load,
    loader_calls,
    loops_over_models,
)
from ecolint.analysis.loops import dotted, loops
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.origin import line_label
from ecolint.analysis.parents import parent
from ecolint.analysis.serving import is_cached_function, lazily_cached, request_handlers
from ecolint.analysis.values import Site
from ecolint.checks.base import Check
from ecolint.checks.check_support import convention_evidence
from ecolint.findings.model import Report
from ecolint.i18n import Phrase, phrase

MISSING = "loading a model per request"


class ModelLoadPerRequest(Check):
    """Loads behind a cache (``lru_cache``, ``st.cache_resource``, ``if _model is None``), in
    start-up hooks, at module level (outside Streamlit) and in loops over models are fine, and so
    is a handler that generates nothing and keeps what it loads (a UI's "load model" button:
    ``state["model"] = load(...)``)."""

    code = "ECO404"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        seen: set[int] = set()
        for report in (*self._handlers(module), *self._loops(module)):
            if id(report.site.node) not in seen:
                seen.add(id(report.site.node))
                yield report

    def _handlers(self, module: ModuleInfo) -> Iterator[Report]:
        for handler in request_handlers(self.resolver, module):
            if not self._has_loads(handler.module):
                continue
            script = isinstance(handler.node, ast.Module)
            calls = list(calls_of(self.resolver, handler.module, handler.node))
            generates = any(generation(self.resolver, handler.module, call) for call in calls)
            for call in calls:
                what = self._load(handler.module, call)
                if not what or (not script and not generates and _kept(handler.module, call)):
                    continue
                key = "streamlit" if script else "handler"
                yield self._report(handler.module, call, key, what, handler.description)

    def _loops(self, module: ModuleInfo) -> Iterator[Report]:
        """A load that does not depend on the loop variable, in a loop over requests: its items
        go into generation, it does not stop early (a retry) and does not change the model per
        iteration (a loop over models, or fresh weights per fold or seed, feeds no generation)."""
        if not self._has_loads(module):
            return
        resolver = self.resolver
        for loop in loops(resolver, module):
            if loop.exits or loops_over_models(resolver, module, loop):
                continue
            if not any(
                loop.depends_on_variable(call) and generation(resolver, module, call)
                for call in loop.calls
            ):
                continue
            for call in loop.calls:
                what = self._load(module, call)
                if what and not loop.depends_on_variable(call):
                    where = phrase("eco404.loop_at", line=line_label(Site(module, loop.node)))
                    yield self._report(module, call, "loop", what, where)

    def _has_loads(self, module: ModuleInfo) -> bool:
        return any(is_model_load(name) for name in loader_calls(self.resolver, module).values())

    def _report(
        self, module: ModuleInfo, call: ast.Call, key: str, what: Phrase | str, where: Phrase | str
    ) -> Report:
        params = {"call": what, "where": where}
        evidence = convention_evidence(self.context, MISSING)
        return Report(self.code, Site(module, call), params, key, evidence)

    def _load(self, module: ModuleInfo, call: ast.Call) -> Phrase | str:
        """``AutoModel.from_pretrained()`` / ``pipeline()`` at the call, or a helper of the module
        that loads without a cache; '' otherwise."""
        if not self.resolver.reachable(module, call):
            return ""
        if self._loads_uncached(module, call):
            return f"{dotted(call.func) or 'the loader'}()"
        callee = local_callee(self.resolver, module, call)
        if callee is None or is_cached_function(self.resolver, module, callee):
            return ""
        if reaches(
            self.resolver,
            module,
            callee,
            "uncached-model-load",
            lambda inner: self._loads_uncached(module, inner),
            lambda function: not is_cached_function(self.resolver, module, function),
        ):
            return phrase("eco404.loading_helper", name=callee.name)
        return ""

    def _loads_uncached(self, module: ModuleInfo, call: ast.Call) -> bool:
        qualname = loader_calls(self.resolver, module).get(call)
        return (
            bool(qualname)
            and is_model_load(qualname or "")
            and not (lazily_cached(self.resolver, module, call))
        )


def _kept(module: ModuleInfo, call: ast.Call) -> bool:
    """The load's result is stored in an item or attribute (``state["model"], state["processor"]
    = load(...)``, ``self.model = ...``), for the requests that follow, not used and dropped."""
    statement = parent(module, call)
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    else:
        return False
    flat = [
        part
        for target in targets
        for part in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target])
    ]
    return bool(flat) and all(isinstance(part, (ast.Subscript, ast.Attribute)) for part in flat)
