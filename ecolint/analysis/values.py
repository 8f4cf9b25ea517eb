"""The small value algebra the resolver answers in.

A value is what an expression holds on the default path of the program. Every value keeps the
place it was written (``origin``) and how it got to the use (``via``), so that a finding can be
reported where a reader would change it and can say where the value came from.

Values are never changed once made (``replace`` makes another). They are not ``frozen``, whose
generated ``__setattr__`` and ``__delattr__`` were a third of what importing this module cost;
``unsafe_hash`` keeps them hashable by their fields as before. ``Site``, a key of dicts and
sets, stays frozen.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecolint.analysis.module import ModuleInfo


@dataclass(frozen=True)
class Site:
    """A node in a module: where a value or an option was written."""

    module: ModuleInfo
    node: ast.AST


@dataclass(unsafe_hash=True)
class LineSpan:
    """Columns of one line of a module that no node covers: a notebook's ``!pip`` line is
    masked to ``pass`` (or a blank) before parsing. ``column``/``end_column`` are 0-based
    characters; ``text`` is the line as written, whose comment may suppress a finding."""

    module: ModuleInfo
    line: int
    column: int
    end_column: int
    text: str


@dataclass(unsafe_hash=True)
class Hop:
    """One step a value took to reach its use: a variable, a parameter, an argparse default.
    ``kind`` names the step (``origin.hop.<kind>`` in messages.yaml says it in each language)
    and ``name`` is the code it went through, so no English is built here."""

    kind: str
    name: str
    site: Site


@dataclass(unsafe_hash=True)
class Value:
    origin: Site | None = field(default=None, kw_only=True, compare=False, repr=False)
    via: tuple[Hop, ...] = field(default=(), kw_only=True, compare=False, repr=False)


@dataclass(unsafe_hash=True)
class Unknown(Value):
    """Not knowable statically; each rule documents what unknown means for it."""

    reason: str = "not resolvable statically"


@dataclass(unsafe_hash=True)
class Part(Unknown):
    """An element of what a call outside the scanned code returns (``model, tokenizer =
    loader(...)``): unknown as a value, but a rule that knows the call (a loader that returns a
    pair) can look through it to ``whole``."""

    whole: CallVal | None = None
    position: int = 0


@dataclass(unsafe_hash=True)
class Const(Value):
    """A literal. ``configurable`` marks defaults a user can override at run time (CLI, env)."""

    value: Any = None
    configurable: bool = False


@dataclass(unsafe_hash=True)
class Ref(Value):
    """An imported entity or an attribute path of one, by qualified name (``torch.float16``)."""

    qualname: str = ""


@dataclass(unsafe_hash=True)
class Entry:
    """One keyword or dict entry: its value and the node to report it at."""

    value: Value
    site: Site


@dataclass(unsafe_hash=True)
class DictVal(Value):
    entries: dict[str, Entry] = field(default_factory=dict)
    open: bool = False  # some entries came from something unresolvable (``**unknown``)


@dataclass(unsafe_hash=True)
class SeqVal(Value):
    items: tuple[Value, ...] = ()


@dataclass(unsafe_hash=True)
class CallVal(Value):
    """An object built by a call outside the scanned code (``BitsAndBytesConfig(...)``).

    Its identity is the call node that built it, which is how rules tell "the same model
    object" apart from another one.
    """

    qualname: str | None = None
    site: Site | None = None
    args: tuple[Value, ...] = ()
    kwargs: dict[str, Entry] = field(default_factory=dict)
    open: bool = False  # ``*args``/``**kwargs`` that could not be resolved

    def arg(self, index: int, keyword: str | None = None) -> Value | None:
        if keyword is not None and keyword in self.kwargs:
            return self.kwargs[keyword].value
        if index < len(self.args):
            return self.args[index]
        return None

    def identity(self) -> Site | None:
        """The building call itself: nodes and modules compare by identity, and a value that
        holds them keeps them alive, so two objects never share one."""
        return self.site


@dataclass(unsafe_hash=True)
class ObjVal(Value):
    """An object with known attributes: an argparse namespace, a dataclass instance, a class."""

    kind: str = "object"
    attrs: dict[str, Value] = field(default_factory=dict)
    name: str = ""


@dataclass(unsafe_hash=True)
class FuncVal(Value):
    module: ModuleInfo | None = None
    node: ast.FunctionDef | ast.AsyncFunctionDef | None = None


@dataclass(unsafe_hash=True)
class ClassVal(Value):
    module: ModuleInfo | None = None
    node: ast.ClassDef | None = None
    qualname: str = ""


@dataclass(unsafe_hash=True)
class ModuleVal(Value):
    """A module of the scanned tree, reached through an import."""

    module: ModuleInfo | None = None


@dataclass(unsafe_hash=True)
class ParserVal(Value):
    """An ``argparse.ArgumentParser`` or ``HfArgumentParser``, identified by its creating call."""

    site: Site | None = None
    dataclasses: tuple[Value, ...] = ()


@dataclass(unsafe_hash=True)
class OneOf(Value):
    """Several values are possible on paths the resolver cannot choose between."""

    options: tuple[Value, ...] = ()


def alternatives(value: Value) -> Iterator[Value]:
    """Each concrete value a possibly-ambiguous value can take."""
    if isinstance(value, OneOf):
        for option in value.options:
            yield from alternatives(option)
    else:
        yield value


def truth(value: Value) -> bool | None:
    """Truthiness on the default path, or None when it cannot be known."""
    if isinstance(value, Const):
        try:
            return bool(value.value)
        except Exception:
            return None
    if isinstance(value, Ref) and value.qualname == "typing.TYPE_CHECKING":
        return False
    if isinstance(value, OneOf):
        results = {truth(option) for option in value.options}
        return results.pop() if len(results) == 1 else None
    return None


def with_hop(value: Value, hop: Hop) -> Value:
    """The same value, with one more hop recorded on its way to the use."""
    if hop in value.via:
        return value
    return replace(value, via=(hop, *value.via))


def as_configurable(value: Value) -> Value:
    """A default read from the command line, the environment or an argument dataclass: the
    user can override it at run time."""
    return replace(value, configurable=True) if isinstance(value, Const) else value
