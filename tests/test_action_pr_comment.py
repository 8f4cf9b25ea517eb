"""The action's pr-comment mode run as the runner runs it (``test_action.run_action``), against a
fake GitHub API on localhost: one sticky comment, edited by the next push; the job summary on a
fork whose token may not write."""

from __future__ import annotations

import importlib.util
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_action import ACTION, ROOT, _path_with_this_ecolint, run_action
from test_diff import INT8, commit, git, nf4

REPOSITORY = "octo/serving"
NUMBER = 7
COMMENTS = re.compile(rf"^/repos/{REPOSITORY}/issues/{NUMBER}/comments(\?.*)?$")
ONE_COMMENT = re.compile(rf"^/repos/{REPOSITORY}/issues/comments/(\d+)$")
MARKER = "<!-- ecolint-diff-comment -->"


@dataclass
class FakeGitHub:
    comments: dict[int, str] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    read_only: bool = False
    tokens: set[str] = field(default_factory=set)


def _handler(state: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

        def _reply(self, status: int, document: object) -> None:
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> str:
            length = int(self.headers.get("Content-Length", "0"))
            return str(json.loads(self.rfile.read(length))["body"])

        def do_GET(self) -> None:
            state.calls.append(("GET", self.path))
            state.tokens.add(self.headers.get("Authorization", ""))
            if not COMMENTS.match(self.path):
                return self._reply(404, {"message": "Not Found"})
            listed = [
                {"id": number, "body": body, "user": {"login": "github-actions[bot]"}}
                for number, body in state.comments.items()
            ]
            self._reply(200, listed)

        def do_POST(self) -> None:
            state.calls.append(("POST", self.path))
            if state.read_only:
                return self._reply(403, {"message": "Resource not accessible by integration"})
            if not COMMENTS.match(self.path):
                return self._reply(404, {"message": "Not Found"})
            number = 1000 + len(state.comments)
            state.comments[number] = self._body()
            self._reply(201, {"id": number})

        def do_PATCH(self) -> None:
            state.calls.append(("PATCH", self.path))
            match = ONE_COMMENT.match(self.path)
            if state.read_only or not match or int(match[1]) not in state.comments:
                return self._reply(403 if state.read_only else 404, {"message": "no"})
            state.comments[int(match[1])] = self._body()
            self._reply(200, {"id": int(match[1])})

    return Handler


@pytest.fixture
def github() -> Iterator[tuple[FakeGitHub, str]]:
    state = FakeGitHub(comments={5: "a person's comment"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _pull_request(workspace: Path, runner: Path, api: str) -> dict[str, str]:
    """What GitHub sets for a pull_request job: the event (base and head), the API's URL."""
    head = git(workspace, "rev-parse", "HEAD").strip()
    base = git(workspace, "rev-parse", "HEAD~1").strip()
    event = runner / "event.json"
    runner.mkdir(exist_ok=True)
    document = {"pull_request": {"number": NUMBER, "base": {"sha": base}, "head": {"sha": head}}}
    event.write_text(json.dumps(document), encoding="utf-8")
    return {
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_API_URL": api,
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_SERVER_URL": "https://github.com",
    }


CONFIG = "[tool.ecolint.workload]\nrequests_per_day = 10000\n"


def test_second_push_edits_the_same_comment(tmp_path: Path, github: tuple[FakeGitHub, str]) -> None:
    state, api = github
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    commit(workspace, {"pyproject.toml": CONFIG, "other.py": "print(1)\n"})
    commit(workspace, {"serve.py": INT8})
    inputs = {"mode": "pr-comment", "github-token": "secret-token"}
    environment = _pull_request(workspace, tmp_path / "runner", api)
    first = run_action(workspace, inputs, _path_with_this_ecolint(), environment)
    assert first.returncode == 0, first.steps["comment"].stderr
    assert "check" not in first.steps  # the check-mode step is skipped
    ours = [number for number, body in state.comments.items() if body.startswith(MARKER)]
    assert len(ours) == 1 and "this change adds +" in state.comments[ours[0]]
    assert state.tokens == {"Bearer secret-token"}
    assert ("POST", f"/repos/{REPOSITORY}/issues/{NUMBER}/comments") in state.calls

    commit(workspace, {"small.py": nf4("Qwen/Qwen2-1.5B")})
    environment = _pull_request(workspace, tmp_path / "runner", api)
    state.calls.clear()
    second = run_action(workspace, inputs, _path_with_this_ecolint(), environment)
    assert second.returncode == 0, second.steps["comment"].stderr
    assert [number for number, body in state.comments.items() if body.startswith(MARKER)] == ours
    assert "small.py" in state.comments[ours[0]] and "serve.py" not in state.comments[ours[0]]
    assert state.comments[5] == "a person's comment"
    assert [method for method, _ in state.calls] == ["GET", "PATCH"]


def test_fork_without_write_permission_writes_the_job_summary(
    tmp_path: Path, github: tuple[FakeGitHub, str]
) -> None:
    state, api = github
    state.read_only = True
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    commit(workspace, {"pyproject.toml": CONFIG, "other.py": "print(1)\n"})
    commit(workspace, {"serve.py": INT8})
    environment = _pull_request(workspace, tmp_path / "runner", api)
    inputs = {"mode": "pr-comment", "fail-on-increase": "0"}
    run = run_action(workspace, inputs, _path_with_this_ecolint(), environment)
    assert run.returncode == 1  # the change adds energy above the threshold
    assert run.summary.startswith(MARKER) and "this change adds +" in run.summary
    assert "no permission to comment" in run.steps["comment"].stdout
    assert list(state.comments) == [5]


def test_readme_workflow_uses_the_pr_comment_mode_as_declared() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Pull-request comment", 1)[1]
    workflow = yaml.safe_load(section.split("```yaml", 1)[1].split("```", 1)[0])
    job = workflow["jobs"]["energy-diff"]
    assert job["permissions"]["pull-requests"] == "write"
    ours = next(step for step in job["steps"] if "ecolint" in step.get("uses", ""))
    assert ours["with"]["mode"] == "pr-comment" and set(ours["with"]) <= set(ACTION["inputs"])
    checkout = next(step for step in job["steps"] if "checkout" in step.get("uses", ""))
    assert checkout["with"]["fetch-depth"] == 0


def test_a_comment_too_long_for_github_is_cut_at_a_line() -> None:
    path = ROOT / "scripts" / "github_pr_comment.py"
    spec = importlib.util.spec_from_file_location("github_pr_comment", path)
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    body = MARKER + "\n" + "| row | of the table |\n" * 10_000
    cut = script.fitted(body)
    assert len(cut) <= script.MAX_BODY and cut.startswith(MARKER)
    assert cut.endswith(script.TRUNCATED) and "\n| row | of the table |" + script.TRUNCATED in cut
    assert script.fitted("short") == "short"
