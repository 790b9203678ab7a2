"""The checks of one record against the dataset context (they run in workers).

Each check is a function registered, in order, with the problem codes it reports (as
`jsonschema` registers one function per keyword): `RECORD_CHECKS` need only the record and the
context, `SOURCE_CHECKS` also the source text at the record's place. To change a provenance
message, find its code here."""
from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Callable

from ..inputs import entity_advice
from ..records import MarkerSpan, selector_context
from ..source import MANIFEST, Source
from .context import Context, first_marker_after
from .problems import ERROR, WARNING
from .problems import quoted as _q


def _span_problem(src: str, sp: Any) -> str | None:
    s, e, t = sp["start"], sp["end"], sp["text"]
    if not (0 <= s <= e <= len(src)):
        return f"[{s}, {e}) lies outside the source ({len(src):,} characters)"
    if src[s:e] != t:
        return f"{_q(t)} is not the source text at [{s}, {e}), which reads {_q(src[s:e])}"
    return None


Out = list[tuple[str, str, tuple[Any, ...], str, str]]  # (severity, code, path, field, message)
RecordCheck = Callable[[dict[str, Any], Context, Out, set[tuple[str, str, str]]], None]


@dataclass(frozen=True)
class Place:
    """Where a record stands in its source: the text, and the paragraph its start is in."""

    source: Source
    text: str
    paragraph: int
    paragraph_end: int
    markers: list[MarkerSpan]
    marker_starts: list[int]


SourceCheck = Callable[[dict[str, Any], Place, Out], None]
RECORD_CHECKS: list[tuple[tuple[str, ...], RecordCheck]] = []  # in the order they run
SOURCE_CHECKS: list[tuple[tuple[str, ...], SourceCheck]] = []


def record_check(*codes: str) -> Callable[[RecordCheck], RecordCheck]:
    """Register a check of the record alone (and the context), reporting problems `codes`."""
    def register(fn: RecordCheck) -> RecordCheck:
        RECORD_CHECKS.append((codes, fn))
        return fn
    return register


def source_check(*codes: str) -> Callable[[SourceCheck], SourceCheck]:
    """Register a check of the record against its source text, reporting problems `codes`."""
    def register(fn: SourceCheck) -> SourceCheck:
        SOURCE_CHECKS.append((codes, fn))
        return fn
    return register


def check_provenance(rec: dict[str, Any], ctx: Context, out: Out, seen_names: set[tuple[str, str, str]]) -> None:
    """Provenance and per-record integrity of one schema-valid record: every registered check.

    Appends (severity, code, path, field, message) to `out`; `seen_names` keeps each unknown
    speaker or recipient to one warning.
    """
    for _, check in RECORD_CHECKS:
        check(rec, ctx, out, seen_names)
    if not ctx.has_sources:
        return
    sid, start, end = rec["source_id"], rec["start"], rec["end"]
    info = ctx.info(sid)
    if info is None:
        if sid in ctx.listed:
            return  # its source file is unreadable, which is reported once, there
        out.append((ERROR, "unknown-source", ("source_id",), "source_id",
                    f"no source {_q(sid)} in sources/{MANIFEST}"))
        return
    source, starts, markers, mstarts = info
    src = source.text
    if not (0 <= start <= end <= len(src)):
        out.append((ERROR, "offsets", ("start",), "start",
                    f"[{start}, {end}) lies outside the source ({len(src):,} characters)"))
        return  # nothing else can be read at offsets the source does not have
    # Source.paragraph_of, with the C bisect: the last paragraph starting at or before `start`
    par = bisect_right(starts, start) - 1
    place = Place(source, src, par, source.paragraphs[par][1], markers, mstarts)
    for _, source_check_ in SOURCE_CHECKS:
        source_check_(rec, place, out)


@record_check("offsets")
def _offsets(rec: dict[str, Any], ctx: Context, out: Out, seen: set[tuple[str, str, str]]) -> None:
    start, end = rec["start"], rec["end"]
    if type(start) is not int or type(end) is not int or type(rec["paragraph"]) is not int:
        raise TypeError("offsets must be integers")
    if start > end:
        out.append((ERROR, "offsets", ("end",), "end", f"{end} is before start {start}"))


@record_check("selector")
def _selectors(rec: dict[str, Any], ctx: Context, out: Out, seen: set[tuple[str, str, str]]) -> None:
    start, end, text = rec["start"], rec["end"], rec["text"]
    sel = rec["selectors"]
    q, pos = sel["quote"], sel["position"]
    if q["exact"] != text:
        out.append((ERROR, "selector", ("selectors", "quote", "exact"), "selectors.quote.exact",
                    f"{_q(q['exact'])} differs from text {_q(text)}"))
    if pos["start"] != start or pos["end"] != end:
        out.append((ERROR, "selector", ("selectors", "position"), "selectors.position",
                    f"[{pos['start']}, {pos['end']}) differs from the record's [{start}, {end})"))


@record_check("correction")
def _corrections_noted(rec: dict[str, Any], ctx: Context, out: Out, seen: set[tuple[str, str, str]]) -> None:
    corrections = rec["corrections"]
    if corrections and ctx.corrected is not None:
        rid = rec["id"]
        for i, c in enumerate(corrections):
            if (rid, c["field"]) not in ctx.corrected:
                out.append((ERROR, "correction", ("corrections",), f"corrections.{i}",
                            f"the record says its {c['field']} was corrected, but corrections.jsonl has "
                            f"no correction of {c['field']} for {rid}"))


@record_check("confidence")
def _confidence(rec: dict[str, Any], ctx: Context, out: Out, seen: set[tuple[str, str, str]]) -> None:
    conf = rec["confidence"]
    for role in ("speaker", "recipient"):
        if conf[role] is not None and rec[role] is None:
            out.append((ERROR, "confidence", ("confidence", role), f"confidence.{role}",
                        f"is {json.dumps(conf[role])} but {role} is null: a confidence is the probability that "
                        f"a value is right, so it is null where the value is"))


@record_check("entity-missing", "entity-alias", "unknown-entity")
def _names(rec: dict[str, Any], ctx: Context, out: Out, seen_names: set[tuple[str, str, str]]) -> None:
    sid = rec["source_id"]
    for role in ("speaker", "recipient"):
        name = rec[role]
        if name is None:
            continue
        if ctx.entity_names is not None and name not in ctx.entity_names:
            key = ("entity-missing", sid, name)
            if key not in seen_names:
                seen_names.add(key)
                out.append((ERROR, "entity-missing", (role,), role,
                            f"{_q(name)} is not in {ctx.entities_file}; run `quoteprov build` to regenerate it"))
        if (ctx.has_sources and sid in ctx.listed and sid not in ctx.registry_broken
                and name not in ctx.registry_names.get(sid, ())):
            key = ("registry", sid, name)
            if key in seen_names:
                continue
            seen_names.add(key)
            reg = ctx.registry_file.get(sid, f"registry/{sid}.json")
            canonical = ctx.registry_aliases.get(sid, {}).get(name)
            if canonical:
                out.append((WARNING, "entity-alias", (role,), role,
                            f"{_q(name)} is an alias of {_q(canonical)} in {reg}; use the canonical name"))
            else:
                kind = (ctx.entity_names or {}).get(name)  # the builder's guess, if any
                # a wrong value (a common noun, a description) is corrected, a name registered
                out.append((WARNING, "unknown-entity", (role,), role, entity_advice(name, role, rec["id"], reg, kind)))


@source_check("text")
def _text(rec: dict[str, Any], at: Place, out: Out) -> None:
    start, end, text = rec["start"], rec["end"], rec["text"]
    if at.text[start:end] != text:
        out.append((ERROR, "text", ("text",), "text",
                    f"{_q(text)} is not the source text at [{start}, {end}), which reads {_q(at.text[start:end])}"))


@source_check("paragraph")
def _paragraph(rec: dict[str, Any], at: Place, out: Out) -> None:
    start, end, par = rec["start"], rec["end"], at.paragraph
    if rec["paragraph"] != par:
        out.append((ERROR, "paragraph", ("paragraph",), "paragraph",
                    f"is {rec['paragraph']} but offset {start} is in paragraph {par}"))
    elif end > at.paragraph_end:
        out.append((ERROR, "paragraph", ("end",), "end",
                    f"{end} runs past the end of paragraph {par} (offset {at.paragraph_end})"))


@source_check("selector")
def _selector_context(rec: dict[str, Any], at: Place, out: Out) -> None:
    q = rec["selectors"]["quote"]
    prefix, suffix = selector_context(at.text, rec["start"], rec["end"])
    if q["prefix"] != prefix:
        out.append((ERROR, "selector", ("selectors", "quote", "prefix"), "selectors.quote.prefix",
                    f"{_q(q['prefix'])} is not the text before the quotation, {_q(prefix)}"))
    if q["suffix"] != suffix:
        out.append((ERROR, "selector", ("selectors", "quote", "suffix"), "selectors.quote.suffix",
                    f"{_q(q['suffix'])} is not the text after the quotation, {_q(suffix)}"))


@source_check("evidence")
def _evidence(rec: dict[str, Any], at: Place, out: Out) -> None:
    ev = rec["evidence"]
    for role in ("speaker", "cue", "recipient"):
        sp = ev[role]
        if sp is not None:
            bad = _span_problem(at.text, sp)
            if bad:
                out.append((ERROR, "evidence", ("evidence", role), f"evidence.{role}", bad))


@source_check("marker", "footnote")
def _footnote(rec: dict[str, Any], at: Place, out: Out) -> None:
    par = at.paragraph
    expected = (first_marker_after(at.markers, at.marker_starts, rec["end"], at.paragraph_end)
                if rec["paragraph"] == par else None)
    _check_footnote(rec, expected, at.text, par, out)


def _check_footnote(rec: dict[str, Any], expected: MarkerSpan | None, src: str, par: int,
                    out: list[tuple[str, str, tuple[Any, ...], str, str]]) -> None:
    """The marker evidence must be in the source and be `expected`, the first marker after the
    quotation in its paragraph (recomputed with the builder's own marker finder); the footnote
    must agree with it."""
    m = rec["evidence"]["marker"]
    footnote = rec["footnote"]
    corrected = rec["method"]["footnote"] == "correction"
    if m is not None:
        bad = _span_problem(src, m)
        if bad:
            out.append((ERROR, "marker", ("evidence", "marker"), "evidence.marker", bad))
        elif expected is None:
            out.append((ERROR, "marker", ("evidence", "marker"), "evidence.marker",
                        f"{_q(m['text'])} at [{m['start']}, {m['end']}) is not a footnote marker after the "
                        f"quotation in paragraph {par}: no marker follows it there"))
        elif (expected.start, expected.end) != (m["start"], m["end"]):
            out.append((ERROR, "marker", ("evidence", "marker"), "evidence.marker",
                        f"{_q(m['text'])} at [{m['start']}, {m['end']}) is not the first marker after the "
                        f"quotation; the first is {_q(expected.text)} at [{expected.start}, {expected.end})"))
        else:
            if m["printed"] != expected.printed:
                out.append((ERROR, "marker", ("evidence", "marker", "printed"), "evidence.marker.printed",
                            f"is {m['printed']} but the marker as printed is {expected.printed}"))
            if m["number"] != expected.number:
                out.append((ERROR, "marker", ("evidence", "marker", "number"), "evidence.marker.number",
                            f"is {m['number']} but the note sequence gives {expected.number}"))
        if m["repaired"] != (m["printed"] != m["number"]):
            out.append((ERROR, "marker", ("evidence", "marker", "repaired"), "evidence.marker.repaired",
                        f"is {json.dumps(m['repaired'])} but printed {m['printed']} and number {m['number']} "
                        f"{'differ' if m['printed'] != m['number'] else 'agree'}"))
        if footnote != m["number"] and not corrected:
            out.append((ERROR, "footnote", ("footnote",), "footnote",
                        f"is {json.dumps(footnote)} but its marker evidence {_q(m['text'])} stands for note "
                        f"{m['number']}"))
    elif footnote is not None and not corrected:
        out.append((ERROR, "footnote", ("footnote",), "footnote",
                    f"is {footnote} but the record has no marker evidence (evidence.marker is null)"))
    elif footnote is None and expected is not None and not corrected:
        out.append((WARNING, "footnote", ("footnote",), "footnote",
                    f"is null but marker {_q(expected.text)} at [{expected.start}, {expected.end}) follows "
                    f"the quotation in paragraph {par}"))


# ---------------------------------------------------------------------------------------------
# the fast lane: one predicate over a decoded Struct that says "nothing to report here"; any
# line it does not clear takes the dict path below, which finds and explains every problem
