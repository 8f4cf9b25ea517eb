"""ECO405: bitsandbytes 4-bit whose compute dtype is (or defaults to) float32."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ecolint.analysis.dict_entries import DictEntry
from ecolint.analysis.hf_loading import (
    BnbSetup,
    ModelLoad,
    dtype_names,
    is_unsloth,
    loading_facts,
)
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.origin import describe_origin
from ecolint.analysis.values import Entry
from ecolint.checks.base import Check
from ecolint.checks.check_support import convention_evidence, origin_note, render
from ecolint.evidence.gpus import supports_bf16
from ecolint.findings.model import Report
from ecolint.fixes.definitions import dtype_settable, may_add_beside
from ecolint.fixes.edits import Fix, TextEdit
from ecolint.i18n import Phrase, phrase

KEYWORD = "bnb_4bit_compute_dtype"
MISSING = "a bitsandbytes 4-bit compute dtype"
# Every option of transformers' BitsAndBytesConfig (and what its to_dict() writes). Anything
# else it logs as unused and ignores.
BNB_OPTIONS = frozenset(
    {
        "load_in_8bit",
        "load_in_4bit",
        "llm_int8_threshold",
        "llm_int8_skip_modules",
        "llm_int8_enable_fp32_cpu_offload",
        "llm_int8_has_fp16_weight",
        "bnb_4bit_compute_dtype",
        "bnb_4bit_quant_type",
        "bnb_4bit_use_double_quant",
        "bnb_4bit_quant_storage",
        "quant_method",
        "_load_in_4bit",
        "_load_in_8bit",
    }
)
# Setups whose unknown keys transformers ignores. Legacy from_pretrained keywords and pipeline
# model_kwargs fail on an unknown key instead; accelerate's config is a dataclass and raises.
_IGNORES_UNKNOWN = frozenset({"BitsAndBytesConfig", "dict"})
# accelerate's BnbQuantizationConfig takes "fp32"/"fp16"/"bf16" and defaults to "fp16".
_ACCELERATE = "BnbQuantizationConfig"
ACCELERATE_DTYPES = {"bfloat16": "bf16", "float16": "fp16"}
FLOAT32 = {
    "BitsAndBytesConfig": frozenset({"float32", None}),  # None is the default, float32
    _ACCELERATE: frozenset({"float32", "fp32"}),
}


def misspelled(key: str) -> bool:
    """A key meant as ``bnb_4bit_compute_dtype``: not an option, and it mentions "compute" or
    is closer to it than to any other option."""
    if key in BNB_OPTIONS:
        return False
    if "compute" in key.lower():
        return True
    import difflib  # only for an unknown option: most runs have none

    return difflib.get_close_matches(key, BNB_OPTIONS, n=1, cutoff=0.8) == [KEYWORD]


class FourBitComputeDtype(Check):
    """Unknown ``load_in_4bit``, an unknown dtype, or an absent dtype with unresolved
    ``**kwargs``: no finding. unsloth picks its own compute dtype; a pre-quantized ``*-bnb-4bit``
    checkpoint brings its own quantization config, which transformers uses instead of the one
    passed."""

    code = "ECO405"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        facts = loading_facts(self.resolver, module)
        exempt: set[int] = set()
        checked: dict[int, tuple[BnbSetup, ModelLoad | None]] = {}
        running = facts.running
        for load in facts.loads:
            chooses_own = is_unsloth(load.loader) or load.prequantized_4bit
            for setup in load.setups:
                if chooses_own:
                    exempt.add(id(setup.site.node))
                elif load in running:
                    checked.setdefault(id(setup.site.node), (setup, load))
        for setup in facts.free_configs:
            key = id(setup.site.node)
            if key not in exempt:
                checked.setdefault(key, (setup, None))
        reported: set[int] = set()
        for setup, load in checked.values():
            for report in self._check(setup, load):
                if id(report.site.node) not in reported:
                    reported.add(id(report.site.node))
                    yield report

    def _check(self, setup: BnbSetup, load: ModelLoad | None) -> Iterator[Report]:
        switch = setup.entry("load_in_4bit")
        if switch is None or setup.flag("load_in_4bit") is not True:
            return
        if setup.entry("quantization_config") is not None:
            return  # legacy keywords beside a config: the config decides, and is checked itself
        evidence = convention_evidence(self.context, MISSING, load)
        dtype = setup.entry(KEYWORD)
        if dtype is not None:
            if _float32(setup, dtype):
                params = {
                    "value": render(dtype.value),
                    "origin": origin_note(dtype.value, dtype.site),
                }
                subject = (setup, dtype)
                yield Report(self.code, dtype.site, params, "float32", evidence, subject=subject)
            return
        typos = [
            (key, entry)
            for key, entry in setup.options.items()
            if setup.kind in _IGNORES_UNKNOWN and misspelled(key)
        ]
        for key, entry in typos:
            params = {"keyword": key}
            yield Report(
                self.code, entry.site, params, "misspelled", evidence, subject=(setup, entry)
            )
        if typos or setup.open or setup.kind == _ACCELERATE:
            return
        params = {"origin": _switch_origin(switch)}
        yield Report(self.code, switch.site, params, "default", evidence, subject=(setup, None))

    def fixable(self, report: Report) -> bool:
        """A misspelled keyword or key when it is the setup's only one (which one was meant
        is otherwise for a person to say), a dtype with a place to write 16 bits, or none next
        to a ``load_in_4bit`` written where another option can go."""
        setup, entry = report.subject
        if entry is None:
            switch = setup.entry("load_in_4bit")
            return switch is not None and may_add_beside(switch)
        if report.message_key != "misspelled":
            return dtype_settable(entry)
        if sum(map(misspelled, setup.options)) != 1:
            return False
        renamable = isinstance(entry.site.node, (ast.keyword, DictEntry))
        return renamable and (not _float32(setup, entry) or dtype_settable(entry))

    def fix(self, report: Report) -> Fix | None:
        """A float32 or None dtype becomes BF16 (FP16 on a GPU without BF16) where it is
        defined; a missing one is added next to ``load_in_4bit`` (that call, dict literal or
        ``d[...] = ...``); a misspelled keyword is renamed when it is the setup's only one (and
        its value made 16-bit if it is float32, for it now takes effect)."""
        from ecolint.fixes.ops import qualified
        from ecolint.fixes.options import add_option, rename_option, set_dtype

        setup, entry = report.subject
        if not self.fixable(report):
            return None
        dtype = "bfloat16" if supports_bf16(self.context.gpu) else "float16"
        if entry is not None:
            renamed: tuple[TextEdit | None, ...] = ()
            if report.message_key == "misspelled":
                renamed = (rename_option(entry, KEYWORD),)
                if not _float32(setup, entry):
                    return Fix.of(*renamed)
            spelled = ACCELERATE_DTYPES[dtype] if setup.kind == _ACCELERATE else None
            retyped = set_dtype(entry, dtype, spelled)
            return Fix.of(*renamed, *retyped.edits) if retyped else None
        switch = setup.entry("load_in_4bit")
        assert switch is not None
        code = qualified(switch.site.module, switch.site.node, f"torch.{dtype}")
        if code is None:
            return None
        return Fix.of(add_option(switch, KEYWORD, code[0]), *code[1])


def _float32(setup: BnbSetup, dtype: Entry) -> bool:
    """Whether a compute dtype is float32 (or None, the default) on every path."""
    names = dtype_names(dtype.value)
    return bool(names) and names <= FLOAT32.get(setup.kind, FLOAT32["BitsAndBytesConfig"])


def _switch_origin(switch: Entry) -> Phrase | str:
    origin = describe_origin(switch.value, switch.site)
    return phrase("eco405.switch_origin", origin=origin) if origin else ""
