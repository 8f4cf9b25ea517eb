"""Map what users type (``RTX 4090D``, ``a100``, ``H100``) to the GPU table, or say why not."""

from __future__ import annotations

import re
from functools import cache

from ecolint.evidence.dataset import Gpu, gpus, measurements

DEFAULT_GPU = "rtx4090d"
# NVIDIA architectures as gpus.csv names them, oldest first: BF16 tensor cores came with Ampere.
ARCHITECTURES = ("pascal", "volta", "turing", "ampere", "ada", "hopper", "blackwell")

_NOISE = re.compile(r"nvidia|geforce|tesla|[\s_\-]")
_OTHER_VENDORS = re.compile(
    r"^(amd|radeon|instinct|mi\d+|rx\d+|intel|arc[ab]?\d*|gaudi\d*|xe\w*|max\d+|apple|m\d(pro|max)?)",
)


class GpuError(ValueError):
    """An unknown or unsupported GPU name; the message lists what is supported."""


def _normal(name: str) -> str:
    return _NOISE.sub("", name.lower())


@cache
def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for key, gpu in gpus().items():
        for alias in (_normal(key), _normal(gpu.name.split("(")[0])):
            table[alias] = key
            if alias.startswith("rtx"):
                table.setdefault(alias[3:], key)
    return table


def known_gpus() -> list[str]:
    return sorted(gpus())


@cache
def measured_gpus() -> frozenset[str]:
    return frozenset(row.gpu for row in measurements())


def resolve_gpu(name: str) -> Gpu:
    normal = _normal(name)
    key = _aliases().get(normal)
    if key is not None:
        return gpus()[key]
    if _OTHER_VENDORS.match(normal):
        raise GpuError(
            f"GPU '{name}' is not supported: the EcoCompute measurements cover NVIDIA GPUs only"
            f" (AMD and Intel accelerators were never measured). Known GPUs: "
            + ", ".join(known_gpus())
        )
    raise GpuError(f"unknown GPU '{name}'. Known GPUs: " + ", ".join(known_gpus()))


def supports_bf16(gpu: Gpu) -> bool:
    """Whether the GPU computes in BF16 natively (Ampere or newer, by its gpus.csv ``arch``).
    Fixes that choose a 16-bit dtype write BF16 there and FP16 elsewhere (T4, V100); an
    architecture not in the list counts as older, since FP16 runs everywhere."""
    arch = gpu.arch.lower()
    return arch in ARCHITECTURES and ARCHITECTURES.index(arch) >= ARCHITECTURES.index("ampere")
