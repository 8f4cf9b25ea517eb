"""An analysis the server can stop: it runs in a process forked from the server, so a newer
edit kills it instead of waiting for it. A thread cannot be interrupted, and a parser in
native code (CPython's, libcst's for a fix) is reached by no flag; a process can always be
killed.

The fork is a copy of the server as it is: the rule tables, the data and what earlier analyses
read are there without being loaded again, and cost nothing to copy (pages are shared until
written). The child sends back one pickled result and exits; it never writes to the client's
stream (its standard output is /dev/null) and never returns into the server's code. A child
that runs past the time budget (``ECOLINT_FILE_TIMEOUT``) is killed (and stops itself, by its
CPU-time limit, should the server be killed first), one that goes past the memory budget
(``ECOLINT_FILE_MEMORY``) or crashes ends without a result; either way the server gets a
``Failure`` and goes on. Without ``fork`` the work runs where it is called, unstoppable."""

from __future__ import annotations

import asyncio
import gc
import math
import os
import pickle
import signal
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import get_all_start_methods
from typing import Generic, TypeVar

from ecolint.pipeline.parallel import Budget, Failure, exit_reason, limit_memory

T = TypeVar("T")


@dataclass
class Forked(Generic[T]):
    """A child working on one result: ``outcome`` waits for it, ``stop`` kills and reaps it."""

    pid: int
    pipe: int
    budget: Budget
    status: int | None = None

    async def outcome(self) -> T | Failure:
        """The child's result, or why there is none (out of time, crashed)."""
        loop = asyncio.get_running_loop()
        ended: asyncio.Future[None] = loop.create_future()
        received = bytearray()

        def readable() -> None:
            chunk = os.read(self.pipe, 1 << 20)
            received.extend(chunk)
            if not chunk and not ended.done():
                ended.set_result(None)

        loop.add_reader(self.pipe, readable)
        try:
            await asyncio.wait_for(ended, self.budget.seconds)
        except TimeoutError:
            return Failure(f"took longer than {self.budget.seconds:g} s (ECOLINT_FILE_TIMEOUT)")
        finally:
            loop.remove_reader(self.pipe)
        self.stop()
        try:
            result: T = pickle.loads(received)  # from our own forked child, not from a file
        except Exception:
            return exit_reason(self.status or 0)
        return result

    def stop(self) -> None:
        """Kill the child unless it has ended, and reap it; once is enough."""
        if self.status is not None:
            return
        os.kill(self.pid, signal.SIGKILL)  # an ended child is a zombie until reaped: no error
        _, self.status = os.waitpid(self.pid, 0)
        os.close(self.pipe)


@dataclass
class Done(Generic[T]):
    """A result worked out in this process (no ``fork`` on this system)."""

    result: T

    async def outcome(self) -> T | Failure:
        return self.result

    def stop(self) -> None:
        """Nothing runs."""


def start(work: Callable[[], T], budget: Budget) -> Forked[T] | Done[T]:
    """``work`` run in a forked child, which the caller must ``stop`` once done with it."""
    if "fork" not in get_all_start_methods():
        return Done(work())
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the server's code
        status = 1
        try:
            os.close(reading)
            gc.freeze()  # the collector leaves the server's objects be: their pages stay shared
            _detach()
            limit_memory(budget.memory)
            _limit_time(budget.seconds)
            payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(payload)
            while view:
                view = view[os.write(writing, view) :]
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    return Forked(pid, reading, budget)


def _detach() -> None:
    """The client's messages come in on standard input and go out on standard output: the
    child must read and write neither, nor print a dying parser's last words on stderr."""
    silent = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(silent, stream)
    os.close(silent)


def _limit_time(seconds: float) -> None:
    """A server killed outright cannot kill its analyses: each stops itself once it has used
    the time budget in CPU time (never sooner than the server would have stopped it)."""
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = math.ceil(seconds) + 1
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, OSError, ValueError):
        pass  # no RLIMIT_CPU: the server's own clock still holds
