"""Resolve a Hugging Face model id to a parameter count, and say where the count came from.

Order: the user's ``[tool.ecolint.models]``; the shipped table ``data/models.csv``; a local model
directory with a ``config.json``; the size written in the name (``-7B``, ``1.5b``, ``135M``,
``8x7B`` as the MoE total), after stripping packaging suffixes such as ``-bnb-4bit``.

A size taken from the name of a vision-language or audio id is marked uncertain: the name gives
the language model's size, while the checkpoint also holds the encoders (``Voxtral-Mini-3B`` loads
4.68B).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ecolint.resources import data_dir
from ecolint.sources.safe_read import read_text

_PACKAGING_SUFFIXES = (
    "-bnb-4bit",
    "-bnb-8bit",
    "-unsloth",
    "-4bit",
    "-8bit",
    "-gguf",
    "-awq",
    "-gptq",
    "-int4",
    "-int8",
    "-fp8",
    "-nf4",
    "-mlx",
)
_VARIANT_SUFFIXES = ("-instruct", "-chat", "-it", "-hf", "-base")
_SIZE_IN_NAME = re.compile(r"(?<![\w.])(?:(\d+)x)?(\d+(?:\.\d+)?)([bm])(?![a-z0-9])", re.I)
_GATED_MLP = ("llama", "mistral", "mixtral", "qwen", "gemma", "phi3", "yi", "deepseek", "olmo")


_NAME_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
# A short family word must end a name word (``SuperVL``); a longer one may sit inside one
# (``SmolVLM2``).
_SHORT_WORD = 3
UNCERTAIN_NAME_SOURCE = (
    "parsed from the model name; uncertain: the name of a multimodal id gives the language "
    "model's size, not the total of all towers"
)


@dataclass(unsafe_hash=True)
class ModelSize:
    model_id: str
    params_b: float
    source: str
    uncertain: bool = False


def _rows(name: str) -> list[dict[str, str]]:
    """A shipped table's rows (``data/models.md`` says what they hold). CSV, not YAML: the
    model table parses in about 1 ms where YAML took 25, on every run that sizes a model."""
    with (data_dir() / name).open(encoding="utf-8", newline="") as table:
        return list(csv.DictReader(table))


@cache
def multimodal_name_words() -> tuple[str, ...]:
    """Family words that mark an id as vision-language or audio."""
    return tuple(row["word"].lower() for row in _rows("multimodal_name_words.csv"))


def looks_multimodal(model_id: str) -> bool:
    basename = model_id.split("/")[-1].lower()
    words = [word for word in _NAME_WORD_SPLIT.split(basename) if word]
    for family in multimodal_name_words():
        if not family.isalnum():
            if family in basename:
                return True
        elif len(family) <= _SHORT_WORD:
            if any(word.endswith(family) for word in words):
                return True
        elif any(family in word for word in words):
            return True
    return False


@cache
def model_table() -> dict[str, tuple[float, str]]:
    """Lower-cased id → (billions, source description)."""
    return {
        row["id"].lower(): (
            float(row["params_b"]),
            f"data/models.csv ({row['source']}: {row['ref']})",
        )
        for row in _rows("models.csv")
    }


@cache
def _by_stem() -> dict[str, tuple[str, float, str]]:
    index: dict[str, tuple[str, float, str]] = {}
    for model_id, (params, source) in model_table().items():
        stem = _stem(model_id.split("/")[-1])
        index.setdefault(stem, (model_id, params, source))
    return index


def _strip(name: str, suffixes: tuple[str, ...]) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in suffixes:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                changed = True
    return name


def _stem(basename: str) -> str:
    return _strip(_strip(basename.lower(), _PACKAGING_SUFFIXES), _VARIANT_SUFFIXES)


def size_from_name(model_id: str) -> float | None:
    basename = _strip(model_id.split("/")[-1].lower(), _PACKAGING_SUFFIXES)
    match = _SIZE_IN_NAME.search(basename)
    if match is None:
        return None
    experts, number, unit = match.groups()
    size = float(number) / (1000.0 if unit.lower() == "m" else 1.0)
    return size * int(experts) if experts else size


CONFIG_COUNT_MAX = 10**8  # no dimension of a real model comes near; larger is not a size


def config_count(config: Mapping[str, object], *keys: str) -> int | None:
    """The first of ``keys`` that ``config.json`` sets to a positive whole number; None when
    none does. A folder in the scanned tree may hold ``Infinity``, ``NaN``, ``1e400``, a
    string or a list there: that is an unknown size, not an error."""
    for key in keys:
        value = config.get(key)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and 0 < value <= CONFIG_COUNT_MAX:
            return value
    return None


def kv_shape(config: Mapping[str, object], hidden: int, heads: int) -> tuple[int, int]:
    """Key/value heads and the width of one head. A config that leaves them out describes
    plain multi-head attention: as many key/value heads as heads, ``hidden // heads`` wide."""
    kv_heads = config_count(config, "num_key_value_heads") or heads
    return kv_heads, config_count(config, "head_dim") or hidden // heads


def size_from_config(config: object) -> float | None:
    """Parameter estimate of a decoder-only transformer from its ``config.json``."""
    if not isinstance(config, Mapping):
        return None
    hidden = config_count(config, "hidden_size")
    layers = config_count(config, "num_hidden_layers")
    vocab = config_count(config, "vocab_size")
    if hidden is None or layers is None or vocab is None:
        return None
    intermediate = config_count(config, "intermediate_size") or 4 * hidden
    heads = config_count(config, "num_attention_heads") or 1
    kv_heads, head_dim = kv_shape(config, hidden, heads)
    experts = config_count(config, "num_local_experts", "num_experts") or 1
    attention = hidden * heads * head_dim * 2 + hidden * kv_heads * head_dim * 2
    model_type = str(config.get("model_type", "")).lower()
    mlp_matrices = 3 if model_type.startswith(_GATED_MLP) else 2
    mlp = mlp_matrices * hidden * intermediate * experts
    embeddings = vocab * hidden * (1 if config.get("tie_word_embeddings") else 2)
    return (embeddings + layers * (attention + mlp)) / 1e9


def _local_config(model_id: str, search_dirs: tuple[Path, ...]) -> tuple[float, Path] | None:
    if not model_id or "\n" in model_id or len(model_id) > 300:
        return None
    for base in search_dirs:
        candidate = base / model_id / "config.json"
        try:
            if candidate.is_file():
                size = size_from_config(json.loads(read_text(candidate)))
                if size is not None:
                    return size, candidate
        except (OSError, ValueError, RecursionError):
            continue
    return None


def resolve_model_size(
    model_id: str,
    user_models: Mapping[str, float] | None = None,
    search_dirs: tuple[Path, ...] = (),
) -> ModelSize | None:
    for key, params in (user_models or {}).items():
        if key.lower() == model_id.lower():
            return ModelSize(model_id, float(params), "[tool.ecolint.models]")
    table = model_table()
    if model_id.lower() in table:
        params, source = table[model_id.lower()]
        return ModelSize(model_id, params, source)
    local = _local_config(model_id, search_dirs)
    if local is not None:
        return ModelSize(model_id, round(local[0], 3), f"estimated from {local[1]}")
    stem = _stem(model_id.split("/")[-1])
    if stem in _by_stem():
        matched, params, source = _by_stem()[stem]
        return ModelSize(model_id, params, f"{source}, matched as {matched}")
    from_name = size_from_name(model_id)
    if from_name is None:
        return None
    if looks_multimodal(model_id):
        return ModelSize(model_id, from_name, UNCERTAIN_NAME_SOURCE, uncertain=True)
    return ModelSize(model_id, from_name, "parsed from the model name")
