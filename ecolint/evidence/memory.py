"""What a model's weights take in GPU memory, by format: parameters × bits per weight.

Definitions of the formats, not measurements: no activations, no KV cache, and bitsandbytes
keeps some layers wider, so a figure is a lower bound. It is enough to tell that a
configuration cannot fit, which is all the advice needs it for.
"""

from __future__ import annotations

from ecolint.evidence.dataset import Gpu

BYTES_PER_GB = 1e9
# GGUF Q4_0 stores a 16-bit scale per block of 32 four-bit weights: 4.5 bits per weight.
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


def weights_gb(params_b: float, precision: str) -> float:
    return params_b * 1e9 * STORAGE_BITS[precision] / 8 / BYTES_PER_GB


def fits(params_b: float, precision: str, gpu: Gpu) -> bool | None:
    """Whether the weights alone fit in the GPU's memory; None when its memory is unknown."""
    if gpu.vram_gb is None:
        return None
    return weights_gb(params_b, precision) <= gpu.vram_gb
