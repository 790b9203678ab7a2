"""Entities: canonical names from the text (and the source's registry), and the entity table.

A canonical name is the fullest form of a name that the text gives: a surname mention
(`Fischer`) becomes the only fuller name in the text that ends with it (`Ruth Fischer`), and a
description (`the manifesto`, `the group`) becomes the most recent capitalised name built on
the same head noun (`Workers' Group manifesto`, `Workers' Group`). A per-source registry (data)
may add canonical names and aliases; it wins over what the text suggests.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from . import cues

# a letter or digit, not the underscore that marks italics in plain-text editions ("_New York Times_")
_ALNUM = r"[^\W_]"
# (a hyphen only between letters: "Saint-Just", not the dash of "Miss Abbotts--the Miss Abbott")
_CAP = rf"(?:[A-Z](?:{_ALNUM}|[\u2019']|-(?={_ALNUM}))*(?:{_ALNUM}|[\u2019'])|[A-Z]\.|[A-Z])"
# capitalised sequences (names and named things): "Ruth Fischer", "G. T. Miasnikov",
# "Workers' Group", "Twelfth Party Congress"; "of the" inside allowed ("Industrial Workers of the World").
# A name never runs over a line break: a line is a paragraph (or a heading), so "CHAPTER VII" on one
# line and "Women of all ranks" on the next are no "CHAPTER VII ... Women"
_SPACE = r"[^\S\n]+"
_NAME_SEQ = re.compile(rf"{_CAP}(?:{_SPACE}(?:(?:of|of the|de|von|van|la|le){_SPACE})?{_CAP})*")
_PREPOSITIONS = frozenset("in at from to of by for on near into across through toward towards via with".split())
# titles of more than one person (English and the French of English prose)
PLURAL_TITLES = frozenset(("Misses", "Messrs", "Mmes", "Mlles", "Mesdames", "Messieurs", "Mesdemoiselles"))
_LEADING_STOP = frozenset("""a an the as in on at by for from to of and but or nor if when while after before
since until though although because yet so then thus this that these those his her its their our my your
during under over with without into upon via per among between what which who whom whose where how why
according like unlike despite it he she they we i you there here both all some many most such
each every another any either neither whereas whilst unless lest wherever whenever however meanwhile
nevertheless moreover furthermore besides hence therefore otherwise perhaps indeed""".split())
# capitalised words in mid-sentence (after a lower-case word or a comma): capitalised not because
# they open a sentence, so names of this text
_MID_CAP = re.compile(r"(?<=[a-z,;] )([A-Z][\w'\u2019\-]+)")
_LOWER_WORD = re.compile(r"(?<![\w'\u2019\-])[a-z][a-z'\u2019\-]*")
# what may stand between a sentence's end and its next word: spaces, quotation marks, brackets, italics
_BETWEEN_SENTENCES = " \t\"'\u201c\u201d\u2018\u2019\u00ab\u00bb()[]_"

KIND_WORDS = {
    "group": """group party committee bureau opposition union league society council congress conference
    soviet international army government ministry commission federation movement organization organisation
    association faction section workers communists socialists people class delegation""",
    "document": """manifesto appeal platform letter resolution program programme declaration memorandum
    theses thesis report decree statement address speech article pamphlet book memoir memoirs manuscript
    note telegram message cable circular proclamation petition leaflet editorial""",
    "publication": "journal newspaper review gazette magazine bulletin times herald",
}
# general head words only: the kind of a particular body or periodical ("Pravda", "the
# Mensheviks") is data, in the source's registry (`NameIndex.registered_kind`), else the NER label
_KIND_OF_WORD = {w: k for k, ws in KIND_WORDS.items() for w in ws.split()}
# a plural of adherents or of a people names a group, whatever the movement or country
# ("Communists", "Trotskyites", "Parisians", "Narodniks"): English morphology, not a list of names
_GROUP_PLURAL = re.compile(r"(?:ists|ites|ians|iks)$")


# head words of events: "the October Revolution", "the Civil War", "the Kronstadt Mutiny" happened;
# they never speak nor are spoken to (general English)
EVENT_WORDS = frozenset("""revolution revolutions war wars battle uprising insurrection rebellion revolt mutiny
massacre coup famine armistice treaty siege offensive""".split())


def is_event(name: str) -> bool:
    """Whether a capitalised name of more than one word names an event by its head word."""
    words = re.findall(r"[\w']+", name.lower())
    return len(words) > 1 and words[-1] in EVENT_WORDS


def kind_of(name: str, ner_label: str | None = None) -> str:
    """person | group | document | publication, from the name's head word and the NER label."""
    words = re.findall(r"[\w']+", name.lower())
    if words:
        k = _KIND_OF_WORD.get(words[-1].rstrip("'"))
        if k:
            return k
        if _GROUP_PLURAL.search(words[-1].rstrip("'")):
            return "group"
    if ner_label in ("ORG", "NORP"):
        return "group"
    if ner_label == "WORK_OF_ART":
        return "publication"
    return "person"


# with "one", one word written in two: someone, anyone, everyone, no one ("some one else")
ONE_WORD_DETS = frozenset({"some", "any", "every", "no"})


def strip_leading_stop(words: list[str]) -> list[str]:
    while words and words[0].lower().rstrip(".") in _LEADING_STOP and not (
            words[0].lower() in ONE_WORD_DETS and len(words) > 1 and words[1].lower() == "one"):
        words = words[1:]
    return words


@lru_cache(maxsize=1)
def _person_nouns() -> tuple[dict[str, str], frozenset[str]]:
    """(noun -> person | group, irregular plurals) from `person_nouns.txt` (WordNet 3.0's nouns
    whose first sense is a person or a group of people; training/make_person_nouns.py)."""
    from pathlib import Path

    nouns: dict[str, str] = {}
    plurals: set[str] = set()
    for line in (Path(__file__).with_name("person_nouns.txt")).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, what = line.split("\t")
            if what.startswith("="):
                plurals.add(word)
            else:
                nouns[word] = what
    return nouns, frozenset(plurals)


def person_noun(word: str) -> str | None:
    """"person" or "group" when the lower-case `word` (or its singular, or its last hyphenated
    part) is an English noun for people ("commissionaire", "leather-worker", "delegates"), else
    None; the plural of a person noun is a group."""
    nouns, plurals = _person_nouns()
    for w in (word, word.rsplit("-", 1)[-1]):
        if w in nouns:
            return nouns[w]
        if w in plurals:
            return "group"
        if any(x in nouns for x in singulars(w)):
            return "group"
    return None


_SINGULAR = (("men", "man"), ("ies", "y"), ("es", ""), ("s", ""))  # plural ending -> singular ending


def singulars(word: str) -> list[str]:
    """The singulars a plural-looking `word` may have ("workmen": workman; "nurses": nurs, nurse)."""
    return [word[: -len(cut)] + add for cut, add in _SINGULAR if word.endswith(cut) and len(word) > len(cut) + 1]


def is_person_noun(word: str) -> bool:
    """Whether a lower-case common noun can denote someone who speaks: the rules' short list
    (`cues.PERSON_NOUNS`: "one", "someone", "people") or WordNet's nouns for a person ("officer",
    "commissionaire", "nephew", "conductor"; not its groups: "the police", "the proletariat"
    are no one's `he`). The short list alone left most
    descriptions of the genre ("replied the officer", "the commander ... said") without a
    speaker, and a pronoun after them resolved past them to the last name."""
    return word in cues.PERSON_NOUNS or person_noun(word) == "person"


def names_people(word: str) -> bool:
    """A noun for a person or for persons: a person noun or the plural of one ("nurses",
    "workmen"); not a body, which WordNet files under groups ("the militia", "the department")."""
    return is_person_noun(word) or any(is_person_noun(x) for x in singulars(word))


@lru_cache(maxsize=8)
def _by_first_word(known: frozenset[str], fuller_forms: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The names of two words (or three capitalised: "Reggie St Cloud"), by their first word (as
    `_by_last_word`, for given names)."""
    out: dict[str, set[str]] = {}
    for n in known | fuller_forms:
        words = n.split()
        if len(words) == 2 or len(words) == 3 and all(w[:1].isupper() for w in words):
            out.setdefault(words[0], set()).add(n)
    return {k: tuple(sorted(v)) for k, v in out.items()}


@lru_cache(maxsize=8)
def _by_last_word(known: frozenset[str], fuller_forms: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The names of up to four words, by their last word: `canonical_proper` is asked for every
    mention of a source, against the same names each time (a set of thousands rebuilt per call
    was a tenth of a book's extraction)."""
    out: dict[str, list[str]] = {}
    for n in known | fuller_forms:
        words = n.split()
        if words and len(words) <= 4:
            out.setdefault(words[-1], []).append(n)
    return {k: tuple(v) for k, v in out.items()}


def proper_words(text: str, least: int = 2) -> frozenset[str]:
    """Capitalised words this text uses in mid-sentence at least `least` times: its proper names."""
    return _proper(Counter(m.group(1) for m in _MID_CAP.finditer(text)), least)


def _proper(mid: Counter[str], least: int) -> frozenset[str]:
    return frozenset(w for w, n in mid.items() if n >= least and w.lower() not in _LEADING_STOP)


def common_words(text: str) -> frozenset[str]:
    """The words this text writes in lower case."""
    return frozenset(_LOWER_WORD.findall(text))


# lower-case uses per capitalised use inside a sentence for a word to be an ordinary word that a
# heading or two wrote with a capital ("Anne Is Invited to Tea"); a name that is also a word
# ("Little", "Will") is capitalised far more often than that
OPENER_RATIO = 50


def opens_sentence(text: str, pos: int) -> bool:
    """Whether the word at `pos` opens a sentence: only spaces, quotation marks and brackets
    stand between it and the start of its line or the end of a sentence (`.`, `!`, `?`:
    `... to him?" Instantly`), or it opens a quotation (`he said, "Damn Aziz"`): the mark
    that opens one stands right before it, after a space (a closing mark stands after the words)."""
    if pos > 0 and (text[pos - 1] in "\u201c\u2018" or (text[pos - 1] == '"' and (pos == 1 or text[pos - 2] in " \t\n(:"))):
        return True
    i = pos
    while i > 0 and text[i - 1] in _BETWEEN_SENTENCES:
        i -= 1
    return i == 0 or text[i - 1] in ".!?\n"


def drop_opening_word(words: list[str], text: str, pos: int, proper: frozenset[str],
                      common: frozenset[str]) -> list[str]:
    """A name that opens a sentence without its first word, when that word is capitalised only
    because it opens the sentence: the text writes it in lower case elsewhere and never in
    mid-sentence with a capital ("Instantly Kerensky's wrath" -> Kerensky). English
    capitalisation, no list of words."""
    first = words[0]
    # a contraction that opens a question ("Where's Edna?") is the lower-case word it contracts
    stem = re.sub(r"['\u2019]s$", "", first)
    lower = first.lower() in common or (stem != first and stem not in proper and stem.lower() in common)
    if len(words) > 1 and first not in proper and lower and opens_sentence(text, pos):
        return words[1:]
    return words


# titles that belong to a name in English prose ("Mr. Weston", "Comrade Lenin")
HONORIFICS = ("Mr", "Mrs", "Ms", "Miss", "Mme", "Mlle", "Dr", "Sir", "Lady", "Lord", "Madame", "Monsieur",
              "Mademoiselle", "Captain", "Colonel", "General", "Major", "Professor", "Comrade", "Father",
              "Uncle", "Aunt", "Count", "Countess", "Prince", "Princess", "Citizen", "Madam", "Dame", "Herr",
              "Frau", "Signor", "Signora", "Don", "Baron", "Baroness", "Rev", "Reverend", "Inspector", "Sergeant")
# the titles of kin, written before a given name ("Uncle Reggie", "Aunt Juley"), not a surname
KIN_TITLES = frozenset(("Uncle", "Aunt"))
BARE_TITLE_RATIO = 3  # a bare title stands for a named person used at least a third as often by name
_BARE_TITLE = re.compile(r"\b(" + "|".join(HONORIFICS) + r")\b\.?(?!\s+[A-Z])")


def bare_titles(text: str) -> Counter[str]:
    """Times the text writes each title without a name after it ("said the Major", "Mademoiselle
    laughed")."""
    return Counter(m.group(1) for m in _BARE_TITLE.finditer(text))


def object_of(name: str, part: str) -> bool:
    """Whether the full name `part` ends `name` as the object of its "of": the "Picture of Dorian
    Gray" is a book, not Dorian Gray in full. (A one-word name may be a peer's title: "Monmouth"
    is the Duke of Monmouth.)"""
    before = name[:len(name) - len(part)].split()
    return len(part.split()) > 1 and bool(before) and before[-1].lower() in ("of", "the")


def inner_title(name: str) -> bool:
    """Whether a title stands inside the name, after its first word: two names run together
    ("Mrs. Moore Miss Quested"), not one."""
    return any(w.rstrip(".") in HONORIFICS for w in name.split()[1:])


# titles that tell a name's grammatical gender (English usage, not any text's people)
MALE_TITLES = frozenset("Mr Sir Lord Father Uncle Count Prince Baron Herr Signor Don Monsieur".split())
FEMALE_TITLES = frozenset("""Mrs Miss Ms Mme Mlle Lady Madame Mademoiselle Aunt Countess Princess Madam Dame Frau
Signora Baroness""".split())
# a reflexive binds to the subject of its clause ("Emma found herself alone"); failing one, the
# nearest he/his or she/her, in the same clause and outside any quotation, most often stands
# for the name just written. On PDNC's characters (one-word aliases) these votes name the gender
# of 227 rightly and 8 wrongly; the first he/she of the sentence, read before, of 140 and 12
_REFLEXIVE = re.compile(r"\b(?:(himself|his own)|(herself|her own))\b", re.IGNORECASE)
_NEAR_PRONOUN = re.compile(r"\b(?:(he|his)|(she|her))\b", re.IGNORECASE)
_CLAUSE_STOP = re.compile(r"[.!?;\"\u201c\u201d]")
NEAR = 60  # characters after the name in which a he/his or she/her is taken for it
# "Hamidullah Begum was a distant aunt of Aziz": a noun of one sex the text says the name is
# decides, over the pronouns near it (the name may be a title after a given name, the aunt's)
_PREDICATE = re.compile(r"[^\S\n]+(?:was|is)[^\S\n]+(?:a|an|the|his|her|their|my|our|your)[^\S\n]+"
                        r"((?:[a-z]+[^\S\n]+){0,2}[a-z]+)")


def title_gender(name: str) -> int:
    """+1 for a name under a man's title ("Mr. Weston"), -1 under a woman's, else 0."""
    first = name.split()[0].rstrip(".") if name.split() else ""
    return 1 if first in MALE_TITLES else -1 if first in FEMALE_TITLES else 0


def gender_votes(text: str, occurrences: list[tuple[str, int]]) -> dict[str, int]:
    """Each name and its last word to +1 (the text calls it "he") or -1 ("she"), from its untitled
    mentions (`occurrences`: name, end offset): by the reflexives of the clause after them,
    else by the nearest he/his or she/her there, by a clear majority; a noun of one sex the text
    says a full name is ("was a distant aunt") decides for that name."""
    refl: dict[str, list[int]] = {}
    near: dict[str, list[int]] = {}
    pred: dict[str, list[int]] = {}  # by the full name only: a family shares the surname, not the noun
    for name, end in occurrences:
        if not name.split() or title_gender(name):
            continue
        stop = _CLAUSE_STOP.search(text, end, end + 200)
        clause_end = stop.start() if stop else end + 200
        # a full name votes for itself as well as for its surname: a family shares the surname
        # ("Fanny Price", her father "Price" and her brother "William Price"), not the full name
        keys = {name.split()[-1], name}
        for pattern, votes, hi in ((_REFLEXIVE, refl, clause_end), (_NEAR_PRONOUN, near, min(clause_end, end + NEAR))):
            hit = pattern.search(text, end, hi)
            if hit:
                for key in keys:
                    v = votes.setdefault(key, [0, 0])
                    v[0 if hit.group(1) else 1] += 1
        said = _PREDICATE.match(text, end)
        noun = next((g for g in map(cues.noun_gender, said.group(1).split()) if g), 0) if said else 0
        if noun:
            v = pred.setdefault(name, [0, 0])
            v[0 if noun > 0 else 1] += 1
    out = _majority(near)
    out.update({k: v for k, v in _majority(refl).items() if v or k not in out})  # a reflexive decides
    out.update({k: 1 if he else -1 for k, (he, she) in pred.items() if bool(he) != bool(she)})  # so does a noun
    out.update(given_name_genders(text, [name for name, _ in occurrences], out))
    return out


# a word written after a title and before no other name is a surname ("Mrs. Smith", "Miss Abbott"),
# whatever given name it also is; "Mr. Henry Tilney" says nothing of Henry
_TITLED_SURNAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mme|Mlle|Madame|Monsieur|Mademoiselle|Herr|Frau)\.?[^\S\n]+"
                             r"([A-Z][a-z]+)\b(?![^\S\n]+[A-Z][a-z])")


def given_name_genders(text: str, names: Iterable[str], votes: dict[str, int]) -> dict[str, int]:
    """The first words of `names` that are given names nearly always of one sex (`first_names.txt`),
    +1 or -1, where the text's own `votes` do not decide (none, or split: a man courting a woman is
    followed by "her" as often as by "his"); never a word the text uses as a surname."""
    surnames: set[str] | None = None
    out: dict[str, int] = {}
    for name in names:
        words = name.split()
        if not words or title_gender(name) or words[0].rstrip(".") in HONORIFICS or votes.get(words[0]):
            continue
        g = _first_names().get(words[0].lower(), 0)
        if g:
            if surnames is None:
                surnames = set(_TITLED_SURNAME.findall(text))
            if words[0] not in surnames:
                out[words[0]] = g
    return out


@lru_cache(maxsize=1)
def _first_names() -> dict[str, int]:
    """Given name (lower case) -> +1 a man's, -1 a woman's (training/make_first_names.py)."""
    from pathlib import Path

    out: dict[str, int] = {}
    for line in Path(__file__).with_name("first_names.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, g = line.split("\t")
            out[name] = int(g)
    return out


def voted_gender(votes: dict[str, int], name: str) -> int:
    """The gender `gender_votes` gives a name (title aside): its own vote, else its given name's
    (a first word the text also uses alone: "Fanny" for "Fanny Price"); where either is split,
    none; else its surname's."""
    words = name.split()
    if not words:
        return 0
    own = votes.get(name)
    first = votes.get(words[0]) if len(words) > 1 else None
    for v in (own, first):
        if v:
            return v
    if own is not None or first is not None:
        return 0  # a split vote of its own: not its family's
    return votes.get(words[-1], 0)


def _majority(votes: dict[str, list[int]]) -> dict[str, int]:
    """+1 or -1 by a clear majority of at least two votes; 0 where the votes are split (a name the
    text uses with both, whose surname's vote must not decide for it: "Edmund Bertram" among his
    sisters "Maria Bertram" and "Julia Bertram")."""
    return {last: (0 if max(he, she) < 3 * min(he, she) else 1 if he > she else -1)
            for last, (he, she) in votes.items() if he + she >= 2}


@dataclass(frozen=True)
class NameIndex:
    """Capitalised name sequences of a whole text (built once per source) and the registry."""

    registry: dict[str, str]  # alias (lower case) -> canonical name
    # multi-word names by their last word, lower case, tolerating one stray OCR letter after
    # it (a misprint glued to the head noun): [(start, name)] in text order
    by_head: dict[str, list[tuple[int, str]]]
    fuller_forms: frozenset[str] = frozenset()  # names that may expand a surname
    kinds: dict[str, str] = field(default_factory=dict)  # canonical name (lower case) -> the registry's kind
    persons: frozenset[str] = frozenset()  # full names the parser tagged as persons (set once parsed)
    # words capitalised only where they open a sentence ("Old", "Poor", "Is"): the text writes
    # them in lower case and never with a capital mid-sentence
    openers: frozenset[str] = frozenset()
    # one-word names the text uses at least twice and never as a place ("in X", "at X", "the X"):
    # the parser's place label on them is a guess the text contradicts ("Bucharin took the map")
    unplaced: frozenset[str] = frozenset()
    by_gender: dict[str, int] = field(default_factory=dict)  # name or last word -> +1 he, -1 she (gender_votes)
    by_title: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # "Major" -> [(start, "Major Callendar")]
    bare_titles: dict[str, int] = field(default_factory=dict)  # "Major" -> times the text writes it without a name
    apart: frozenset[str] = frozenset()  # two given names run into one ("Katharine Cassandra"): no fuller form
    proper: frozenset[str] = frozenset()  # words the text capitalises in mid-sentence: its names

    def gender(self, name: str) -> int:
        """+1 a man, -1 a woman, 0 unknown: by title, else by the pronouns the text uses after the name."""
        return title_gender(name) or voted_gender(self.by_gender, name)

    def registered_kind(self, name: str) -> str | None:
        """The registry's kind of a name it lists (as its name or an alias), else None."""
        canonical = self.registry.get(name.strip().lower())
        return self.kinds.get(canonical.lower()) if canonical else None

    def kind(self, name: str, ner_label: str | None = None) -> str:
        """The registry's kind of a name it lists; otherwise `kind_of` (head word, NER label)."""
        return self.registered_kind(name) or kind_of(name, ner_label)

    def canonical_proper(self, mention: str, known: frozenset[str] | set[str] = frozenset()) -> str:
        """The fullest name ending with `mention` (a surname or short form), when there is
        exactly one such fuller form among `known` names (those the parser tagged as persons or
        organisations, so that "In Paris Miasnikov" does not make a "Paris Miasnikov");
        otherwise the mention itself."""
        mention = mention.strip()
        reg = self.registry.get(mention.lower())
        if reg:
            return reg
        words = mention.split()
        if len(words) == 2 and words[0] in KIN_TITLES:
            # "Uncle Reggie" is the full name his given name alone stands for ("Reggie St Cloud")
            full = self.canonical_proper(words[1], known)
            if full.split()[0] == words[1] and len(full.split()) > 1:
                return full
        last = mention.split()[-1] if mention.split() else mention
        pool = _by_last_word(frozenset(known), self.fuller_forms).get(last, ())
        # not a name the parser read with the word that opened its sentence ("Old Mike said")
        # nor a title of several people: "the Misses Tarrant" are his sisters, not Tarrant
        fuller = {n for n in pool if n != mention and n.endswith(" " + mention)
                  and n.split()[0] not in self.openers and n.split()[0].rstrip(".") not in PLURAL_TITLES
                  and not inner_title(n) and not object_of(n, mention)}
        if fuller and fuller <= self.apart:
            fuller = set()  # "Cassandra" only in "Katharine Cassandra": a given name, no surname
        # a title of kin with the given name ("Uncle Reggie") is no fuller than the full name the
        # text also writes ("Reggie St Cloud"): the given name is read as alone (not "Miss
        # Elizabeth" for "Elizabeth Bennet": the sisters' surname would make one of the family)
        kin = all(n.split()[0] in KIN_TITLES for n in fuller)
        if kin and len(mention.split()) == 1 and mention[:1].isupper():
            # a given name alone ("Bill said") is the one full name the parser knows starting
            # with it ("Bill Gorton"), when there is one and it names a person; not when the
            # text also writes another name starting with it ("John Andrew", "John Beaver")
            ahead = _by_first_word(frozenset(known), self.fuller_forms).get(mention, ())
            # not the one full name of the other sex ("Hamidullah Begum was a distant aunt": his aunt)
            persons = {n for n in ahead if n in self.persons and kind_of(n) == "person"
                       and self.gender(n) * self.gender(mention) >= 0}
            if len(persons) == 1 and len(set(ahead)) == 1:
                fuller = persons
        if len(fuller) == 1:
            name = fuller.pop()
            return self.registry.get(name.lower(), name)
        return mention

    def titled(self, title: str, before: int, capitalised: bool = True) -> str | None:
        """The person a bare title stands for ("said the Major", "returned Mademoiselle"): the
        last full name under that title before offset `before` (None if the text gave none).
        Not when the text uses the capitalised title alone far more often than that name
        (BARE_TITLE_RATIO): then the title is the name of someone the text never names otherwise
        ("the General" of a novel that names a General Perovski twice). A title written in lower
        case (`capitalised` False: "the count said") is a common noun, no such name: it is the
        last person so titled, however seldom the text gave the full name."""
        t = title.rstrip(".")
        found = self.by_title.get(t, [])
        k = bisect_right(found, before, key=lambda x: x[0])
        if not k:
            return None
        name = found[k - 1][1]
        if not capitalised:
            return name if kind_of(name) == "person" else None  # not the "General Council"
        uses = sum(1 for _, n in found if n == name)
        return name if uses * BARE_TITLE_RATIO >= self.bare_titles.get(t, 0) else None

    def canonical_description(self, head: str, before: int) -> str | None:
        """The most recent capitalised name ending in the head noun (`the manifesto` ->
        `Workers' Group manifesto`), tolerating one stray OCR letter after the head."""
        reg = self.registry.get(head.lower()) or self.registry.get(f"the {head.lower()}")
        if reg:
            return reg
        h = head.lower()
        if person_noun(h) == "person":
            # a description of one person ("the man", "the gentleman") is whoever fills that role
            # in the scene, not a name or nickname built on the noun ("Mrs Mann", with a letter
            # read as a misprint; "the Merry Old Gentleman", someone else)
            return None
        found = self.by_head.get(h, [])
        if not found:
            return None
        # the latest such name before the mention, else the first after it (a text may name
        # "the Workers' Group manifesto" in full only after quoting "the manifesto")
        starts = [st for st, _ in found]
        i = bisect_right(starts, before)
        words = (found[i - 1] if i else found[0])[1].split()
        words[-1] = head[:1].upper() + head[1:] if words[-1][:1].isupper() else head
        name = " ".join(words)
        return self.registry.get(name.lower(), name)


def prose_lines(text: str) -> list[tuple[int, int]]:
    """The [start, end) of each line that has a lower-case letter: a line of capitals only is a
    heading or a table of contents ("XXI KERENSKY, THE MYSTERY MAN    199"), not prose whose
    capitals mark names."""
    out, lo = [], 0
    for hi in (*(m.start() for m in re.finditer("\n", text)), len(text)):
        line = text[lo:hi]
        if line != line.upper():  # a lower-case letter (in any script), at C speed
            out.append((lo, hi))
        lo = hi + 1
    return out


def registry_names(registry: list[dict[str, Any]] | None) -> dict[str, str]:
    """The registry's names and aliases (lower case) -> its canonical names."""
    reg: dict[str, str] = {}
    for e in registry or []:
        reg[e["name"].lower()] = e["name"]
        for a in e.get("aliases", []):
            reg[a.lower()] = e["name"]
    return reg


def name_index(text: str, registry: list[dict[str, Any]] | None = None) -> NameIndex:
    starts, names = [], []
    fuller: set[str] = set()
    firsts: set[str] = set()
    # each text's capitalised and lower-case words counted once: the names, and the openers below
    mid = Counter(m.group(1) for m in _MID_CAP.finditer(text))
    low = Counter(_LOWER_WORD.findall(text))
    proper, common = _proper(mid, 1), frozenset(low)
    for m in (m for lo, hi in prose_lines(text) for m in _NAME_SEQ.finditer(text, lo, hi)):
        raw = m.group().split()
        firsts.add(raw[0])
        words = strip_leading_stop(raw)
        if words is raw:
            words = drop_opening_word(words, text, m.start(), proper, common)
        if not words or any(a == b for a, b in zip(words, words[1:])):
            continue  # "peremptorily Thomas   Thomas Gradgrind": a word said twice, no one's name
        name = " ".join(words)
        starts.append(m.end() - len(name))
        names.append(name)
        # a name after a preposition may begin with a place ("In Paris Miasnikov found"):
        # only names that stand on their own may expand a surname
        at_sentence_start = m.start() == 0 or text[max(0, m.start() - 2):m.start()].strip() in ("", ".", "!", "?")
        if at_sentence_start and words is raw and raw[0].endswith("ing"):
            continue  # "Quoting Marx's address": a participle opening the sentence, no name
        if len(words) == len(raw) or raw[len(raw) - len(words) - 1].lower() not in _PREPOSITIONS:
            fuller.add(name)
    reg = registry_names(registry)
    kinds = {e["name"].lower(): e["kind"] for e in registry or [] if e.get("kind")}
    by_head: dict[str, list[tuple[int, str]]] = {}
    for st, name in zip(starts, names):
        words = name.split()
        if len(words) < 2:
            continue
        last = words[-1].lower()
        by_head.setdefault(last, []).append((st, name))
        if len(last) > 3:
            by_head.setdefault(last[:-1], []).append((st, name))
    openers = frozenset(w for w in firsts if w.lower() in low and (
        w not in proper or mid[w] * OPENER_RATIO < low[w.lower()]))
    by_title: dict[str, list[tuple[int, str]]] = {}
    for st, name in zip(starts, names):
        words = name.split()
        if len(words) >= 2 and words[0].rstrip(".") in HONORIFICS and words[1][:1].isupper() and not inner_title(name):
            by_title.setdefault(words[0].rstrip("."), []).append((st, re.sub(r"['\u2019]s$", "", name)))
    bare = bare_titles(text) if by_title else Counter()
    return NameIndex(reg, by_head, frozenset(fuller), kinds, openers=openers, unplaced=unplaced_names(text, names),
                     by_gender=gender_votes(text, [(n, st + len(n)) for st, n in zip(starts, names)]),
                     by_title=by_title, bare_titles=bare, proper=proper)


_PLACED = re.compile(r"\b(?:[Ii]n|at|[Ff]rom|into|near|across|through|towards?|within|via|the|[Oo]utside|[Ii]nside)\s+"
                     r"([A-Z][\w'\u2019-]*)")


def unplaced_names(text: str, names: list[str]) -> frozenset[str]:
    """The one-word names of `names` found at least twice and never after a preposition of
    place or an article: persons, whatever the parser's label (it often takes an unfamiliar
    surname for a town)."""
    count: dict[str, int] = {}
    for n in names:
        if " " not in n:
            count[n] = count.get(n, 0) + 1
    placed = {m.group(1) for m in _PLACED.finditer(text)}
    return frozenset(n for n, k in count.items() if k >= 2 and n not in placed)


@dataclass(frozen=True)
class Entity:
    name: str
    aliases: tuple[str, ...]
    kind: str  # person | group | document | publication
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "aliases": list(self.aliases), "kind": self.kind, "sources": list(self.sources)}


class EntityIndex:
    """The entities of a build: one per canonical speaker or recipient name the records use,
    with the aliases seen in the evidence mentions and the registry's aliases and kind. A fold:
    registries first, then records as they come (a build streams each source's records through
    it and keeps none); `entities()` gives the result. One entry per name, never the records."""

    def __init__(self, registries: dict[str, list[dict[str, Any]]]):
        self.info: dict[str, dict[str, Any]] = {}
        for sid, entries in registries.items():
            for e in entries:
                d = self._entry(e["name"])
                d["aliases"].update(e.get("aliases", []))
                d["kind"] = e.get("kind") or d["kind"]
                d["sources"].add(sid)

    def _entry(self, name: str) -> dict[str, Any]:
        return self.info.setdefault(name, {"aliases": set(), "kind": None, "sources": set()})

    def add(self, records: Iterable[Any]) -> None:
        for r in records:
            for name, span in ((r.speaker, r.speaker_span), (r.recipient, r.recipient_span)):
                if not name:
                    continue
                d = self._entry(name)
                d["sources"].add(r.source_id)
                if span and span.text != name and span.text.lower() not in PRONOUN_WORDS:
                    d["aliases"].add(span.text)

    def entities(self) -> list[Entity]:
        return [Entity(name, tuple(sorted(d["aliases"] - {name})), d["kind"] or kind_of(name),
                       tuple(sorted(d["sources"])))
                for name, d in sorted(self.info.items())]


PRONOUN_WORDS = frozenset("he him his she her it its they them their who whom whose which that i we".split())
