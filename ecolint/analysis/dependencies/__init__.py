"""Every dependency a scanned project declares, with where it is declared: the facts the
software-stack rules share (ECO301 nightly builds, ECO302 stack drift).

Sources: requirement and constraint files (``-r``/``-c`` includes followed relative to the
including file), ``pyproject.toml`` (PEP 621, PEP 735 groups, build requirements, Poetry, PDM,
uv), ``setup.cfg``, conda environment files (conda specs with their channels, ``pip:``
lists), ``setup()`` calls (``install_requires``/``extras_require`` resolved like any other
value), ``subprocess``/``os.system`` calls that run ``pip install`` or ``conda install``, a
notebook's ``!pip``/``%pip`` lines, and the install commands of deployment files (a
Dockerfile's ``RUN``, a shell script, a container's ``sh -c``). Install options in force for a
dependency (index URLs, conda channels) travel with it, since
whether a build is nightly can depend on them. Nothing is installed, imported or fetched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ecolint.analysis.dependencies.code import command_calls, notebook_commands, setup_calls
from ecolint.analysis.dependencies.launches import launch_installs
from ecolint.analysis.dependencies.model import (
    SAME_COMMAND,
    Dependency,
    Option,
    parse_requirement,
    requirement_file,
)
from ecolint.analysis.dependencies.tables import conda_env, pyproject, setup_cfg
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.project import Project
from ecolint.analysis.resolver import Resolver
from ecolint.sources.document import Document

__all__ = ["SAME_COMMAND", "Dependency", "Option", "dependencies", "parse_requirement"]

READERS: dict[str, Callable[[Project, Document], Iterable[Dependency]]] = {
    "requirements": requirement_file,
    "pyproject": pyproject,
    "setup_cfg": setup_cfg,
    "conda_env": conda_env,
    "dockerfile": launch_installs,
    "shell": launch_installs,
    "yaml": launch_installs,
}


def dependencies(resolver: Resolver, unit: ModuleInfo | Document) -> list[Dependency]:
    """The unit's dependencies, extracted once per run and shared by every rule."""
    return resolver.facts.memo(("dependencies", unit.path), lambda: list(_extract(resolver, unit)))


def _extract(resolver: Resolver, unit: ModuleInfo | Document) -> Iterator[Dependency]:
    if isinstance(unit, ModuleInfo):
        yield from setup_calls(resolver, unit)
        yield from command_calls(resolver, unit)
        if unit.notebook is not None:
            yield from notebook_commands(resolver.project, unit)
        return
    reader = READERS.get(unit.kind)
    if reader is not None:
        yield from reader(resolver.project, unit)
