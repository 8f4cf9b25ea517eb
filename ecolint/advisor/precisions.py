"""The precisions EcoCompute measured, what users call them, and what was never measured."""

from __future__ import annotations

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
# Bits per weight by format (definitions of the formats, not measurements): GGUF Q4_0 stores
# a 16-bit scale per block of 32 four-bit weights, 4.5 bits per weight.
STORAGE_BITS = {
    "fp16": 16.0,
    "nf4": 4.0,
    "nf4_dq": 4.0,
    "int8_mixed": 8.0,
    "int8_pure": 8.0,
    "fp8_torchao_eager": 8.0,
    "fp8dyn_torchao_eager": 8.0,
    "gguf_f16": 16.0,
    "gguf_q4_0": 4.5,
}
# The precisions ``advise`` chooses between.
WEIGHT_BITS = {name: STORAGE_BITS[name] for name in ("fp16", "int8_pure", "nf4")}
BYTES_PER_GB = 1e9


def weights_gb(params_b: float, precision: str) -> float:
    """Memory of the weights alone: parameters × bits per weight (no activations, no KV
    cache; bitsandbytes keeps some layers wider, so this is a lower bound)."""
    return params_b * 1e9 * STORAGE_BITS[precision] / 8 / BYTES_PER_GB


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
