"""The arguments of an ``ast.Call`` as a reader counts them.

``ast`` keeps positional arguments and keywords in two lists; rules that ask for "the second
argument" mean the second one written, whether or not it is named.
"""

from __future__ import annotations

import ast


def argument_values(call: ast.Call) -> list[ast.expr]:
    """Every argument's expression in the order written (positional ones come first)."""
    return [*call.args, *(keyword.value for keyword in call.keywords)]


def argument_count(call: ast.Call) -> int:
    return len(call.args) + len(call.keywords)
