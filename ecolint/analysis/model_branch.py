"""Whether code sits in a branch taken only for one family of models, chosen by its name.

Serving code that loads many checkpoints keeps per-family workarounds: ``if 'falcon' in
base_model.lower(): config.use_cache = False`` (Falcon's early remote code failed with the cache
across threads). Such a setting is what that family needs to run at all, not a default the code
forgot; advice to drop it would break the family it was written for. A branch is for a family
when its test looks for a name in an expression that names a model: ``"falcon" in model_name``,
``model_path.startswith("llama")``, ``config.model_type == "falcon"``.
"""

from __future__ import annotations

import ast
import re

from ecolint.analysis.loops import dotted
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.parents import parent

_FAMILY = re.compile(r"[A-Za-z][\w.-]*")  # ``falcon``, ``llama-2``, ``Qwen2.5``


def in_model_branch(module: ModuleInfo, node: ast.AST) -> bool:
    """Whether ``node`` runs only in the body of an ``if`` whose test picks models by name."""
    child, current = node, parent(module, node)
    while current is not None:
        if isinstance(current, ast.If) and child in current.body and _picks_model(current.test):
            return True
        child, current = current, parent(module, current)
    return False


def _picks_model(test: ast.expr) -> bool:
    if isinstance(test, ast.BoolOp):
        return any(_picks_model(value) for value in test.values)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(op, ast.In):
            return _name(left) and _names_model(right)
        if isinstance(op, ast.Eq):
            return (_name(left) and _names_model(right)) or (_name(right) and _names_model(left))
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
        starts = test.func.attr in ("startswith", "endswith")
        return starts and bool(test.args) and _name(test.args[0]) and _names_model(test.func.value)
    return False


def _name(node: ast.expr) -> bool:
    """A family's name written out: ``"falcon"`` (one word, not a list of them)."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    return _FAMILY.fullmatch(node.value) is not None


def _names_model(node: ast.expr) -> bool:
    """An expression holding a model's name or type: ``base_model.lower()``, ``args.model_name``,
    ``config.model_type``."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value  # ``base_model.lower()``
    return "model" in dotted(node).rsplit(".", 1)[-1].lower()
