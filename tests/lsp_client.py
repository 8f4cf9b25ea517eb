"""A minimal LSP client over stdio: it starts the real ``ecolint server`` in a subprocess,
frames JSON-RPC messages with ``Content-Length`` headers, answers the server's own requests
with null, and lets a test wait for a response or a notification. Responses are structured
into lsprotocol's types (``shaped``), which fails on anything off the protocol's shapes. The
latency benchmark (benchmarks/lsp_latency.py) drives the server with it too."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import converters, types

T = TypeVar("T")
CONVERTER = converters.get_converter()


def shaped(value: Any, kind: type[T]) -> T:
    """``value`` (decoded JSON) as the protocol type ``kind``; raises when it does not fit."""
    return CONVERTER.structure(value, kind)


class LspClient:
    def __init__(self, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ecolint", "server"],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        self.responses: dict[int, dict[str, Any]] = {}
        self.notifications: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.arrived = threading.Condition()
        self.next_id = 0
        self.stderr: list[bytes] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        """The server's stderr, kept for failure messages (a full pipe would block it)."""
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            assert length is not None, "a message without Content-Length"
            message = json.loads(stream.read(length))
            if "method" in message and "id" in message:  # the server asks the client
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.put(message)
            else:
                with self.arrived:
                    self.responses[message["id"]] = message
                    self.arrived.notify_all()

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        stream = self.process.stdin
        assert stream is not None
        stream.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        stream.flush()

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        """The result of the request; fails on an error response or a timeout."""
        self.next_id += 1
        number = self.next_id
        self._send({"jsonrpc": "2.0", "id": number, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self.arrived:
            while number not in self.responses:
                left = deadline - time.monotonic()
                assert left > 0, f"no response to {method} within {timeout} s"
                self.arrived.wait(left)
            response = self.responses.pop(number)
        assert "error" not in response, response["error"]
        return response.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_for(
        self,
        method: str,
        where: Callable[[dict[str, Any]], bool] = lambda params: True,
        timeout: float = 60,
    ) -> dict[str, Any]:
        """The params of the next notification ``method`` that satisfies ``where``; every
        notification read on the way is kept in ``seen``."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {method} within {timeout} s; seen: {self.seen[-5:]}"
            try:
                message = self.notifications.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(message)
            if message["method"] == method and where(message["params"]):
                return message["params"]

    def initialize(self, root: Path, options: Any = None) -> dict[str, Any]:
        capabilities = {
            "textDocument": {
                "publishDiagnostics": {"relatedInformation": True},
                "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": []}}},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "synchronization": {"didSave": True},
            },
            "notebookDocument": {"synchronization": {}},
        }
        params = {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": capabilities,
            "initializationOptions": options,
        }
        result = self.request("initialize", params)
        self.notify("initialized", {})
        return result

    def close(self) -> int:
        """shutdown, then exit; the server's exit code."""
        if self.process.poll() is None:
            self.request("shutdown", None)
            self.notify("exit", None)
        try:
            return self.process.wait(timeout=30)
        finally:
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()


def open_file(client: LspClient, path: Path, text: str, language: str = "python") -> str:
    uri = path.as_uri()
    item = {"uri": uri, "languageId": language, "version": 1, "text": text}
    client.notify("textDocument/didOpen", {"textDocument": item})
    return uri


def diagnostics_of(
    client: LspClient, uri: str, where: Any = None
) -> types.PublishDiagnosticsParams:
    params = client.wait_for(
        "textDocument/publishDiagnostics",
        lambda p: p["uri"] == uri and (where is None or where(p)),
    )
    return shaped(params, types.PublishDiagnosticsParams)


def change(client: LspClient, uri: str, version: int, text: str) -> None:
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
    )


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """A WorkspaceEdit's text edits applied as an editor applies them (all-ASCII text here, so
    UTF-16 units are characters)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        return starts[position.line] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def client_range(found: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": found.start.line, "character": found.start.character},
        "end": {"line": found.end.line, "character": found.end.character},
    }


def notebook_cell(uri: str, number: int) -> str:
    return f"{uri}#cell{number}"


def open_notebook(client: LspClient, uri: str, cells: list[tuple[int, str]]) -> None:
    """``cells``: (kind, text), kind 1 markdown and 2 code as the protocol numbers them."""
    client.notify(
        "notebookDocument/didOpen",
        {
            "notebookDocument": {
                "uri": uri,
                "notebookType": "jupyter-notebook",
                "version": 1,
                "cells": [
                    {"kind": kind, "document": notebook_cell(uri, n)}
                    for n, (kind, _) in enumerate(cells)
                ],
            },
            "cellTextDocuments": [
                {
                    "uri": notebook_cell(uri, n),
                    "languageId": "python" if kind == 2 else "markdown",
                    "version": 1,
                    "text": text,
                }
                for n, (kind, text) in enumerate(cells)
            ],
        },
    )
