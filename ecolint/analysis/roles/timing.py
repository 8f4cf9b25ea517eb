"""Benchmark and measurement code: a latency benchmark times each request on purpose, and a
benchmark of 8-bit loading loads 8 bits because that is what it measures."""

from __future__ import annotations

import itertools

import libcst as cst

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


def in_benchmark(resolver: Resolver, module: ModuleInfo, node: cst.CSTNode) -> bool:
    """In a function named or decorated as a benchmark, in a call to ``timeit``, or in a
    statement of a block that runs a timer both before and after it."""
    chain = [node, *ancestors(module, node)]
    for up in chain:
        if isinstance(up, cst.FunctionDef) and _named_benchmark(up):
            return True
        if isinstance(up, cst.Call) and resolver.qualname(module, up.func) in _MEASURING:
            return True
    timers = resolver.facts.memo(
        ("timers", module),
        lambda: [call for call in module.calls if _is_timer(resolver, module, call)],
    )
    if not timers:
        return False
    for inner, block in itertools.pairwise(chain):
        if isinstance(block, (cst.IndentedBlock, cst.Module)) and _between(
            module, block, inner, timers
        ):
            return True
    return False


def _named_benchmark(function: cst.FunctionDef) -> bool:
    words = [function.name.value.lower()]
    for item in function.decorators:
        words.append(cst.Module([]).code_for_node(item.decorator).lower())
    return any(word.startswith("bench") or "benchmark" in word for word in words)


def _is_timer(resolver: Resolver, module: ModuleInfo, call: cst.Call) -> bool:
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
    if name not in _TIMER_NAMES:
        return False
    if resolver.qualname(module, func) in TIMERS:
        return True
    if isinstance(func, cst.Attribute) and name == "record":
        owner = resolver.value(module, func.value)
        return any(
            isinstance(option, CallVal) and option.qualname == _EVENT
            for option in alternatives(owner)
        )
    return False


def _between(
    module: ModuleInfo, block: cst.IndentedBlock | cst.Module, inner: cst.CSTNode, timers: list
) -> bool:
    """A timer runs in a statement of ``block`` before the one holding the node, and another
    after it (in a notebook, in the same cell)."""
    body = list(block.body)
    if inner not in body:
        return False
    index = body.index(inner)
    cell = cell_of(module, inner) if isinstance(block, cst.Module) else None
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
