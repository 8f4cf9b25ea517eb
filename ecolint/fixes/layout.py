"""Adding and removing an element of a comma-separated list (call arguments, dict entries)
the way the list is already laid out: on one line, or one element per line with or without a
trailing comma, keeping each remaining element's end-of-line comment on its own line.

Whitespace is modelled as libcst does: each element's comma owns the whitespace after it
(which holds the end-of-line comment and the next line's indentation); ``opening`` is the
whitespace after the opening bracket, ``tail`` the whitespace before the closing one when the
last element has no trailing comma.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import libcst as cst

Element = TypeVar("Element", cst.Arg, cst.BaseDictElement)
Space = cst.BaseParenthesizableWhitespace


def has_comment(space: Space | cst.MaybeSentinel) -> bool:
    return isinstance(space, cst.ParenthesizedWhitespace) and bool(
        space.first_line.comment is not None
        or any(line.comment is not None for line in space.empty_lines)
    )


def bare(space: Space) -> Space:
    """The same line break and indentation, without comments and blank lines."""
    if isinstance(space, cst.ParenthesizedWhitespace):
        return space.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return space


def _indented_like(space: Space, like: Space) -> Space:
    """``space``'s line break and comment, followed by ``like``'s indentation (none when
    ``like`` stays on one line)."""
    if not isinstance(space, cst.ParenthesizedWhitespace):
        return like
    if isinstance(like, cst.ParenthesizedWhitespace):
        return space.with_changes(indent=like.indent, last_line=like.last_line)
    return space.with_changes(last_line=cst.SimpleWhitespace(""))


def separator(elements: Sequence[Element], opening: Space) -> Space:
    """The whitespace that leads to a further element: a new line indented like the others in
    a one-per-line layout, one space otherwise."""
    lead: Space | cst.MaybeSentinel = opening
    if len(elements) >= 2 and isinstance(elements[-2].comma, cst.Comma):
        lead = elements[-2].comma.whitespace_after
    if isinstance(lead, cst.ParenthesizedWhitespace):
        return bare(lead)
    return cst.SimpleWhitespace(" ")


def append(
    elements: Sequence[Element], new: Element, opening: Space, tail: Space
) -> tuple[list[Element], Space]:
    """The elements with ``new`` after the last one, and the new tail."""
    if not elements:
        return [new], tail
    last = elements[-1]
    between = separator(elements, opening)
    multiline = isinstance(between, cst.ParenthesizedWhitespace)
    comma = last.comma
    if isinstance(comma, cst.Comma):
        gap = comma.whitespace_after
        if multiline and isinstance(gap, cst.ParenthesizedWhitespace):
            last = last.with_changes(
                comma=comma.with_changes(whitespace_after=_indented_like(gap, between))
            )
            new = new.with_changes(comma=cst.Comma(whitespace_after=bare(gap)))
        elif multiline and isinstance(tail, cst.ParenthesizedWhitespace):
            # a dict keeps the line break after its trailing comma before the closing brace
            last = last.with_changes(
                comma=comma.with_changes(whitespace_after=_indented_like(tail, between))
            )
            new = new.with_changes(comma=cst.Comma())
            return [*elements[:-1], last, new], bare(tail)
        else:
            last = last.with_changes(comma=comma.with_changes(whitespace_after=between))
            new = new.with_changes(comma=comma)
        return [*elements[:-1], last, new], tail
    if multiline and isinstance(tail, cst.ParenthesizedWhitespace):
        last = last.with_changes(comma=cst.Comma(whitespace_after=_indented_like(tail, between)))
        return [*elements[:-1], last, new], bare(tail)
    last = last.with_changes(comma=cst.Comma(whitespace_after=between))
    return [*elements[:-1], last, new], tail


def remove(
    elements: Sequence[Element], index: int, opening: Space, tail: Space
) -> tuple[list[Element], Space, Space]:
    """The elements without ``elements[index]``, and the new opening and tail."""
    gone = elements[index]
    rest = [*elements[:index], *elements[index + 1 :]]
    if not rest:
        empty = cst.SimpleWhitespace("")
        return (
            [],
            (opening if has_comment(opening) else empty),
            (tail if has_comment(tail) else empty),
        )
    if index < len(elements) - 1:
        return rest, opening, tail
    previous = rest[-1]
    kept = previous.comma.whitespace_after if isinstance(previous.comma, cst.Comma) else None
    if isinstance(gone.comma, cst.Comma):
        closing = gone.comma.whitespace_after
        if kept is not None and has_comment(kept):
            if isinstance(closing, cst.ParenthesizedWhitespace) or not isinstance(
                tail, cst.ParenthesizedWhitespace
            ):
                closing = _indented_like(kept, closing)
            else:
                tail = _indented_like(kept, tail)
        comma = gone.comma.with_changes(whitespace_after=closing)
        return [*rest[:-1], previous.with_changes(comma=comma)], opening, tail
    if kept is not None and has_comment(kept):
        tail = _indented_like(kept, tail)
    return [*rest[:-1], previous.with_changes(comma=cst.MaybeSentinel.DEFAULT)], opening, tail


def add_argument(call: cst.Call, new: cst.Arg) -> cst.Call:
    """A call with one more argument (a keyword, after any ``**kwargs``, is valid Python)."""
    args = list(call.args)
    tail: Space = cst.SimpleWhitespace("")
    if args and not isinstance(args[-1].comma, cst.Comma):
        tail = args[-1].whitespace_after_arg
        args[-1] = args[-1].with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))
    args, tail = append(args, new, call.whitespace_before_args, tail)
    return call.with_changes(args=_with_tail(args, tail))


def drop_argument(call: cst.Call, arg: cst.Arg) -> cst.Call:
    args = list(call.args)
    tail: Space = cst.SimpleWhitespace("")
    if not isinstance(args[-1].comma, cst.Comma):
        tail = args[-1].whitespace_after_arg
        args[-1] = args[-1].with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))
    index = next(i for i, item in enumerate(call.args) if item is arg)
    args, opening, tail = remove(args, index, call.whitespace_before_args, tail)
    return call.with_changes(args=_with_tail(args, tail), whitespace_before_args=opening)


def _with_tail(args: list[cst.Arg], tail: Space) -> list[cst.Arg]:
    if args and not isinstance(args[-1].comma, cst.Comma):
        args[-1] = args[-1].with_changes(whitespace_after_arg=tail)
    return args


def add_element(node: cst.Dict, new: cst.DictElement) -> cst.Dict:
    elements, tail = append(
        list(node.elements), new, node.lbrace.whitespace_after, node.rbrace.whitespace_before
    )
    return node.with_changes(
        elements=elements, rbrace=node.rbrace.with_changes(whitespace_before=tail)
    )


def drop_element(node: cst.Dict, element: cst.BaseDictElement) -> cst.Dict:
    index = next(i for i, item in enumerate(node.elements) if item is element)
    elements, opening, tail = remove(
        list(node.elements), index, node.lbrace.whitespace_after, node.rbrace.whitespace_before
    )
    return node.with_changes(
        elements=elements,
        lbrace=node.lbrace.with_changes(whitespace_after=opening),
        rbrace=node.rbrace.with_changes(whitespace_before=tail),
    )
