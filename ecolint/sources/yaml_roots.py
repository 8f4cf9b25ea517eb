"""A YAML file's node graphs, composed once for every reader (training configs, Compose files,
Kubernetes manifests) with the same bounds on aliases and the same messages when it does not
parse."""

from __future__ import annotations

from functools import lru_cache

import yaml

from ecolint.sources.document import Document
from ecolint.sources.python import SourceError
from ecolint.yaml_safe import AliasError, compose_all


@lru_cache(maxsize=16)
def yaml_roots(document: Document) -> tuple[yaml.Node, ...]:
    """The document's YAML node graphs; YAML that does not parse is reported (often a template
    rendered at deploy time, such as a Helm chart: exclude it if so)."""
    try:
        return tuple(compose_all(document.text))
    except AliasError as error:
        raise SourceError(f"YAML not analysed: {error}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SourceError(f"YAML does not parse: {error.problem}", line, column) from None
    except yaml.YAMLError as error:
        raise SourceError(f"YAML does not parse: {error}") from None
