"""Facts about model loading that several rules share: bitsandbytes setups and model loads.

A bitsandbytes setup is wherever the code switches quantisation on: a ``BitsAndBytesConfig``
or accelerate ``BnbQuantizationConfig``, a dict passed as ``quantization_config``, legacy
``load_in_8bit``/``load_in_4bit`` keywords of ``from_pretrained``, ``model_kwargs`` of
``pipeline``, or an unsloth loader (``FastLanguageModel``, ``FastModel``, ``FastVisionModel``,
``FastQwen2Model``… ``.from_pretrained``), which loads 4-bit unless told otherwise.

A model load is a reachable ``from_pretrained``/``pipeline`` call, with what it builds (a model,
a config, a pipeline), its model ids and setups. ``load_of`` traces a value back to the load it
came from through ``.to()``/``.cuda()``/``.eval()`` chains; ``generates`` and
``generation_call`` tell where text is generated.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property

from ecolint.analysis.effect import SELF_RETURNING, may_run
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import (
    CallVal,
    ClassVal,
    Const,
    DictVal,
    Entry,
    FuncVal,
    ModuleVal,
    ObjVal,
    Part,
    Ref,
    Site,
    Value,
    alternatives,
)

LOADER_PACKAGES = frozenset({"transformers", "peft", "trl", "optimum", "auto_gptq", "unsloth"})
BNB_CONFIGS = {
    "transformers": "BitsAndBytesConfig",
    "accelerate": "BnbQuantizationConfig",
}
# unsloth's loader classes: FastLanguageModel, FastModel, FastVisionModel, FastTextModel and the
# per-architecture FastLlamaModel, FastQwen2Model, FastGemma2Model … (unsloth/models/loader.py).
UNSLOTH_LOADER = re.compile(r"\.Fast\w*Model\.")
_CONFIG_NAMES = frozenset(BNB_CONFIGS.values())
_LOADER_NAMES = frozenset({"from_pretrained", "pipeline"})
PREQUANTIZED_4BIT = re.compile(r"bnb[-_]?4bit", re.I)
_NOT_MODELS = ("Tokenizer", "Processor", "FeatureExtractor")
# Models that make speech or music: the measured rows are text generation by LLMs, so nothing
# here says what their batching or loading costs.
SOUND_MODELS = ("TTS", "Bark", "Musicgen", "MusicGen", "SpeechT5", "Vits", "Parler")
# Heads that decode text token by token (``AutoModelForCausalLM``, ``…ForConditionalGeneration``,
# GPT-2's ``…LMHeadModel``), and bare ``AutoModel``, through which remote-code chat models
# (ChatGLM, InternVL) load. Classifiers, encoders and vocoders run one forward pass per input.
_TEXT_DECODERS = re.compile(
    r"^AutoModel$|(?:ForCausalLM|ForConditionalGeneration|LMHeadModel|ForSeq2SeqLM"
    r"|ForVision2Seq|ForImageTextToText)$"
)
# torch dtype aliases, and the strings transformers resolves with getattr(torch, name).
_DTYPE_ALIASES = {"float": "float32", "half": "float16", "double": "float64"}


def top_package(qualname: str) -> str:
    return qualname.split(".", 1)[0]


def last_name(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


def is_bnb_config(qualname: str | None) -> bool:
    if not qualname:
        return False
    return BNB_CONFIGS.get(top_package(qualname)) == last_name(qualname)


def is_loader(qualname: str | None) -> bool:
    if not qualname:
        return False
    if qualname == "transformers.pipeline" or (
        top_package(qualname) == "transformers" and qualname.endswith(".pipeline")
    ):
        return True
    return last_name(qualname) == "from_pretrained" and top_package(qualname) in LOADER_PACKAGES


def is_unsloth(qualname: str | None) -> bool:
    name = qualname or ""
    return top_package(name) == "unsloth" and UNSLOTH_LOADER.search(name) is not None


@dataclass(unsafe_hash=True)
class BnbSetup:
    kind: str
    site: Site
    options: dict[str, Entry]
    open: bool
    defaults_4bit: bool = False  # unsloth loads 4-bit unless told otherwise

    def entry(self, name: str) -> Entry | None:
        return self.options.get(name)

    def flag(self, name: str) -> bool | None:
        entry = self.options.get(name)
        if entry is None:
            return None
        value = entry.value
        if isinstance(value, Const):
            return bool(value.value)
        return None


def loaded_kind(qualname: str) -> str:
    """What a loader call builds: ``pipeline``, ``model``, ``config``, ``generation-config``, or
    ``other`` (tokenizers, processors)."""
    if not qualname.endswith("from_pretrained"):
        return "pipeline"
    owner = last_name(qualname.rsplit(".", 1)[0])
    if owner == "GenerationConfig":
        return "generation-config"
    if owner.endswith("Config"):
        return "config"
    if any(word in owner for word in _NOT_MODELS):
        return "other"
    return "model"


def decodes_text(loader: str) -> bool:
    """Whether the class a ``from_pretrained`` loader builds generates text, the work whose
    cost the measured rows describe: not a reward model, a text encoder or a speech model."""
    owner = last_name(loader.rsplit(".", 1)[0])
    return bool(_TEXT_DECODERS.search(owner)) and not any(word in owner for word in SOUND_MODELS)


def dtype_names(value: Value) -> frozenset[str | None] | None:
    """The torch dtype names a dtype argument can take (``torch.float`` and ``"float32"`` are both
    ``float32``; ``"auto"`` stays ``auto``; ``None`` is None), or None when any is unknown."""
    names: set[str | None] = set()
    for option in alternatives(value):
        if isinstance(option, Ref) and top_package(option.qualname) == "torch":
            name = last_name(option.qualname)
        elif isinstance(option, Const) and (option.value is None or isinstance(option.value, str)):
            name = option.value
        else:
            return None
        names.add(_DTYPE_ALIASES.get(name, name) if name is not None else None)
    return frozenset(names)


@dataclass(unsafe_hash=True)
class ModelLoad:
    site: Site
    loader: str
    model_ids: tuple[tuple[str, Value], ...]
    setups: tuple[BnbSetup, ...]
    value: CallVal
    # unsloth told to load 16-bit: ``full_finetuning=True``, or ``load_in_4bit=False``, which
    # maps a ``*-bnb-4bit`` name to its 16-bit original.
    sixteen_bit: bool = False

    @property
    def kind(self) -> str:
        return loaded_kind(self.loader)

    @property
    def prequantized_4bit(self) -> bool:
        """A ``*-bnb-4bit`` checkpoint: its own quantization config wins over the caller's."""
        return not self.sixteen_bit and any(
            PREQUANTIZED_4BIT.search(model_id) for model_id, _ in self.model_ids
        )


def setup_from_value(value: Value) -> BnbSetup | None:
    if isinstance(value, CallVal) and is_bnb_config(value.qualname) and value.site is not None:
        return BnbSetup(last_name(value.qualname or ""), value.site, value.kwargs, value.open)
    if (
        isinstance(value, DictVal)
        and value.origin is not None
        and ("load_in_8bit" in value.entries or "load_in_4bit" in value.entries)
    ):
        return BnbSetup("dict", value.origin, value.entries, value.open)
    return None


def loading_facts(resolver: Resolver, module: ModuleInfo) -> LoadingFacts:
    """The module's loading facts, extracted once per run and shared by every rule."""
    return resolver.facts.memo(("loading-facts", module), lambda: LoadingFacts(resolver, module))


class LoadingFacts:
    def __init__(self, resolver: Resolver, module: ModuleInfo) -> None:
        self.resolver = resolver
        self.module = module

    @cached_property
    def configs(self) -> list[BnbSetup]:
        """Every reachable bitsandbytes config construction, once per call context."""
        found = []
        calls = self.resolver.calls_in_contexts(self.module, _CONFIG_NAMES, is_bnb_config)
        for call, env, _ in calls:
            setup = setup_from_value(self.resolver.value(self.module, call, env))
            if setup is not None:
                found.append(setup)
        return found

    @cached_property
    def loads(self) -> list[ModelLoad]:
        """Every reachable model-loading call, once per call context."""
        found = []
        calls = self.resolver.calls_in_contexts(self.module, _LOADER_NAMES, is_loader)
        for call, env, qualname in calls:
            value = self.resolver.value(self.module, call, env)
            if isinstance(value, CallVal):
                found.append(self._load(call, value, qualname))
        return found

    @cached_property
    def running(self) -> list[ModelLoad]:
        """The loads whose model may run (``effect``): the settings of any other cost nothing."""
        return [load for load in self.loads if may_run(self.resolver, self.module, load.site.node)]

    @cached_property
    def free_configs(self) -> list[BnbSetup]:
        """Configs no load of this module takes that may still reach one elsewhere (returned,
        passed on, a global): a config a load takes counts through that load."""
        taken = {setup.site.node for load in self.loads for setup in load.setups}
        return [
            setup
            for setup in self.configs
            if setup.site.node not in taken
            and may_run(self.resolver, setup.site.module, setup.site.node)
        ]

    @cached_property
    def generates(self) -> bool:
        """Whether the module generates text: a ``generate()`` call, a ``GenerationConfig``, or a
        pipeline."""
        if self.module.calls_named("generate") or self.module.calls_named("GenerationConfig"):
            return True
        return any(load.kind in ("pipeline", "generation-config") for load in self.loads)

    @cached_property
    def generating_loads(self) -> frozenset[Site | None]:
        """Identities of the loads whose model this module itself runs ``generate()`` on."""
        found = set()
        for call in self.module.calls_named("generate"):
            func = call.func
            if isinstance(func, ast.Attribute):
                load = self.load_of(self.resolver.value(self.module, func.value))
                if load is not None:
                    found.add(load.value.identity())
        return frozenset(found)

    def generation_call(self, call: ast.Call) -> str | None:
        """How a call takes generation options, for messages: ``generate()`` of a model,
        ``GenerationConfig()``, or the call of a pipeline object (``pipe()``); None otherwise."""
        module, resolver = self.module, self.resolver
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "generate":
            return "generate()" if _may_generate(resolver.value(module, func.value)) else None
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return None
        qualname = resolver.qualname(module, func)
        if top_package(qualname) == "transformers" and last_name(qualname) == "GenerationConfig":
            return "GenerationConfig()"
        if not qualname:
            for option in alternatives(resolver.value(module, func)):
                built = option.qualname if isinstance(option, CallVal) else None
                if is_loader(built) and loaded_kind(built or "") == "pipeline":
                    return f"{module.code_for(func)}()"
        return None

    @cached_property
    def _by_identity(self) -> dict[Site | None, ModelLoad]:
        return {load.value.identity(): load for load in self.loads}

    def load_of(self, value: Value) -> ModelLoad | None:
        """The model load a value is (or is moved/cast from), if it is one of this module's."""
        by_identity = self._by_identity
        for option in alternatives(value):
            option = _pair_load(option) or option
            while isinstance(option, CallVal) and option.site is not None:
                if option.identity() in by_identity:
                    return by_identity[option.identity()]
                node = option.site.node
                if not (
                    option.qualname is None
                    and isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SELF_RETURNING
                ):
                    break
                inner = self.resolver.value(option.site.module, node.func.value)
                option = next(alternatives(inner))
        return None

    def _load(self, call: ast.Call, value: CallVal, qualname: str) -> ModelLoad:
        site = Site(self.module, call)
        setups: list[BnbSetup] = []
        is_pipeline = qualname.endswith("pipeline")
        if is_pipeline:
            model = value.arg(1, "model")
            model_kwargs = value.kwargs.get("model_kwargs")
            carriers = [model_kwargs.value] if model_kwargs is not None else []
        else:
            model = value.arg(0, "pretrained_model_name_or_path")
            if is_unsloth(qualname):
                model = value.arg(0, "model_name")
            carriers = [DictVal(entries=value.kwargs, open=value.open, origin=site)]
        for carrier in carriers:
            for option in alternatives(carrier):
                if not isinstance(option, DictVal):
                    continue
                quant = option.entries.get("quantization_config")
                if quant is not None:
                    for candidate in alternatives(quant.value):
                        setup = setup_from_value(candidate)
                        if setup is not None:
                            setups.append(setup)
                if "load_in_8bit" in option.entries or "load_in_4bit" in option.entries:
                    kind = "pipeline model_kwargs" if is_pipeline else "from_pretrained keywords"
                    setups.append(BnbSetup(kind, site, option.entries, option.open))
        sixteen_bit = False
        if is_unsloth(qualname):
            setups, sixteen_bit = _unsloth_setups(value, site, setups)
        model_ids = tuple(
            (option.value, option)
            for option in alternatives(model)
            if model is not None
            if isinstance(option, Const) and isinstance(option.value, str)
        )
        return ModelLoad(site, qualname, model_ids, tuple(setups), value, sixteen_bit)


def _unsloth_setups(
    value: CallVal, site: Site, setups: list[BnbSetup]
) -> tuple[list[BnbSetup], bool]:
    """unsloth's keywords are one setup that defaults to 4-bit; ``full_finetuning=True`` turns
    4-bit and 8-bit off whatever else is passed. Also whether the load is 16-bit for sure."""
    keywords = BnbSetup("unsloth", site, value.kwargs, value.open)
    if keywords.flag("full_finetuning") is True:
        return [], True
    if not any(setup.site == site for setup in setups):
        setups = [*setups, keywords]
    setups = [
        BnbSetup(s.kind, s.site, s.options, s.open, defaults_4bit=s.site == site) for s in setups
    ]
    return setups, keywords.flag("load_in_4bit") is False and not keywords.flag("load_in_8bit")


def _pair_load(option: Value) -> CallVal | None:
    """``model, tokenizer = FastModel.from_pretrained(...)``: the model of the pair an unsloth
    loader returns is the load."""
    if isinstance(option, Part) and option.position == 0 and option.whole is not None:
        return option.whole if is_unsloth(option.whole.qualname) else None
    return None


def _may_generate(receiver: Value) -> bool:
    """A receiver from the scanned code (a local class, module or function) is not a Hugging
    Face model, nor is an object built by a package that has no Hugging Face ``generate``
    (torch is allowed for ``torch.compile(model)``)."""
    for option in alternatives(receiver):
        if isinstance(option, (ObjVal, ClassVal, ModuleVal, FuncVal)):
            return False
        qualname = option.qualname if isinstance(option, (CallVal, Ref)) else None
        if qualname and top_package(qualname) not in (*LOADER_PACKAGES, "torch"):
            return False
    return True
