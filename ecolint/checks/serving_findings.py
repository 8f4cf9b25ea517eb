"""The existing rules over deployment files (Dockerfile, Compose, Kubernetes, shell): what each
rule reports there, for its check to yield (not a check: it defines no ``code``).

EcoCompute measured transformers + bitsandbytes. TGI and vLLM run the same bitsandbytes kernels
inside their own serving loop (continuous batching, their own attention kernels), so a measured
figure quoted for them is one star less certain, and its evidence says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from ecolint.checks.base import CheckContext
from ecolint.checks.check_support import model_size
from ecolint.checks.serving_engines import TGI, VLLM, Served, Setting, served
from ecolint.evidence.models import ModelSize
from ecolint.evidence.select import Evidence
from ecolint.findings.model import Report
from ecolint.i18n import Phrase, phrase
from ecolint.sources.document import Document, TextSpan
from ecolint.sources.launch_model import Word

SERVING_NOTE = (
    "measured with transformers + bitsandbytes; {engine} runs the same bitsandbytes kernels"
    " inside its own serving loop, so the confidence is one star lower"
)
BATCHING_NOTE = (
    "measured as transformers batches; {engine} batches continuously inside its own serving"
    " loop, so the confidence is one star lower"
)
BATCH_SETTINGS = ("max_num_seqs", "max_batch_size", "max_concurrent_requests")
FP32_NAMES = frozenset({"float32", "float", "fp32"})


@dataclass(unsafe_hash=True)
class ServedModel:
    """A launch's engine with the model it serves, when that resolves to a size."""

    served: Served
    size: ModelSize | None
    model_origin: Phrase | str


def serving(context: CheckContext, document: Document) -> Iterator[ServedModel]:
    """Every launch of the document that starts TGI or vLLM."""
    from ecolint.sources.launches import SERVING_KINDS, launches  # deployment files only

    if document.kind not in SERVING_KINDS:
        return
    for launch in launches(document):
        found = served(launch)
        if found is None:
            continue
        model = found.get("model")
        size = model_size(context, document.path, model.text) if model is not None else None
        origin = variable_origin(model.value) if model is not None else ""
        yield ServedModel(found, size, origin)


def variable_origin(word: Word) -> Phrase | str:
    """``set by QUANT at line 3`` for a value that comes from a variable set elsewhere."""
    if word.variable is None:
        return ""
    name, line = word.variable
    return phrase("origin.set_by", label=name, where=phrase("origin.line", line=line))


def origin_note(word: Word) -> Phrase | str:
    """`` (set by QUANT at line 3)``, or nothing for a value written where it is used."""
    origin = variable_origin(word)
    return phrase("origin.parenthesised", origin=origin) if origin else ""


def one_star_lower(evidence: Evidence, engine: str, note: str = SERVING_NOTE) -> Evidence:
    notes = (*evidence.notes, note.format(engine=engine))
    return replace(evidence, stars=max(1, evidence.stars - 1), notes=notes)


def int8_reports(
    launched: Iterable[ServedModel],
    evidence: Callable[[ModelSize | None], Evidence],
    threshold: float,
) -> Iterator[Report]:
    """ECO101: TGI's ``--quantize bitsandbytes`` is LLM.int8() with bitsandbytes' default
    ``threshold``, which TGI does not expose."""
    for found in launched:
        setting = found.served.get("quantize")
        if found.served.engine != TGI or setting is None or setting.text != "bitsandbytes":
            continue
        params = {**_params(found.served.engine, setting), "threshold": str(threshold)}
        measured = one_star_lower(evidence(found.size), found.served.engine)
        yield Report("ECO101", setting.value.span, params, "serving", measured)


@dataclass(unsafe_hash=True)
class FourBitServing:
    """ECO102's view of a 4-bit serving setting: where, how it reads, and on what model."""

    span: TextSpan
    how: Phrase | str
    fp4: bool
    engine: str
    size: ModelSize
    model_origin: Phrase | str


def four_bit_settings(launched: Iterable[ServedModel]) -> Iterator[FourBitServing]:
    """TGI ``bitsandbytes-nf4``/``-fp4`` and vLLM's in-flight ``bitsandbytes`` (4-bit NF4),
    on a model whose size is known."""
    for found in launched:
        setting = found.served.get("quantize")
        if setting is None or found.size is None:
            continue
        engine = found.served.engine
        four_bit = (engine == TGI and setting.text in ("bitsandbytes-nf4", "bitsandbytes-fp4")) or (
            engine == VLLM and setting.text == "bitsandbytes"
        )
        if four_bit:
            how = phrase(
                "eco102.serving_how",
                engine=engine,
                setting=str(setting),
                origin=origin_note(setting.value),
            )
            fp4 = setting.text.endswith("fp4")
            yield FourBitServing(
                setting.value.span, how, fp4, engine, found.size, found.model_origin
            )


def batch_reports(
    launched: Iterable[ServedModel], evidence: Evidence, engines: tuple[str, ...] = (TGI, VLLM)
) -> Iterator[Report]:
    """ECO201: vLLM ``--max-num-seqs 1``, TGI ``--max-batch-size 1`` or
    ``--max-concurrent-requests 1`` (or their environment variables)."""
    for found in launched:
        engine = found.served.engine
        if engine not in engines:
            continue
        for name in BATCH_SETTINGS:
            setting = found.served.get(name)
            if setting is None or setting.text.strip() != "1":
                continue
            key = "vllm" if engine == VLLM else "tgi"
            params = {"setting": str(setting), "origin": origin_note(setting.value)}
            measured = one_star_lower(evidence, engine, BATCHING_NOTE)
            yield Report("ECO201", setting.value.span, params, key, measured)


def fp32_reports(launched: Iterable[ServedModel], evidence: Evidence) -> Iterator[Report]:
    """ECO403: ``--dtype float32`` (vLLM also takes ``float``) on a GPU server."""
    for found in launched:
        setting = found.served.get("dtype")
        if setting is not None and setting.text.lower() in FP32_NAMES:
            params = _params(found.served.engine, setting)
            yield Report("ECO403", setting.value.span, params, "serving", evidence)


def _params(engine: str, setting: Setting) -> dict[str, str | Phrase]:
    return {"engine": engine, "setting": str(setting), "origin": origin_note(setting.value)}


def nightly_images(document: Document) -> Iterator[Word]:
    """Images whose tag or name says nightly (``vllm/vllm-openai:nightly``), once each."""
    from ecolint.sources.launches import SERVING_KINDS, launches  # deployment files only

    if document.kind not in SERVING_KINDS:
        return
    seen: set[TextSpan] = set()
    for launch in launches(document):
        image = launch.image
        if image is None or image.text is None or image.span in seen:
            continue
        seen.add(image.span)
        if "nightly" in image.text.lower().rsplit("/", 1)[-1]:
            yield image
