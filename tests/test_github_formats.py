"""``--format github`` (workflow-command annotations) and ``--format markdown`` (a job summary),
read back the way GitHub reads them: the runner's unescaping, a GFM table renderer."""

from __future__ import annotations

import json
import re
from pathlib import Path

from github_tools import ROOT, annotations, run_cli
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ecolint.config import Settings
from ecolint.findings.model import Finding
from ecolint.pipeline.run import Pipeline
from ecolint.reporters.github import render_github
from ecolint.reporters.markdown import YEARLY_MARKER, render_markdown
from ecolint.results import InternalError, RunResult


def finding(mood: str = "orange", **changes: object) -> Finding:
    fields: dict[str, object] = {
        "code": "ECO101",
        "name": "int8-outlier-decomposition",
        "mood": mood,
        "path": "app.py",
        "line": 2,
        "column": 7,
        "end_line": 3,
        "end_column": 10,
        "message": "message",
        "fix": {"summary": "add llm_int8_threshold=0.0"},
    }
    fields.update(changes)
    return Finding(**fields)  # type: ignore[arg-type]


def _count(*args: str) -> int:
    out = run_cli("check", *args, "--format", "json", cwd=ROOT)
    return len(json.loads(out.stdout)["findings"])


def test_annotations_for_the_examples() -> None:
    out = run_cli("check", "examples", "--format", "github", cwd=ROOT)
    assert out.returncode == 1, out.stderr
    parsed = annotations(out.stdout)
    assert len(parsed) == _count("examples")
    command, properties, message = next(item for item in parsed if "serve_int8" in item[1]["file"])
    assert command == "error"
    assert properties == {
        "file": "examples/serve_int8.py",
        "line": "27",
        "col": "5",
        "endLine": "27",
        "endColumn": "22",
        "title": "ECO101 int8-outlier-decomposition",
    }
    first, fix = message.split("\n")
    assert first.endswith(
        "(+32.7% energy vs FP16 row 22, ★★☆ RTX 4090D Yi-1.5-6B-Chat; FP16 saves 24.6%)"
    )
    assert fix == "fix: set llm_int8_threshold=0.0"
    assert "%25 energy" in out.stdout, "a literal % is escaped"
    assert out.stdout.rstrip().splitlines()[-1].startswith(f"Found {len(parsed)} findings")


def test_mood_to_command() -> None:
    moods = ["red", "orange", "yellow", "gray", "green"]
    result = RunResult(findings=[finding(mood, line=index + 1) for index, mood in enumerate(moods)])
    commands = [command for command, _, _ in annotations(render_github(result))]
    assert commands == ["error", "error", "warning", "notice", "notice"]


def test_escaping_round_trips_through_the_runner_rules() -> None:
    tricky = finding(
        path="dir,1/a:b%.py",
        message="100% sure\r\nline two: a, b %0A literal",
        fix={"summary": "x"},
    )
    output = render_github(RunResult(findings=[tricky]))
    line = output.splitlines()[0]
    assert "\n" not in line and "\r" not in line
    assert "file=dir%2C1/a%3Ab%25.py," in line
    assert "::100%25 sure%0D%0Aline two: a, b %250A literal%0Afix: x" in line
    ((_, properties, message),) = annotations(output)
    assert properties["file"] == "dir,1/a:b%.py"
    assert message == "100% sure\r\nline two: a, b %0A literal\nfix: x"


def test_internal_errors_and_problems_are_error_annotations() -> None:
    result = RunResult(
        internal_errors=[InternalError("pkg/app.py", "ECO102", "RuntimeError: boom")],
        problems=[("nope.py", "no such file or directory")],
    )
    parsed = annotations(render_github(result))
    assert parsed[0] == (
        "error",
        {"file": "pkg/app.py", "title": "ecolint internal error in ECO102"},
        "internal error in ECO102 while checking pkg/app.py: RuntimeError: boom",
    )
    assert parsed[1] == ("error", {"title": "ecolint"}, "nope.py: no such file or directory")


def test_parse_error_is_a_notice_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(
        "from transformers import BitsAndBytesConfig\nx = BitsAndBytesConfig(load_in_8bit=True\n",
        encoding="utf-8",
    )
    out = run_cli("check", "--format", "github", cwd=tmp_path)
    ((command, properties, message),) = annotations(out.stdout)
    assert command == "notice" and properties["title"] == "ECO001 unparsable-file"
    assert properties["line"] == "2" and "syntax error" in message


# --- Markdown job summary -------------------------------------------------------------------

PARSER = MarkdownIt("commonmark").enable("table")


def html_of(markdown: str) -> str:
    """Rendered HTML without the column-alignment styles."""
    return re.sub(r' style="[^"]*"', "", PARSER.render(markdown))


def _table(tokens: list[Token], heading: str) -> tuple[list[str], list[list[str]]]:
    """Header cells and body rows (inline source of each cell) of the table after ``heading``."""
    start = next(
        index
        for index, token in enumerate(tokens)
        if token.type == "inline" and token.content == heading
    )
    header: list[str] = []
    rows: list[list[str]] = []
    section = None
    for token in tokens[start:]:
        if token.type in ("thead_open", "tbody_open"):
            section = token.type
        elif token.type == "tr_open" and section == "tbody_open":
            rows.append([])
        elif token.type == "inline" and section == "thead_open":
            header.append(token.content)
        elif token.type == "inline" and section == "tbody_open":
            rows[-1].append(token.content)
        elif token.type == "table_close":
            break
    return header, rows


def test_summary_of_the_examples_renders_as_tables() -> None:
    out = run_cli("check", "examples", "--show-green", "--format", "markdown", cwd=ROOT)
    assert out.returncode == 1, out.stderr
    tokens = PARSER.parse(out.stdout)
    header, rows = _table(tokens, "Findings")
    assert header == ["file:line", "rule", "message", "Δ energy", "confidence", "fix"]
    assert len(rows) == _count("examples", "--show-green") and all(len(row) == 6 for row in rows)
    html = html_of(out.stdout)
    assert "<td>examples/serve_int8.py:27</td>" in html
    assert "<td>+32.7% vs row 22</td>" in html and "<td>★★☆ RTX 4090D Yi-1.5-6B-Chat</td>" in html
    assert "<code>int8-outlier-decomposition</code>" in html
    assert "<td>set llm_int8_threshold=0.0</td>" in html
    counted = json.loads(
        run_cli("check", "examples", "--show-green", "--format", "json", cwd=ROOT).stdout
    )["summary"]
    totals_header, totals = _table(tokens, f"ecolint: {counted['total']} findings")
    assert totals_header == ["mood", "findings"]
    assert [row[1] for row in totals] == [str(n) for n in counted["by_severity"].values()]


def test_pipes_and_markdown_in_messages_stay_literal() -> None:
    message = "a | b with **kwargs, <module> and `ticks`_x_ [link](y)\nnext"
    result = RunResult(findings=[finding(message=message), finding(line=9)])
    text = render_markdown(result, "rtx4090d")
    _, rows = _table(PARSER.parse(text), "Findings")
    assert len(rows) == 2 and all(len(row) == 6 for row in rows)
    html = html_of(text)
    assert "<td>a | b with **kwargs, &lt;module&gt; and `ticks`_x_ [link](y) next</td>" in html


def test_bar_chart_scales_deltas_and_marks_savings() -> None:
    def measured(delta: float, line: int, mood: str = "orange") -> Finding:
        evidence = {"delta_pct": delta, "confidence": "★★★", "headline": "h"}
        return finding(mood, line=line, evidence=evidence)

    result = RunResult(
        findings=[measured(100.0, 1), measured(25.0, 2), measured(-50.0, 3, "green")]
    )
    text = render_markdown(result, "rtx4090d")
    chart = text.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    assert chart[0].endswith("█" * 30) and "+100.0%" in chart[0]
    assert chart[1].endswith(" " + "█" * 7 + "▌") and "+25.0%" in chart[1]
    assert chart[2].endswith("░" * 15 + " saving") and "-50.0%" in chart[2]


def test_yearly_estimate_has_a_place_but_no_invented_figure() -> None:
    result = Pipeline(Settings(root=ROOT)).run([ROOT / "examples" / "serve_int8.py"])
    text = render_markdown(result, "rtx4090d")
    section = text.split("### Estimated yearly energy and cost", 1)[1].split("###", 1)[0]
    assert YEARLY_MARKER in section
    assert not re.search(r"\d", section.replace(YEARLY_MARKER, ""))


def test_clean_run_and_internal_errors() -> None:
    clean = render_markdown(RunResult(files_seen=3), "rtx4090d")
    assert clean.startswith("## ecolint: clean") and "### Findings" not in clean
    broken = RunResult(internal_errors=[InternalError("a.py", "ECO101", "RuntimeError: x|y")])
    text = render_markdown(broken, "rtx4090d")
    assert "### Not checked" in text and "RuntimeError: x\\|y" in text
