"""The small JSON files of a dataset folder written by hand: the manifest (with the source
files it lists) and the entity registries; and the rows of small JSON Lines files."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import QuoteprovError
from ..inputs import SOURCE_FORMAT, source_shape
from ..jsonl import BOM, iter_lines, key_column, parse_line
from ..schema import load_schema
from ..source import MANIFEST, MANIFEST_FIELDS, OutsideSources, make_source, read_text, source_path
from .context import SourceFiles
from .messages import TYPE_NAMES, schema_problems, schema_type_name
from .problems import ERROR, WARNING, Sink
from .problems import quoted as _q


def _element_offsets(text: str) -> list[int]:
    """Start offsets of the elements of a top-level JSON list (for locating manifest entries)."""
    dec = json.JSONDecoder()
    i = text.index("[") + 1
    out: list[int] = []
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


def _read_json_file(path: Path, shown: str, sink: Sink) -> tuple[Any, str] | None:
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


def check_manifest(dataset: Path, sink: Sink, shown: Callable[[Path], str],
                   listed: set[str] | None = None) -> SourceFiles:
    """Manifest entries and source files: every problem, and the readable sources (`listed`
    receives every id the manifest gives, readable or not)."""
    listed = set() if listed is None else listed
    sdir = dataset / "sources"
    mpath = sdir / MANIFEST
    sources = SourceFiles()
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
            source = make_source(read_text(target), sid, entry)
        except QuoteprovError as exc:
            msg = str(exc).split(": ", 1)[-1]
            sink.add(shown(target), 1, 1, ERROR, "source-encoding", "", msg)
            continue
        except OSError as exc:
            sink.add(shown(target), 1, 1, ERROR, "unreadable", "", exc.strerror or str(exc))
            continue
        for message in source_shape(source.text):
            sink.add(shown(target), 1, 1, WARNING, SOURCE_FORMAT, "", message)
        sources.add(source, target, entry)
    for f in sorted(sdir.iterdir()):
        if f.name == MANIFEST or f.name.startswith(".") or f.is_dir():
            continue
        if f.resolve() not in files_listed:
            sink.add(shown(f), 1, 1, ERROR, "unlisted-file", "",
                     f"no entry in sources/{MANIFEST} names this file; add one "
                     f"(fields: {', '.join(MANIFEST_FIELDS)})")
    return sources


def check_registry(path: Path, shown: str, sink: Sink) -> tuple[frozenset[str], dict[str, str]] | None:
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
                 f"got {TYPE_NAMES.get(schema_type_name(entries), 'a value')}")
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


def jsonl_rows(path: Path, shown: str, sink: Sink, schema: str | None,
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
