"""The measured EcoCompute tables, read once and only when a finding needs a figure."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache

from ecolint.resources import data_dir

MEASUREMENTS = "measurements.csv"


@dataclass(frozen=True)
class Row:
    """One measured configuration; ``line`` is its line number in data/measurements.csv."""

    line: int
    gpu: str
    arch: str
    model_id: str
    params_b: float
    precision: str
    batch_size: int | None
    throughput_tok_s: float | None
    power_w: float | None
    energy_j_per_1k_tok: float | None
    energy_j_per_request: float | None
    n_runs: int | None
    stack: str
    source_repo: str
    source_path: str
    source_commit: str
    note: str
    throughput_std: float | None = None
    energy_j_per_1k_tok_std: float | None = None
    prompt_tokens: int | None = None
    gen_tokens: int | None = None

    @property
    def machine_readable(self) -> bool:
        """PROVENANCE.md ranks per-run CSV/JSON above markdown, HTML and prose tables."""
        return self.source_path.lower().endswith((".csv", ".json"))

    def citation(self) -> dict[str, object]:
        return {
            "file": f"data/{MEASUREMENTS}",
            "line": self.line,
            "gpu": self.gpu,
            "model_id": self.model_id,
            "precision": self.precision,
            "batch_size": self.batch_size,
            "energy_j_per_1k_tok": self.energy_j_per_1k_tok,
            "source": f"{self.source_repo}:{self.source_path}",
            "commit": self.source_commit,
        }


@dataclass(unsafe_hash=True)
class Gpu:
    key: str
    name: str
    arch: str
    vram_gb: float | None
    tdp_w: float | None
    source: str
    sm: int | None = None

    @property
    def consumer(self) -> bool:
        """A GeForce card (the seed's "consumer GPU"), as named in data/gpus.csv."""
        return "GeForce" in self.name


@dataclass(unsafe_hash=True)
class Constant:
    key: str
    value: float | str
    unit: str
    source: str
    text: str = ""  # the value as written (versions: "0.50" is not the float 0.5)


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def _integer(text: str) -> int | None:
    return int(float(text)) if text.strip() else None


@cache
def measurements() -> tuple[Row, ...]:
    with (data_dir() / MEASUREMENTS).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = []
        for raw in reader:
            rows.append(
                Row(
                    line=reader.line_num,
                    gpu=raw["gpu"],
                    arch=raw["arch"],
                    model_id=raw["model_id"],
                    params_b=float(raw["params_b"]),
                    precision=raw["precision"],
                    batch_size=_integer(raw["batch_size"]),
                    throughput_tok_s=_number(raw["throughput_tok_s"]),
                    power_w=_number(raw["power_w"]),
                    energy_j_per_1k_tok=_number(raw["energy_j_per_1k_tok"]),
                    energy_j_per_request=_number(raw["energy_j_per_request"]),
                    n_runs=_integer(raw["n_runs"]),
                    stack=raw["stack"],
                    source_repo=raw["source_repo"],
                    source_path=raw["source_path"],
                    source_commit=raw["source_commit"],
                    note=raw["note"],
                    throughput_std=_number(raw["throughput_std"]),
                    energy_j_per_1k_tok_std=_number(raw["energy_j_per_1k_tok_std"]),
                    prompt_tokens=_integer(raw["prompt_tokens"]),
                    gen_tokens=_integer(raw["gen_tokens"]),
                )
            )
    return tuple(rows)


@cache
def gpus() -> dict[str, Gpu]:
    with (data_dir() / "gpus.csv").open(newline="", encoding="utf-8") as handle:
        return {
            raw["gpu"]: Gpu(
                key=raw["gpu"],
                name=raw["name"],
                arch=raw["arch"],
                vram_gb=_number(raw["vram_gb"]),
                tdp_w=_number(raw["tdp_w"]),
                source=raw["source_path"],
                sm=_integer(raw["sm"]),
            )
            for raw in csv.DictReader(handle)
        }


@cache
def constants() -> dict[str, Constant]:
    with (data_dir() / "constants.csv").open(newline="", encoding="utf-8") as handle:
        table = {}
        for raw in csv.DictReader(handle):
            try:
                value: float | str = float(raw["value"])
            except ValueError:
                value = raw["value"]
            table[raw["key"]] = Constant(
                raw["key"], value, raw["unit"], raw["source_path"], raw["value"]
            )
        return table


@cache
def data_version() -> str:
    manifest = json.loads((data_dir() / "manifest.json").read_text(encoding="utf-8"))
    return str(manifest["data_version"])
