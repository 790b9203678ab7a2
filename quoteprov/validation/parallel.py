"""Records files: in-process, or (large ones) in parallel chunks of whole sources."""
from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..jsonl import iter_batches
from .context import Context
from .lines import ChunkResult
from .ordering import LINE
from .problems import ERROR, Sink
from .stream import Records

CHUNK = 32 << 20  # bytes of records per parallel task
PARALLEL_MIN = 16 << 20  # files smaller than this are checked in-process


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
            offset += (item if type(item) is int else len(item)) + 1  # type: ignore[arg-type]
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
        checker = Records(lambda *p: out.problems.append(p), _WORKER_CTX, max_line, out.odd_events, out.line_refs)
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


def check_parallel(path: Path, ctx: Context, sink: Sink, shown: str, jobs: int,
                    max_line: int) -> tuple[int, dict[str, Any]] | None:
    """Check a large records file in chunks of whole sources; None (and nothing reported) when
    a source turns out split between chunks, for the caller to check the file in one pass."""
    part = Sink(False, sink.limit)  # merged into `sink` only if the seams hold

    def report(line: int, col: int, severity: str, code: str, fld: str, message: str) -> None:
        part.add(shown, line, col, severity, code, fld, message)

    joined = Records(report, ctx, max_line)  # its sequence checks only the seams
    seq = joined.seq
    seen: set[Any] = set()
    cuts = _cuts(path, path.stat().st_size, CHUNK)
    tasks = [(str(path), cuts, k, max_line) for k in range(len(cuts) - 1)]
    # Why an executor and not `multiprocessing.Pool`: a Pool whose worker dies waits for its result
    # for ever (seen once under load); the executor says so (BrokenProcessPool) and the file is
    # checked in one pass. Why forkserver: workers forked from a clean server inherit none of the
    # caller's threads (a parser's or a numeric library's), which a plain fork copies mid-lock.
    methods = multiprocessing.get_all_start_methods()
    mp = multiprocessing.get_context(next(m for m in ("forkserver", "fork", "spawn") if m in methods))
    try:
        with ProcessPoolExecutor(jobs, mp_context=mp, initializer=_init_worker, initargs=(ctx,)) as pool:
            split = _merge(pool.map(_work, tasks), joined, seq, seen, report)
            if split:
                pool.shutdown(wait=True, cancel_futures=True)
                return None  # a source (or an odd id) on both sides of a seam
    except BrokenProcessPool:
        return None  # a worker died (killed, out of memory): the caller checks the file in one pass
    sink.merge(part)
    return joined.records, joined.captured


def _merge(results: Iterable[ChunkSummary], joined: Records, seq: Any, seen: set[Any],
           report: Callable[..., None]) -> bool:
    """Join the chunks' summaries in file order; True when a source (or an odd id) turns out to
    be on both sides of a seam."""
    for res in results:
        if not res.lines:
            continue
        if seen.intersection(res.sources) or any(rid in seq.odd for _, rid, _, _ in res.odd_events):
            return True
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
    return False


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def check_records(stream: BinaryIO | None, path: Path | None, shown: str, ctx: Context, sink: Sink,
                   jobs: int, max_line: int) -> tuple[int, dict[str, Any]]:
    """Check one records file (or stream); returns (records, captured records for corrections)."""
    if path is not None and jobs > 1 and path.stat().st_size >= PARALLEL_MIN:
        got = check_parallel(path, ctx, sink, shown, jobs, max_line)
        if got is not None:
            return got

    def report(line: int, col: int, severity: str, code: str, fld: str, message: str) -> None:
        sink.add(shown, line, col, severity, code, fld, message)

    checker = Records(report, ctx, max_line)
    f: BinaryIO = stream if stream is not None else open(path, "rb")  # type: ignore[arg-type,assignment]
    try:
        checker.run(f)
    finally:
        if stream is None:
            f.close()
    return checker.records, checker.captured


# ---------------------------------------------------------------------------------------------
