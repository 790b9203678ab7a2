"""Comparing two records, and aligning the records that differ between two versions."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..records import SELECTOR_CONTEXT, normalize_words
from .edits import OffsetMap, paragraph_at, paragraph_starts
from .read import Row
from .result import (
    CONTEXT,
    EVIDENCE_OFFSET,
    MISSING,
    OFFSETS,
    Change,
    Reanchor,
    SchemaChange,
)

# -- comparing two records ------------------------------------------------------------------

def _same(a: Any, b: Any) -> bool:
    # JSON true is not 1: compare types too
    return type(a) is type(b) and a == b


def field_changes(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> dict[str, list[Any]]:
    """Every field that differs, nested objects followed down to dotted paths; a field missing on
    one side shows as None there (the schema change lists it too)."""
    out: dict[str, list[Any]] = {}
    for key in list(old) + [k for k in new if k not in old]:
        a, b = old.get(key, MISSING), new.get(key, MISSING)
        if _same(a, b):
            continue
        path = prefix + key
        if isinstance(a, dict) and isinstance(b, dict):
            out.update(field_changes(a, b, path + "."))
        else:
            out[path] = [None if a is MISSING else a, None if b is MISSING else b]
    return out


@dataclass(frozen=True)
class Anchor:
    """What a source edit explains: the offset map, both texts and their paragraph starts."""

    offsets: OffsetMap
    old_text: str
    new_text: str
    old_starts: list[int] = field(default_factory=list)
    new_starts: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, offsets: OffsetMap, old_text: str, new_text: str) -> "Anchor":
        return cls(offsets, old_text, new_text, paragraph_starts(old_text), paragraph_starts(new_text))


def _explained(path: str, values: list[Any], old: dict, new: dict, anchor: Anchor | None) -> bool:
    """True when the change of this positional field follows from the edit of the source text."""
    if anchor is None:
        return False
    a, b = values
    which = OFFSETS.get(path) or (m.group(1) if (m := EVIDENCE_OFFSET.match(path)) else None)
    if which is not None:
        if not isinstance(a, int) or not isinstance(b, int):
            return False
        return (anchor.offsets.start(a) if which == "start" else anchor.offsets.end(a)) == b
    if path == "paragraph":
        try:
            moved = paragraph_at(anchor.new_starts, new["start"]) - paragraph_at(anchor.old_starts, old["start"])
        except (KeyError, TypeError):
            return False
        return isinstance(a, int) and isinstance(b, int) and b - a == moved
    if path in CONTEXT:
        # the selector context is the text around the quote: it changes when that text does
        def context(rec: dict, text: str) -> str:
            s, e = rec.get("start"), rec.get("end")
            if not isinstance(s, int) or not isinstance(e, int):
                return "\0"
            return text[max(0, s - SELECTOR_CONTEXT):s] if CONTEXT[path] == "prefix" else text[e:e + SELECTOR_CONTEXT]
        return a == context(old, anchor.old_text) and b == context(new, anchor.new_text)
    return False


def compare_records(old: dict, new: dict, matched_by: str, anchors: dict[str, Anchor]) -> Change | Reanchor | None:
    fields = field_changes(old, new)
    if not fields:
        return None
    sid = old.get("source_id")
    anchor = anchors.get(sid) if sid == new.get("source_id") and isinstance(sid, str) else None
    moved = {p: v for p, v in fields.items() if _explained(p, v, old, new, anchor)}
    content = {p: v for p, v in fields.items() if p not in moved}
    s0, s1 = old.get("start"), new.get("start")
    shift = s1 - s0 if moved and isinstance(s0, int) and isinstance(s1, int) else None
    rid: str = new["id"]  # every parsed record has a string id (read._parse)
    if content:
        return Change(rid, old, new, content, matched_by, shift)
    return Reanchor(rid, old, new, shift or 0, moved)


# -- aligning the differing records ---------------------------------------------------------

def _pop(index: dict[Any, list[Row]], key: Any) -> Row | None:
    rows = index.get(key)
    return rows.pop(0) if rows else None


def align(old_rows: list[Row], new_rows: list[Row], maps: dict[str, OffsetMap]) -> tuple[list[tuple[str, Row, Row]], list[Row], list[Row]]:
    """Pairs (matched_by, old, new), then the unmatched old and new rows, in file order."""
    pairs: list[tuple[str, Row, Row]] = []
    old_left = old_rows
    new_taken: set[int] = set()

    def keyed(key: Callable[[dict], Any], old_key: Callable[[dict], Any], how: str) -> None:
        nonlocal old_left
        index: dict[Any, list[Row]] = {}
        for row in new_rows:
            if row[0] not in new_taken:
                k = key(row[1])
                if k is not None:
                    index.setdefault(k, []).append(row)
        rest = []
        for row in old_left:
            k = old_key(row[1])
            hit = _pop(index, k) if k is not None else None
            if hit is None:
                rest.append(row)
            else:
                new_taken.add(hit[0])
                pairs.append((how, row, hit))
        old_left = rest

    def mapped(rec: dict, which: str) -> int | None:
        off, sid = rec.get(which), rec.get("source_id")
        if not isinstance(off, int):
            return None
        m = maps.get(sid) if isinstance(sid, str) else None
        return off if m is None else (m.start(off) if which == "start" else m.end(off))

    def span(rec: dict) -> Any:
        s, e = rec.get("start"), rec.get("end")
        return (rec.get("source_id"), s, e) if isinstance(s, int) and isinstance(e, int) else None

    def words(rec: dict) -> Any:
        t = rec.get("text")
        return (rec.get("source_id"), normalize_words(t)) if isinstance(t, str) else None

    def mapped_span(rec: dict) -> Any:
        return (rec.get("source_id"), mapped(rec, "start"), mapped(rec, "end")) if span(rec) else None

    def words_at(rec: dict, where: Callable[[dict], Any]) -> Any:
        # same words (the id without its occurrence number) at the same place: the same quotation,
        # even when removing an earlier occurrence of these words renumbered its id
        at = where(rec)
        return (rec["id"].rsplit(":", 1)[0], at) if at is not None else None

    keyed(lambda r: words_at(r, span), lambda r: words_at(r, mapped_span), "span")
    keyed(lambda r: r["id"], lambda r: r["id"], "id")
    keyed(span, mapped_span, "span")
    keyed(lambda r: (r.get("source_id"), r.get("start")) if isinstance(r.get("start"), int) else None,
          lambda r: (r.get("source_id"), mapped(r, "start")) if isinstance(r.get("start"), int) else None, "start")
    keyed(words, words, "text")
    return pairs, old_left, [row for row in new_rows if row[0] not in new_taken]


# -- schema ---------------------------------------------------------------------------------

def _paths(rec: dict, into: set[str], objects: set[str], seen: set[tuple[str, tuple[str, ...]]],
           prefix: str = "") -> None:
    """Add the dotted paths of `rec` to `into` (and those holding objects to `objects`); `seen`
    remembers each (path, keys) object already added, since most records share one shape."""
    keys = tuple(rec)
    if (prefix, keys) not in seen:
        seen.add((prefix, keys))
        into.update(prefix + k for k in keys)
    for k, v in rec.items():
        if type(v) is dict:
            p = prefix + k
            objects.add(p)
            _paths(v, into, objects, seen, p + ".")


def schema_change(old_rows: Iterable[dict], new_rows: Iterable[dict], common: Callable[[], Iterable[dict]]) -> SchemaChange:
    """Fields in one version only. A nested field counts only where its parent object exists
    in the other version as an object (so `evidence.speaker.text` is not 'added' just because
    every old record had `evidence.speaker: null`)."""
    sides = []
    for rows in (old_rows, new_rows):
        paths: set[str] = set()
        objects: set[str] = set()
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for r in rows:
            _paths(r, paths, objects, seen)
        sides.append((paths, objects))
    (op, oo), (np_, no) = sides
    if op != np_:
        # rare: confirm against the records both versions share (the unchanged lines)
        shared_paths: set[str] = set()
        shared_objects: set[str] = set()
        shared_seen: set[tuple[str, tuple[str, ...]]] = set()
        for r in common():
            _paths(r, shared_paths, shared_objects, shared_seen)
        op, oo, np_, no = op | shared_paths, oo | shared_objects, np_ | shared_paths, no | shared_objects

    def only(a: set[str], b_objects: set[str], b: set[str]) -> tuple[str, ...]:
        return tuple(sorted(p for p in a - b if "." not in p or p.rsplit(".", 1)[0] in b_objects))

    return SchemaChange(added=only(np_, oo, op), removed=only(op, no, np_))
