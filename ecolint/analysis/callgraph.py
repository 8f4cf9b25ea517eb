"""Which code runs a call, and which functions of a module reach a kind of call, directly or
through other functions of the same module (``helper(p)`` → ``model.generate``).

One small call graph per module, memoised on the resolver: rules ask "does this helper reach
``generate()``" or "does this helper load a model" instead of walking bodies themselves.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable

from ecolint.analysis.bindings import Scope
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import FuncVal

CallTest = Callable[[ast.Call], bool]
Function = ast.FunctionDef | ast.AsyncFunctionDef
FunctionTest = Callable[[Function], bool]


def owner(module: ModuleInfo, node: ast.AST) -> ast.AST:
    """The function, lambda, class body or module whose code runs ``node`` (comprehensions run
    in the code around them)."""
    scope: Scope | None = module.scope_of.get(node)
    while scope is not None and scope.kind == "comprehension":
        scope = scope.parent
    return scope.node if scope is not None else module.module


def calls_of(resolver: Resolver, module: ModuleInfo, code: ast.AST) -> list[ast.Call]:
    """The calls that running ``code`` (a function, lambda, class body or module) makes itself."""
    index = resolver.facts.memo(("calls-by-owner", module), lambda: _by_owner(module))
    return index.get(code, [])


def _by_owner(module: ModuleInfo) -> dict[ast.AST, list[ast.Call]]:
    index: dict[ast.AST, list[ast.Call]] = defaultdict(list)
    for call in module.calls:
        index[owner(module, call)].append(call)
    return index


def local_callee(resolver: Resolver, module: ModuleInfo, call: ast.Call) -> Function | None:
    """The function of this module a call runs: ``helper(...)``, or ``self.helper(...)`` /
    ``cls.helper(...)`` inside the class that defines ``helper``."""
    func = call.func
    if isinstance(func, ast.Name):
        value = resolver.value(module, func)
        if isinstance(value, FuncVal) and value.module is module:
            return value.node
        return None
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("self", "cls")
    ):
        scope = module.scope_of.get(call)
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        if scope is None or scope.parent is None or scope.parent.kind != "class":
            return None
        for binding in reversed(scope.parent.bindings.get(func.attr, [])):
            if binding.kind == "def" and isinstance(
                binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                return binding.node
    return None


def reaches(
    resolver: Resolver,
    module: ModuleInfo,
    function: Function,
    kind: str,
    direct: CallTest,
    enter: FunctionTest,
) -> bool:
    """Whether running ``function`` makes a reachable call that ``direct`` accepts, itself or
    through functions of the module that ``enter`` lets through. ``kind`` names the question:
    the answer is memoised per kind, so one kind must always be asked with the same tests.
    Recursion counts as not reaching."""
    answers: dict[Function, bool] = resolver.facts.memo(("reaches", kind, module), dict)
    if function in answers:
        return answers[function]
    answers[function] = False
    found = False
    for call in calls_of(resolver, module, function):
        if not resolver.reachable(module, call):
            continue
        if direct(call):
            found = True
            break
        callee = local_callee(resolver, module, call)
        if (
            callee is not None
            and enter(callee)
            and reaches(resolver, module, callee, kind, direct, enter)
        ):
            found = True
            break
    answers[function] = found
    return found
