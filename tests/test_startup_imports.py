"""A one-file run (pre-commit hands ecolint the files of a commit, often one) imports only what
it uses: its start-up is most of its time. Modules are named, not timed, so this holds on any
machine; ``benchmarks/startup.py`` prints the times."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ECO101_CELLS, ECO101_SCRIPT

# What a --no-cache run over one named Python file, in a folder without .gitignore or
# excludes and with no finding that has a cost, has no use for.
UNUSED = (
    "pathspec",  # .gitignore and exclude patterns: only read where they exist
    "multiprocessing",  # whether fork exists: os tells
    "ecolint.cache",  # --no-cache
    "ecolint.findings.baseline",  # no baseline
    "ecolint.evidence.cost",  # the run's monthly total: no finding has a cost without a workload
    "libcst",  # only for fixes
    "ecolint.analysis.dependencies",  # the dependency rules are not active for this file
    "ecolint.evidence.stack",  # nor is there a pin or a nightly build to compare
    "packaging",  # no requirement, version or wheel name is read
    "secrets",  # a temporary file's name: os.urandom
    "traceback",  # an exception's text, for an internal error
    "ecolint.sources.launches",  # Dockerfiles, Compose files, manifests: none in the run
    "ecolint.sources.dockerfile",
    "ecolint.sources.manifests",
    "ecolint.cli.advisor_commands",  # the other commands load when they run
    "ecolint.cli.diff",
    "ecolint.cli.server",
    "ecolint.cli.rule_docs",
)


def imported(arguments: list[str], cwd: Path) -> set[str]:
    """The modules the real command imports (``-X importtime`` lists every one on stderr)."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ecolint", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}


def test_a_one_file_run_imports_only_what_it_uses(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    modules = imported(["check", "--no-cache", "--exit-zero", "-q", "app.py"], tmp_path)
    assert "ecolint.pipeline.scan" in modules  # the file was analysed
    assert sorted(m for m in modules if any(m == u or m.startswith(f"{u}.") for u in UNUSED)) == []


def test_a_file_without_trigger_words_imports_no_analysis(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def area(side):\n    return side * side\n", "utf-8")
    modules = imported(["check", "--no-cache", "--exit-zero", "-q", "app.py"], tmp_path)
    heavy = (*UNUSED, "ecolint.analysis", "ecolint.checks", "ecolint.findings.model")
    assert sorted(m for m in modules if any(m == u or m.startswith(f"{u}.") for u in heavy)) == []


def test_every_command_loads_when_named() -> None:
    """Commands load lazily; each one the group lists must still load and answer --help."""
    from click.testing import CliRunner

    from ecolint.cli import main

    context = main.make_context("ecolint", ["--help"], resilient_parsing=True)
    names = main.list_commands(context)
    assert names == sorted(names) and {"check", "diff", "server", "rules"} <= set(names)
    for name in names:
        command = main.get_command(context, name)
        assert command is not None and command.name == name
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0


def test_the_command_runs_without_the_cycle_collector() -> None:
    """Start-up is most of a one-file run, and the collector would walk every imported
    module's objects again and again while they are made (``ecolint/__main__.py``)."""
    probe = (
        "import gc, sys\n"
        "from ecolint.__main__ import run\n"
        "sys.argv = ['ecolint', '--version']\n"
        "try:\n"
        "    run()\n"
        "except SystemExit:\n"
        "    print('collector on' if gc.isenabled() else 'collector off')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "collector off"


# Records a one-file run may build ``frozen``: keys of dicts and sets, and shared defaults
# (``frozen=True`` generates ``__setattr__`` and ``__delattr__`` for every class: a third of
# what making the dataclasses of a one-file run costs, an eighth of the whole run). The others
# are ``@dataclass(unsafe_hash=True)``: the same equality and hashing; nothing assigns to them.
FROZEN_KEYS = {
    "ecolint.analysis.roles.tree.Unit",
    "ecolint.analysis.values.Site",
    "ecolint.evidence.dataset.Row",
    "ecolint.i18n.Phrase",
    "ecolint.sources.document.Document",
    "ecolint.sources.document.TextSpan",
}


def _after_a_check(cwd: Path, arguments: list[str], report: str) -> list[str]:
    """What ``report`` (Python run in the same interpreter right after ``ecolint check
    ARGUMENTS``) prints, after what the check printed."""
    probe = (
        "from ecolint.cli import main\n"
        "try:\n"
        f"    main({['check', *arguments]!r})\n"
        "except SystemExit:\n"
        "    pass\n"
    ) + report
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_a_one_file_run_builds_frozen_records_only_for_keys(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(ECO101_SCRIPT, encoding="utf-8")
    report = (
        "import dataclasses, sys\n"
        "for name, module in list(sys.modules.items()):\n"
        "    for kind in vars(module).values() if name.startswith('ecolint') else ():\n"
        "        if dataclasses.is_dataclass(kind) and kind.__module__ == name\\\n"
        "                and '__setattr__' in vars(kind):\n"
        "            print(f'frozen: {name}.{kind.__qualname__}')\n"
    )
    lines = _after_a_check(tmp_path, ["--no-cache", "--exit-zero", "-q", "app.py"], report)
    frozen = {line.split()[1] for line in lines if line.startswith("frozen:")}
    assert "ecolint.analysis.values.Site" in frozen  # the probe sees the analysis
    assert sorted(frozen - FROZEN_KEYS) == []


def test_a_run_with_a_finding_parses_only_the_texts_it_prints(tmp_path: Path) -> None:
    """messages.yaml is parsed a section at a time: a check run reads its own texts, not the
    advisor's (``compare``) or the rule documentation's (``docs``)."""
    (tmp_path / "app.py").write_text(ECO101_CELLS, encoding="utf-8")
    report = "from ecolint import i18n\nprint('parsed:', *sorted(i18n.PARSED))\n"
    lines = _after_a_check(tmp_path, ["--no-cache", "app.py"], report)
    assert any("ECO101" in line for line in lines)
    parsed = lines[-1].split()[1:]
    assert "check" in parsed and not {"compare", "docs", "advise"} & set(parsed)
