"""What a diff finds: changed and re-anchored records, schema changes, and the `DiffResult`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .edits import SourceChange
from .read import Version

MISSING = object()
EVIDENCE_OFFSET = re.compile(r"^evidence\.[^.]+\.(start|end)$")
# fields that give a record's position, not its content
OFFSETS = {"start": "start", "end": "end", "selectors.position.start": "start", "selectors.position.end": "end"}
CONTEXT = {"selectors.quote.prefix": "prefix", "selectors.quote.suffix": "suffix"}
SHOWN_DECIMALS = 3  # a float is shown (not stored) with this many decimals: records write 3


def is_confidence(path: str) -> bool:
    return path == "confidence" or path.startswith("confidence.")


@dataclass(frozen=True)
class Change:
    """A record present in both versions whose content changed."""

    id: str  # the new id (`fields["id"]` holds both when it changed)
    old: dict[str, Any]
    new: dict[str, Any]
    fields: dict[str, list[Any]]  # dotted field -> [old, new]
    matched_by: str  # id | span | start | text
    shift: int | None = None  # offset shift explained by a source edit, when there is one

    @property
    def confidence_only(self) -> bool:
        """Only the confidence moved: the values themselves are the same."""
        return all(is_confidence(p) for p in self.fields)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "matched_by": self.matched_by, "fields": self.fields,
                               "confidence_only": self.confidence_only}
        if self.shift is not None:
            out["shift"] = self.shift
        return out


@dataclass(frozen=True)
class Reanchor:
    """A record that only moved because its source text was edited."""

    id: str
    old: dict[str, Any]
    new: dict[str, Any]
    shift: int  # new start - old start
    fields: dict[str, list[Any]]  # the positional fields that moved

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "shift": self.shift, "fields": self.fields}


@dataclass(frozen=True)
class SchemaChange:
    """Record fields (dotted paths) that exist in only one version."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, list[str]]:
        return {"added": list(self.added), "removed": list(self.removed)}


@dataclass(frozen=True)
class DiffResult:
    old_label: str
    new_label: str
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[Change]
    reanchored: list[Reanchor]
    sources: list[SourceChange]
    schema: SchemaChange
    summary: dict[str, int]
    # the new version itself, for renderers that show unchanged records too (not in the JSON)
    new_version: Version | None = field(default=None, repr=False, compare=False)
    # notes added / removed / changed (data/notes.jsonl beside the records; quoteprov.notes.diff_notes)
    notes: dict[str, Any] = field(default_factory=lambda: {"added": [], "removed": [], "changed": []})
    # what could not be compared and why: files a manifest names outside the dataset (not read)
    problems: tuple[str, ...] = ()

    @property
    def differs(self) -> bool:
        return self.summary["differences"] > 0

    def to_json(self) -> dict[str, Any]:
        return {"old": self.old_label, "new": self.new_label, "summary": self.summary,
                "added": self.added, "removed": self.removed,
                "changed": [c.to_json() for c in self.changed],
                "reanchored": [r.to_json() for r in self.reanchored],
                "sources": [s.to_json() for s in self.sources], "schema": self.schema.to_json(),
                "notes": self.notes, "problems": list(self.problems)}
