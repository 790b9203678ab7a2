"""The markup tree: ranges of the text (paragraphs, quoted spans, evidence spans) nested
without crossing; a range that crosses a boundary of one inserted before it is split there."""
from __future__ import annotations

from bisect import bisect_right
from typing import Any, Iterable

# layers of the markup tree: a range of a lower layer is never split by one of a higher layer
PARAGRAPH, QUOTE, EVIDENCE = 0, 1, 2


class Node:
    """A range of the text and the ranges inside it (children sorted, never overlapping)."""

    __slots__ = ("start", "end", "payload", "children")

    def __init__(self, start: int, end: int, payload: Any) -> None:
        self.start, self.end, self.payload = start, end, payload
        self.children: list[Node] = []


def _end(node: Node) -> int:
    return node.end


def _insert(node: Node, start: int, end: int, payload: Any) -> None:
    """Insert [start, end) into `node`, splitting it where it crosses a range already there.

    Ranges inserted earlier win: an equal range goes inside, a crossing one is cut at the
    boundary so that each piece nests. That is how an evidence span that runs across the end of
    a quotation, or a block quotation that runs across paragraphs, becomes valid markup.
    """
    kids = node.children
    lo = bisect_right(kids, start, key=_end)  # first child that ends after `start`
    if start == end:  # an empty range: inside the child that strictly covers it, else here
        if lo < len(kids) and kids[lo].start <= start < kids[lo].end:
            _insert(kids[lo], start, end, payload)
        else:
            kids.insert(lo, Node(start, end, payload))
        return
    hi = lo
    while hi < len(kids) and kids[hi].start < end:
        hi += 1
    if hi - lo == 1 and kids[lo].start <= start and end <= kids[lo].end:
        _insert(kids[lo], start, end, payload)
    elif lo < hi and kids[lo].start < start:  # crosses the first child's end
        cut = kids[lo].end
        _insert(node, start, cut, payload)
        _insert(node, cut, end, payload)
    elif lo < hi and kids[hi - 1].end > end:  # crosses the last child's start
        cut = kids[hi - 1].start
        _insert(node, start, cut, payload)
        _insert(node, cut, end, payload)
    else:  # every overlapping child lies inside: they become this range's children
        new = Node(start, end, payload)
        new.children = kids[lo:hi]
        kids[lo:hi] = [new]


def markup_tree(length: int, ranges: Iterable[tuple[int, int, int, Any]]) -> Node:
    """The tree of ranges (start, end, layer, payload) over a text of `length` code points.

    Ranges are inserted by layer, then by start, longer first, so an enclosing quotation is in
    place before the quotations nested in it; the result has no crossing ranges.
    """
    root = Node(0, length, None)
    for start, end, _layer, payload in sorted(ranges, key=lambda r: (r[2], r[0], -r[1])):
        _insert(root, max(0, start), min(length, end), payload)
    return root
