"""How a message names a place in the scanned code: ``line 12``, ``settings.py:12``, ``cell 2
line 3``, and where a value came from (``set by USE_INT8 at line 4``)."""

from __future__ import annotations

from ecolint.analysis.values import Hop, Ref, Site, Value
from ecolint.i18n import Phrase, phrase


def line_label(site: Site) -> Phrase:
    """``line 12``, or ``cell 2 line 3`` in a notebook."""
    return where(site, site)


def where(site: Site, relative_to: Site | None = None) -> Phrase:
    """``line 12`` in the same file, ``settings.py:12`` in another one; in a notebook
    ``cell 2 line 3``, as the text report numbers cells."""
    start = site.module.position(site.node).start
    line = phrase("origin.line", line=start.line)
    notebook = site.module.notebook
    if notebook is not None:
        cell = notebook.source_map.locate(start.line, start.column)
        line = phrase("origin.cell_line", cell=cell.cell, line=cell.cell_line)
    if relative_to is not None and relative_to.module is site.module:
        return line
    if notebook is not None:
        return phrase("origin.in_file", file=site.module.display, where=line)
    return phrase("origin.file_line", file=site.module.display, line=start.line)


def describe_origin(value: Value, report_site: Site, context: Site | None = None) -> Phrase | str:
    """``set by USE_INT8 at line 4`` when a value is not written at the reported spot (or
    inside ``context``, the call it is an argument of); empty otherwise. A Phrase reads as
    English in an f-string and in the run's language inside a rule message."""
    hops: tuple[Hop, ...] = value.via
    if hops:
        hop = hops[-1]
        label = phrase(f"origin.hop.{hop.kind}", name=hop.name)
        return phrase("origin.set_by", label=label, where=where(hop.site, report_site))
    origin = value.origin
    if origin is None or origin.node is report_site.node or isinstance(value, Ref):
        return ""  # a name written at the spot (``torch.float32``) only points at its import
    if inside(origin, report_site) or (context is not None and inside(origin, context)):
        return ""
    return phrase("origin.set_at", where=where(origin, report_site))


def inside(inner: Site, outer: Site) -> bool:
    if inner.module is not outer.module:
        return False
    a = inner.module.position(inner.node)
    b = outer.module.position(outer.node)
    return (b.start.line, b.start.column) <= (a.start.line, a.start.column) and (
        (a.end.line, a.end.column) <= (b.end.line, b.end.column)
    )
