"""The fast lane: one predicate over a decoded Struct that says "nothing to report here"
(`clean`, with a C twin in `_speedups.c`); any line it does not clear takes the dict path,
which finds and explains every problem."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, Callable

from ..jsonl import Unsupported, schema_type
from ..records import SELECTOR_CONTEXT, MarkerSpan, words_digest
from ..schema import load_schema
from ..speedups import delimiters
from .context import Context
from .messages import DECODERS


def struct_decoder(name: str) -> Callable[[bytes], Any] | None:
    """msgspec's own decode into Structs compiled from the schema: type-checks a line as it
    decodes it, raising one of STRUCT_ERRORS (no wrapper: it runs once per record). None when
    msgspec is missing or cannot express the schema (every line then takes the dict path)."""
    key = name + ":struct"
    if key not in DECODERS:
        try:
            import msgspec

            DECODERS[key] = msgspec.json.Decoder(schema_type(load_schema(name), struct=True)).decode
        except (ImportError, Unsupported):
            DECODERS[key] = None  # type: ignore[assignment]
    return DECODERS[key]


try:
    import msgspec as _msgspec

    STRUCT_ERRORS: tuple[type[BaseException], ...] = (_msgspec.DecodeError, UnicodeDecodeError, RecursionError)
except ImportError:  # pragma: no cover - declared as a dependency
    STRUCT_ERRORS = (ValueError, RecursionError)


@dataclass(frozen=True)
class Lane:
    """What the fast lane needs of one source: its text, paragraphs, footnote markers and the
    speaker/recipient names that draw no problem (None: any name)."""

    text: str
    paragraph_starts: list[int]
    paragraphs: tuple[tuple[int, int], ...]
    markers: list[MarkerSpan]
    marker_starts: list[int]
    names: frozenset[str] | None
    width: int = SELECTOR_CONTEXT

    def flat(self) -> tuple[Any, ...]:
        """The same as a tuple of plain lists, for the C twin of `clean` (`speedups.c_clean`)."""
        ms = self.markers
        return (self.text, self.paragraph_starts, [e for _, e in self.paragraphs], self.marker_starts,
                [m.end for m in ms], [m.printed for m in ms], [m.number for m in ms], self.names, self.width)


def lane(ctx: Context, source_id: str) -> Lane | None:
    """The fast lane of a source, or None when its records must take the dict path (no
    sources to check provenance against, or an unknown source)."""
    info = ctx.info(source_id) if ctx.has_sources else None
    if info is None:
        return None
    source, starts, markers, mstarts = info
    names: frozenset[str] | None = None
    if source_id in ctx.listed and source_id not in ctx.registry_broken:
        names = ctx.registry_names.get(source_id, frozenset())
    if ctx.entity_names is not None:
        names = frozenset(ctx.entity_names) if names is None else names & frozenset(ctx.entity_names)
    return Lane(source.text, starts, source.paragraphs, markers, mstarts, names)


def quotes_expected(rec: Any) -> int:
    """How many `"` bytes delimit the keys and strings of a schema-valid record (a Struct with no
    corrections): two per key and per string value. A line that holds no duplicate and no
    unknown key has exactly these unescaped quotes (`speedups.delimiters`); each duplicate or
    unknown key adds at least two more, so equality proves there is none (the decoders
    silently keep the last of two keys)."""
    ev, me, ba = rec.evidence, rec.method, rec.basis
    keys = 41  # top level 18, evidence 4, method 5, basis 3, confidence 2, selectors 2, quote 4, position 3
    strings = 9  # id, source_id, text, kind, and the selectors' type, exact, prefix, suffix, type
    for span in (ev.speaker, ev.cue, ev.recipient):
        if span is not None:
            keys += 3
            strings += 1
    if ev.marker is not None:
        keys += 6
        strings += 1
    for value in (rec.nested_in, rec.speaker, rec.recipient, me.span, me.kind, me.speaker, me.recipient,
                  me.footnote, ba.speaker, ba.recipient, ba.footnote):
        if value is not None:
            strings += 1
    return 2 * (keys + strings)


def clean(rec: Any, data: bytes, lane: Lane) -> bool:
    """True when the careful parser and `check_provenance` would find nothing to report on this
    line: no duplicate or unknown key, provenance exact, names known, no correction to match.
    False sends the line to the dict path; it may be cautious (a correction), never lenient
    (tests hold it to `check_provenance` on mutated records)."""
    if rec.corrections:
        return False
    if delimiters(data) != quotes_expected(rec):
        return False
    speaker, recipient, names = rec.speaker, rec.recipient, lane.names
    if names is not None and ((speaker is not None and speaker not in names)
                              or (recipient is not None and recipient not in names)):
        return False
    conf = rec.confidence  # a confidence without its value is a `confidence` error
    if (speaker is None and conf.speaker is not None) or (recipient is None and conf.recipient is not None):
        return False
    src, width = lane.text, lane.width
    start, end, text = rec.start, rec.end, rec.text
    sel = rec.selectors
    q, pos = sel.quote, sel.position
    par = bisect_right(lane.paragraph_starts, start) - 1
    pend = lane.paragraphs[par][1]
    if not (start <= end <= pend and rec.paragraph == par and q.exact == text and pos.start == start
            and pos.end == end and src[start:end] == text and q.prefix == src[max(0, start - width):start]
            and q.suffix == src[end:end + width]):
        return False
    length = len(src)
    ev = rec.evidence
    for span in (ev.speaker, ev.cue, ev.recipient):
        if span is not None and not (span.start <= span.end <= length and src[span.start:span.end] == span.text):
            return False
    # the footnote marker: the first after the quotation in its paragraph (markers.footnote_after)
    mstarts, m = lane.marker_starts, ev.marker
    i = bisect_left(mstarts, end)
    if i == len(mstarts) or mstarts[i] >= pend:
        return m is None and rec.footnote is None
    x = lane.markers[i]
    return (m is not None and m.start == x.start and m.end == x.end and m.printed == x.printed
            and m.number == x.number and rec.footnote == m.number and m.repaired == (m.printed != m.number)
            and m.text == src[m.start:m.end])


def lane_pair(ctx: Context, source_id: str) -> tuple[Lane, tuple[Any, ...]] | None:
    got = lane(ctx, source_id)
    return None if got is None else (got, got.flat())


def id_key(source_id: str, text: str) -> str:
    """The stable id without its occurrence number (`source:digest`), by the builder's rule."""
    return f"{source_id}:{words_digest(text)}"


# ---------------------------------------------------------------------------------------------
# a batch of record lines (runs in a worker, or in-process for small files and pipes)


def expected_keys(rec: dict[str, Any]) -> int:
    """How many keys a schema-valid record has, from its nulls and corrections (for the cheap
    duplicate-key test of the happy path)."""
    ev = rec["evidence"]
    n = 41 + 3 * len(rec["corrections"])
    for role in ("speaker", "cue", "recipient"):
        if ev[role] is not None:
            n += 3
    if ev["marker"] is not None:
        n += 6
    return n


_KEY_SPACE = re.compile(rb'"[ \t]+:')


def may_hide_duplicates(data: bytes, rec: dict[str, Any]) -> bool:
    """False when the line provably has no duplicate or unknown key (the fast decoder keeps the
    last of two and drops unknown ones).

    Every key ends with `"` then `:`. Inside a string a quote is escaped by an odd run of
    backslashes, so the keys are the `":` not preceded by an odd run (a key may end in an
    escaped backslash: `"a\\\\":`), plus any string value that begins with a colon. That can only
    overcount, so when no key has whitespace before its colon, equality with the keys the
    record holds proves there was neither. Anything else goes to the careful parser.
    """
    keys = data.count(b'":')
    if b"\\" in data:
        # `":` after exactly j backslashes = c(j) - c(j+1), c(k) counting those after >= k
        sign, pattern = -1, b'\\":'
        while True:
            c = data.count(pattern)
            if not c:
                break
            keys += sign * c
            sign, pattern = -sign, b"\\" + pattern
    return keys != expected_keys(rec) or _KEY_SPACE.search(data) is not None
