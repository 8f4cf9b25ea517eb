"""ECO101: bitsandbytes INT8 that keeps LLM.int8() outlier decomposition."""

from __future__ import annotations

from collections.abc import Iterator

from ecolint.analysis.hf_loading import BnbSetup, loading_facts
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.origin import describe_origin
from ecolint.analysis.values import Const, Site
from ecolint.analysis.yaml_configs import yaml_setups
from ecolint.checks.base import Check
from ecolint.checks.check_support import load_size, model_size
from ecolint.checks.serving_findings import int8_reports, serving
from ecolint.checks.serving_python import argv_serving
from ecolint.evidence.int8_instead import Instead, instead_of_int8
from ecolint.evidence.models import ModelSize
from ecolint.evidence.select import Evidence, select, short_gpu_name
from ecolint.findings.model import Report
from ecolint.fixes.definitions import literal_written, may_add_beside
from ecolint.fixes.edits import Fix
from ecolint.i18n import Phrase, phrase
from ecolint.rules import all_rules
from ecolint.sources.document import Document, TextSpan

DEFAULT_THRESHOLD = 6.0
PURE_INT8_THRESHOLD = 0.0  # no outlier decomposition


class Int8OutlierDecomposition(Check):
    """Unknown ``load_in_8bit`` or an unknown threshold value: no finding (we do not guess)."""

    code = "ECO101"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        facts = loading_facts(self.resolver, module)
        for load in facts.running:
            size = load_size(self.context, load)
            for setup in load.setups:
                report = self._check(setup, size)
                if report is not None:
                    yield report
        for setup in facts.free_configs:
            report = self._check(setup, None)
            if report is not None:
                yield report
        launched = argv_serving(self.context, module)
        yield from int8_reports(launched, self._int8_evidence, DEFAULT_THRESHOLD)

    def run_document(self, document: Document) -> Iterator[Report]:
        launched = serving(self.context, document)
        yield from int8_reports(launched, self._int8_evidence, DEFAULT_THRESHOLD)
        if document.kind != "yaml":
            return
        for setup in yaml_setups(document):
            if setup.bits != 8:
                continue
            threshold = setup.settings.get("llm_int8_threshold")
            threshold_text: Phrase | str
            if threshold is None:
                threshold_text = phrase("eco101.default_threshold", value=DEFAULT_THRESHOLD)
            elif isinstance(threshold.value, (int, float)) and threshold.value != 0:
                threshold_text = str(threshold)
            else:
                continue
            size = None
            if setup.model_id is not None:
                size = model_size(self.context, document.path, setup.model_id)
            yield self._report(
                setup.switch.span,
                phrase("parenthesised", text=str(setup.switch)),
                threshold_text,
                size,
            )

    def _int8_evidence(self, size: ModelSize | None) -> Evidence:
        return select(self.context.gpu, ("int8_mixed",), size)

    def _check(self, setup: BnbSetup, size: ModelSize | None) -> Report | None:
        switch = setup.entry("load_in_8bit")
        if switch is None or setup.flag("load_in_8bit") is not True:
            return None
        threshold = setup.entry("llm_int8_threshold")
        threshold_text: Phrase | str
        if threshold is None:
            if setup.open:
                return None
            threshold_text = phrase("eco101.default_threshold", value=DEFAULT_THRESHOLD)
        else:
            value = threshold.value
            if not isinstance(value, Const) or not isinstance(value.value, (int, float)):
                return None
            if value.value == 0:
                return None
            origin = describe_origin(value, threshold.site)
            threshold_text = f"llm_int8_threshold={value.value}"
            if origin:
                threshold_text = phrase("eco101.threshold_origin", value=value.value, origin=origin)
        origin = describe_origin(switch.value, switch.site)
        switch_text = phrase("eco101.switch_origin", origin=origin) if origin else ""
        return self._report(switch.site, switch_text, threshold_text, size, setup)

    def _report(
        self,
        site: Site | TextSpan,
        origin: Phrase | str,
        threshold_text: Phrase | str,
        size: ModelSize | None,
        setup: BnbSetup | None = None,
    ) -> Report:
        gpu = self.context.gpu
        evidence = select(gpu, ("int8_mixed",), size)
        params: dict[str, str | Phrase] = {"threshold": threshold_text, "origin": origin}
        rule = all_rules()[self.code].evidence
        if size is None or size.params_b < float(rule["outlier_features_from_b"]):
            return Report(self.code, site, params, evidence=evidence, subject=setup)
        instead = instead_of_int8(gpu, size)
        params |= {
            "model": size.model_id,
            "params": f"{size.params_b:g}",
            "scale": f"{rule['outlier_features_from_b']:g}",
            "nf4": _nf4_phrase(instead),
            "vram": f"{gpu.vram_gb:g}" if gpu.vram_gb else "?",
            "gpu": gpu.key,
        }
        key = f"large_{instead.precision}"
        return Report(self.code, site, params, key, evidence=evidence, subject=setup)

    def fixable(self, report: Report) -> bool:
        """A threshold written as a literal (set to 0.0), or none next to a ``load_in_8bit``
        written where another option can go."""
        setup = report.subject
        if not (
            report.message_key == "default"
            and isinstance(setup, BnbSetup)
            and not setup.defaults_4bit  # unsloth builds its own config: a threshold is ignored
        ):
            return False
        threshold = setup.entry("llm_int8_threshold")
        if threshold is not None:
            return literal_written(threshold.value)
        switch = setup.entry("load_in_8bit")
        return switch is not None and may_add_beside(switch)

    def fix(self, report: Report) -> Fix | None:
        """A threshold that is written is set to 0.0 where it is written (a constant, a
        default); a missing one is added next to ``load_in_8bit``, in the call, dict literal
        or ``d[...] = ...`` it is set by. YAML configs and unsloth loads are not rewritten,
        nor a model large enough to need the outlier path (another precision is advised)."""
        from ecolint.fixes.options import add_option, set_literal

        setup = report.subject
        if not self.fixable(report):
            return None
        threshold = setup.entry("llm_int8_threshold")
        if threshold is not None:
            return Fix.of(set_literal(threshold.value, PURE_INT8_THRESHOLD))
        switch = setup.entry("load_in_8bit")
        assert switch is not None
        return Fix.of(add_option(switch, "llm_int8_threshold", repr(PURE_INT8_THRESHOLD)))


def _nf4_phrase(instead: Instead) -> Phrase:
    """NF4's own measured delta against FP16 for this GPU and size, with its rows."""
    nf4 = instead.nf4
    if nf4.pair is None or nf4.delta_pct is None:
        return phrase("eco101.nf4_unmeasured")
    return phrase(
        "eco101.nf4_measured",
        delta=f"{nf4.delta_pct:+.1f}%",
        base=str(nf4.pair.base.line),
        confidence=nf4.confidence,
        gpu=short_gpu_name(nf4.pair.quant.gpu),
        model=nf4.pair.quant.model_id.split("/")[-1],
    )
