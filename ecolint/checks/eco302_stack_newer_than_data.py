"""ECO302: a pinned stack package whose version differs from the measured stack."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ecolint.analysis.dependencies import Dependency, dependencies
from ecolint.analysis.module import ModuleInfo
from ecolint.checks.base import Check
from ecolint.evidence.stack import pin_of
from ecolint.findings import Report
from ecolint.sources.document import Document

PACKAGES = frozenset({"torch", "torchao", "transformers", "bitsandbytes"})


class StackNewerThanData(Check):
    """Each pin becomes a report that the engine's stack-drift pass compares with the rows
    quoted by the run's quantization findings (``ecolint.evidence.stack``): it is kept only
    when it differs from them, and it lowers their confidence. An unbounded requirement is
    not a pin; one found through an include of a file scanned on its own is reported there."""

    code = "ECO302"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        return self._pins(dependencies(self.resolver, module))

    def run_document(self, document: Document) -> Iterator[Report]:
        return self._pins(dependencies(self.resolver, document))

    def _pins(self, found: Iterable[Dependency]) -> Iterator[Report]:
        for dependency in found:
            if dependency.name not in PACKAGES or dependency.shared:
                continue
            pin = pin_of(dependency)
            if pin is not None:
                yield Report(self.code, dependency.site, subject=pin)
