"""Helpers several checks share (not a check itself: it defines no ``code``)."""

from __future__ import annotations

from pathlib import Path

from ecolint.checks.base import CheckContext
from ecolint.evidence.models import ModelSize, resolve_model_size


def model_size(context: CheckContext, near: Path, model_id: str) -> ModelSize | None:
    """Resolve a model id, also as a local directory next to the file that names it or in the
    scanned tree."""
    return resolve_model_size(model_id, context.user_models, (near.parent, *context.search_dirs))
