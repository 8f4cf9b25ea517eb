"""The supervisor on its own: whatever kills a worker costs the item it was on, nothing else."""

from __future__ import annotations

import faulthandler
import os
import signal
import time
from collections.abc import Iterator

from ecolint.pipeline.parallel import Budget, Failure, supervise


def _work(items: list[int]) -> Iterator[tuple[int, str]]:
    for item in items:
        if item == 3:
            os._exit(7)
        if item == 5:
            faulthandler.disable()  # pytest's handler writes the child's stack to its own stderr
            os.kill(os.getpid(), signal.SIGSEGV)
        if item == 8:
            os.kill(os.getpid(), signal.SIGKILL)
        if item == 11:
            raise ValueError("a bug")
        if item == 13:
            time.sleep(60)
        if item == 15:
            bytearray(512 * 1024 * 1024)  # over the 64 MiB budget below
        yield item, f"done {item}"


def test_each_death_costs_its_item_only_for_any_number_of_jobs() -> None:
    budget = Budget(seconds=1.0, memory=64 * 1024 * 1024)
    for jobs in (1, 2):
        blocks = [list(range(start, min(start + 4, 18))) for start in range(0, 18, 4)]
        outcomes = dict(supervise(blocks, jobs, _work, budget))
        assert sorted(outcomes) == list(range(18))
        failures = {item: o for item, o in outcomes.items() if isinstance(o, Failure)}
        assert sorted(failures) == [3, 5, 8, 11, 13, 15]
        assert "exited with status 7" in failures[3].reason
        assert "SIGSEGV" in failures[5].reason
        assert "SIGKILL" in failures[8].reason
        assert failures[11].internal and "ValueError: a bug" in failures[11].reason
        assert "longer than 1 s" in failures[13].reason
        assert "memory" in failures[15].reason
        assert all(outcomes[item] == f"done {item}" for item in outcomes if item not in failures)
