"""Which calls train a model, and which objects they train?

Settings that waste energy at inference are often deliberate in training: ``use_cache=False``
goes with gradient checkpointing, eager attention is what transformers recommends for training
Gemma 2, and FP32 master weights are the norm under mixed precision. Rules about inference
settings therefore stay quiet where code trains; ``analysis.roles`` decides where, per function,
notebook cell and model object, from the calls recognised here.

A call trains when it constructs a trainer or its arguments
(``transformers``/``trl``/``unsloth``/Lightning ``*Trainer``, ``*TrainingArguments``, trl's
``*Config``), calls ``.backward()`` (plain loops and
``accelerator.backward``), enables gradient checkpointing, or prepares adapters for training
(``get_peft_model``, ``prepare_model_for_kbit_training``); a module also trains when it
subclasses a trainer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

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
_TRAINS_RECEIVER = frozenset({"train", "gradient_checkpointing_enable"})


def is_trainer(qualname: str) -> bool:
    package, name = top_package(qualname), last_name(qualname)
    if package not in TRAINER_PACKAGES:
        return False
    return name.endswith(_TRAINER_SUFFIXES) or (package == "trl" and name.endswith("Config"))


def module_trains(resolver: Resolver, module: ModuleInfo) -> bool:
    """Whether anything in the module trains; memoised per run. Only code that neither trains
    nor runs a model itself takes its role from this (see ``analysis.roles``)."""
    return resolver.facts.memo(("training-module", module), lambda: _trains(resolver, module))


def trains(resolver: Resolver, module: ModuleInfo, calls: Iterable[ast.Call]) -> bool:
    """Some reachable call among ``calls`` trains."""
    return any(
        is_training_call(resolver, module, call) and resolver.reachable(module, call)
        for call in calls
    )


def is_training_call(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        name = func.attr
    elif isinstance(func, ast.Name):
        name = func.id
    else:
        return False
    if name in TRAINING_CALLS:
        return True
    if name.endswith(_TRAINER_SUFFIXES) or name.endswith("Config"):
        return is_trainer(resolver.qualname(module, func))
    return False


def trained_objects(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> list[ast.expr]:
    """What a call trains: the receiver of ``model.train()`` or
    ``model.gradient_checkpointing_enable()``, the model given to ``get_peft_model``,
    ``prepare_model_for_kbit_training`` or a trainer (``model=`` or first argument)."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _TRAINS_RECEIVER:
        return [func.value]
    if not is_training_call(resolver, module, call):
        return []
    first = next((arg for arg in call.args if not isinstance(arg, ast.Starred)), None)
    named = [keyword.value for keyword in call.keywords if keyword.arg == "model"]
    return [*named, *([first] if first is not None else [])]


def _trains(resolver: Resolver, module: ModuleInfo) -> bool:
    if trains(resolver, module, module.calls):
        return True
    return any(
        is_trainer(resolver.qualname(module, base))
        for node in module.class_scopes
        for base in node.bases
    )
