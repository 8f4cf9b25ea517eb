"""The arguments a function body is evaluated with."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ecolint.analysis.values import Site, Value


@dataclass(eq=False)
class Env:
    """Argument values bound to function parameters for one call context.

    Compared and hashed by identity: each call site makes its own context, and the value cache
    keeps the context it was asked about alive with the answer."""

    params: dict[ast.arg, Value] = field(default_factory=dict)
    call: Site | None = None

    def extend(self, params: dict[ast.arg, Value], call: Site) -> Env:
        return Env({**self.params, **params}, call)


EMPTY = Env()
