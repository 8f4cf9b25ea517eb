"""Whatever a repository holds, the run goes on and says clearly what it could not read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ECO101_SCRIPT, run_ecolint, scan

from ecolint.config import Settings
from ecolint.pipeline.run import Pipeline

# In code, not a comment: the ast gate would skip a file that mentions them only in comments.
TRIGGERS = "load_in_8bit = load_in_4bit = float8 = quantization_config = model_kwargs = None\n"


def _codes(path: Path, **settings: object) -> list[tuple[str, int, str]]:
    result = scan([path], **settings)
    assert not result.internal_errors
    return [(Path(f.path).name, f.line, f.code) for f in result.findings]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("crlf.py", ECO101_SCRIPT.replace("\n", "\r\n").encode(), [("crlf.py", 2, "ECO101")]),
        ("mixed.py", ECO101_SCRIPT.encode() + b"x = 1\r\ny = 2\r", [("mixed.py", 2, "ECO101")]),
        ("bom.py", b"\xef\xbb\xbf" + ECO101_SCRIPT.encode(), [("bom.py", 2, "ECO101")]),
        (
            "latin.py",
            b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n" + ECO101_SCRIPT.encode(),
            [("latin.py", 4, "ECO101")],
        ),
        ("empty.py", b"", []),
        ("ünïcode name.py", ECO101_SCRIPT.encode(), [("ünïcode name.py", 2, "ECO101")]),
    ],
)
def test_encodings_line_endings_and_names(
    tmp_path: Path, name: str, data: bytes, expected: list[tuple[str, int, str]]
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert _codes(tmp_path) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"load_in_8bit = '\xff'\n", "save the file as UTF-8 or declare its encoding"),
        (b"load_in_8bit\x00\x01\x02", "NUL bytes"),
        (b"# -*- coding: klingon -*-\nload_in_8bit = 1\n", "cannot decode"),
        (b"def f(:\n    load_in_8bit = True\n", "syntax error"),
    ],
)
def test_unreadable_python_is_eco001_and_the_run_goes_on(
    tmp_path: Path, data: bytes, message: str
) -> None:
    (tmp_path / "bad.py").write_bytes(data)
    (tmp_path / "good.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    result = scan([tmp_path])
    by_file = {Path(f.path).name: f for f in result.findings}
    assert by_file["bad.py"].code == "ECO001" and message in by_file["bad.py"].message
    assert by_file["good.py"].code == "ECO101"


def test_huge_file_is_reported_not_parsed(tmp_path: Path) -> None:
    """A 50 MB generated file is over the default 5 MiB cap; the cap is configurable."""
    path = tmp_path / "generated.py"
    line = b"WEIGHTS_0 = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]  # load_in_8bit\n"
    path.write_bytes(line * (50_000_000 // len(line)))
    (finding,) = scan([path]).findings
    assert finding.code == "ECO001" and "over the 5 MiB limit" in finding.message
    small = tmp_path / "small.py"
    small.write_text(ECO101_SCRIPT, encoding="utf-8")
    (capped,) = scan([small], max_file_size=16).findings
    assert capped.code == "ECO001" and "max-file-size" in capped.message


def test_very_deep_nesting(tmp_path: Path) -> None:
    nested = "(" * 180 + "1" + ")" * 180
    calls = "f(" * 300 + ")" * 300
    (tmp_path / "deep.py").write_text(
        f"x = {nested}\ny = {calls}\n" + ECO101_SCRIPT, encoding="utf-8"
    )
    codes = [code for _, _, code in _codes(tmp_path)]
    assert codes in (["ECO101"], ["ECO001"])  # analysed, or reported as too deep: never a crash


def test_symlinks_broken_and_looping(tmp_path: Path) -> None:
    (tmp_path / "real.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    result = scan([tmp_path])
    by_file = {Path(f.path).name: f for f in result.findings}
    assert by_file["real.py"].code == "ECO101"
    assert by_file["dangling.py"].code == "ECO001"
    assert "cannot read file" in by_file["dangling.py"].message
    assert len(result.findings) == 2


def test_unreadable_and_vanishing_files(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Permission bits do not stop root (CI runs as root), so the read is made to fail the way
    the OS fails it; a file deleted between discovery and reading is the same path."""
    locked = tmp_path / "locked.py"
    gone = tmp_path / "gone.py"
    for path in (locked, gone, tmp_path / "fine.py"):
        path.write_text(ECO101_SCRIPT, encoding="utf-8")
    real_open = os.open

    def open_file(path: str, flags: int, *args: int) -> int:
        name = os.path.basename(path)
        if name == "locked.py":
            raise PermissionError(13, "Permission denied", path)
        if name == "gone.py":
            os.unlink(path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_file)
    result = scan([tmp_path])
    by_file = {Path(f.path).name: f.message for f in result.findings}
    assert "Permission denied" in by_file["locked.py"]
    assert "No such file" in by_file["gone.py"]
    assert "ECO101" in {f.code for f in result.findings if f.path.endswith("fine.py")}


def test_invalid_pyproject_stops_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ecolint\nselect = 1\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "ecolint", "check", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2 and "invalid TOML" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_standard_library_scan_prints_no_traceback() -> None:
    """The whole standard library through the real command (named explicitly, so it is checked
    even where a .gitignore above it ignores it): most files are skipped by the trigger
    prefilter, the rest are analysed; nothing may crash."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    out = subprocess.run(
        [sys.executable, "-m", "ecolint", "check", "--exit-zero", "-q", str(stdlib)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr
    assert out.returncode == 0, out.stderr


def _stdlib_sample(limit: int) -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(
        path
        for path in stdlib.glob("*.py")
        if path.stat().st_size < 40_000 and not path.name.startswith("_")
    )
    return files[:limit]


def test_stdlib_modules_analyse_without_internal_errors(tmp_path: Path) -> None:
    """Real-world code through every check: each module is copied with a line naming every
    trigger word, so that the prefilters let it through to the analysis."""
    for source in _stdlib_sample(int(os.environ.get("ECOLINT_STDLIB_SAMPLE", "60"))):
        (tmp_path / source.name).write_text(
            TRIGGERS + source.read_text(encoding="utf-8", errors="replace"), encoding="utf-8"
        )
    result = scan([tmp_path])
    assert result.internal_errors == []
    assert result.files_analysed >= 30


def test_generated_programs_analyse_without_exceptions(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    hypothesis = pytest.importorskip("hypothesis")
    hypothesmith = pytest.importorskip("hypothesmith")
    folder = tmp_path_factory.mktemp("fuzz")

    @hypothesis.settings(
        max_examples=int(os.environ.get("ECOLINT_FUZZ_EXAMPLES", "25")),
        deadline=None,
        derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(hypothesmith.from_grammar())
    def analyse(program: str) -> None:
        path = folder / "generated.py"
        path.write_text(TRIGGERS + program, encoding="utf-8")
        result = Pipeline(Settings(root=folder)).run([path])
        assert result.internal_errors == []

    analyse()


def test_triggers_only_in_comments_are_not_parsed(tmp_path: Path) -> None:
    """The ast gate: a file that names a trigger only in a comment never reaches libcst, one
    that has it in a string (a dict key, a model id) does."""
    (tmp_path / "comment.py").write_text("x = 1  # load_in_8bit=True\n", encoding="utf-8")
    (tmp_path / "key.py").write_text('QUANT = {"load_in_8bit": False}\n', encoding="utf-8")
    result = scan([tmp_path])
    assert result.files_analysed == 1 and result.findings == []


def test_a_file_that_only_names_an_fp8_config_is_not_parsed(tmp_path: Path) -> None:
    """ECO103's ``also`` words: a module that defines or lists FP8 configs but applies none
    (no ``quantize_``, no ``quantization_config``) is not analysed; one that applies one is."""
    (tmp_path / "configs.py").write_text(
        "from torchao.quantization import Float8WeightOnlyConfig\n"
        "CONFIGS = {'fp8': Float8WeightOnlyConfig()}\n",
        encoding="utf-8",
    )
    (tmp_path / "apply.py").write_text(
        "from torchao.quantization import Float8WeightOnlyConfig, quantize_\n"
        "def run(model):\n"
        "    quantize_(model, Float8WeightOnlyConfig())\n"
        "    return model.generate()\n",
        encoding="utf-8",
    )
    result = scan([tmp_path], select=("ECO103",))
    assert result.files_analysed == 1
    assert [(Path(f.path).name, f.code) for f in result.findings] == [("apply.py", "ECO103")]


def test_pep_701_fstrings_are_analysed_on_any_python(tmp_path: Path) -> None:
    """Python 3.12 accepts an f-string that reuses its quotes inside a replacement field; an
    older parser rejects it, but the file runs on 3.12, so it is analysed, not ECO001. A file
    whose brackets nest deeply is still kept from libcst."""
    (tmp_path / "app.py").write_text(
        'from transformers import BitsAndBytesConfig\ncfg = {"name": "x"}\n'
        'print(f"{cfg["name"]}")\nq = BitsAndBytesConfig(load_in_8bit=True)\n',
        encoding="utf-8",
    )
    deep = "(" * 150 + "1" + ")" * 150
    (tmp_path / "deep.py").write_text(
        f'load_in_8bit = True\nd = {{"a": 1}}\nprint(f"{{d["a"]}}", {deep})\n', encoding="utf-8"
    )
    out = run_ecolint("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    found = {(f["path"], f["code"]) for f in json.loads(out.stdout)["findings"]}
    assert ("app.py", "ECO101") in found and ("app.py", "ECO001") not in found
    if sys.version_info < (3, 12):
        assert ("deep.py", "ECO001") in found
