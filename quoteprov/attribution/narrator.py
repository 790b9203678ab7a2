"""Who "I" is in the narration: the narrator of a first-person text.

A memoir's narrator is its author, and the source's metadata names him (the guide: a first-person
narrator is the source's author). A novel told in the first person, or a raw file with no
metadata, names its narrator only in the other characters' words: the narrator never names
himself in his own narration, but is addressed by name in theirs (`"Hello, Jake," she said.`).
That is the general rule read here; the name is a guess, marked as one by its confidence.
"""
from __future__ import annotations

import re
from collections import Counter

from ..discourse import author_of
from ..entities import common_words, proper_words
from ..source import Source
from ..spans import QuotedSpan
from .candidates import FIRST_PERSON, HONORIFICS, NAME, VOCATIVE_REACH, is_vocative

# first-person words in the narration (outside quotation marks) per 1000 words of it, above which
# the text is told by an "I". PDNC's novels: first-person 10 to 52, third-person 0.0 to 3.7
# (the author's asides, "I believe"); the memoirs of the genre 8 to 16.
FIRST_PERSON_RATE = 5.0
MIN_VOCATIVES = 5  # times the narrator's name must be spoken to him before it is believed
NAMED_SHARE = 0.25  # at most this many narration mentions per vocative: the narrator never names himself

_FIRST_PERSON = re.compile(r"\b(?:I|me|my|myself)\b")
_CAPITAL = re.compile(r"\b[A-Z][a-z]+\b")
_HONORIFIC = frozenset(HONORIFICS)


def narrator_of(source: Source, quoted: list[tuple[int, int, int]]) -> str | None:
    """The "I" of `source`'s narration: a narrator or author its metadata names; else, in a
    text told in the first person, the name the other speakers call him by (`addressed_narrator`);
    else a name on its title page. `quoted` is the outermost quotations as (start, end, paragraph)."""
    meta = source.metadata or {}
    if meta.get("narrator"):
        return str(meta["narrator"])
    if meta.get("author"):
        return str(meta["author"])
    return addressed_narrator(source.text, source.paragraphs, quoted) or author_of(source)


# a signature under a document: "Major-General Krassnov.", "(Signed) V. ULIANOV (LENIN)", "WILLIAM
# COLLINS.": an optional "(Signed)", then capitalised words (initials, hyphened ranks, a name in
# brackets), nothing in lower case but a particle of a name
_SIGNATURE = re.compile(r"(?:\(?(?i:signed)\)?:?\s+)?((?:(?:[A-Z][\w'\u2019-]*\.?|de|von|van|du)\s+){0,5}"
                        r"[A-Z][\w'\u2019-]*)\.?(?:\s+\([A-Z][\w\s.-]*\))?\.?")
_CASED = re.compile(r"[A-Z]")
_NOT_IN_NAMES = frozenset("the of and a an in on for to with at by".split())  # a heading's words ("THE ANALYSIS OF MIND")
MAX_DOCUMENT_PARAGRAPHS = 60  # a letter or statement cited in full, from its opening to its signature
SIGNATURE_WORDS = 6


def cited_documents(text: str, paragraphs: tuple[tuple[int, int], ...], quoted: list[tuple[int, int, int]],
                    body: set[int] | None = None) -> dict[int, str]:
    """The paragraphs of a document cited in full whose "I" is not the narrator's but the one who
    signed it: a letter or statement set off from the narration (after a rule of stars or a line
    ending in a colon) and closed by a signature ("Commanding the 3rd Corps, / Major-General
    Krassnov."), paragraph -> the signer, by the fullest form of his name that the text wrote
    before ("General Krassnov"). A careful reader takes "I answered" inside it as the signer's."""
    in_quotes = {p for _, _, p in quoted}
    out: dict[int, str] = {}
    for p, (lo, hi) in enumerate(paragraphs):
        if (body is not None and p not in body) or p in in_quotes:
            continue
        signer = _signature(text, lo, hi)
        if signer is None or not _closes_document(text, paragraphs, p):
            continue
        first = _document_start(text, paragraphs, p)
        if first is None or not _told_in_first_person(text, paragraphs, quoted, first, p):
            continue
        name = _fullest_before(text, signer, paragraphs[first][0])
        if not name or not _written(text, name.split()[-1], lo):
            continue  # a name the text never wrote before: a line of verse, a heading
        for k in range(first, p + 1):
            out.setdefault(k, name)
    return out


SIGNATURE_CHARS = 80  # longer lines are prose, and are not copied to be looked at


def _signature(text: str, lo: int, hi: int) -> str | None:
    if hi - lo > SIGNATURE_CHARS:
        return None
    line = text[lo:hi].strip()
    m = _SIGNATURE.fullmatch(line)
    if m is None or len(line.split()) > SIGNATURE_WORDS or not _CASED.match(m.group(1)):
        return None
    return m.group(1)


def _told_in_first_person(text: str, paragraphs: tuple[tuple[int, int], ...], quoted: list[tuple[int, int, int]],
                          first: int, last: int) -> bool:
    """Some "I", "me" or "my" of the document stands outside its quotations: only then does whose
    "I" it is matter."""
    by_par: dict[int, list[tuple[int, int]]] = {}
    for a, b, p in quoted:
        by_par.setdefault(p, []).append((a, b))
    return any(_FIRST_PERSON.search(part) for p in range(first, last)
               for part in _outside(text, *paragraphs[p], sorted(by_par.get(p, []))))


def _blank(text: str, lo: int, hi: int) -> bool:
    return not any(c.isalnum() for c in text[lo:hi])


def _closes_document(text: str, paragraphs: tuple[tuple[int, int], ...], p: int) -> bool:
    """A signature, not a heading: a closing formula before it ("Yours faithfully,", "Commanding
    the 3rd Corps,"), or a rule of stars after it."""
    before = next((k for k in range(p - 1, -1, -1) if text[slice(*paragraphs[k])].strip()), None)
    after = next((k for k in range(p + 1, len(paragraphs)) if text[slice(*paragraphs[k])].strip()), None)
    return (before is not None and text[slice(*paragraphs[before])].rstrip().endswith(",")) or (
        after is not None and _blank(text, *paragraphs[after]))


def _document_start(text: str, paragraphs: tuple[tuple[int, int], ...], p: int) -> int | None:
    """The first paragraph of the document a signature closes: the one after a rule of stars or
    after the narrator's line that ends in a colon, at most MAX_DOCUMENT_PARAGRAPHS before it."""
    for k in range(p - 1, max(-1, p - MAX_DOCUMENT_PARAGRAPHS - 1), -1):
        line = text[slice(*paragraphs[k])].rstrip()
        if line and (_blank(text, *paragraphs[k]) or line.endswith(":")):
            return k + 1 if k + 1 < p else None
    return None


def _fullest_before(text: str, signer: str, before: int) -> str:
    """The longest tail of the signed name that the text wrote before the document ("Major-General
    Krassnov" was "General Krassnov" there); the signature as it is when none was."""
    words = re.sub(r"\s*\(.*\)", "", signer).replace("-", " ").split()
    if any(w.lower() in _NOT_IN_NAMES for w in words):
        return ""
    if words and words[-1].isupper() and len(words[-1]) > 1:
        words = [w.capitalize() for w in words]  # "WILLIAM COLLINS" is written William Collins in the prose
    for k in range(len(words)):
        tail = " ".join(words[k:])
        if _written(text, tail, before):
            return tail
    return " ".join(words)


def _written(text: str, words: str, before: int) -> bool:
    """Whether the text writes `words` (as whole words) before offset `before`."""
    return re.compile(r"\b" + re.escape(words) + r"\b").search(text, 0, before) is not None


def narrators_we(source: Source) -> str | None:
    """Whom the narrator's "we" stands for, when the source's metadata says (`we`: the party a
    memoir speaks for); else None: a "we" of travellers or of the reader names no one."""
    we = (source.metadata or {}).get("we")
    return str(we) if we else None


def outermost(spans: list[QuotedSpan]) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of the spans no other span holds."""
    return [(sp.start, sp.end, sp.paragraph) for sp in spans if sp.nested_in is None]


def addressed_narrator(text: str, paragraphs: tuple[tuple[int, int], ...],
                       quoted: list[tuple[int, int, int]]) -> str | None:
    """The name most often spoken as a vocative in paragraphs where the narrator does not speak,
    when the narration is in the first person and that name is (almost) never written in it."""
    by_par: dict[int, list[tuple[int, int]]] = {}
    for a, b, p in quoted:
        by_par.setdefault(p, []).append((a, b))
    first = words = 0
    named: Counter[str] = Counter()
    spoken: Counter[str] = Counter()
    forms: Counter[str] = Counter()
    for p, (lo, hi) in enumerate(paragraphs):
        qs = sorted(by_par.get(p, []))
        narration = " ".join(_outside(text, lo, hi, qs))
        first += len(_FIRST_PERSON.findall(narration))
        words += narration.count(" ") + 1
        named.update(_CAPITAL.findall(narration))
        if qs and not FIRST_PERSON.search(narration):  # "I said", "he told me": the narrator speaks here
            for a, b in qs:
                # the names spoken to, as the ranker's candidates read them ("Hello, Jake", "Good night, Mr. Barnes.")
                for m in NAME.finditer(text, a, min(b, a + VOCATIVE_REACH)):
                    if is_vocative(text, m.start(), m.end(), a, b):
                        spoken[m.group().split()[-1]] += 1
                        forms[m.group()] += 1
    if words == 0 or 1000 * first / words < FIRST_PERSON_RATE:
        return None
    return _best_addressed(text, spoken, forms, named)


def _best_addressed(text: str, spoken: Counter[str], forms: Counter[str], named: Counter[str]) -> str | None:
    """The name most spoken to among those never written in the narration; a given name and a
    surname spoken to him under a title ("Jake", "Mr. Barnes") are the one narrator's, and his
    name is both ("Jake Barnes"), as the guide's canonical name is the fullest form."""
    lower, proper = common_words(text), proper_words(text)
    spoken_as = {w: _forms_of(w, forms, lower) for w, n in spoken.items() if n >= MIN_VOCATIVES}
    # a name: written capitalised mid-sentence, or after a title ("Mr. Hale", which opens no sentence)
    ok = sorted(((n, w) for w, n in spoken.items() if w in spoken_as and w not in _HONORIFIC
                 and (w in proper or _titled(spoken_as[w])) and w.lower() not in lower
                 and named[w] <= NAMED_SHARE * n), reverse=True)
    if not ok:
        return None
    top = ok[0][1]
    name = spoken_as[top].most_common(1)[0][0]
    # a given name is never spoken under a title ("Watson" is also "Dr. Watson": a surname already)
    if len(name.split()) == 1 and _under_title(spoken_as[top]) == 0:
        surname = next((w for _, w in ok[1:] if _titled(spoken_as[w])), None)
        if surname is not None:
            return f"{name} {surname}"
    return name


def _forms_of(word: str, forms: Counter[str], lower: frozenset[str]) -> Counter[str]:
    """The forms `word` is spoken in, less a greeting before it ("Hello Jake" is Jake)."""
    out = Counter[str]()
    for f, n in forms.items():
        if f.split()[-1] == word:
            out[" ".join([w for w in f.split()[:-1] if w.lower() not in lower] + [word])] += n
    return out


def _under_title(spoken_as: Counter[str]) -> int:
    """How often it is spoken to under a title ("Mr. Barnes", "Monsieur Barnes")."""
    return sum(n for f, n in spoken_as.items() if f.split()[0].rstrip(".") in _HONORIFIC)


def _titled(spoken_as: Counter[str]) -> bool:
    """Mostly spoken to under a title: a surname."""
    return 2 * _under_title(spoken_as) > sum(spoken_as.values())


def _outside(text: str, lo: int, hi: int, quotes: list[tuple[int, int]]) -> list[str]:
    out, pos = [], lo
    for a, b in quotes:
        out.append(text[pos:max(pos, a)])
        pos = max(pos, b)
    out.append(text[pos:hi])
    return out
