"""Stage 4: kind, speaker and recipient of each quoted span (v0 placeholder being replaced)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .records import Attribution, Span
from .source import Source
from .spans import QuotedSpan


@dataclass(frozen=True)
class SpanAttribution:
    kind: str
    kind_method: str
    speaker: Attribution
    recipient: Attribution
    speaker_span: Span | None = None
    cue_span: Span | None = None
    recipient_span: Span | None = None


def attribute(source: Source, spans: list[QuotedSpan], registry: list[dict[str, Any]]) -> list[SpanAttribution]:
    out = []
    for sp in spans:
        words = source.text[sp.start:sp.end].split()
        kind = "quotation" if len(words) > 3 else "term"
        out.append(SpanAttribution(kind, "length", Attribution(), Attribution()))
    return out
