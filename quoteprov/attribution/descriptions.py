"""What a description the rules found for a speaker ("said the beadle", "the girl answered")
tells the ranker about the named candidates: the gender of its noun, and the names the text
gives that role, by apposition (`Mr. Bumble, the beadle,`, `the surgeon, Mr. Losberne,`) or by
title (`Dr. Losberne` for "the doctor"). The guide resolves a description to the one it
stands for; the text often says whom only pages before.
"""
from __future__ import annotations

import re
from bisect import bisect_left

from .. import cues
from ..entities import is_person_noun
from .candidates import HONORIFICS, NAME, Quote, TextIndex

_DETERMINER = r"(?:the|a|an|his|her|their|our|my)"
_ADJECTIVES = r"(?:[a-z]+\s+){0,2}"
# "Mr. Bumble, the beadle," / "Rachael, a young woman"
_NAME_THEN_ROLE = re.compile(rf"({NAME.pattern}),\s+{_DETERMINER}\s+{_ADJECTIVES}([a-z]+)\b")
# "the surgeon, Mr. Losberne," / "the old Jew, Fagin"
_ROLE_THEN_NAME = re.compile(rf"\b[Tt]he\s+{_ADJECTIVES}([a-z]+),\s+({NAME.pattern})")
# a title names the role it is ("Major Callendar" is "the Major"); Dr. is "the doctor"
_TITLE_NOUN = {"Dr": "doctor", "Rev": "reverend"}
# not the forms of address ("Lady Lucas" is not "the lady" of every page), only ranks, offices, kin
_ADDRESS_ONLY = frozenset("Mr Mrs Ms Miss Mme Mlle Sir Lady Lord Madame Monsieur Mademoiselle Madam Dame Herr Frau "
                          "Signor Signora Don Citizen Comrade".split())
_ROLE_TITLES = tuple(h for h in HONORIFICS if h not in _ADDRESS_ONLY)
_TITLED = re.compile(r"\b(" + "|".join(_ROLE_TITLES) + r")(?:(?<=Dr)\.|(?<=Rev)\.)?[^\S\n]+"
                     r"([A-Z][\w'\u2019-]+(?:[^\S\n]+[A-Z][\w'\u2019-]+)?)")

RoleLinks = dict[str, tuple[tuple[int, ...], tuple[str, ...]]]


def role_links(text: str, common: frozenset[str]) -> RoleLinks:
    """Each role noun to the names the text gives it, in text order: (offsets, names). A "name"
    whose first word the text also writes in lower case is a word opening a sentence ("Yes, my
    dear"), not a name; `common` is those words."""
    found: dict[str, list[tuple[int, str]]] = {}

    def add(noun: str, at: int, name: str, bare: str) -> None:  # bare: the name less its title
        if is_person_noun(noun) and "\n" not in name and bare.split()[0].lower() not in common:
            found.setdefault(noun, []).append((at, name))

    for m in _NAME_THEN_ROLE.finditer(text):
        add(m.group(2), m.start(), m.group(1), m.group(1))
    for m in _ROLE_THEN_NAME.finditer(text):
        add(m.group(1), m.start(2), m.group(2), m.group(2))
    for m in _TITLED.finditer(text):
        add(_TITLE_NOUN.get(m.group(1), m.group(1).lower()), m.start(), m.group(0), m.group(2))
    return {k: (tuple(o for o, _ in sorted(v)), tuple(n for _, n in sorted(v))) for k, v in found.items()}


def head_of(description: str | None) -> str | None:
    """The head noun of a speaker the rules found as a description ("old woman"), or None for
    a name (capitalised) or nothing."""
    if not description or not description[:1].islower():
        return None
    return description.split()[-1]


def role_names(links: RoleLinks, head: str | None, before: int) -> tuple[str | None, tuple[str, ...]]:
    """The name last given the role before offset `before` (else the first after it), and every
    name the text gives it."""
    if head is None or head not in links:
        return None, ()
    offsets, names = links[head]
    k = bisect_left(offsets, before) - 1
    return names[k] if k >= 0 else names[0], names


Described = tuple[int, str | None, tuple[str, ...]]


def described(idx: TextIndex, q: Quote) -> Described:
    """What the rules' description of the speaker ("said the girl", "the beadle replied") says
    of him: its noun's gender, the name the text last gave that role and every name it gave it."""
    head = head_of(q.speaker)
    if head is None:
        return 0, None, ()
    if idx.roles is None:
        idx.roles = role_links(idx.text, idx.common)
    return (cues.noun_gender(head), *role_names(idx.roles, head, q.start))


def description_features(f: dict[str, float], name: str, g: int, desc: Described) -> None:
    """A named candidate against the rules' description: the same gender (`the girl` is no
    he), and the one the text calls by that role (`the doctor` is Dr. Losberne)."""
    g_desc, last_named, named = desc
    f["desc_agree"] = float(g * g_desc)
    # by the last word: the text may title him otherwise where it names him ("Mr. Losberne")
    last = _last_word(name)
    f["desc_role"] = 1.0 if last == _last_word(last_named) else 0.5 if any(last == _last_word(n) for n in named) else 0.0


def _last_word(name: str | None) -> str | None:
    return re.sub(r"(?:'s|\u2019s)$", "", name.split()[-1]) if name and name.split() else None
