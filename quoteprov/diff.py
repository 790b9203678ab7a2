"""`quoteprov diff`: what changed between two versions of the dataset, record by record.

How it stays fast on a million records: a version's records file is never loaded whole. The two
files are read once, side by side, batch by batch, each line hashed in C; a line that appears
byte for byte in the other version is an unchanged record and is never parsed. Only the lines
that differ (a few per cent in a real revision) are parsed, with orjson, and aligned:

1. by stable id (first by the same words at the same, mapped, span, because an id's occurrence
   number changes when an earlier quotation of the same words is removed);
2. then, for records whose id changed (their words were corrected, so the digest in the id
   changed), by source and span, the old span mapped through the edit of the source text;
   then by source and start; then by source and normalised words;
3. what is left was removed (old) or added (new).

A matched pair whose only differences are positions that the source edit explains (offsets
shifted because text above changed, the paragraph index, the selector context) is
*re-anchored*; any other difference makes it *changed*, listed field by field with dotted
paths (`evidence.speaker`, `method.kind`). A change of `confidence` alone (the same speaker and
recipient, a new probability that they are right, as when the attribution model is retrained)
is a minor change, counted and labelled apart so that a review can pass over it.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .errors import QuoteprovError
from .records import SELECTOR_CONTEXT, normalize_words
from .versions import (DEFAULT_DATASET_PATH, Blob, OffsetMap, SourceChange, Version, compare_sources,
                       latest_tag, paragraph_at, paragraph_starts, resolve_version, working_tree)

try:  # orjson parses the differing lines several times faster; json is the fallback
    import orjson

    _loads: Callable[[bytes], Any] = orjson.loads
    _JSONError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - orjson is a declared dependency
    _loads, _JSONError = json.loads, json.JSONDecodeError

_MISSING = object()
_EVIDENCE_OFFSET = re.compile(r"^evidence\.[^.]+\.(start|end)$")
# fields that give a record's position, not its content
_OFFSETS = {"start": "start", "end": "end", "selectors.position.start": "start", "selectors.position.end": "end"}
_CONTEXT = {"selectors.quote.prefix": "prefix", "selectors.quote.suffix": "suffix"}
SHOWN_DECIMALS = 3  # a float is shown (not stored) with this many decimals: records write 3


def _is_confidence(path: str) -> bool:
    return path == "confidence" or path.startswith("confidence.")


# -- result ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """A record present in both versions whose content changed."""

    id: str  # the new id (`fields["id"]` holds both when it changed)
    old: dict[str, Any]
    new: dict[str, Any]
    fields: dict[str, list[Any]]  # dotted field -> [old, new]
    matched_by: str  # id | span | start | text
    shift: int | None = None  # offset shift explained by a source edit, when there is one

    @property
    def confidence_only(self) -> bool:
        """Only the confidence moved: the values themselves are the same."""
        return all(_is_confidence(p) for p in self.fields)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "matched_by": self.matched_by, "fields": self.fields,
                               "confidence_only": self.confidence_only}
        if self.shift is not None:
            out["shift"] = self.shift
        return out


@dataclass(frozen=True)
class Reanchor:
    """A record that only moved because its source text was edited."""

    id: str
    old: dict[str, Any]
    new: dict[str, Any]
    shift: int  # new start - old start
    fields: dict[str, list[Any]]  # the positional fields that moved

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "shift": self.shift, "fields": self.fields}


@dataclass(frozen=True)
class SchemaChange:
    """Record fields (dotted paths) that exist in only one version."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, list[str]]:
        return {"added": list(self.added), "removed": list(self.removed)}


@dataclass(frozen=True)
class DiffResult:
    old_label: str
    new_label: str
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[Change]
    reanchored: list[Reanchor]
    sources: list[SourceChange]
    schema: SchemaChange
    summary: dict[str, int]
    # the new version itself, for renderers that show unchanged records too (not in the JSON)
    new_version: Version | None = field(default=None, repr=False, compare=False)
    # notes added / removed / changed (data/notes.jsonl beside the records; quoteprov.notes.diff_notes)
    notes: dict[str, Any] = field(default_factory=lambda: {"added": [], "removed": [], "changed": []})
    # what could not be compared and why: files a manifest names outside the dataset (not read)
    problems: tuple[str, ...] = ()

    @property
    def differs(self) -> bool:
        return self.summary["differences"] > 0

    def to_json(self) -> dict[str, Any]:
        return {"old": self.old_label, "new": self.new_label, "summary": self.summary,
                "added": self.added, "removed": self.removed,
                "changed": [c.to_json() for c in self.changed],
                "reanchored": [r.to_json() for r in self.reanchored],
                "sources": [s.to_json() for s in self.sources], "schema": self.schema.to_json(),
                "notes": self.notes, "problems": list(self.problems)}


# -- reading only the lines that differ -----------------------------------------------------

Row = tuple[int, dict[str, Any]]  # (line number, record)
PENDING_BYTES = 256 << 20  # unmatched lines kept in memory; past this only line numbers are kept
_BLANK = frozenset(map(hash, (b"", b"\n", b"\r\n")))


def _parse(line: bytes, name: str, lineno: int) -> dict[str, Any]:
    try:
        rec = _loads(line)
    except _JSONError as exc:
        raise QuoteprovError(f"{name}:{lineno}: not valid JSON: {exc}") from None
    if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
        raise QuoteprovError(f"{name}:{lineno}: expected a record (a JSON object with a string id)")
    return rec


@dataclass
class _Side:
    """The lines of one version not (yet) seen in the other: hash -> (line number, line or None)."""

    blob: Blob
    pending: dict[int, tuple[int, bytes | None]] = field(default_factory=dict)
    records: int = 0
    lines: int = 0
    kept: int = 0  # bytes held in `pending`

    def add(self, hashes: list[int], lines: list[bytes], unmatched: set[int]) -> None:
        base = self.lines
        if unmatched:
            # the index is built in C; Python only loops over the few unmatched lines
            where = dict(zip(hashes, range(len(hashes))))
            for h in unmatched:
                i = where[h]
                keep = self.kept < PENDING_BYTES
                self.pending[h] = (base + i + 1, lines[i] if keep else None)
                self.kept += len(lines[i]) if keep else 0
        self.lines += len(lines)

    def rows(self) -> list[Row]:
        """Parse the unmatched lines, re-reading the file only for those not kept in memory."""
        missing = {n for n, line in self.pending.values() if line is None}
        found: dict[int, bytes] = {}
        if missing:
            n = 0
            for lines in self.blob.line_batches():
                for i in range(len(lines)):
                    if n + i + 1 in missing:
                        found[n + i + 1] = lines[i]
                n += len(lines)
        texts = ((n, line if line is not None else found[n]) for n, line in self.pending.values())
        out = [(n, _parse(line, self.blob.name, n)) for n, line in texts if line.strip()]
        out.sort(key=lambda row: row[0])
        return out


def _differing(old: Blob, new: Blob) -> tuple[_Side, _Side]:
    """Read both versions once, side by side, batch by batch, and keep the lines that do not
    appear in the other version. Versions of a dataset list their records in the same order, so
    almost every line finds its twin in the other side's batch (a set intersection, in C) and
    only the few that differ, or straddle a batch boundary, are held. Lines are compared by their
    64-bit SipHash (Python's bytes hash): a collision among millions of lines has odds near 1e-7."""
    a, b = _Side(old), _Side(new)
    batches_a, batches_b = old.line_batches(), new.line_batches()
    while True:
        la, lb = next(batches_a, None), next(batches_b, None)
        if la is None and lb is None:
            break
        ha, hb = list(map(hash, la or ())), list(map(hash, lb or ()))
        sa, sb = set(ha) - _BLANK, set(hb) - _BLANK
        both = sa & sb
        sa -= both
        sb -= both
        for mine, theirs in ((sa, b), (sb, a)):  # twins among the other side's held lines
            seen = mine & theirs.pending.keys()
            for h in seen:
                theirs.kept -= len(theirs.pending.pop(h)[1] or b"")
            mine -= seen
        for side, lines, hashes, unmatched in ((a, la, ha, sa), (b, lb, hb, sb)):
            if lines:
                side.add(hashes, lines, unmatched)
                side.records += len(lines) - lines.count(b"\n") - lines.count(b"\r\n")
    return a, b


def iter_records(blob: Blob) -> Iterable[dict[str, Any]]:
    """Every record of a version (for output that shows them all; the diff itself never needs to)."""
    n = 0
    for lines in blob.line_batches():
        for i, line in enumerate(lines):
            if line.strip():
                yield _parse(line, blob.name, n + i + 1)
        n += len(lines)


def _shared_records(side: _Side, other: _Side) -> Iterable[dict]:
    """The records of `side` that the other version has too (only for confirming a schema change)."""
    n = 0
    for lines in side.blob.line_batches():
        for i, line in enumerate(lines):
            h = hash(line)
            if h not in side.pending and h not in _BLANK:
                yield _parse(line, side.blob.name, n + i + 1)
        n += len(lines)


# -- comparing two records ------------------------------------------------------------------

def _same(a: Any, b: Any) -> bool:
    # JSON true is not 1: compare types too
    return type(a) is type(b) and a == b


def field_changes(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> dict[str, list[Any]]:
    """Every field that differs, nested objects followed down to dotted paths; a field missing on
    one side shows as None there (the schema change lists it too)."""
    out: dict[str, list[Any]] = {}
    for key in list(old) + [k for k in new if k not in old]:
        a, b = old.get(key, _MISSING), new.get(key, _MISSING)
        if _same(a, b):
            continue
        path = prefix + key
        if isinstance(a, dict) and isinstance(b, dict):
            out.update(field_changes(a, b, path + "."))
        else:
            out[path] = [None if a is _MISSING else a, None if b is _MISSING else b]
    return out


@dataclass(frozen=True)
class _Anchor:
    """What a source edit explains: the offset map, both texts and their paragraph starts."""

    offsets: OffsetMap
    old_text: str
    new_text: str
    old_starts: list[int] = field(default_factory=list)
    new_starts: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, offsets: OffsetMap, old_text: str, new_text: str) -> "_Anchor":
        return cls(offsets, old_text, new_text, paragraph_starts(old_text), paragraph_starts(new_text))


def _explained(path: str, values: list[Any], old: dict, new: dict, anchor: _Anchor | None) -> bool:
    """True when the change of this positional field follows from the edit of the source text."""
    if anchor is None:
        return False
    a, b = values
    which = _OFFSETS.get(path) or (m.group(1) if (m := _EVIDENCE_OFFSET.match(path)) else None)
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
    if path in _CONTEXT:
        # the selector context is the text around the quote: it changes when that text does
        def context(rec: dict, text: str) -> str:
            s, e = rec.get("start"), rec.get("end")
            if not isinstance(s, int) or not isinstance(e, int):
                return "\0"
            return text[max(0, s - SELECTOR_CONTEXT):s] if _CONTEXT[path] == "prefix" else text[e:e + SELECTOR_CONTEXT]
        return a == context(old, anchor.old_text) and b == context(new, anchor.new_text)
    return False


def _compare(old: dict, new: dict, matched_by: str, anchors: dict[str, _Anchor]) -> Change | Reanchor | None:
    fields = field_changes(old, new)
    if not fields:
        return None
    sid = old.get("source_id")
    anchor = anchors.get(sid) if sid == new.get("source_id") and isinstance(sid, str) else None
    moved = {p: v for p, v in fields.items() if _explained(p, v, old, new, anchor)}
    content = {p: v for p, v in fields.items() if p not in moved}
    s0, s1 = old.get("start"), new.get("start")
    shift = s1 - s0 if moved and isinstance(s0, int) and isinstance(s1, int) else None
    rid = new.get("id", old.get("id"))
    if content:
        return Change(rid, old, new, content, matched_by, shift)
    return Reanchor(rid, old, new, shift or 0, moved)


# -- aligning the differing records ---------------------------------------------------------

def _pop(index: dict[Any, list[Row]], key: Any) -> Row | None:
    rows = index.get(key)
    return rows.pop(0) if rows else None


def _align(old_rows: list[Row], new_rows: list[Row], maps: dict[str, OffsetMap]) -> tuple[list[tuple[str, Row, Row]], list[Row], list[Row]]:
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


def _schema(old_rows: Iterable[dict], new_rows: Iterable[dict], common: Callable[[], Iterable[dict]]) -> SchemaChange:
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


# -- the API --------------------------------------------------------------------------------

def compare_versions(old: Version, new: Version) -> DiffResult:
    """The diff of two resolved versions (see the module docstring for how records align)."""
    # the parsed records are many small dicts that live to the end: cyclic garbage collection
    # passes over them would cost more than the diff itself (there are no cycles to find)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _compare_versions(old, new)
    finally:
        if enabled:
            gc.enable()


def _compare_versions(old: Version, new: Version) -> DiffResult:
    side_old, side_new = _differing(old.records, new.records)
    old_rows, new_rows = side_old.rows(), side_new.rows()
    n_old, n_new = side_old.records, side_new.records
    sources, maps = (compare_sources(old.sources, new.sources) if old.has_sources and new.has_sources
                     else ([], {}))
    anchors = {sid: _Anchor.of(m, old.sources[sid], new.sources[sid]) for sid, m in maps.items()}
    pairs, removed_rows, added_rows = _align(old_rows, new_rows, maps)

    changed: list[Change] = []
    reanchored: list[Reanchor] = []
    for how, (_, o), (_, n) in pairs:
        how = "id" if o["id"] == n["id"] else how
        c = _compare(o, n, how, anchors)
        if isinstance(c, Change):
            changed.append(c)
        elif isinstance(c, Reanchor):
            reanchored.append(c)
    schema = _schema((r for _, r in old_rows), (r for _, r in new_rows),
                     lambda: _shared_records(side_new, side_old))
    summary = {
        "old_records": n_old, "new_records": n_new,
        "added": len(added_rows), "removed": len(removed_rows), "changed": len(changed),
        "confidence_only": sum(c.confidence_only for c in changed), "reanchored": len(reanchored),
        "unchanged": n_old - len(removed_rows) - len(changed) - len(reanchored),
        "sources_changed": len(sources), "fields_added": len(schema.added), "fields_removed": len(schema.removed),
    }
    summary["differences"] = sum(summary[k] for k in ("added", "removed", "changed", "reanchored", "sources_changed",
                                                      "fields_added", "fields_removed"))
    notes = _notes_changes(old, new)
    summary["differences"] += sum(len(v) for v in notes.values())
    return DiffResult(old.label, new.label, [r for _, r in added_rows], [r for _, r in removed_rows],
                      changed, reanchored, sources, schema, summary, new, notes, old.problems + new.problems)


def _notes_rows(version: Version) -> list[dict[str, Any]]:
    """The notes beside a version's records (`notes.jsonl` in the same folder), if any."""
    from .versions import FileBlob, GitBlob, git_object_type

    blob = version.records
    if isinstance(blob, FileBlob):
        path = blob.path.parent / "notes.jsonl"
        if blob.path.name != "quotations.jsonl" or not path.is_file():
            return []
        other: Any = FileBlob(path)
    elif isinstance(blob, GitBlob):
        path_ = str(Path(blob.path).parent / "notes.jsonl")
        if not blob.path.endswith("quotations.jsonl") or git_object_type(blob.repo, blob.rev, path_) != "blob":
            return []
        other = GitBlob(blob.repo, blob.rev, path_)
    else:
        return []
    return [json.loads(line) for batch in other.line_batches() for line in batch if line.strip()]


def _notes_changes(old: Version, new: Version) -> dict[str, Any]:
    from .notes import diff_notes

    return diff_notes(_notes_rows(old), _notes_rows(new))


def diff(old: str | Path, new: str | Path | None = None, repo: str | Path = ".",
         dataset_path: str = DEFAULT_DATASET_PATH) -> DiffResult:
    """Compare two versions of the dataset. Each of OLD and NEW is a records file, a dataset
    folder, or a git revision of `repo` (`HEAD~1`, a tag, a commit; or `REV:PATH`), read with
    git without a checkout. Without NEW, OLD is compared with the working tree's dataset."""
    a = resolve_version(old, repo, dataset_path)
    b = working_tree(repo, dataset_path) if new is None else resolve_version(new, repo, dataset_path)
    return compare_versions(a, b)


# -- output ---------------------------------------------------------------------------------

def readable(v: Any, decimals: int = SHOWN_DECIMALS) -> Any:
    """`v` with every float rounded for reading (0.30000000000000004 reads 0.3)."""
    if type(v) is float:
        return round(v, decimals)
    if type(v) is dict:
        return {k: readable(x, decimals) for k, x in v.items()}
    if type(v) is list:
        return [readable(x, decimals) for x in v]
    return v


def _val(v: Any, width: int = 80, decimals: int = SHOWN_DECIMALS) -> str:
    s = json.dumps(readable(v, decimals), ensure_ascii=False)
    return s if len(s) <= width else s[:width - 1] + "\u2026"


def _pair(old: Any, new: Any, width: int = 80) -> tuple[str, str]:
    """Old and new values for reading: long strings are cut around their first difference, so
    a corrected word stays visible; floats are shown with SHOWN_DECIMALS decimals, or with all
    of theirs when that would hide the difference."""
    if type(old) is float and type(new) is float and round(old, SHOWN_DECIMALS) == round(new, SHOWN_DECIMALS):
        return _val(old, width, 17), _val(new, width, 17)
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) + 2 > width:
        p = next((i for i, (x, y) in enumerate(zip(old, new)) if x != y), min(len(old), len(new)))
        cut = max(0, p - width // 3)
        if cut:
            return _val("\u2026" + old[cut:], width), _val("\u2026" + new[cut:], width)
    return _val(old, width), _val(new, width)


def _shown(change: Change) -> list[tuple[str, Any, Any]]:
    """The fields a reader needs: `selectors.quote.exact` repeats `text`, so it is left out when
    it changed the same way (the JSON keeps every field)."""
    text = change.fields.get("text")
    return [(p, o, n) for p, (o, n) in change.fields.items()
            if not (p == "selectors.quote.exact" and text == [o, n])]


def summary_line(result: DiffResult) -> str:
    s = result.summary
    minor = s.get("confidence_only", 0)
    parts = [f"{s['added']} added", f"{s['removed']} removed",
             f"{s['changed']} changed" + (f" ({minor} only in confidence)" if minor else ""),
             f"{s['reanchored']} re-anchored", f"{s['unchanged']} unchanged"]
    return ", ".join(parts)


def _record_line(rec: dict[str, Any]) -> str:
    bits = [f"{k}={_val(rec.get(k), 40)}" for k in ("speaker", "recipient", "footnote", "kind") if rec.get(k) is not None]
    return f"{rec.get('id')} {_val(rec.get('text'), 70)}" + ("  " + " ".join(bits) if bits else "")


def _shift_groups(result: DiffResult) -> list[tuple[str, int, int]]:
    groups: dict[tuple[str, int], int] = {}
    for r in result.reanchored:
        key = (str(r.new.get("source_id")), r.shift)
        groups[key] = groups.get(key, 0) + 1
    return [(sid, shift, n) for (sid, shift), n in sorted(groups.items())]


def format_text(result: DiffResult, color: bool = False) -> str:
    """Readable text: the summary first, then one block per changed record."""
    def paint(code: str, s: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    s = result.summary
    out = [paint("1", f"{result.old_label} ({s['old_records']} records) -> {result.new_label} ({s['new_records']} records)"),
           summary_line(result)]
    out += [paint("31", f"problem: {p}") for p in result.problems]
    for src in result.sources:
        out.append(f"source {src.id}: {src.summary}")
    if result.schema.added or result.schema.removed:
        out.append("schema: " + ", ".join([f"+{p}" for p in result.schema.added] + [f"-{p}" for p in result.schema.removed]))
    for sid, shift, n in _shift_groups(result):
        out.append(f"re-anchored: {n} record{'s' if n != 1 else ''} of {sid} moved by {shift:+d}")
    if not s["differences"]:
        out.append("no differences")
    from .notes import notes_diff_lines

    out += notes_diff_lines(result.notes)
    for c in result.changed:
        how = "" if c.matched_by == "id" else f" (matched by {c.matched_by})"
        if c.confidence_only:  # a minor change: the values stand, their probability moved
            how += " (only the confidence moved)"
        out += ["", paint("2" if c.confidence_only else "33", f"~ {c.id}{how}") + f" {_val(c.new.get('text'), 70)}"]
        out += [f"    {p}: {' -> '.join(_pair(o, n))}" for p, o, n in _shown(c)]
        if c.shift:
            out.append(f"    (also re-anchored by {c.shift:+d})")
    if result.added:
        out.append("")
        out += [paint("32", "+ " + _record_line(r)) for r in result.added]
    if result.removed:
        out.append("")
        out += [paint("31", "- " + _record_line(r)) for r in result.removed]
    return "\n".join(out) + "\n"


def _bullets(result: DiffResult) -> list[str]:
    """Markdown bullets for what is not a record: source edits, schema, re-anchoring."""
    out = [f"- Source `{src.id}`: {src.summary}" for src in result.sources]
    n = result.notes
    if n["added"] or n["removed"] or n["changed"]:
        out.append(f"- Notes: {len(n['added'])} added, {len(n['removed'])} removed, {len(n['changed'])} changed"
                   + "".join(f"; `{c['id']}` ({', '.join(c['fields'])})" for c in n["changed"][:20]))
    if result.schema.added or result.schema.removed:
        out.append("- Schema: " + ", ".join([f"added `{p}`" for p in result.schema.added]
                                            + [f"removed `{p}`" for p in result.schema.removed]))
    out += [f"- {n} record{'s' if n != 1 else ''} of `{sid}` re-anchored by {shift:+d} (source text edited)"
            for sid, shift, n in _shift_groups(result)]
    return out


MARKDOWN_ROWS = 300  # a pull-request comment has a size limit; the JSON has everything


def _md(v: Any) -> str:
    return _code(_val(v, 60))


def _code(s: str) -> str:
    return "`" + s.replace("`", "'").replace("|", "\\|") + "`"


def format_markdown(result: DiffResult) -> str:
    """A pull-request comment: a summary table, then collapsible sections per kind of change."""
    s = result.summary
    out = [f"### quoteprov diff: `{result.old_label}` \u2192 `{result.new_label}`", "",
           "| records | added | removed | changed | re-anchored | unchanged | sources changed |",
           "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
           f"| {s['old_records']} \u2192 {s['new_records']} | {s['added']} | {s['removed']} | {s['changed']} | "
           f"{s['reanchored']} | {s['unchanged']} | {s['sources_changed']} |", ""]
    out += [f"- **Problem:** {_code(p)}" for p in result.problems]
    if not s["differences"]:
        out.append("No differences.")
    out += [b.replace("|", "\\|") for b in _bullets(result)]

    def section(title: str, header: str, rows: list[str]) -> None:
        if not rows:
            return
        more = len(rows) - MARKDOWN_ROWS
        out.extend(["", f"<details><summary>{title}</summary>", "", header, *rows[:MARKDOWN_ROWS]])
        if more > 0:
            out.append(f"\n\u2026 and {more} more rows (see `quoteprov diff --format json`)")
        out.extend(["", "</details>"])

    minor = s.get("confidence_only", 0)
    section(f"Changed ({s['changed']}{f', {minor} of them only in confidence' if minor else ''})",
            "| id | field | old | new |\n| --- | --- | --- | --- |",
            [f"| `{c.id}` | `{p}` | {' | '.join(map(_code, _pair(o, n, 60)))} |" for c in result.changed
             for p, o, n in _shown(c)])
    rec_header = "| id | text | speaker | recipient | footnote | kind |\n| --- | --- | --- | --- | --- | --- |"

    def rec_rows(recs: list[dict]) -> list[str]:
        return [f"| `{r.get('id')}` | {_md(r.get('text'))} | {_md(r.get('speaker'))} | {_md(r.get('recipient'))} | "
                f"{_md(r.get('footnote'))} | {_md(r.get('kind'))} |" for r in recs]

    section(f"Added ({s['added']})", rec_header, rec_rows(result.added))
    section(f"Removed ({s['removed']})", rec_header, rec_rows(result.removed))
    return "\n".join(out) + "\n"


def dumps_json(result: DiffResult) -> str:
    if _loads is json.loads:  # pragma: no cover - without orjson
        return json.dumps(result.to_json(), ensure_ascii=False, indent=1) + "\n"
    return orjson.dumps(result.to_json(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")


# -- CHANGELOG --------------------------------------------------------------------------------

CHANGELOG_HEADER = ("# Changelog\n\nChanges to the quoteprov **dataset** (the records in `dataset/data/`), one entry\n"
                    "per dataset version, written by `quoteprov changelog` from `quoteprov diff` against the\n"
                    "previous tag.\n")
CHANGELOG_ITEMS = 50  # records listed per section; the rest is counted


def changelog_entry(result: DiffResult, version: str, date: str) -> str:
    """The Markdown entry for one dataset version."""
    s = result.summary
    out = [f"## {version} ({date})", "",
           f"Compared with `{result.old_label}`: {s['old_records']} \u2192 {s['new_records']} quotation records; "
           f"{summary_line(result)}.", "", *_bullets(result)]

    def section(title: str, items: list[str]) -> None:
        if items:
            out.extend(["", f"### {title}", "", *items[:CHANGELOG_ITEMS]])
            if len(items) > CHANGELOG_ITEMS:
                out.append(f"- \u2026 and {len(items) - CHANGELOG_ITEMS} more")

    section("Added", [f"- `{r.get('id')}` {_val(r.get('text'), 70)}" for r in result.added])
    section("Removed", [f"- `{r.get('id')}` {_val(r.get('text'), 70)}" for r in result.removed])
    arrow = " \u2192 "
    section("Changed", [f"- `{c.id}`{' (only the confidence moved)' if c.confidence_only else ''}: " + "; ".join(f"{p} {arrow.join(_pair(o, n, 40))}" for p, o, n in _shown(c))
                        for c in result.changed])
    if not s["differences"]:
        out.append("No changes to the records.")
    return "\n".join(out).rstrip() + "\n"


def update_changelog(text: str, entry: str) -> str:
    """`text` with `entry` in place of the entry of the same version, or first among the entries."""
    heading = entry.split("\n", 1)[0]
    version = heading.split(" (", 1)[0]
    blocks = re.split(r"(?m)^(?=## )", text or CHANGELOG_HEADER)
    head, entries = blocks[0], blocks[1:]
    kept = [b for b in entries if b.split("\n", 1)[0].split(" (", 1)[0] != version]
    return head.rstrip("\n") + "\n\n" + "\n".join([entry] + [b.rstrip("\n") + "\n" for b in kept])


def changelog(since: str | None = None, version: str | None = None, repo: str | Path = ".",
              path: str | Path | None = None, dataset_path: str = DEFAULT_DATASET_PATH,
              date: str | None = None, write: bool = True) -> str:
    """Write (or replace) the CHANGELOG entry of dataset version `version` from the diff of the
    working tree's dataset against `since` (default: the latest tag). Returns the entry."""
    from datetime import date as _date

    from .store import write_text
    from .versions import git_toplevel

    since = since or latest_tag(repo)
    result = diff(since, None, repo, dataset_path)
    entry = changelog_entry(result, version or "Unreleased", date or _date.today().isoformat())
    if write:
        top = git_toplevel(repo) or Path(repo)
        target = Path(path) if path is not None else top / "CHANGELOG.md"
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        write_text(target, update_changelog(old, entry))
    return entry


# -- command line ---------------------------------------------------------------------------

FORMATS = ("text", "json", "markdown", "html")


def _use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def render(result: DiffResult, fmt: str, out_dir: str | Path | None = None) -> str:
    """The result in one of FORMATS (html is written to `out_dir`; the return names the file)."""
    if fmt == "json":
        return dumps_json(result)
    if fmt == "markdown":
        return format_markdown(result)
    if fmt == "html":
        try:
            from .report import render_diff_html  # written by the report module
        except ImportError:
            raise QuoteprovError("--format html needs quoteprov.report.render_diff_html, which this "
                                 "version does not have; use --format text, json or markdown") from None
        new = result.new_version
        if new is None:
            return f"{render_diff_html(result, Path(out_dir or 'report'))}\n"
        page = render_diff_html(result, Path(out_dir or "report"), sources=new.sources if new.has_sources else None,
                                records=iter_records(new.records))
        return f"{page}\n"
    return format_text(result, color=_use_color())


def cmd_diff(args: argparse.Namespace) -> int:
    result = diff(args.old, args.new, args.repo, args.dataset_path)
    sys.stdout.write(render(result, args.format, args.out))
    return 1 if args.exit_code and result.differs else 0


def cmd_changelog(args: argparse.Namespace) -> int:
    entry = changelog(args.since, args.version, args.repo, args.file, args.dataset_path, write=not args.dry_run)
    sys.stdout.write(entry)
    return 0


def register_cli(sub: Any) -> None:
    d = sub.add_parser(
        "diff", help="what changed between two versions of the dataset",
        description="Compare two versions of the dataset record by record: added, removed, changed (field by "
                    "field), re-anchored (moved only because the source text was edited), source text edits and "
                    "schema changes. OLD and NEW are each a records file, a dataset folder or a git revision "
                    "(HEAD~1, a tag, a commit, or REV:PATH), read with git without a checkout. With only OLD, "
                    "it is compared with the working tree's dataset.",
        epilog="An existing path is taken as a path; anything else must be a revision of --repo. "
               "Exit status: 0, or 1 with --exit-code when there are differences; 2 on bad input.")
    d.add_argument("old", metavar="OLD", help="records file, dataset folder or git revision")
    d.add_argument("new", metavar="NEW", nargs="?", help="the same kinds (default: the working tree's dataset)")
    d.add_argument("--format", choices=FORMATS, default="text", help="output format (default: %(default)s)")
    d.add_argument("--out", type=Path, metavar="DIR", help="folder for --format html (default: report)")
    d.add_argument("--exit-code", action="store_true", help="exit 1 when there are differences")
    d.add_argument("--repo", default=".", metavar="DIR", help="git repository for revisions (default: the current folder)")
    d.add_argument("--dataset-path", default=DEFAULT_DATASET_PATH, metavar="PATH",
                   help="dataset folder inside the repository (default: %(default)s)")
    d.set_defaults(func=cmd_diff)

    c = sub.add_parser(
        "changelog", help="write the CHANGELOG entry of a new dataset version",
        description="Diff the working tree's dataset against the previous tag (or --since) and write the "
                    "entry for the new version into CHANGELOG.md, replacing an entry of the same version.")
    c.add_argument("--since", metavar="REV", help="revision to compare with (default: the latest tag, git describe --tags)")
    c.add_argument("--version", dest="version", metavar="V", help="version heading of the entry (default: Unreleased)")
    c.add_argument("--file", type=Path, metavar="FILE", help="changelog file (default: CHANGELOG.md at the repository root)")
    c.add_argument("--repo", default=".", metavar="DIR", help="git repository (default: the current folder)")
    c.add_argument("--dataset-path", default=DEFAULT_DATASET_PATH, metavar="PATH", help="dataset folder inside the repository")
    c.add_argument("--dry-run", action="store_true", help="print the entry without writing it")
    c.set_defaults(func=cmd_changelog)


class _CallableModule(type(sys)):
    """Importing `quoteprov.diff` binds the package attribute `quoteprov.diff` to this module,
    shadowing the function of the same name that `quoteprov/__init__.py` exports; calling the
    module calls the function, so `quoteprov.diff(old, new)` works either way."""

    def __call__(self, *args: Any, **kwargs: Any) -> DiffResult:
        return diff(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
