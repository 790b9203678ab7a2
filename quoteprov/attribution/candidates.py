"""Candidates: everyone who could have spoken a quotation, or heard it.

For each quoted span the reader has in view: the people and bodies named near it (its own
paragraph, the one before and the one after, never inside quotation marks), a `he`/`she` next
to it standing for the person last named, the narrator of a first-person text, the speakers of
the quotations just before it (turn-taking), and whatever the rules proposed. A candidate is a
name (its key); its mentions keep their offsets, so whichever candidate wins points at the
words that justify it.

Pure functions over the text and the rules' reading of it; no parse (the rules parsed already).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from .. import cues
from ..entities import (
    _LEADING_STOP,
    HONORIFICS,
    bare_titles,
    common_words,
    drop_opening_word,
    gender_votes,
    is_event,
    kind_of,
    names_people,
    object_of,
    person_noun,
    proper_words,
    title_gender,
    voted_gender,
)
from .fuller import given_names, titled_names, written_in_full
from .vocatives import is_vocative

_HON = r"(?:" + "|".join(HONORIFICS) + r")\.?"
# a hyphen only inside a word ("Saint-Just"): "said Mr. Elton--" names Mr. Elton
_WORD = r"[A-Z](?:[^\W_]|['\u2019]|-(?=[^\W_]))*"
# not inside a word, but right after the underscore that marks italics ("_New York Tribune._")
NAME = re.compile(rf"(?<![^\W_])(?:{_HON}\s+)?{_WORD}(?:\s+(?:[A-Z]\.\s*)*{_WORD})*")
PRONOUN = re.compile(r"\b(?:he|she|He|She|him|her)\b")
CARRY_PARAGRAPHS = 3  # a he/she with no name before it in its paragraph stands for a person named this many paragraphs back
FIRST_PERSON = re.compile(r"\b(?:I|me)\b")
FIRST_PLURAL = re.compile(r"\b(?:[Ww]e|us)\b")
# someone described, not named ("the nephew", "a clever woman writer", "the tax-collector"): an
# article and up to three lower-case words, the last a noun for people (`description_mentions`)
# (read in a lookahead, so that "the women and the men" yields both)
_DESCRIBED = re.compile(r"\b(?:[Tt]he|[Aa]n?)[^\S\n]+(?=((?:[a-z][a-z\u2019'-]*[^\S\n]+){0,2}[a-z][a-z-]*[a-z])\b(?![\u2019']s\b))")
# nouns for people that describe no one in particular ("the one thing", "the people")
_VAGUE = frozenset("one ones someone somebody anyone person people persons".split())
REPORTING_HINT_WIDTH = 40
VOCATIVE_REACH = 2000  # characters of a quotation read for the names spoken in it (bounded work)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    key: str          # the name it stands for
    how: str          # name | pronoun | narrator


@dataclass(frozen=True)
class Quote:
    """One quoted span as the ranker sees it, with the rules' reading of it."""

    start: int
    end: int
    paragraph: int
    nested: bool
    kind: str
    speaker: str | None = None
    speaker_method: str | None = None
    speaker_basis: str | None = None
    speaker_span: tuple[int, int] | None = None
    recipient: str | None = None
    recipient_method: str | None = None
    recipient_basis: str | None = None
    recipient_span: tuple[int, int] | None = None


@dataclass
class TextIndex:
    """What is computed once per source: paragraph bounds, quotation bounds, name mentions."""

    text: str
    paragraphs: tuple[tuple[int, int], ...]
    quotes: list[Quote]
    author: str | None
    cited: dict[int, str] = field(default_factory=dict)  # paragraph -> the signer whose "I" it is there
    we: str | None = None  # whom the narrator's "we" stands for (the source's metadata `we`)
    mentions_by_par: dict[int, list[Mention]] = field(default_factory=dict)
    proper: frozenset[str] = frozenset()
    common: frozenset[str] = frozenset()  # the words the text writes in lower case
    stats: dict[str, float] | None = None  # text-level features, computed once (features.text_context)
    outer_by_par: dict[int, list[Quote]] = field(default_factory=dict)  # outermost quotes of each paragraph
    starts: list[int] = field(default_factory=list)  # starts of all quotes, in order
    inside_by_par: dict[int, int] = field(default_factory=dict)  # quoted characters of a paragraph
    gender: dict[str, int] = field(default_factory=dict)  # name -> +1 (he), -1 (she); absent: unknown
    counts: Counter = field(default_factory=Counter)  # last word of a name -> its mentions in the text
    names_by_par: dict[int, list[Mention]] = field(default_factory=dict)  # names outside quotations, read on demand
    spoken: dict[int, list[Mention]] = field(default_factory=dict)  # names inside a quotation, by its start
    body: frozenset[int] | None = None  # the paragraphs of prose (None: all); notes and headings name no one present
    # role nouns to the names the text gives them (descriptions.role_links), read on demand
    roles: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] | None = None
    given: dict[str, str] = field(default_factory=dict)  # a given name alone to its full name (given_names)
    # what the features of one quotation read that does not depend on the speakers chosen before
    # it (`memo`): the beam extends each quotation from several sequences
    memos: dict[tuple, Any] = field(default_factory=dict)


T = TypeVar("T")


def same_name(a: str | None, b: str | None) -> bool:
    """The same entity: equal, or one is the other's last words (`Knightley`, `Mr. Knightley`),
    but never two different titles of one family name (`Mr. Weston`, `Mrs. Weston`)."""
    if a is None or b is None:
        return False
    x, y = a.lower().split(), b.lower().split()
    if x == y:
        return True
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    if not short or long_[-len(short):] != short or object_of(" ".join(long_), " ".join(short)):
        return False
    return short[0] not in _HONORIFICS_LOWER


# the titles as `same_name` reads them, built once (it is asked over a million times a novel)
_HONORIFICS_LOWER = frozenset(h.lower() + dot for h in HONORIFICS for dot in ("", "."))


def memo(idx: TextIndex, key: tuple, make: Callable[[], T]) -> T:
    """make(), computed once per text and key."""
    if key not in idx.memos:
        idx.memos[key] = make()
    return idx.memos[key]


@lru_cache(maxsize=8)
def _only(chars: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(chars) + "]*")


def opens_paragraph(idx: "TextIndex", q: "Quote") -> bool:
    """The quotation opens its paragraph (a turn of a conversation, not words quoted in narration):
    where "the last speaker is spoken to" holds."""
    return blank(idx.text, idx.paragraphs[q.paragraph][0], q.start, " \"'\u201c\u2018_")


def after_pause(idx: "TextIndex", i: int) -> bool:
    """The first quotation of quotation i's paragraph opens no paragraph, and a paragraph without
    quotations stands between it and the last words quoted: words told in narration after the
    talk paused ("The hall was silent for a long time. || Then Rykov spoke: '...,' he said,
    '...'"), which "the last speaker is spoken to" seldom fits."""
    k = i
    while k > 0 and idx.quotes[k - 1].paragraph == idx.quotes[i].paragraph:
        k -= 1
    return not opens_paragraph(idx, idx.quotes[k]) and (k == 0 or idx.quotes[k - 1].paragraph < idx.quotes[k].paragraph - 1)


def blank(text: str, a: int, b: int, chars: str) -> bool:
    """Whether text[a:b] holds nothing but `chars` (`text[a:b].strip(chars) == ""`), reading it
    only up to its first other character: a quotation deep in a paragraph of megabytes must not
    cost a copy of everything before it."""
    b = min(b, len(text))
    m = _only(chars).match(text, a, b)  # a starred class always matches
    return b <= a or (m is not None and m.end() == b)


def _clean(name: str) -> str:
    name = re.sub(r"(?:'s|\u2019s|'|\u2019)$", "", name.strip())
    return re.sub(r"\s+", " ", name)


def _outside(pos: int, quotes: list[tuple[int, int]], starts: list[int] | None = None) -> bool:
    k = bisect_right(starts if starts is not None else [a for a, _ in quotes], pos) - 1
    return not (k >= 0 and pos < quotes[k][1] + 1 and pos >= quotes[k][0] - 1)


def index_text(text: str, paragraphs: tuple[tuple[int, int], ...], quotes: list[Quote],
               author: str | None, body: set[int] | None = None, cited: dict[int, str] | None = None,
               we: str | None = None) -> TextIndex:
    idx = TextIndex(text, paragraphs, quotes, author, cited or {}, we, proper=proper_words(text), common=common_words(text),
                    body=frozenset(body) if body is not None else None)
    idx.starts = sorted(q.start for q in quotes)
    for q in quotes:
        if not q.nested:
            idx.outer_by_par.setdefault(q.paragraph, []).append(q)
    by_par: dict[int, list[tuple[int, int]]] = {}
    for q in quotes:
        if not q.nested:
            by_par.setdefault(q.paragraph, []).append((q.start, q.end))
    wanted = {p + d for q in quotes for p in (q.paragraph,) for d in range(-CARRY_PARAGRAPHS, 2)}
    pars = [p for p in sorted(wanted) if 0 <= p < len(paragraphs) and (body is None or p in body)]
    quoted = {p: sorted(by_par.get(p, [])) for p in pars}
    names = {p: name_mentions(idx, p, quoted[p]) for p in pars}
    idx.names_by_par.update(names)  # what `names_in_paragraph` would read again for the cast
    idx.gender = name_genders(text, [m for p in pars for m in names[p]])
    idx.counts = Counter(m.key.split()[-1] for p in pars for m in names[p])
    keys = Counter(m.key for p in pars for m in names[p])
    ruled = Counter(n for q in quotes for n in (q.speaker, q.recipient) if n)  # the rules' names, by use
    idx.given = given_names(keys + written_in_full(ruled, author), idx.gender)
    idx.given.update(titled_names(keys + ruled, bare_titles(text)))
    for first, full in idx.given.items():  # one person: his gender and his mentions under either name
        if full not in idx.gender and first in idx.gender:
            idx.gender[full] = idx.gender[first]
        idx.counts[full.split()[-1]] += idx.counts[first]
    # the last person of each gender named, carried from paragraph to paragraph: in a
    # conversation "she said" usually stands for a woman named a few paragraphs before
    last: dict[tuple[str, int], tuple[int, str]] = {}  # (name | description, gender) -> (paragraph, key)
    for p in pars:
        idx.mentions_by_par[p] = paragraph_mentions(idx, p, quoted[p], names[p], last)
    return idx


def name_genders(text: str, names: list[Mention]) -> dict[str, int]:
    """+1 for a name the text refers to as "he", -1 for "she": from its title, else from the
    first he/she after its mentions in the same sentence, by a clear majority (`gender_votes`)."""
    votes = gender_votes(text, [(m.key, m.end) for m in names])
    out: dict[str, int] = {}
    for m in names:
        g = title_gender(m.key) or voted_gender(votes, m.key)
        if g:
            out[m.key] = g
    return out


def gender_of(idx: TextIndex, name: str | None) -> int:
    if not name:
        return 0
    g = idx.gender.get(name)
    return title_gender(name) if g is None else g


def name_mentions(idx: TextIndex, p: int, quoted: list[tuple[int, int]]) -> list[Mention]:
    """Names in paragraph p, outside quotation marks."""
    lo, hi = idx.paragraphs[p]
    qs = [a for a, _ in quoted]  # once per paragraph: a line of thousands of quotations stays linear
    out: list[Mention] = []
    for m in NAME.finditer(idx.text, lo, hi):
        if not _outside(m.start(), quoted, qs):
            continue
        found = _name_of(idx, m, "name")
        if found is not None and not is_event(found.key):  # "smashed by the October Revolution"
            out.append(found)
    return out


def quoted_names(idx: TextIndex, q: Quote) -> list[Mention]:
    """Names spoken to inside quotation q ("Oh! Mr. Bennet, you are wanted"), who often answer
    next (`vocative` mentions); a name only spoken of is none."""
    if q.start not in idx.spoken:  # each quotation is asked for itself and as the one before the next
        found = (_name_of(idx, m, "vocative") for m in NAME.finditer(idx.text, q.start, min(q.end, q.start + VOCATIVE_REACH)))
        idx.spoken[q.start] = [m for m in found if m is not None and is_vocative(idx.text, m.start, m.end, q.start, q.end)]
    return idx.spoken[q.start]


def _name_of(idx: TextIndex, m: "re.Match[str]", how: str) -> Mention | None:
    """The name a capitalised run stands for, or None when it is no name."""
    text = idx.text
    raw = m.group().split()
    words = raw
    while words and words[0].lower().rstrip(".") in _LEADING_STOP:
        words = words[1:]
    if words is raw and words[0].rstrip(".") not in HONORIFICS:
        # "Instantly Kerensky's": an adverb capitalised because it opens the sentence
        words = drop_opening_word(words, text, m.start(), idx.proper, idx.common)
    if not words:
        return None
    name = _clean(" ".join(words))
    bare = name.split()[-1]
    honorific = name.split()[0].rstrip(".") in HONORIFICS and len(name.split()) > 1
    if not honorific and not any(w in idx.proper for w in name.split()):
        return None  # a capitalised word that only opens sentences: not a name
    if bare.lower() in _LEADING_STOP or bare == "I":
        return None
    start = m.end() - len(" ".join(words))
    return Mention(start, start + len(name), name, how)


def paragraph_mentions(idx: TextIndex, p: int, quoted: list[tuple[int, int]], names: list[Mention],
                       last: dict[tuple[str, int], tuple[int, str]]) -> list[Mention]:
    """Names, descriptions, resolved he/she and the narrator's I in paragraph p, outside
    quotation marks. A he/she stands for the last person of its gender (or of unknown gender)
    named before it, in this paragraph or up to CARRY_PARAGRAPHS before, and for the last one
    described since; `last` carries both across calls, by (name | description, gender)."""
    lo, hi = idx.paragraphs[p]
    text = idx.text
    qs = [a for a, _ in quoted]
    out = list(names)
    persons = sorted((x for x in names if kind_of(x.key) == "person"), key=lambda x: x.start)
    pronouns = [m for m in PRONOUN.finditer(text, lo, hi) if _outside(m.start(), quoted, qs)]
    described = description_mentions(idx, p, quoted)
    out += described
    # names, descriptions and pronouns in text order (a name before a pronoun at the same offset)
    events = sorted([(x.start, 0, k) for k, x in enumerate(persons)] + [(m.start(), 1, k) for k, m in enumerate(pronouns)]
                    + [(x.start, 2, k) for k, x in enumerate(described) if person_noun(x.key.split()[-1]) == "person"])
    for _, what, k in events:
        if what != 1:
            # a name, or a description: a he/she after "the commander" may stand for him; the
            # last name keeps its pronoun too, and the ranker weighs the two
            x = persons[k] if what == 0 else described[k]
            g = gender_of(idx, x.key) if what == 0 else cues.noun_gender(x.key.split()[-1])
            for want in ((g,) if g else (1, -1)):
                last[("name" if what == 0 else "description", want)] = (p, x.key)
                if what == 0:  # a description met before the name is no longer the latest
                    last.pop(("description", want), None)
            continue
        pron = pronouns[k]
        want = 1 if pron.group().lower() in ("he", "him") else -1
        for sort in ("name", "description"):
            hit = last.get((sort, want))
            if hit is not None and p - hit[0] <= CARRY_PARAGRAPHS:
                out.append(Mention(pron.start(), pron.end(), hit[1], "pronoun"))
    narrator = idx.cited.get(p, idx.author)
    for who, pronoun in ((narrator, FIRST_PERSON), (idx.we if p not in idx.cited else None, FIRST_PLURAL)):
        if who:
            out.extend(Mention(m.start(), m.end(), who, "narrator") for m in pronoun.finditer(text, lo, hi)
                       if _outside(m.start(), quoted, qs))
    out.sort(key=lambda x: x.start)
    return out


def description_mentions(idx: TextIndex, p: int, quoted: list[tuple[int, int]]) -> list[Mention]:
    """The people of paragraph p described, not named, outside quotation marks: "the nephew",
    "a clever woman writer", "the street car conductor" (key: the words after the article up to
    the nouns for people). In the genre a speaker is often only described, and PDNC names
    some characters so ("The Beadle"): without these the ranker had no such candidate."""
    lo, hi = idx.paragraphs[p]
    qs = [a for a, _ in quoted]
    out = []
    for m in _DESCRIBED.finditer(idx.text, lo, hi):
        if not _outside(m.start(), quoted, qs):
            continue
        words = m.group(1).split()
        k = next((j for j, w in enumerate(words) if w not in _VAGUE and names_people(w)), None)
        if k is None or any(w in _LEADING_STOP or w in cues.PERSON_PRONOUNS for w in words[:k]):
            continue
        while k + 1 < len(words) and words[k + 1] not in _VAGUE and names_people(words[k + 1]):
            k += 1  # "a clever woman writer": the writer
        key = " ".join(words[: k + 1])
        out.append(Mention(m.start(1), m.start(1) + len(key), key, "description"))
    return out


WINDOW_PARAGRAPHS = 2  # paragraphs before the quotation's whose names are candidates
WINDOW = 3000  # characters either side of a quotation in which names are candidates (bounded work per quotation)


def window_mentions(idx: TextIndex, q: Quote) -> list[Mention]:
    """The mentions of the quotation's paragraph and its neighbours, within WINDOW characters:
    a paragraph of thousands of quotations must not make every name a candidate of each."""
    out = []
    for d in range(-WINDOW_PARAGRAPHS, 2):
        ms = idx.mentions_by_par.get(q.paragraph + d, [])
        starts = [m.start for m in ms] if len(ms) > 64 else None
        if starts is None:
            out += [m for m in ms if q.start - WINDOW <= m.start <= q.end + WINDOW]
        else:
            out += ms[bisect_left(starts, q.start - WINDOW):bisect_right(starts, q.end + WINDOW)]
    return out


def names_in_paragraph(idx: TextIndex, p: int) -> list[Mention]:
    """The names of paragraph p outside quotation marks (read once, when first asked)."""
    if p not in idx.names_by_par:
        if idx.body is not None and p not in idx.body:
            idx.names_by_par[p] = []
            return []
        lo, hi = idx.paragraphs[p]
        quoted = [(q.start, q.end) for q in idx.outer_by_par.get(p, [])]
        idx.names_by_par[p] = name_mentions(idx, p, quoted) if hi > lo else []
    return idx.names_by_par[p]
