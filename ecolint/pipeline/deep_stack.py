"""Room for recursion: the module index and the resolver walk trees recursively (as libcst
parses and prints, for fixes), and code such as a 400-term ``"a" + "a" + ...`` chain, which
Python compiles happily, would exhaust the default limits."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 60_000


def deep_stack(work: Callable[[], T]) -> T:
    """Run ``work`` on a thread with a large stack and recursion limit."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # re-raised in the calling thread
            outcome["error"] = error

    previous_limit = sys.getrecursionlimit()
    previous_size = threading.stack_size(STACK_BYTES)
    sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
    try:
        thread = threading.Thread(target=target, name="ecolint")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous_size)
        sys.setrecursionlimit(previous_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]
