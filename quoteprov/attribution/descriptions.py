"""What a description the rules found for a speaker ("said the beadle", "the girl answered")
tells the ranker about the named candidates: the gender of its noun, and the names the text
gives that role, by apposition (`Mr. Bumble, the beadle,`, `the surgeon, Mr. Losberne,`) or by
title (`Dr. Losberne` for "the doctor"). The guide resolves a description to the one it
stands for; the text often says whom only pages before.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left

from .. import cues
from ..discourse import head_noun
from ..entities import is_person_noun
from .candidates import HONORIFICS, NAME, Mention, Quote, TextIndex, memo, names_in_paragraph

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
    return head_noun(description)


def role_names(links: RoleLinks, head: str | None, before: int) -> tuple[str | None, tuple[str, ...]]:
    """The name last given the role before offset `before` (else the first after it), and every
    name the text gives it."""
    if head is None or head not in links:
        return None, ()
    offsets, names = links[head]
    k = bisect_left(offsets, before) - 1
    return names[k] if k >= 0 else names[0], names


# the paragraphs either side of a description's mention where the names met count as its company
COMPANY_PARAGRAPHS = 2
MAX_MENTIONS = 400  # mentions of one description read (evenly spread) in a very long text


def company(idx: TextIndex, head: str) -> dict[str, float]:
    """For a description the text uses over and over for someone it also names ("the girl",
    "the doctor", "the old gentleman"), each name (by its last word) with how much more often
    it is met within COMPANY_PARAGRAPHS of the paragraphs that use the description than of any
    paragraph (the log of the ratio of the counts, smoothed by one: a name met once near it is
    no evidence): the name an epithet stands for keeps it company, scene after scene; the hero
    is met near every epithet, and near every other paragraph too."""
    starts = [a for a, _ in idx.paragraphs]
    pars = sorted({bisect_left(starts, m.start() + 1) - 1 for m in re.finditer(
        rf"\b[Tt]he\s+(?:[a-z]+\s+){{0,2}}{re.escape(head)}\b", idx.text)})
    if len(pars) > MAX_MENTIONS:
        pars = pars[::len(pars) // MAX_MENTIONS + 1]
    met = memo(idx, ("company",), lambda: _where_met(idx, starts))
    out = {}
    for w, at in met.items():
        near = sum(1 for p in pars if _within(at, p))
        if near:
            out[w] = math.log((near + 1) / (len(pars) * _reach(at, len(starts)) / len(starts) + 1))
    return out


def _where_met(idx: TextIndex, starts: list[int]) -> dict[str, list[int]]:
    """The paragraphs each name (by its last word) is written in, quoted or not, in order."""
    words = {m.key.split()[-1] for ms in idx.names_by_par.values() for m in ms}
    at: dict[str, list[int]] = {}
    for m in re.finditer(r"\b[A-Z][\w'\u2019-]+", idx.text):
        if m.group() in words:
            p = bisect_left(starts, m.start() + 1) - 1
            ps = at.setdefault(m.group(), [])
            if not ps or ps[-1] != p:
                ps.append(p)
    return at


def _within(at: list[int], p: int) -> bool:
    k = bisect_left(at, p - COMPANY_PARAGRAPHS)
    return k < len(at) and at[k] <= p + COMPANY_PARAGRAPHS


def _reach(at: list[int], n: int) -> int:
    """The paragraphs within COMPANY_PARAGRAPHS of one where the name is written."""
    covered, end = 0, -1
    for p in at:
        lo, hi = max(p - COMPANY_PARAGRAPHS, end + 1), min(p + COMPANY_PARAGRAPHS, n - 1)
        covered += max(0, hi - lo + 1)
        end = max(end, hi)
    return covered


Described = tuple[int, str | None, tuple[str, ...], dict[str, float]]


def described(idx: TextIndex, q: Quote) -> Described:
    """What the rules' description of the speaker ("said the girl", "the beadle replied") says
    of him: its noun's gender, the name the text last gave that role and every name it gave it."""
    head = head_of(q.speaker)
    if head is None:
        return 0, None, (), {}
    if idx.roles is None:
        idx.roles = role_links(idx.text, idx.common)
    keeps = memo(idx, ("company", head), lambda: company(idx, head))
    return (cues.noun_gender(head), *role_names(idx.roles, head, q.start), keeps)


def description_features(f: dict[str, float], name: str, g: int, desc: Described) -> None:
    """A named candidate against the rules' description: the same gender (`the girl` is no
    he), and the one the text calls by that role (`the doctor` is Dr. Losberne)."""
    g_desc, last_named, named, keeps = desc
    f["desc_agree"] = float(g * g_desc)
    # an epithet's company: how much more often the name is met in its scenes ("the girl", Nancy)
    f["desc_company"] = keeps.get(_last_word(name) or "", -9.0)
    # by the last word: the text may title him otherwise where it names him ("Mr. Losberne")
    last = _last_word(name)
    f["desc_role"] = 1.0 if last == _last_word(last_named) else 0.5 if any(last == _last_word(n) for n in named) else 0.0


def _last_word(name: str | None) -> str | None:
    return re.sub(r"(?:'s|\u2019s)$", "", name.split()[-1]) if name and name.split() else None


COMPANY_CANDIDATES = 2  # the names an epithet keeps most company with that become candidates
COMPANY_REACH = 300  # paragraphs searched (back, then ahead) for such a name's mention nearest the quotation


def companions(idx: TextIndex, q: Quote, keeps: dict[str, float]) -> list[Mention]:
    """The names the rules' description of the speaker keeps most company with (`keeps`, from
    `described`: "the old gentleman" and Mr. Brownlow), each by its mention nearest before the
    quotation (else after it): candidates though the text names them nowhere near the words."""
    words = [w for w, s in sorted(keeps.items(), key=lambda kv: (-kv[1], kv[0])) if s > 0][:COMPANY_CANDIDATES]
    if not words:  # most quotations: no description, or one that keeps no company
        return []
    out = []
    order = [*range(q.paragraph, max(-1, q.paragraph - COMPANY_REACH), -1),
             *range(q.paragraph + 1, min(len(idx.paragraphs), q.paragraph + COMPANY_REACH))]
    for w in words:
        m = next((m for p in order for m in reversed(names_in_paragraph(idx, p)) if m.key.split()[-1] == w), None)
        if m is not None:
            out.append(Mention(m.start, m.end, m.key, "company"))
    return out
