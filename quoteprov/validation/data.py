"""The built files of data/ besides the records: sources.jsonl (against the source files),
entities.jsonl, notes.jsonl."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..jsonl import iter_lines, parse_line
from ..source import MANIFEST
from .context import Context
from .files import jsonl_rows
from .problems import ERROR, Sink
from .problems import quoted as _q


def check_sources_data(path: Path, shown: str, sink: Sink, ctx: Context, max_line: int) -> None:
    """data/sources.jsonl against the manifest and the source files it was built from."""
    sources = ctx.sources
    seen = set()
    for line, row in jsonl_rows(path, shown, sink, "sources", max_line):
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


def check_entities(path: Path, shown: str, sink: Sink, max_line: int) -> dict[str, str]:
    """data/entities.jsonl: schema-valid rows with unique names; returns name -> kind."""
    kinds: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, row in jsonl_rows(path, shown, sink, "entities", max_line):
        if row["name"] in lines:
            sink.add(shown, line, 1, ERROR, "duplicate-entity", "name",
                     f"{_q(row['name'])} is already the entity of line {lines[row['name']]}")
            continue
        lines[row["name"]] = line
        kinds[row["name"]] = row["kind"]
    return kinds


def check_notes(path: Path, shown: str, sink: Sink, ctx: Context, qpath: Path, max_line: int) -> None:
    """data/notes.jsonl: schema, offsets and numbers against the sources, the quotations named
    (checks in quoteprov.notes)."""
    from ..notes import check_note_rows

    records = []
    if qpath.exists():
        with open(qpath, "rb") as f:
            for raw in iter_lines(f, max_line=max_line):
                value, _ = parse_line(raw.data, raw.number)  # its problems are reported with that file
                if isinstance(value, dict) and "id" in value:
                    records.append(value)
    rows = list(jsonl_rows(path, shown, sink, "notes", max_line))
    for line, code, fld, message in check_note_rows(rows, ctx.sources, records):
        sink.add(shown, max(line, 1), 1, ERROR, code, fld, message)
