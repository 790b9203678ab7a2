"""View models: what the templates show of a source, its records and their evidence."""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from ..records import CONFIDENT, KINDS, LOW_CONFIDENCE
from ..source import Source
from .tree import EVIDENCE, PARAGRAPH, QUOTE, Node, markup_tree

# evidence roles in the order a card lists them, with the words a reader sees
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")
ROLES = {"speaker": "speaker mention", "cue": "reporting cue", "recipient": "recipient mention",
         "marker": "footnote marker"}
STATUSES = {"added": "added", "changed": "re-attributed / changed", "reanchored": "re-anchored",
            "removed": "removed"}
# Okabe-Ito and Paul Tol colours: distinguishable with the common colour-vision deficiencies.
# Colour is never the only cue: every speaker also has a numbered label (see the templates).
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
           "#44AA99", "#999933", "#AA4499", "#882255", "#117733")


@dataclass(frozen=True)
class SpeakerEntry:
    """A speaker of the legend: the numbered label and colours used on every page."""

    name: str | None
    key: str  # "0" for no speaker, else "1", "2", ... by descending count
    count: int
    colour: str  # background of the highlight
    border: str  # underline and label


def _mix(colour: str, other: str, weight: float) -> str:
    a = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x * (1 - weight) + y * weight):02x}" for x, y in zip(a, b))


def speaker_legend(records: Iterable[Mapping[str, Any]]) -> dict[str | None, SpeakerEntry]:
    """One entry per speaker (and one for "no speaker"), numbered by descending count.

    Built over the whole dataset so that a speaker keeps its colour and label on every page.
    """
    counts = Counter(r.get("speaker") for r in records)
    legend: dict[str | None, SpeakerEntry] = {None: SpeakerEntry(None, "0", counts.pop(None, 0), "#e4e4e4", "#6b6b6b")}
    for i, (name, n) in enumerate(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))):
        base = PALETTE[i % len(PALETTE)]
        legend[name] = SpeakerEntry(name, str(i + 1), n, _mix(base, "#ffffff", 0.62), _mix(base, "#000000", 0.45))
    return legend


def _span_text(text: str, ev: Mapping[str, Any] | None) -> tuple[int, int, str] | None:
    if not isinstance(ev, Mapping):
        return None
    try:
        s, e = int(ev["start"]), int(ev["end"])
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= s <= e <= len(text):
        return None
    return s, e, text[s:e]


def _record_view(rec: Mapping[str, Any], n: int, text: str, legend: Mapping[str | None, SpeakerEntry],
                 index_of: Mapping[Any, int]) -> dict[str, Any]:
    """What a page shows of one record: its values, evidence, corrections and problems."""
    start, end = rec.get("start"), rec.get("end")
    problems = []
    placed = isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)
    if not placed:
        problems.append(f"offsets {start}-{end} lie outside the source text ({len(text)} characters)")
    elif text[start:end] != rec.get("text"):
        problems.append("the source text at these offsets differs from the record's text "
                        "(the source changed since the build?)")
    evidence = []
    ev = rec.get("evidence") or {}
    for role, label in ROLES.items():
        span = _span_text(text, ev.get(role))
        if span:
            evidence.append({"role": role, "label": label, "start": span[0], "end": span[1], "text": span[2]})
            if span[2] != ev[role].get("text"):
                problems.append(f"the source text at the {label}'s offsets differs from its recorded text")
        elif ev.get(role):
            problems.append(f"{label} evidence has offsets outside the source text")
    marker = ev.get("marker") if isinstance(ev.get("marker"), Mapping) else None
    corrections = [c for c in rec.get("corrections") or () if isinstance(c, Mapping)]
    speaker = legend.get(rec.get("speaker")) or legend[None]
    confidence = _confidences(rec, problems)
    parent = rec.get("nested_in")
    if rec.get("kind") not in KINDS:
        problems.append(f"unknown kind {rec.get('kind')!r} (shown as a quotation)")
    return {
        "n": n, "id": rec.get("id"), "text": rec.get("text"), "start": start, "end": end,
        "placed": placed, "kind": rec.get("kind") if rec.get("kind") in KINDS else "quotation",
        "speaker": rec.get("speaker"), "sk": speaker.key, "recipient": rec.get("recipient"),
        "footnote": rec.get("footnote"), "marker": marker, "unclosed": bool(rec.get("unclosed")),
        "basis": rec.get("basis") or {}, "method": rec.get("method") or {}, "evidence": evidence,
        "confidence": {k: _probability(p) for k, p in confidence.items() if p is not None},
        "uncertain": {k for k, p in confidence.items() if p is not None and p < LOW_CONFIDENCE},
        "corrections": corrections, "corrected": {c.get("field") for c in corrections},
        "nested_in": parent, "parent_n": index_of.get(parent) if parent else None,
        "problems": problems, "status": None, "changes": [], "moved": None, "note": None,
    }


def _confidences(rec: Mapping[str, Any], problems: list[str]) -> dict[str, float | None]:
    """The record's confidence of each value; one that is not a probability is reported and
    left out (the page still shows the value)."""
    conf = rec.get("confidence")
    out: dict[str, float | None] = {}
    for role in CONFIDENT:
        p = conf.get(role) if isinstance(conf, Mapping) else None
        if p is not None and (type(p) not in (int, float) or not 0 <= p <= 1):
            problems.append(f"confidence.{role} {p!r} is not a probability (not shown)")
            p = None
        out[role] = p
    return out


def _probability(p: float) -> str:
    """A probability as the card shows it: as written (three decimals at most), no trailing
    zeros, so that 0.93 reads 0.93 and a reviewed 1.0 reads 1."""
    return f"{p:.3f}".rstrip("0").rstrip(".")


def _ranges(views: list[dict[str, Any]], paragraphs: Iterable[tuple[int, int]],
            note_paragraphs: frozenset[int]) -> list[tuple[int, int, int, Any]]:
    """Paragraph, quotation and (merged) evidence ranges for `markup_tree`."""
    out: list[tuple[int, int, int, Any]] = [
        (s, e, PARAGRAPH, ("p", i, i in note_paragraphs)) for i, (s, e) in enumerate(paragraphs)]
    evidence: dict[tuple[int, int], dict[str, Any]] = {}
    for v in views:
        if not v["placed"]:
            continue
        out.append((v["start"], v["end"], QUOTE, ("q", v)))
        for ev in v["evidence"]:
            # one marker often documents several quotations: one underline, all of them linked
            slot = evidence.setdefault((ev["start"], ev["end"]), {"roles": set(), "ns": [], "note": None})
            slot["roles"].add(ev["role"])
            if v["n"] not in slot["ns"]:
                slot["ns"].append(v["n"])
            if ev["role"] == "marker" and v["footnote"] is not None:
                slot["note"] = v["footnote"]
    for (s, e), slot in evidence.items():
        out.append((s, e, EVIDENCE, ("ev", slot)))
    return out


def _items(node: Node, text: str, seen: set[int], in_link: bool = False) -> list[Any]:
    """The tree as template items: plain strings (escaped by the template) and element dicts."""
    items: list[Any] = []
    pos = node.start
    for child in node.children:
        if child.start > pos:
            items.append(text[pos:child.start])
        kind = child.payload[0]
        if kind == "q":
            v = child.payload[1]
            first = v["n"] not in seen  # only the first piece of a split span carries the anchor
            seen.add(v["n"])
            items.append({"t": "q", "v": v, "anchor": first, "items": _items(child, text, seen, in_link)})
        elif kind == "ev":
            slot = child.payload[1]
            link = slot["note"] is not None and not in_link
            items.append({"t": "ev", "roles": sorted(slot["roles"], key=list(ROLES).index),
                          "ns": " ".join(map(str, slot["ns"])), "note": slot["note"] if link else None,
                          "items": _items(child, text, seen, in_link or link)})
        pos = max(pos, child.end)
    if node.end > pos:
        items.append(text[pos:node.end])
    return items


def _paragraph_items(root: Node, text: str) -> list[dict[str, Any]]:
    seen: set[int] = set()
    out = []
    for child in root.children:
        # only paragraphs sit at the top; pieces of a span that covers a line break between
        # paragraphs hold nothing but the newline and are dropped with it
        if child.payload and child.payload[0] == "p":
            _, i, note = child.payload
            items = _items(child, text, seen)
            blank = not text[child.start:child.end].strip() and all(isinstance(x, str) for x in items)
            out.append({"i": i, "note": note, "blank": blank, "items": items})
    return out


@dataclass(frozen=True)
class Page:
    """One source's page: everything the template needs, computed without touching files."""

    source_id: str
    filename: str
    meta: dict[str, Any]
    paragraphs: list[dict[str, Any]]
    records: list[dict[str, Any]]
    speakers: list[SpeakerEntry]
    kinds: list[tuple[str, int]]
    notes: list[dict[str, Any]]
    problems: list[str]
    removed: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(v["kind"] for v in self.records)
        return {"records": len(self.records), **{k: c.get(k, 0) for k in KINDS},
                "speakers": sum(1 for s in self.speakers if s.name is not None),
                "unattributed": sum(1 for v in self.records if v["kind"] == "quotation" and not v["speaker"]),
                "corrected": sum(1 for v in self.records if v["corrections"]),
                "problems": len(self.problems) + sum(1 for v in self.records if v["problems"]),
                **{s: sum(1 for v in self.records if v["status"] == s) for s in ("added", "changed", "reanchored")},
                "removed": len(self.removed)}


_CITATION_LABELS = (("author", "author"), ("title", "title"), ("periodical", "in"), ("volume", "vol."),
                    ("issue", "no."), ("place", "place"), ("publisher", "publisher"), ("date", "date"),
                    ("pages", "p."), ("archive", "archive"), ("fond", "fond"), ("opis", "opis'"), ("delo", "delo"))
_FORMS = {"full": "cited in full", "ibid": "Ibid.", "op-cit": "op. cit.", "loc-cit": "loc. cit.", "short": "short form"}


def _citation_view(c: Mapping[str, Any]) -> dict[str, Any]:
    fields = [(label, c[k]["text"]) for k, label in _CITATION_LABELS if isinstance(c.get(k), Mapping)]
    return {"form": _FORMS.get(str(c.get("form")), str(c.get("form"))), "resolved": bool(c.get("resolved")),
            "resolved_to": c.get("resolved_to"), "fields": fields, "text": c.get("text")}


def page_filename(source_id: str) -> str:
    """The page's file name: the id when it is a safe file name (schema ids are), else a digest."""
    if _SAFE_NAME.match(source_id) and source_id not in (".", ".."):
        return f"{source_id}.html"
    return "source-" + hashlib.sha1(source_id.encode("utf-8")).hexdigest()[:12] + ".html"


def build_page(source: Source, records: Sequence[Mapping[str, Any]], legend: Mapping[str | None, SpeakerEntry],
               meta: Mapping[str, Any] | None = None, problems: Iterable[str] = (),
               diff: Mapping[str, Any] | None = None,
               notes_of: Mapping[str, Mapping[str, Any]] | None = None) -> Page:
    """The page of one source and its records (pure: the records are not modified).

    `diff` (from `render_diff_html`) maps record ids to their status and changes, and holds the
    removed records of this source.
    """
    def order(r: Mapping[str, Any]) -> tuple[int, int, str]:
        # document order, an enclosing quotation before those nested in it; bad offsets first
        s, e = r.get("start"), r.get("end")
        return (s if isinstance(s, int) else -1, -e if isinstance(e, int) else 0, str(r.get("id")))

    records = sorted(records, key=order)
    index_of = {r.get("id"): n for n, r in enumerate(records)}
    views = [_record_view(r, n, source.text, legend, index_of) for n, r in enumerate(records)]
    for v in views:  # the note of the record's footnote (data/notes.jsonl), shown in its card
        note = (notes_of or {}).get(v["id"])
        if note is not None:
            v["note"] = {"id": note.get("id"), "text": note.get("text"),
                         "citations": [_citation_view(c) for c in note.get("citations") or ()]}
    if diff:
        for v in views:
            info = diff["records"].get(v["id"])
            if info:
                v.update(status=info["status"], changes=info["changes"], moved=info["moved"])
    root = markup_tree(len(source.text), _ranges(views, source.paragraphs, source.note_paragraphs))
    paragraphs = _paragraph_items(root, source.text)
    counts = Counter(v["sk"] for v in views)
    speakers = sorted((e for e in legend.values() if counts.get(e.key)), key=lambda e: (e.key == "0", int(e.key)))
    speakers = [SpeakerEntry(e.name, e.key, counts[e.key], e.colour, e.border) for e in speakers]
    kinds = Counter(v["kind"] for v in views)
    notes: dict[int, dict[str, Any]] = {}
    for v in views:
        if v["footnote"] is not None:
            note = notes.setdefault(v["footnote"], {"number": v["footnote"], "text": source.notes.get(v["footnote"]),
                                                    "records": []})
            note["records"].append(v)
    removed = list(diff.get("removed", [])) if diff else []
    statuses = []
    if diff:
        st = Counter(v["status"] for v in views)
        statuses = [(s, STATUSES[s], st.get(s, 0)) for s in ("added", "changed", "reanchored")]
        statuses.append(("removed", STATUSES["removed"], len(removed)))
    m = dict(source.metadata)
    m.update(meta or {})
    return Page(source.id, page_filename(source.id), m, paragraphs, views, speakers,
                [(k, kinds.get(k, 0)) for k in KINDS], [notes[k] for k in sorted(notes)],
                list(problems), removed, statuses)
