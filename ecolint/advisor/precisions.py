"""The precisions EcoCompute measured, what users call them, and what was never measured."""

from __future__ import annotations

from ecolint.evidence.memory import STORAGE_BITS
from ecolint.i18n import t

MEASURED = (
    "fp16",
    "nf4",
    "nf4_dq",
    "int8_mixed",
    "int8_pure",
    "fp8_torchao_eager",
    "fp8dyn_torchao_eager",
    "gguf_f16",
    "gguf_q4_0",
)
BASELINE = "fp16"
ALIASES = {
    "float16": "fp16",
    "half": "fp16",
    "bf16": "fp16",
    "bfloat16": "fp16",
    "4bit": "nf4",
    "int4": "nf4",
    "nf4-dq": "nf4_dq",
    "int8": "int8_mixed",
    "int8-default": "int8_mixed",
    "int8_default": "int8_mixed",
    "llm.int8": "int8_mixed",
    "int8-pure": "int8_pure",
    "fp8": "fp8_torchao_eager",
    "fp8_eager": "fp8_torchao_eager",
    "fp8-dynamic": "fp8dyn_torchao_eager",
    "fp8_dynamic": "fp8dyn_torchao_eager",
}
# Methods users ask about that no EcoCompute file measured.
UNMEASURED = ("gptq", "awq", "exl2", "hqq", "aqlm", "fp32", "tf32", "q4_k_m", "q8_0")
BF16 = ("bf16", "bfloat16")
# The precisions ``advise`` chooses between.
WEIGHT_BITS = {name: STORAGE_BITS[name] for name in ("fp16", "int8_pure", "nf4")}
# Architectures whose tensor cores have BF16 (Ampere and newer).
BF16_ARCHS = frozenset({"ampere", "ada", "hopper", "blackwell"})


class PrecisionError(ValueError):
    """An unknown or unmeasured precision; the message lists the valid choices."""


def choices() -> str:
    return ", ".join((*MEASURED, "bf16", "int8", "fp8"))


def normalise(name: str, lang: str = "en") -> str:
    """The measured precision a user's name stands for (``int8`` → ``int8_mixed``)."""
    key = name.strip().lower().replace(" ", "_")
    if key in MEASURED:
        return key
    if key in ALIASES:
        return ALIASES[key]
    if key.startswith(("gguf", "q4", "q5", "q6", "q8")) or key in UNMEASURED:
        raise PrecisionError(t("error.precision_unmeasured", lang, name=name, choices=choices()))
    raise PrecisionError(t("error.precision_unknown", lang, name=name, choices=choices()))


def label(precision: str, lang: str) -> str:
    return t(f"precision.{precision}", lang)
