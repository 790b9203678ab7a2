"""`quoteprov build`: rebuild dataset/data/ from dataset/sources/, deterministically."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .corrections import CorrectionEntry, CorrectionReport
from .defaults import DEFAULT_DATASET
from .entities import EntityIndex
from .errors import QuoteprovError
from .inputs import InputReport, InvalidInput, check_inputs, check_output
from .records import sort_key
from .schema import schema_errors
from .store import copy_bytes, dumps, generation, settle, write_jsonl

if TYPE_CHECKING:
    from .buildmap import SourceResult
    from .card import Facts

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


def summarize(facts: Facts, n_sources: int, applied: int, unmatched: tuple[str, ...], files: tuple[str, ...],
              warnings: tuple[str, ...]) -> BuildSummary:
    """The summary of a build from the counts its card was made from (`card.Facts`, gathered in
    the one pass over the rows written)."""
    t = facts.tally
    unresolved = {"speaker": t.quotations - t.with_speaker, "recipient": t.quotations - t.with_recipient,
                  "footnote": t.quotations - t.with_footnote}
    return BuildSummary(n_sources, t.records, dict(t.kinds), dict(t.speakers), unresolved, applied, unmatched,
                        files, warnings)


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
    build never writes what validate rejects.
    Memory is bounded by the largest source, not by the corpus: each source's records are
    written to a scratch folder as they come (`_write_sources`), and every later step reads
    the files a batch at a time; the new files are swapped in as one generation at the end.
    """
    from .buildmap import default_jobs, scratch

    dataset = require_dataset(dataset)
    say = progress or (lambda msg: None)
    recovered = settle(dataset)  # a build killed earlier: finish its swap or drop its leftovers
    if recovered:
        say(f"{dataset}: {recovered}")
    inputs = check_inputs(dataset)
    if inputs.errors:
        raise InvalidInput(inputs.problems)
    jobs = jobs or default_jobs()
    with scratch(dataset) as tmp:
        data = tmp / "data"
        data.mkdir()
        index, rep, n_sources = _write_sources(dataset, inputs, data, progress=progress, bar=bar, jobs=jobs,
                                                      engine=engine, ray_address=ray_address, cache=cache)
        unmatched = tuple(
            [f"line {c.line}: no record {c.id}" for c in rep.unmatched]
            + [f"line {c.line}: {c.id} {c.field} is no longer {c.expect!r}" for c in rep.stale]
            + [f"line {c.line}: {c.id} {c.field} is already {c.value!r}" for c in rep.redundant])
        entities = [e.to_dict() for e in index.entities()]
        for e in entities:
            errs = schema_errors("entities", e)
            if errs:
                raise QuoteprovError(f"entity {e.get('name')} is invalid, nothing written: " + "; ".join(errs))
        write_jsonl(data / "entities.jsonl", entities)
        from concurrent.futures import ThreadPoolExecutor

        from .card import Facts, write_hub_files  # Parquet, dataset card, datapackage.json

        say("checking the records and writing data/, README.md and datapackage.json")
        # -- extra outputs made from the finished JSON Lines files (card, Parquet): see hub.py --
        # made while validate's checks run (in worker processes, on a large corpus; this thread
        # only waits for them): both read the finished files, and the checks decide whether
        # any of it is published
        with ThreadPoolExecutor(max_workers=1) as pool:
            facts = Facts()
            hub = pool.submit(write_hub_files, tmp, None, facts)
            # validate's own record checks on exactly what is about to be written (inputs.check_output)
            found = check_output(data / "quotations.jsonl", {e["name"]: e["kind"] for e in entities}, inputs,
                                 dataset, jobs)
            del entities
            if any(p.severity == "error" for p in found):
                hub.cancel()
                raise InvalidInput(found)
            written = [f"data/{name}.jsonl" for name in ("quotations", "sources", "entities", "notes")]
            written += hub.result()
        # everything a build publishes is swapped in as one generation (store.generation): killed
        # at any instant, the folder holds the old set or the new
        with generation(dataset) as stage:
            (stage / "data").mkdir()
            for name in written:
                os.replace(tmp / name, stage / name)
    files = [str((dataset / w).relative_to(dataset.parent) if dataset.is_absolute() else dataset / w) for w in written]
    return summarize(facts, n_sources, rep.applied, unmatched, tuple(files),
                     tuple(p.format() for p in inputs.warnings + found))


def _write_sources(dataset: Path, inputs: InputReport, data: Path, *, progress: Callable[[str], None] | None,
                   bar: bool, jobs: int, engine: str, ray_address: str | None,
                   cache: bool) -> tuple[EntityIndex, CorrectionReport, int]:
    """Extract (or take from the cache) and correct every source, and write its rows as they
    come, in whatever order (`extract_all`: the cached ones first): each file's rows go to a
    spill file a source at a time, then into `data/` in the published order (`quotations.jsonl`
    by source id, as `sort_key` orders records; `sources.jsonl` and `notes.jsonl` in manifest
    order). Only entity names and the corrections' report are kept."""
    from .buildmap import Cache, Progress, extract_all, plan

    entries = list(inputs.corrections)  # evidence where its words now stand (inputs.locate_evidence)
    tasks = plan(dataset, entries)
    position = {t.id: n for n, t in enumerate(tasks)}
    meter = Progress(tasks, bar=bar, say=progress) if (progress or bar) else None
    index = EntityIndex({t.id: t.registry for t in tasks})
    applied = 0
    unmatched: list[CorrectionEntry] = []
    stale: list[CorrectionEntry] = []
    redundant: list[CorrectionEntry] = []
    results = extract_all(tasks, jobs=jobs, engine=engine, address=ray_address,
                          cache=Cache(dataset / CACHE_DIR if cache else None), progress=meter)
    with _Spill(data.parent / "quotations.spill") as quotations, _Spill(data.parent / "sources.spill") as sources, \
            _Spill(data.parent / "notes.spill") as notes:
        for res in results:
            task = tasks[position[res.id]]
            records = sorted(res.records, key=sort_key)
            # every record was checked against the schema in the map (buildmap.extract_one)
            quotations.add(task.id, "".join(dumps(r.to_dict()) + "\n" for r in records))
            index.add(records)
            applied += res.report.applied
            unmatched += res.report.unmatched
            stale += res.report.stale
            redundant += res.report.redundant
            row = _source_row(task.entry, task.id, res)
            errs = schema_errors("sources", row)
            if errs:
                raise QuoteprovError(f"source {row['id']} is invalid, nothing written: " + "; ".join(errs))
            sources.add(position[task.id], dumps(row) + "\n")
            # the notes of the source, linked to its corrected records, made in the map with the
            # source at hand and checked against the schema there (buildmap._note_rows)
            notes.add(position[task.id], "".join(dumps(n) + "\n" for n in res.note_rows))
        quotations.write(data / "quotations.jsonl")
        sources.write(data / "sources.jsonl")
        notes.write(data / "notes.jsonl")
    known = {t.id for t in tasks}
    # corrections that name no source of the manifest match no record
    unmatched += [c for c in entries if c.id.rsplit(":", 2)[0] not in known]
    by_line = lambda c: c.line  # noqa: E731 - the order of the corrections file
    rep = CorrectionReport(applied, tuple(sorted(unmatched, key=by_line)), tuple(sorted(stale, key=by_line)),
                           tuple(sorted(redundant, key=by_line)))
    return index, rep, len(tasks)


class _Spill:
    """Runs of rows written in the order they come, each under a key; `write` puts them in the
    order of their keys (stable) into a file. The spill file is removed on exit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.runs: list[tuple[Any, int, int]] = []  # (key, offset, length)

    def __enter__(self) -> "_Spill":
        self.file = open(self.path, "w+b")
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)

    def add(self, key: Any, rows: str) -> None:
        data = rows.encode("utf-8")
        self.runs.append((key, self.file.tell(), len(data)))
        self.file.write(data)

    def write(self, path: Path) -> None:
        self.file.flush()
        with open(path, "wb") as out:
            for _key, offset, length in sorted(self.runs, key=lambda run: run[0]):
                self.file.seek(offset)
                copy_bytes(self.file, out, length)
        self.file.seek(0, 2)


def _source_row(m: dict[str, Any], sid: str, res: SourceResult) -> dict[str, Any]:
    return {"id": sid, "file": m["file"], "title": m["title"], "author": m["author"], "year": m.get("year"),
            "publication": m["publication"], "origin": m["origin"], "rights": m["rights"],
            "sha256": res.sha256, "characters": res.characters, "paragraphs": res.paragraphs,
            "notes": [{"number": k, "text": v} for k, v in res.notes]}
