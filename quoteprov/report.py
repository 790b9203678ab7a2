"""`quoteprov report`: a self-contained static HTML site to read the quotations in their sources.

Historians check an attribution by reading it in context, so every source gets one page with
its full text, each quoted span highlighted (coloured by speaker, and labelled so that it reads
without colour) and the evidence behind each value (cue, speaker mention, recipient mention,
footnote marker) underlined where it stands. The same page renders a diff (`render_diff_html`):
added, re-attributed and re-anchored quotations marked in the new text, removed ones listed.

The markup is built from offsets as a tree of non-crossing ranges (paragraphs, then quoted
spans, then evidence spans; a range that crosses a boundary of one inserted before it is split
there), and rendered by Jinja2 templates with autoescaping always on: the source text and the
record values only ever reach the page as escaped text. The site needs no server and loads
nothing: its CSS and JavaScript are inlined into each page.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import re
import sys
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .versions import readable
from .errors import QuoteprovError
from .source import Source, make_source, read_manifest, read_sources
from .records import CONFIDENT, KINDS, LOW_CONFIDENCE
from .store import read_jsonl, write_text

DEFAULT_OUT = Path("report")
# evidence roles in the order a card lists them, with the words a reader sees
ROLES = {"speaker": "speaker mention", "cue": "reporting cue", "recipient": "recipient mention",
         "marker": "footnote marker"}
STATUSES = {"added": "added", "changed": "re-attributed / changed", "reanchored": "re-anchored",
            "removed": "removed"}
# Okabe-Ito and Paul Tol colours: distinguishable with the common colour-vision deficiencies.
# Colour is never the only cue: every speaker also has a numbered label (see the templates).
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
           "#44AA99", "#999933", "#AA4499", "#882255", "#117733")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")

# layers of the markup tree: a range of a lower layer is never split by one of a higher layer
_PARAGRAPH, _QUOTE, _EVIDENCE = 0, 1, 2


# ---------------------------------------------------------------------------------------------
# the markup tree


class _Node:
    """A range of the text and the ranges inside it (children sorted, never overlapping)."""

    __slots__ = ("start", "end", "payload", "children")

    def __init__(self, start: int, end: int, payload: Any) -> None:
        self.start, self.end, self.payload = start, end, payload
        self.children: list[_Node] = []


def _end(node: _Node) -> int:
    return node.end


def _insert(node: _Node, start: int, end: int, payload: Any) -> None:
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
            kids.insert(lo, _Node(start, end, payload))
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
        new = _Node(start, end, payload)
        new.children = kids[lo:hi]
        kids[lo:hi] = [new]


def markup_tree(length: int, ranges: Iterable[tuple[int, int, int, Any]]) -> _Node:
    """The tree of ranges (start, end, layer, payload) over a text of `length` code points.

    Ranges are inserted by layer, then by start, longer first, so an enclosing quotation is in
    place before the quotations nested in it; the result has no crossing ranges.
    """
    root = _Node(0, length, None)
    for start, end, _layer, payload in sorted(ranges, key=lambda r: (r[2], r[0], -r[1])):
        _insert(root, max(0, start), min(length, end), payload)
    return root


# ---------------------------------------------------------------------------------------------
# view models


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
    legend = {None: SpeakerEntry(None, "0", counts.pop(None, 0), "#e4e4e4", "#6b6b6b")}
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
                 index_of: Mapping[str, int]) -> dict[str, Any]:
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
        (s, e, _PARAGRAPH, ("p", i, i in note_paragraphs)) for i, (s, e) in enumerate(paragraphs)]
    evidence: dict[tuple[int, int], dict[str, Any]] = {}
    for v in views:
        if not v["placed"]:
            continue
        out.append((v["start"], v["end"], _QUOTE, ("q", v)))
        for ev in v["evidence"]:
            # one marker often documents several quotations: one underline, all of them linked
            slot = evidence.setdefault((ev["start"], ev["end"]), {"roles": set(), "ns": [], "note": None})
            slot["roles"].add(ev["role"])
            if v["n"] not in slot["ns"]:
                slot["ns"].append(v["n"])
            if ev["role"] == "marker" and v["footnote"] is not None:
                slot["note"] = v["footnote"]
    for (s, e), slot in evidence.items():
        out.append((s, e, _EVIDENCE, ("ev", slot)))
    return out


def _items(node: _Node, text: str, seen: set[int], in_link: bool = False) -> list[Any]:
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


def _paragraph_items(root: _Node, text: str) -> list[dict[str, Any]]:
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


def build_page(source: Source, records: list[Mapping[str, Any]], legend: Mapping[str | None, SpeakerEntry],
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


# ---------------------------------------------------------------------------------------------
# rendering


def _environment() -> Environment:
    # autoescape is on for every template, whatever its name: no value can become markup
    env = Environment(loader=PackageLoader("quoteprov", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(ROLES=ROLES, STATUSES=STATUSES, KINDS=KINDS, LOW_CONFIDENCE=LOW_CONFIDENCE)
    return env


def render_pages(pages: list[Page], index: Mapping[str, Any], out: Path, legend: Mapping[str | None, SpeakerEntry],
                 title: str, diff_mode: bool = False) -> Path:
    """Write index.html and one page per source under `out`; returns the index's path."""
    env = _environment()
    script = env.get_template("report_script.js.j2").render()
    # the page's Content-Security-Policy allows this script only, by its hash
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    common = {"legend": list(legend.values()), "site_title": title, "diff_mode": diff_mode,
              "script": Markup(script), "script_hash": f"sha256-{digest}"}
    source_tpl = env.get_template("report_source.html.j2")
    for page in pages:
        write_text(out / "sources" / page.filename, source_tpl.render(page=page, **common))
    index_path = out / "index.html"
    write_text(index_path, env.get_template("report_index.html.j2").render(pages=pages, **index, **common))
    return index_path


# ---------------------------------------------------------------------------------------------
# the report


def _load_dataset(dataset: Path) -> tuple[list[Source], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    from .store import settle

    settle(dataset)  # an interrupted build's swap is finished (or undone) before anything is read
    data = dataset / "data"
    path = data / "quotations.jsonl"
    if not (dataset / "sources").is_dir():
        raise QuoteprovError(f"{dataset}: not a dataset folder (no sources/ folder); run the command in the "
                             "folder that holds dataset/, or pass --dataset DIR")
    if not path.exists():
        raise QuoteprovError(f"{path}: no such file; run `quoteprov build --dataset {dataset}` first")
    try:
        records = read_jsonl(path)
        meta = {row["id"]: row for row in read_jsonl(data / "sources.jsonl")} if (data / "sources.jsonl").exists() else {}
    except ValueError as exc:
        raise QuoteprovError(f"{path.parent}: not valid JSON Lines ({exc}); run `quoteprov validate`") from None
    bad = next((i for i, r in enumerate(records, 1) if not isinstance(r, dict)), None)
    if bad:
        raise QuoteprovError(f"{path}:{bad}: expected a JSON object")
    return read_sources(dataset / "sources"), meta, records


def report(dataset: str | Path | None = None, out: str | Path = DEFAULT_OUT) -> Path:
    """Write the static site for `dataset` into `out`: `index.html` and `sources/<id>.html`.

    Returns the path of `index.html`. Reads `data/quotations.jsonl`, `data/sources.jsonl` and
    the source texts; writes nothing else (existing files of `out` other than the pages are left).
    """
    from .build_cmd import DEFAULT_DATASET

    dataset = Path(dataset) if dataset is not None else DEFAULT_DATASET
    out = Path(out)
    sources, meta, records = _load_dataset(dataset)
    notes_path = dataset / "data" / "notes.jsonl"
    try:
        notes_of = {q: n for n in (read_jsonl(notes_path) if notes_path.exists() else []) for q in n.get("quotations", ())}
    except (ValueError, AttributeError, TypeError) as exc:
        raise QuoteprovError(f"{notes_path}: not valid notes ({exc}); run `quoteprov validate`") from None
    legend = speaker_legend(records)
    by_source: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_source.setdefault(str(r.get("source_id")), []).append(r)
    pages = []
    for s in sources:
        problems = []
        row = meta.get(s.id)
        if row is None:
            problems.append("not in data/sources.jsonl: the data was built before this source was added")
        elif row.get("sha256") and row["sha256"] != hashlib.sha256(s.text.encode("utf-8")).hexdigest():
            problems.append("the source text changed since the data was built (sha256 differs): "
                            "offsets may point at the wrong words; rebuild with `quoteprov build`")
        pages.append(build_page(s, by_source.pop(s.id, []), legend, row, problems, notes_of=notes_of))
    orphans = sorted(by_source)  # records whose source text is not in the manifest
    index = {"orphans": [(sid, len(by_source[sid])) for sid in orphans], "summary": None,
             "source_changes": [], "dataset": dataset.resolve().name, "unchanged_shown": True}
    return render_pages(pages, index, out, legend, "quoteprov report")


# ---------------------------------------------------------------------------------------------
# diff view


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a DiffResult (object with attributes) or of its JSON form (a dict)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _as_record(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return dict(obj)
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return None


def _offsets(obj: Any) -> tuple[Any, Any] | None:
    rec = _as_record(obj)
    if rec is not None:
        return rec.get("start"), rec.get("end")
    if isinstance(obj, (list, tuple)) and len(obj) == 2:
        return obj[0], obj[1]
    return None


def _diff_sources(sources: Any) -> dict[str, Source]:
    """Source texts of the new version: a dataset or sources folder, {id: Source or text}, a list
    of Source, or None for this repository's dataset."""
    if sources is None:
        from .build_cmd import DEFAULT_DATASET
        sources = DEFAULT_DATASET
    if isinstance(sources, (str, Path)):
        p = Path(sources)
        if (p / "sources" / "manifest.json").exists():
            p = p / "sources"
        if not (p / "manifest.json").exists():
            raise QuoteprovError(f"{sources}: no sources/manifest.json or manifest.json here")
        return {s.id: s for s in read_sources(p)}
    if isinstance(sources, Mapping):
        return {str(k): v if isinstance(v, Source) else make_source(str(v), str(k)) for k, v in sources.items()}
    return {s.id: s for s in sources}


def _new_dataset_folder(result: Any) -> Path | None:
    """The new version's dataset folder when the diff's label names one on disk (a folder, or a
    records file inside its data/), else None (this repository's dataset)."""
    label = _get(result, "new_label") or _get(result, "new")
    if not isinstance(label, str) or not label:
        return None
    p = Path(label)
    for folder in (p, p.parent.parent):
        if (folder / "sources" / "manifest.json").is_file():
            return folder
    return None


def _titles(folder: Path | None) -> dict[str, dict[str, Any]]:
    """Title, author etc. by source id, for sources given as bare texts: from the manifest of the
    new version's folder, else of this repository's dataset (display only)."""
    from .build_cmd import DEFAULT_DATASET

    for f in (folder, DEFAULT_DATASET):
        if f is not None and (f / "sources" / "manifest.json").is_file():
            try:
                return {str(e["id"]): e for e in read_manifest(f / "sources")}
            except QuoteprovError:
                continue
    return {}


def _dataset_records(sources: Any) -> list[dict[str, Any]]:
    """The records beside the source texts, when `sources` names a dataset folder (or is None)."""
    if sources is None:
        from .build_cmd import DEFAULT_DATASET
        sources = DEFAULT_DATASET
    if not isinstance(sources, (str, Path)):
        return []
    path = Path(sources) / "data" / "quotations.jsonl"
    try:
        return read_jsonl(path) if path.exists() else []
    except ValueError:
        return []


def _changed_records(result: Any) -> list[dict[str, Any]]:
    out = [_as_record(r) for r in _get(result, "added") or ()]
    out += [_as_record(_get(c, "new")) for n in ("changed", "reanchored") for c in _get(result, n) or ()]
    return [r for r in out if r is not None]


def render_diff_html(result: Any, out_dir: str | Path, sources: Any = None,
                     records: Iterable[Mapping[str, Any]] | None = None) -> Path:
    """Render a diff (a `quoteprov.versions.DiffResult`, or its JSON form) as the report's pages.

    The new version's text carries the added, changed (re-attributed) and re-anchored
    quotations, each marked and labelled; removed quotations are listed in a panel of their
    source's page, since their words may be gone. `sources` gives the new version's texts: a
    dataset or sources folder, {source id: text or Source}, a list of Source, or None for the
    folder that the result's new label names (else this repository's dataset). `records` gives the new version's full records, so that unchanged
    quotations are shown too; without it they are taken from the dataset folder named by
    `sources` only if that folder holds every added and changed record as the diff has it (so
    it is the new version). Returns the path of `index.html`.
    """
    out = Path(out_dir)
    folder = _new_dataset_folder(result)
    if sources is None:
        sources = folder
    texts = _diff_sources(sources)
    titles = _titles(folder)
    info: dict[str, dict[str, Any]] = {}
    new_records: dict[str, dict[str, Any]] = {}
    if records is None:
        candidates = {str(r.get("id")): r for r in _dataset_records(sources)}
        if all(candidates.get(str(r.get("id"))) == r for r in _changed_records(result)):
            records = candidates.values()
    for r in records or ():
        new_records[str(r.get("id"))] = dict(r)
    # a record both moved and changed is shown as changed, with its move noted
    for name in ("reanchored", "changed", "added"):
        for entry in _get(result, name) or ():
            if name == "added":
                rec, rid = _as_record(entry), None
            else:
                rid = _get(entry, "id")
                rec = _as_record(_get(entry, "new")) or new_records.get(str(rid))
            if rec is None:
                continue
            rid = str(rid or rec.get("id"))
            rec.setdefault("id", rid)
            new_records[rid] = rec
            slot = info.setdefault(rid, {"status": name, "changes": [], "moved": None})
            slot["status"] = name
            if name == "changed":
                for path, pair in sorted((_get(entry, "fields") or {}).items()):
                    old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
                    slot["changes"].append({"field": path, "old": readable(old), "new": readable(new)})
            if name in ("changed", "reanchored"):
                old, new = _offsets(_get(entry, "old")), (rec.get("start"), rec.get("end"))
                if old and tuple(old) != new:
                    slot["moved"] = {"old": old, "new": new}
    removed: dict[str, list[dict[str, Any]]] = {}
    for entry in _get(result, "removed") or ():
        rec = _as_record(entry)
        if rec is not None:
            removed.setdefault(str(rec.get("source_id")), []).append(rec)
    by_source: dict[str, list[dict[str, Any]]] = {}
    for r in new_records.values():
        by_source.setdefault(str(r.get("source_id")), []).append(r)
    legend = speaker_legend(list(new_records.values()) + [r for rs in removed.values() for r in rs])
    pages = []
    missing = []
    for sid in sorted(set(by_source) | set(removed)):
        src = texts.get(sid)
        problems = []
        if src is None:
            # no text for this source (it was removed, or not given): the panel still lists it all
            src = make_source("", sid)
            if by_source.get(sid):
                missing.append(sid)
                problems.append("the new version's source text was not given: quotations are listed, not shown in place")
        pages.append(build_page(src, by_source.get(sid, []), legend, None if src.metadata else titles.get(sid), problems,
                                {"records": info, "removed": removed.get(sid, [])}))
    changes = []
    for sc in _get(result, "sources") or ():
        d = sc.to_json() if hasattr(sc, "to_json") else sc
        if isinstance(d, Mapping):
            changes.append({"id": d.get("id"), "status": d.get("status"), "summary": d.get("summary")})
        else:
            changes.append({"id": None, "status": None, "summary": str(d)})
    # files a manifest places outside the dataset: refused by the diff, never read; said here too
    changes += [{"id": None, "status": "problem", "summary": str(p)} for p in _get(result, "problems") or ()]
    old_label, new_label = _get(result, "old_label") or _get(result, "old"), _get(result, "new_label") or _get(result, "new")
    title = f"quoteprov diff: {old_label} → {new_label}" if isinstance(old_label, str) and isinstance(new_label, str) \
        else "quoteprov diff"
    index = {"orphans": [], "summary": _get(result, "summary"), "source_changes": changes, "dataset": None,
             "unchanged_shown": bool(records)}
    return render_pages(pages, index, out, legend, title, diff_mode=True)


# ---------------------------------------------------------------------------------------------
# command line


def cmd_report(args: argparse.Namespace) -> int:
    index = report(args.dataset, args.out)
    print(f"wrote {index}")
    return 0


def register_cli(subparsers: Any) -> None:
    from .build_cmd import DEFAULT_DATASET

    p = subparsers.add_parser(
        "report", help="write a static HTML site to read each source with its quotations",
        description="Write a self-contained static site (no server, nothing loaded from the network): an index "
                    "of the sources and, for each source, its full text with every quoted span highlighted by "
                    "speaker and its evidence underlined. Open OUT/index.html in a browser.")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="output folder (default: %(default)s)")
    p.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, metavar="DIR",
                   help="dataset folder (default: %(default)s)")
    p.set_defaults(func=cmd_report)


class _CallableModule(type(argparse)):
    """`quoteprov.report(...)` is the API function, but once this module is imported Python binds
    the package attribute `report` to the module, shadowing the lazy name in `quoteprov/__init__`.
    Making the module callable keeps `quoteprov.report(dataset=..., out=...)` working either way."""

    def __call__(self, dataset: str | Path | None = None, out: str | Path = DEFAULT_OUT) -> Path:
        return report(dataset, out)


sys.modules[__name__].__class__ = _CallableModule
