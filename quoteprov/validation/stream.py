"""One records stream checked in file order: each batch's record checks, then the in-order
checks over their summaries."""
from __future__ import annotations

from typing import Any, BinaryIO, Callable

from ..jsonl import iter_batches
from .context import Context
from .lines import ChunkResult, check_lines
from .ordering import Ordering


class Records:
    """One records stream checked in file order: each batch's record checks (`check_lines`),
    then the in-order checks (`Ordering`) over its summaries. The parent runs it over a whole
    file; a worker over a chunk of whole sources, handing odd ids to the parent."""

    def __init__(self, report: Callable[[int, int, str, str, str, str], None], ctx: Context, max_line: int,
                 odd_events: list[tuple[int, str, Any, str]] | None = None,
                 line_refs: list[tuple[int, str, str, int]] | None = None) -> None:
        self.report, self.ctx, self.max_line = report, ctx, max_line
        self.seq = Ordering(report, odd_events, line_refs)
        self.names: set[tuple[str, str, str]] = set()
        self.captured: dict[str, Any] = {}
        self.records = self.lines = 0

    def run(self, f: BinaryIO, limit: int | None = None, file_start: bool = True) -> None:
        for batch in iter_batches(f, limit, self.max_line):
            self.take(check_lines((batch,), self.ctx, file_start and self.lines == 0, self.max_line))
        self.seq.finish()

    def take(self, res: ChunkResult) -> None:
        base = self.lines
        self.records += res.records
        for n, col, severity, code, fld, message in res.problems:
            if code in ("unknown-entity", "entity-alias", "entity-missing"):
                # one warning per name for the whole file, not per batch
                key = (code if code == "entity-missing" else "registry", fld, message)
                if key in self.names:
                    continue
                self.names.add(key)
            self.report(base + n, col, severity, code, fld, message)
        self.seq.feed(base, res.seq)
        for rid, (n, *rest) in res.captured.items():
            self.captured.setdefault(rid, (base + n, *rest))
        self.lines += res.lines


# ---------------------------------------------------------------------------------------------
# large records files: chunks of whole sources, checked in parallel
#
# Every check but a few is local to a source: ids, nesting and the same-span rule restart with
# each source. So a chunk that holds whole sources is checked completely by one worker, and the
# parent only joins the seams: order across them, ids breaking the rule (which must be unique
# file-wide), and the sets of sources. The parent reads no record. Chunks are cut where the
# `source_id` of one line differs from the line before; both workers beside a cut find it from
# the file alone, so they agree without talking. Anything that defeats this (a source split
