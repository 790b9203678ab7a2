"""Windows of a long paragraph for the parser: what attribution parses stays bounded.

A paragraph of megabytes on one line (quotation marks strewn through it) must be parsed in
windows around its quotations, never whole: spaCy's time and memory per document grow with its
length, and every quotation reads its own sentence token by token.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Span as Sent
    from spacy.tokens import Token

from ..spans import QuotedSpan

# bounds on what one parse holds, far above prose (its sentences run to ~600 characters, its
# quotations to ~2000, its paragraphs to ~4000), so that a paragraph of megabytes on one line is
# parsed in windows around its quotations, never whole: spaCy's time and memory per document
# grow with its length, and every quotation reads its own sentence token by token
SENTENCE_MAX = 3000  # a rough sentence longer than this is cut (at a space when there is one)
LONG_QUOTE = 8000  # a quotation running longer: only its opening and its last sentence are parsed
UNIT_MAX = 20000  # a run of wanted sentences longer than this is parsed in several pieces


def bounded(text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentences, each longer than SENTENCE_MAX cut into pieces of at most that length,
    at the last space of a piece when it has one."""
    out = []
    for a, b in sentences:
        while b - a > SENTENCE_MAX:
            cut = text.rfind(" ", a + SENTENCE_MAX // 2, a + SENTENCE_MAX) + 1 or a + SENTENCE_MAX
            out.append((a, cut))
            a = cut
        out.append((a, b))
    return out


def tokens_between(sents: list["Sent"], a: int, b: int) -> list["Token"]:
    """The tokens of `sents` (in order) that start at a character offset in [a, b) of their
    document, found by bisection on the document's token offsets (kept once per parse)."""
    out: list["Token"] = []
    for sent in sents:
        doc = sent.doc
        if "idx" not in doc.user_data:
            doc.user_data["idx"] = [t.idx for t in doc]
        idx = doc.user_data["idx"]
        i = max(sent.start, bisect_left(idx, a, sent.start, sent.end))
        j = bisect_left(idx, b, sent.start, sent.end)
        out += [doc[k] for k in range(i, j)]
    return out


def unit_spans(spans: list[QuotedSpan], idxs: list[int], starts: list[int], lo: int, hi: int) -> list[int]:
    """The quotations of a paragraph (`idxs`, in order of `starts`) that a parsed stretch
    [lo, hi) needs: those opening in it, the outermost quotation around the last one opening
    before it (a quotation still going on) and the paragraph's first (whether the paragraph
    opens with a block quotation). On a paragraph of prose that is all of them that matter; on
    a line of thousands of quotations, each stretch gets its own, not all of them."""
    a, b = bisect_right(starts, lo - 2), bisect_right(starts, hi + 1)
    if a <= 1:
        return idxs[:b]
    outer = idxs[a - 1]
    while (parent := spans[outer].nested_in) is not None:
        outer = parent
    return sorted({idxs[0], outer, *idxs[a:b]}, key=lambda i: (spans[i].start, i))


def scope_cues(cache: dict[tuple[int, int, int], list["Token"]], sents: list["Sent"], off: int,
               cues_in: Callable[[list["Sent"], int], list["Token"]]) -> list["Token"]:
    """`cues_in(sents, off)`, each sentence read once per parsed stretch (`cache`, emptied for
    each stretch), not once for every quotation it holds."""
    out = []
    for sent in sents:
        key = (id(sent.doc), sent.start, off)
        if key not in cache:
            cache[key] = cues_in([sent], off)
        out += cache[key]
    return out


def entity_at(tok: "Token") -> "Sent | None":
    """The parser's entity that holds `tok` (`Doc.ents` builds every entity anew: once per parse)."""
    doc = tok.doc
    if "ents" not in doc.user_data:
        doc.user_data["ents"] = (list(doc.ents), [e.start for e in doc.ents])
    ents, starts = doc.user_data["ents"]
    k = bisect_right(starts, tok.i) - 1
    return ents[k] if k >= 0 and tok.i < ents[k].end else None
