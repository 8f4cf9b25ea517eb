"""Post ``ecolint diff --format markdown`` as one sticky pull-request comment (the action's
pr-comment mode).

The comment is found again by the hidden marker on its first line and edited, so a pull request
keeps one ecolint comment however often it is pushed to. Where the token may not write (a pull
request from a fork gets a read-only token), the Markdown goes to the job summary instead and
the step passes. Only the standard library: the runner's ``python3`` runs it.

Environment (set by GitHub Actions): ``GITHUB_API_URL``, ``GITHUB_REPOSITORY``,
``GITHUB_EVENT_PATH`` (the pull request's number), ``GITHUB_STEP_SUMMARY``; and
``ECOLINT_GITHUB_TOKEN``, the action's ``github-token`` input.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

MARKER = "<!-- ecolint-diff-comment -->"  # the first line of ecolint's diff Markdown
PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 comments: beyond that a new comment is added
TIMEOUT_SECONDS = 30
NO_WRITE = (401, 403, 404)  # a read-only token (a fork's pull request) or no such access
MAX_BODY = 65_536  # GitHub refuses longer comment bodies
TRUNCATED = "\n\n_… cut to GitHub's comment size; `ecolint diff` locally prints the rest._\n"


def fitted(body: str) -> str:
    """The body cut at a line to fit GitHub's limit (the marker stays on the first line)."""
    if len(body) <= MAX_BODY:
        return body
    kept = body[: MAX_BODY - len(TRUNCATED)]
    return kept[: kept.rfind("\n")] + TRUNCATED


def request(method: str, url: str, token: str, body: dict[str, str] | None = None) -> Any:
    data = json.dumps(body).encode("utf-8") if body is not None else None
    headers = {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "ecolint-action",
    }
    if data is not None:
        headers["Content-Type"] = "application/json"
    call = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(call, timeout=TIMEOUT_SECONDS) as response:
        return json.loads(response.read().decode("utf-8") or "null")


def existing(api: str, repository: str, number: int, token: str) -> int | None:
    """The id of ecolint's comment on the pull request, or None."""
    for page in range(1, MAX_PAGES + 1):
        url = f"{api}/repos/{repository}/issues/{number}/comments?per_page={PAGE_SIZE}&page={page}"
        comments = request("GET", url, token)
        for comment in comments:
            if str(comment.get("body", "")).startswith(MARKER):
                return int(comment["id"])
        if len(comments) < PAGE_SIZE:
            return None
    return None


def post(body: str) -> str:
    """``updated``, ``created`` or ``summary`` (no permission to comment)."""
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repository = os.environ["GITHUB_REPOSITORY"]
    event = json.loads(Path(os.environ["GITHUB_EVENT_PATH"]).read_text(encoding="utf-8"))
    number = int(event["pull_request"]["number"])
    token = os.environ.get("ECOLINT_GITHUB_TOKEN", "")
    try:
        found = existing(api, repository, number, token)
        if found is not None:
            request(
                "PATCH", f"{api}/repos/{repository}/issues/comments/{found}", token, {"body": body}
            )
            return "updated"
        request("POST", f"{api}/repos/{repository}/issues/{number}/comments", token, {"body": body})
        return "created"
    except urllib.error.HTTPError as error:
        if error.code not in NO_WRITE:
            raise
    with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
        summary.write(body)
    return "summary"


def main() -> int:
    body = fitted(Path(sys.argv[1]).read_text(encoding="utf-8"))
    outcome = post(body)
    if outcome == "summary":
        print("::notice title=ecolint::no permission to comment; the report is in the job summary")
    else:
        print(f"ecolint: pull-request comment {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
