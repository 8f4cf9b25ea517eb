"""ECO202: a loop that runs generation once per independent prompt."""

from __future__ import annotations

from collections.abc import Iterator

from ecolint.analysis.inference import per_item_generation
from ecolint.analysis.loops import enclosing
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.origin import line_label
from ecolint.analysis.values import Site
from ecolint.checks.base import Check
from ecolint.evidence.select import batch_evidence
from ecolint.findings.model import Report


class PerItemGeneration(Check):
    """Loops that iterate batches (a DataLoader, chunks, ``range`` with a step), loops over
    models, repeats of one input, multi-turn loops and a demo's handful of prompts written out
    in the code are not per-item generation."""

    code = "ECO202"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        reported: set[int] = set()
        for item in per_item_generation(self.resolver, module):
            if id(item.call) in reported:
                continue
            loops = enclosing(self.resolver, module, item.call)
            if any(loop.iterates_batches(self.resolver, module) for loop in loops):
                continue
            if item.loop.iterates_showcase(self.resolver, module):
                continue
            reported.add(id(item.call))
            params = {
                "call": item.what,
                "line": line_label(Site(module, item.loop.node)),
            }
            evidence = batch_evidence(self.context.gpu)
            yield Report(self.code, Site(module, item.call), params, evidence=evidence)
