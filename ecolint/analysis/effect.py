"""Proof of effect: a setting costs energy only if the object it configures goes on to run.

A model loaded and then thrown away (a download warm-up), or used only for what costs no
inference (saving it, reading its weights to push them to a server, printing it), burns nothing
through its precision or quantisation settings. The object is followed from the expression that
builds it: through ``.to()``/``.eval()`` chains, the names it is bound to, and into the scanned
functions it is passed to (a few calls deep). Anything else that takes it (a generate call, a
forward call, a trainer, an unknown function, a return, a container, an attribute of another
object, a global that other modules may import) may run it, so it counts as running: the
analysis only clears objects it can see all the uses of.
"""

from __future__ import annotations

import libcst as cst

from ecolint.analysis.bindings import Binding, Scope
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
# Attributes read without running the model.
_IDLE_ATTRIBUTES = frozenset({"config", "device", "dtype", "generation_config", "name_or_path"})
_IDLE_BUILTINS = frozenset(
    {"builtins.print", "builtins.len", "builtins.id", "builtins.repr", "builtins.str",
     "builtins.type", "builtins.isinstance", "builtins.hasattr", "builtins.getattr"}
)  # fmt: skip
_FOLLOW_DEPTH = 3  # scanned functions followed into from the first use


def may_run(resolver: Resolver, module: ModuleInfo, node: cst.BaseExpression) -> bool:
    """Whether the object built by ``node`` (a call) may run: False only when every use of it is
    seen and none runs it."""
    return resolver.facts.memo(
        ("may-run", module, node), lambda: _Follow(resolver).value_runs(module, node, 0)
    )


class _Follow:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.seen: set[tuple[ModuleInfo, Binding]] = set()

    def value_runs(self, module: ModuleInfo, node: cst.BaseExpression, depth: int) -> bool:
        node = _outer_chain(module, node)
        holder = parent(module, node)
        if isinstance(holder, cst.Expr):
            return False  # built and thrown away
        if isinstance(holder, (cst.Assign, cst.AnnAssign)) and holder.value is node:
            targets = (
                [target.target for target in holder.targets]
                if isinstance(holder, cst.Assign)
                else [holder.target]
            )
            return any(self.target_runs(module, target, depth) for target in targets)
        if isinstance(holder, cst.Arg):
            return self.argument_runs(module, holder, depth)
        return True

    def target_runs(self, module: ModuleInfo, target: cst.BaseExpression, depth: int) -> bool:
        if isinstance(target, (cst.Tuple, cst.List)) and target.elements:
            target = target.elements[0].value  # ``model, tokenizer = loader(...)``
        if not isinstance(target, cst.Name):
            return True  # ``self.model = ...``: an attribute of another object
        binding = _bound_at(module, target)
        return binding is None or self.binding_runs(module, binding, depth)

    def binding_runs(self, module: ModuleInfo, binding: Binding, depth: int) -> bool:
        key = (module, binding)
        if key in self.seen:
            return False
        self.seen.add(key)
        if binding.scope.kind == "module" and module.notebook is None and not _main_only(binding):
            return True  # a global other modules may import
        reads = _reads_of(self.resolver, module, binding)
        return any(self.read_runs(module, read, depth) for read in reads)

    def read_runs(self, module: ModuleInfo, read: cst.Name, depth: int) -> bool:
        holder = parent(module, read)
        if isinstance(holder, cst.Attribute) and holder.value is read:
            return self.attribute_runs(module, holder, depth)
        if isinstance(holder, (cst.Del, cst.AssignTarget)):
            return False
        if isinstance(holder, cst.Assign) and holder.value is read:
            return self.value_runs(module, read, depth)
        if isinstance(holder, cst.Arg):
            return self.argument_runs(module, holder, depth)
        return True

    def attribute_runs(self, module: ModuleInfo, attribute: cst.Attribute, depth: int) -> bool:
        name = attribute.attr.value
        holder = parent(module, attribute)
        if isinstance(holder, cst.Call) and holder.func is attribute:
            if name in SELF_RETURNING:
                return self.value_runs(module, holder, depth)
            return name not in _IDLE_METHODS
        if name in _IDLE_ATTRIBUTES:
            return False
        return self.value_runs(module, attribute, depth)  # a part of the object is followed

    def argument_runs(self, module: ModuleInfo, argument: cst.Arg, depth: int) -> bool:
        call = parent(module, argument)
        if not isinstance(call, cst.Call) or argument.star:
            return True
        callee = self.resolver.value(module, call.func)
        if isinstance(callee, Ref):
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
        self, module: ModuleInfo, function: cst.FunctionDef, param: cst.Param
    ) -> Binding | None:
        scopes = self.resolver.facts.memo(
            ("scopes-by-node", module),
            lambda: {scope.node: scope for scope in set(module.scope_of.values())},
        )
        scope = scopes.get(function)
        bindings = scope.bindings.get(param.name.value, []) if scope is not None else []
        return next((b for b in bindings if b.param is param), None)


def _quantizes(qualname: str) -> bool:
    """torchao's ``quantize_(model, config)`` converts the weights in place; the model runs
    only if something runs it afterwards."""
    return qualname.startswith("torchao.") and qualname.endswith(".quantize_")


def _outer_chain(module: ModuleInfo, node: cst.BaseExpression) -> cst.BaseExpression:
    """``load(...).to("cuda").eval()``: the last call of the chain is still the object."""
    while True:
        holder = parent(module, node)
        call = parent(module, holder) if holder is not None else None
        if not (
            isinstance(holder, cst.Attribute)
            and holder.value is node
            and holder.attr.value in SELF_RETURNING
            and isinstance(call, cst.Call)
            and call.func is holder
        ):
            return node
        node = call


def _parameter(
    call: cst.Call, argument: cst.Arg, function: cst.FunctionDef, module: ModuleInfo
) -> cst.Param | None:
    params = function.params
    positional = [*params.posonly_params, *params.params]
    if argument.keyword is not None:
        named = (*positional, *params.kwonly_params)
        return next((p for p in named if p.name.value == argument.keyword.value), None)
    if isinstance(call.func, cst.Attribute) and _is_method(module, function):
        positional = positional[1:]  # ``obj.method(x)``: ``self`` is bound already
    index = [arg for arg in call.args if arg.keyword is None].index(argument)
    return positional[index] if index < len(positional) else None


def _is_method(module: ModuleInfo, function: cst.FunctionDef) -> bool:
    decorators = {
        d.decorator.value for d in function.decorators if isinstance(d.decorator, cst.Name)
    }
    in_class = any(
        binding.node is function
        for scope in module.class_scopes.values()
        for binding in scope.bindings.get(function.name.value, [])
    )
    return in_class and "staticmethod" not in decorators


def _main_only(binding: Binding) -> bool:
    """Bound under ``if __name__ == "__main__":``: a script's own, no importer sees it."""
    return any(
        guard.polarity and "__main__" in _code(guard.test) and "__name__" in _code(guard.test)
        for guard in binding.guards
    )


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _bound_at(module: ModuleInfo, target: cst.Name) -> Binding | None:
    scope = module.scope_of.get(target)
    if scope is None:
        return None
    return next((b for b in scope.bindings.get(target.value, []) if b.node is target), None)


def _reads_of(resolver: Resolver, module: ModuleInfo, binding: Binding) -> list[cst.Name]:
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


def _collect_reads(module: ModuleInfo) -> dict[str, list[cst.Name]]:
    """Every name the module reads, by name: of the names the index saw, those that are not a
    binding's target, an attribute's or keyword's name, a definition's name or part of an
    import or a ``global`` declaration."""
    targets = {
        binding.node
        for scope in {*module.scope_of.values(), module.root}
        for bindings in scope.bindings.values()
        for binding in bindings
    }
    reads: dict[str, list[cst.Name]] = {}
    for node in module.scope_of:
        if isinstance(node, cst.Name) and node not in targets and _is_read(module, node):
            reads.setdefault(node.value, []).append(node)
    return reads


def _is_read(module: ModuleInfo, name: cst.Name) -> bool:
    holder = parent(module, name)
    if isinstance(holder, cst.Attribute):
        if holder.attr is name:
            return False
        while isinstance(holder, cst.Attribute):
            holder = parent(module, holder)  # ``import a.b``
    if isinstance(holder, cst.Arg):
        return holder.keyword is not name
    if isinstance(holder, (cst.FunctionDef, cst.ClassDef, cst.Param)):
        return holder.name is not name
    return not isinstance(holder, _NOT_READS)


_NOT_READS = (cst.Import, cst.ImportFrom, cst.ImportAlias, cst.AsName, cst.NameItem)
