"""What a check reports, and the finished finding every reporter prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ecolint.analysis.values import Hop, Ref, Site, Value
from ecolint.evidence.select import Evidence


@dataclass(frozen=True)
class Report:
    """A check's raw result: where, which message, with which evidence."""

    code: str
    site: Site
    params: dict[str, str] = field(default_factory=dict)
    message_key: str = "default"
    evidence: Evidence | None = None
    mood: str | None = None  # overrides the rule's mood (a saving is green)


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    mood: str
    path: str
    line: int
    column: int  # 1-based, as ruff and flake8 print it
    end_line: int
    end_column: int
    message: str
    evidence: dict[str, Any] | None = None
    fix: dict[str, Any] | None = None
    headline: str = ""
    stars: int = 0

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.mood,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "evidence": self.evidence,
            "fix": self.fix,
        }


def line_of(site: Site) -> int:
    return site.module.position(site.node).start.line


def where(site: Site, relative_to: Site | None = None) -> str:
    """``line 12`` in the same file, ``settings.py:12`` in another one."""
    line = line_of(site)
    if relative_to is not None and relative_to.module is site.module:
        return f"line {line}"
    return f"{site.module.display}:{line}"


def describe_origin(value: Value, report_site: Site, context: Site | None = None) -> str:
    """``set by USE_INT8 at line 4`` when a value is not written at the reported spot (or
    inside ``context``, the call it is an argument of); empty otherwise."""
    hops: tuple[Hop, ...] = value.via
    if hops:
        hop = hops[-1]
        return f"set by {hop.label} at {where(hop.site, report_site)}"
    origin = value.origin
    if origin is None or origin.node is report_site.node or isinstance(value, Ref):
        return ""  # a name written at the spot (``torch.float32``) only points at its import
    if inside(origin, report_site) or (context is not None and inside(origin, context)):
        return ""
    return f"set at {where(origin, report_site)}"


def inside(inner: Site, outer: Site) -> bool:
    if inner.module is not outer.module:
        return False
    a = inner.module.position(inner.node)
    b = outer.module.position(outer.node)
    return (b.start.line, b.start.column) <= (a.start.line, a.start.column) and (
        (a.end.line, a.end.column) <= (b.end.line, b.end.column)
    )
