"""The role of the code a finding is about, and the one place the default policy is applied.

Real trees are mostly tests, library helpers, benchmarks and training code, where settings
that waste energy at inference are chosen on purpose. Every report's site gets roles:

- ``test``: test files and folders by pytest's and unittest's discovery conventions,
  ``conftest.py``, ``test_*`` functions and ``Test*`` classes, ``unittest.TestCase`` methods,
  ``@pytest.fixture`` functions, ``pytest.raises``/``assertRaises`` blocks; Dockerfiles and
  shell scripts that run a test suite or install test extras (CI images);
- ``library-option``: code that runs only when a caller-supplied value allows it, off or
  unknown by default (the caller decides, and is reported where it decides);
- ``benchmark``: code timed on purpose, or in a function named or decorated as a benchmark;
- ``training`` and ``inference``: what the model object, else the function or notebook cell,
  does; a YAML config with training keys (a learning rate, epochs, a LoRA rank) trains.

A rule's YAML lists the roles it reports (``roles:``). A report is kept when its site's work
roles (training, inference) meet the rule's, and each of its other roles is one the rule
reports; test code is reported only with ``include-tests = true``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.resolver import Resolver
from ecolint.analysis.roles.options import is_library_option
from ecolint.analysis.roles.testing import in_test_code, is_test_infrastructure, is_test_path
from ecolint.analysis.roles.timing import in_benchmark
from ecolint.analysis.roles.work import work_roles
from ecolint.analysis.values import LineSpan, Site
from ecolint.analysis.yaml_configs import trains
from ecolint.config import Settings
from ecolint.rules import WORK_ROLES, Rule
from ecolint.sources.document import TextSpan


def site_roles(resolver: Resolver | None, site: object, root: Path) -> frozenset[str]:
    """The roles of the code at a report's site. Without a resolver (a dependency file) or a
    syntax node (a file that was not analysed), only its path counts."""
    module = site.module if isinstance(site, (Site, LineSpan)) else None
    if module is not None:
        path = module.path
    elif isinstance(site, TextSpan):
        path = site.document.path
    else:
        path = getattr(site, "path", None)
    if not isinstance(path, Path):
        return frozenset()
    test = is_test_path(path, root)
    if isinstance(site, TextSpan):
        test = test or is_test_infrastructure(site.document)
    roles: set[str] = {"test"} if test else set()
    if isinstance(site, TextSpan) and site.document.kind == "yaml" and trains(site.document):
        roles.add("training")
    if isinstance(site, Site) and resolver is not None and module is not None:
        roles |= _code_roles(resolver, module, site.node)
    return frozenset(roles)


def _code_roles(resolver: Resolver, module: ModuleInfo, node: ast.AST) -> set[str]:
    def compute() -> frozenset[str]:
        roles = set(work_roles(resolver, module, node))
        if in_test_code(resolver, module, node):
            roles.add("test")
        if is_library_option(resolver, module, node):
            roles.add("library-option")
        if in_benchmark(resolver, module, node):
            roles.add("benchmark")
        return frozenset(roles)

    return set(resolver.facts.memo(("site-roles", module, node), compute))


def allowed(site: object, rule: Rule, settings: Settings, resolver: Resolver | None) -> bool:
    """The default policy: whether a report at ``site`` is shown, given the site's roles and
    the rule's."""
    roles = site_roles(resolver, site, settings.root)
    if "test" in roles and not settings.include_tests:
        return False
    other = roles - WORK_ROLES - {"test"}
    work = roles & WORK_ROLES
    return other <= rule.roles and (not work or bool(work & rule.roles))
