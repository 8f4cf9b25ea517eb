"""Loops and what flows through their bodies: which calls run once per iteration, whether a
call's inputs depend on the loop variable, and whether its result flows back into the next
iteration's input (a multi-turn conversation rather than independent items).

The flow is read from the loop body alone and is insensitive to statement order, because a
value assigned late in one iteration is read early in the next. Values are named by dotted
paths (``inputs``, ``self.history``); a path depends on another when either is a prefix of
the other.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from ecolint.analysis.call_arguments import argument_values
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import EMPTY, Env, Resolver
from ecolint.analysis.showcase import SHOWCASE_ITEMS, few_taken
from ecolint.analysis.tree_walk import walk
from ecolint.analysis.values import CallVal, Const, SeqVal, Value, alternatives
from ecolint.sources.ast_children import child_nodes

_DEFERRED = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
)  # bodies that do not run in the loop
Comprehension = ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
# ``history.append(reply)``, ``conv.update_last_message(reply)``: the receiver takes the value.
_MUTATOR_PREFIXES = ("append", "extend", "insert", "add", "update", "put", "set")
_WRAPPERS = frozenset(
    {
        "builtins.enumerate",
        "builtins.iter",
        "builtins.list",
        "builtins.tuple",
        "builtins.sorted",
        "builtins.reversed",
        "tqdm.tqdm",
        "tqdm.auto.tqdm",
        "tqdm.notebook.tqdm",
        "tqdm.std.tqdm",
    }
)
_BATCHERS = frozenset(
    {
        "itertools.batched",
        "more_itertools.batched",
        "more_itertools.chunked",
        "more_itertools.ichunked",
        "more_itertools.sliced",
        "toolz.partition_all",
        "cytoolz.partition_all",
        "torch.split",
        "torch.chunk",
        "numpy.array_split",
        "numpy.split",
    }
)
_BATCH_WORDS = ("batch", "chunk")
# ``dataloader``, ``self.val_loader``: named for a data loader, it yields batches as one does.
_DATA_LOADER_NAME = re.compile(r"data_?loader|(?:^|_)loader$", re.I)
# ``slice["prompts"]``: a key naming many prompts holds a batch of them.
_PLURAL_KEYS = frozenset({"prompts", "texts", "sentences", "questions", "queries"})


def dotted(node: ast.AST) -> str:
    """``self.history`` for an attribute chain over a name, the name itself, or ''."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def reads(node: ast.AST) -> frozenset[str]:
    """The paths an expression reads (keyword names and attribute names are not reads)."""
    found: set[str] = set()
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        path = dotted(current)
        if path:
            found.add(path)
        elif isinstance(current, (ast.keyword, ast.Attribute)):
            stack.append(current.value)
        elif not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(child_nodes(current))
    return frozenset(found)


def stored(target: ast.AST) -> frozenset[str]:
    """The paths an assignment target stores to (``d[k] = v`` stores to ``d``)."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return frozenset(path for element in target.elts for path in stored(element))
    if isinstance(target, ast.Starred):
        return stored(target.value)
    if isinstance(target, ast.Subscript):
        return stored(target.value)
    path = dotted(target)
    return frozenset({path}) if path else frozenset()


def related(a: str, b: str) -> bool:
    return a == b or a.startswith(f"{b}.") or b.startswith(f"{a}.")


def _touches(paths: Iterable[str], others: Iterable[str]) -> bool:
    others = tuple(others)
    return any(related(path, other) for path in paths for other in others)


def _reach(paths: set[str], steps: list[tuple[frozenset[str], frozenset[str]]]) -> set[str]:
    """``paths`` grown to a fixed point: a step ``(start, end)`` whose ``start`` touches what
    is reached so far adds its ``end``. Backwards along the flows this finds what a value is
    computed from; forwards, where a value ends up."""
    changed = True
    while changed:
        changed = False
        for start, end in steps:
            if not end <= paths and _touches(start, paths):
                paths |= end
                changed = True
    return paths


@dataclass(unsafe_hash=True)
class Flow:
    """Values read by ``value`` end up in ``targets`` (an assignment, a loop header, or a
    mutation such as ``history.append(reply)``)."""

    targets: frozenset[str]
    sources: frozenset[str]
    value: ast.AST


class Loop:
    """A ``for`` statement or one ``for`` clause (``ast.comprehension``) of a comprehension."""

    def __init__(
        self,
        node: ast.AST,
        target: ast.expr,
        iterable: ast.expr,
        body: tuple[ast.AST, ...],
    ) -> None:
        self.node = node
        self.target = target
        self.iter = iterable
        self.body = body

    @cached_property
    def names(self) -> frozenset[str]:
        """The loop variables."""
        return stored(self.target)

    @cached_property
    def nodes(self) -> tuple[ast.AST, ...]:
        """Every node that runs once per iteration (nested ``def``/``lambda`` bodies do not)."""
        return tuple(node for part in self.body for node in walk(part, _DEFERRED))

    @cached_property
    def calls(self) -> tuple[ast.Call, ...]:
        return tuple(node for node in self.nodes if isinstance(node, ast.Call))

    @cached_property
    def flows(self) -> tuple[Flow, ...]:
        return tuple(flow for node in self.nodes for flow in _flows(node))

    @cached_property
    def exits(self) -> bool:
        """A ``break`` or ``return`` in the body: a retry or search loop, not a stream of items."""
        for part in self.body:
            for node in walk(part, (*_DEFERRED, ast.For, ast.AsyncFor, ast.While)):
                if isinstance(node, (ast.Break, ast.Return)):
                    return True
        return False

    def inputs(self, call: ast.Call) -> frozenset[str]:
        """The paths a call's arguments are computed from within one iteration or the last."""
        return self.sources({path for arg in argument_values(call) for path in reads(arg)})

    def sources(self, deps: set[str]) -> frozenset[str]:
        """The paths that values read as ``deps`` are computed from within one iteration or the
        last."""
        return frozenset(_reach(deps, [(flow.targets, flow.sources) for flow in self.flows]))

    def depends_on_variable(self, call: ast.Call) -> bool:
        return _touches(self.inputs(call), self.names)

    def varies(self, node: ast.AST) -> bool:
        """Whether an expression's value comes from the loop variable."""
        return _touches(self.sources(set(reads(node))), self.names)

    def feeds_back(self, call: ast.Call) -> bool:
        """Whether the call's result flows into its own input of the next iteration."""
        results: set[str] = set()
        for flow in self.flows:
            if any(node is call for node in walk(flow.value, _DEFERRED)):
                results |= flow.targets
        results = _reach(results, [(flow.sources, flow.targets) for flow in self.flows])
        return bool(results) and _touches(self.inputs(call), results)

    def iterates_showcase(self, resolver: Resolver, module: ModuleInfo) -> bool:
        """Every value the loop may iterate is a list or tuple written in the code with at most
        ``SHOWCASE_ITEMS`` items, or the loop takes that few items of another
        (``random.sample(examples, k=4)``, ``examples[:4]``, ``analysis.showcase``)."""
        if few_taken(resolver, module, self.iter):
            return True
        options = [
            option
            for env in resolver.contexts(module, self.iter)
            for option in alternatives(iterated(resolver, module, self, env))
        ]
        return bool(options) and all(
            isinstance(option, SeqVal) and len(option.items) <= SHOWCASE_ITEMS for option in options
        )

    def iterates_batches(self, resolver: Resolver, module: ModuleInfo) -> bool:
        """Each iteration handles a batch: a DataLoader, a batching helper, a call given a
        ``batch_size``, ``range`` with a step other than 1 in some call context, a slice
        bounded by the loop variable, a loop variable or iterable named for batches or chunks,
        an iterable named for a data loader,
        or a key naming many prompts read from the item (``slices[i]["prompts"]``)."""
        if any(word in name.lower() for name in self.names for word in _BATCH_WORDS):
            return True
        if any(
            isinstance(node, ast.Slice) and _touches(reads(node), self.names) for node in self.nodes
        ):
            return True
        if any(self._batch_of_item(node) for node in self.nodes):
            return True
        expression = self.iter
        while isinstance(expression, ast.Call) and argument_values(expression):
            if _names_batches(expression.func):
                return True
            if resolver.qualname(module, expression.func) not in _WRAPPERS:
                break
            expression = argument_values(expression)[0]
        if _DATA_LOADER_NAME.search(dotted(expression).rsplit(".", 1)[-1]):
            return True
        return any(
            _batched_value(option)
            for env in resolver.contexts(module, self.iter)
            for option in alternatives(iterated(resolver, module, self, env))
        )

    def _batch_of_item(self, node: ast.AST) -> bool:
        """``item["prompts"]`` on this loop's item."""
        if isinstance(node, ast.Subscript):
            key = node.slice
            return (
                isinstance(key, ast.Constant)
                and key.value in _PLURAL_KEYS
                and self.varies(node.value)
            )
        return False


def iterated(resolver: Resolver, module: ModuleInfo, loop: Loop, env: Env = EMPTY) -> Value:
    """What the loop iterates over, seen through ``enumerate``, ``tqdm``, ``list`` and the like."""
    value = resolver.value(module, loop.iter, env)
    while isinstance(value, CallVal) and value.qualname in _WRAPPERS and value.args:
        value = value.args[0]
    return value


def is_dataloader(qualname: str | None) -> bool:
    name = qualname or ""
    return name.startswith("torch.") and name.endswith(".DataLoader")


def _batched_value(value: Value) -> bool:
    if not isinstance(value, CallVal):
        return False
    qualname = value.qualname or ""
    if qualname in _BATCHERS or "batch_size" in value.kwargs:
        return True
    if is_dataloader(qualname) or any(
        isinstance(arg, CallVal) and is_dataloader(arg.qualname) for arg in value.args
    ):
        return True
    if qualname == "builtins.range" and len(value.args) == 3:
        step = value.args[2]
        return not (isinstance(step, Const) and step.value == 1)
    return False


def _names_batches(func: ast.expr) -> bool:
    name = func.id if isinstance(func, ast.Name) else ""
    if isinstance(func, ast.Attribute):
        name = func.attr
    return any(word in name.lower() for word in _BATCH_WORDS)


def _flows(node: ast.AST) -> Iterator[Flow]:
    if isinstance(node, ast.Assign):
        targets = frozenset(p for target in node.targets for p in stored(target))
        yield Flow(targets, reads(node.value), node.value)
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        yield Flow(stored(node.target), reads(node.value), node.value)
    elif isinstance(node, ast.AugAssign):
        targets = stored(node.target)
        yield Flow(targets, reads(node.value) | targets, node.value)
    elif isinstance(node, ast.NamedExpr):
        yield Flow(stored(node.target), reads(node.value), node.value)
    elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        yield Flow(stored(node.target), reads(node.iter), node.iter)
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        yield Flow(stored(node.optional_vars), reads(node.context_expr), node.context_expr)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr.startswith(_MUTATOR_PREFIXES)
    ):
        receiver = dotted(node.func.value)
        if receiver:
            sources = frozenset(p for arg in argument_values(node) for p in reads(arg))
            yield Flow(frozenset({receiver}), sources, node)


def _comprehension_loops(node: Comprehension) -> Iterator[Loop]:
    results: list[ast.AST] = (
        [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
    )
    for position, clause in enumerate(node.generators):
        body: list[ast.AST] = list(clause.ifs)
        for inner in node.generators[position + 1 :]:
            body.extend([inner.iter, *inner.ifs])
        yield Loop(clause, clause.target, clause.iter, (*body, *results))


def _collect(module: ModuleInfo) -> tuple[Loop, ...]:
    found: list[Loop] = []
    for node in module.loops:
        if isinstance(node, (ast.For, ast.AsyncFor)):
            found.append(Loop(node, node.target, node.iter, tuple(node.body)))
        else:
            found.extend(_comprehension_loops(node))
    return tuple(found)


def loops(resolver: Resolver, module: ModuleInfo) -> tuple[Loop, ...]:
    """Every loop of the module, collected once per run."""
    return resolver.facts.memo(("loops", module), lambda: _collect(module))


def enclosing(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> tuple[Loop, ...]:
    """The loops whose body runs ``call`` once per iteration, innermost last."""
    index = resolver.facts.memo(("loops-by-call", module), lambda: _by_call(resolver, module))
    return index.get(call, ())


def _by_call(resolver: Resolver, module: ModuleInfo) -> dict[ast.Call, tuple[Loop, ...]]:
    index: dict[ast.Call, tuple[Loop, ...]] = {}
    for loop in loops(resolver, module):
        for call in loop.calls:
            index[call] = (*index.get(call, ()), loop)
    return index
