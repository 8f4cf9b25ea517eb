"""Which serving engine a launch starts, and the settings it is given (not a check: it defines
no ``code``).

Text Generation Inference (``text-generation-launcher``, or its image's entrypoint) reads every
launcher option also from the environment (``--max-batch-size`` from ``MAX_BATCH_SIZE``); an
option on the command line wins over the variable. vLLM (``vllm serve MODEL``, ``python -m
vllm.entrypoints.openai.api_server``, or the ``vllm/vllm-openai`` image) takes its options on
the command line only. Flags are read as ``--flag value`` and ``--flag=value``, with ``_`` and
``-`` alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecolint.sources.launch_model import Launch, Word, value_after

TGI, VLLM = "TGI", "vLLM"
TGI_IMAGES = ("text-generation-inference",)
VLLM_IMAGES = ("vllm/vllm-openai", "vllm-openai")
VLLM_MODULES = ("vllm.entrypoints.openai.api_server", "vllm.entrypoints.api_server")
# Options of interest, by engine: flag (normalised) → setting name. TGI's environment variable
# of an option is its flag in upper case with ``_`` (``--model-id`` → ``MODEL_ID``).
OPTIONS = {
    TGI: {
        "model-id": "model",
        "quantize": "quantize",
        "max-batch-size": "max_batch_size",
        "max-concurrent-requests": "max_concurrent_requests",
        "dtype": "dtype",
    },
    VLLM: {
        "model": "model",
        "quantization": "quantize",
        "q": "quantize",
        "max-num-seqs": "max_num_seqs",
        "dtype": "dtype",
    },
}


@dataclass(unsafe_hash=True)
class Setting:
    """One option as the reader wrote it: ``--quantize bitsandbytes``, ``QUANTIZE=...``."""

    name: str
    value: Word
    written: str  # the flag, the variable or the Python keyword with its "=", as written

    @property
    def text(self) -> str:
        return self.value.text or ""

    def __str__(self) -> str:
        """As written: a flag and its value, a variable, or a Python keyword (``dtype=``)."""
        if self.written.startswith("-"):
            return f"{self.written} {self.text}"
        if self.written.endswith("="):
            return f'{self.written}"{self.text}"'
        return f"{self.written}={self.text}"


@dataclass(unsafe_hash=True)
class Served:
    engine: str
    settings: dict[str, Setting]

    def get(self, name: str) -> Setting | None:
        return self.settings.get(name)


def served(launch: Launch) -> Served | None:
    """The engine and its known settings, or None when the launch starts no known engine."""
    texts = [word.text or "" for word in launch.argv]
    image = (launch.image.text or "").lower() if launch.image is not None else ""
    engine, arguments = None, list(launch.argv)
    for index, text in enumerate(texts):
        name = text.rsplit("/", 1)[-1]
        if name == "text-generation-launcher":
            engine, arguments = TGI, arguments[index + 1 :]
            break
        if name == "vllm" and texts[index + 1 : index + 2] == ["serve"]:
            engine, arguments = VLLM, arguments[index + 2 :]
            break
        if text == "-m" and texts[index + 1 : index + 2] and texts[index + 1] in VLLM_MODULES:
            engine, arguments = VLLM, arguments[index + 2 :]
            break
    if engine is None:
        if texts and not texts[0].startswith("-") and launch.argv[0].text is not None:
            return None  # the image's entrypoint is replaced by another program
        if any(name in image for name in TGI_IMAGES):
            engine = TGI
        elif any(name in image for name in VLLM_IMAGES):
            engine = VLLM
        else:
            return None
    settings: dict[str, Setting] = {}
    if engine == TGI:
        for flag, name in OPTIONS[TGI].items():
            variable = flag.upper().replace("-", "_")
            value = launch.env.get(variable)
            if value is not None and value.text is not None:
                if value.variable is not None and value.variable[0] == variable:
                    value = Word(value.text, value.span)  # its own assignment: no origin
                settings[name] = Setting(name, value, variable)
    settings.update(_options(engine, arguments))
    return Served(engine, settings)


def _options(engine: str, words: list[Word]) -> dict[str, Setting]:
    found: dict[str, Setting] = {}
    known = OPTIONS[engine]
    for index, word in enumerate(words):
        text = word.text or ""
        if index == 0 and engine == VLLM and text and not text.startswith("-"):
            found["model"] = Setting("model", word, "vllm serve")
            continue
        if not text.startswith("-"):
            continue
        flag, equals, _ = text.partition("=")
        name = known.get(flag.lstrip("-").replace("_", "-"))
        if name is None:
            continue
        if equals:
            value = value_after(word, flag)
        elif index + 1 < len(words) and not (words[index + 1].text or "").startswith("--"):
            value = words[index + 1]
        else:
            continue
        if value.text is not None:
            found[name] = Setting(name, value, flag)
    return found
