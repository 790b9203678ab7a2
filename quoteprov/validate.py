"""`quoteprov validate`: every problem of a contribution, located and explained; never a crash.

What is checked, per file of a dataset folder:

- every JSON Lines line is one JSON object (`jsonl.parse_line` explains the bad ones);
- every record against the JSON Schema (all errors of a record, each with its instance path);
- provenance against the source text: the quoted text, paragraph, selectors, footnote marker
  (recomputed from the source: it must be the first marker after the quotation in its
  paragraph) and every evidence span;
- integrity: unique ids that follow the stable-id rule, `nested_in` names an enclosing record,
  no two records on one span, records in order, speakers and recipients known, no confidence
  without its value, every correction applied to a record;
- sources: manifest entries and files match, paths stay inside the dataset.

Speed comes from a fast lane and a careful path. A line is decoded and type-checked in one
pass (msgspec, into Structs compiled from the JSON Schema), and one predicate, `clean` (with a
C twin in `_speedups.c`), says whether it has anything to report; a line it does not clear is
decoded again into dicts and every check runs with its message (orjson + jsonschema-rs if the
schema outgrows the compiler; the careful parser and `jsonschema` for a line that fails). Large
record files are cut into chunks of whole sources and checked in parallel, the in-order checks
(ids, nesting, order) included; the parent joins the seams. Memory is bounded by the chunk
size and the source texts, not by the file.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import sys
import types
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Sequence

import orjson

from .corrections import CORRECTABLE, CorrectionEntry
from .errors import QuoteprovError
from .inputs import (EVIDENCE_REACH, SOURCE_FORMAT, entity_advice, evidence_words, locate_evidence,
                     previous_evidence, source_shape)
from .jsonl import BOM, MAX_LINE, Unsupported, iter_batches, iter_lines, key_column, parse_line, schema_type
from .markers import find_markers
from .records import SELECTOR_CONTEXT, MarkerSpan, selector_context, words_digest
from .schema import load_schema, validator
from .speedups import c_clean, delimiters
from .source import MANIFEST, MANIFEST_FIELDS, OutsideSources, dataset_file_problems, Source, make_source, read_text, source_path

try:  # the happy path's fallback when msgspec cannot express the schema
    import jsonschema_rs
except ImportError:  # pragma: no cover - declared as a dependency
    jsonschema_rs = None

ERROR, WARNING = "error", "warning"
CHUNK = 32 << 20  # bytes of records per parallel task
PARALLEL_MIN = 16 << 20  # files smaller than this are checked in-process
MAX_PROBLEMS = 10000  # problems kept per file; the rest are counted (memory stays bounded)
STACK_LIMIT = 256  # enclosing candidates kept for `nested_in`


@dataclass(frozen=True)
class Problem:
    """One problem: where (path, 1-based line and column), how bad, what and why."""

    path: str
    line: int
    column: int
    severity: str  # error | warning
    code: str
    field: str
    message: str

    def format(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}:{self.column}: {self.severity} [{self.code}] {where}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column, "severity": self.severity,
                "code": self.code, "field": self.field, "message": self.message}

    def github(self) -> str:
        """A GitHub Actions workflow annotation."""
        def esc(s: str, prop: bool = False) -> str:
            s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            return s.replace(":", "%3A").replace(",", "%2C") if prop else s
        where = f"{self.field}: " if self.field else ""
        return (f"::{self.severity} file={esc(self.path, True)},line={self.line},col={self.column},"
                f"title={esc(self.code, True)}::{esc(where + self.message)}")


@dataclass(frozen=True)
class Report:
    """The outcome of a validation: the problems (at most MAX_PROBLEMS per file are kept; the
    counts are complete), how much was read, and whether warnings count as errors."""

    problems: tuple[Problem, ...]
    errors: int
    warnings: int
    files: int
    records: int
    omitted: int = 0  # problems counted but not kept
    fatal: bool = False  # unreadable input or nothing to validate (exit status 2)
    strict: bool = False

    @property
    def ok(self) -> bool:
        return not self.fatal and self.errors == 0 and not (self.strict and self.warnings)

    @property
    def exit_status(self) -> int:
        return 2 if self.fatal else 0 if self.ok else 1

    def summary(self) -> str:
        errors = self.errors + (self.warnings if self.strict else 0)
        warnings = 0 if self.strict else self.warnings
        head = "valid" if self.ok else "invalid"
        more = f"; {self.omitted} more not shown" if self.omitted else ""
        return (f"{head}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
                f"in {self.files} file{'s' * (self.files != 1)} ({self.records:,} records checked{more})")

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.ok, "errors": self.errors, "warnings": self.warnings, "files": self.files,
                "records": self.records, "omitted": self.omitted,
                "problems": [p.to_dict() for p in self.problems]}


class _Sink:
    """Collects problems, counting all of them but keeping at most `limit` per file."""

    def __init__(self, strict: bool, limit: int | None) -> None:
        self.strict, self.limit = strict, limit
        self.problems: list[Problem] = []
        self.errors = self.warnings = self.omitted = 0
        self.per_file: dict[str, int] = {}
        self.seen: set[tuple[str, int, int, str, str, str]] = set()
        self.fatal = False

    def add(self, path: str, line: int, column: int, severity: str, code: str, field: str, message: str) -> None:
        kept = self.per_file.get(path, 0)
        full = self.limit is not None and kept >= self.limit
        if not full:
            key = (path, line, column, code, field, message)
            if key in self.seen:
                return  # the same file reached twice (a folder and a file in it, say)
            self.seen.add(key)
        if severity == ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        if full:
            self.omitted += 1
            return
        self.per_file[path] = kept + 1
        severity = ERROR if self.strict else severity
        self.problems.append(Problem(path, line, column, severity, code, field, message))

    def merge(self, other: "_Sink") -> None:
        """Add the problems of a non-strict sink (same limit), kept and counted alike."""
        kept_errors = sum(p.severity == ERROR for p in other.problems)
        for p in other.problems:
            self.add(p.path, p.line, p.column, p.severity, p.code, p.field, p.message)
        self.errors += other.errors - kept_errors
        self.warnings += other.warnings - (len(other.problems) - kept_errors)
        self.omitted += other.omitted


def _q(text: Any, width: int = 48) -> str:
    """A value quoted for a message, shortened so a line stays readable."""
    if isinstance(text, str):
        s = text if len(text) <= width else text[:width] + "…"
        return json.dumps(s, ensure_ascii=False)
    return json.dumps(text, ensure_ascii=False) if text is None or isinstance(text, (int, float, bool)) else repr(text)


# ---------------------------------------------------------------------------------------------
# schema messages


_TYPE_NAMES = {"object": "an object", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "null"}


def schema_type_name(value: Any) -> str:
    """The JSON type of a parsed value (`object`, `array`, ...)."""
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "integer" if isinstance(value, int) else "number")


def explain(error: Any) -> tuple[str, str]:
    """(field, message) for one `jsonschema` error, the field written as the instance path
    (`evidence.marker.number`) and the message saying what was expected and what was found."""
    path = ".".join(str(p) for p in error.absolute_path)
    v, want, got = error.validator, error.validator_value, error.instance
    if v == "type":
        kinds = [want] if isinstance(want, str) else list(want)
        names = " or ".join(k for k in kinds)
        return path, f"expected {names}, got {_q(got)}"
    if v == "required":
        missing = [k for k in want if isinstance(got, dict) and k not in got]
        return path, f"missing {', '.join(missing)}" if missing else error.message
    if v == "additionalProperties" and isinstance(got, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in got if k not in allowed)
        return path, f"unexpected field{'s' * (len(extra) > 1)} {', '.join(extra)}"
    if v == "enum":
        return path, f"expected one of {', '.join(_q(x) for x in want)}, got {_q(got)}"
    if v == "const":
        return path, f"expected {_q(want)}, got {_q(got)}"
    if v == "minimum":
        return path, f"expected a number >= {want}, got {_q(got)}"
    if v == "maximum":
        return path, f"expected a number <= {want}, got {_q(got)}"
    if v == "minItems":
        return path, f"expected at least {want} item{'s' * (want != 1)}, got {len(got) if isinstance(got, list) else _q(got)}"
    if v == "maxItems":
        return path, f"expected at most {want} item{'s' * (want != 1)}, got {len(got) if isinstance(got, list) else _q(got)}"
    if v == "minLength":
        return path, f"expected at least {want} character{'s' * (want != 1)}, got {_q(got)}"
    if v == "pattern":
        return path, f"{_q(got)} does not match the pattern {want}"
    return path, error.message


def schema_problems(name: str, instance: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    """(instance path, field, message) for every schema error of one instance, in a stable order."""
    errors = sorted(validator(name).iter_errors(instance),
                    key=lambda e: (list(map(str, e.absolute_path)), e.validator, e.message))
    return [(tuple(e.absolute_path), *explain(e)) for e in errors]


_FAST: dict[str, Any] = {}
_DECODERS: dict[str, Callable[[bytes], Any]] = {}


def _fast_valid(name: str) -> Callable[[Any], bool]:
    """jsonschema-rs `is_valid` for a schema (same schema file as the careful path)."""
    fn = _FAST.get(name)
    if fn is None:
        if jsonschema_rs is not None:
            fn = jsonschema_rs.validator_for(load_schema(name)).is_valid
        else:  # pragma: no cover
            fn = validator(name).is_valid
        _FAST[name] = fn
    return fn


class _Rejected(Exception):
    """The happy path refused a line: the careful path will say why."""


def fast_decoder(name: str) -> Callable[[bytes], dict[str, Any]]:
    """The happy path for one line: parse and check against the schema in one pass.

    Measured per record (1.1 kB): msgspec decoding into types compiled from the schema
    (`jsonl.schema_type`) 3.6 µs; orjson + jsonschema-rs 6.0 µs; fastjsonschema over orjson
    ~13 µs; jsonschema `iter_errors` ~270 µs. The msgspec decoder drops unknown keys, which the
    caller's key count catches; a schema the compiler cannot express falls back to
    orjson + jsonschema-rs. Raises on any line it does not accept.
    """
    fn = _DECODERS.get(name)
    if fn is not None:
        return fn
    try:
        import msgspec

        decode = msgspec.json.Decoder(schema_type(load_schema(name))).decode

        def fn(data: bytes) -> dict[str, Any]:
            try:
                return decode(data)
            except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError) as exc:
                raise _Rejected from exc
    except (ImportError, Unsupported):
        loads, valid = orjson.loads, _fast_valid(name)

        def fn(data: bytes) -> dict[str, Any]:
            try:
                rec = loads(data)
            except (orjson.JSONDecodeError, RecursionError) as exc:
                raise _Rejected from exc
            if type(rec) is not dict or not valid(rec):
                raise _Rejected
            return rec
    _DECODERS[name] = fn
    return fn


# ---------------------------------------------------------------------------------------------
# the dataset context a record is checked against


SourceInfo = tuple[Source, list[int], list[MarkerSpan], list[int]]


def source_info(source: Source) -> SourceInfo:
    """What the checks need of a source: paragraph starts (for `Source.paragraph_of` with the C
    bisect) and the footnote markers the builder finds, with their starts (for
    `markers.footnote_after` with the C bisect; a test keeps both equal to the originals)."""
    markers = find_markers(source)
    return source, [s for s, _ in source.paragraphs], markers, [m.start for m in markers]


def first_marker_after(markers: list[MarkerSpan], starts: list[int], offset: int,
                       paragraph_end: int) -> MarkerSpan | None:
    """`markers.footnote_after`: the first marker at or after `offset`, before `paragraph_end`."""
    i = bisect_left(starts, offset)
    if i < len(markers) and starts[i] < paragraph_end:
        return markers[i]
    return None


@dataclass
class Context:
    """What records are checked against: source texts, registries, entities, corrections.

    Everything in it is read once, before the records; markers are recomputed per source on
    first use (in each worker), as the builder computes them.
    """

    sources: dict[str, Source] = field(default_factory=dict)
    registry_names: dict[str, frozenset[str]] = field(default_factory=dict)
    registry_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    registry_file: dict[str, str] = field(default_factory=dict)
    registry_broken: set[str] = field(default_factory=set)  # sources whose registry cannot be read
    entity_names: dict[str, str] | None = None  # data/entities.jsonl (name -> kind), when there is one
    entities_file: str = "data/entities.jsonl"
    corrected: frozenset[tuple[str, str]] | None = None  # (id, field) of corrections.jsonl
    correction_ids: frozenset[str] = frozenset()
    has_sources: bool = False  # provenance can be checked
    listed: frozenset[str] = frozenset()  # ids in the manifest, readable or not
    _info: dict[str, SourceInfo] = field(default_factory=dict)
    # the fast lane of each source, (Lane, its flat tuple for C) or None, made once per process
    # (check_lines runs once per 1 MB batch: rebuilding them there cost a few % of the time)
    _lanes: dict[str, tuple[Lane, tuple[Any, ...]] | None] = field(default_factory=dict)

    def info(self, source_id: str) -> SourceInfo | None:
        """(source, paragraph starts, footnote markers, their starts) of a source, on first use."""
        got = self._info.get(source_id)
        if got is None:
            source = self.sources.get(source_id)
            if source is None:
                return None
            got = self._info[source_id] = source_info(source)
        return got


# ---------------------------------------------------------------------------------------------
# one record: everything that needs only the record and the context (runs in workers)

_P = tuple  # (line, column, severity, code, field, message, path-for-column)


def _span_problem(src: str, sp: Any) -> str | None:
    s, e, t = sp["start"], sp["end"], sp["text"]
    if not (0 <= s <= e <= len(src)):
        return f"[{s}, {e}) lies outside the source ({len(src):,} characters)"
    if src[s:e] != t:
        return f"{_q(t)} is not the source text at [{s}, {e}), which reads {_q(src[s:e])}"
    return None


def check_provenance(rec: dict[str, Any], ctx: Context, out: list[tuple[str, str, tuple[Any, ...], str, str]],
                     seen_names: set[tuple[str, str, str]]) -> None:
    """Provenance and per-record integrity of one schema-valid record.

    Appends (severity, code, path, field, message) to `out`; `seen_names` keeps each unknown
    speaker or recipient to one warning.
    """
    sid = rec["source_id"]
    start, end, text = rec["start"], rec["end"], rec["text"]
    if type(start) is not int or type(end) is not int or type(rec["paragraph"]) is not int:
        raise TypeError("offsets must be integers")
    if start > end:
        out.append((ERROR, "offsets", ("end",), "end", f"{end} is before start {start}"))
    sel = rec["selectors"]
    q, pos = sel["quote"], sel["position"]
    if q["exact"] != text:
        out.append((ERROR, "selector", ("selectors", "quote", "exact"), "selectors.quote.exact",
                    f"{_q(q['exact'])} differs from text {_q(text)}"))
    if pos["start"] != start or pos["end"] != end:
        out.append((ERROR, "selector", ("selectors", "position"), "selectors.position",
                    f"[{pos['start']}, {pos['end']}) differs from the record's [{start}, {end})"))
    corrections = rec["corrections"]
    if corrections and ctx.corrected is not None:
        rid = rec["id"]
        for i, c in enumerate(corrections):
            if (rid, c["field"]) not in ctx.corrected:
                out.append((ERROR, "correction", ("corrections",), f"corrections.{i}",
                            f"the record says its {c['field']} was corrected, but corrections.jsonl has "
                            f"no correction of {c['field']} for {rid}"))
    conf = rec["confidence"]
    for role in ("speaker", "recipient"):
        if conf[role] is not None and rec[role] is None:
            out.append((ERROR, "confidence", ("confidence", role), f"confidence.{role}",
                        f"is {json.dumps(conf[role])} but {role} is null: a confidence is the probability that "
                        f"a value is right, so it is null where the value is"))
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
    if not ctx.has_sources:
        return
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
        return
    if src[start:end] != text:
        out.append((ERROR, "text", ("text",), "text",
                    f"{_q(text)} is not the source text at [{start}, {end}), which reads {_q(src[start:end])}"))
    # Source.paragraph_of, with the C bisect: the last paragraph starting at or before `start`
    par = bisect_right(starts, start) - 1
    pstart, pend = source.paragraphs[par]
    if rec["paragraph"] != par:
        out.append((ERROR, "paragraph", ("paragraph",), "paragraph",
                    f"is {rec['paragraph']} but offset {start} is in paragraph {par}"))
    elif end > pend:
        out.append((ERROR, "paragraph", ("end",), "end",
                    f"{end} runs past the end of paragraph {par} (offset {pend})"))
    prefix, suffix = selector_context(src, start, end)
    if q["prefix"] != prefix:
        out.append((ERROR, "selector", ("selectors", "quote", "prefix"), "selectors.quote.prefix",
                    f"{_q(q['prefix'])} is not the text before the quotation, {_q(prefix)}"))
    if q["suffix"] != suffix:
        out.append((ERROR, "selector", ("selectors", "quote", "suffix"), "selectors.quote.suffix",
                    f"{_q(q['suffix'])} is not the text after the quotation, {_q(suffix)}"))
    ev = rec["evidence"]
    for role in ("speaker", "cue", "recipient"):
        sp = ev[role]
        if sp is not None:
            bad = _span_problem(src, sp)
            if bad:
                out.append((ERROR, "evidence", ("evidence", role), f"evidence.{role}", bad))
    expected = first_marker_after(markers, mstarts, end, pend) if rec["paragraph"] == par else None
    _check_footnote(rec, expected, src, par, out)


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


def struct_decoder(name: str) -> Callable[[bytes], Any] | None:
    """msgspec's own decode into Structs compiled from the schema: type-checks a line as it
    decodes it, raising one of STRUCT_ERRORS (no wrapper: it runs once per record). None when
    msgspec is missing or cannot express the schema (every line then takes the dict path)."""
    key = name + ":struct"
    if key not in _DECODERS:
        try:
            import msgspec

            _DECODERS[key] = msgspec.json.Decoder(schema_type(load_schema(name), struct=True)).decode
        except (ImportError, Unsupported):
            _DECODERS[key] = None  # type: ignore[assignment]
    return _DECODERS[key]


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


def _lane_pair(ctx: Context, source_id: str) -> tuple[Lane, tuple[Any, ...]] | None:
    got = lane(ctx, source_id)
    return None if got is None else (got, got.flat())


def id_key(source_id: str, text: str) -> str:
    """The stable id without its occurrence number (`source:digest`), by the builder's rule."""
    return f"{source_id}:{words_digest(text)}"


# ---------------------------------------------------------------------------------------------
# a batch of record lines (runs in a worker, or in-process for small files and pipes)


@dataclass
class ChunkResult:
    """What a batch of lines yields: its problems (line numbers relative to the batch), a
    compact summary of each record for the in-order checks, and the records corrections aim at."""

    lines: int = 0
    records: int = 0
    problems: list[tuple[int, int, str, str, str, str]] = field(default_factory=list)
    # (line, id, id_key or None, source_id, start, end, nested_in)
    seq: list[tuple[int, str, str | None, Any, Any, Any, Any]] = field(default_factory=list)
    captured: dict[str, tuple[int, str, dict[str, Any], list[str]]] = field(default_factory=dict)


def _expected_keys(rec: dict[str, Any]) -> int:
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


def _may_hide_duplicates(data: bytes, rec: dict[str, Any]) -> bool:
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
    return keys != _expected_keys(rec) or _KEY_SPACE.search(data) is not None


_CHECK_FAILURES = (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError)


def check_lines(batches: Iterable[list[bytes | int]], ctx: Context, first_is_file_start: bool,
                max_line: int = MAX_LINE) -> ChunkResult:
    """Check record lines given in batches (`jsonl.iter_batches`); line numbers in the result
    count from 1 at the first line given."""
    res = ChunkResult()
    decode = fast_decoder("quotations")
    fast = struct_decoder("quotations")
    lanes = ctx._lanes
    seq, corrected = res.seq, ctx.correction_ids
    problems = res.problems
    names: set[tuple[str, str, str]] = set()  # unknown names already reported in this batch
    n = 0
    for data in chain.from_iterable(batches):
        n += 1
        if type(data) is int:
            res.records += 1
            problems.append((n, 1, ERROR, "line-too-long", "",
                             f"line of {data:,} bytes is longer than the limit of {max_line:,}; "
                             "a record must fit on one line"))
            continue
        if data and not data.isspace():  # (isspace stops at the first other byte; strip copies)
            res.records += 1
        rec: Any = None
        valid = False
        if data and data[-1] != 13 and not (first_is_file_start and n == 1 and data.startswith(BOM)):
            if fast is not None:
                try:
                    rec = fast(data)
                except STRUCT_ERRORS:
                    pass
                else:
                    sid = rec.source_id
                    got = lanes[sid] if sid in lanes else lanes.setdefault(sid, _lane_pair(ctx, sid))
                    if got is not None and rec.id not in corrected:
                        # the C twin of `clean` when compiled (three times faster); None: it is unsure
                        verdict = None if c_clean is None else c_clean(rec, data, got[1])
                        if verdict if verdict is not None else clean(rec, data, got[0]):
                            seq.append((n, rec.id, id_key(sid, rec.text), sid, rec.start, rec.end, rec.nested_in))
                            continue
            try:
                rec = decode(data)
                valid = not _may_hide_duplicates(data, rec)
            except _Rejected:
                pass
        if not valid:
            rec, valid = _careful(data, n, first_is_file_start, problems)
            if rec is None:
                continue
        if valid:
            out: list[tuple[str, str, tuple[Any, ...], str, str]] = []
            try:
                check_provenance(rec, ctx, out, names)
            except _CHECK_FAILURES:
                # a value the happy path let through in a shape the checks cannot use (a
                # 30-digit number orjson read as a float, say): explain the line carefully
                out = []
                rec, valid = _careful(data, n, first_is_file_start, problems, force=True)
                if rec is None:
                    continue
                try:
                    check_provenance(rec, ctx, out, names)
                except _CHECK_FAILURES as exc:  # pragma: no cover - defensive
                    problems.append((n, 1, ERROR, "unchecked", "", f"provenance could not be checked: {exc}"))
            for severity, code, path, fld, message in out:
                problems.append((n, key_column(data, path), severity, code, fld, message))
        _summarize(n, rec, valid, ctx, res)
    res.lines = n
    return res


def _summarize(n: int, rec: dict[str, Any], valid: bool, ctx: Context, res: ChunkResult) -> None:
    """The record's summary for the in-order checks; a schema-invalid record takes part with
    whatever fields have the right type, so that its id still counts as taken."""
    g = rec.get
    rid, sid, text, start, end, nested = g("id"), g("source_id"), g("text"), g("start"), g("end"), g("nested_in")
    if not valid:
        if not isinstance(rid, str):
            return
        sid = sid if isinstance(sid, str) else None
        if type(start) is not int or type(end) is not int:
            start = end = None
        nested = nested if isinstance(nested, str) else None
    key = id_key(sid, text) if valid or (sid is not None and isinstance(text, str)) else None
    res.seq.append((n, rid, key, sid, start, end, nested))
    if rid in ctx.correction_ids:
        noted = [c.get("field") for c in g("corrections") or () if isinstance(c, dict)] \
            if isinstance(g("corrections"), list) else []
        values = {k: g(k) for k in CORRECTABLE}
        values["evidence"] = g("evidence")  # where a corrected speaker's evidence was put
        res.captured.setdefault(rid, (n, sid, values, noted))


_SUBSTITUTED = frozenset({"nan", "number-too-large", "number-format"})
_NUMBER_AT: dict[str, Callable[[tuple[Any, ...]], bool]] = {}


def number_at(name: str) -> Callable[[tuple[Any, ...]], bool]:
    """Whether the schema `name` wants a number that need not be an integer at an instance path
    (`("confidence", "speaker")`): there `1.0` is written right, elsewhere it must be `1`."""
    fn = _NUMBER_AT.get(name)
    if fn is None:
        schema = load_schema(name)

        def fn(path: tuple[Any, ...]) -> bool:
            node: Any = schema
            for part in path:
                if not isinstance(node, dict):
                    return False
                node = node.get("items") if isinstance(part, int) else (node.get("properties") or {}).get(part)
            kinds = node.get("type") if isinstance(node, dict) else None
            return kinds == "number" or (isinstance(kinds, list) and "number" in kinds)
        _NUMBER_AT[name] = fn
    return fn


def _careful(data: bytes, n: int, first_is_file_start: bool, problems: list[Any],
             force: bool = False) -> tuple[Any, bool]:
    """The careful path: exact lexical diagnosis, then every schema error of the record.
    Returns (the object when it is one, whether it is schema-valid)."""
    rec, lexical = parse_line(data, n if first_is_file_start else 2, number_at=number_at("quotations"))
    if rec is None and not lexical:  # the line is JSON `null`
        problems.append((n, 1, ERROR, "not-object", "", "expected a JSON object (one record per line), got null"))
        return None, False
    for p in lexical:
        if force and p.code not in _SUBSTITUTED:
            continue  # already reported when the line first took the careful path
        problems.append((n, p.column, ERROR, p.code, p.field, p.message))
    if rec is None or any(p.code in _SUBSTITUTED for p in lexical):
        # a value the parser had to replace (NaN, a 30-digit number) would only cause
        # misleading follow-on errors: the lexical problem is the one to fix
        return None, False
    if not isinstance(rec, dict):
        got = {list: "a list", str: "a string", bool: "true or false"}.get(type(rec), "a number")
        problems.append((n, 1, ERROR, "not-object", "", f"expected a JSON object (one record per line), got {got}"))
        return None, False
    if force or _fast_valid("quotations")(rec):
        return rec, True
    for path, fld, message in schema_problems("quotations", rec):
        problems.append((n, key_column(data, path), ERROR, "schema", fld or "(record)", message))
    return rec, False


# ---------------------------------------------------------------------------------------------
# in-order checks over the whole file (runs in the parent)


LINE = "\x00line\x00"  # where a message names another line, filled in once its number is known


class _Sequence:
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


# ---------------------------------------------------------------------------------------------
# records files: in-process or in parallel chunks

class _Records:
    """One records stream checked in file order: each batch's record checks (`check_lines`),
    then the in-order checks (`_Sequence`) over its summaries. The parent runs it over a whole
    file; a worker over a chunk of whole sources, handing odd ids to the parent."""

    def __init__(self, report: Callable[[int, int, str, str, str, str], None], ctx: Context, max_line: int,
                 odd_events: list[tuple[int, str, Any, str]] | None = None,
                 line_refs: list[tuple[int, str, str, int]] | None = None) -> None:
        self.report, self.ctx, self.max_line = report, ctx, max_line
        self.seq = _Sequence(report, odd_events, line_refs)
        self.names: set[tuple[str, str, str]] = set()
        self.captured: dict[str, Any] = {}
        self.records = self.lines = 0

    def run(self, f: BinaryIO, limit: int | None = None, file_start: bool = True) -> None:
        for batch in iter_batches(f, limit, self.max_line):
            self.take(check_lines((batch,), self.ctx, file_start and self.lines == 0, self.max_line))
        self.seq.finish()

    def take(self, res: ChunkResult) -> None:
        base = self.lines
        self.records += res.records
        for n, col, severity, code, fld, message in res.problems:
            if code in ("unknown-entity", "entity-alias", "entity-missing"):
                # one warning per name for the whole file, not per batch
                key = (code if code == "entity-missing" else "registry", fld, message)
                if key in self.names:
                    continue
                self.names.add(key)
            self.report(base + n, col, severity, code, fld, message)
        self.seq.feed(base, res.seq)
        for rid, (n, *rest) in res.captured.items():
            self.captured.setdefault(rid, (base + n, *rest))
        self.lines += res.lines


# ---------------------------------------------------------------------------------------------
# large records files: chunks of whole sources, checked in parallel
#
# Every check but a few is local to a source: ids, nesting and the same-span rule restart with
# each source. So a chunk that holds whole sources is checked completely by one worker, and the
# parent only joins the seams: order across them, ids breaking the rule (which must be unique
# file-wide), and the sets of sources. The parent reads no record. Chunks are cut where the
# `source_id` of one line differs from the line before; both workers beside a cut find it from
# the file alone, so they agree without talking. Anything that defeats this (a source split
# between chunks because its records are out of order) is found at the seams, and the file is
# then checked again in one pass, so the result is always the same as in one pass.

_WORKER_CTX: Context | None = None
_SOURCE_ID = re.compile(rb'"source_id"\s*:\s*"([^"\\\\]*)"')
SEAM_SCAN = 2 * CHUNK  # bytes looked through for a change of source after a cut


def _init_worker(ctx: Context) -> None:
    global _WORKER_CTX
    _WORKER_CTX = ctx


def _source_seam(f: BinaryIO, pos: int, size: int, max_line: int) -> int | None:
    """The start of the first line after the one at `pos` (a line start) whose source_id differs
    from the last one before it, within SEAM_SCAN bytes; None when there is none (one source
    runs on: no cut there). A function of the file alone."""
    if pos <= 0 or pos >= size:
        return max(0, min(pos, size))
    f.seek(pos)
    offset, prev, first = pos, None, True
    for batch in iter_batches(f, min(SEAM_SCAN, size - pos), max_line):
        for item in batch:
            found = None if type(item) is int else _SOURCE_ID.search(item)  # type: ignore[arg-type]
            if found is not None:
                sid = found.group(1)
                if not first and prev is not None and sid != prev:
                    return offset
                prev = sid
            first = False
            offset += (item if type(item) is int else len(item)) + 1  # type: ignore[operator,arg-type]
    return None


def _seam(f: BinaryIO, cuts: list[int], k: int, max_line: int) -> int:
    """Where chunk k starts: the seam at cut k, or at the next cut that has one."""
    size = cuts[-1]
    for pos in cuts[k:]:
        got = _source_seam(f, pos, size, max_line)
        if got is not None:
            return got
    return size


@dataclass
class ChunkSummary(ChunkResult):
    """A worker's chunk of whole sources: its problems (lines relative to the chunk, the
    in-order checks done), no record summaries, and what the seams need."""

    odd_events: list[tuple[int, str, Any, str]] = field(default_factory=list)
    line_refs: list[tuple[int, str, str, int]] = field(default_factory=list)  # (line, code, template, line named)
    first: tuple[int, Any, int, int] | None = None  # (line, source, start, end) of the first placed record
    last: tuple[int, Any, int, int] | None = None
    sources: tuple[Any, ...] = ()  # in order of appearance


def _work(task: tuple[str, list[int], int, int]) -> ChunkSummary:
    path, cuts, k, max_line = task
    assert _WORKER_CTX is not None
    out = ChunkSummary()
    with open(path, "rb") as f:
        start, end = _seam(f, cuts, k, max_line), _seam(f, cuts, k + 1, max_line)
        if start >= end:
            return out  # no seam at this cut: the chunk before runs on through it
        checker = _Records(lambda *p: out.problems.append(p), _WORKER_CTX, max_line, out.odd_events, out.line_refs)
        f.seek(start)
        checker.run(f, end - start, start == 0)
    seq = checker.seq
    out.lines, out.records, out.captured = checker.lines, checker.records, checker.captured
    out.first, out.sources = seq.first, tuple(seq.sources)
    if seq.prev is not None:
        out.last = (seq.prev_line, *seq.prev_span)
    return out


def _cuts(path: Path, size: int, chunk: int) -> list[int]:
    """0, line starts about `chunk` bytes apart, and `size`."""
    cuts = [0]
    with open(path, "rb") as f:
        while cuts[-1] + chunk < size:
            f.seek(cuts[-1] + chunk - 1)
            pos = size
            while True:
                block = f.read(1 << 16)
                if not block:
                    break
                nl = block.find(b"\n")
                if nl >= 0:
                    pos = f.tell() - len(block) + nl + 1
                    break
            if pos >= size:
                break
            cuts.append(pos)
    cuts.append(size)
    return cuts


def _check_parallel(path: Path, ctx: Context, sink: _Sink, shown: str, jobs: int,
                    max_line: int) -> tuple[int, dict[str, Any]] | None:
    """Check a large records file in chunks of whole sources; None (and nothing reported) when
    a source turns out split between chunks, for the caller to check the file in one pass."""
    part = _Sink(False, sink.limit)  # merged into `sink` only if the seams hold

    def report(line: int, col: int, severity: str, code: str, fld: str, message: str) -> None:
        part.add(shown, line, col, severity, code, fld, message)

    joined = _Records(report, ctx, max_line)  # its sequence checks only the seams
    seq = joined.seq
    seen: set[Any] = set()
    cuts = _cuts(path, path.stat().st_size, CHUNK)
    tasks = [(str(path), cuts, k, max_line) for k in range(len(cuts) - 1)]
    methods = multiprocessing.get_all_start_methods()
    mp = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with mp.Pool(jobs, initializer=_init_worker, initargs=(ctx,)) as pool:
        for res in pool.imap(_work, tasks):
            if not res.lines:
                continue
            if seen.intersection(res.sources) or any(rid in seq.odd for _, rid, _, _ in res.odd_events):
                return None  # a source (or an odd id) on both sides of a seam
            base = joined.lines
            for line, rid, sid, expected in res.odd_events:
                seq.odd_id(base + line, rid, sid, expected)
            for line, code, template, named in res.line_refs:
                report(base + line, 1, ERROR, code, "", template.replace(LINE, str(base + named)))
            if res.first is not None:
                seq.place(base + res.first[0], *res.first[1:])
            if res.last is not None:
                line, sid, start, end = res.last
                seq.prev, seq.prev_span, seq.prev_line = (sid, start, -end), (sid, start, end), base + line
            seen.update(res.sources)
            joined.take(res)
    sink.merge(part)
    return joined.records, joined.captured


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _check_records(stream: BinaryIO | None, path: Path | None, shown: str, ctx: Context, sink: _Sink,
                   jobs: int, max_line: int) -> tuple[int, dict[str, Any]]:
    """Check one records file (or stream); returns (records, captured records for corrections)."""
    if path is not None and jobs > 1 and path.stat().st_size >= PARALLEL_MIN:
        got = _check_parallel(path, ctx, sink, shown, jobs, max_line)
        if got is not None:
            return got

    def report(line: int, col: int, severity: str, code: str, fld: str, message: str) -> None:
        sink.add(shown, line, col, severity, code, fld, message)

    checker = _Records(report, ctx, max_line)
    f = stream if stream is not None else open(path, "rb")  # type: ignore[arg-type]
    try:
        checker.run(f)
    finally:
        if stream is None:
            f.close()
    return checker.records, checker.captured


# ---------------------------------------------------------------------------------------------
# the small files of a dataset folder


def _element_offsets(text: str) -> list[int]:
    """Start offsets of the elements of a top-level JSON list (for locating manifest entries)."""
    dec = json.JSONDecoder()
    i = text.index("[") + 1
    out = []
    while True:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i >= len(text) or text[i] == "]":
            return out
        out.append(i)
        _, i = dec.raw_decode(text, i)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _read_json_file(path: Path, shown: str, sink: _Sink) -> tuple[Any, str] | None:
    """A whole JSON file (manifest, registry), every lexical problem reported at its line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        sink.add(shown, 1, 1, ERROR, "unreadable", "", exc.strerror or str(exc))
        return None
    if not data.strip():
        sink.add(shown, 1, 1, ERROR, "json-syntax", "", "empty file; expected a JSON list")
        return None
    value, problems = parse_line(data, 1, whole_file=True)
    bom = data.startswith(BOM)
    text = data.decode("utf-8", "replace")[1 if bom else 0:]
    for p in problems:
        line, col = (1, 1) if p.code == "bom" else _line_col(text, p.column - 1)
        sink.add(shown, line, col, ERROR, p.code, p.field, p.message)
    if value is None:
        if not problems:
            sink.add(shown, 1, 1, ERROR, "json-syntax", "", "the file is JSON null; expected a JSON list")
        return None
    return value, text


def check_manifest(dataset: Path, sink: _Sink, shown: Callable[[Path], str],
                   listed: set[str] | None = None) -> dict[str, Source]:
    """Manifest entries and source files: every problem, and the readable sources (`listed`
    receives every id the manifest gives, readable or not)."""
    listed = set() if listed is None else listed
    sdir = dataset / "sources"
    mpath = sdir / MANIFEST
    sources: dict[str, Source] = {}
    if not mpath.exists():
        sink.add(shown(mpath), 1, 1, ERROR, "manifest", "",
                 "no manifest; every source file needs an entry in sources/manifest.json")
        return sources
    got = _read_json_file(mpath, shown(mpath), sink)
    if got is None:
        return sources
    entries, text = got
    where = shown(mpath)
    if not isinstance(entries, list):
        sink.add(where, 1, 1, ERROR, "manifest", "", "expected a JSON list of source entries")
        return sources
    if not entries:
        sink.add(where, 1, 1, ERROR, "manifest", "", "lists no source; add one entry per source file "
                 f"(fields: {', '.join(MANIFEST_FIELDS)})")
    offsets = _element_offsets(text) if entries else []
    id_pattern = load_schema("manifest")["items"]["properties"]["id"]["pattern"]

    def at(n: int) -> tuple[int, int]:
        return _line_col(text, offsets[n]) if n < len(offsets) else (1, 1)

    # the schema (schema/manifest.schema.json): every entry's every error, at the entry
    for path_, fld, message in schema_problems("manifest", entries) if entries else ():
        sink.add(where, *(at(path_[0]) if path_ else (1, 1)), ERROR, "manifest", fld, message)
    files_listed: set[Path] = set()
    seen: dict[str, int] = {}
    for n, entry in enumerate(entries):
        line, col = at(n)
        if not isinstance(entry, dict):
            continue  # reported by the schema
        sid, file = entry.get("id"), entry.get("file")
        if not isinstance(sid, str) or not re.match(id_pattern, sid):
            continue
        if sid in seen:
            sink.add(where, line, col, ERROR, "manifest", f"{n}.id", f"{_q(sid)} is already the id of entry {seen[sid]}")
            continue
        seen[sid] = n
        listed.add(sid)
        if not isinstance(file, str) or not file:
            continue
        try:
            target = source_path(sdir, file)  # the one confinement rule (build, diff, report use it too)
            is_file = target.is_file()
        except OutsideSources as exc:
            sink.add(where, line, col, ERROR, "outside-dataset", f"{n}.file", f"{_q(file)} {exc.reason}")
            continue
        except (OSError, ValueError) as exc:  # a name too long, a NUL byte
            sink.add(where, line, col, ERROR, "missing-file", f"{n}.file",
                     f"{_q(file)} cannot be a file name ({getattr(exc, 'strerror', None) or exc})")
            continue
        if target in files_listed:
            sink.add(where, line, col, ERROR, "manifest", f"{n}.file", f"{_q(file)} is already the file of another entry")
            continue
        files_listed.add(target)
        if not is_file:
            sink.add(where, line, col, ERROR, "missing-file", f"{n}.file", f"{_q(file)} not found in sources/")
            continue
        try:
            sources[sid] = make_source(read_text(target), sid, entry)
        except QuoteprovError as exc:
            msg = str(exc).split(": ", 1)[-1]
            sink.add(shown(target), 1, 1, ERROR, "source-encoding", "", msg)
            continue
        except OSError as exc:
            sink.add(shown(target), 1, 1, ERROR, "unreadable", "", exc.strerror or str(exc))
            continue
        for message in source_shape(sources[sid].text):
            sink.add(shown(target), 1, 1, WARNING, SOURCE_FORMAT, "", message)
    for f in sorted(sdir.iterdir()):
        if f.name == MANIFEST or f.name.startswith(".") or f.is_dir():
            continue
        if f.resolve() not in files_listed:
            sink.add(shown(f), 1, 1, ERROR, "unlisted-file", "",
                     f"no entry in sources/{MANIFEST} names this file; add one "
                     f"(fields: {', '.join(MANIFEST_FIELDS)})")
    return sources


def check_registry(path: Path, shown: str, sink: _Sink) -> tuple[frozenset[str], dict[str, str]] | None:
    """One entity registry: a JSON list of {name, aliases, kind}. Returns its names and
    aliases, or None when it cannot be read (then its names are not checked against it)."""
    got = _read_json_file(path, shown, sink)
    names: set[str] = set()
    aliases: dict[str, str] = {}
    if got is None:
        return None
    entries, text = got
    if not isinstance(entries, list):
        sink.add(shown, 1, 1, ERROR, "registry", "", 'expected a JSON list of {"name", "aliases", "kind"}, '
                 f"got {_TYPE_NAMES.get(schema_type_name(entries), 'a value')}")
        return None
    offsets = _element_offsets(text) if entries else []

    def at(n: int) -> tuple[int, int]:
        return _line_col(text, offsets[n]) if n < len(offsets) else (1, 1)

    # the schema (schema/registry.schema.json): every entry's every error, at the entry
    bad: set[int] = set()
    for path_, fld, message in schema_problems("registry", entries):
        bad.add(path_[0])
        sink.add(shown, *at(path_[0]), ERROR, "registry", fld, message)
    for n, e in enumerate(entries):
        if n in bad:
            continue
        line, col = at(n)
        if e["name"] in names:
            sink.add(shown, line, col, ERROR, "registry", f"{n}.name", f"{_q(e['name'])} is listed twice")
        names.add(e["name"])
        for a in e.get("aliases", []):
            aliases.setdefault(a, e["name"])
    return frozenset(names), aliases


def _jsonl_rows(path: Path, shown: str, sink: _Sink, schema: str | None,
                max_line: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of a small JSON Lines file, every lexical and schema problem reported."""
    with open(path, "rb") as f:
        for raw in iter_lines(f, max_line=max_line):
            if raw.dropped:
                sink.add(shown, raw.number, 1, ERROR, "line-too-long", "",
                         f"line of {raw.dropped:,} bytes is longer than the limit of {max_line:,}")
                continue
            value, problems = parse_line(raw.data, raw.number)
            for p in problems:
                sink.add(shown, raw.number, p.column, ERROR, p.code, p.field, p.message)
            if value is None and problems:
                continue
            if not isinstance(value, dict):
                sink.add(shown, raw.number, 1, ERROR, "not-object", "", "expected a JSON object")
                continue
            bad = schema_problems(schema, value) if schema else []
            for path_, fld, message in bad:
                sink.add(shown, raw.number, key_column(raw.data, path_), ERROR, "schema", fld or "(record)", message)
            if not bad:
                yield raw.number, value


def check_corrections(path: Path, shown: str, sink: _Sink, max_line: int) -> list[CorrectionEntry]:
    """corrections.jsonl, line by line: each line one JSON object valid against
    `schema/correction.schema.json` (every error reported); returns the valid entries."""
    entries = []
    with open(path, "rb") as f:
        for raw in iter_lines(f, max_line=max_line):
            if raw.dropped:
                sink.add(shown, raw.number, 1, ERROR, "line-too-long", "", f"line of {raw.dropped:,} bytes")
                continue
            value, problems = parse_line(raw.data, raw.number)
            blocking = [p for p in problems if p.code != "blank-line"]
            for p in blocking:
                sink.add(shown, raw.number, p.column, ERROR, p.code, p.field, p.message)
            if blocking or (value is None and problems):
                continue
            if not isinstance(value, dict):
                sink.add(shown, raw.number, 1, ERROR, "not-object", "", "expected a JSON object (one correction per line)")
                continue
            bad = schema_problems("corrections", value)
            for path_, fld, message in bad:
                sink.add(shown, raw.number, key_column(raw.data, path_), ERROR, "correction", fld or "(correction)",
                         message)
            if bad:
                continue
            ev = value.get("evidence")
            entries.append(CorrectionEntry(value["id"], value["field"], value["value"], value["reason"], raw.number,
                                           value.get("expect", ...), tuple(ev) if ev else None,
                                           value.get("evidence_text")))
    return entries


def check_correction_refs(entries: list[CorrectionEntry], ctx: Context, shown: str, sink: _Sink,
                          previous: dict[tuple[str, str], str] | None = None) -> list[CorrectionEntry]:
    """The checks of corrections against the sources (before any record is read): a record
    nested in itself, a source the manifest lacks, evidence that is not a span of the source or
    whose words moved (followed, with a warning to update the offsets) or are gone (an error:
    never applied to other words). Returns the entries with their evidence where it now is."""
    out = []
    for c in entries:
        sid = c.id.split(":", 1)[0]
        if c.field == "nested_in" and c.value == c.id:
            sink.add(shown, c.line, 1, ERROR, "correction", "value", f"nests record {c.id} in itself")
            continue
        if ctx.has_sources and sid not in ctx.listed:
            sink.add(shown, c.line, 1, ERROR, "correction", "id", f"no source {_q(sid)} in sources/{MANIFEST}")
            continue
        source = ctx.sources.get(sid)
        if c.evidence is None or source is None:
            out.append(c)
            continue
        s, e = c.evidence
        text = source.text
        if not s < e or e > len(text):
            sink.add(shown, c.line, 1, ERROR, "correction", "evidence",
                     f"[{s}, {e}) is not a span of source {sid} ({len(text):,} characters)")
            continue
        words = evidence_words(c, previous or {})
        if c.evidence_text is None:
            said = text[s:e] if words is None else words
            sink.add(shown, c.line, 1, WARNING, "correction", "evidence_text",
                     f"add \"evidence_text\": {json.dumps(said, ensure_ascii=False)} (the words of the evidence) so "
                     "that an edit of the source cannot move the evidence onto other words")
        if words is None:
            out.append(c)
            continue
        got = locate_evidence(text, s, e, words)
        if got is None:
            sink.add(shown, c.line, 1, ERROR, "correction", "evidence",
                     f"[{s}, {e}) reads {_q(text[s:e])}, not the evidence words {_q(words)}, which are no longer "
                     f"within {EVIDENCE_REACH} characters of it: the source was edited; find the mention again and "
                     "update evidence and evidence_text (the correction is not applied)")
            continue
        if got != (s, e):
            sink.add(shown, c.line, 1, WARNING, "correction", "evidence",
                     f"the evidence words {_q(words)} moved with an edit of the source from [{s}, {e}) to "
                     f"[{got[0]}, {got[1]}), where the build takes them; update the offsets to {list(got)}")
            c = replace(c, evidence=got)
        out.append(c)
    return out


def _check_sources_data(path: Path, shown: str, sink: _Sink, ctx: Context, max_line: int) -> None:
    """data/sources.jsonl against the manifest and the source files it was built from."""
    sources = ctx.sources
    import hashlib
    seen = set()
    for line, row in _jsonl_rows(path, shown, sink, "sources", max_line):
        sid = row["id"]
        seen.add(sid)
        s = sources.get(sid)
        if s is None:
            if sid in ctx.listed:
                continue  # unreadable source file, reported there
            sink.add(shown, line, 1, ERROR, "unknown-source", "id", f"no source {_q(sid)} in sources/{MANIFEST}")
            continue
        facts = {"file": s.metadata.get("file"), "characters": len(s.text), "paragraphs": len(s.paragraphs),
                 "sha256": hashlib.sha256(s.text.encode("utf-8")).hexdigest()}
        # (not `notes`: they are the extractor's reading of the text, which changes with it)
        for k, v in facts.items():
            if row[k] != v:
                sink.add(shown, line, 1, ERROR, "stale-data", k,
                         f"is {_q(row[k])} but the source file gives {_q(v)}; the source changed since "
                         "the data was built: run `quoteprov build`")
    for sid in sources:
        if sid not in seen:
            sink.add(shown, 1, 1, ERROR, "stale-data", "", f"source {_q(sid)} has no row; run `quoteprov build`")


def _check_entities(path: Path, shown: str, sink: _Sink, max_line: int) -> dict[str, str]:
    """data/entities.jsonl: schema-valid rows with unique names; returns name -> kind."""
    kinds: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, row in _jsonl_rows(path, shown, sink, "entities", max_line):
        if row["name"] in lines:
            sink.add(shown, line, 1, ERROR, "duplicate-entity", "name",
                     f"{_q(row['name'])} is already the entity of line {lines[row['name']]}")
            continue
        lines[row["name"]] = line
        kinds[row["name"]] = row["kind"]
    return kinds


def _check_notes(path: Path, shown: str, sink: _Sink, ctx: Context, qpath: Path, max_line: int) -> None:
    """data/notes.jsonl: schema, offsets and numbers against the sources, the quotations named
    (checks in quoteprov.notes)."""
    from .notes import check_note_rows

    records = []
    if qpath.exists():
        with open(qpath, "rb") as f:
            for raw in iter_lines(f, max_line=max_line):
                value, _ = parse_line(raw.data, raw.number)  # its problems are reported with that file
                if isinstance(value, dict) and "id" in value:
                    records.append(value)
    rows = list(_jsonl_rows(path, shown, sink, "notes", max_line))
    for line, code, fld, message in check_note_rows(rows, ctx.sources, records):
        sink.add(shown, max(line, 1), 1, ERROR, code, fld, message)


def _check_applied(entries: list[CorrectionEntry], captured: dict[str, Any], sources: dict[str, Source],
                   shown: str, sink: _Sink) -> None:
    """Every correction matches a record, and the record carries its value."""
    for c in entries:
        got = captured.get(c.id)
        if got is None:
            sink.add(shown, c.line, 1, ERROR, "correction", "id",
                     f"no record has id {_q(c.id)} (an id changes when the quoted words change)")
            continue
        _, sid, values, noted = got
        if values.get(c.field) != c.value:
            sink.add(shown, c.line, 1, ERROR, "correction", "value",
                     f"record {c.id} has {c.field} {_q(values.get(c.field))}, not {_q(c.value)}: the correction "
                     "is not applied (run `quoteprov build`) or its `expect` no longer holds")
        elif c.field in noted and c.evidence is not None and c.field in ("speaker", "recipient"):
            ev = values.get("evidence")
            span = ev.get(c.field) if isinstance(ev, dict) else None
            got = (span.get("start"), span.get("end")) if isinstance(span, dict) else None
            if got != tuple(c.evidence):
                shown_span = f"[{got[0]}, {got[1]}) {_q(span.get('text'))}" if got else "null"
                sink.add(shown, c.line, 1, ERROR, "correction", "evidence",
                         f"record {c.id} has {c.field} evidence {shown_span}, not the correction's evidence "
                         f"[{c.evidence[0]}, {c.evidence[1]}): run `quoteprov build`")
        if c.field not in noted and values.get(c.field) == c.value:
            sink.add(shown, c.line, 1, WARNING, "correction", "value",
                     f"record {c.id} already has {c.field} {_q(c.value)} without this correction; it can be removed")


# ---------------------------------------------------------------------------------------------
# entry points


def _kind_of(path: Path) -> str:
    name = path.name
    if name == MANIFEST:
        return "manifest"
    if path.parent.name == "registry" and name.endswith(".json"):
        return "registry"
    if path.parent.name == "sources" and (path.parent / MANIFEST).exists():
        return "manifest"  # a source text: checked with the manifest that must list it
    for kind in ("sources", "entities", "corrections", "notes"):
        if name == f"{kind}.jsonl":
            return kind
    return "quotations"


def _dataset_of(path: Path) -> Path | None:
    """The dataset folder a file belongs to (the folder holding sources/manifest.json)."""
    for folder in (path.parent, path.parent.parent):
        if (folder / "sources" / MANIFEST).exists():
            return folder
    return None


def _exists(path: Path) -> bool:
    """Path.exists, False for a name the file system cannot hold (too long, say)."""
    try:
        return path.exists()
    except OSError:
        return False


def load_context(dataset: Path, sink: _Sink, shown: Callable[[Path], str],
                 max_line: int = MAX_LINE, entities: bool = True) -> tuple[Context, list[CorrectionEntry]]:
    """Read and check everything records are checked against: the inputs a contributor writes
    (which `inputs.check_inputs` checks for build with this same function, `entities=False`)
    and, with `entities`, data/entities.jsonl. The corrections returned have their evidence
    where it now stands (`check_correction_refs`)."""
    listed: set[str] = set()
    sources = check_manifest(dataset, sink, shown, listed)
    ctx = Context(sources=sources, has_sources=(dataset / "sources" / MANIFEST).exists(), listed=frozenset(listed))
    rdir = dataset / "registry"
    for sid in sorted(listed):
        rpath = rdir / f"{sid}.json"
        ctx.registry_file[sid] = f"registry/{sid}.json"
        if _exists(rpath):
            got = check_registry(rpath, shown(rpath), sink)
            if got is None:
                ctx.registry_broken.add(sid)  # reported there; no warning per name on top
            else:
                ctx.registry_names[sid], ctx.registry_aliases[sid] = got
    if rdir.is_dir():
        for f in sorted(rdir.glob("*.json")):
            if f.stem not in listed:
                sink.add(shown(f), 1, 1, WARNING, "registry", "", f"no source {_q(f.stem)} in sources/{MANIFEST}")
    entries: list[CorrectionEntry] = []
    cpath = dataset / "corrections.jsonl"
    if cpath.exists():
        if not cpath.is_file():
            sink.add(shown(cpath), 1, 1, ERROR, "unreadable", "", "is a folder; expected a JSON Lines file")
        else:
            parsed = check_corrections(cpath, shown(cpath), sink, max_line)
            # (id, field) of every well-formed line, so that a record noting a correction that
            # is refused below draws no second error
            ctx.corrected = frozenset((c.id, c.field) for c in parsed)
            ctx.correction_ids = frozenset(c.id for c in parsed)
            previous = previous_evidence(dataset / "data" / "quotations.jsonl",
                                         {c.id for c in parsed if c.evidence is not None and c.evidence_text is None})
            entries = check_correction_refs(parsed, ctx, shown(cpath), sink, previous)
    if ctx.corrected is None:
        ctx.corrected = frozenset()
    epath = dataset / "data" / "entities.jsonl"
    if entities and epath.is_file():
        ctx.entity_names = _check_entities(epath, shown(epath), sink, max_line)
        ctx.entities_file = shown(epath)
    return ctx, entries


def validate(path: str | Path | Sequence[str | Path] | None = None, *, dataset: str | Path | None = None,
             strict: bool = False, jobs: int | None = None, max_line: int = MAX_LINE,
             max_problems: int | None = MAX_PROBLEMS, stdin: BinaryIO | None = None) -> Report:
    """Validate dataset folders, files, or `-` (records on standard input).

    With no path, `./dataset` when the current folder has one (a contributor's clone, the
    pre-commit hook), else the project's own `dataset/`. A dataset folder is checked whole (sources,
    registry, corrections, data/); a single file is checked against the dataset folder it sits
    in (or `dataset`), so that provenance can be checked. `jobs` worker processes check large
    record files (default: the CPUs available). Returns a `Report`; `report.exit_status` is 0
    when valid, 1 when any error (or any warning with `strict`), 2 for unreadable input.
    """
    from .build_cmd import DEFAULT_DATASET

    here = Path("dataset")
    default = here if (here / "sources").is_dir() or (here / "data").is_dir() else DEFAULT_DATASET
    if path is None:
        paths: list[str | Path] = [default]
    elif isinstance(path, (str, Path)):
        paths = [path]
    else:
        paths = list(path) or [default]
    jobs = _cpu_count() if jobs is None else max(1, jobs)
    sink = _Sink(strict, max_problems)
    files = records = 0
    cwd = Path.cwd()

    def shown(p: Path) -> str:
        try:
            return str(p.resolve().relative_to(cwd))
        except ValueError:
            return str(p)

    contexts: dict[Path, tuple[Context, list[CorrectionEntry]]] = {}

    def context_for(folder: Path | None) -> Context:
        if folder is None:
            return Context()
        folder = folder.resolve()
        if folder not in contexts:
            contexts[folder] = load_context(folder, sink, shown, max_line)
        return contexts[folder][0]

    for p in paths:
        if str(p) == "-":
            folder = Path(dataset) if dataset else default
            ctx = context_for(folder if (folder / "sources" / MANIFEST).exists() else None)
            n, _ = _check_records(stdin or sys.stdin.buffer, None, "<stdin>", ctx, sink, 1, max_line)
            files, records = files + 1, records + n
            continue
        p = Path(p)
        if not p.exists():
            sink.add(str(p), 1, 1, ERROR, "unreadable", "", "no such file or folder")
            sink.fatal = True
            continue
        if p.is_dir():
            if not (p / "sources").is_dir() and not (p / "data").is_dir():
                sink.add(str(p), 1, 1, ERROR, "not-dataset", "",
                         "not a dataset folder (expected sources/ and data/ in it)")
                sink.fatal = True
                continue
            try:
                got_files, got_records = _validate_folder(p, sink, shown, jobs, max_line, contexts)
            except OSError as exc:
                sink.add(shown(Path(exc.filename or p)), 1, 1, ERROR, "unreadable", "", exc.strerror or str(exc))
                sink.fatal = True
                continue
            files, records = files + got_files, records + got_records
            continue
        kind = _kind_of(p)
        folder = Path(dataset) if dataset else _dataset_of(p.resolve())
        try:
            files += 1
            if kind == "quotations":
                ctx = context_for(folder)
                if not ctx.has_sources:
                    sink.add(shown(p), 1, 1, WARNING, "no-sources", "",
                             "no dataset sources found beside this file; provenance not checked "
                             "(give --dataset FOLDER)")
                n, captured = _check_records(None, p, shown(p), ctx, sink, jobs, max_line)
                records += n
            elif kind == "manifest":
                check_manifest(p.resolve().parent.parent, sink, shown)
            elif kind == "registry":
                check_registry(p, shown(p), sink)
            elif kind == "corrections":
                check_corrections(p, shown(p), sink, max_line)
            elif kind == "sources":
                _check_sources_data(p, shown(p), sink, context_for(folder), max_line)
            elif kind == "notes":
                ctx = context_for(folder)
                _check_notes(p, shown(p), sink, ctx, p.parent / "quotations.jsonl", max_line)
            else:
                _check_entities(p, shown(p), sink, max_line)
        except OSError as exc:
            sink.add(shown(p), 1, 1, ERROR, "unreadable", "", exc.strerror or str(exc))
            sink.fatal = True
    # data older than its sources is the root cause of most other errors: it comes first
    problems = sorted(sink.problems, key=lambda q: (q.code != "stale-data", q.path, q.line, q.column))
    return Report(tuple(problems), sink.errors, sink.warnings, files, records, sink.omitted, sink.fatal, strict)


def _validate_folder(folder: Path, sink: _Sink, shown: Callable[[Path], str], jobs: int, max_line: int,
                     contexts: dict[Path, Any]) -> tuple[int, int]:
    from .store import settle

    settle(folder)  # an interrupted build's swap is finished (or undone) before anything is read
    for path, code, message in dataset_file_problems(folder):  # what `publish` refuses to upload
        sink.add(f"{shown(path.parent)}/{path.name}", 1, 1, ERROR, code, "", message)  # the link, not its target
    ctx, entries = load_context(folder, sink, shown, max_line)
    contexts[folder.resolve()] = (ctx, entries)
    files = 1 + len(ctx.sources)
    records = 0
    data = folder / "data"
    qpath = data / "quotations.jsonl"
    captured: dict[str, Any] = {}
    for name in ("quotations", "sources", "entities"):
        f = data / f"{name}.jsonl"
        if not f.exists():
            sink.add(shown(f), 1, 1, ERROR, "missing-file", "", "not found; run `quoteprov build`")
    if qpath.exists():
        files += 1
        records, captured = _check_records(None, qpath, shown(qpath), ctx, sink, jobs, max_line)
    spath = data / "sources.jsonl"
    if spath.exists():
        files += 1
        _check_sources_data(spath, shown(spath), sink, ctx, max_line)
    if (data / "entities.jsonl").exists():
        files += 1
    npath = data / "notes.jsonl"
    if npath.exists():
        files += 1
        _check_notes(npath, shown(npath), sink, ctx, qpath, max_line)
    cpath = folder / "corrections.jsonl"
    if cpath.exists():
        files += 1
        if qpath.exists():
            _check_applied(entries, captured, ctx.sources, shown(cpath), sink)
    return files, records


# ---------------------------------------------------------------------------------------------
# command line


def cmd_validate(args: argparse.Namespace) -> int:
    report = validate(args.paths or None, dataset=args.dataset, strict=args.strict, jobs=args.jobs,
                      max_problems=args.max_problems or None)
    out = sys.stdout
    if args.format == "json":
        out.write(json.dumps([p.to_dict() for p in report.problems], ensure_ascii=False, indent=1) + "\n")
        print(report.summary(), file=sys.stderr)
    else:
        for p in report.problems:
            out.write((p.github() if args.format == "github" else p.format()) + "\n")
        if args.format == "github" and not report.ok:
            out.write(f"::error title=quoteprov validate::{report.summary()}\n")
        print(report.summary(), file=sys.stderr if args.format == "github" else out)
    return report.exit_status


def register_cli(subparsers: Any) -> None:
    v = subparsers.add_parser(
        "validate", help="check a dataset, or files of one, before they are merged",
        description="Check JSON Lines records, sources, entities and corrections: JSON syntax, the JSON Schema, "
                    "provenance against the source text, ids, order, nesting, entities and corrections. "
                    "Prints one line per problem (PATH:LINE:COL: error|warning [code] field: message), then a "
                    "summary. Exit status: 0 valid, 1 errors, 2 usage or unreadable input.")
    v.add_argument("paths", nargs="*", metavar="PATH",
                   help="dataset folder, file, or - for records on standard input (default: ./dataset if there is one, else the project's dataset/)")
    v.add_argument("--dataset", type=Path, help="dataset folder to check lone files and standard input against "
                                                "(default: the folder the file sits in)")
    v.add_argument("--format", choices=("text", "json", "github"), default="text",
                   help="text (default), json (the problems as a list), github (workflow annotations)")
    v.add_argument("--strict", action="store_true", help="treat warnings as errors")
    v.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="worker processes for large record files (default: the CPUs available)")
    v.add_argument("--max-problems", type=int, default=MAX_PROBLEMS, metavar="N",
                   help="problems shown per file, all are counted (default: %(default)s; 0 = no limit)")
    v.set_defaults(func=cmd_validate)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m quoteprov.validate ...`: the validate command alone (same as `quoteprov validate`)."""
    p = argparse.ArgumentParser(prog="quoteprov")
    register_cli(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(["validate", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


class _CallableModule(types.ModuleType):
    """`quoteprov.validate(path)` must work even after `import quoteprov.validate`, which makes
    the package attribute this module rather than the function of the same name."""

    def __call__(self, *args: Any, **kwargs: Any) -> Report:
        return validate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule


if __name__ == "__main__":
    sys.exit(main())
