"""What the module index records: scopes, the bindings of names in them, and the conditions
(guards) under which a node runs."""

from __future__ import annotations

import ast
import builtins
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

ScopeKind = Literal["module", "class", "function", "lambda", "comprehension"]
BindingKind = Literal["assign", "import", "def", "class", "param", "loop", "unknown", "global-decl"]

BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(unsafe_hash=True, repr=False)
class Guard:
    """An ``if``/``while``/ternary condition that must be ``polarity`` for a node to run."""

    test: ast.expr
    polarity: bool
    scope: Scope


@dataclass(eq=False, repr=False)
class Scope:
    kind: ScopeKind
    node: ast.AST
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=lambda: defaultdict(list))
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)

    def __repr__(self) -> str:
        return f"Scope({self.kind} {self.name})"

    @property
    def name(self) -> str:
        node = self.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return node.name
        return "<module>" if self.kind == "module" else f"<{self.kind}>"


@dataclass(eq=False, repr=False)
class Binding:
    """One place a name gets a value: an assignment, import, def, class, parameter or loop."""

    name: str
    kind: BindingKind
    scope: Scope
    order: int
    node: ast.AST  # the target name (or the def/class/import alias node)
    value: ast.expr | None = None
    path: tuple[int, ...] = ()  # index path for tuple unpacking
    guards: tuple[Guard, ...] = ()
    # Off the default path: set in an ``except`` handler, or rebound through ``global`` from a
    # function body. Such a binding is used only when no ordinary one exists.
    secondary: bool = False
    qualname: str | None = None  # imports: the imported dotted name
    import_level: int = 0  # relative import depth
    param: ast.arg | None = None
    default: ast.expr | None = None  # parameters: the default value, if any

    def __repr__(self) -> str:
        return f"Binding({self.kind} {self.name} @{self.order})"


@dataclass(unsafe_hash=True)
class Mutation:
    """``name[key] = value`` on a dict held by a name, applied in source order."""

    binding_name: str
    scope: Scope
    key: ast.expr
    value: ast.expr
    order: int
    guards: tuple[Guard, ...]


@dataclass(unsafe_hash=True)
class AttrAssign:
    """``target.attr = value``: how models get compiled or reconfigured after loading."""

    target: ast.Attribute
    value: ast.expr
    scope: Scope
    guards: tuple[Guard, ...]
    order: int


def parameters(arguments: ast.arguments) -> list[tuple[ast.arg, ast.expr | None]]:
    """Named parameters with their defaults: ``ast`` aligns ``defaults`` with the *end* of
    the positional parameters and gives keyword-only ones ``None`` when they have none."""
    positional = [*arguments.posonlyargs, *arguments.args]
    padding: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    return [
        *zip(positional, [*padding, *arguments.defaults], strict=True),
        *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True),
    ]
