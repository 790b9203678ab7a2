"""Stage 2: footnote markers in the body text, with misprints repaired from the sequence.

Markers are printed in many forms: `(59)`, `[59]`, `{59}`, superscripts, and digits glued after
sentence punctuation (`group.70`, `Erevan'.89`). Numbers that belong to the prose (years,
counts, `World War 2`) are told apart by form first, then by the sequence: notes rise one by
one, so a candidate that does not fit the longest rising chain is prose.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .records import MarkerSpan
from .source import Source

_SUP = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
_SUP_TABLE = str.maketrans(_SUP, "0123456789")

# strong forms: bracketed numbers and superscripts (1-3 digits: a 4-digit number in brackets
# is a year far more often than note 1917)
_BRACKETED = re.compile(r"[(\[{]\s?(\d{1,3})\s?[)\]}]")
_SUPERSCRIPT = re.compile(f"[{_SUP}]+")
# weak form: digits glued after a word's closing punctuation: `group.70`, `Erevan'.89`,
# `class."12`, `memoirs.99`; the digits end the token. The character before the punctuation
# must be a letter, a closing quote or bracket (not a digit: `3.5`, `p. 3.4` are prose).
# (the look-behind sits after the punctuation so that the regex engine tries it only there:
# the same matches, 2.5x faster)
_GLUED = re.compile(r"([.,;:!?](?<=(?:[^\W\d_]|[\"'\u2019\u201d)\]])[.,;:!?])['\"\u2019\u201d]?)(\d{1,3})(?!\w|[.,]\d)")

_DIGIT = re.compile(r"[0-9]")

MAX_GAP = 12  # the largest jump between consecutive notes still taken as one sequence


@dataclass(frozen=True)
class Candidate:
    start: int  # where the marker as printed starts (for glued digits: the digits)
    end: int
    printed: int
    strong: bool


def _positions(seg: str, chars: str) -> list[int]:
    """Where any of `chars` occurs in `seg`, in order, by str.find (a memchr: many times faster
    than letting the regex engine try every character)."""
    found = []
    for ch in chars:
        i = seg.find(ch)
        while i >= 0:
            found.append(i)
            i = seg.find(ch, i + 1)
    return sorted(found)


def _bracketed(seg: str) -> list[re.Match[str]]:
    """The matches of `_BRACKETED.finditer(seg)`, found faster: every match starts at an
    opening bracket, and none holds another one, so trying the pattern at each bracket finds
    the same matches."""
    return [m for m in map(lambda i: _BRACKETED.match(seg, i), _positions(seg, "([{")) if m is not None]


def _glued(seg: str) -> list[re.Match[str]]:
    """The matches of `_GLUED.finditer(seg)`, found faster in ASCII text: a match's digits
    start a run of digits one or two characters after the start of the match (the
    punctuation, then perhaps a quote). Other text, where `\\d` takes any Unicode digit,
    gets the regex scan."""
    if not seg.isascii():
        return list(_GLUED.finditer(seg))
    out = []
    for j in _positions(seg, "0123456789"):
        if j == 0 or seg[j - 1].isdigit():
            continue  # not the first digit of a run
        for m in (_GLUED.match(seg, j - 1), _GLUED.match(seg, j - 2) if j >= 2 else None):
            if m is not None and m.start(2) == j:
                out.append(m)
                break
    return out


def candidates(text: str, start: int, end: int) -> list[Candidate]:
    """Every stretch of text[start:end] printed like a footnote marker (pure)."""
    seg = text[start:end]
    if seg.isascii() and not _DIGIT.search(seg):
        return []  # every form holds an ASCII digit; most paragraphs have none (a scan in C)
    out = []
    for m in _bracketed(seg):
        # `(59)` but not part of a longer bracketed phrase such as `(pp. 12)` — the regex already
        # requires digits only — and not a list item opening a sentence (`(1) the first`)
        out.append(Candidate(start + m.start(), start + m.end(), int(m.group(1)), True))
    # superscripts are not ASCII: an ASCII segment (a flag CPython keeps, no scan) has none,
    # and this regex, with no literal prefix to skip by, is the slowest of the three
    for m in () if seg.isascii() else _SUPERSCRIPT.finditer(seg):
        out.append(Candidate(start + m.start(), start + m.end(), int(m.group().translate(_SUP_TABLE)), True))
    for m in _glued(seg):
        out.append(Candidate(start + m.start(2), start + m.end(2), int(m.group(2)), False))
    out.sort(key=lambda c: c.start)
    return out


def _chain(cands: list[Candidate]) -> list[int]:
    """Indexes of the best rising sequence of note numbers.

    Longest chain by dynamic programming: each step must rise by 1..MAX_GAP (or restart at 1
    with a strong marker, for books that number notes per chapter). Strong markers count more
    than weak ones, and exact +1 steps are preferred over gaps.
    """
    n = len(cands)
    best = [0.0] * n
    prev = [-1] * n
    # the best chain ending at each printed number so far, and over all numbers (for a restart
    # at 1): looking up 12 numbers instead of scanning earlier candidates keeps this linear
    by_number: dict[int, tuple[float, int]] = {}
    overall: tuple[float, int] | None = None
    for i, c in enumerate(cands):
        own = 1.0 if c.strong else 0.6
        best[i] = own - (0.0 if c.strong else 0.5)  # a weak marker alone is not believed
        choice: tuple[float, int] | None = None  # (score, -j): the higher score, then the earlier j
        for d in range(1, MAX_GAP + 1):
            hit = by_number.get(c.printed - d)
            if hit is not None:
                option = (hit[0] + (own - 0.05 * (d - 1)), -hit[1])
                if choice is None or option > choice:
                    choice = option
        if choice is None and c.printed == 1 and c.strong and overall is not None:
            choice = (overall[0] + (own - 0.3), -overall[1])
        if choice is not None and choice[0] > best[i]:
            best[i], prev[i] = choice[0], -choice[1]
        held = by_number.get(c.printed)
        if held is None or best[i] > held[0]:
            by_number[c.printed] = (best[i], i)
        if overall is None or best[i] > overall[0]:
            overall = (best[i], i)
    if not n:
        return []
    i = max(range(n), key=lambda k: (best[k], -k))
    if best[i] <= 0:
        return []
    out = []
    while i >= 0:
        out.append(i)
        i = prev[i]
    return out[::-1]


def find_markers(source: Source) -> list[MarkerSpan]:
    """Footnote markers of the body text, in order, with misprints repaired.

    A strong marker that breaks the sequence where exactly one number is missing (82, (81), 84)
    is a misprint: it gets the number the sequence requires and keeps its printed form. A number
    missing from the sequence is not invented.
    """
    text = source.text
    cands: list[Candidate] = []
    for i, (s, e) in enumerate(source.paragraphs):
        if source.is_body(i):
            cands.extend(candidates(text, s, e))
    chain = _chain(cands)
    in_chain = set(chain)
    numbers = {i: cands[i].printed for i in chain}
    # repair: a strong candidate between chain neighbours p and q with q == p + 2
    for a, b in zip(chain, chain[1:]):
        if cands[b].printed - cands[a].printed == 2:
            between = [k for k in range(a + 1, b) if cands[k].strong and k not in in_chain]
            if len(between) == 1:
                numbers[between[0]] = cands[a].printed + 1
    out = []
    for k in sorted(numbers):
        c = cands[k]
        out.append(MarkerSpan(c.start, c.end, text[c.start:c.end], c.printed, numbers[k]))
    return out


def footnote_after(markers: list[MarkerSpan], offset: int, paragraph_end: int) -> MarkerSpan | None:
    """The first marker at or after `offset` and before the paragraph's end (markers sorted)."""
    lo, hi = 0, len(markers)
    while lo < hi:
        mid = (lo + hi) // 2
        if markers[mid].start < offset:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(markers) and markers[lo].start < paragraph_end:
        return markers[lo]
    return None
