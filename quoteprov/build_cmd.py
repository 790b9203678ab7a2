"""`quoteprov build`: rebuild dataset/data/ from dataset/sources/, deterministically."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .corrections import apply_corrections
from .entities import build_entities
from .errors import QuoteprovError
from .inputs import InvalidInput, check_inputs, check_output
from .pipeline import extract
from .records import Record, sort_key
from .schema import schema_errors
from .source import read_registry
from .store import write_jsonl

DEFAULT_DATASET = Path(__file__).resolve().parent.parent / "dataset"


@dataclass(frozen=True)
class BuildSummary:
    sources: int
    records: int
    by_kind: dict[str, int]
    speakers: dict[str, int]
    unresolved: dict[str, int]  # quotations without speaker / recipient / footnote
    corrections_applied: int
    corrections_unmatched: tuple[str, ...]  # messages
    files: tuple[str, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = ()  # validate's warnings on the inputs and the data written

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items()))
        top = ", ".join(f"{k} {v}" for k, v in sorted(self.speakers.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
        out = [f"{self.records} records from {self.sources} source(s): {kinds}",
               f"speakers ({len(self.speakers)}): {top}",
               "unresolved in quotations: " + ", ".join(f"{k} {v}" for k, v in self.unresolved.items()),
               f"corrections applied: {self.corrections_applied}"]
        out += [f"correction not applied: {m}" for m in self.corrections_unmatched]
        out += [f"wrote {f}" for f in self.files]
        return out


def summarize(records: list[Record], n_sources: int, applied: int, unmatched: tuple[str, ...],
              files: tuple[str, ...] = ()) -> BuildSummary:
    by_kind: dict[str, int] = {}
    speakers: dict[str, int] = {}
    unresolved = {"speaker": 0, "recipient": 0, "footnote": 0}
    for r in records:
        by_kind[r.kind] = by_kind.get(r.kind, 0) + 1
        if r.speaker:
            speakers[r.speaker] = speakers.get(r.speaker, 0) + 1
        if r.kind == "quotation":
            for k in unresolved:
                unresolved[k] += getattr(r, k) is None
    return BuildSummary(n_sources, len(records), by_kind, speakers, unresolved, applied, unmatched, files)


def build(dataset: str | Path = DEFAULT_DATASET, progress: Callable[[str], None] | None = None) -> BuildSummary:
    """Rebuild `dataset/data/` from `dataset/sources/` (+ registry and corrections).

    The inputs are checked first with validate's own checks (`inputs.check_inputs`), and the
    records about to be written with validate's record checks (`inputs.check_output`): any
    error raises `InvalidInput` (its problems in validate's format) and nothing is written, so a
    build never writes what validate rejects. Every record is also checked against the schema.
    """
    dataset = Path(dataset)
    say = progress or (lambda msg: None)
    inputs = check_inputs(dataset)
    if inputs.errors:
        raise InvalidInput(inputs.problems)
    sources = list(inputs.context.sources.values())  # manifest order, read and checked once
    registries = {s.id: read_registry(dataset / "registry" / f"{s.id}.json") for s in sources}
    records = []
    for s in sources:
        say(f"extracting {s.id} ({len(s.text):,} characters)")
        records.extend(extract(s, registries[s.id]))
    entries = list(inputs.corrections)  # evidence where its words now stand (inputs.locate_evidence)
    texts = {s.id: s.text for s in sources}
    records, rep = apply_corrections(records, entries, texts)
    records.sort(key=sort_key)
    unmatched = tuple(
        [f"line {c.line}: no record {c.id}" for c in rep.unmatched]
        + [f"line {c.line}: {c.id} {c.field} is no longer {c.expect!r}" for c in rep.stale]
        + [f"line {c.line}: {c.id} {c.field} is already {c.value!r}" for c in rep.redundant])
    rows = [r.to_dict() for r in records]
    for row in rows:
        errs = schema_errors("quotations", row)
        if errs:
            raise QuoteprovError(f"record {row.get('id')} is invalid, nothing written: " + "; ".join(errs))
    entities = [e.to_dict() for e in build_entities(records, registries)]
    for e in entities:
        errs = schema_errors("entities", e)
        if errs:
            raise QuoteprovError(f"entity {e.get('name')} is invalid, nothing written: " + "; ".join(errs))
    source_rows = []
    for s in sources:
        m = s.metadata
        source_rows.append({
            "id": s.id, "file": m["file"], "title": m["title"], "author": m["author"], "year": m.get("year"),
            "publication": m["publication"], "origin": m["origin"], "rights": m["rights"],
            "sha256": hashlib.sha256(s.text.encode("utf-8")).hexdigest(),
            "characters": len(s.text), "paragraphs": len(s.paragraphs),
            "notes": [{"number": k, "text": v} for k, v in sorted(s.notes.items())]})
    for row in source_rows:
        errs = schema_errors("sources", row)
        if errs:
            raise QuoteprovError(f"source {row['id']} is invalid, nothing written: " + "; ".join(errs))
    found = check_output(rows, entities, inputs, dataset)
    if any(p.severity == "error" for p in found):
        raise InvalidInput(found)
    data = dataset / "data"
    files = []
    for name, rows_ in (("quotations", rows), ("sources", source_rows), ("entities", entities)):
        path = data / f"{name}.jsonl"
        write_jsonl(path, rows_)
        files.append(str(path.relative_to(dataset.parent) if dataset.is_absolute() else path))
    # -- extra outputs written from the JSON Lines files (card, Parquet): see hub.py --
    from .card import write_hub_files  # Parquet, dataset card, datapackage.json
    files += write_hub_files(dataset)
    summary = summarize(records, len(sources), rep.applied, unmatched, tuple(files))
    return replace(summary, warnings=tuple(p.format() for p in inputs.warnings + found))
