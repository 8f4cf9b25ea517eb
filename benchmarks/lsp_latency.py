"""How long an editor waits for ecolint's diagnostics after a keystroke.

Builds a project of a few hundred files (modules that load models, configuration modules,
plain helpers, a requirements list and a pyproject.toml), starts the real ``ecolint server``
over stdio, opens a serving script that imports project modules and carries findings, and then
sends edits that make a finding appear and disappear in turn. For each edit it times the span
from sending ``textDocument/didChange`` to receiving that document's
``textDocument/publishDiagnostics`` (the server's debounce included). Prints the median and the
90th percentile after warm-up; the target is a median of at most 150 ms. Not a test and not run
by CI: timings depend on the machine. ``--import-functions N`` makes the helper module the
script imports N functions longer: what a keystroke costs when the buffer imports a big module
(the server keeps it parsed between keystrokes).

    python benchmarks/lsp_latency.py [--files 300] [--edits 40] [--warmup 5] [--import-functions 0]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from lsp_client import LspClient

TARGET_MS = 150.0

LOADER = """\
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

from project.config_{n} import MODEL_ID, THRESHOLD


def load_{n}():
    cfg = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=THRESHOLD)
    return AutoModelForCausalLM.from_pretrained(MODEL_ID, quantization_config=cfg)
"""
CONFIG = 'MODEL_ID = "mistralai/Mistral-7B-Instruct-v0.3"\nTHRESHOLD = {threshold}\n'
HELPER = """\
import json
from pathlib import Path


def read_{n}(path: Path) -> dict:
    with path.open() as handle:
        return json.load(handle)


def total_{n}(values: list[int]) -> int:
    return sum(value * {n} for value in values)
"""
SERVE = """\
import argparse

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

from project.config_0 import MODEL_ID
from project.helper_0 import read_0


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default={threshold})
    parser.add_argument("--max-new-tokens", type=int, default=256)
    return parser.parse_args()


def main():
    args = parse_args()
    settings = read_0(args.settings) if hasattr(args, "settings") else {{}}
    cfg = BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=args.threshold)
    tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
    model = AutoModelForCausalLM.from_pretrained(
        MODEL_ID, quantization_config=cfg, torch_dtype=torch.float16
    )
    for prompt in settings.get("prompts", []):
        inputs = tokenizer(prompt, return_tensors="pt").to(model.device)
        out = model.generate(**inputs, max_new_tokens=args.max_new_tokens)
        print(tokenizer.decode(out[0], skip_special_tokens=True))


if __name__ == "__main__":
    main()
"""


EXTRA = """

def extra_{n}(values: list[int]) -> list[int]:
    return [value * {n} for value in values if value > {n}]
"""


def build_project(root: Path, files: int, import_functions: int = 0) -> Path:
    """``files`` files in all; the serving script is returned. The helper module it imports
    has ``import_functions`` more functions."""
    package = root / "project"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.ecolint]\ngpu = "a800"\n'
    )
    (root / "requirements.txt").write_text("torch==2.5.1\ntransformers==4.46.3\nbitsandbytes\n")
    made = 4
    n = 0
    while made < files - 1:
        (package / f"config_{n}.py").write_text(CONFIG.format(threshold=6.0 if n % 2 else 0.0))
        (package / f"loader_{n}.py").write_text(LOADER.format(n=n))
        (package / f"helper_{n}.py").write_text(HELPER.format(n=n))
        made += 3
        n += 1
    helper = package / "helper_0.py"
    helper.write_text(
        helper.read_text() + "".join(EXTRA.format(n=n) for n in range(import_functions))
    )
    serve = root / "serve.py"
    serve.write_text(SERVE.format(threshold=6.0))
    return serve


def published(uri: str, int8: bool) -> Callable[[dict[str, Any]], bool]:
    """The diagnostics of this edit: ECO101 is there exactly when the threshold is 6.0."""

    def matches(params: dict[str, Any]) -> bool:
        codes = {diagnostic["code"] for diagnostic in params["diagnostics"]}
        return params["uri"] == uri and ("ECO101" in codes) == int8

    return matches


def measure(root: Path, serve: Path, edits: int, warmup: int) -> tuple[float, list[float]]:
    """The time from didOpen to the first diagnostics (cold: the rule tables and the data are
    loaded then), and each timed edit's latency, in milliseconds."""
    client = LspClient(root)
    try:
        client.initialize(root)
        uri = serve.as_uri()
        text = serve.read_text()
        item = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        started = time.perf_counter()
        client.notify("textDocument/didOpen", {"textDocument": item})
        client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
        opened = (time.perf_counter() - started) * 1000
        timings = []
        for version in range(2, 2 + warmup + edits):
            threshold = "0.0" if version % 2 else "6.0"
            edited = SERVE.format(threshold=threshold)
            change = {"textDocument": {"uri": uri, "version": version}}
            change["contentChanges"] = [{"text": edited}]
            started = time.perf_counter()
            client.notify("textDocument/didChange", change)
            client.wait_for("textDocument/publishDiagnostics", published(uri, threshold == "6.0"))
            timings.append((time.perf_counter() - started) * 1000)
        return opened, timings[warmup:]
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--import-functions", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        serve = build_project(root, args.files, args.import_functions)
        count = sum(1 for path in root.rglob("*") if path.is_file())
        opened, timings = measure(root, serve, args.edits, args.warmup)
    median = statistics.median(timings)
    p90 = statistics.quantiles(timings, n=10)[-1]
    print(f"project: {count} files; edits timed: {len(timings)} (after {args.warmup} warm-up)")
    if args.import_functions:
        print(f"the imported helper module has {args.import_functions} more functions")
    print(f"didOpen -> first publishDiagnostics (cold): {opened:.0f} ms")
    print(f"didChange -> publishDiagnostics: median {median:.0f} ms, p90 {p90:.0f} ms")
    print(
        f"min {min(timings):.0f} ms, max {max(timings):.0f} ms; target median <= {TARGET_MS:.0f} ms"
    )
    sys.exit(0 if median <= TARGET_MS else 1)


if __name__ == "__main__":
    main()
