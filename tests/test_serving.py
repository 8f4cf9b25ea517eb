"""Serving deployments: TGI and vLLM settings in Dockerfiles, Compose files, Kubernetes manifests,
shell scripts; found like other sources, judged by the existing rules, suppressible, and placed
on the value a reader would change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, declared_rules, expectations, found, run_ecolint, scan_declared

SERVING = FIXTURES / "serving"
SIDECAR = json.loads((SERVING / "expectations.json").read_text(encoding="utf-8"))
FILES = sorted(
    path for path in SERVING.iterdir() if path.name not in ("expectations.json", "README.md")
)
SELECT = ",".join(declared_rules(SERVING))


def expected(path: Path) -> set[tuple[int, str]]:
    """``# expect:`` comments, or for a Dockerfile (whose instructions cannot end in a
    comment) the sidecar ``expectations.json``."""
    if path.name in SIDECAR:
        return {(line, code) for line, code in SIDECAR[path.name]}
    return expectations(path)


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_serving_fixture(path: Path) -> None:
    result = scan_declared([path])
    assert not result.internal_errors
    assert found(result.findings) == expected(path)


def test_every_dockerfile_has_sidecar_expectations() -> None:
    dockerfiles = {path.name for path in FILES if "ockerfile" in path.name}
    assert dockerfiles == set(SIDECAR) - {"_why"}


def test_serving_files_are_discovered_and_a_readme_is_not(tmp_path: Path) -> None:
    completed = run_ecolint("check", "--show-files", str(SERVING), cwd=tmp_path)
    listed = {Path(line).name for line in completed.stdout.split()}
    assert {"Dockerfile", "Dockerfile.vllm", "tgi.Dockerfile", "serve.sh", "launch_tgi"} <= listed
    assert {"docker-compose.yml", "k8s.yaml"} <= listed
    assert "README.md" not in listed and "expectations.json" not in listed


def test_json_positions_point_at_the_value(tmp_path: Path) -> None:
    """The region of each finding is the text a reader would change: the value after the flag,
    the variable's default, the environment value."""
    completed = run_ecolint(
        "check", "--format", "json", "--select", SELECT, "--no-cache", str(SERVING), cwd=tmp_path
    )
    findings = json.loads(completed.stdout)["findings"]
    texts = {}
    for finding in findings:
        line = Path(finding["path"]).read_text(encoding="utf-8").splitlines()[finding["line"] - 1]
        assert finding["end_line"] == finding["line"]
        text = line[finding["column"] - 1 : finding["end_column"] - 1]
        texts[(Path(finding["path"]).name, finding["line"], finding["code"])] = text
    assert texts[("docker-compose.yml", 5, "ECO101")] == "bitsandbytes"
    assert texts[("docker-compose.yml", 14, "ECO301")] == "vllm/vllm-openai:nightly"
    assert texts[("serve.sh", 6, "ECO102")] == "bitsandbytes"  # the ${QUANT:-...} default
    assert texts[("serve.sh", 7, "ECO201")] == "1"
    assert texts[("launch_tgi", 5, "ECO102")] == "bitsandbytes-nf4"  # after --quantize=
    assert texts[("k8s.yaml", 22, "ECO101")] == "bitsandbytes"
    assert texts[("tgi.Dockerfile", 5, "ECO101")] == "bitsandbytes"
    assert texts[("Dockerfile.vllm", 2, "ECO301")] == "vllm/vllm-openai:nightly"


def test_sarif_and_github_regions(tmp_path: Path) -> None:
    compose = SERVING / "docker-compose.yml"
    sarif = run_ecolint(
        "check", "--format", "sarif", "--select", "ECO101", "--no-cache", str(compose), cwd=tmp_path
    )
    result = json.loads(sarif.stdout)["runs"][0]["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (5, 81, 93)
    github = run_ecolint(
        "check",
        "--format",
        "github",
        "--select",
        "ECO101",
        "--no-cache",
        str(compose),
        cwd=tmp_path,
    )
    assert "line=5,col=81,endLine=5,endColumn=93" in github.stdout


def test_evidence_is_one_star_lower_and_says_why(tmp_path: Path) -> None:
    """The same model and GPU in Python (transformers, measured) and in a TGI deployment."""
    (tmp_path / "load.py").write_text(
        "from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
        "q = BitsAndBytesConfig(load_in_8bit=True)\n"
        'm = AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-Instruct-v0.3",'
        " quantization_config=q)\n",
        encoding="utf-8",
    )
    (tmp_path / "serve.sh").write_text(
        "text-generation-launcher --model-id mistralai/Mistral-7B-Instruct-v0.3"
        " --quantize bitsandbytes\n",
        encoding="utf-8",
    )
    completed = run_ecolint(
        "check", "--format", "json", "--select", "ECO101", "--no-cache", ".", cwd=tmp_path
    )
    by_path = {f["path"]: f["evidence"] for f in json.loads(completed.stdout)["findings"]}
    python, served = by_path["load.py"], by_path["serve.sh"]
    assert served["rows"] == python["rows"] and served["delta_pct"] == python["delta_pct"]
    assert served["stars"] == python["stars"] - 1
    assert any("TGI runs the same bitsandbytes kernels" in note for note in served["notes"])


def test_suppressions_and_unused_ones(tmp_path: Path) -> None:
    """``# noqa`` on the line (shell, YAML) or on the comment line above a Dockerfile
    instruction; ECO002 reports one that silences nothing."""
    (tmp_path / "Dockerfile").write_text(
        "FROM ghcr.io/huggingface/text-generation-inference:2.4.0\n"
        "# noqa: ECO101\n"
        'CMD ["--model-id", "mistralai/Mistral-7B-Instruct-v0.3", "--quantize", "bitsandbytes"]\n'
        "# noqa: ECO201\n"
        'ENTRYPOINT ["text-generation-launcher"]\n',
        encoding="utf-8",
    )
    completed = run_ecolint(
        "check",
        "--format",
        "concise",
        "--select",
        "ECO002,ECO101,ECO201",
        "--no-cache",
        ".",
        cwd=tmp_path,
    )
    reported = [line.split(" [")[0] for line in completed.stdout.splitlines() if ": ECO" in line]
    assert reported == ["Dockerfile:4:1: ECO002"]


def test_files_without_triggers_are_not_analysed(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.11\nRUN pip install flask\n", "utf-8")
    (tmp_path / "run.sh").write_text("#!/bin/sh\nexec gunicorn app:app\n", "utf-8")
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n", "utf-8")
    completed = run_ecolint("check", "--no-cache", ".", cwd=tmp_path)
    assert completed.returncode == 0
    assert "No findings in 3 files (0 analysed)." in completed.stdout


def test_broken_yaml_with_a_flag_is_reported_not_crashed(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nspec: {containers: [{args: [--max-num-seqs, 1}]}\n", "utf-8"
    )
    completed = run_ecolint("check", "--no-cache", "--format", "concise", ".", cwd=tmp_path)
    assert "ECO001" in completed.stdout and completed.returncode != 2


def test_add_noqa_puts_the_comment_where_these_files_can_hold_it(tmp_path: Path) -> None:
    """Above a Dockerfile instruction and above a continued shell command; the files still
    parse the same, and the next run finds nothing and no unused suppression."""
    shutil.copytree(SERVING, tmp_path / "serving")
    added = run_ecolint("check", "--add-noqa", "--select", SELECT, "--no-cache", ".", cwd=tmp_path)
    assert "added" in added.stderr
    dockerfile = (tmp_path / "serving" / "tgi.Dockerfile").read_text(encoding="utf-8")
    assert "# noqa: ECO101\nENV MODEL_ID=" in dockerfile
    assert "# noqa: ECO201\nCMD [" in dockerfile
    script = (tmp_path / "serving" / "launch_tgi").read_text(encoding="utf-8")
    assert "--max-concurrent-requests 1  # expect: ECO201  # noqa: ECO201" in script
    again = run_ecolint("check", "--select", SELECT, "--no-cache", ".", cwd=tmp_path)
    assert again.returncode == 0, again.stdout


def test_deployment_files_reach_the_pre_commit_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pre_commit.clientlib import load_manifest
    from pre_commit.commands.run import Classifier
    from pre_commit.hook import Hook
    from pre_commit.prefix import Prefix

    root = Path(__file__).resolve().parent.parent
    manifest, _ = load_manifest(str(root / ".pre-commit-hooks.yaml"))
    hook = Hook.create(str(root), Prefix(str(root)), manifest)
    names = ["Dockerfile", "deploy/Dockerfile.gpu", "tgi.Dockerfile", "serve.sh", "run.bash"]
    names += ["compose.yaml", "k8s/deploy.yml", "README.md", "Dockerfiles.txt"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    chosen = set(Classifier.from_config(names, "", "^$").filenames_for_hook(hook))
    assert chosen == set(names[:7])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "Dockerfile",
            "FROM python:3.11\n"
            "RUN pip install git+https://github.com/huggingface/transformers \\\n"
            "    peft[test]@git+https://github.com/huggingface/peft\n",
        ),
        (
            "ci_xpu.sh",
            "#!/bin/bash\n"
            "pip install torch --index-url https://download.pytorch.org/whl/nightly/xpu\n"
            "pytest -v test/\n",
        ),
    ],
)
def test_ci_images_and_scripts_are_test_code(tmp_path: Path, name: str, text: str) -> None:
    """An image or script that installs test extras or runs the test suite is CI: it tests
    against development builds on purpose, so ECO301 is quiet there unless tests are included."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    quiet = run_ecolint("check", "--select", "ECO301", name, cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stdout
    included = run_ecolint("check", "--select", "ECO301", "--include-tests", name, cwd=tmp_path)
    assert f"{name}:2:" in included.stdout
