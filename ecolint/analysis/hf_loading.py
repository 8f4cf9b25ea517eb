"""Facts about model loading that several rules share: bitsandbytes setups and model loads.

A bitsandbytes setup is wherever the code switches quantisation on: a ``BitsAndBytesConfig``
or accelerate ``BnbQuantizationConfig``, a dict passed as ``quantization_config``, legacy
``load_in_8bit``/``load_in_4bit`` keywords of ``from_pretrained``, ``model_kwargs`` of
``pipeline``, or unsloth's ``FastLanguageModel.from_pretrained``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import libcst as cst

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import CallVal, Const, DictVal, Entry, Site, Value, alternatives

LOADER_PACKAGES = frozenset({"transformers", "peft", "trl", "optimum", "auto_gptq", "unsloth"})
BNB_CONFIGS = {
    "transformers": "BitsAndBytesConfig",
    "accelerate": "BnbQuantizationConfig",
}
UNSLOTH_LOADER = "FastLanguageModel"
_CONFIG_NAMES = frozenset(BNB_CONFIGS.values())
_LOADER_NAMES = frozenset({"from_pretrained", "pipeline"})


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
    return (
        bool(qualname)
        and top_package(qualname or "") == "unsloth"
        and (f".{UNSLOTH_LOADER}." in (qualname or ""))
    )


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class ModelLoad:
    site: Site
    loader: str
    model_ids: tuple[tuple[str, Value], ...]
    setups: tuple[BnbSetup, ...]
    value: CallVal


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
    return resolver.memo(("loading-facts", module), lambda: LoadingFacts(resolver, module))


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

    def _load(self, call: cst.Call, value: CallVal, qualname: str) -> ModelLoad:
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
        if is_unsloth(qualname) and not any(setup.site == site for setup in setups):
            setups.append(BnbSetup("unsloth", site, value.kwargs, value.open, defaults_4bit=True))
        elif is_unsloth(qualname):
            setups = [
                BnbSetup(s.kind, s.site, s.options, s.open, defaults_4bit=s.site == site)
                for s in setups
            ]
        model_ids = tuple(
            (option.value, option)
            for option in alternatives(model)
            if model is not None
            if isinstance(option, Const) and isinstance(option.value, str)
        )
        return ModelLoad(site, qualname, model_ids, tuple(setups), value)
