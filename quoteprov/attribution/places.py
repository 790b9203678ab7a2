"""Places: the names a text writes where a place goes ("in Russia", "to Meryton", "from
Petrograd"). The candidates come from the text without a parse, so they knew no place from a
person; a place neither speaks nor is the "he" of a tag.
"""
from __future__ import annotations

import re
from collections import Counter

from ..entities import HONORIFICS

# a name the text mostly writes after a preposition of place ("in Russia", "to Meryton", "from
# Petrograd"): a place, never a he or a speaker (`place_names`)
_PLACE_BEFORE = re.compile(r"\b(?:in|at|from|to|into|towards?|near|across|through)[^\S\n]+$")
_CAPITALISED = re.compile(r"(?<![\w'\u2019-])[A-Z][a-z]+(?:[^\S\n]+[A-Z][a-z]+)*")
PLACE_SHARE = 0.5  # of its uses after such a preposition
PLACE_LEAST = 3    # uses, for the share to say anything


def place_names(text: str) -> frozenset[str]:
    """The names text writes after a preposition of place in at least PLACE_SHARE of its (at
    least PLACE_LEAST) uses: "Russia", "Highbury", "Box Hill". Without a parse the candidates
    knew no place from a person: model 19 gave 49 of the novels' quotations (held out) to such
    names, all wrong ("Upper Norwood" for Athelney Jones's words, "Meryton" for Wickham's), and
    a "he" could stand for "Russia". A person is written after "to" ("said to Emma") but not in
    half of his uses."""
    uses: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for m in _CAPITALISED.finditer(text):
        uses[m.group()] += 1
        if _PLACE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            after[m.group()] += 1
    return frozenset(k for k, n in uses.items() if n >= PLACE_LEAST and after[k] >= PLACE_SHARE * n
                     and k.split()[0] not in HONORIFICS)  # "at Madame Lecomte's" is her restaurant, she a person
