"""Proof of effect: a setting costs energy only if the object it configures goes on to run.

A model loaded and then thrown away (a download warm-up), or used only for what costs no
inference (saving it, reading its weights to push them to a server, printing it), burns nothing
through its precision or quantisation settings. The object is followed from the expression that
builds it: through ``.to()``/``.eval()`` chains, the names it is bound to, and into the scanned
functions it is passed to (a few calls deep). Anything else that takes it (a generate call, a
forward call, a trainer, an unknown function, a return, a container, an attribute of another
object, a global that other modules may import) may run it, so it counts as running: the
analysis only clears objects it can see all the uses of. An export script's globals (no function
or class, a model saved at its top level) are its own: nobody imports a script that saves a model
to reach it. trl's ``setup_chat_format`` and peft's ``get_peft_model`` return the model they
are given, so their result is followed instead.
"""

from __future__ import annotations

import ast

from ecolint.analysis.bindings import Binding, Scope, parameters
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.parents import parent
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.values import FuncVal, Ref

# nn.Module methods that return the module itself: ``from_pretrained(...).to("cuda").eval()``
# is still the loaded model.
SELF_RETURNING = frozenset({"to", "cuda", "cpu", "float", "half", "bfloat16", "eval"})
# Methods of a model that read or write it without running it.
_IDLE_METHODS = frozenset(
    {
        "buffers", "enable_input_require_grads", "get_input_embeddings", "get_memory_footprint",
        "get_output_embeddings", "gradient_checkpointing_enable", "load_state_dict", "modules",
        "named_buffers", "named_modules", "named_parameters", "num_parameters", "parameters",
        "print_trainable_parameters", "push_to_hub", "resize_token_embeddings", "save_pretrained",
        "state_dict", "tie_weights",
    }
)  # fmt: skip
# Methods that write a model out: a flat script that calls them at its top level exports it.
_SAVING = frozenset({"save_pretrained", "push_to_hub"})
# Attributes read without running the model.
_IDLE_ATTRIBUTES = frozenset({"config", "device", "dtype", "generation_config", "name_or_path"})
# Functions of trl and peft that return the model they are given, without running it (a chat
# format, an adapter around it): what becomes of their result is what becomes of the model.
_WRAPPERS = frozenset({"setup_chat_format", "get_peft_model", "prepare_model_for_kbit_training"})
_IDLE_BUILTINS = frozenset(
    {"builtins.print", "builtins.len", "builtins.id", "builtins.repr", "builtins.str",
     "builtins.type", "builtins.isinstance", "builtins.hasattr", "builtins.getattr"}
)  # fmt: skip
_FOLLOW_DEPTH = 3  # scanned functions followed into from the first use
Function = ast.FunctionDef | ast.AsyncFunctionDef
Argument = ast.keyword | ast.expr  # a keyword, or an expression passed by position


def may_run(resolver: Resolver, module: ModuleInfo, node: ast.expr) -> bool:
    """Whether the object built by ``node`` (a call) may run: False only when every use of it is
    seen and none runs it."""
    return resolver.facts.memo(
        ("may-run", module, node), lambda: _Follow(resolver).value_runs(module, node, 0)
    )


class _Follow:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.seen: set[tuple[ModuleInfo, Binding]] = set()

    def value_runs(self, module: ModuleInfo, node: ast.expr, depth: int) -> bool:
        node = _outer_chain(module, node)
        holder = parent(module, node)
        if isinstance(holder, ast.Expr):
            return False  # built and thrown away
        if isinstance(holder, (ast.Assign, ast.AnnAssign)) and holder.value is node:
            targets = holder.targets if isinstance(holder, ast.Assign) else [holder.target]
            return any(self.target_runs(module, target, depth) for target in targets)
        argument = _argument(holder, node)
        if argument is not None:
            return self.argument_runs(module, argument, depth)
        return True

    def target_runs(self, module: ModuleInfo, target: ast.expr, depth: int) -> bool:
        if isinstance(target, (ast.Tuple, ast.List)) and target.elts:
            target = target.elts[0]  # ``model, tokenizer = loader(...)``
        if not isinstance(target, ast.Name):
            return True  # ``self.model = ...``: an attribute of another object
        binding = _bound_at(module, target)
        return binding is None or self.binding_runs(module, binding, depth)

    def binding_runs(self, module: ModuleInfo, binding: Binding, depth: int) -> bool:
        key = (module, binding)
        if key in self.seen:
            return False
        self.seen.add(key)
        if binding.scope.kind == "module" and not _own_global(module, binding):
            return True  # a global other modules may import
        reads = _reads_of(self.resolver, module, binding)
        return any(self.read_runs(module, read, depth) for read in reads)

    def read_runs(self, module: ModuleInfo, read: ast.Name, depth: int) -> bool:
        holder = parent(module, read)
        if isinstance(holder, ast.Attribute) and holder.value is read:
            return self.attribute_runs(module, holder, depth)
        if isinstance(read.ctx, ast.Del):
            return False
        if isinstance(holder, ast.Assign) and holder.value is read:
            return self.value_runs(module, read, depth)
        argument = _argument(holder, read)
        if argument is not None:
            return self.argument_runs(module, argument, depth)
        return True

    def attribute_runs(self, module: ModuleInfo, attribute: ast.Attribute, depth: int) -> bool:
        name = attribute.attr
        holder = parent(module, attribute)
        if isinstance(holder, ast.Call) and holder.func is attribute:
            if name in SELF_RETURNING:
                return self.value_runs(module, holder, depth)
            return name not in _IDLE_METHODS
        if name in _IDLE_ATTRIBUTES:
            return False
        return self.value_runs(module, attribute, depth)  # a part of the object is followed

    def argument_runs(self, module: ModuleInfo, argument: Argument, depth: int) -> bool:
        """``argument`` is a keyword or a positional argument of the call that holds it."""
        call = parent(module, argument)
        unpacked = isinstance(argument, ast.keyword) and not argument.arg
        if not isinstance(call, ast.Call) or unpacked:
            return True
        callee = self.resolver.value(module, call.func)
        if isinstance(callee, Ref):
            if _wraps(callee.qualname):
                return self.value_runs(module, call, depth)
            return callee.qualname not in _IDLE_BUILTINS and not _quantizes(callee.qualname)
        if not isinstance(callee, FuncVal) or callee.module is None or callee.node is None:
            return True
        if depth >= _FOLLOW_DEPTH:
            return True
        param = _parameter(call, argument, callee.node, callee.module)
        if param is None:
            return True
        binding = self._parameter_binding(callee.module, callee.node, param)
        return binding is None or self.binding_runs(callee.module, binding, depth + 1)

    def _parameter_binding(
        self, module: ModuleInfo, function: Function, param: ast.arg
    ) -> Binding | None:
        scopes = self.resolver.facts.memo(
            ("scopes-by-node", module),
            lambda: {scope.node: scope for scope in set(module.scope_of.values())},
        )
        scope = scopes.get(function)
        bindings = scope.bindings.get(param.arg, []) if scope is not None else []
        return next((b for b in bindings if b.param is param), None)


def _wraps(qualname: str) -> bool:
    package, _, name = qualname.partition(".")
    return package in ("trl", "peft") and qualname.rsplit(".", 1)[-1] in _WRAPPERS and bool(name)


def _quantizes(qualname: str) -> bool:
    """torchao's ``quantize_(model, config)`` converts the weights in place; the model runs
    only if something runs it afterwards."""
    return qualname.startswith("torchao.") and qualname.endswith(".quantize_")


def _outer_chain(module: ModuleInfo, node: ast.expr) -> ast.expr:
    """``load(...).to("cuda").eval()``: the last call of the chain is still the object."""
    while True:
        holder = parent(module, node)
        call = parent(module, holder) if holder is not None else None
        if not (
            isinstance(holder, ast.Attribute)
            and holder.value is node
            and holder.attr in SELF_RETURNING
            and isinstance(call, ast.Call)
            and call.func is holder
        ):
            return node
        node = call


def _argument(holder: ast.AST | None, node: ast.AST) -> Argument | None:
    """``node`` as an argument of a call: its keyword, or itself when passed by position
    (a ``*spread`` is held by its ``Starred``, which is not followed)."""
    if isinstance(holder, ast.keyword):
        return holder
    if isinstance(holder, ast.Call) and holder.func is not node and isinstance(node, ast.expr):
        return node
    return None


def _parameter(
    call: ast.Call, argument: Argument, function: Function, module: ModuleInfo
) -> ast.arg | None:
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    if isinstance(argument, ast.keyword):
        named = [param for param, _ in parameters(arguments)]
        return next((p for p in named if p.arg == argument.arg), None)
    if isinstance(call.func, ast.Attribute) and _is_method(module, function):
        positional = positional[1:]  # ``obj.method(x)``: ``self`` is bound already
    index = next(position for position, arg in enumerate(call.args) if arg is argument)
    return positional[index] if index < len(positional) else None


def _is_method(module: ModuleInfo, function: Function) -> bool:
    decorators = {d.id for d in function.decorator_list if isinstance(d, ast.Name)}
    in_class = any(
        binding.node is function
        for scope in module.class_scopes.values()
        for binding in scope.bindings.get(function.name, [])
    )
    return in_class and "staticmethod" not in decorators


def _own_global(module: ModuleInfo, binding: Binding) -> bool:
    """A global no other module imports: one of a notebook, one bound under ``if __name__ ==
    "__main__":``, or one of an export script (no function or class, and its top level saves a
    model: ``model.save_pretrained(...)``), which nobody imports, since that would export again."""
    if module.notebook is not None or _main_only(binding):
        return True
    body = module.module.body
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return not any(isinstance(statement, definitions) for statement in body) and any(
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Attribute)
        and statement.value.func.attr in _SAVING
        for statement in body
    )


def _main_only(binding: Binding) -> bool:
    """Bound under ``if __name__ == "__main__":``: a script's own, no importer sees it."""
    return any(
        guard.polarity and "__main__" in _code(guard.test) and "__name__" in _code(guard.test)
        for guard in binding.guards
    )


def _code(node: ast.AST) -> str:
    return ast.unparse(node)


def _bound_at(module: ModuleInfo, target: ast.Name) -> Binding | None:
    scope = module.scope_of.get(target)
    if scope is None:
        return None
    return next((b for b in scope.bindings.get(target.id, []) if b.node is target), None)


def _reads_of(resolver: Resolver, module: ModuleInfo, binding: Binding) -> list[ast.Name]:
    """The names that may read the binding: the same name, resolved to the same scope, after
    the binding (or anywhere in a nested function, which may run later)."""
    found = []
    reads = resolver.facts.memo(("name-reads", module), lambda: _collect_reads(module))
    for read in reads.get(binding.name, []):
        scope = module.scope_of.get(read)
        if scope is None or _resolving_scope(scope, binding.name) is not binding.scope:
            continue
        if scope is not binding.scope or module.order_of.get(read, 0) > binding.order:
            found.append(read)
    return found


def _resolving_scope(scope: Scope, name: str) -> Scope | None:
    first = True
    current: Scope | None = scope
    while current is not None:
        if name in current.global_names:
            while current.parent is not None:
                current = current.parent
            return current
        visible = current.kind != "class" or first
        if visible and name in current.bindings and name not in current.nonlocal_names:
            return current
        first = False
        current = current.parent
    return None


def _collect_reads(module: ModuleInfo) -> dict[str, list[ast.Name]]:
    """Every name the module reads or deletes, by name: of the names the index saw, those
    that are not a binding's target nor stored to (``ast`` keeps definition, keyword and
    import names as strings, so every ``Name`` node is a use)."""
    targets = {
        binding.node
        for scope in {*module.scope_of.values(), module.root}
        for bindings in scope.bindings.values()
        for binding in bindings
    }
    reads: dict[str, list[ast.Name]] = {}
    for node in module.scope_of:
        stored = isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
        if isinstance(node, ast.Name) and node not in targets and not stored:
            reads.setdefault(node.id, []).append(node)
    return reads
