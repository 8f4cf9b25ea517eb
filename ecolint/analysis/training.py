"""Does a module train a model?

Settings that waste energy at inference are often deliberate in training: ``use_cache=False``
goes with gradient checkpointing, eager attention is what transformers recommends for training
Gemma 2, and FP32 master weights are the norm under mixed precision. Rules about inference
settings therefore stay quiet in a module that trains, at module granularity: a script that both
trains and generates is treated as a training script (a missed finding costs less than a false
one).

A module trains when code on the default path constructs a trainer or its arguments
(``transformers``/``trl``/``unsloth``/Lightning ``*Trainer``, ``*TrainingArguments``, trl's
``*Config``), defines a subclass of one, calls ``.backward()`` (plain loops and
``accelerator.backward``), enables gradient checkpointing, or prepares adapters for training
(``get_peft_model``, ``prepare_model_for_kbit_training``).
"""

from __future__ import annotations

import libcst as cst

from ecolint.analysis.hf_loading import last_name, top_package
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver

TRAINER_PACKAGES = frozenset({"transformers", "trl", "unsloth", "lightning", "pytorch_lightning"})
TRAINING_CALLS = frozenset(
    {
        "backward",
        "gradient_checkpointing_enable",
        "get_peft_model",
        "prepare_model_for_kbit_training",
    }
)
_TRAINER_SUFFIXES = ("Trainer", "TrainingArguments")


def is_trainer(qualname: str) -> bool:
    package, name = top_package(qualname), last_name(qualname)
    if package not in TRAINER_PACKAGES:
        return False
    return name.endswith(_TRAINER_SUFFIXES) or (package == "trl" and name.endswith("Config"))


def is_training_module(resolver: Resolver, module: ModuleInfo) -> bool:
    """Memoised per run: every inference-setting rule asks."""
    return resolver.facts.memo(("training-module", module), lambda: _trains(resolver, module))


def _trains(resolver: Resolver, module: ModuleInfo) -> bool:
    for call in module.calls:
        func = call.func
        if isinstance(func, cst.Attribute):
            name = func.attr.value
        elif isinstance(func, cst.Name):
            name = func.value
        else:
            continue
        if name in TRAINING_CALLS or name.endswith(_TRAINER_SUFFIXES) or name.endswith("Config"):
            trains = name in TRAINING_CALLS or is_trainer(resolver.qualname(module, func))
            if trains and resolver.reachable(module, call):
                return True
    return any(
        is_trainer(resolver.qualname(module, base.value))
        for node in module.class_scopes
        for base in node.bases
    )
