"""The raw extractor: source -> markers -> spans -> attribution -> records, no corrections.
`build_cmd.build` runs it over a dataset folder and writes the files.
"""
from __future__ import annotations

from typing import Any

from .attribution import attribute
from .markers import find_markers, footnote_after
from .records import Record, assign_ids, selector_context, sort_key
from .source import Source
from .spans import find_spans


def extract(source: Source, registry: list[dict[str, Any]] | None = None, use_model: bool = True) -> list[Record]:
    """Every quoted span of `source` as a record, with the raw extractor's attributions
    (`use_model=False`: the rules' alone, as the ranker is trained on)."""
    markers = find_markers(source)
    spans = find_spans(source, markers)
    attributions = attribute(source, spans, registry or [], use_model)
    ids = assign_ids(source.id, ((s.start, s.end, source.text[s.start:s.end]) for s in spans))
    records = []
    for sp, a, rid in zip(spans, attributions, ids):
        lo, hi = source.paragraphs[sp.paragraph]
        marker = footnote_after(markers, sp.end, hi)
        prefix, suffix = selector_context(source.text, sp.start, sp.end)
        records.append(Record(
            id=rid, source_id=source.id, text=source.text[sp.start:sp.end], start=sp.start, end=sp.end,
            paragraph=sp.paragraph, kind=a.kind,
            nested_in=ids[sp.nested_in] if sp.nested_in is not None else None,
            speaker=a.speaker.value, recipient=a.recipient.value,
            footnote=marker.number if marker else None, unclosed=sp.unclosed,
            speaker_span=a.speaker_span, cue_span=a.cue_span, recipient_span=a.recipient_span,
            marker=marker,
            method={"span": sp.method, "kind": a.kind_method,
                    "speaker": a.speaker.method, "recipient": a.recipient.method,
                    "footnote": ("marker-repaired" if marker.repaired else "marker-next") if marker else None},
            basis={"speaker": a.speaker.basis, "recipient": a.recipient.basis,
                   "footnote": ("inferred" if marker.repaired else "explicit") if marker else None},
            confidence={"speaker": a.speaker.confidence, "recipient": a.recipient.confidence},
            prefix=prefix, suffix=suffix,
        ))
    records.sort(key=sort_key)
    return records
