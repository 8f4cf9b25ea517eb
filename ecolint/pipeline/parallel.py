"""Work on untrusted files in forked worker processes, so that a crash or a runaway costs one
file, not the run.

Parsers and analyses of hostile input can take minutes and gigabytes (and libcst, used for
fixes, is native code that can segfault or abort), none of which an ``except`` clause
catches. Each block of files is therefore worked on by a forked child, which sends back each
file's result as soon as it has it. A child that dies (a signal, ``os._exit``, an
exception), runs longer than the time budget on one file, or goes over its memory budget
(``RLIMIT_AS``: allocations fail, Python raises ``MemoryError``) is reaped or killed; the
file it was working on (the first of its block not sent back) gets a ``Failure``, and a new
child takes the rest of the block. Results are handed over by index, so whoever uses them
can put them in the same order whatever the number of workers.

Budgets come from the environment: ``ECOLINT_FILE_TIMEOUT`` (seconds per file, default 60) and
``ECOLINT_FILE_MEMORY`` (MiB a worker may grow by, default 2048). ``run_batches`` is how a run
uses it: the files to analyse in blocks, each file's piece back by its index.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

T = TypeVar("T")
P = TypeVar("P")
P_co = TypeVar("P_co", covariant=True)
PARALLEL_MIN_FILES = 8  # fewer files than this are analysed by one worker
FRAME = struct.Struct("!Q")
DEFAULT_SECONDS = 60.0
DEFAULT_MEMORY_MIB = 2048


@dataclass(unsafe_hash=True)
class Budget:
    seconds: float = DEFAULT_SECONDS  # for one file
    memory: int = DEFAULT_MEMORY_MIB * 1024 * 1024  # address space a worker may add

    @classmethod
    def from_environment(cls) -> Budget:
        """The budgets set by ``ECOLINT_FILE_TIMEOUT`` and ``ECOLINT_FILE_MEMORY``; a value that
        is not a positive number leaves the default."""
        seconds = _positive(os.environ.get("ECOLINT_FILE_TIMEOUT"), DEFAULT_SECONDS)
        mebibytes = _positive(os.environ.get("ECOLINT_FILE_MEMORY"), DEFAULT_MEMORY_MIB)
        return cls(seconds, int(mebibytes * 1024 * 1024))


def _positive(text: str | None, default: float) -> float:
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if 0 < value < float("inf") else default


@dataclass(unsafe_hash=True)
class Failure:
    """Why the item was not done; ``internal``: an exception in ecolint's own code (a bug),
    not a crash or a budget run out."""

    reason: str
    internal: bool = False


class Pieces(Protocol[P_co]):
    """Work on the files of a run by index (``scan.Analyser``)."""

    progress: Callable[[int, int], None] | None

    def pieces(self, indices: Iterable[int]) -> Iterator[tuple[int, P_co]]: ...

    def failed(self, index: int, failure: Failure) -> P_co: ...

    def advance(self, files: int) -> None: ...


def run_batches(
    work: Pieces[P], indices: list[int], jobs: int, meanwhile: Callable[[], None] | None = None
) -> dict[int, P]:
    """The files at ``indices`` go in small consecutive blocks to up to ``jobs`` forked
    workers (one worker for ``--jobs 1`` or a small run), each with its own project of every
    file of the run. A worker that crashes or runs out of its time or memory budget costs the
    file it was on and a new worker takes the rest of its block. Each file's piece comes back
    by index, so the output is the same whatever the number of jobs. Without ``fork``, files
    are analysed in this process. ``meanwhile`` is done here once the workers have started
    (it is done in any case)."""
    count = len(indices)
    if not count or not hasattr(os, "fork"):
        if meanwhile is not None:
            meanwhile()
        return dict(work.pieces(indices)) if count else {}
    workers = 1 if jobs <= 1 or count < PARALLEL_MIN_FILES else jobs
    size = count if workers == 1 else max(1, min(16, count // (workers * 4)))
    blocks = [indices[start : start + size] for start in range(0, count, size)]

    def in_child(block: list[int]) -> Iterator[tuple[int, P]]:
        work.progress = None  # the parent reports progress as pieces come back
        return work.pieces(block)

    pieces: dict[int, P] = {}
    budget = Budget.from_environment()
    for index, outcome in supervise(blocks, workers, in_child, budget, meanwhile):
        pieces[index] = work.failed(index, outcome) if isinstance(outcome, Failure) else outcome
        work.advance(1)
    return pieces


@dataclass
class _Worker:
    pid: int
    results: int  # the pipe the child sends results on
    orders: int  # the pipe the child is sent blocks on
    deadline: float
    todo: deque[int] = field(default_factory=deque)
    buffer: bytearray = field(default_factory=bytearray)
    error: Failure | None = None  # what the child said before it stopped


def supervise(
    blocks: Iterable[list[int]],
    jobs: int,
    work: Callable[[list[int]], Iterator[tuple[int, T]]],
    budget: Budget,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[tuple[int, T | Failure]]:
    """Each item of ``blocks`` done by ``work`` in one of at most ``jobs`` forked children,
    as ``(item, result)`` in the order they finish, or ``(item, Failure)`` for an item its child
    did not survive. A child takes block after block (what it loaded for one serves the next);
    ``work`` must yield its items in the order it was given them. ``meanwhile``: done here once
    the first children have started, before waiting for them."""
    pending: deque[list[int]] = deque(block for block in blocks if block)
    running: dict[int, _Worker] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                worker: _Worker = _start(work, budget, running)
                running[worker.results] = worker
                _assign(worker, pending.popleft(), budget)
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
            deadline = min(worker.deadline for worker in running.values())
            wait = None if deadline == float("inf") else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select(list(running), [], [], wait)
            for pipe in ready:
                worker = running[pipe]
                chunk = os.read(pipe, 1 << 20)
                if chunk:
                    yield from _received(worker, chunk, budget)
                    if not worker.todo:
                        _next(worker, pending, budget)
                    continue
                del running[pipe]
                yield from _ended(worker, exit_reason(_reap(worker)), pending)
            now = time.monotonic()
            for pipe, worker in list(running.items()):
                if worker.todo and now >= worker.deadline:
                    del running[pipe]
                    os.kill(worker.pid, signal.SIGKILL)
                    _reap(worker)
                    reason = f"took longer than {budget.seconds:g} s (ECOLINT_FILE_TIMEOUT)"
                    yield from _ended(worker, Failure(reason), pending)
        if meanwhile is not None:  # nothing to start
            meanwhile()
    finally:
        for worker in running.values():
            os.kill(worker.pid, signal.SIGKILL)
            _reap(worker)


def _start(
    work: Callable[[list[int]], Iterator[tuple[int, T]]],
    budget: Budget,
    running: dict[int, _Worker],
) -> _Worker:
    results_in, results_out = os.pipe()
    orders_in, orders_out = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 1
        try:
            for pipe in (results_in, orders_out):
                os.close(pipe)
            for other in running.values():
                os.close(other.results)
                os.close(other.orders)
            _quiet()
            limit_memory(budget.memory)
            status = _child(work, orders_in, results_out)
        finally:
            os._exit(status)
    os.close(results_out)
    os.close(orders_in)
    return _Worker(pid, results_in, orders_out, time.monotonic() + budget.seconds)


def _assign(worker: _Worker, block: list[int], budget: Budget) -> None:
    worker.todo.extend(block)
    worker.deadline = time.monotonic() + budget.seconds
    _send(worker.orders, block)


def _next(worker: _Worker, pending: deque[list[int]], budget: Budget) -> None:
    """An idle child gets the next block, or is told to stop (it then exits)."""
    if pending:
        _assign(worker, pending.popleft(), budget)
    elif worker.orders >= 0:
        os.close(worker.orders)
        worker.orders = -1
        worker.deadline = float("inf")


def _child(work: Callable[[list[int]], Iterator[tuple[int, T]]], orders: int, results: int) -> int:
    try:
        while (block := _receive(orders)) is not None:
            for index, result in work(block):
                _send(results, (index, result))
    except MemoryError:
        _send(results, (None, Failure("ran out of memory (ECOLINT_FILE_MEMORY)")))
    except Exception as error:
        import traceback  # only for an error: most runs have none

        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        _send(results, (None, Failure(detail, internal=True)))
    return 0


def _send(pipe: int, message: object) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(FRAME.pack(len(payload)) + payload)
    while view:
        view = view[os.write(pipe, view) :]


def _receive(pipe: int) -> list[int] | None:
    """The next block the parent sends, or None once it closed the pipe."""
    header = _read_exactly(pipe, FRAME.size)
    if header is None:
        return None
    (size,) = FRAME.unpack(header)
    payload = _read_exactly(pipe, size)
    return None if payload is None else list(pickle.loads(payload))


def _read_exactly(pipe: int, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(pipe, size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _quiet() -> None:
    """A dying parser's last words ("memory allocation of 64 bytes failed", a Rust backtrace)
    would reach the user's terminal; the file's not-analysed finding says what happened instead."""
    silent = os.open(os.devnull, os.O_WRONLY)
    os.dup2(silent, 2)
    os.close(silent)


def limit_memory(extra: int) -> None:
    """Let this process grow by ``extra`` bytes of address space from what it has now."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[0])
        limit = pages * os.sysconf("SC_PAGE_SIZE") + extra
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no RLIMIT_AS: the time budget still holds


def _received(worker: _Worker, chunk: bytes, budget: Budget) -> Iterator[tuple[int, T]]:
    worker.buffer += chunk
    while len(worker.buffer) >= FRAME.size:
        (size,) = FRAME.unpack_from(worker.buffer)
        if len(worker.buffer) < FRAME.size + size:
            return
        payload = bytes(worker.buffer[FRAME.size : FRAME.size + size])
        del worker.buffer[: FRAME.size + size]
        index, result = pickle.loads(payload)  # from our own forked child, not from a file
        if index is None:
            worker.error = result
            continue
        worker.todo.remove(index)
        worker.deadline = time.monotonic() + budget.seconds
        yield index, result


def _reap(worker: _Worker) -> int:
    os.close(worker.results)
    if worker.orders >= 0:
        os.close(worker.orders)
    _, status = os.waitpid(worker.pid, 0)
    return status


def exit_reason(status: int) -> Failure:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return Failure(
            f"its analysis process died of {name} (a crash in the parser, or memory over the"
            " ECOLINT_FILE_MEMORY budget)"
        )
    return Failure(f"the analysis process exited with status {os.WEXITSTATUS(status)}")


def _ended(
    worker: _Worker, reason: Failure, pending: deque[list[int]]
) -> Iterator[tuple[int, Failure]]:
    """The child is gone: its current item failed, the rest of its block goes to a new one."""
    if not worker.todo:
        return
    culprit = worker.todo.popleft()
    yield culprit, worker.error or reason
    if worker.todo:
        pending.appendleft(list(worker.todo))
