"""Dependencies that deployment files install: ``pip install`` and ``conda install`` in a
Dockerfile's ``RUN``, a shell script, or a container's ``sh -c`` script, each word reported
where it is written (or where the variable it came from is set)."""

from __future__ import annotations

from collections.abc import Iterator

from ecolint.analysis.dependencies.code import install_dependencies
from ecolint.analysis.dependencies.model import Dependency
from ecolint.analysis.project import Project
from ecolint.sources.document import Document
from ecolint.sources.launches import launches
from ecolint.sources.requirements import Token


def launch_installs(project: Project, document: Document) -> Iterator[Dependency]:
    for launch in launches(document):
        if not any(word.text in ("install", "add") for word in launch.argv):
            continue
        words = [Token(word.text or "") for word in launch.argv]
        spans = [word.span for word in launch.argv]
        yield from install_dependencies(project, document, words, spans.__getitem__)
