"""The context every rule reads: the source, its quotations, the names known in it, the
reader's memory, and the quotations of the paragraph being parsed; plus the helpers that
need it (a token's span, whether it stands inside a quotation, whether a quotation opens its
paragraph or is its whole text)."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Token

from ..discourse import Discourse, Found
from ..entities import NameIndex, opens_sentence, strip_leading_stop
from ..records import Span
from ..source import Source
from ..spans import QuotedSpan
from .candidates import blank

_GLUED_TAIL = re.compile(r"[.,;:]*[\[({]\d{1,3}[\])}]?$")


@dataclass(frozen=True)
class Ctx:
    """Read-only for the rules, except the reader's memory: `d` (the discourse: mentions,
    running speaker, addressees) and `results` (the spans attributed so far) are updated in
    text order by the driver and the discourse rules. One per parsed stretch: `para_spans`,
    `outer` and `outer_starts` are the quotations of its paragraph."""

    source: Source
    spans: list[QuotedSpan]
    names: NameIndex
    known: frozenset[str]  # full names the parser tagged as persons or bodies
    author: str | None
    # paragraph -> the signer of a document cited in full there, whose "I" it is (narrator.cited_documents)
    cited: dict[int, str] = field(default_factory=dict)
    d: Discourse = field(default_factory=Discourse)
    results: dict[int, Found] = field(default_factory=dict)
    person_re: re.Pattern[str] | None = None
    memory_only: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # paragraph -> stretches parsed for names only
    para_spans: tuple[QuotedSpan, ...] = ()
    outer: tuple[QuotedSpan, ...] = ()
    outer_starts: tuple[int, ...] = ()
    cue_cache: dict[tuple[int, int, int], list["Token"]] = field(default_factory=dict)  # per parsed stretch

    @property
    def text(self) -> str:
        return self.source.text


def span_of(ctx: Ctx, off: int, toks: list["Token"]) -> Span:
    s = off + toks[0].idx
    e = off + toks[-1].idx + len(toks[-1].text)
    m = _GLUED_TAIL.search(ctx.text, s, e)
    if m and m.start() > s:
        e = m.start()  # "delegates.[2": the tokenizer left a footnote marker on the word
    return Span(s, e, ctx.text[s:e])


def in_quote(ctx: Ctx, offset: int) -> bool:
    # the outermost quotations of the paragraph do not overlap: one bisection suffices
    k = bisect_right(ctx.outer_starts, offset) - 1
    return k >= 0 and offset < ctx.outer[k].end


def outside(ctx: Ctx, tok: "Token", off: int) -> bool:
    return not in_quote(ctx, off + tok.idx)


def clean(name: str) -> str:
    """A mention as a name: no leading stop words, possessive or surrounding punctuation (also a
    possessive whose apostrophe the text lost: "Marianne s eyes")."""
    name = re.sub(r"\s+", " ", " ".join(strip_leading_stop(name.split())))
    # not after an abbreviation's stop: "the left S. R.'s" are its members, a plural
    name = re.sub(r"(?<!\.)(?:\s+'s|'s|\u2019s)$|(?<=[A-Za-z]{2}) s$", "", name)
    return name.strip(" ,.;:\"'()") or name


def hyphen_run(tok: "Token") -> list["Token"]:
    """The word `tok` belongs to when the tokenizer split it at hyphens ("ex-convict" is "ex", "-",
    "convict", which the parser may hang side by side): its tokens, in order; the last is its head."""
    doc = tok.doc
    a = b = tok.i
    while a >= 2 and doc[a - 1].text == "-" and not doc[a - 2].whitespace_ and not doc[a - 1].whitespace_ \
            and doc[a - 2].is_alpha:
        a -= 2
    while b + 2 < len(doc) and doc[b + 1].text == "-" and not doc[b].whitespace_ and not doc[b + 1].whitespace_ \
            and doc[b + 2].is_alpha:
        b += 2
    return list(doc[a:b + 1])


def is_turn(ctx: Ctx, sp: QuotedSpan) -> bool:
    """The quotation opens its paragraph: a turn of a conversation."""
    return blank(ctx.text, ctx.source.paragraphs[sp.paragraph][0], sp.start, " \"'\u201c\u2018_")


def alone_in_paragraph(ctx: Ctx, sp: QuotedSpan) -> bool:
    """The quotation is its paragraph's whole text ('"Yes."', '"Thank you."'): a turn of talk
    set as its own paragraph, the printer's way with dialogue, not a word quoted in prose."""
    return is_turn(ctx, sp) and blank(ctx.text, sp.end, ctx.source.paragraphs[sp.paragraph][1],
                                      " \"'\u201d\u2019_.,;:!?-\u2014\n")


def opener_only(ctx: Ctx, tok: "Token", off: int) -> bool:
    """'Belief in ghosts ran in his blood': a word alone, capitalised only because it opens the
    sentence (the text writes it in lower case, and not with a capital inside a sentence), is
    no one's name, whatever the tagger made of it."""
    doc = tok.doc
    alone = not any(doc[k].tag_ in ("NNP", "NNPS") and doc[k].text[:1].isupper()
                    for k in (tok.i - 1, tok.i + 1) if 0 <= k < len(doc))
    return alone and tok.text in ctx.names.openers and opens_sentence(ctx.text, off + tok.idx)
