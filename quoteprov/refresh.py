"""`quoteprov refresh`: bring reviewed corrections up to date after the extractor changed.

A correction says "this record's FIELD is VALUE (the text shows it), not EXPECT (what the
extractor gave)". When the extractor changes (a new attribution model, a fixed rule), EXPECT may
no longer be what it gives, and `build` refuses the correction as stale: the reviewed VALUE is
still right, but nobody has said it still applies. `refresh` re-reads the extractor's raw values
(the build's per-source cache, so sources extract once) and, for each correction whose EXPECT is
out of date, either sets EXPECT to the new raw value (the correction still changes something)
or drops the line (the extractor now gives VALUE by itself). Every change is listed, so that a
reviewer sees it in the diff of corrections.jsonl; nothing else in the file moves.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import QuoteprovError
from .store import write_text

FIELDS = ("kind", "speaker", "recipient", "footnote")  # the fields a correction sets to a plain value


@dataclass(frozen=True)
class Change:
    line: int
    id: str
    field: str
    expect: Any
    now: Any
    dropped: bool  # the extractor now gives the correction's value

    def format(self) -> str:
        what = "dropped: the extractor now gives the value" if self.dropped else f"expect {json.dumps(self.now)}"
        return f"line {self.line}: {self.id} {self.field}: expect was {json.dumps(self.expect)}; {what}"


@dataclass(frozen=True)
class RefreshReport:
    changes: tuple[Change, ...]
    lines: int
    written: bool


def refresh(dataset: str | Path = "dataset", *, dry_run: bool = False, jobs: int | None = None) -> RefreshReport:
    """Set the `expect` of out-of-date corrections in `dataset/corrections.jsonl` to the
    extractor's current raw values, or drop the ones the extractor now satisfies."""
    from .build_cmd import require_dataset
    from .buildmap import CACHE_DIR, Cache, default_jobs, extract_all, plan
    from .inputs import InvalidInput, check_inputs

    dataset = require_dataset(dataset)
    path = dataset / "corrections.jsonl"
    if not path.exists():
        return RefreshReport((), 0, False)
    inputs = check_inputs(dataset)
    # a stale correction is what this command is for; any other error is the contributor's to fix
    blocking = [p for p in inputs.errors if p.code != "correction"]
    if blocking:
        raise InvalidInput(tuple(blocking))
    tasks = plan(dataset, list(inputs.corrections))
    bare = [replace(t, corrections=()) for t in tasks]  # raw values: what `expect` is about
    raw = {r.id: r for res in extract_all(bare, jobs=jobs or default_jobs(), cache=Cache(dataset / CACHE_DIR))
           for r in res.records}
    out: list[str] = []
    changes: list[Change] = []
    text = path.read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        change = _refreshed(n, line, raw)
        if change is None:
            out.append(line)
            continue
        changes.append(change)
        if not change.dropped:
            row = json.loads(line)
            row["expect"] = change.now
            out.append(json.dumps(row, ensure_ascii=False))
    if changes and not dry_run:
        write_text(path, "\n".join(out) + ("\n" if out else ""))
    return RefreshReport(tuple(changes), len(text.splitlines()), bool(changes) and not dry_run)


def _refreshed(n: int, line: str, raw: dict[str, Any]) -> Change | None:
    try:
        row = json.loads(line)
    except ValueError:
        return None
    if not isinstance(row, dict) or "expect" not in row or row.get("field") not in FIELDS:
        return None
    rid, field = row.get("id"), row["field"]
    if not isinstance(rid, str) or rid not in raw:
        return None  # no such record: build reports it; nothing to refresh
    now = getattr(raw[rid], field)
    if now == row["expect"]:
        return None
    if now == row.get("value"):
        return Change(n, rid, field, row["expect"], now, True)
    if not isinstance(now, (str, int, type(None))):
        raise QuoteprovError(f"line {n}: {rid} {field} is {now!r}, which a correction cannot expect")
    return Change(n, rid, field, row["expect"], now, False)
