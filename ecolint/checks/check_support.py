"""What several checks share: model sizes and convention evidence, and how a resolved value,
where it was set and the call it belongs to read in a message (not a check: it defines no
``code``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ecolint.analysis.hf_loading import ModelLoad, last_name
from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.origin import describe_origin, inside, where
from ecolint.analysis.resolver import Env, Resolver
from ecolint.analysis.values import Const, Ref, Site, Value, alternatives
from ecolint.checks.base import CheckContext
from ecolint.evidence.models import ModelSize, resolve_model_size
from ecolint.evidence.select import Evidence, convention
from ecolint.i18n import Phrase, phrase


def model_size(context: CheckContext, near: Path, model_id: str) -> ModelSize | None:
    """Resolve a model id, also as a local directory next to the file that names it or in the
    scanned tree."""
    return resolve_model_size(model_id, context.user_models, (near.parent, *context.search_dirs))


def load_size(context: CheckContext, load: ModelLoad | None) -> ModelSize | None:
    """The size of the first of a load's possible model ids that resolves."""
    if load is None:
        return None
    near = load.site.module.path
    sizes = (model_size(context, near, model_id) for model_id, _ in load.model_ids)
    return next((size for size in sizes if size is not None), None)


def convention_evidence(
    context: CheckContext,
    missing: str,
    load: ModelLoad | None = None,
    precisions: tuple[str, ...] = (),
) -> Evidence:
    """The evidence every convention rule (ECO4xx) attaches: see ``select.convention``."""
    return convention(context.gpu, missing, precisions, load_size(context, load))


def known_constants(value: Value) -> tuple[Any, ...] | None:
    """Every literal a value can take, or None when any of its alternatives is not a literal."""
    found = []
    for option in alternatives(value):
        if not isinstance(option, Const):
            return None
        found.append(option.value)
    return tuple(found)


def origin_note(value: Value, site: Site, context: Site | None = None) -> Phrase | str:
    """`` (set by USE_CACHE at line 4)`` when the value is written elsewhere, else empty."""
    origin = describe_origin(value, site, context)
    return phrase("origin.parenthesised", origin=origin) if origin else ""


def render(value: Value) -> str:
    """Short source-like text for a resolved value: ``torch.float32``, ``"eager"``, ``False``."""
    for option in alternatives(value):
        if isinstance(option, Ref):
            return option.qualname
        if isinstance(option, Const):
            return f'"{option.value}"' if isinstance(option.value, str) else repr(option.value)
    return "?"


def callee(load: ModelLoad, site: Site) -> Phrase | str:
    """``AutoModelForCausalLM.from_pretrained()`` or ``pipeline()`` for messages, and where the
    call is when the reported ``site`` lies outside it (an option defined in another place)."""
    parts = load.loader.split(".")
    name = ".".join(parts[-2:] if last_name(load.loader) == "from_pretrained" else parts[-1:])
    if inside(site, load.site):
        return f"{name}()"
    return phrase("origin.call_at", call=f"{name}()", where=where(load.site, site))


def run_contexts(resolver: Resolver, module: ModuleInfo, node: ast.AST) -> Iterator[Env]:
    """The call contexts in which ``node`` runs on the default path."""
    for env in resolver.contexts(module, node):
        if resolver.reachable(module, node, env):
            yield env


def may_pass(call: ast.Call, keyword: str) -> bool:
    """Whether a call passes ``keyword``, literally or possibly through ``**`` expansion."""
    return any(arg.arg is None or arg.arg == keyword for arg in call.keywords)
