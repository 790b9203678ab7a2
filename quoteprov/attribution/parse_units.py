"""What is parsed and what is only skimmed: the stretches around quotations are parsed; the
rest of the text is read sentence by sentence for the names it mentions (and the assemblies
met "at"), so that pronouns and running speakers still resolve."""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Span as Sent
    from spacy.tokens import Token

from .. import cues
from ..discourse import STOP_WORDS, SUBJECT_NAME, Who, rough_sentences
from ..entities import HONORIFICS, is_person_noun, kind_of, names_people, person_noun, singulars
from ..records import Span
from ..source import Source
from ..spans import QuotedSpan
from .context import Ctx, outside, span_of
from .titles import GENERIC_PERSON
from .token_shapes import QUANTITY, existential, one_or_other
from .who import existential_description, who_of
from .windows import LONG_QUOTE, UNIT_MAX, bounded

CONTEXT_SENTENCES = 1  # sentences parsed before each quotation (for cues and pronouns)
MEMORY_SENTENCES = 3  # sentences of the paragraph parsed before it only to remember who is named
_PERSON_PRONOUN = re.compile(r"\b(?:" + "|".join(sorted(cues.PERSON_PRONOUNS)) + r")\b", re.IGNORECASE)
# '"Tell us what you want," it says': a document quoted, named sentences before
_IT_AFTER_MARK = re.compile(r"[\"'\u201d\u2019],?\s+it\s+([a-z]+)")


def _thing_says(band: str) -> bool:
    """Whether an "it" after a closing mark reports the words (an "it" that needs a document)."""
    return any(m.group(1) in cues.REPORTING_VERBS for m in _IT_AFTER_MARK.finditer(band))


_ASSEMBLY_AT = re.compile(r"\bat\s+the\s+((?:[A-Z][\w'\u2019-]*\s+)*(?:" + "|".join(
    a.capitalize() for a in sorted(cues.ASSEMBLY_NOUNS)) + r")\w?)\b")


def plan_units(source: Source, spans: list[QuotedSpan], by_par: dict[int, list[int]]
               ) -> tuple[list[tuple[int, int, int]], dict[int, list[tuple[int, int]]]]:
    """The stretches worth parsing, as (start, end, paragraph): for every quotation the
    sentences from the one before its opening mark to the one where it ends (up to
    MEMORY_SENTENCES before, read for names only, when a pronoun there may need them); for
    a block quotation also the last sentence of the paragraph before. Everything else is
    skimmed. Also, by paragraph, the sentences parsed only for the names they mention."""
    want: dict[int, set[int]] = {}
    sents_of: dict[int, list[tuple[int, int]]] = {}

    def sents(p: int) -> list[tuple[int, int]]:
        if p not in sents_of:
            sents_of[p] = bounded(source.text, rough_sentences(source.text, *source.paragraphs[p]))
        return sents_of[p]

    ends_of: dict[int, list[int]] = {}

    def index(p: int, offset: int) -> int:
        if p not in ends_of:
            ends_of[p] = [b for _, b in sents(p)]
        return min(bisect_right(ends_of[p], offset), len(ends_of[p]) - 1)

    cue_band: dict[int, set[int]] = {}
    for p, idxs in by_par.items():
        for i in idxs:
            sp = spans[i]
            k, m = index(p, sp.start - 1), index(p, max(sp.start, sp.end - 1))
            lo = max(0, k - CONTEXT_SENTENCES)
            if sents(p)[m][1] - sents(p)[k][0] > LONG_QUOTE:
                m0, span_sents = min(m, k + 1), {*range(lo, min(m, k + 1) + 1), m}  # its ends
            else:
                m0, span_sents = m, set(range(lo, m + 1))
            cue_band.setdefault(p, set()).update(span_sents)
            # the sentences before the cue band matter only when a pronoun there may need
            # a person they name (and parsing costs: most quotations are introduced by name)
            band = source.text[sents(p)[lo][0]:sents(p)[m0][1]]
            back = MEMORY_SENTENCES if _PERSON_PRONOUN.search(band) or _thing_says(band) else CONTEXT_SENTENCES
            want.setdefault(p, set()).update(range(max(0, k - back), lo), span_sents)
        if p > 0 and source.is_body(p - 1) and (is_block(source, spans[idxs[0]]) or introduces_next(source, p - 1)):
            want.setdefault(p - 1, set()).add(len(sents(p - 1)) - 1)
            cue_band.setdefault(p - 1, set()).add(len(sents(p - 1)) - 1)
    # sentences parsed only so that the people they name are remembered: a reporting verb
    # there is too far from the quotation to say who speaks it
    memory_only = {p: [sents(p)[k] for k in sorted(want[p] - cue_band.get(p, set()))] for p in want}
    out = []
    for p in sorted(want):
        ks = sorted(want[p])
        run: list[int] = [ks[0]]
        following: list[int | None] = [*ks[1:], None]
        for nxt in following:
            if nxt is not None and nxt == run[-1] + 1 and sents(p)[nxt][1] - sents(p)[run[0]][0] <= UNIT_MAX:
                run.append(nxt)
                continue
            ss = sents(p)
            out.append((ss[run[0]][0], ss[run[-1]][1], p))
            if nxt is not None:
                run = [nxt]
    return out, memory_only


RUNS_ON = (":", ",", "-", "\u2013", "\u2014")  # a paragraph ending so runs on into the next


def introduces_next(source: Source, p: int) -> bool:
    """Paragraph p ends in a colon, comma or dash: its last sentence runs on into the next
    paragraph, so it is parsed, not skimmed, even where the next paragraph's first quotation does
    not open it (a paragraph a quotation opens has the last sentence before it parsed already, for
    `introductions.introduction`): whom it names is remembered as the parser reads it (three of
    Winnie-the-Pooh's quotations went to "Forest" when it was skimmed)."""
    lo, hi = source.paragraphs[p]
    return source.text[lo:hi].rstrip().endswith(RUNS_ON)


def skim(ctx: Ctx, lo: int, hi: int) -> None:
    """Text that is not parsed: the reader still notes the persons it names (by the names
    the parser found elsewhere) and the sentences and paragraphs that pass."""
    if hi <= lo:
        return
    first, last = ctx.source.paragraph_of(lo), ctx.source.paragraph_of(max(lo, hi - 1))
    for p in range(first, last + 1):
        a, b = ctx.source.paragraphs[p]
        a, b = max(a, lo), min(b, hi)
        if not ctx.source.is_body(p) or b <= a:
            continue
        if a == ctx.source.paragraphs[p][0] and p != ctx.d.paragraph:
            ctx.d.running = None  # a new paragraph without quotations
            ctx.d.paragraph = p
        for sa, sb in rough_sentences(ctx.text, a, b):
            skim_sentence(ctx, sa, sb)


def skim_sentence(ctx: Ctx, a: int, b: int) -> None:
    """A name early in a sentence is taken for its subject, later ones for other mentions;
    a sentence that opens with he/she (they) keeps the current (plural) subject alive."""
    ctx.d.sentence_no += 1
    head = ctx.text[a:min(b, a + 60)]
    names = skimmed_names(ctx, a, b)
    pron = re.search(r"\b(?:he|she|He|She)\b", head)
    described = described_subject(ctx, a, b)
    if described is not None:
        ctx.d.remember(described, 0)  # "The nephew was freed, on the grounds that he ...": the he is his
        pron = None
    elif pron and (not names or names[0].start() > a + pron.start()):
        _carry_subject(ctx, lambda w: w.kind == "person")
    elif _THEY.match(ctx.text, a, b):  # "Crowds surged ... They thronged ... They sang": the crowds still
        _carry_subject(ctx, lambda w: w.plural or w.kind == "group")
    for k, m in enumerate(names):
        name = ctx.names.canonical_proper(m.group(), ctx.known)
        # the subject opens the sentence before any he/she ("And Mlle. Skridlova assured him that she would")
        rank = 0 if k == 0 and m.start() - a < 60 and (pron is None or m.start() < a + pron.start()) else 2
        ctx.d.remember(Who(name, Span(m.start(), m.end(), m.group()), "explicit", "person"), rank)
    # searched in the sentence alone: the pattern's "^" is the start of the string searched, which
    # a search from an offset of the whole text never is
    first = SUBJECT_NAME.search(ctx.text[a:b])
    lead = first.group(1).split()[0] if first else ""
    if first and not names and not pron and described is None and lead.lower() not in STOP_WORDS \
            and (lead in ctx.names.proper or _opens_text(ctx.text, a)):
        # "Kuznetsov was arrested in June.": a name that opens a sentence before a verb, when the text
        # capitalises it in mid-sentence too ("Incredible as it seems" is no one) or it is the text's
        # very first word (an excerpt's "Lenin received me in his study.": nothing before to tell by)
        at = a + first.start(1)
        name = ctx.names.canonical_proper(first.group(1), ctx.known)
        ctx.d.remember(Who(name, Span(at, at + len(first.group(1)), first.group(1)), "explicit", "person"), 0)
    assemblies_in(ctx, a, b)


_LEADING_SPACE = re.compile(r"\s*")


def _opens_text(text: str, a: int) -> bool:
    """Whether offset `a` is the text's first word (only blanks before it): read from the text's
    start, never by copying all the text before a sentence, which over a book is quadratic."""
    blanks = _LEADING_SPACE.match(text)
    return blanks is not None and blanks.end() >= a


def _carry_subject(ctx: Ctx, fits: Callable[[Who], bool]) -> None:
    """The latest subject that a sentence's opening pronoun can stand for is its subject too."""
    subj = next((w for _, rank, w in reversed(ctx.d.mentions) if rank == 0 and fits(w)), None)
    if subj is not None:
        ctx.d.remember(subj, 0)


# a title and a capitalised word: a person however seldom the parser saw the name ("Mlle. Skridlova")
_TITLED = re.compile(r"\b(?:" + "|".join(HONORIFICS) + r")\.?\s+[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+)?")


def skimmed_names(ctx: Ctx, a: int, b: int) -> list[re.Match[str]]:
    """The persons a skimmed sentence names, in order: the names the parser found elsewhere, and
    any name a title opens (a name met only in skimmed text is otherwise no one)."""
    found = list(ctx.person_re.finditer(ctx.text, a, b)) if ctx.person_re is not None else []
    for m in _TITLED.finditer(ctx.text, a, b):
        if not any(n.start() <= m.start() < n.end() or m.start() <= n.start() < m.end() for n in found):
            found.append(m)
    return sorted(found, key=lambda m: m.start())


# "The nephew was also freed": a definite description opening a sentence (up to three words);
# "Crowds surged up and down the street": a plural noun for people opening it
_DESCRIBED_SUBJECT = re.compile(r"\s*[\"'\u201c\u2018(]*[Tt]he\s+([a-z]+(?:\s+[a-z]+){0,3})")
_PLURAL_SUBJECT = re.compile(r"\s*[\"'\u201c\u2018(]*([A-Z][a-z]+)\s+[a-z]+")
# "There was a Japanese girl in the regiment.": the sentence brings on the one a "she" next means
_THERE_WAS = re.compile(r"\s*There\s+(?:was|is)\s+(?:a|an|one)\s+((?:[\w'\u2019-]+\s+){0,3}[\w'\u2019-]+)")
_THEY = re.compile(r"\s*(?:[A-Z][a-z]+\s+)?[Tt]hey\b")


def described_subject(ctx: Ctx, a: int, b: int) -> Who | None:
    """A sentence that opens with "the" and a noun for one person ("The nephew was also freed.",
    "The old porter said") has him for its subject, whom a "he" in the next sentences stands
    for: the description the guide names an unnamed person by."""
    there = _THERE_WAS.match(ctx.text, a, b)
    if there is not None:
        return _there_was(there)
    m = _DESCRIBED_SUBJECT.match(ctx.text, a, b)
    if m is None:
        bare = _PLURAL_SUBJECT.match(ctx.text, a, b)
        if bare is None or not _people(bare.group(1).lower()):
            return None
        return Who(bare.group(1).lower(), Span(bare.start(1), bare.end(1), bare.group(1)), "resolved", "group", True)
    words = m.group(1).split()
    # "The number of delegates from the front was increasing": the people counted
    skip = 2 if len(words) > 3 and words[0] in QUANTITY and words[1] == "of" else 0
    at = m.start(1) + len(" ".join(words[:skip])) + (1 if skip else 0)
    for k, w in enumerate(words[:-1]):  # a word must follow the noun: its verb
        if k < skip:
            continue
        if w in STOP_WORDS:
            return None
        one = person_noun(w) == "person"
        if (one or _people(w)) and _NOUN_SUFFIX.search(words[k + 1]):
            return None  # "The materialist conception of history": a word for a person modifying a noun
        if one or _people(w):
            end = at + len(" ".join(words[skip:k + 1]))
            tail = None if one else _PEOPLE_FROM.match(ctx.text, end, b)
            end = tail.end() if tail is not None else end  # "delegates from the front", as `who.description` names them
            name = ctx.text[at:end]
            return Who(name, Span(at, end, name), "explicit", "person" if one else "group", not one)
    return None


# the phrase after a skimmed subject's plural noun that says which people, before its verb
_PEOPLE_FROM = re.compile(r"[^\S\n]+(?:from|at|in|on|with)[^\S\n]+the[^\S\n]+[a-z]+(?=[^\S\n]+[a-z]+)")


def _there_was(m: re.Match[str]) -> Who | None:
    """The person a skimmed "There was a ..." brings on, by its description up to its noun (the
    parsed sentence's twin is `who.existential_description`)."""
    words = m.group(1).split()
    for k, w in enumerate(words):
        if w in STOP_WORDS:
            return None
        if w.islower() and person_noun(w) == "person":
            end = m.start(1) + len(" ".join(words[:k + 1]))
            return Who(m.string[m.start(1):end], Span(m.start(1), end, m.string[m.start(1):end]), "explicit", "person")
    return None


# suffixes that make an English word a noun, never a verb ("conception", "movement", "party-ness")
_NOUN_SUFFIX = re.compile(r"(?:tion|sion|ment|ness|ity|ism|ship|ance|ence)s?$")


def _people(word: str) -> bool:
    """A plural noun for people ("soldiers", "crowds", "workmen"), a they's antecedent."""
    return word not in STOP_WORDS and person_noun(word) in ("person", "group") and any(
        person_noun(x) in ("person", "group") for x in singulars(word) if x != word)


def assemblies_in(ctx: Ctx, a: int, b: int) -> None:
    """A deliberative body met `at` ("at the Twelfth Party Congress", "at the Soviet meetings"):
    speeches reported after it, in the same or the next paragraph, or in its own sentence, were
    addressed to it."""
    for m in _ASSEMBLY_AT.finditer(ctx.text, a, b):
        words = m.group(1).split()
        head = words[-1].lower()
        # the pattern lets one stray letter follow the head noun (a misprint glued to the
        # word by OCR): it is not part of the body's name
        noun = head if head in cues.ASSEMBLY_NOUNS else head[:-1]
        name = " ".join(words[:-1] + [noun.capitalize()])
        p = ctx.source.paragraph_of(m.start(1))
        ctx.d.assemblies.append((p, Who(name, Span(m.start(1), m.end(1), m.group(1)), "inferred", "group"),
                                 ctx.d.sentence_no))


def is_block(source: Source, sp: QuotedSpan) -> bool:
    """A quotation that opens its paragraph (a block quotation)."""
    lo = source.paragraphs[sp.paragraph][0]
    return not source.text[lo:sp.start - 1].strip()


def only_remembered(ctx: Ctx, p: int, s0: int, s1: int) -> bool:
    """Whether the parsed sentence [s0, s1) lies in a stretch parsed only for its names."""
    return any(a <= s0 and s1 <= b + 1 for a, b in ctx.memory_only.get(p, ()))


_EMBEDDING = frozenset(("ccomp", "advcl", "relcl", "acl", "csubj", "pcomp"))


def _embedded(subj: "Token") -> bool:
    """The subject's verb is in a clause that depends on another's (not a main or coordinated one)."""
    v = subj.head
    for _ in range(4):
        if v.dep_ in _EMBEDDING:
            return True
        if v.dep_ != "conj" or v.head.i == v.i:
            return False
        v = v.head
    return False


def _counted(t: "Token") -> "Token":
    """'The number of delegates from the front was increasing. They came ...': the people counted
    are what a later "they" stands for, not the number."""
    if t.lower_ not in QUANTITY:
        return t
    of = next((c for c in t.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    obj = next((g for g in of.children if g.dep_ == "pobj"), None) if of is not None else None
    return obj if obj is not None and obj.tag_ in ("NNS", "NNPS") and names_people(obj.lower_) else t


def remember(ctx: Ctx, sent: "Sent", off: int) -> None:
    """Note the sentence's subjects, their possessors and named people for later pronouns."""
    for t in sent:
        if not outside(ctx, t, off):
            continue
        if t.dep_ in ("nsubj", "nsubjpass") and t.tag_ not in ("WP", "WDT", "EX"):
            # the subject of a clause within another ("went to bring the message that the Soviet was
            # conducting a struggle") is less salient than the sentence's own: as if a sentence older
            rank = 1 if _embedded(t) else 0
        elif t.dep_ == "poss" and t.head.dep_ in ("nsubj", "nsubjpass"):
            rank = 1
        elif t.tag_ == "NN" and is_person_noun(t.lower_) and existential(t):
            # "There was a Japanese girl in the regiment": the one the sentence brings on
            ctx.d.remember(existential_description(ctx, t, off), 0)
            continue
        elif t.dep_ == "dobj" and t.head.dep_ == "ROOT" and is_person_noun(t.lower_):
            rank = 1  # "I met an old workman with a grey beard.": the person brought on, whom a "he" next means
        elif (t.tag_ in ("NNP", "NNPS") and t.dep_ != "compound") or (
                t.dep_ in ("dobj", "pobj") and (is_person_noun(t.lower_) or t.lower_ in cues.COMMUNICATION_NOUNS)):
            rank = 2  # a person, or a document a later "it says" may quote ("As for Chicherin's Note, ...")
        else:
            continue
        if t.tag_ in ("PRP", "PRP$") and t.lower_ not in cues.PERSON_PRONOUNS | cues.THING_PRONOUNS and not (
                t.lower_ == "they" and rank == 0):  # "They gathered ...": the people a they chain is about
            continue
        if t.lower_ in cues.NEGATIVE_PRONOUNS or (t.lower_ == "one" and any(c.lower_ == "no" for c in t.lefts)) \
                or one_or_other(t):  # '"...," said one': one of a group, no later "he" or "the woman"
            continue
        if t.lower_ == "one" and any(c.lower_ == "of" for c in t.children):
            ctx.d.remember(Who("", span_of(ctx, off, [t]), "resolved", "anonymous"), rank)
            continue
        if t.tag_ in ("NN", "NNS") and t.lower_ not in cues.COMMUNICATION_NOUNS and kind_of(t.lower_) == "person" \
                and not (is_person_noun(t.lower_) or rank == 0 and t.tag_ == "NNS" and names_people(t.lower_)):
            continue  # common nouns enter the memory as documents, groups or people
        t = _counted(t)
        w = who_of(ctx, t, off)
        role = _role_said(ctx, t, w, off)
        if role is not None:
            w = role
        if w is not None:
            ctx.d.remember(w, rank)


_IS = frozenset("is was be been".split())  # the parse has no lemmas


def _role_said(ctx: Ctx, t: "Token", w: Who | None, off: int) -> Who | None:
    """'I heard but one person dispute with a soldier. She was a street car conductor.': a he or
    she the text has not named, said to be "a" someone, is that someone for a later "she" or "the
    woman" (the guide names an unnamed person by the fullest description the text gives)."""
    if t.lower_ not in ("he", "she") or (w is not None and not w.name[:1].islower()) or t.head.lower_ not in _IS:
        return None
    attr = next((c for c in t.head.children if c.dep_ == "attr" and c.tag_ == "NN"), None)
    if attr is None or not is_person_noun(attr.lower_) or attr.lower_ in GENERIC_PERSON or not any(
            c.dep_ == "det" and c.lower_ in ("a", "an") for c in attr.children) or not outside(ctx, attr, off):
        return None
    role = who_of(ctx, attr, off)
    # remembered from the pronoun: no later "he" stands for what a "she" was said to be
    return Who(role.name, span_of(ctx, off, [t]), "resolved", "person") if role is not None and role.kind == "person" else None
