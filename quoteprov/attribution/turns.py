"""The conversation around a quotation: the quotations before and after it (the turns), and
the persons named most in the paragraphs before (the cast), whom a `he` or `she` may stand for."""
from __future__ import annotations

from collections import Counter

from ..entities import kind_of
from .candidates import Mention, Quote, TextIndex, gender_of, names_in_paragraph

CAST_PARAGRAPHS = 20  # paragraphs before a quotation whose most named persons are candidates
CAST_SIZE = 3


def recent_cast(idx: TextIndex, q: Quote, gender: int) -> list[Mention]:
    """The persons named most in the CAST_PARAGRAPHS before quotation q (of the gender of a
    he/she next to it, when there is one), each by its last mention: in a long conversation
    the one who speaks ("he replied") was often last named many paragraphs back, and the
    turns decided before may be wrong."""
    count: Counter[str] = Counter()
    last: dict[str, Mention] = {}
    for p in range(max(0, q.paragraph - CAST_PARAGRAPHS), q.paragraph):
        for m in names_in_paragraph(idx, p):
            if kind_of(m.key) == "person":
                count[m.key] += 1
                last[m.key] = m
    out = []
    for name, _ in sorted(count.items(), key=lambda kv: (-kv[1], -last[kv[0]].start)):
        if gender and gender_of(idx, name) == -gender:
            continue
        out.append(last[name])
        if len(out) == CAST_SIZE:
            break
    return out


NEXT_PARAGRAPHS = 3  # the quotations ahead whose rules' speakers are read: the conversation going on


def next_quotes(idx: TextIndex, i: int, k: int = 2) -> list[Quote]:
    """The next k quotations after quotation i (not nested in another), within
    NEXT_PARAGRAPHS: the turns ahead, whose speakers the rules may name ("... ," said Emma)
    where this one names none. Read from the rules only, so deciding in order cannot depend
    on a choice not yet made."""
    out: list[Quote] = []
    q = idx.quotes[i]
    j = i + 1
    while j < len(idx.quotes) and len(out) < k and idx.quotes[j].paragraph - q.paragraph <= NEXT_PARAGRAPHS:
        if not idx.quotes[j].nested:
            out.append(idx.quotes[j])
        j += 1
    return out


def prev_quotes(idx: TextIndex, i: int, k: int = 3) -> list[Quote]:
    """The k quotations before quotation i (not nested in another), nearest first."""
    out: list[Quote] = []
    j = i - 1
    while j >= 0 and len(out) < k:
        if not idx.quotes[j].nested:
            out.append(idx.quotes[j])
        j -= 1
    return out
