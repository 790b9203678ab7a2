"""Quotations that belong to a document: "Marx's inaugural address to the First International
('...')" is Marx's, addressed to the International; a document noun before a quotation."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Span as Sent
    from spacy.tokens import Token

from .. import cues
from ..discourse import Who
from ..spans import QuotedSpan
from .addressees import noun_addressee
from .context import Ctx, outside
from .who import who_of


def document_of(ctx: Ctx, qtoks: list["Token"], off: int) -> tuple[Who | None, Who | None, "Token | None"]:
    """A quotation attached to a document noun before it ("Marx's inaugural address to the
    First International ('...')"): the speaker is the document's author if the text names
    one, else the document; its `to`-object is the recipient."""
    starts = [t.head for t in qtoks if t.head not in qtoks]
    first = qtoks[0]
    k = first.i - 1
    while k >= 0 and first.doc[k].text in ('"', "\u201c", "'", "\u2018"):
        k -= 1
    if k > 0 and first.doc[k].text == "(":
        starts.insert(0, first.doc[k - 1])  # a quotation in brackets right after a noun phrase
    for h in starts:
        for _ in range(3):
            if h in qtoks or h.i > first.i:
                break
            if cues.is_document_noun(h.lower_) and outside(ctx, h, off):
                poss = next((c for c in h.children if c.dep_ == "poss" and c.tag_ in ("NNP", "NNPS")), None)
                who = who_of(ctx, poss, off) if poss is not None else None
                if who is None:
                    # "the traditional Communist exhortation: '...'": the words belong to
                    # the document, which the text does not ascribe to anyone
                    return None, noun_addressee(ctx, h, off), h
                return who, noun_addressee(ctx, h, off), h
            h = h.head
    return None, None, None


def document_before(ctx: Ctx, sp: QuotedSpan, scope: list["Sent"], off: int) -> "Token | None":
    nouns = [t for s in scope for t in s if off + t.idx < sp.start and cues.is_document_noun(t.lower_)
             and outside(ctx, t, off)]
    return nouns[-1] if nouns else None
