"""Notes as data: each note of a source with its number, text, offsets, the quotations whose
footnote points at it, and the works it cites (`citations.py`). Pure functions over a `Source`
and its records.

Sections. Books number their notes per chapter as often as through the book, and print them at
the foot of a chapter, at its end or in one notes section. A *notes section* is a run of note
paragraphs (`source.note_paragraphs`: `[n] text`, a notes heading and what follows it); a new
one begins after body text, at a notes heading, or where the numbers start again. A quotation's
footnote n is the note n of the first section that follows the quotation's marker: that is
where the printer put it, whether the numbers restart or not. A footnote with no such note
links to nothing (never to a note of another chapter).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .citations import Citation, resolve
from .source import _NOTES_HEADING, Source, note_start


@dataclass(frozen=True)
class Note:
    id: str  # SOURCE:SECTION:NUMBER
    source_id: str
    section: int  # 0-based index of the notes section in the source
    number: int
    text: str  # source[start:end]: the note after its printed marker, over all its paragraphs
    start: int
    end: int
    paragraph: int  # the line the note starts on
    quotations: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "source_id": self.source_id, "section": self.section, "number": self.number,
                "text": self.text, "start": self.start, "end": self.end, "paragraph": self.paragraph,
                "quotations": list(self.quotations), "citations": [c.to_dict() for c in self.citations]}


def note_id(source_id: str, section: int, number: int) -> str:
    return f"{source_id}:{section}:{number}"


def find_note_spans(source: Source) -> list[tuple[int, int, int, int, int]]:
    """(section, number, start, end, paragraph) of every note, in source order.

    The text starts after the printed marker and runs to the end of the note's last paragraph
    (a quotation a note carries on over paragraphs is part of it)."""
    out: list[list[int]] = []
    section = -1
    opened = False  # a heading has opened a section that no note has filled yet
    prev_par: int | None = None  # the last note paragraph (or heading) seen
    prev_number: int | None = None
    text = source.text
    for i in sorted(source.note_paragraphs):
        s, e = source.paragraphs[i]
        line = text[s:e]
        # body text between the previous note paragraph and this one ends a section (blank lines do not)
        body_between = prev_par is not None and any(text[a:b].strip() for a, b in source.paragraphs[prev_par + 1:i])
        if _NOTES_HEADING.match(line):
            section, opened, prev_number, prev_par = section + 1, True, None, i
            continue
        start = note_start(line)
        if start is None:  # a paragraph that carries the previous note on (a quotation in it)
            if out and not body_between:
                out[-1][3] = e
            prev_par = i
            continue
        number, prefix = start
        if not opened and (prev_number is None or body_between or number <= prev_number):
            section += 1  # the first notes, notes after body text, or numbering that starts again
        opened = False
        lead = len(line[prefix:]) - len(line[prefix:].lstrip())
        out.append([section, number, s + prefix + lead, e, i])
        prev_number, prev_par = number, i
    return [tuple(x) for x in out]  # type: ignore[misc]


def _get(r: Any, key: str) -> Any:
    return r.get(key) if isinstance(r, Mapping) else getattr(r, key, None)


def _marker_offset(r: Any) -> int:
    # the footnote's marker stands after the quotation; its start is where the link is made
    if isinstance(r, Mapping):
        m = (r.get("evidence") or {}).get("marker")
        return m["start"] if m else r["end"]
    return r.marker.start if r.marker else r.end


def link_quotations(spans: list[tuple[int, int, int, int, int]], records: Iterable[Any]) -> dict[tuple[int, int], list[str]]:
    """(section, number) -> ids of the records whose footnote is that note."""
    # per number, the notes that carry it in source order: the link is one binary search
    by_number: dict[int, list[tuple[int, int]]] = {}
    for sec, n, start, _, _ in spans:
        by_number.setdefault(n, []).append((start, sec))
    links: dict[tuple[int, int], list[str]] = {}
    for r in records:
        n = _get(r, "footnote")
        if n is None or n not in by_number:
            continue
        cands = by_number[n]
        k = bisect.bisect_left(cands, (_marker_offset(r), -1))
        if k < len(cands):
            links.setdefault((cands[k][1], n), []).append(_get(r, "id"))
    return links


def extract_notes(source: Source, records: Iterable[Any] = ()) -> list[Note]:
    """Every note of `source` with its citations resolved and the ids of the records (of this
    source, `Record`s or their dicts) whose footnote it is."""
    spans = find_note_spans(source)
    mine = [r for r in records if _get(r, "source_id") == source.id]
    links = link_quotations(spans, mine)
    ids = [note_id(source.id, sec, n) for sec, n, *_ in spans]
    cites = resolve((nid, source.text[s:e], s) for nid, (_, _, s, e, _) in zip(ids, spans))
    return [Note(nid, source.id, sec, n, source.text[s:e], s, e, par, tuple(links.get((sec, n), ())), tuple(c))
            for nid, (sec, n, s, e, par), c in zip(ids, spans, cites)]


# -- checks (validate) ------------------------------------------------------------------------

def check_note_rows(rows: Iterable[tuple[int, dict[str, Any]]], sources: Mapping[str, Source],
                    records: Iterable[Mapping[str, Any]]) -> list[tuple[int, str, str, str]]:
    """Problems of schema-valid rows of data/notes.jsonl against the sources and the records:
    (line, code, field, message). Offsets and numbers are recomputed with the builder's own note
    finder; every quotation a note names must exist and have that footnote; every citation
    field must be the source text at its offsets."""
    out: list[tuple[int, str, str, str]] = []
    by_id = {r["id"]: r for r in records}
    expected: dict[str, dict[tuple[int, int], tuple[int, int, int]]] = {}
    linked: dict[str, dict[tuple[int, int], list[str]]] = {}
    seen: dict[str, int] = {}
    for line, row in rows:
        sid = row["source_id"]
        src = sources.get(sid)
        if row["id"] in seen:
            out.append((line, "duplicate-id", "id", f"{row['id']!r} is already the note of line {seen[row['id']]}"))
            continue
        seen[row["id"]] = line
        if src is None:
            out.append((line, "note", "source_id", f"no source {sid!r} in sources/manifest.json"))
            continue
        if row["id"] != note_id(sid, row["section"], row["number"]):
            out.append((line, "id-rule", "id", f"expected {note_id(sid, row['section'], row['number'])!r} "
                                                "(SOURCE:SECTION:NUMBER)"))
        if sid not in expected:
            expected[sid] = {(sec, n): (s, e, p) for sec, n, s, e, p in find_note_spans(src)}
        text = src.text
        if text[row["start"]:row["end"]] != row["text"]:
            out.append((line, "text", "text", f"not the source text at [{row['start']}, {row['end']}), which reads "
                                              f"{text[row['start']:row['end']][:60]!r}"))
        want = expected[sid].get((row["section"], row["number"]))
        if want is None:
            out.append((line, "note", "number", f"the source prints no note {row['number']} in notes section "
                                                f"{row['section']}"))
        elif (want[0], want[1]) != (row["start"], row["end"]):
            out.append((line, "offsets", "start", f"note {row['number']} of section {row['section']} is at "
                                                  f"[{want[0]}, {want[1]}), not [{row['start']}, {row['end']})"))
        elif want[2] != row["paragraph"]:
            out.append((line, "paragraph", "paragraph", f"the note starts on line {want[2]}, not {row['paragraph']}"))
        if want is not None:
            if sid not in linked:
                linked[sid] = link_quotations(find_note_spans(src), [r for r in by_id.values() if r.get("source_id") == sid])
            missing = [q for q in linked[sid].get((row["section"], row["number"]), []) if q not in row["quotations"]]
            if missing:
                out.append((line, "note-quotation", "quotations", f"record {missing[0]} has this note's footnote "
                            f"and stands before it, but is not listed ({len(missing)} such); run `quoteprov build`"))
        for k, qid in enumerate(row["quotations"]):
            rec = by_id.get(qid)
            if rec is None:
                out.append((line, "note-quotation", f"quotations.{k}", f"no record has id {qid!r}"))
            elif rec.get("source_id") != sid or rec.get("footnote") != row["number"]:
                out.append((line, "note-quotation", f"quotations.{k}",
                            f"record {qid} has footnote {rec.get('footnote')!r} in {rec.get('source_id')!r}, "
                            f"not note {row['number']} of {sid!r}"))
        for k, c in enumerate(row["citations"]):
            if text[c["start"]:c["end"]] != c["text"] or not (row["start"] <= c["start"] <= c["end"] <= row["end"]):
                out.append((line, "citation", f"citations.{k}.text", "not the source text of this note at its offsets"))
            for name, f in c.items():
                if isinstance(f, dict) and text[f["start"]:f["end"]] != f["text"]:
                    out.append((line, "citation", f"citations.{k}.{name}",
                                f"{f['text'][:40]!r} is not the source text at [{f['start']}, {f['end']})"))
    for sid, spans in expected.items():
        ids = {note_id(sid, sec, n) for sec, n in spans}
        for absent in sorted(ids - set(seen), key=lambda i: [int(x) for x in i.rsplit(":", 2)[1:]]):
            out.append((0, "stale-data", "id", f"the source prints note {absent} and no row has it; "
                                               f"run `quoteprov build`"))
    return out


# -- scoring against a hand-checked gold (tests/gold/notes/) -----------------------------------

def score_notes(gold: Iterable[Mapping[str, Any]], notes: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Citation figures of `notes` (note dicts) against gold rows ({source_id, section, number,
    citations: [{form, resolved_to?, field: text, ...}]}).

    Citations of a note are paired in order. `field_accuracy` counts every field that the gold
    or the prediction fills, over paired and unpaired citations alike (a missed citation loses
    all its fields, an invented one all of its own); `resolution` is the share of gold Ibid./op.
    cit./short citations resolved to the right note with the right title; `no_guess` the share
    of notes without a citation in the gold that get none.
    """
    from .citations import FIELDS

    pred = {(n["source_id"], n["section"], n["number"]): n for n in notes}
    n_gold = found = g_cites = p_cites = paired = 0
    right = total = 0
    per_field: dict[str, list[int]] = {k: [0, 0] for k in FIELDS}
    res_right = res_total = empty = empty_ok = 0
    errors: list[dict[str, Any]] = []

    def val(c: Mapping[str, Any] | None, k: str) -> str | None:
        if c is None:
            return None
        v = c.get(k)
        return (v.get("text") if isinstance(v, dict) else v) or None

    for g in gold:
        n_gold += 1
        p = pred.get((g["source_id"], g["section"], g["number"]))
        found += p is not None
        gc = list(g["citations"])
        pc = list(p["citations"]) if p else []
        if not gc:
            empty += 1
            empty_ok += not pc
        g_cites += len(gc)
        p_cites += len(pc)
        paired += min(len(gc), len(pc))
        for i in range(max(len(gc), len(pc))):
            a = gc[i] if i < len(gc) else None
            b = pc[i] if i < len(pc) else None
            for k in FIELDS:
                ga, pb = val(a, k), val(b, k)
                if ga is None and pb is None:
                    continue
                ok = ga == pb
                total += 1
                right += ok
                per_field[k][0] += ok
                per_field[k][1] += 1
                if not ok:
                    errors.append({"note": f"{g['source_id']}:{g['section']}:{g['number']}", "citation": i,
                                   "field": k, "gold": ga, "predicted": pb})
            if a is not None and a.get("form", "full") != "full":
                res_total += 1
                if a.get("resolved_to"):
                    res_right += bool(b and b.get("resolved") and b.get("resolved_to") == a.get("resolved_to")
                                      and val(b, "title") == val(a, "title"))
                else:  # nothing to resolve to: right when the form is seen and left unresolved
                    res_right += bool(b and b.get("form") == a.get("form") and not b.get("resolved"))
    return {
        "notes": n_gold, "notes_found": found, "gold_citations": g_cites, "predicted_citations": p_cites,
        "citation_recall": paired / g_cites if g_cites else 1.0,
        "citation_precision": paired / p_cites if p_cites else 1.0,
        "field_accuracy": right / total if total else 1.0, "fields_scored": total,
        "per_field": {k: (v[0] / v[1], v[1]) for k, v in per_field.items() if v[1]},
        "resolutions": res_total, "resolution_accuracy": res_right / res_total if res_total else 1.0,
        "comment_notes": empty, "no_guess": empty_ok / empty if empty else 1.0,
        "errors": errors,
    }


# -- diff -----------------------------------------------------------------------------------

def _note_key(n: Mapping[str, Any]) -> tuple[str, int, int]:
    return (n["source_id"], n["section"], n["number"])


def _cite_line(c: Mapping[str, Any]) -> str:
    parts = [f"{k}={c[k]['text']!r}" for k in ("author", "title", "volume", "pages", "date") if c.get(k)]
    return f"{c['form']}{' (resolved)' if c.get('resolved') else ''}: " + (", ".join(parts) or repr(c["text"]))


def diff_notes(old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Notes added, removed and changed between two versions, by source, section and number; a
    changed note lists what changed: its text, the quotations it documents, its citations
    (each as a short line: form, author, title, volume, pages, date). Offsets alone moving (an
    edit of the source before the note) is not a change."""
    a = {_note_key(n): n for n in old}
    b = {_note_key(n): n for n in new}
    changed = []
    for k in sorted(a.keys() & b.keys()):
        o, n = a[k], b[k]
        fields: dict[str, list[Any]] = {}
        if o["text"] != n["text"]:
            fields["text"] = [o["text"], n["text"]]
        if list(o["quotations"]) != list(n["quotations"]):
            fields["quotations"] = [list(o["quotations"]), list(n["quotations"])]
        oc, nc = [_cite_line(c) for c in o["citations"]], [_cite_line(c) for c in n["citations"]]
        if oc != nc:
            fields["citations"] = [oc, nc]
        if fields:
            changed.append({"id": n["id"], "fields": fields})
    return {"added": [b[k]["id"] for k in sorted(b.keys() - a.keys())],
            "removed": [a[k]["id"] for k in sorted(a.keys() - b.keys())],
            "changed": changed}


def notes_diff_lines(d: Mapping[str, Any]) -> list[str]:
    """Text lines for `quoteprov diff` (nothing when no note changed)."""
    if not (d.get("added") or d.get("removed") or d.get("changed")):
        return []
    out = [f"notes: {len(d['added'])} added, {len(d['removed'])} removed, {len(d['changed'])} changed"]
    out += [f"+ note {i}" for i in d["added"]]
    out += [f"- note {i}" for i in d["removed"]]
    for c in d["changed"]:
        out.append(f"~ note {c['id']}")
        for k, (o, n) in c["fields"].items():
            out.append(f"    {k}: {o!r} -> {n!r}"[:400])
    return out
