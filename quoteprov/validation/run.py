"""The entry point, `validate`: dataset folders, single files or standard input."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, BinaryIO, Callable, Sequence

from ..corrections import CorrectionEntry
from ..inputs import previous_evidence
from ..jsonl import MAX_LINE
from ..source import MANIFEST, dataset_file_problems
from .context import Context
from .corrections import check_applied, check_correction_refs, check_corrections
from .data import check_entities, check_notes, check_sources_data
from .files import check_manifest, check_registry
from .parallel import check_records, cpu_count
from .problems import ERROR, MAX_PROBLEMS, WARNING, Report, Sink
from .problems import quoted as _q


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


def load_context(dataset: Path, sink: Sink, shown: Callable[[Path], str],
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
        ctx.entity_names = check_entities(epath, shown(epath), sink, max_line)
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
    from ..build_cmd import DEFAULT_DATASET

    here = Path("dataset")
    default = here if (here / "sources").is_dir() or (here / "data").is_dir() else DEFAULT_DATASET
    if path is None:
        paths: list[str | Path] = [default]
    elif isinstance(path, (str, Path)):
        paths = [path]
    else:
        paths = list(path) or [default]
    jobs = cpu_count() if jobs is None else max(1, jobs)
    sink = Sink(strict, max_problems)
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
            n, _ = check_records(stdin or sys.stdin.buffer, None, "<stdin>", ctx, sink, 1, max_line)
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
        files += 1
        records += _validate_file(p, Path(dataset) if dataset else _dataset_of(p.resolve()), sink, shown, jobs,
                                  max_line, context_for)
    # data older than its sources is the root cause of most other errors: it comes first
    problems = sorted(sink.problems, key=lambda q: (q.code != "stale-data", q.path, q.line, q.column))
    return Report(tuple(problems), sink.errors, sink.warnings, files, records, sink.omitted, sink.fatal, strict)


def _validate_file(p: Path, folder: Path | None, sink: Sink, shown: Callable[[Path], str], jobs: int,
                   max_line: int, context_for: Callable[[Path | None], Context]) -> int:
    """One file of a dataset, checked by its kind against the dataset `folder`; returns the
    records read."""
    kind = _kind_of(p)
    records = 0
    try:
        if kind == "quotations":
            ctx = context_for(folder)
            if not ctx.has_sources:
                sink.add(shown(p), 1, 1, WARNING, "no-sources", "",
                         "no dataset sources found beside this file; provenance not checked "
                         "(give --dataset FOLDER)")
            records, _ = check_records(None, p, shown(p), ctx, sink, jobs, max_line)
        elif kind == "manifest":
            check_manifest(p.resolve().parent.parent, sink, shown)
        elif kind == "registry":
            check_registry(p, shown(p), sink)
        elif kind == "corrections":
            check_corrections(p, shown(p), sink, max_line)
        elif kind == "sources":
            check_sources_data(p, shown(p), sink, context_for(folder), max_line)
        elif kind == "notes":
            check_notes(p, shown(p), sink, context_for(folder), p.parent / "quotations.jsonl", max_line)
        else:
            check_entities(p, shown(p), sink, max_line)
    except OSError as exc:
        sink.add(shown(p), 1, 1, ERROR, "unreadable", "", exc.strerror or str(exc))
        sink.fatal = True
    return records


def _validate_folder(folder: Path, sink: Sink, shown: Callable[[Path], str], jobs: int, max_line: int,
                     contexts: dict[Path, Any]) -> tuple[int, int]:
    from ..store import settle

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
        records, captured = check_records(None, qpath, shown(qpath), ctx, sink, jobs, max_line)
    spath = data / "sources.jsonl"
    if spath.exists():
        files += 1
        check_sources_data(spath, shown(spath), sink, ctx, max_line)
    if (data / "entities.jsonl").exists():
        files += 1
    npath = data / "notes.jsonl"
    if npath.exists():
        files += 1
        check_notes(npath, shown(npath), sink, ctx, qpath, max_line)
    cpath = folder / "corrections.jsonl"
    if cpath.exists():
        files += 1
        if qpath.exists():
            check_applied(entries, captured, ctx.sources, shown(cpath), sink)
    return files, records


# ---------------------------------------------------------------------------------------------
# command line
