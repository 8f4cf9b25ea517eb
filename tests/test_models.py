"""Model ids to parameter counts: table, user mapping, local config.json, then the name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import scan

from ecolint.evidence.models import resolve_model_size, size_from_config, size_from_name

DATA = Path(__file__).resolve().parent.parent / "data"


def test_model_table_is_well_formed() -> None:
    document = yaml.safe_load((DATA / "models.yaml").read_text(encoding="utf-8"))
    ids = [entry["id"] for entry in document["models"]]
    assert len(ids) >= 150
    assert len(ids) == len({model_id.lower() for model_id in ids})
    for entry in document["models"]:
        assert entry["params_b"] > 0
        assert entry["source"] in ("model card", "config", "paper", "safetensors metadata")
        assert entry["ref"].startswith("http")


def test_measured_models_are_in_the_table() -> None:
    import csv

    with (DATA / "measurements.csv").open(newline="", encoding="utf-8") as handle:
        measured = {row["model_id"] for row in csv.DictReader(handle)}
    for model_id in measured:
        size = resolve_model_size(model_id)
        assert size is not None and size.source.startswith("data/models.yaml"), model_id


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
    script = write(
        "load.py",
        "from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
        "q = BitsAndBytesConfig(load_in_4bit=True)  # expect\n"
        "m = AutoModelForCausalLM.from_pretrained('models/tiny', quantization_config=q)\n",
    )
    result = scan([script.parent], select=("ECO102",))
    assert [(f.code, f.line) for f in result.findings] == [("ECO102", 2)]
    assert "estimated from" in result.findings[0].evidence["model_size_source"]


def test_user_models_setting_drives_eco102(write) -> None:  # type: ignore[no-untyped-def]
    script = write(
        "load.py",
        "from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
        "q = BitsAndBytesConfig(load_in_4bit=True)\n"
        "m = AutoModelForCausalLM.from_pretrained('acme/chat', quantization_config=q)\n",
    )
    assert not scan([script], select=("ECO102",)).findings
    result = scan([script], models={"acme/chat": 1.2}, select=("ECO102",))
    assert [(f.code, f.line) for f in result.findings] == [("ECO102", 2)]


def test_gpu_changes_the_crossover_decision(write) -> None:  # type: ignore[no-untyped-def]
    script = write(
        "load.py",
        "from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
        "q = BitsAndBytesConfig(load_in_4bit=True)\n"
        "m = AutoModelForCausalLM.from_pretrained('acme/chat', quantization_config=q)\n",
    )
    models = {"acme/chat": 4.5}
    assert not scan([script], models=models, select=("ECO102",)).findings
    on_5090 = scan([script], models=models, gpu="rtx5090", select=("ECO102",)).findings
    assert [(f.code, f.line) for f in on_5090] == [("ECO102", 2)]
    assert "5.2B" in on_5090[0].message and "not measured" in on_5090[0].message
    assert on_5090[0].evidence["stars"] <= 2
