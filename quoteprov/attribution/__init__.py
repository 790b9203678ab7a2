"""Attribution: kind, speaker and recipient of every quoted span, with evidence and confidence.

rules (a parse and hand-written rules) → candidates (everyone in view) → features → ranker
(`ranker.json`, trees trained on annotated quotations) → decide (in text order, with turn-taking).
Without the model file the rules' reading is returned as it is.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import replace
from typing import Any

from ..entities import registry_names
from ..records import Attribution
from ..source import Source
from ..spans import QuotedSpan
from .candidates import Quote, TextIndex, index_text
from .decide import decide, quote_of
from .model import load
from .narrator import cited_documents, narrator_of, narrators_we, outermost
from .rules import SpanAttribution, attribute_rules

__all__ = ["NO_WORDS", "SpanAttribution", "attribute", "attribute_rules"]


# a span without a letter or a digit ("...", "--", a run of stray marks) says nothing that could
# name or be ranked against a speaker, and parsing it is all cost: on a paragraph of marks only
# every character is a token of the parsed windows (about 1 s and 20 MB per kB). PDNC's 24
# novels hold 6 such quotations in 32,687.
_WORD = re.compile(r"\w")
NO_WORDS = SpanAttribution("quotation", "no-words", Attribution(), Attribution())


def attribute(source: Source, spans: list[QuotedSpan], registry: list[dict[str, Any]],
              use_model: bool = True) -> list[SpanAttribution]:
    """Kind, speaker and recipient of every span (in the order of `spans`); a span with no word
    in it is `NO_WORDS`, and the others are read as if it were not there."""
    keep = [i for i, sp in enumerate(spans) if _WORD.search(source.text, sp.start, sp.end)]
    if len(keep) == len(spans):
        return _attribute(source, spans, registry, use_model)
    new = {old: k for k, old in enumerate(keep)}
    # a span with words is never inside one without, so its parent survives the filter
    worded = [dataclasses.replace(spans[i], nested_in=_remap(spans[i].nested_in, new)) for i in keep]
    found = dict(zip(keep, _attribute(source, worded, registry, use_model)))
    return [found.get(i, NO_WORDS) for i in range(len(spans))]


def _remap(parent: int | None, new: dict[int, int]) -> int | None:
    return None if parent is None else new[parent]


def _attribute(source: Source, spans: list[QuotedSpan], registry: list[dict[str, Any]],
               use_model: bool) -> list[SpanAttribution]:
    models = load() if use_model else None
    rules, idx = ruled(source, spans, registry, index=bool(models and spans))
    return canonical(decide(idx, rules, models), registry) if models and idx else rules


def ruled(source: Source, spans: list[QuotedSpan], registry: list[dict[str, Any]], index: bool = True
          ) -> tuple[list[SpanAttribution], TextIndex | None]:
    """The rules' attributions of the spans, and (with `index`) the index of the text that the
    rankers decide from."""
    narrator = narrator_of(source, outermost(spans))
    rules = attribute_rules(source, spans, registry, narrator)
    if not index:
        return rules, None
    quotes = [quote_of(sp.start, sp.end, sp.paragraph, sp.nested_in is not None, a) for sp, a in zip(spans, rules)]
    return rules, source_index(source, quotes, narrator)


def source_index(source: Source, quotes: list[Quote], narrator: str | None) -> TextIndex:
    """The index the rankers decide from: the quotations, the narrator's "I" (and inside a document
    cited in full its signer's), the "we" the metadata names, the body paragraphs. One function for
    extraction and training, so that the ranker is trained on what it will read."""
    body = {p for p in range(len(source.paragraphs)) if source.is_body(p)}
    outer = [(q.start, q.end, q.paragraph) for q in quotes if not q.nested]
    cited = cited_documents(source.text, source.paragraphs, outer, body)
    return index_text(source.text, source.paragraphs, quotes, narrator, body, cited, narrators_we(source))


def canonical(attributions: list[SpanAttribution], registry: list[dict[str, Any]]) -> list[SpanAttribution]:
    """Each value by the registry's canonical name: a ranked candidate is a name as the text
    wrote it ("Mme. Virubova"), which the registry may list as an alias ("Anna Virubova")."""
    names = registry_names(registry)
    if not names:
        return attributions

    def fix(a: SpanAttribution) -> SpanAttribution:
        s = names.get(a.speaker.value.lower()) if a.speaker.value else None
        r = names.get(a.recipient.value.lower()) if a.recipient.value else None
        if (s is None or s == a.speaker.value) and (r is None or r == a.recipient.value):
            return a
        return replace(a, speaker=renamed(a.speaker, s), recipient=renamed(a.recipient, r))

    def renamed(v: Attribution, name: str | None) -> Attribution:
        if name is None or name == v.value:
            return v
        # the mention is an alias of the name: resolved to it, as `who_of` resolves one
        return replace(v, value=name, basis="resolved" if v.basis == "explicit" else v.basis)

    return [fix(a) for a in attributions]
