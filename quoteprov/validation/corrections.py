"""corrections.jsonl: each line against its schema, against the sources (before any record is
read), and against the records (each correction applied)."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from ..corrections import CorrectionEntry
from ..inputs import EVIDENCE_REACH, evidence_words, locate_evidence
from ..jsonl import iter_lines, key_column, parse_line
from ..source import MANIFEST, Source
from .context import Context
from .messages import schema_problems
from .problems import ERROR, WARNING, Sink
from .problems import quoted as _q


def check_corrections(path: Path, shown: str, sink: Sink, max_line: int) -> list[CorrectionEntry]:
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


def check_correction_refs(entries: list[CorrectionEntry], ctx: Context, shown: str, sink: Sink,
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


def check_applied(entries: list[CorrectionEntry], captured: dict[str, Any], sources: Mapping[str, Source],
                   shown: str, sink: Sink) -> None:
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
                shown_span = f"[{got[0]}, {got[1]}) {_q(span.get('text'))}" if got and span else "null"
                sink.add(shown, c.line, 1, ERROR, "correction", "evidence",
                         f"record {c.id} has {c.field} evidence {shown_span}, not the correction's evidence "
                         f"[{c.evidence[0]}, {c.evidence[1]}): run `quoteprov build`")
        if c.field not in noted and values.get(c.field) == c.value:
            sink.add(shown, c.line, 1, WARNING, "correction", "value",
                     f"record {c.id} already has {c.field} {_q(c.value)} without this correction; it can be removed")


# ---------------------------------------------------------------------------------------------
# entry points
