"""bitsandbytes switches in YAML training and serving configs (axolotl, LLaMA-Factory, …).

Such configs name the model and switch quantisation on with plain keys: axolotl's
``base_model`` + ``load_in_8bit: true`` / ``load_in_4bit: true``, LLaMA-Factory's
``model_name_or_path`` + ``quantization_bit: 4|8``. The YAML is composed with PyYAML's safe
loader (no tags are constructed beyond plain scalars) so every key keeps its line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import yaml

from ecolint.sources.document import Document, TextSpan
from ecolint.sources.yaml_roots import yaml_roots

MODEL_KEYS = ("base_model", "model_name_or_path", "pretrained_model_name_or_path", "model_id")
SWITCH_KEYS = ("load_in_8bit", "load_in_4bit", "quantization_bit")
NOT_BITSANDBYTES = frozenset({"hqq", "eetq", "gptq", "awq", "aqlm", "quanto"})
# Keys that only the configuration of a training run has (axolotl, LLaMA-Factory, the
# TrainingArguments of transformers and TRL).
TRAINING_KEYS = frozenset(
    {
        "learning_rate",
        "num_epochs",
        "num_train_epochs",
        "micro_batch_size",
        "gradient_accumulation_steps",
        "lora_r",
        "max_steps",
        "warmup_steps",
        "warmup_ratio",
        "lr_scheduler",
        "lr_scheduler_type",
    }
)


@dataclass(unsafe_hash=True)
class YamlSetting:
    key: str
    value: object  # as the safe loader constructs it
    text: str  # as written
    span: TextSpan  # from the key to the end of its value

    def __str__(self) -> str:
        return f"{self.key}: {self.text}"


@dataclass(unsafe_hash=True)
class YamlSetup:
    """One mapping that switches bitsandbytes on, with the model it applies to."""

    bits: int  # 8 or 4
    switch: YamlSetting
    model_id: str | None
    settings: dict[str, YamlSetting]


@lru_cache(maxsize=16)
def yaml_setups(document: Document) -> list[YamlSetup]:
    """Parsed once for all the rules that read it. YAML that does not parse is reported (often
    a template rendered at deploy time: exclude it if so)."""
    roots = yaml_roots(document)
    found: list[YamlSetup] = []
    for root in roots:
        if isinstance(root, yaml.MappingNode):
            top = _settings(document, root)
            found.extend(_setups(document, root, _model_id(top)))
    return found


@lru_cache(maxsize=16)
def trains(document: Document) -> bool:
    """A training run's configuration: a training key at the top (a learning rate, epochs,
    LoRA rank …), unless it says ``do_train: false`` (an evaluation or prediction config)."""
    for root in yaml_roots(document):
        if isinstance(root, yaml.MappingNode):
            top = _settings(document, root)
            do_train = top.get("do_train")
            if do_train is not None and do_train.value is False:
                continue
            if TRAINING_KEYS & top.keys():
                return True
    return False


def _setups(
    document: Document, node: yaml.MappingNode, model_id: str | None
) -> Iterator[YamlSetup]:
    settings = _settings(document, node)
    model_id = _model_id(settings) or model_id
    method = settings.get("quantization_method")
    bitsandbytes = method is None or str(method.value).lower() not in NOT_BITSANDBYTES
    for key in SWITCH_KEYS:
        setting = settings.get(key)
        if setting is None or not bitsandbytes:
            continue
        bits = _bits(key, setting.value)
        if bits is not None:
            yield YamlSetup(bits, setting, model_id, settings)
    for _, value in node.value:
        if isinstance(value, yaml.MappingNode):
            yield from _setups(document, value, model_id)


def _bits(key: str, value: object) -> int | None:
    if key == "quantization_bit":
        return value if value in (4, 8) and not isinstance(value, bool) else None  # type: ignore[return-value]
    if value is True:
        return 8 if key == "load_in_8bit" else 4
    return None


def _model_id(settings: dict[str, YamlSetting]) -> str | None:
    for key in MODEL_KEYS:
        setting = settings.get(key)
        if setting is not None and isinstance(setting.value, str) and setting.value:
            return setting.value
    return None


def _settings(document: Document, node: yaml.MappingNode) -> dict[str, YamlSetting]:
    """The scalar entries of one mapping, constructed as the safe loader would."""
    constructor = yaml.SafeLoader("")
    settings: dict[str, YamlSetting] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
            continue
        try:
            constructed = constructor.construct_object(value, deep=True)
        except yaml.YAMLError:
            continue
        start, end = key.start_mark, value.end_mark
        span = TextSpan(document, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        settings[str(key.value)] = YamlSetting(str(key.value), constructed, value.value, span)
    return settings
