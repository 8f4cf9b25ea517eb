"""The run's memory of what it has worked out about the scanned code.

Every rule asks about the same modules, so a fact computed once (an expression's value in a
call context, a module's request handlers, its loops) is kept for the rest of the run. Keys are
the objects themselves (nodes, call contexts, modules), never their ``id()``: an object held as
a key cannot be collected, so no later object can take over its identity and its answers.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ecolint.analysis.resolver.call_context import Env
    from ecolint.analysis.values import Value

T = TypeVar("T")

# An expression, the call context it is evaluated in, and whether it is a branch condition.
ValueKey = tuple[ast.expr, "Env", bool]


class Facts:
    def __init__(self) -> None:
        self.values: dict[ValueKey, Value] = {}
        self._derived: dict[Hashable, Any] = {}

    def clear(self) -> None:
        """Forget every fact: the modules they are about are being let go."""
        self.values.clear()
        self._derived.clear()

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A fact derived from a module (shared by all rules), computed on first request."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[no-any-return]
