"""ECO102: bitsandbytes 4-bit on a model below the GPU architecture's NF4 crossover."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from ecolint.analysis.hf_loading import PREQUANTIZED_4BIT, BnbSetup, ModelLoad, loading_facts
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.origin import describe_origin
from ecolint.analysis.values import Const, Site
from ecolint.analysis.yaml_configs import YamlSetup, yaml_setups
from ecolint.checks.base import Check
from ecolint.checks.check_support import model_size
from ecolint.checks.serving_findings import (
    ServedModel,
    four_bit_settings,
    one_star_lower,
    serving,
)
from ecolint.checks.serving_python import argv_serving, engine_serving
from ecolint.evidence.models import ModelSize
from ecolint.evidence.select import Crossover, Evidence, nf4_crossover, select
from ecolint.findings.model import Report
from ecolint.i18n import Phrase, phrase
from ecolint.sources.document import Document, TextSpan

# A size read from a multimodal name leaves out the encoders, so within this band of the crossover
# the side it falls on is unknown: no finding either way.
UNCERTAIN_BAND = 0.25
UNCERTAIN_NOTE = "model size uncertain: read from the name of a multimodal id, encoders not counted"


@dataclass(unsafe_hash=True)
class FourBit:
    """Where 4-bit loading is switched on, and how."""

    site: Site | TextSpan
    how: Phrase | str
    double_quant: bool = False
    fp4: bool = False


class Nf4BelowCrossover(Check):
    """Model size unknown, or uncertain and near the crossover: no finding. Nor for unsloth told
    to load 16-bit (``full_finetuning=True``, or ``load_in_4bit=False`` with a ``*-bnb-4bit``
    name, which it maps to the 16-bit original). A measured row for this GPU and size decides
    over the interpolated crossover."""

    code = "ECO102"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        crossover = nf4_crossover(self.context.gpu)
        if crossover is None:
            return
        for load in loading_facts(self.resolver, module).running:
            if load.kind not in ("model", "pipeline"):
                continue  # a tokenizer or config of a *-bnb-4bit repository loads no weights
            for model_id, model_value in load.model_ids:
                size = model_size(self.context, load.site.module.path, model_id)
                if size is None or _too_uncertain(size, crossover):
                    continue
                for four_bit in _four_bit_sites(load, model_id):
                    model_origin = describe_origin(model_value, four_bit.site, context=load.site)
                    yield self._report(four_bit, size, crossover, model_origin)
        launched = [*argv_serving(self.context, module), *engine_serving(self.context, module)]
        yield from self._served(launched, crossover)

    def run_document(self, document: Document) -> Iterator[Report]:
        crossover = nf4_crossover(self.context.gpu)
        if crossover is None:
            return
        yield from self._served(serving(self.context, document), crossover)
        if document.kind != "yaml":
            return
        for setup in yaml_setups(document):
            if setup.bits != 4 or setup.model_id is None:
                continue
            size = model_size(self.context, document.path, setup.model_id)
            if size is None or _too_uncertain(size, crossover):
                continue
            double_quant = _yaml_flag(setup, "bnb_4bit_use_double_quant", "double_quantization")
            fp4 = any(
                _yaml_text(setup, key) == "fp4"
                for key in ("bnb_4bit_quant_type", "quantization_type")
            )
            four_bit = FourBit(setup.switch.span, str(setup.switch), double_quant, fp4)
            yield self._report(four_bit, size, crossover, "")

    def _served(self, launched: Iterable[ServedModel], crossover: Crossover) -> Iterator[Report]:
        """4-bit serving settings of TGI and vLLM (deployment files, argv lists, vLLM's API)."""
        for served in four_bit_settings(launched):
            if not _too_uncertain(served.size, crossover):
                four_bit = FourBit(served.span, served.how, fp4=served.fp4)
                report = self._report(four_bit, served.size, crossover, served.model_origin)
                assert report.evidence is not None
                evidence = one_star_lower(report.evidence, served.engine)
                yield replace(report, evidence=evidence)

    def _report(
        self,
        four_bit: FourBit,
        size: ModelSize,
        crossover: Crossover,
        model_origin: Phrase | str,
    ) -> Report:
        gpu = self.context.gpu
        precisions = ("nf4_dq", "nf4") if four_bit.double_quant else ("nf4",)
        measured = select(gpu, precisions, size)
        if measured.stars == 3 and measured.delta_pct is not None:
            evidence, penalty = measured, measured.delta_pct > 0
            basis = phrase("eco102.basis_measured")
        else:
            penalty = size.params_b < crossover.params_b
            evidence = select(  # rows on the crossover's side that agree with it: no contradiction
                gpu,
                precisions,
                size,
                accept=lambda pair: (
                    (pair.quant.params_b < crossover.params_b) == penalty
                    and (pair.delta_pct > 0) == penalty
                ),
            )
            basis = phrase(
                "eco102.basis_below" if penalty else "eco102.basis_above",
                arch=gpu.arch,
                crossover=crossover.params_b,
                note=crossover.note,
                key=crossover.key,
            )
            evidence = _capped(evidence, basis)
        if four_bit.fp4:
            evidence = replace(
                evidence, notes=(*evidence.notes, "FP4 is not measured; NF4 rows are quoted")
            )
        origin: Phrase | str = (
            phrase("eco102.model_origin", origin=model_origin) if model_origin else ""
        )
        if size.uncertain:
            evidence = replace(evidence, notes=(*evidence.notes, UNCERTAIN_NOTE))
            origin = phrase("eco102.size_uncertain", origin=origin)
        params = {
            "how": four_bit.how,
            "model": size.model_id,
            "params_b": f"{size.params_b:g}",
            "model_origin": origin,
            "basis": basis,
            "saving": f"{-(evidence.delta_pct or 0):.1f}",
        }
        if penalty:
            return Report(self.code, four_bit.site, params, "default", evidence)
        return Report(self.code, four_bit.site, params, "saves", evidence, mood="green")


def _too_uncertain(size: ModelSize, crossover: Crossover) -> bool:
    return size.uncertain and abs(size.params_b - crossover.params_b) <= (
        UNCERTAIN_BAND * crossover.params_b
    )


def _four_bit_sites(load: ModelLoad, model_id: str) -> Iterator[FourBit]:
    found = False
    for setup in load.setups:
        entry = setup.entry("load_in_4bit")
        if entry is not None and setup.flag("load_in_4bit") is True:
            found = True
            origin = describe_origin(entry.value, entry.site)
            how = phrase("eco102.how_origin", origin=origin) if origin else "load_in_4bit=True"
            yield FourBit(entry.site, how, _flag(setup, "bnb_4bit_use_double_quant"), _fp4(setup))
        elif entry is None and setup.defaults_4bit:
            found = True
            yield FourBit(setup.site, phrase("eco102.how_unsloth"))
    if not found and load.prequantized_4bit and PREQUANTIZED_4BIT.search(model_id):
        yield FourBit(load.site, phrase("eco102.how_prequantized"))


def _yaml_flag(setup: YamlSetup, *keys: str) -> bool:
    return any(setup.settings[key].value is True for key in keys if key in setup.settings)


def _yaml_text(setup: YamlSetup, key: str) -> str:
    setting = setup.settings.get(key)
    return str(setting.value).lower() if setting is not None else ""


def _flag(setup: BnbSetup, name: str) -> bool:
    return setup.flag(name) is True


def _fp4(setup: BnbSetup) -> bool:
    entry = setup.entry("bnb_4bit_quant_type")
    return entry is not None and isinstance(entry.value, Const) and entry.value.value == "fp4"


def _capped(evidence: Evidence, basis: Phrase) -> Evidence:
    """Deciding by the interpolated crossover caps confidence at ★★☆ whatever rows are quoted."""
    return replace(evidence, notes=(*evidence.notes, str(basis)), stars=min(evidence.stars, 2))
