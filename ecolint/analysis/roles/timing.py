"""Benchmark and measurement code: a latency benchmark times each request on purpose, and a
benchmark of 8-bit loading loads 8 bits because that is what it measures."""

from __future__ import annotations

import ast
import itertools

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.roles.tree import ancestors, cell_of
from ecolint.analysis.values import CallVal, alternatives

TIMERS = frozenset(
    {
        "time.perf_counter",
        "time.perf_counter_ns",
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "timeit.default_timer",
        "torch.cuda.synchronize",
        "torch.cuda.Event.record",
    }
)
_TIMER_NAMES = frozenset(name.rsplit(".", 1)[1] for name in TIMERS)
_MEASURING = frozenset({"timeit.timeit", "timeit.repeat", "timeit.Timer"})
_EVENT = "torch.cuda.Event"


def in_benchmark(resolver: Resolver, module: ModuleInfo, node: ast.AST) -> bool:
    """In a function named or decorated as a benchmark, in a call to ``timeit``, or in a
    statement of a block that runs a timer both before and after it."""
    chain = [node, *ancestors(module, node)]
    for up in chain:
        if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)) and _named_benchmark(up):
            return True
        if isinstance(up, ast.Call) and resolver.qualname(module, up.func) in _MEASURING:
            return True
    timers = resolver.facts.memo(
        ("timers", module),
        lambda: [call for call in module.calls if _is_timer(resolver, module, call)],
    )
    if not timers:
        return False
    for inner, holder in itertools.pairwise(chain):
        block = _block_of(holder, inner)
        if block is not None and _between(module, block, holder is module.module, inner, timers):
            return True
    return False


def _block_of(holder: ast.AST, inner: ast.AST) -> list[ast.stmt] | None:
    """The statement list of ``holder`` (its body, ``else`` or ``finally``) that holds
    ``inner``, if ``inner`` is one of its statements."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(holder, name, None)
        if isinstance(block, list) and any(statement is inner for statement in block):
            return block
    return None


def _named_benchmark(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    words = [function.name.lower()]
    for item in function.decorator_list:
        words.append(ast.unparse(item).lower())
    return any(word.startswith("bench") or "benchmark" in word for word in words)


def _is_timer(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in _TIMER_NAMES:
        return False
    if resolver.qualname(module, func) in TIMERS:
        return True
    if isinstance(func, ast.Attribute) and name == "record":
        owner = resolver.value(module, func.value)
        return any(
            isinstance(option, CallVal) and option.qualname == _EVENT
            for option in alternatives(owner)
        )
    return False


def _between(
    module: ModuleInfo, body: list[ast.stmt], top_level: bool, inner: ast.AST, timers: list
) -> bool:
    """A timer runs in a statement of ``body`` before the one holding the node, and another
    after it (in a notebook, in the same cell)."""
    index = body.index(inner)  # type: ignore[arg-type]
    cell = cell_of(module, inner) if top_level else None
    before = after = False
    for timer in timers:
        holder = next((up for up in ancestors(module, timer) if up in body), None)
        if holder is None or holder is inner:
            continue
        if cell is not None and cell_of(module, holder) != cell:
            continue
        position = body.index(holder)
        before = before or position < index
        after = after or position > index
    return before and after
