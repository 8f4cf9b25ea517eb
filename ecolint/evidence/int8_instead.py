"""What to load instead of LLM.int8() for a model large enough to need its outlier path.

From about 6.7B parameters transformers develop emergent outlier features that LLM.int8()'s
mixed-precision decomposition exists to keep (Dettmers et al., 2022); pure INT8 (threshold
0.0) can degrade such a model's output. So for those sizes the advice is not the threshold but
what the rows support for the GPU and size: NF4 where its same-session rows measured a saving
against FP16 or where FP16 does not fit, else FP16. Below that size the threshold stays the
advice. The size and its source live in the rule's YAML, not here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecolint.evidence.dataset import Gpu
from ecolint.evidence.memory import fits
from ecolint.evidence.models import ModelSize
from ecolint.evidence.select import Evidence, select


@dataclass(unsafe_hash=True)
class Instead:
    precision: str  # "nf4" or "fp16"
    nf4: Evidence  # NF4 against FP16 for this GPU and size (its pair may be None)
    fp16_fits: bool | None  # None: the GPU's memory is unknown

    @property
    def nf4_saves(self) -> bool:
        return self.nf4.delta_pct is not None and self.nf4.delta_pct < 0


def instead_of_int8(gpu: Gpu, size: ModelSize) -> Instead:
    nf4 = select(gpu, ("nf4",), size)
    fp16_fits = fits(size.params_b, "fp16", gpu)
    saves = nf4.delta_pct is not None and nf4.delta_pct < 0
    precision = "nf4" if saves or fp16_fits is False else "fp16"
    return Instead(precision, nf4, fp16_fits)
