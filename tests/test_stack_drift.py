"""ECO302: pins compared with the stack of the rows the run's quantization findings quote,
and the one-star confidence drop the engine's post-pass applies."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import scan
from packaging.specifiers import SpecifierSet

from ecolint.evidence.dataset import constants, measurements
from ecolint.evidence.stack import Pin, compare, drift_versions, pin_bounds, stack_versions

INT8_SCRIPT = (
    "from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
    "quant = BitsAndBytesConfig(load_in_8bit=True)\n"
    "model = AutoModelForCausalLM.from_pretrained(\n"
    "    'mistralai/Mistral-7B-Instruct-v0.3', quantization_config=quant\n"
    ")\n"
    "model.generate(max_new_tokens=32)\n"
)


def _by_code(root: Path, **options: object) -> dict[str, list]:  # type: ignore[type-arg]
    result = scan([root], **options)
    assert not result.internal_errors
    found: dict[str, list] = {}  # type: ignore[type-arg]
    for finding in result.findings:
        found.setdefault(finding.code, []).append(finding)
    return found


def test_newer_bitsandbytes_pin_lowers_int8_confidence(write) -> None:  # type: ignore[no-untyped-def]
    root = write("serve.py", INT8_SCRIPT).parent
    alone = _by_code(root)["ECO101"][0]
    write("requirements.txt", "transformers==4.46.3\nbitsandbytes==0.49.0\n")
    found = _by_code(root)
    int8 = found["ECO101"][0]
    assert int8.stars == alone.stars - 1
    assert int8.evidence["confidence"] == "★★☆" and "★★☆" in int8.headline
    quoted = int8.evidence["rows"][0]["line"]
    note = next(note for note in int8.evidence["notes"] if "bitsandbytes==0.49.0" in note)
    assert "requirements.txt:2" in note and "newer than bitsandbytes" in note
    assert f"line {quoted}" in note and "one star less" in note
    [pin] = found["ECO302"]
    assert pin.line == 2 and pin.mood == "gray"
    assert pin.message.startswith("bitsandbytes==0.49.0 is newer than the bitsandbytes")
    assert pin.message.endswith("quantization findings that lose one star: 1")
    assert pin.evidence["rows"][0]["line"] == quoted and pin.evidence["rows"][0]["stack"]


def test_older_pin_only_notes_that_the_data_is_newer(write) -> None:  # type: ignore[no-untyped-def]
    root = write("serve.py", INT8_SCRIPT).parent
    alone = _by_code(root)["ECO101"][0]
    write("requirements.txt", "bitsandbytes==0.44.1\n")
    found = _by_code(root)
    assert found["ECO101"][0].stars == alone.stars
    assert any("measured on a newer stack" in note for note in found["ECO101"][0].evidence["notes"])
    assert "ECO302" not in found  # it lowers no finding: a note on the finding says it all


@pytest.mark.parametrize(
    "requirements",
    [
        "bitsandbytes==0.45.5\ntransformers==4.46.3\ntorch>=2.0\n",  # the measured stack
        "bitsandbytes\ntransformers>=4.40\n",  # no bound that excludes it
        "# bitsandbytes==0.49.0 in a comment\n",
    ],
)
def test_pins_that_match_the_data_are_silent(write, requirements: str) -> None:  # type: ignore[no-untyped-def]
    root = write("serve.py", INT8_SCRIPT).parent
    alone = _by_code(root)["ECO101"][0]
    write("requirements.txt", requirements)
    found = _by_code(root)
    assert "ECO302" not in found
    assert found["ECO101"][0].stars == alone.stars
    assert found["ECO101"][0].evidence["notes"] == alone.evidence["notes"]


def test_no_quantization_finding_means_nothing_to_compare(write) -> None:  # type: ignore[no-untyped-def]
    root = write("requirements.txt", "bitsandbytes==0.49.0\ntorch==2.99.0\n").parent
    assert "ECO302" not in _by_code(root)


def test_ignoring_eco302_hides_it_but_keeps_the_adjustment(write) -> None:  # type: ignore[no-untyped-def]
    """Confidence does not depend on the selection (issue 16): the drift still costs a star."""
    root = write("serve.py", INT8_SCRIPT).parent
    alone = _by_code(root)["ECO101"][0]
    write("requirements.txt", "bitsandbytes==0.49.0\n")
    found = _by_code(root, ignore=("ECO302",))
    assert found["ECO101"][0].stars == alone.stars - 1
    assert "ECO302" not in found


def test_a_pin_applies_to_its_own_folder(write) -> None:  # type: ignore[no-untyped-def]
    root = write("app/serve.py", INT8_SCRIPT).parent.parent
    alone = _by_code(root)["ECO101"][0]
    write("other/requirements.txt", "bitsandbytes==0.49.0\n")
    assert "ECO302" not in _by_code(root)
    write("requirements/base.txt", "bitsandbytes==0.49.0\n")
    found = _by_code(root)
    assert [Path(f.path).as_posix().endswith("requirements/base.txt") for f in found["ECO302"]] == [
        True
    ]
    assert found["ECO101"][0].stars == alone.stars - 1


def test_pins_from_pyproject_notebook_and_setup_py(write) -> None:  # type: ignore[no-untyped-def]
    root = write("serve.py", INT8_SCRIPT).parent
    write("pyproject.toml", '[tool.poetry.dependencies]\nbitsandbytes = "^0.49"\n')
    write(
        "setup.py",
        "from setuptools import setup\nsetup(install_requires=['transformers~=4.57.0'])\n",
    )
    notebook = {
        "cells": [{"cell_type": "code", "source": "!pip install -q torch==2.99.0 accelerate"}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    write("setup.ipynb", json.dumps(notebook))
    found = _by_code(root)
    assert {(Path(f.path).name, f.line, f.cell) for f in found["ECO302"]} == {
        ("pyproject.toml", 2, None),
        ("setup.py", 2, None),
    }  # the notebook's install governs only the notebook, which has no quantization finding
    assert found["ECO101"][0].evidence["confidence"] == "★★☆"  # one star at most
    assert len([n for n in found["ECO101"][0].evidence["notes"] if "one star less" in n]) == 2


def test_a_notebook_install_governs_only_that_notebook(write) -> None:  # type: ignore[no-untyped-def]
    """Its pin lowers the notebook's own finding and replaces the project's pin of the same
    package there; another notebook in the folder is governed by the project's pins only."""
    cells = [
        {"cell_type": "code", "source": "!pip install -q bitsandbytes==0.49.0"},
        {"cell_type": "code", "source": INT8_SCRIPT},
    ]
    document = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    root = write("own.ipynb", json.dumps(document)).parent
    other = {**document, "cells": [{"cell_type": "code", "source": INT8_SCRIPT}]}
    write("other.ipynb", json.dumps(other))
    write("requirements.txt", "bitsandbytes==0.45.5\n")
    found = _by_code(root)
    assert [(Path(f.path).name, f.cell) for f in found["ECO302"]] == [("own.ipynb", 0)]
    assert found["ECO302"][0].message.endswith("quantization findings that lose one star: 1")
    stars = {Path(f.path).name: f.evidence["confidence"] for f in found["ECO101"]}
    assert stars["own.ipynb"] != stars["other.ipynb"]


def test_a_star_floor_of_one(write) -> None:  # type: ignore[no-untyped-def]
    root = write(
        "fp8.py",
        "import torch\n"
        "from torchao.quantization import Float8WeightOnlyConfig, quantize_\n"
        "from transformers import AutoModelForCausalLM\n"
        "model = AutoModelForCausalLM.from_pretrained('Qwen/Qwen2-7B', torch_dtype=torch.float16)\n"
        "quantize_(model, Float8WeightOnlyConfig())\n",
    ).parent
    write("requirements.txt", "torchao==0.99.0\n")
    found = _by_code(root, gpu="rtx5090")
    [fp8] = found["ECO103"]
    assert fp8.stars >= 1 and any("torchao==0.99.0" in note for note in fp8.evidence["notes"])
    assert "ECO302" in found


# -- the comparison itself -----------------------------------------------------------------


def _row(stack: str):  # type: ignore[no-untyped-def]
    return replace(measurements()[0], stack=stack, line=9999)


def _pin(requirement: str) -> Pin:
    name, _, spec = requirement.partition(" ")
    bounds = pin_bounds(SpecifierSet(spec))
    assert bounds is not None
    return Pin(name, requirement, bounds, "requirements.txt:1", Path.cwd())


def test_stack_column_versions() -> None:
    versions = stack_versions(
        _row("PyTorch 2.x / transformers 4.46.3 + bitsandbytes 0.45.5; torchao n/a")
    )
    assert versions["torch"].text == "2.x" and not versions["torch"].exact
    assert str(versions["bitsandbytes"].low) == "0.45.5" and "torchao" not in versions
    nightly = stack_versions(_row("torch 2.12.0.dev20260315+cu128 (nightly); torchao 0.17.0.dev1"))
    assert nightly["torch"].low.is_devrelease and str(nightly["torch"].low) == "2.12.0.dev20260315"
    disputed = stack_versions(
        _row("torch 2.4.1+cu121; transformers/bitsandbytes versions disputed")
    )
    assert set(disputed) == {"torch"}


def test_the_drift_versions_come_from_constants() -> None:
    table = constants()
    for package, (version, constant) in drift_versions().items():
        assert constant.key == f"confidence.stack_drift_{package}_min_version"
        assert str(version) == table[constant.key].text


@pytest.mark.parametrize(
    ("pin", "stack", "relation", "lowers"),
    [
        ("bitsandbytes ==0.49.0", "bitsandbytes 0.45.5", "newer", True),
        ("bitsandbytes >=0.46", "bitsandbytes 0.45.5", "newer", True),
        ("bitsandbytes >0.45.5", "bitsandbytes 0.45.5", "newer", True),
        ("bitsandbytes ~=0.45.0", "bitsandbytes 0.45.5", None, False),
        ("bitsandbytes ==0.45.5", "bitsandbytes 0.45.5", None, False),
        ("bitsandbytes <0.45", "bitsandbytes 0.45.5", "older", False),
        ("bitsandbytes ==0.45.5", "bitsandbytes 0.50.2", "older", True),  # across 0.48
        ("bitsandbytes ==0.49.0", "bitsandbytes 0.50.2", "older", False),
        (
            "bitsandbytes ==0.49.0",
            "transformers + bitsandbytes (versions not stated)",
            "drift",
            True,
        ),
        ("bitsandbytes ==0.47.0", "bitsandbytes (versions not stated)", None, False),
        ("transformers ==4.57.6", "PyTorch 2.x, transformers 4.x", "drift", True),
        ("transformers >=5.0", "PyTorch 2.x, transformers 4.x", "newer", True),
        ("transformers ==4.46.3", "PyTorch 2.x, transformers 4.x", None, False),
        ("torch ==2.6.0.dev20241112", "torch 2.4.1+cu121", "newer", True),
        ("torch ==2.5.1+cu124", "torch 2.5.1+cu121", None, False),
        ("torch ==2.6.0", "torch 2.x", None, False),  # no torch drift version: unknown
        ("torch <2.0", "torch 2.x", "older", False),
    ],
)
def test_comparison(pin: str, stack: str, relation: str | None, lowers: bool) -> None:
    found = compare(_pin(pin), _row(stack))
    assert (found.relation if found else None) == relation
    assert (found.lowers if found else False) is lowers
    if found is not None:
        assert "stack drift" in found.note() and ("one star less" in found.note()) is lowers


def test_a_script_that_installs_what_it_runs_governs_only_itself(write) -> None:  # type: ignore[no-untyped-def]
    install = (
        "import subprocess\nsubprocess.check_call(['pip', 'install', 'bitsandbytes==0.49.0'])\n"
    )
    root = write("own.py", install + INT8_SCRIPT).parent
    write("other.py", INT8_SCRIPT)
    found = _by_code(root)
    assert [Path(f.path).name for f in found["ECO302"]] == ["own.py"]
    stars = {Path(f.path).name: f.evidence["confidence"] for f in found["ECO101"]}
    assert stars["own.py"] != stars["other.py"]
