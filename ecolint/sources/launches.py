"""What a deployment file starts: programs with their arguments, environment and image.

Serving is configured mostly outside Python: a Dockerfile's ``CMD``, a Compose service's
``command:``, a Kubernetes container's ``args``/``env``, a ``serve.sh``. Each reader turns its
file kind into the same ``Launch`` records, so the rules judge a ``--quantize bitsandbytes`` the
same way wherever it is written. Every word keeps the place a reader would change: the word
itself, or the assignment a shell variable came from.
"""

from __future__ import annotations

from functools import lru_cache

from ecolint.sources.dockerfile import dockerfile_launches
from ecolint.sources.document import Document
from ecolint.sources.launch_model import Launch
from ecolint.sources.manifests import manifest_launches
from ecolint.sources.shell_script import script_launches

SERVING_KINDS = frozenset({"dockerfile", "shell", "yaml"})
READERS = {"dockerfile": dockerfile_launches, "shell": script_launches, "yaml": manifest_launches}


@lru_cache(maxsize=16)
def launches(document: Document) -> tuple[Launch, ...]:
    """The launches of a document of a serving kind, read once for all the rules. YAML that is
    neither a Compose file nor a Kubernetes manifest has none."""
    reader = READERS.get(document.kind)
    return tuple(reader(document)) if reader is not None else ()
