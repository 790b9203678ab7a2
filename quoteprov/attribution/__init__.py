"""Attribution: kind, speaker and recipient of every quoted span, with evidence and confidence.

rules (a parse and hand-written rules) → candidates (everyone in view) → features → ranker
(`ranker.json`, trees trained on annotated quotations) → decide (in text order, with turn-taking).
Without the model file the rules' reading is returned as it is.
"""
from __future__ import annotations

from typing import Any

from ..discourse import author_of
from ..source import Source
from ..spans import QuotedSpan
from .candidates import index_text
from .decide import decide, quote_of
from .model import load
from .rules import SpanAttribution, attribute_rules

__all__ = ["SpanAttribution", "attribute", "attribute_rules"]


def attribute(source: Source, spans: list[QuotedSpan], registry: list[dict[str, Any]],
              use_model: bool = True) -> list[SpanAttribution]:
    """Kind, speaker and recipient of every span (in the order of `spans`)."""
    rules = attribute_rules(source, spans, registry)
    models = load() if use_model else None
    if not models or not spans:
        return rules
    quotes = [quote_of(sp.start, sp.end, sp.paragraph, sp.nested_in is not None, a) for sp, a in zip(spans, rules)]
    body = {p for p in range(len(source.paragraphs)) if source.is_body(p)}
    idx = index_text(source.text, source.paragraphs, quotes, author_of(source), body)
    return decide(idx, rules, models)
