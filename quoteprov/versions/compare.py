"""`quoteprov diff` (`compare_versions`, `diff`): what changed between two versions of the dataset, record by record.

How it stays fast on a million records: a version's records file is never loaded whole. The two
files are read once, side by side, batch by batch, each line hashed in C; a line that appears
byte for byte in the other version is an unchanged record and is never parsed. Only the lines
that differ (a few per cent in a real revision) are parsed, with orjson, and aligned:

1. by stable id (first by the same words at the same, mapped, span, because an id's occurrence
   number changes when an earlier quotation of the same words is removed);
2. then, for records whose id changed (their words were corrected, so the digest in the id
   changed), by source and span, the old span mapped through the edit of the source text;
   then by source and start; then by source and normalised words;
3. what is left was removed (old) or added (new).

A matched pair whose only differences are positions that the source edit explains (offsets
shifted because text above changed, the paragraph index, the selector context) is
*re-anchored*; any other difference makes it *changed*, listed field by field with dotted
paths (`evidence.speaker`, `method.kind`). A change of `confidence` alone (the same speaker and
recipient, a new probability that they are right, as when the attribution model is retrained)
is a minor change, counted and labelled apart so that a review can pass over it.
"""
from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

from .align import Anchor, align, compare_records, schema_change
from .edits import compare_sources
from .read import (
    DEFAULT_DATASET_PATH,
    Version,
    differing,
    resolve_version,
    shared_records,
    working_tree,
)
from .result import Change, DiffResult, Reanchor

# -- the API --------------------------------------------------------------------------------

def compare_versions(old: Version, new: Version) -> DiffResult:
    """The diff of two resolved versions (see the module docstring for how records align)."""
    # the parsed records are many small dicts that live to the end: cyclic garbage collection
    # passes over them would cost more than the diff itself (there are no cycles to find)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _compare_versions(old, new)
    finally:
        if enabled:
            gc.enable()


def _compare_versions(old: Version, new: Version) -> DiffResult:
    side_old, side_new = differing(old.records, new.records)
    old_rows, new_rows = side_old.rows(), side_new.rows()
    n_old, n_new = side_old.records, side_new.records
    sources, maps = (compare_sources(old.sources, new.sources) if old.has_sources and new.has_sources
                     else ([], {}))
    anchors = {sid: Anchor.of(m, old.sources[sid], new.sources[sid]) for sid, m in maps.items()}
    pairs, removed_rows, added_rows = align(old_rows, new_rows, maps)

    changed: list[Change] = []
    reanchored: list[Reanchor] = []
    for how, (_, o), (_, n) in pairs:
        how = "id" if o["id"] == n["id"] else how
        c = compare_records(o, n, how, anchors)
        if isinstance(c, Change):
            changed.append(c)
        elif isinstance(c, Reanchor):
            reanchored.append(c)
    schema = schema_change((r for _, r in old_rows), (r for _, r in new_rows),
                     lambda: shared_records(side_new, side_old))
    summary = {
        "old_records": n_old, "new_records": n_new,
        "added": len(added_rows), "removed": len(removed_rows), "changed": len(changed),
        "confidence_only": sum(c.confidence_only for c in changed), "reanchored": len(reanchored),
        "unchanged": n_old - len(removed_rows) - len(changed) - len(reanchored),
        "sources_changed": len(sources), "fields_added": len(schema.added), "fields_removed": len(schema.removed),
    }
    summary["differences"] = sum(summary[k] for k in ("added", "removed", "changed", "reanchored", "sources_changed",
                                                      "fields_added", "fields_removed"))
    notes = _notes_changes(old, new)
    summary["differences"] += sum(len(v) for v in notes.values())
    return DiffResult(old.label, new.label, [r for _, r in added_rows], [r for _, r in removed_rows],
                      changed, reanchored, sources, schema, summary, new, notes, old.problems + new.problems)


def _notes_rows(version: Version) -> list[dict[str, Any]]:
    """The notes beside a version's records (`notes.jsonl` in the same folder), if any."""
    from .read import FileBlob, GitBlob, git_object_type

    blob = version.records
    if isinstance(blob, FileBlob):
        path = blob.path.parent / "notes.jsonl"
        if blob.path.name != "quotations.jsonl" or not path.is_file():
            return []
        other: Any = FileBlob(path)
    elif isinstance(blob, GitBlob):
        path_ = str(Path(blob.path).parent / "notes.jsonl")
        if not blob.path.endswith("quotations.jsonl") or git_object_type(blob.repo, blob.rev, path_) != "blob":
            return []
        other = GitBlob(blob.repo, blob.rev, path_)
    else:
        return []
    return [json.loads(line) for batch in other.line_batches() for line in batch if line.strip()]


def _notes_changes(old: Version, new: Version) -> dict[str, Any]:
    from ..notes import diff_notes

    return diff_notes(_notes_rows(old), _notes_rows(new))


def diff(old: str | Path, new: str | Path | None = None, repo: str | Path = ".",
         dataset_path: str = DEFAULT_DATASET_PATH) -> DiffResult:
    """Compare two versions of the dataset. Each of OLD and NEW is a records file, a dataset
    folder, or a git revision of `repo` (`HEAD~1`, a tag, a commit; or `REV:PATH`), read with
    git without a checkout. Without NEW, OLD is compared with the working tree's dataset."""
    a = resolve_version(old, repo, dataset_path)
    b = working_tree(repo, dataset_path) if new is None else resolve_version(new, repo, dataset_path)
    return compare_versions(a, b)
