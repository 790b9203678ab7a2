"""Whether a reporting verb ("said", "asked", "replied") stands in a stretch of the text: the
question the ranker asks of every gap between a candidate and its quotation, answered from one
pass over the source instead of a search of each gap."""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from .. import cues

REPORTING_RE = re.compile(r"\b(?:" + "|".join(sorted(cues.REPORTING_VERBS, key=len, reverse=True)) + r")\b",
                        re.IGNORECASE)
_WORD_RUN = re.compile(r"\w+")
_VERB_MAX = max(map(len, cues.REPORTING_VERBS))


_VERBS = frozenset(v.lower() for v in cues.REPORTING_VERBS)
assert all(v.isascii() for v in _VERBS)  # so that a set lookup is the case-blind match, below


def _is_verb(word: str) -> bool:
    """`REPORTING_RE.fullmatch(word)`: a set lookup for ASCII words (the verbs are ASCII, where
    ignoring case is lower-casing); the regex itself for others, whose case folding has
    exceptions (the Kelvin sign matches k)."""
    return word.lower() in _VERBS if word.isascii() else REPORTING_RE.fullmatch(word) is not None


@lru_cache(maxsize=2)
def _verb_runs(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the whole words of `text` that are reporting verbs, found once per source."""
    runs = [(m.start(), m.end()) for m in _WORD_RUN.finditer(text)
            if m.end() - m.start() <= _VERB_MAX and _is_verb(m.group())]
    return [a for a, _ in runs], [b for _, b in runs]


def reporting_between(text: str, a: int, b: int) -> bool:
    """`bool(REPORTING_RE.search(text[a:b]))` without searching the stretch: every verb is whole
    words (`\\w` only), so a match is a maximal run of word characters of the stretch, which is
    a word of the text inside it or a word cut by one of its ends. The search over every gap
    between a candidate and its quotation was a tenth of a book's extraction."""
    if a >= b:
        return False
    starts, ends = _verb_runs(text)
    k = bisect_left(starts, a)
    if k < len(starts) and ends[k] <= b:
        return True

    def word(i: int) -> bool:
        return 0 <= i < len(text) and _WORD_RUN.match(text, i, i + 1) is not None

    edges = []
    if word(a - 1) and word(a):  # a word cut by the stretch's start: its piece inside
        first = _WORD_RUN.match(text, a, b)
        edges.append((a, first.end() if first else a))
    if word(b) and word(b - 1):  # a word cut by its end
        lo = b
        while lo > a and b - lo <= _VERB_MAX and word(lo - 1):
            lo -= 1
        edges.append((lo, b))
    return any(_is_verb(text[x:y]) for x, y in edges if 0 < y - x <= _VERB_MAX)
