"""What the reader of a source remembers while attributing: participants (`Who`), recent
mentions ranked by salience, who is talking (the running speaker), addressees and assemblies;
plus the cheap sentence splitting that decides what to parse and the author of a first-person
text. Pure data and small functions; `attribution.py` fills and reads them.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from . import cues
from .records import Span
from .source import Source


@dataclass(frozen=True)
class Who:
    """A resolved participant: canonical name, the mention that justifies it, how it was found."""

    name: str
    mention: Span
    basis: str  # explicit | resolved | inferred
    kind: str = "person"  # person | group | document | publication | place | thing | anonymous
    plural: bool = False

    def inferred(self) -> "Who":
        return Who(self.name, self.mention, "inferred", self.kind)


@dataclass
class Found:
    kind: str = "term"
    kind_method: str = "short-no-cue"
    speaker: Who | None = None
    method: str | None = None
    cue: Span | None = None
    recipient: Who | None = None
    recipient_method: str | None = None


# what follows a description's noun and says which one: a relative clause, a phrase of a
# preposition; not "of", whose noun is the person ("voice of the girl", "elder of the two gentlemen")
_AFTER_HEAD = re.compile(r" (?:who|whom|whose|that|which|from|with|in|at|on|to|for|by) ")


def head_noun(description: str) -> str:
    """The noun a description is built on: its last word before a relative clause or a phrase
    that says which one ("lady who had been a nurse", "gentleman in the white waistcoat",
    "delegates from the front", "voice of the girl whom he had followed": lady, gentleman,
    delegates, girl)."""
    words = _AFTER_HEAD.split(description, maxsplit=1)[0].split()
    return words[-1] if words else description.split()[-1]


PLURAL_SENTENCES = 4  # how far back a "they" looks for what it stands for
_SINGULAR_PRONOUNS = cues.PERSON_PRONOUNS | cues.THING_PRONOUNS  # no antecedent of a they


@dataclass
class Discourse:
    """What a reader remembers: recent mentions by salience, and who is talking."""

    mentions: list[tuple[int, int, Who]] = field(default_factory=list)  # (sentence, rank, who)
    sentence_no: int = 0
    running: Found | None = None
    running_sentence: int = -99
    # the running speaker set by words that introduce what follows ("Emma exclaimed,"), which
    # alone carries over into a quotation opening the next paragraph
    introduction: Found | None = None
    # the last one who spoke, the sentence and paragraph he spoke in, kept across paragraphs
    # (unlike the running speaker): whom an answer in the next paragraph answers
    last_turn: tuple[Found | None, int, int] = (None, -99, -99)
    paragraph: int = -1
    addressees: dict[str, tuple[int, Who]] = field(default_factory=dict)  # speaker -> (paragraph, recipient)
    assemblies: list[tuple[int, Who, int]] = field(default_factory=list)  # (paragraph, body met "at", sentence)
    dialogue_cue: Span | None = None
    # the latest fuller description of a person by its head noun ("officer" -> (offset, "second
    # officer in command")), so that a later "the officer" is the same person, named alike
    descriptions: dict[str, tuple[int, str]] = field(default_factory=dict)

    def remember(self, who: Who, rank: int) -> None:
        if sum(c.isalpha() for c in who.name) < 2 and who.kind != "anonymous":
            return  # a mention that named nobody (punctuation, spaces, the "s" of a lost apostrophe) is no antecedent
        self.mentions.append((self.sentence_no, rank, who))
        del self.mentions[:-80]

    def resolve(self, want: str, before: int, gender: int = 0,
                gender_of: Callable[[str], int] | None = None, exclude: str | None = None) -> Who | None:
        """The most salient earlier mention of the wanted sort. Subjects (rank 0) of the latest
        sentences first; possessors of subjects next; other mentions count as if one sentence older, so
        that "In Tomsk he declared" does not make Tomsk the `he` of the next sentence. A he (gender
        +1) or she (-1) never stands for a name the text gives the other gender (`gender_of`), nor
        for one this reader has only met as the other ("a doctor ... he gasped ... she asked"); no
        he, she or they stands for the narrator's "I"; a they takes a plural mention when one is
        as recent as the singular it would otherwise take, and never stands for one person, an it, or
        a mention more than PLURAL_SENTENCES sentences back."""
        met = self._pronoun_genders(before) if gender else {}
        best = None
        for sent, rank, who in self.mentions:
            if who.mention.start >= before or who.kind == "place" or who.name == exclude:
                continue
            if who.mention.text.lower() in cues.FIRST_PERSON:
                continue  # "when I asked her ..., she replied": the she is never the I
            if gender and (gender_of is not None and gender_of(who.name) == -gender or met.get(who.name) == -gender
                           or who.name[:1].islower() and cues.noun_gender(head_noun(who.name)) == -gender):
                continue  # a he is never "the sister"
            if gender and cues.pronoun_gender(who.mention.text) == -gender:
                continue  # remembered from a "he": whoever it stood for, no "she" stands for him
            if want == "person" and who.kind not in ("person", "anonymous"):
                continue
            if want == "thing" and (who.kind in ("person", "anonymous", "thing") or who.plural):
                continue
            if want == "plural" and (who.kind not in ("group", "person") or who.kind == "person" and not who.plural
                                     or who.mention.text.lower() in _SINGULAR_PRONOUNS):
                continue  # a they is never one person ("pictures of Kerensky. ... they were shouting"), nor an it
            if want == "plural" and self.sentence_no - sent > PLURAL_SENTENCES:
                continue  # a they the last sentences do not name (their subjects carry it) names no one
            key = (sent - (1 if rank >= 2 else 0), want == "plural" and (who.plural or who.kind == "group"),
                   -rank, who.mention.start)
            if best is None or key > best[0]:
                best = (key, who)
        return best[1] if best else None

    def _pronoun_genders(self, before: int) -> dict[str, int]:
        """Each remembered description ("doctor") a he or a she stood for since the text last
        described it anew ("a soldier" may be another soldier), when every such pronoun agreed.
        Names are left to `gender_of`, which counts the whole text's pronouns."""
        seen: dict[str, int] = {}
        for _, _, who in self.mentions:
            if who.mention.start >= before or not who.name[:1].islower():
                continue
            g = cues.pronoun_gender(who.mention.text)
            if not g:
                seen.pop(who.name, None)
            else:
                seen[who.name] = g if seen.get(who.name, g) == g else 2  # 2: both, so neither
        return seen


STOP_WORDS = frozenset("""the a an in on at by for from to of and but or if when while after before since
as this that these those it he she they we i there here then thus so yet what which who how why where
during under with without into upon among between although though because once later soon""".split())
# a name as a sentence's subject: at its start or after an opening phrase ("At the congress in
# March, Bukharin rose"), followed by a word that is not a function word; never a possessive
# ("in that berth, Miss Beatty's head one way": the subject is the head)
SUBJECT_NAME = re.compile(r"(?:^\s*|,\s+)((?:[A-Z][a-z'\u2019-]+\s+){0,2}[A-Z][a-z'\u2019-]+)(?<!['\u2019]s)\s+(?!(?:of|in|at|on|and|or|to|for|from|with|by|the|a|an)\b)[a-z]+\b")
_SENTENCE_END = re.compile(r"[.!?](?:[\"'\u201d\u2019)\]]|\(\d{1,3}\)|\d{1,3})*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")

# a short capitalised abbreviation (Mr, Mrs, Dr, St, Gen, Mme, Mlle, Capt) or an initial before a
# period: a stretch cut there lost the name the cue's subject is ("Mrs." without "Ford"). Short
# names ("Tom. He left.") are not split either: a longer stretch costs little, a cut name a speaker
_CLOSERS = frozenset("\"'\u201d\u2019")
_TITLE_BEFORE = re.compile(r"(?:^|(?<=[\s(\[\x22\x27\u201c\u2018]))[A-Z][a-z]{0,3}$")


def rough_sentences(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Sentence-like stretches of text[lo:hi] by punctuation alone (the parser re-splits what
    it is given; this only chooses what to give it)."""
    out, start = [], lo
    for m in _SENTENCE_END.finditer(text, lo, hi):
        if text[m.start()] == "." and m.group().rstrip()[-1] not in _CLOSERS \
                and _TITLE_BEFORE.search(text, max(lo, m.start() - 6), m.start()):
            continue  # "said the obliging Mrs. Ford": a title's period ends no sentence
        if m.group().rstrip()[-1] in _CLOSERS and cues.tag_follows(text, m.end(), min(hi, m.end() + 60)):
            continue  # '"Is it late?" Bill asked.': the cue after the quotation is its sentence's
        out.append((start, m.end()))
        start = m.end()
    if start < hi or not out:
        out.append((start, hi))
    return out


_TITLE_PAGE_NAME = re.compile(r"(?:[A-Z][a-z]+\.?\s+){1,3}[A-Z][a-z]+")


def author_of(source: Source) -> str | None:
    """The author of a first-person text: from the manifest, or a name on the title page, the
    first lines (`by Jane Austen`, `by` and the name on the next line, or a name alone under the
    title; never the title itself, a translator or a dedication `To ...`)."""
    a = source.metadata.get("author") if source.metadata else None
    if a:
        return a
    lines = [line for line in (source.text[lo:hi].strip() for lo, hi in source.paragraphs[:6]) if line]
    after_by = False
    for k, line in enumerate(lines):
        by = re.match(r"by\s+", line, re.IGNORECASE)
        name = line[by.end():] if by else line
        if _TITLE_PAGE_NAME.fullmatch(name) and (by or after_by or k > 0 and not line.lower().startswith("to ")):
            return name
        after_by = line.lower() == "by"
    return None
