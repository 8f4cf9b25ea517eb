"""What every stage of a run reads: the settings, the selected rules, the GPU and language
quoted, the prefilter, and which checks take part in the pipeline's hooks."""

from __future__ import annotations

from dataclasses import dataclass

from ecolint.analysis.project import Project
from ecolint.analysis.resolver import Resolver
from ecolint.checks.base import Check, CheckContext, RunContext, registry
from ecolint.config import Settings
from ecolint.evidence.dataset import Gpu
from ecolint.evidence.gpus import resolve_gpu
from ecolint.findings.model import FileSpot, Report
from ecolint.i18n import DEFAULT_LANG
from ecolint.pipeline.prefilter import Prefilter
from ecolint.rules import Rule, all_rules, scanned, selected


@dataclass(unsafe_hash=True)
class Setup:
    settings: Settings
    show_green: bool
    rules: dict[str, Rule]  # the rules whose checks run, by code (``rules.scanned``)
    prefilter: Prefilter
    gpu: Gpu
    lang: str
    reported: frozenset[str]  # the selected ones: only their findings are shown
    # Build fix edits: only ``--fix``, ``--diff``, the formats that print them and an editor
    # use them, and making them needs libcst's tree of each file with a fixable finding.
    edits: bool

    @classmethod
    def of(cls, settings: Settings, show_green: bool = False, edits: bool = False) -> Setup:
        rules = scanned(all_rules(), settings.select, settings.ignore)
        chosen = selected(all_rules(), settings.select, settings.ignore)
        return cls(
            settings,
            show_green,
            {rule.code: rule for rule in rules},
            Prefilter(rules, settings.max_file_size),
            resolve_gpu(settings.gpu),
            settings.lang or DEFAULT_LANG,
            frozenset(rule.code for rule in chosen),
            edits,
        )

    def check_context(self, project: Project) -> CheckContext:
        settings = self.settings
        return CheckContext(project, Resolver(project), self.gpu, settings.models, (settings.root,))

    def run_context(self) -> RunContext:
        chosen = {code: rule for code, rule in self.rules.items() if code in self.reported}
        return RunContext(chosen, self.gpu, self.settings.max_file_size)

    def check_class(self, code: str) -> type[Check] | None:
        return registry().get(code)

    def not_analysed(self, spot: FileSpot, reason: str) -> list[Report]:
        """What the selected rules report about a file the pipeline could not analyse."""
        found = []
        for code in self.reported:
            check = self.check_class(code)
            if check is not None and check.has_not_analysed():
                report = check.not_analysed(spot, reason)
                if report is not None:
                    found.append(report)
        return found

    def finishing(self) -> list[type[Check]]:
        """The selected rules' checks with a run-wide ``finish``, those that judge the run's
        findings last."""
        checks = [registry().get(code) for code in sorted(self.rules)]
        hooked = [check for check in checks if check is not None and check.has_finish()]
        return sorted(hooked, key=lambda check: check.judges_findings)
