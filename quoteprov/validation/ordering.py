"""The in-order checks over a whole records file (in the parent, or a worker over a chunk of
whole sources): ids, order, same spans and nesting."""
from __future__ import annotations

from typing import Any, Callable

from .problems import ERROR
from .problems import quoted as _q

STACK_LIMIT = 256  # enclosing candidates kept for `nested_in`


LINE = "\x00line\x00"  # where a message names another line, filled in once its number is known


class Ordering:
    """Ids, order, same spans and nesting, from the compact record summaries in file order.

    Memory stays small: an id that follows the stable-id rule is unique by construction (its
    occurrence number counts up), so only the counters of the current source's id keys are
    kept, plus the few ids that break the rule; enclosure is checked against a short stack of
    open records. A source's state is settled and dropped when its records end (records are
    grouped by source; a source that comes back is reported as out of order, and its ids are
    then checked only for the rule's digest, not the occurrence count).
    """

    def __init__(self, report: Callable[[int, int, str, str, str, str], None],
                 odd_events: list[tuple[int, str, Any, str]] | None = None,
                 line_refs: list[tuple[int, str, str, int]] | None = None) -> None:
        self.report = report
        # in a worker, whose chunk holds whole sources, an id that breaks the rule is handed to
        # the parent (which alone sees the whole file) instead of being reported here, and a
        # message that names another line waits for the parent to know the chunk's first line
        self.odd_events = odd_events
        self.line_refs = line_refs
        self.first: tuple[int, Any, int, int] | None = None  # (line, source, start, end) of the first placed record
        self.sources: dict[Any, None] = {}  # in order of appearance
        self.source: Any = None  # the source whose records are being read
        self.counts: dict[str, int] = {}  # id key -> records so far (current source)
        self.vacant: set[tuple[str, int]] = set()  # (key, n) taken by a record with another id
        self.deferred: list[tuple[int, str, str, int, int]] = []  # nested_in not found on the stack
        self.stack: list[tuple[str, int, int]] = []
        self.odd: dict[str, tuple[int, Any]] = {}  # ids breaking the rule -> (first line, source)
        self.done: set[Any] = set()  # sources whose records have ended
        self.prev: tuple[Any, ...] | None = None  # sort key of the previous record
        self.prev_span: tuple[Any, int, int] = (None, 0, 0)
        self.prev_line = 0

    def feed(self, base: int, seq: list[tuple[int, str, str | None, Any, Any, Any, Any]]) -> None:
        report = self.report
        for n, rid, key, sid, start, end, nested in seq:
            line = base + n
            if sid != self.source and sid is not None:
                self._settle()
                self.source = sid
                self.sources[sid] = None
            counts = self.counts
            if key is not None and sid not in self.done:
                occ = counts.get(key, 0) + 1
                counts[key] = occ
                expected = f"{key}:{occ}"
                if rid != expected:
                    self.vacant.add((key, occ))
                    if self.odd_events is not None:
                        self.odd.setdefault(rid, (line, sid))
                        self.odd_events.append((line, rid, sid, expected))
                    else:
                        self.odd_id(line, rid, sid, expected)
            elif key is not None and not rid.startswith(key + ":"):
                report(line, 1, ERROR, "id-rule", "id",
                       f"{_q(rid)} does not follow the stable-id rule; expected {_q(key + ':N')}")
            if sid is None or start is None:
                continue
            if self.first is None:
                self.first = (line, sid, start, end)
            order = (sid, start, -end)  # `place`, inlined for the usual case: in order
            if self.prev is not None and order <= self.prev:
                self.place(line, sid, start, end)
            else:
                self.prev, self.prev_span, self.prev_line = order, (sid, start, end), line
            stack = self.stack
            while stack and stack[-1][2] <= start and stack[-1][2] < end:
                stack.pop()
            if nested is not None:
                for oid, ostart, oend in reversed(stack):
                    if oid == nested:
                        if not (ostart <= start and end <= oend) or (ostart, oend) == (start, end):
                            report(line, 1, ERROR, "nested-in", "nested_in",
                                   f"record {_q(nested)} at [{ostart}, {oend}) does not enclose this record "
                                   f"at [{start}, {end})")
                        break
                else:
                    self.deferred.append((line, nested, rid, start, end))
            stack.append((rid, start, end))
            if len(stack) > STACK_LIMIT:
                del stack[: len(stack) - STACK_LIMIT]

    def odd_id(self, line: int, rid: str, sid: Any, expected: str) -> None:
        """An id that breaks the stable-id rule: a duplicate of an earlier one, or reported."""
        first = self.odd.get(rid)
        if first is not None:
            self.report(line, 1, ERROR, "duplicate-id", "id", f"{_q(rid)} is already the id of line {first[0]}")
        else:
            self.odd[rid] = (line, sid)
            self.report(line, 1, ERROR, "id-rule", "id",
                        f"{_q(rid)} does not follow the stable-id rule; expected {_q(expected)} "
                        f"(source, digest of the normalised text, occurrence)")

    def place(self, line: int, sid: Any, start: int, end: int) -> None:
        """Records in order, and no two on one span."""
        order = (sid, start, -end)  # records.sort_key, inlined (a test keeps them equal)
        if self.prev is not None:
            psid, pstart, pend = self.prev_span
            if order < self.prev:
                self._refer(line, "order", f"record at [{start}, {end}) of {sid} comes after line {LINE} "
                            f"(at [{pstart}, {pend}) of {psid}); records are sorted by source_id, then start, "
                            f"then longer first")
            elif (sid, start, end) == self.prev_span:
                self._refer(line, "same-span", f"line {LINE} is a record on the same span [{start}, {end})")
        self.prev, self.prev_span, self.prev_line = order, (sid, start, end), line

    def _refer(self, line: int, code: str, template: str) -> None:
        """An error that names the previous record's line (LINE in `template`)."""
        if self.line_refs is not None:
            self.line_refs.append((line, code, template, self.prev_line))
        else:
            self.report(line, 1, ERROR, code, "", template.replace(LINE, str(self.prev_line)))

    def _taken(self, rid: str) -> bool:
        """Whether a record of the current source has this id and follows the rule."""
        key, _, occ = rid.rpartition(":")
        return occ.isdecimal() and 1 <= int(occ) <= self.counts.get(key, 0) and (key, int(occ)) not in self.vacant

    def _settle(self) -> None:
        """The current source's records have ended: settle what needed all of them."""
        if self.source is None:
            return
        for rid, (line, sid) in self.odd.items():
            if sid == self.source and self._taken(rid):
                self.report(line, 1, ERROR, "duplicate-id", "id", f"{_q(rid)} is also the id of another record")
        for line, nested, rid, start, end in self.deferred:
            if nested == rid:
                self.report(line, 1, ERROR, "nested-in", "nested_in", "names the record itself")
            elif self._taken(nested) or self.odd.get(nested, (0, None))[1] == self.source:
                self.report(line, 1, ERROR, "nested-in", "nested_in",
                            f"record {_q(nested)} does not enclose this record at [{start}, {end}) "
                            f"(an enclosing record starts at or before it and comes earlier)")
            else:
                self.report(line, 1, ERROR, "nested-in", "nested_in",
                            f"no record of {self.source} has id {_q(nested)}")
        self.done.add(self.source)
        self.counts, self.vacant, self.deferred, self.stack = {}, set(), [], []

    def finish(self) -> None:
        self._settle()
