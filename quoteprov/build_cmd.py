"""`quoteprov build`: rebuild dataset/data/ from dataset/sources/, deterministically."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .corrections import apply_corrections, read_corrections
from .entities import build_entities
from .errors import QuoteprovError
from .pipeline import extract
from .records import Record, sort_key
from .schema import schema_errors
from .source import read_registry, read_sources
from .store import generation, settle, write_jsonl

# The current folder's dataset/, for every command (build, validate, report, load, publish):
# a user's own repository, not the folder the package happens to be installed from.
DEFAULT_DATASET = Path("dataset")


def require_dataset(dataset: str | Path) -> Path:
    """`dataset` as a Path, or a clear error when it is not a dataset folder (no sources/)."""
    dataset = Path(dataset)
    if not (dataset / "sources").is_dir():
        here = "no dataset/ folder in the current folder" if dataset == DEFAULT_DATASET else "not a dataset folder"
        raise QuoteprovError(f"{dataset}: {here} (expected {dataset / 'sources'}/manifest.json); run the command "
                             "in the folder that holds dataset/, or pass --dataset DIR")
    return dataset


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

    Every record is checked against the schema before anything is written: an invalid record
    stops the build and leaves the previous files intact.
    """
    dataset = require_dataset(dataset)
    say = progress or (lambda msg: None)
    recovered = settle(dataset)  # a build killed earlier: finish its swap or drop its leftovers
    if recovered:
        say(f"{dataset}: {recovered}")
    sources = read_sources(dataset / "sources")
    registries = {s.id: read_registry(dataset / "registry" / f"{s.id}.json") for s in sources}
    records = []
    for s in sources:
        say(f"extracting {s.id} ({len(s.text):,} characters)")
        records.extend(extract(s, registries[s.id]))
    entries = read_corrections(dataset / "corrections.jsonl")
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
    # everything a build publishes is written into a staging folder and swapped in as one
    # generation (store.generation): killed at any instant, the folder holds the old set or the new
    from .card import write_hub_files  # Parquet, dataset card, datapackage.json
    say("writing data/, README.md and datapackage.json")
    with generation(dataset) as stage:
        for name, rows_ in (("quotations", rows), ("sources", source_rows), ("entities", entities)):
            write_jsonl(stage / "data" / f"{name}.jsonl", rows_)
        # -- extra outputs written from the staged JSON Lines files (card, Parquet): see hub.py --
        written = [f"data/{name}.jsonl" for name in ("quotations", "sources", "entities")] + write_hub_files(stage)
    files = [str((dataset / w).relative_to(dataset.parent) if dataset.is_absolute() else dataset / w) for w in written]
    return summarize(records, len(sources), rep.applied, unmatched, tuple(files))
