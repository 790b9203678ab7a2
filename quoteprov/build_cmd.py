"""`quoteprov build`: rebuild dataset/data/ from dataset/sources/, deterministically."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .corrections import CorrectionEntry
from .entities import build_entities
from .errors import QuoteprovError
from .inputs import InvalidInput, check_inputs, check_output
from .records import Record, sort_key
from .schema import schema_errors
from .store import generation, settle, write_jsonl

# The current folder's dataset/, for every command (build, validate, report, load, publish):
# a user's own repository, not the folder the package happens to be installed from.
DEFAULT_DATASET = Path("dataset")
CACHE_DIR = ".cache"  # the per-source extraction cache inside a dataset folder (safe to delete)


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


def build(dataset: str | Path = DEFAULT_DATASET, progress: Callable[[str], None] | None = None, *,
          jobs: int | None = None, engine: str = "local", ray_address: str | None = None,
          cache: bool = True, bar: bool = False) -> BuildSummary:
    """Rebuild `dataset/data/` from `dataset/sources/` (+ registry and corrections).

    Extraction is a map over sources (`buildmap.extract_one`), run from the per-source cache
    in `dataset/.cache/` (`cache=False` ignores it), in `jobs` worker processes (default: the
    CPUs available) or as Ray tasks (`engine="ray"`, on `ray_address` or a local Ray); the
    files written are the same whichever way it runs. Every record is checked against the
    schema before anything is written: an invalid record stops the build and leaves the
    previous files intact.
    The inputs are checked first with validate's own checks (`inputs.check_inputs`), and the
    records about to be written with validate's record checks (`inputs.check_output`): any
    error raises `InvalidInput` (its problems in validate's format) and nothing is written, so a
    build never writes what validate rejects. Every record is also checked against the schema.
    """
    from .buildmap import Cache, CorrectionReport, Progress, default_jobs, extract_all, plan

    dataset = require_dataset(dataset)
    say = progress or (lambda msg: None)
    recovered = settle(dataset)  # a build killed earlier: finish its swap or drop its leftovers
    if recovered:
        say(f"{dataset}: {recovered}")
    inputs = check_inputs(dataset)
    if inputs.errors:
        raise InvalidInput(inputs.problems)
    entries = list(inputs.corrections)  # evidence where its words now stand (inputs.locate_evidence)
    tasks = plan(dataset, entries)
    registries = {t.id: t.registry for t in tasks}
    meter = Progress(tasks, bar=bar, say=say) if (progress or bar) else None
    records: list[Record] = []
    results = []
    applied = 0
    unmatched_c: list[CorrectionEntry] = []
    stale: list[CorrectionEntry] = []
    redundant: list[CorrectionEntry] = []
    for _task, res in zip(tasks, extract_all(tasks, jobs=jobs or default_jobs(), engine=engine, address=ray_address,
                                         cache=Cache(dataset / CACHE_DIR if cache else None), progress=meter)):
        records.extend(res.records)
        applied += res.report.applied
        unmatched_c += res.report.unmatched
        stale += res.report.stale
        redundant += res.report.redundant
        results.append(res.__class__(**{**res.__dict__, "records": ()}))  # the records are kept once, above
    known = {t.id for t in tasks}
    # corrections that name no source of the manifest match no record
    unmatched_c += [c for c in entries if c.id.rsplit(":", 2)[0] not in known]
    by_line = lambda c: c.line  # noqa: E731 - the order of the corrections file
    rep = CorrectionReport(applied, tuple(sorted(unmatched_c, key=by_line)), tuple(sorted(stale, key=by_line)),
                           tuple(sorted(redundant, key=by_line)))
    records.sort(key=sort_key)
    unmatched = tuple(
        [f"line {c.line}: no record {c.id}" for c in rep.unmatched]
        + [f"line {c.line}: {c.id} {c.field} is no longer {c.expect!r}" for c in rep.stale]
        + [f"line {c.line}: {c.id} {c.field} is already {c.value!r}" for c in rep.redundant])
    # every record was checked against the schema in the map (buildmap.extract_one)
    rows = [r.to_dict() for r in records]
    entities = [e.to_dict() for e in build_entities(records, registries)]
    for e in entities:
        errs = schema_errors("entities", e)
        if errs:
            raise QuoteprovError(f"entity {e.get('name')} is invalid, nothing written: " + "; ".join(errs))
    source_rows = []
    for t, res in zip(tasks, results):
        m = t.entry
        source_rows.append({
            "id": t.id, "file": m["file"], "title": m["title"], "author": m["author"], "year": m.get("year"),
            "publication": m["publication"], "origin": m["origin"], "rights": m["rights"],
            "sha256": res.sha256, "characters": res.characters, "paragraphs": res.paragraphs,
            "notes": [{"number": k, "text": v} for k, v in res.notes]})
    for row in source_rows:
        errs = schema_errors("sources", row)
        if errs:
            raise QuoteprovError(f"source {row['id']} is invalid, nothing written: " + "; ".join(errs))
    # notes: the notes of every source, linked to its corrected records, made in the map with the
    # source at hand and checked against the schema there (buildmap._note_rows)
    note_rows = [row for res in results for row in res.note_rows]
    # validate's own record checks on exactly what is about to be written (inputs.check_output)
    found = check_output(rows, entities, inputs, dataset)
    if any(p.severity == "error" for p in found):
        raise InvalidInput(found)
    # everything a build publishes is written into a staging folder and swapped in as one
    # generation (store.generation): killed at any instant, the folder holds the old set or the new
    from .card import write_hub_files  # Parquet, dataset card, datapackage.json
    say("writing data/, README.md and datapackage.json")
    names = ("quotations", "sources", "entities", "notes")
    with generation(dataset) as stage:
        for name, rows_ in zip(names, (rows, source_rows, entities, note_rows)):
            write_jsonl(stage / "data" / f"{name}.jsonl", rows_)
        # -- extra outputs written from the staged JSON Lines files (card, Parquet): see hub.py --
        written = [f"data/{name}.jsonl" for name in names] + write_hub_files(stage)
    files = [str((dataset / w).relative_to(dataset.parent) if dataset.is_absolute() else dataset / w) for w in written]
    summary = summarize(records, len(tasks), rep.applied, unmatched, tuple(files))
    return replace(summary, warnings=tuple(p.format() for p in inputs.warnings + found))
