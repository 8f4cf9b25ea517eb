"""Model ids to parameter counts: table, user mapping, local config.json, then the name."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import scan

from ecolint.evidence.models import resolve_model_size, size_from_config, size_from_name

DATA = Path(__file__).resolve().parent.parent / "data"


SOURCES = ("model card", "config", "paper", "safetensors metadata", "library preset")
MULTIMODAL_FAMILIES = (
    "Qwen/Qwen2-VL-",
    "Qwen/Qwen2.5-VL-",
    "google/paligemma-",
    "google/paligemma2-",
    "microsoft/Phi-3.5-vision",
    "microsoft/Phi-4-multimodal",
    "google/gemma-3-4b",
    "google/gemma-3-12b",
    "google/gemma-3-27b",
    "mistralai/Ministral-3-",
    "mistralai/Voxtral-",
    "openai/whisper-",
    "HuggingFaceTB/SmolVLM",
    "meta-llama/Llama-3.2-11B-Vision",
    "meta-llama/Llama-3.2-90B-Vision",
    "mistralai/Pixtral-",
    "microsoft/Florence-2-",
    "llava-hf/llava-1.5-",
    "llava-hf/llava-v1.6-",
    "llava-hf/llava-onevision-",
    "HuggingFaceM4/idefics2-",
    "HuggingFaceM4/Idefics3-",
    "OpenGVLab/InternVL",
)


def _table() -> list[dict[str, str]]:
    with (DATA / "models.csv").open(encoding="utf-8", newline="") as table:
        return list(csv.DictReader(table))


def nf4_loader(
    write: Callable[[str, str], Path], model_id: str, loader: str = "AutoModelForCausalLM"
) -> Path:
    """A script loading ``model_id`` in 4 bits; ECO102 reports line 2 where NF4 costs energy."""
    return write(
        "load.py",
        f"from transformers import {loader}, BitsAndBytesConfig\n"
        "q = BitsAndBytesConfig(load_in_4bit=True)\n"
        f"m = {loader}.from_pretrained({model_id!r}, quantization_config=q)\n",
    )


def test_model_table_is_well_formed() -> None:
    entries = _table()
    ids = [str(entry["id"]) for entry in entries]
    assert len(ids) >= 400
    assert len(ids) == len({model_id.lower() for model_id in ids})
    for entry in entries:
        assert float(entry["params_b"]) > 0 and set(entry) == {"id", "params_b", "source", "ref"}
        assert entry["source"] in SOURCES, entry
        assert str(entry["ref"]).startswith(("http://", "https://")), entry


@pytest.mark.parametrize("family", MULTIMODAL_FAMILIES)
def test_multimodal_families_are_in_the_table(family: str) -> None:
    assert any(str(entry["id"]).startswith(family) for entry in _table())


@pytest.mark.parametrize(
    ("model_id", "low", "high"),
    [
        ("mistralai/Voxtral-Mini-3B-2507", 4.6, 4.8),
        ("google/gemma-3-4b-it", 4.2, 4.4),
        ("google/gemma-3-1b-it", 0.9, 1.1),
        ("openai/whisper-large-v3-turbo", 0.8, 0.82),
    ],
)
def test_multimodal_counts_include_every_tower(model_id: str, low: float, high: float) -> None:
    size = resolve_model_size(model_id)
    assert size is not None and not size.uncertain
    assert low <= size.params_b <= high


@pytest.mark.parametrize(
    ("model_id", "uncertain"),
    [
        ("acme/SuperVL-3B", True),
        ("acme/SmolVLM2-2B", True),
        ("acme/llava-next-7b", True),
        ("acme/voxtral-3b", True),
        ("acme/Phi-4-mm-3B", True),
        ("acme/Chat-1B", False),
        ("acme/mamba-3b", False),
        ("someone/my-model-3b-bnb-4bit", False),
    ],
)
def test_a_multimodal_name_gives_an_uncertain_size(model_id: str, uncertain: bool) -> None:
    size = resolve_model_size(model_id)
    assert size is not None and size.uncertain is uncertain
    assert ("uncertain" in size.source) is uncertain


def test_uncertain_size_outside_the_band_is_reported_as_uncertain(write) -> None:  # type: ignore[no-untyped-def]
    script = nf4_loader(write, "acme/TinyVL-1B", "AutoModelForVision2Seq")
    result = scan([script], select=("ECO102",))
    assert [(f.code, f.line) for f in result.findings] == [("ECO102", 2)]
    finding = result.findings[0]
    assert "uncertain" in finding.message
    assert "uncertain" in finding.evidence["model_size_source"]
    assert any("uncertain" in note for note in finding.evidence["notes"])


def test_uncertain_size_near_the_crossover_of_another_gpu_is_silent(write) -> None:  # type: ignore[no-untyped-def]
    script = nf4_loader(write, "acme/SuperVL-4.5B", "AutoModelForVision2Seq")
    assert not scan([script], gpu="rtx5090", select=("ECO102",)).findings
    assert scan(
        [script], models={"acme/SuperVL-4.5B": 4.5}, gpu="rtx5090", select=("ECO102",)
    ).findings


def test_measured_models_are_in_the_table() -> None:
    import csv

    with (DATA / "measurements.csv").open(newline="", encoding="utf-8") as handle:
        measured = {row["model_id"] for row in csv.DictReader(handle)}
    for model_id in measured:
        size = resolve_model_size(model_id)
        assert size is not None and size.source.startswith("data/models.csv"), model_id


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("meta-llama/Llama-2-7b-hf", 7.0),
        ("Qwen/Qwen2.5-1.5B-Instruct", 1.5),
        ("HuggingFaceTB/SmolLM-135M", 0.135),
        ("mistralai/Mixtral-8x7B-v0.1", 56.0),
        ("someone/my-model-3b-bnb-4bit", 3.0),
        ("someone/Model-7B-Instruct-GGUF", 7.0),
        ("gpt2", None),
        ("Qwen/Qwen2.5", None),
    ],
)
def test_size_from_name(name: str, size: float | None) -> None:
    assert size_from_name(name) == size


def test_packaging_suffixes_resolve_through_the_table() -> None:
    plain = resolve_model_size("Qwen/Qwen2.5-0.5B-Instruct")
    packaged = resolve_model_size("unsloth/Qwen2.5-0.5B-Instruct-bnb-4bit")
    assert plain is not None and packaged is not None
    assert packaged.params_b == plain.params_b
    assert "matched as" in packaged.source


def test_user_mapping_wins() -> None:
    size = resolve_model_size("acme/internal-model", {"acme/internal-model": 2.5})
    assert size is not None and size.params_b == 2.5 and size.source == "[tool.ecolint.models]"


TINYLLAMA_CONFIG = {
    "model_type": "llama",
    "hidden_size": 2048,
    "num_hidden_layers": 22,
    "intermediate_size": 5632,
    "num_attention_heads": 32,
    "num_key_value_heads": 4,
    "vocab_size": 32000,
    "tie_word_embeddings": False,
}


def test_config_json_estimate_of_a_llama_shape() -> None:
    assert size_from_config(TINYLLAMA_CONFIG) == pytest.approx(1.1, abs=0.01)


def test_local_model_directory_in_the_scanned_tree(write) -> None:  # type: ignore[no-untyped-def]
    write("models/tiny/config.json", json.dumps(TINYLLAMA_CONFIG))
    script = nf4_loader(write, "models/tiny")
    result = scan([script.parent], select=("ECO102",))
    assert [(f.code, f.line) for f in result.findings] == [("ECO102", 2)]
    assert "estimated from" in result.findings[0].evidence["model_size_source"]


def test_user_models_setting_drives_eco102(write) -> None:  # type: ignore[no-untyped-def]
    script = nf4_loader(write, "acme/chat")
    assert not scan([script], select=("ECO102",)).findings
    result = scan([script], models={"acme/chat": 1.2}, select=("ECO102",))
    assert [(f.code, f.line) for f in result.findings] == [("ECO102", 2)]


def test_gpu_changes_the_crossover_decision(write) -> None:  # type: ignore[no-untyped-def]
    script = nf4_loader(write, "acme/chat")
    models = {"acme/chat": 4.5}
    assert not scan([script], models=models, select=("ECO102",)).findings
    on_5090 = scan([script], models=models, gpu="rtx5090", select=("ECO102",)).findings
    assert [(f.code, f.line) for f in on_5090] == [("ECO102", 2)]
    assert "5.2B" in on_5090[0].message and "not measured" in on_5090[0].message
    assert on_5090[0].evidence["stars"] <= 2
