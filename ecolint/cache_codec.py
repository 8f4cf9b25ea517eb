"""Cache entries as plain JSON data, never as code.

The cache lives inside the scanned tree, so a repository can commit entries of its own: an
entry is data that ecolint rebuilds itself. Only the dataclasses named in ``ALLOWED`` (by
module, imported on first use) and a few plain types are encoded; on reading, each dataclass
is rebuilt by calling its constructor with exactly its fields, each checked against the
field's annotation. Anything else — an unknown name, a missing or extra field, a value of the
wrong type, a checksum that does not match — raises ``CodecError`` and the caller treats the
entry as absent.

An entry is one header line, ``ecolint-cache/<format> <sha256 of the payload>``, then the
payload: ASCII JSON in which every object is tagged with ``"$"``.

Given a ``home`` folder, a path inside it is stored relative to it and read back under the
``home`` of the reading run: the same tree in another folder (a commit exported for ``ecolint
diff``) reads the entries of the working tree as its own. A stored relative path never climbs
out of ``home``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import types
import typing
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.version import InvalidVersion, Version

FORMAT = 1
MAGIC = b"ecolint-cache/"
TAG = "$"

# Every class an entry may hold, by name: the run's result and what analysing one file yields.
ALLOWED = {
    "RunResult": "ecolint.results",
    "InternalError": "ecolint.results",
    "Finding": "ecolint.findings.model",
    "Draft": "ecolint.findings.model",
    "Replacement": "ecolint.findings.model",
    "Evidence": "ecolint.evidence.select",
    "StackEvidence": "ecolint.evidence.stack",
    "Pin": "ecolint.evidence.stack",
    "Bounds": "ecolint.evidence.stack",
    "Gpu": "ecolint.evidence.dataset",
    "Row": "ecolint.evidence.dataset",
    "ModelSize": "ecolint.evidence.models",
    "Pair": "ecolint.evidence.sessions",
    "Phrase": "ecolint.i18n",
    "Directive": "ecolint.findings.suppression",
    "Comment": "ecolint.checks.eco002_unused_suppression",
    "Batch": "ecolint.pipeline.drafts",
}
# Annotated only for type checkers (never stored): a field of such a type must be None.
OPAQUE = frozenset({"Outcome"})


class CodecError(ValueError):
    """The value cannot be stored, or the bytes are not an entry this ecolint wrote."""


class _Never:
    """Stands for an annotation no stored value can satisfy."""


def pack(value: object, home: Path | None = None) -> bytes:
    payload = json.dumps(encode(value, home), separators=(",", ":")).encode("ascii")
    digest = hashlib.sha256(payload).hexdigest()
    return MAGIC + f"{FORMAT} {digest}\n".encode("ascii") + payload


def unpack(data: bytes, home: Path | None = None) -> object:
    return decoded(unpack_json(data), home)


def unpack_json(data: bytes) -> Any:
    """The entry's JSON, checksum verified, not yet rebuilt: a caller may check part of it
    (``tuple_items``) before rebuilding the rest."""
    header, newline, payload = data.partition(b"\n")
    if not newline or header != MAGIC + f"{FORMAT} ".encode("ascii") + _digest(payload):
        raise CodecError("not an entry of this format, or its checksum does not match")
    try:
        return json.loads(payload)
    except (ValueError, RecursionError) as error:
        raise CodecError(str(error)) from None


def decoded(data: Any, home: Path | None = None) -> Any:
    """``decode`` with every failure a ``CodecError``."""
    try:
        return decode(data, home)
    except (ValueError, RecursionError) as error:
        raise CodecError(str(error)) from None


def tuple_items(data: Any, size: int) -> list[Any]:
    """The undecoded items of an encoded tuple of ``size`` items."""
    items = _only(data, "items") if type(data) is dict and data.get(TAG) == "tuple" else None
    if type(items) is not list or len(items) != size:
        raise CodecError(f"not a tuple of {size} items")
    return items


def dict_items(data: Any) -> list[list[Any]]:
    """The undecoded ``[key, value]`` pairs of an encoded dict."""
    items = _only(data, "items") if type(data) is dict and data.get(TAG) == "dict" else None
    if type(items) is not list or not all(type(item) is list and len(item) == 2 for item in items):
        raise CodecError("not a dict")
    return items


def stored_path(data: Any) -> tuple[str, str]:
    """An encoded path, not built: ``("home", text)`` relative to the writer's ``home`` (never
    out of it), or ``("path", text)``. A probe compares the tens of paths of each entry with
    the files of the run, and building each ``Path`` was most of its time."""
    text = data.get("value") if type(data) is dict and len(data) == 2 else None
    if type(text) is not str or data.get(TAG) not in ("home", "path"):
        raise CodecError("not a path")
    if data[TAG] == "home" and (text.startswith("/") or ".." in text.split("/")):
        raise CodecError("a relative path out of its folder")
    return data[TAG], text


def _digest(payload: bytes) -> bytes:
    return hashlib.sha256(payload).hexdigest().encode("ascii")


def encode(value: object, home: Path | None = None) -> Any:
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if isinstance(value, list) and kind is list:
        return [encode(item, home) for item in value]
    if isinstance(value, tuple) and kind is tuple:
        return {TAG: "tuple", "items": [encode(item, home) for item in value]}
    if isinstance(value, set | frozenset) and kind in (set, frozenset):
        items = sorted((encode(item, home) for item in value), key=json.dumps)
        return {TAG: kind.__name__, "items": items}
    if isinstance(value, dict):
        return {
            TAG: "dict",
            "items": [[encode(k, home), encode(v, home)] for k, v in value.items()],
        }
    if isinstance(value, Path):
        if home is not None and value.is_absolute() and value.is_relative_to(home):
            return {TAG: "home", "value": value.relative_to(home).as_posix()}
        return {TAG: "path", "value": str(value)}
    if kind is Version:
        return {TAG: "version", "value": str(value)}
    if dataclasses.is_dataclass(value) and _allowed(kind.__name__) is kind:
        fields = {f.name: encode(getattr(value, f.name), home) for f in _init_fields(kind)}
        return {TAG: kind.__name__, "fields": fields}
    raise CodecError(f"{kind.__name__} is not stored in the cache")


def decode(data: Any, home: Path | None = None) -> Any:
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(item, home) for item in data]
    if type(data) is not dict or type(data.get(TAG)) is not str:
        raise CodecError("an untagged object")
    tag = data[TAG]
    try:
        if tag in ("tuple", "set", "frozenset", "dict"):
            items = _only(data, "items")
            if type(items) is not list:
                raise CodecError("items are not a list")
            if tag == "dict":
                return dict(_pair(item, home) for item in items)
            decoded = (decode(item, home) for item in items)
            return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](decoded)
        if tag in ("path", "version"):
            text = _only(data, "value")
            if type(text) is not str:
                raise CodecError(f"a {tag} that is not a string")
            return Path(text) if tag == "path" else Version(text)
        if tag == "home":
            return _at_home(_only(data, "value"), home)
    except (TypeError, InvalidVersion) as error:  # unhashable keys or members, a bad version
        raise CodecError(str(error)) from None
    return _rebuild(tag, _only(data, "fields"), home)


def _only(data: dict[str, Any], key: str) -> Any:
    if data.keys() != {TAG, key}:
        raise CodecError(f"unexpected keys {sorted(data)}")
    return data[key]


def _pair(item: Any, home: Path | None) -> tuple[Any, Any]:
    if type(item) is not list or len(item) != 2:
        raise CodecError("a dict item is not a pair")
    return decode(item[0], home), decode(item[1], home)


def _at_home(text: Any, home: Path | None) -> Path:
    """A path stored relative to the writer's ``home``, under the reader's."""
    if home is None or type(text) is not str:
        raise CodecError("a path relative to no folder")
    relative = PurePosixPath(text)
    if relative.is_absolute() or ".." in relative.parts:
        raise CodecError("a relative path out of its folder")
    return home.joinpath(*relative.parts)


def _rebuild(name: str, raw: Any, home: Path | None) -> Any:
    """The dataclass ``name`` built by its constructor from exactly its fields, each of the
    annotated type."""
    kind = _allowed(name) if name in ALLOWED else None
    if kind is None:
        raise CodecError(f"{name!r} is not stored in the cache")
    hints = _hints(kind)
    if type(raw) is not dict or raw.keys() != _field_names(kind):
        raise CodecError(f"{name}: fields do not match")
    values = {key: decode(value, home) for key, value in raw.items()}
    for key, value in values.items():
        if not conforms(value, hints[key]):
            raise CodecError(f"{name}.{key}: {type(value).__name__} is not {hints[key]}")
    try:
        return kind(**values)
    except (TypeError, ValueError) as error:
        raise CodecError(f"{name}: {error}") from None


def conforms(value: object, hint: Any) -> bool:
    """Whether ``value`` is of the annotated type (the forms ecolint's dataclasses use). Plain
    classes first, by identity: they are most of the values an entry holds."""
    if hint is Any:
        return True
    if hint is str or hint is int or hint is bool or hint is Version:
        return type(value) is hint
    if hint is None or hint is type(None):
        return value is None
    if hint is float:
        return type(value) in (float, int)
    if hint is Path:
        return isinstance(value, Path)
    origin, args = _shape(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in args)
    if origin is list:
        return type(value) is list and all(conforms(item, args[0]) for item in value)
    if origin in (set, frozenset):
        members = value if isinstance(value, set | frozenset) else ()
        return type(value) is origin and all(conforms(item, args[0]) for item in members)
    if origin is tuple:
        if type(value) is not tuple:
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(conforms(item, args[0]) for item in value)
        return len(args) == len(value) and all(map(conforms, value, args))
    if origin in (dict, Mapping):
        return type(value) is dict and all(
            conforms(key, args[0]) and conforms(item, args[1]) for key, item in value.items()
        )
    return isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, hint)


@cache
def _shape(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    """An annotation's origin and arguments, worked out once: an entry checks thousands of
    values against the same few annotations."""
    return typing.get_origin(hint), typing.get_args(hint)


@cache
def _field_names(kind: type) -> frozenset[str]:
    return frozenset(f.name for f in _init_fields(kind))


@cache
def _allowed(name: str) -> type | None:
    module = ALLOWED.get(name)
    kind = getattr(importlib.import_module(module), name, None) if module else None
    return kind if isinstance(kind, type) and dataclasses.is_dataclass(kind) else None


def _init_fields(kind: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(kind) if f.init]


class _Names(Mapping[str, Any]):
    """Names in annotations: the allowed classes (also those imported only for type
    checkers), ``_Never`` for the opaque ones; anything else from the module."""

    def __getitem__(self, name: str) -> Any:
        if name in OPAQUE:
            return _Never
        kind = _allowed(name) if name in ALLOWED else None
        if kind is None:
            raise KeyError(name)
        return kind

    def __iter__(self) -> Iterator[str]:
        return iter((*ALLOWED, *OPAQUE))

    def __len__(self) -> int:
        return len(ALLOWED) + len(OPAQUE)


@cache
def _hints(kind: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(kind, localns=_Names())
    except (NameError, TypeError) as error:
        raise CodecError(f"{kind.__name__}: annotations cannot be checked: {error}") from None
