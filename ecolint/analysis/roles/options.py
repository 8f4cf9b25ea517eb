"""Library options: code that runs only when a caller-supplied value (a parameter, or an
attribute or item of one; a command-line option read from another module, such as a web UI's
``shared.args.load_in_8bit``) says so, and whose default does not. ``def quantization_config(opts):
if opts.load_in_8bit: return BitsAndBytesConfig(load_in_8bit=True)`` offers 8-bit loading; the
caller decides. A call in the scanned module that passes a value turning the branch on makes
the decision there, and the branch is reported as before."""

from __future__ import annotations

import ast

from ecolint.analysis.bindings import Guard
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.roles.tree import ancestors
from ecolint.analysis.values import alternatives, truth
from ecolint.sources.ast_children import child_nodes


def is_library_option(resolver: Resolver, module: ModuleInfo, node: ast.AST) -> bool:
    """Some guard of ``node`` tests a parameter and is off (or unknown) by default and in
    every call the module makes of the function."""
    tracked = next((up for up in (node, *ancestors(module, node)) if up in module.guards_of), None)
    if tracked is None:
        return False
    guards = [
        guard
        for guard in module.guards_of[tracked]
        if _tests_parameter(resolver, module, guard) or _tests_option(resolver, module, guard)
    ]
    if not guards:
        return False
    for env in resolver.contexts(module, tracked):
        if all(
            truth(resolver.value(module, guard.test, env)) == guard.polarity for guard in guards
        ):
            return False
    return True


def _tests_parameter(resolver: Resolver, module: ModuleInfo, guard: Guard) -> bool:
    if guard.scope.kind not in ("function", "lambda"):
        return False
    pending: list[ast.AST] = [guard.test]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Name):
            binding = resolver.lookup(module, node)
            if binding is not None and binding.kind == "param":
                return True
        if isinstance(node, ast.Attribute):
            pending.append(node.value)  # ``opts.load_in_8bit``: the owner, not the attribute
            continue
        pending.extend(child_nodes(node))
    return False


def _tests_option(resolver: Resolver, module: ModuleInfo, guard: Guard) -> bool:
    """The tested value is a command-line option's default (``argparse``): whoever starts the
    program turns the branch on. Conditions do not follow imports (``shared.args.x`` of another
    module stays unknown there), so the value is looked up here."""
    return guard.scope.kind in ("function", "lambda") and any(
        hop.kind == "argparse_default"
        for option in alternatives(resolver.value(module, guard.test))
        for hop in option.via
    )
