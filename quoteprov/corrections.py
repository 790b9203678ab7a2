"""Reviewed corrections (data), applied after extraction; each is noted on the record it changes.

`dataset/corrections.jsonl` holds one object per line:
`{"id": RECORD_ID, "field": FIELD, "value": NEW_VALUE, "reason": WHY}`; optionally `"expect"`,
the extractor's value the reviewer saw, so a correction whose premise changed is reported
instead of silently applied; and, for a speaker or recipient, `"evidence": [START, END]`, the
offsets of the mention that justifies the new value (without it the value is marked as
`inferred`: a reviewer's judgement that no span of the text states), with `"evidence_text"`, the
words at those offsets, so that the evidence follows its words when the source is edited
(`inputs.locate_evidence`).

A corrected speaker or recipient gets confidence 1.0: a person checked it, which is more than
any model's probability says (null when the correction removes the value). Its basis still
says whether the text states it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import QuoteprovError
from .records import Correction, Record, Span

CORRECTABLE = ("kind", "speaker", "recipient", "footnote", "nested_in")


@dataclass(frozen=True)
class CorrectionEntry:
    id: str
    field: str
    value: Any
    reason: str
    line: int
    expect: Any = ...  # Ellipsis: not given
    evidence: tuple[int, int] | None = None
    evidence_text: str | None = None  # the words at `evidence`, so that they can follow an edit


@dataclass(frozen=True)
class CorrectionReport:
    applied: int
    unmatched: tuple[CorrectionEntry, ...]  # no record with that id
    stale: tuple[CorrectionEntry, ...]  # `expect` no longer matches the extractor's value
    redundant: tuple[CorrectionEntry, ...]  # the extractor already gives the value


def parse_corrections(text: str, path: str = "corrections.jsonl") -> list[CorrectionEntry]:
    """Parse the corrections file; a malformed line is an error naming its line."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuoteprovError(f"{path}:{n}:{exc.colno}: {exc.msg}") from None
        if not isinstance(d, dict):
            raise QuoteprovError(f"{path}:{n}: expected a JSON object")
        missing = [k for k in ("id", "field", "value", "reason") if k not in d]
        if missing:
            raise QuoteprovError(f"{path}:{n}: missing {', '.join(missing)}")
        if d["field"] not in CORRECTABLE:
            raise QuoteprovError(f"{path}:{n}: field {d['field']!r} cannot be corrected "
                                 f"(one of {', '.join(CORRECTABLE)})")
        if not str(d["reason"]).strip():
            raise QuoteprovError(f"{path}:{n}: a correction needs a reason")
        ev = d.get("evidence")
        if ev is not None and not (isinstance(ev, list) and len(ev) == 2 and all(isinstance(x, int) for x in ev)):
            raise QuoteprovError(f"{path}:{n}: evidence must be [start, end] offsets")
        words = d.get("evidence_text")
        out.append(CorrectionEntry(d["id"], d["field"], d["value"], d["reason"], n,
                                   d.get("expect", ...), tuple(ev) if ev else None,
                                   words if isinstance(words, str) else None))
    return out


def read_corrections(path: str | Path) -> list[CorrectionEntry]:
    path = Path(path)
    if not path.exists():
        return []
    return parse_corrections(path.read_text(encoding="utf-8"), str(path))


def apply_corrections(records: list[Record], entries: list[CorrectionEntry],
                      texts: dict[str, str]) -> tuple[list[Record], CorrectionReport]:
    """Apply reviewed corrections (pure). The record keeps the extractor's value in
    `corrections`, its method becomes `correction`, and its evidence is the correction's own
    span (`texts` maps source ids to their text) or none, in which case the value is `inferred`."""
    by_id = {r.id: i for i, r in enumerate(records)}
    out = list(records)
    applied = 0
    unmatched, stale, redundant = [], [], []
    for c in entries:
        i = by_id.get(c.id)
        if i is None:
            unmatched.append(c)
            continue
        r = out[i]
        raw = getattr(r, c.field)
        if c.expect is not ... and c.expect != raw:
            stale.append(c)
            continue
        if raw == c.value:
            redundant.append(c)
            continue
        changes: dict[str, Any] = {c.field: c.value,
                                   "corrections": r.corrections + (Correction(c.field, raw, c.reason),)}
        if c.field in ("speaker", "recipient", "footnote"):
            changes["method"] = {**r.method, c.field: "correction"}
            span = None
            if c.evidence:
                s, e = c.evidence
                span = Span(s, e, texts.get(r.source_id, "")[s:e])
            basis = {**r.basis}
            basis[c.field] = None if c.value is None else ("explicit" if span else "inferred")
            changes["basis"] = basis
            if c.field in ("speaker", "recipient"):
                changes[f"{c.field}_span"] = span
                changes["confidence"] = {**r.confidence, c.field: None if c.value is None else 1.0}
            elif c.value is None:
                changes["marker"] = None
        out[i] = r.with_(**changes)
        applied += 1
    return out, CorrectionReport(applied, tuple(unmatched), tuple(stale), tuple(redundant))
