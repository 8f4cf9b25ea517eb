"""Code that runs once per request, and loads that are cached.

Request handlers are functions a web framework calls per request (FastAPI, Flask, Starlette …
routes; Django view functions in ``views.py``), Gradio callbacks, and the body of a Streamlit
script, which Streamlit re-runs on every interaction. A load is cached when its function is
memoised (``functools.lru_cache``/``cache``, ``st.cache_resource`` …) or when it sits under a
test of the place it is stored in (``if _model is None: _model = ...``, ``if key not in
cache: cache[key] = ...``, ``if "pipe" not in st.session_state``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ecolint.analysis.hf_loading import last_name, top_package
from ecolint.analysis.loops import dotted, related, stored
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.tree_walk import walk
from ecolint.analysis.values import CallVal, FuncVal, alternatives
from ecolint.i18n import Phrase, phrase

WEB_FRAMEWORKS = {
    "fastapi": "FastAPI",
    "flask": "Flask",
    "starlette": "Starlette",
    "quart": "Quart",
    "sanic": "Sanic",
    "litestar": "Litestar",
    "aiohttp": "aiohttp",
}
ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "route", "api_route", "websocket"}
)
GRADIO_ENTRY_POINTS = {"Interface": 0, "ChatInterface": 0, "on": 1}
GRADIO_EVENTS = frozenset({"click", "submit", "change", "input", "select", "upload"})
CACHE_DECORATORS = frozenset(
    {
        "functools.lru_cache",
        "functools.cache",
        "functools.cached_property",
        "streamlit.cache_resource",
        "streamlit.cache_data",
        "streamlit.cache",
        "streamlit.experimental_singleton",
        "cachetools.cached",
    }
)


@dataclass(unsafe_hash=True)
class Handler:
    """Code that runs per request: a function or lambda, or a Streamlit script's module."""

    module: ModuleInfo
    node: ast.AST
    description: Phrase


def request_handlers(resolver: Resolver, module: ModuleInfo) -> tuple[Handler, ...]:
    """The module's request handlers (and Gradio callbacks it registers), found once per run."""
    return resolver.facts.memo(("handlers", module), lambda: tuple(_handlers(resolver, module)))


def _handlers(resolver: Resolver, module: ModuleInfo) -> Iterator[Handler]:
    seen: set[ast.AST] = set()
    for handler in (
        *_routes(resolver, module),
        *_django_views(module),
        *_gradio_callbacks(resolver, module),
        *_streamlit(module),
    ):
        if handler.node not in seen:
            seen.add(handler.node)
            yield handler


def _routes(resolver: Resolver, module: ModuleInfo) -> Iterator[Handler]:
    for node in module.functions:
        for decorator in node.decorator_list:
            framework = _route_framework(resolver, module, decorator)
            if framework:
                yield Handler(module, node, _handler("route", node.name, framework))
                break


def _route_framework(resolver: Resolver, module: ModuleInfo, decorator: ast.expr) -> str:
    """``@app.post("/x")`` on a FastAPI/Flask/… application or router, or ``@get("/x")``."""
    if not isinstance(decorator, ast.Call):
        return ""
    func = decorator.func
    if isinstance(func, ast.Attribute) and func.attr in ROUTE_METHODS:
        for option in alternatives(resolver.value(module, func.value)):
            if isinstance(option, CallVal) and option.qualname:
                framework = WEB_FRAMEWORKS.get(top_package(option.qualname), "")
                if framework:
                    return framework
    qualname = resolver.qualname(module, func)
    if qualname and last_name(qualname) in ROUTE_METHODS:
        return WEB_FRAMEWORKS.get(top_package(qualname), "")
    return ""


def _django_views(module: ModuleInfo) -> Iterator[Handler]:
    """Functions taking ``request`` first, and methods taking it after ``self``, in views.py."""
    if module.path.name != "views.py":
        return
    functions = [
        (binding.node, 0)
        for bindings in module.root.bindings.values()
        for binding in bindings
        if binding.kind == "def"
    ]
    for scope in module.class_scopes.values():
        if scope.parent is module.root:
            functions.extend(
                (binding.node, 1)
                for bindings in scope.bindings.values()
                for binding in bindings
                if binding.kind == "def"
            )
    for node, position in functions:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        params = [*node.args.posonlyargs, *node.args.args]
        if len(params) > position and params[position].arg == "request":
            yield Handler(module, node, _handler("django", node.name))


def _gradio_callbacks(resolver: Resolver, module: ModuleInfo) -> Iterator[Handler]:
    names = frozenset(GRADIO_ENTRY_POINTS) | GRADIO_EVENTS
    for call, qualname in resolver.calls_to(module, names, lambda _: True):
        position = _gradio_fn_position(resolver, module, call, qualname)
        if position is None:
            continue
        fn = _argument(call, "fn", position)
        if isinstance(fn, ast.Lambda):
            yield Handler(module, fn, phrase("serving.gradio_lambda"))
            continue
        if fn is None:
            continue
        for option in alternatives(resolver.value(module, fn)):
            if isinstance(option, FuncVal) and option.module and option.node:
                description = _handler("gradio", option.node.name)
                yield Handler(option.module, option.node, description)


def _handler(kind: str, name: str, framework: str = "") -> Phrase:
    """``the FastAPI route handler summarise()``, said in the run's language."""
    return phrase(f"serving.{kind}", name=f"{name}()", framework=framework)


def _gradio_fn_position(
    resolver: Resolver, module: ModuleInfo, call: ast.Call, qualname: str
) -> int | None:
    if top_package(qualname) == "gradio":
        return GRADIO_ENTRY_POINTS.get(last_name(qualname))
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in GRADIO_EVENTS:
        for option in alternatives(resolver.value(module, func.value)):
            if isinstance(option, CallVal) and top_package(option.qualname or "") == "gradio":
                return 0
    return None


def _argument(call: ast.Call, keyword: str, position: int) -> ast.expr | None:
    positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return positional[position] if position < len(positional) else None


def _streamlit(module: ModuleInfo) -> Iterator[Handler]:
    for bindings in module.root.bindings.values():
        for binding in bindings:
            if binding.kind == "import" and top_package(binding.qualname or "") == "streamlit":
                yield Handler(module, module.module, phrase("serving.streamlit_body"))
                return


def is_cached_function(
    resolver: Resolver, module: ModuleInfo, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> bool:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if resolver.qualname(module, target) in CACHE_DECORATORS:
            return True
    return False


def lazily_cached(resolver: Resolver, module: ModuleInfo, node: ast.AST) -> bool:
    """Whether ``node`` runs only while a stored value is missing: under ``if X is None``,
    ``if not X``, ``if key not in X`` (or after ``if X is not None: return X``), where X is
    something the module stores to."""
    tested = [
        path
        for guard in module.guards_of.get(node, ())
        for expression in _missing(guard.test, guard.polarity)
        if (path := dotted(expression))
    ]
    if not tested:
        return False
    places = resolver.facts.memo(("stored-places", module), lambda: _stored_places(module))
    return any(related(path, place) for path in tested for place in places)


def _missing(test: ast.expr, polarity: bool) -> Iterator[ast.expr]:
    """What a guard requires to be missing for the guarded code to run: ``X`` of ``X is None``,
    ``not X`` or ``key not in X`` (and of ``X is not None``, ``X`` or ``key in X`` when the
    code runs on the false side, after an early return)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        yield from _missing(test.operand, not polarity)
    elif isinstance(test, ast.BoolOp):
        for operand in test.values:
            yield from _missing(operand, polarity)
    elif isinstance(test, ast.Compare):
        if len(test.ops) != 1:
            return
        operator, comparator = test.ops[0], test.comparators[0]
        if isinstance(operator, (ast.In, ast.NotIn)):
            if isinstance(operator, ast.NotIn) == polarity:
                yield comparator
        elif (
            isinstance(comparator, ast.Constant)
            and comparator.value is None
            and isinstance(operator, (ast.Is, ast.Eq)) == polarity
        ):
            yield test.left
    elif not polarity:
        yield test


def _stored_places(module: ModuleInfo) -> frozenset[str]:
    """Where values outlive a call: module-level and ``global`` names, attributes, items."""
    places: set[str] = set()
    for node in walk(module.module):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            places |= _lasting(module, target)
    return frozenset(places)


def _lasting(module: ModuleInfo, target: ast.expr) -> frozenset[str]:
    if isinstance(target, (ast.Tuple, ast.List)):
        return frozenset(p for element in target.elts for p in _lasting(module, element))
    if isinstance(target, ast.Name):
        scope = module.scope_of.get(target)
        if scope is not None and (
            scope is module.root or target.id in scope.global_names | scope.nonlocal_names
        ):
            return frozenset({target.id})
        return frozenset()
    return stored(target)
