"""``ecolint server``: ecolint as a language server (LSP over stdio, built on pygls).

Diagnostics come on open, on save and, debounced, on change, for every file kind ``ecolint
check`` reads, and for notebooks synced cell by cell (LSP 3.17). Each analysis runs in a
process forked off by one worker thread, so the event loop always answers the client: an edit
kills the analysis of its document, running or not (``forked.py``), and a result that is older
than the buffer is dropped, never published. Problems (a bad setting, a configuration that
does not load, a bug in a rule, an analysis that crashed or ran out of time) are shown with
``window/showMessage`` once each, and the server keeps serving."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from ecolint import __version__
from ecolint.evidence.dataset import data_version
from ecolint.fixes.files import SourceText
from ecolint.i18n import Phrase, detect_lang, phrase
from ecolint.pipeline.parallel import Budget, Failure
from ecolint.server.actions import FIX_ALL, Shown, Target, code_actions
from ecolint.server.diagnostics import diagnostic
from ecolint.server.engine import Analysis, Buffer, Engine, internal_error_text
from ecolint.server.forked import Done, Forked
from ecolint.server.hover import hover_markdown
from ecolint.server.places import Cell, NotebookBuffer, Spot, text_spot
from ecolint.server.settings import ClientOptions

DEBOUNCE_SECONDS = 0.05  # edits closer together than this are analysed once
# The server learns from a fork by analysing its buffer again, on the worker thread the next
# edit's fork waits for: only from a buffer that was quick to analyse.
LEARN_WITHIN_SECONDS = 0.5


@dataclass(frozen=True)
class Snapshot:
    """What one analysis reads: the buffer, and the notebook's cells when it is one."""

    buffer: Buffer
    notebook: NotebookBuffer | None = None


class EcolintServer(LanguageServer):
    def __init__(self) -> None:
        sync = types.NotebookDocumentSyncOptions(
            notebook_selector=[
                types.NotebookDocumentFilterWithCells(
                    cells=[types.NotebookCellLanguage(language="python")], notebook="*"
                )
            ],
            save=True,
        )
        version = f"{__version__} (data {data_version()})"
        super().__init__("ecolint", version, notebook_document_sync=sync)
        self.engine = Engine(ClientOptions())
        self.shown: dict[str, list[Shown]] = {}  # by document URI (a cell's, in a notebook)
        self.published: dict[str, list[str]] = {}  # the URIs each document's diagnostics went to
        self.langs: dict[str, str] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.told: set[str] = set()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecolint-analysis")
        self.budget = Budget.from_environment()

    def tell(self, problems: list[str | Phrase], lang: str) -> None:
        """Each problem once per server, not once per keystroke."""
        for problem in problems:
            text = problem.render(lang) if isinstance(problem, Phrase) else problem
            if text not in self.told:
                self.told.add(text)
                params = types.ShowMessageParams(type=types.MessageType.Warning, message=text)
                self.window_show_message(params)

    def schedule(self, key: str, delay: float) -> None:
        """Analyse the document or notebook ``key`` after ``delay``, instead of any analysis of
        it that has not started yet."""
        previous = self.pending.pop(key, None)
        if previous is not None:
            previous.cancel()
        self.pending[key] = asyncio.get_running_loop().create_task(self._analyse(key, delay))

    def snapshot(self, key: str) -> Snapshot | None:
        workspace = self.workspace
        path = Path(to_fs_path(key) or key)
        notebook = workspace.get_notebook_document(notebook_uri=key)
        if notebook is not None:
            cells = NotebookBuffer(
                tuple(
                    Cell(
                        cell.document,
                        cell.kind == types.NotebookCellKind.Code,
                        workspace.get_text_document(cell.document).source,
                    )
                    for cell in notebook.cells
                )
            )
            return Snapshot(Buffer(path, "notebook", cells.json()), cells)
        if key not in workspace.text_documents:
            return None
        document = workspace.get_text_document(key)
        buffer = Buffer.of(path, document.source, document.language_id or "")
        return None if buffer is None else Snapshot(buffer)

    async def _analyse(self, key: str, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            before = self.snapshot(key)
            if before is None:
                return
            analysis = await self.analysed(before.buffer)
            if analysis is None or self.snapshot(key) != before:
                return  # edited meanwhile: the newer edit's analysis publishes
            self.tell(list(analysis.problems), analysis.lang)
            self.publish(key, before, analysis)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the next edit tries again; the server goes on
            self.tell([internal_error_text(error)], "en")
        finally:
            if self.pending.get(key) is asyncio.current_task():
                del self.pending[key]

    async def analysed(self, buffer: Buffer) -> Analysis | None:
        """The buffer's analysis, forked off by the worker thread; the task being cancelled (a
        newer edit) kills it, whether it is running yet or not. None when it did not end."""
        started = self.worker.submit(self.engine.start, buffer, self.budget)
        try:
            running = await asyncio.wrap_future(started)
        except asyncio.CancelledError:
            started.add_done_callback(_stop_started)
            raise
        forked = time.monotonic()
        try:
            outcome = await running.outcome()
        finally:
            running.stop()
        if isinstance(outcome, Failure):
            lang = detect_lang(None, self.engine.options.table.get("lang"))
            reason = phrase("server.not_analysed", path=str(buffer.path), reason=outcome.reason)
            self.tell([reason], lang)
            return None
        if isinstance(running, Forked) and time.monotonic() - forked <= LEARN_WITHIN_SECONDS:
            self.worker.submit(self.engine.learn, buffer, outcome)
        return outcome

    def publish(self, key: str, snapshot: Snapshot, analysis: Analysis) -> None:
        by_uri: dict[str, list[Shown]] = {}
        notebook = snapshot.notebook
        if notebook is not None:
            by_uri = {cell.uri: [] for cell in notebook.cells}
        else:
            by_uri[key] = []
        for finding in analysis.findings:
            spot = notebook.spot(finding) if notebook else text_spot(key, finding)
            synced = snapshot.buffer.path if notebook is not None else None
            made = diagnostic(finding, spot, self.to_range, analysis.lang, synced)
            noqa = snapshot.buffer.kind != "notebook" or notebook is not None
            by_uri[spot.uri].append(Shown(finding, spot, made, noqa))
        self.published[key] = list(by_uri)
        for uri, shown in by_uri.items():
            self.shown[uri] = shown
            self.langs[uri] = analysis.lang
            params = types.PublishDiagnosticsParams(uri, [item.diagnostic for item in shown])
            self.text_document_publish_diagnostics(params)

    def forget(self, key: str) -> None:
        """A closed document: nothing pending, no diagnostics left in the editor."""
        task = self.pending.pop(key, None)
        if task is not None:
            task.cancel()
        for uri in self.published.pop(key, [key]):
            self.shown.pop(uri, None)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    def to_range(self, spot: Spot) -> types.Range:
        """Characters → the client's position encoding (UTF-16 unless it chose otherwise),
        by the lines of the document as the editor holds it (a file not open: as on disk)."""
        plain = types.Range(
            types.Position(spot.line, spot.character),
            types.Position(spot.end_line, spot.end_character),
        )
        try:
            lines = self.workspace.get_text_document(spot.uri).lines
        except (OSError, UnicodeDecodeError):
            return plain
        return self.workspace.position_codec.range_to_client_units(lines, plain)

    def target(self, uri: str) -> Target | None:
        """What the fixes of the document ``uri`` are planned on: the buffer as analysed (for
        a notebook's cell, the notebook's), which the findings' edits point into."""
        notebook = self.workspace.get_notebook_document(cell_uri=uri)
        snapshot = self.snapshot(notebook.uri if notebook is not None else uri)
        if snapshot is None:
            return None
        buffer = snapshot.buffer
        held = SourceText(buffer.path, buffer.text, "utf-8", False, buffer.kind, b"", buffer.path)
        return Target(held, snapshot.notebook)

    def open_keys(self) -> list[str]:
        return [*self.workspace.notebook_documents, *self.workspace.text_documents]


def build() -> EcolintServer:
    server = EcolintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: EcolintServer, params: types.InitializeParams) -> None:
        options = ClientOptions.parse(params.initialization_options)
        ls.engine = Engine(options)
        lang = detect_lang(None, options.table.get("lang"))
        ls.tell(options.problems, lang)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: EcolintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: EcolintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: EcolintServer, params: types.DidSaveTextDocumentParams) -> None:
        saved(ls, [params.text_document.uri])

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: EcolintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    async def notebook_open(ls: EcolintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    async def notebook_change(
        ls: EcolintServer, params: types.DidChangeNotebookDocumentParams
    ) -> None:
        ls.schedule(params.notebook_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    async def notebook_save(ls: EcolintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        saved(ls, [params.notebook_document.uri])

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    async def notebook_close(
        ls: EcolintServer, params: types.DidCloseNotebookDocumentParams
    ) -> None:
        ls.forget(params.notebook_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def files_changed(ls: EcolintServer, params: types.DidChangeWatchedFilesParams) -> None:
        saved(ls, [change.uri for change in params.changes])

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def actions(ls: EcolintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        shown = ls.shown.get(uri, [])
        if not shown:
            return []
        lines = list(ls.workspace.get_text_document(uri).lines)
        found = code_actions(shown, params.range, lines, ls.to_range, ls.langs[uri], ls.target(uri))
        only = params.context.only
        return [a for a in found if not only or any(_kind(a).startswith(k) for k in only)]

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: EcolintServer, params: types.HoverParams) -> types.Hover | None:
        uri, at = params.text_document.uri, params.position
        for item in ls.shown.get(uri, []):
            shown = item.diagnostic.range
            after_start = (at.line, at.character) >= (shown.start.line, shown.start.character)
            if after_start and (at.line, at.character) <= (shown.end.line, shown.end.character):
                text = hover_markdown(item.finding, ls.langs[uri])
                content = types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)
                return types.Hover(contents=content, range=shown)
        return None

    return server


def _kind(action: types.CodeAction) -> str:
    kind = action.kind
    return str(kind.value if isinstance(kind, types.CodeActionKind) else kind or "")


def saved(ls: EcolintServer, uris: list[str]) -> None:
    """Files changed on disk: what may have read them is analysed again, every open document
    (one may import the saved module, or be governed by a saved configuration)."""
    for uri in uris:  # on the worker, after the analysis running now and before the next
        ls.worker.submit(ls.engine.changed_on_disk, Path(to_fs_path(uri) or uri))
    for key in ls.open_keys():
        if ls.workspace.get_notebook_document(cell_uri=key) is None:
            ls.schedule(key, 0)


def _stop_started(started: Future[Forked[Analysis] | Done[Analysis]]) -> None:
    """An analysis forked off after its edit was superseded: killed as soon as it exists."""
    if not started.cancelled() and started.exception() is None:
        started.result().stop()


def serve() -> None:
    build().start_io()
