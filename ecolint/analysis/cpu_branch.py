"""Whether code sits in a branch taken only when the model runs on the CPU.

Scripts that serve on a GPU often keep a CPU fallback: ``if device == torch.device("cpu"):
model.float()`` casts to FP32 only where no GPU is used, which is the norm there. A branch is
CPU-only when its test says so in the ways such fallbacks are written: a comparison with
``"cpu"`` or ``torch.device("cpu")`` (or the ``else`` of one with ``"cuda"``), ``not
torch.cuda.is_available()``, or a flag whose name says CPU (``args.only_cpu``, ``cpu_only``).
"""

from __future__ import annotations

import ast

from ecolint.analysis.loops import dotted
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.parents import parent


def in_cpu_branch(module: ModuleInfo, node: ast.AST) -> bool:
    """Whether ``node`` runs only in a branch whose test says the CPU is used."""
    child, current = node, parent(module, node)
    while current is not None:
        if isinstance(current, (ast.If, ast.IfExp)):
            means_cpu = _means_cpu(current.test)
            if means_cpu is not None and child is not current.test:
                in_body = _holds(current.body, child)
                if means_cpu is in_body:
                    return True
        child, current = current, parent(module, current)
    return False


def _holds(branch: list[ast.stmt] | ast.expr, child: ast.AST) -> bool:
    return child in branch if isinstance(branch, list) else child is branch


def _means_cpu(test: ast.expr) -> bool | None:
    """True when ``test`` holding means the CPU is used, False when it means a GPU is, None
    when it says neither."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _means_cpu(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        parts = [_means_cpu(value) for value in test.values]
        wanted = isinstance(test.op, ast.And)
        return True if (any if wanted else all)(part is True for part in parts) else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return _compared(test.left, test.ops[0], test.comparators[0])
    if isinstance(test, ast.Call) and dotted(test.func).endswith("cuda.is_available"):
        return False
    if isinstance(test, (ast.Name, ast.Attribute)) and "cpu" in dotted(test).rsplit(".", 1)[-1]:
        return True
    return None


def _compared(left: ast.expr, op: ast.cmpop, right: ast.expr) -> bool | None:
    device = _device(left) or _device(right)
    if device is None:
        return None
    if isinstance(op, (ast.Eq, ast.Is, ast.In)):
        return device == "cpu"
    if isinstance(op, (ast.NotEq, ast.IsNot, ast.NotIn)):
        return device != "cpu"
    return None


def _device(node: ast.expr) -> str | None:
    """``cpu`` or ``cuda`` for ``"cpu"``, ``"cuda:0"``, ``torch.device("cpu")``."""
    if isinstance(node, ast.Call) and dotted(node.func).endswith("device") and node.args:
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value == "cpu":
            return "cpu"
        if node.value.startswith("cuda"):
            return "cuda"
    return None
