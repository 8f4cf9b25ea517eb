"""The resolver's value cache is keyed by the expression and the call context themselves: a
context that is dropped must not hand its answers to the next one built at the same address."""

from __future__ import annotations

import ast
from pathlib import Path

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.project import Project
from ecolint.analysis.resolver import EMPTY, Resolver
from ecolint.analysis.values import Const, Site


def _function_returning_its_argument(tmp_path: Path) -> tuple[ModuleInfo, Resolver]:
    path = tmp_path / "m.py"
    path.write_text("def identity(x):\n    return x\n", encoding="utf-8")
    project = Project([path])
    return project.load(path), Resolver(project)


def test_short_lived_call_contexts_get_their_own_values(tmp_path: Path) -> None:
    module, resolver = _function_returning_its_argument(tmp_path)
    function = module.functions[0]
    param = function.args.args[0]
    returned = module.returns[function][0].value
    assert isinstance(returned, ast.Name)
    for number in range(50):
        env = EMPTY.extend({param: Const(number)}, Site(module, function))
        value = resolver.value(module, returned, env)
        assert isinstance(value, Const) and value.value == number
        del env  # freed at once: the next context may be built at its address


def test_the_cache_keeps_what_it_is_keyed_by(tmp_path: Path) -> None:
    module, resolver = _function_returning_its_argument(tmp_path)
    function = module.functions[0]
    returned = module.returns[function][0].value
    assert returned is not None
    env = EMPTY.extend({function.args.args[0]: Const(1)}, Site(module, function))
    resolver.value(module, returned, env)
    assert (returned, env, False) in resolver.facts.values
