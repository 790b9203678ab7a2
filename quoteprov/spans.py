"""Stage 3: quoted spans of the body text, from the quotation marks (pure rules, no parse).

Each mark is classified by what stands on either side of it (an opener follows space or an
opening bracket and precedes a word; a closer follows a word or punctuation and precedes space
or punctuation); marks that look both ways are settled by whether a quotation is open. A stack
per paragraph pairs them, which gives nesting for free, including inner quotations that OCR
turned into double marks. A quotation still open at the end of its paragraph is a block
quotation or an OCR loss: it ends before the first footnote marker after it, or at the end of
the paragraph.
"""
from __future__ import annotations

from dataclasses import dataclass

from .markers import footnote_after
from .records import MarkerSpan
from .source import Source

DOUBLE, SINGLE = "double", "single"
# mark -> (family, role): role is "open", "close" or "either" (decided by context)
MARKS = {
    '"': (DOUBLE, "either"), "\u201c": (DOUBLE, "open"), "\u201d": (DOUBLE, "close"),
    "\u201e": (DOUBLE, "open"), "\u00ab": (DOUBLE, "either"), "\u00bb": (DOUBLE, "either"),
    "'": (SINGLE, "either"), "\u2018": (SINGLE, "open"), "\u2019": (SINGLE, "either"),
    "\u201a": (SINGLE, "open"), "\u2039": (SINGLE, "open"), "\u203a": (SINGLE, "close"),
}
_OPEN_BEFORE = set("([{<\u2014\u2013-/:;\u2026") | set(MARKS)  # context that precedes an opener
_CLOSE_AFTER = set(".,;:!?)]}>\u2014\u2013-/(\u2026") | set(MARKS)  # context that follows a closer
# pairs whose closing mark is, elsewhere, an opening one
_REVERSED_PAIRS = {("\u201e", "\u201c"), ("\u00bb", "\u00ab"), ("\u201a", "\u2018"), ("\u203a", "\u2039")}
MAX_SINGLE = 400  # a single-mark quotation longer than this is taken for apostrophes


@dataclass(frozen=True)
class QuotedSpan:
    start: int  # first character inside the marks
    end: int  # exclusive; before the closing mark (or the inferred end)
    paragraph: int
    open_mark: str
    close_mark: str | None  # None when unclosed
    nested_in: int | None  # index into the returned list of the enclosing span
    block: bool = False  # a block quotation set off by indentation, without marks

    @property
    def unclosed(self) -> bool:
        return self.close_mark is None and not self.block

    @property
    def method(self) -> str:
        return "block-indent" if self.block else "marks-unclosed" if self.close_mark is None else "marks-paired"


def _role(text: str, i: int, lo: int, hi: int) -> str | None:
    """'open', 'close', 'either' or None (not a quotation mark here) for the mark at i."""
    ch = text[i]
    family, role = MARKS[ch]
    prev = text[i - 1] if i > lo else None
    nxt = text[i + 1] if i + 1 < hi else None
    if family == SINGLE and role == "either":
        # apostrophes and transliteration marks stand between letters: Il'ich, don't, cut'his
        if prev is not None and nxt is not None and prev.isalnum() and nxt.isalnum():
            return None
    if role != "either":
        if family == SINGLE and role == "open" and (nxt is None or nxt.isspace()):
            return None
        return role
    opens = prev is None or prev.isspace() or prev in _OPEN_BEFORE
    closes = nxt is None or nxt.isspace() or nxt in _CLOSE_AFTER or (nxt.isdigit() and family == DOUBLE)
    if family == SINGLE:
        # a single mark opens only before a word, and closes only after one
        opens = opens and nxt is not None and nxt.isalnum()
        closes = closes and prev is not None and (prev.isalnum() or prev in ".,;:!?")
        if opens == closes:
            return None
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    return "either"


def paragraph_spans(text: str, lo: int, hi: int, markers: list[MarkerSpan]) -> list[tuple[int, int, str, str | None]]:
    """Quoted spans of one paragraph as (start, end, open_mark, close_mark), in the order their
    closing was found."""
    stack: list[tuple[str, int, str]] = []  # (family, position of the mark, mark)
    # the indexes in `stack` of each family's open marks, so that finding the innermost open
    # mark of a family is O(1): scanning the stack for it made a paragraph of thousands of
    # unpaired single marks quadratic (each double mark walked past all of them)
    tops: dict[str, list[int]] = {DOUBLE: [], SINGLE: []}
    found: list[tuple[int, int, str, str | None]] = []
    for i in range(lo, hi):
        ch = text[i]
        if ch not in MARKS:
            continue
        role = _role(text, i, lo, hi)
        if role is None:
            continue
        family = MARKS[ch][0]
        open_at = tops[family][-1] if tops[family] else None
        if open_at is not None and (stack[open_at][2], ch) in _REVERSED_PAIRS:
            role = "close"  # German „...“ and »...«: the usual opener closes here
        if role == "either":
            role = "close" if open_at is not None else "open"
        if role == "open":
            tops[family].append(len(stack))
            stack.append((family, i, ch))
            continue
        if open_at is None:
            continue  # a closer with nothing open: stray mark or apostrophe (workers' state)
        _, pos, mark = stack[open_at]
        # single marks left open above a closing double mark were apostrophes
        del stack[open_at:]
        for t in tops.values():
            while t and t[-1] >= open_at:
                t.pop()
        if family == SINGLE and i - pos > MAX_SINGLE:
            continue
        if i > pos + 1:
            found.append((pos + 1, i, mark, ch))
    # a quotation still open at the end of the paragraph: only the outermost double mark (an
    # open single mark is an apostrophe far more often than an unclosed inner quotation, and
    # further open double marks inside it are stray: nesting them all would make n records of
    # length ~n from n stray marks)
    for _, pos, mark in [x for x in stack if x[0] == DOUBLE][:1]:
        marker = footnote_after(markers, pos + 1, hi)
        end = marker.start if marker else hi
        while end > pos + 1 and text[end - 1].isspace():
            end -= 1
        if end > pos + 1:
            found.append((pos + 1, end, mark, None))
    return found


def block_paragraphs(source: Source) -> frozenset[int]:
    """Paragraphs the source's manifest entry lists as block quotations set off by indentation
    (`"blocks"`, written by `quoteprov add`); the indentation itself is gone from a one-line
    paragraph, so the list is the only record of it."""
    blocks = source.metadata.get("blocks") or ()
    return frozenset(b for b in blocks if isinstance(b, int) and 0 <= b < len(source.paragraphs))


def block_span(text: str, lo: int, hi: int, found: list[tuple[int, int, str, str | None]]) -> tuple[int, int] | None:
    """The span of a block quotation without marks: the paragraph's words without the
    indentation (and trailing spaces), unless marks already quote the whole paragraph (a block
    that also opens with a quotation mark is a marked quotation)."""
    s, e = lo, hi
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e <= s:
        return None
    for fs, fe, _, _ in found:
        # marks around the whole paragraph: only a mark (and closing punctuation) outside
        if fs - s <= 1 and e - fe <= 2:
            return None
    return s, e


def find_spans(source: Source, markers: list[MarkerSpan]) -> list[QuotedSpan]:
    """Every quoted span of the body text, in document order (enclosing before nested)."""
    text = source.text
    blocks = block_paragraphs(source)
    raw: list[tuple[int, int, int, str, str | None, bool]] = []
    for p, (lo, hi) in enumerate(source.paragraphs):
        if not source.is_body(p):
            continue
        found = paragraph_spans(text, lo, hi, markers)
        for s, e, om, cm in found:
            raw.append((s, e, p, om, cm, False))
        if p in blocks:
            span = block_span(text, lo, hi, found)
            if span is not None:
                raw.append((span[0], span[1], p, "", None, True))
    # the block first when a marked span has the same extent (it encloses the marks' span)
    raw.sort(key=lambda r: (r[0], -r[1], not r[5]))
    out: list[QuotedSpan] = []
    open_chain: list[int] = []  # indexes of spans that may enclose the next one
    for s, e, p, om, cm, block in raw:
        while open_chain and not (out[open_chain[-1]].start <= s and e <= out[open_chain[-1]].end
                                  and out[open_chain[-1]].paragraph == p):
            open_chain.pop()
        parent = open_chain[-1] if open_chain else None
        out.append(QuotedSpan(s, e, p, om, cm, parent, block))
        open_chain.append(len(out) - 1)
    return out
