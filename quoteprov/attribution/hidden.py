"""Speakers the parser hid from a reporting cue: a name it hung beside the cue, made an adverb
or the object of the clause before, the owner of a speaking gerund, the subject set off by commas
or standing after the verb; and what a speech tag has beside its verb (`a_person`)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Doc, Token

    from ..records import Span as RecordSpan

from .. import cues
from ..entities import is_person_noun
from .context import Ctx, hyphen_run, outside, span_of
from .token_shapes import voice_owner

PARTICLES = frozenset({"in", "out", "up", "forth", "back", "on"})
# words that open a clause of time (the parser may read one as a preposition: "till Lady N., ...")
OF_TIME = frozenset("when whenever while until till as before after".split())


# verbs whose particle makes a speech tag ('"...," put in Freddy', 'broke in Adela', 'chimed in'):
# the name after the particle is the speaker, whatever place the tagger thought it
PHRASAL = frozenset("put broke break breaks cut cuts chimed chime chimes struck strike strikes burst bursts".split())


def unspaced(doc: "Doc", i: int) -> int:
    """i, or the index of the whitespace token(s) before it: a text that sets two spaces after a
    closing mark ('"...,"  returned Marilla') has a whitespace token between the two."""
    while i > 0 and doc[i - 1].is_space:
        i -= 1
    return i


def a_person(tok: "Token") -> bool:
    """A name, he/she/I/they or a noun for a person: what only a speaker's tag has beside an
    ordinary verb ('"...," came a voice from the back' names nobody)."""
    return tok.tag_ in ("NNP", "NNPS") or tok.lower_ in cues.PERSON_PRONOUNS | {"i", "they", "we"} \
        or is_person_noun(tok.lower_) or capitalised(tok) or voice_owner(tok) is not None  # "the voice of X"


def capitalised(tok: "Token") -> bool:
    """A capitalised word inside its sentence, whatever its tag ('said Tut', tagged a verb;
    'said Little', an adjective): beside a speech tag, a name."""
    return tok.is_alpha and tok.text[:1].isupper() and not tok.text.isupper() and not tok.is_sent_start


def named_beside(ctx: Ctx, cue: "Token", off: int) -> "Token | None":
    """A name the parser hung beside the cue rather than under it: a conjunct of the clause before
    ('the door was thrown open, and Julia, appearing at it, exclaimed'), or the root the cue's
    clause hangs on ('Aziz after another silence said', with "silence" for its subject)."""
    h = cue.head
    if cue.dep_ == "conj":
        names = [t for t in h.children if t.dep_ == "conj" and t.tag_ in ("NNP", "NNPS") and t.i < cue.i
                 and outside(ctx, t, off)]
        if names:
            return names[-1]
        # up the chain of joined verbs ('Mrs. Bennet begged ...; but Lady Catherine ... declined
        # ...; and then rising up, said': the name hung on the first verb is the subject of the
        # second, and the cue, joined to the second, has no subject of its own): the name after
        # a verb of the chain and before the next one
        below = h
        while below.dep_ == "conj" and below.head.i < below.i and below.head.tag_.startswith("VB") \
                and not any(c.dep_ in ("nsubj", "nsubjpass") for c in below.children):
            top = below.head
            names = [t for t in top.children if t.dep_ == "conj" and t.tag_ in ("NNP", "NNPS")
                     and top.i < t.i < below.i and outside(ctx, t, off)]
            if names:
                return names[-1]
            below = top
        return None
    if cue.dep_ == "advcl" and h.dep_ == "ROOT" and h.tag_ in ("NNP", "NNPS") and h.i < cue.i and outside(ctx, h, off):
        return h
    return None


def name_before_participle(ctx: Ctx, subj: "Token", off: int) -> "Token | None":
    """'"...?" jeered Fielding, drawing rein.': the parser took the participle's object ("rein") for
    the subject and hung the name on it; the name that opens the phrase, set off by a comma
    before the participle, is the subject."""
    doc = subj.doc
    left = subj.left_edge.i
    k = left
    while k < subj.i and doc[k].tag_ in ("NNP", "NNPS"):
        k += 1
    if k == left or k + 1 >= subj.i or doc[k].text != "," or doc[k + 1].tag_ != "VBG" or not outside(ctx, doc[k - 1], off):
        return None
    return doc[k - 1]


def set_off(verb: "Token") -> bool:
    """A verb the parser made modify the person before it, though a comma parts them and a
    quotation follows it: that person's own verb ("the Mouse, who ..., called out, '...'"), not
    a name given him ("a man called John")."""
    head = verb.head
    if not (head.tag_ in ("NNP", "NNPS") or is_person_noun(head.lower_)) or head.i >= verb.i:
        return False
    comma = any(t.text == "," for t in verb.doc[head.i + 1:verb.i])
    after = verb.doc[verb.i + 1:verb.i + 5]
    return comma and any(t.is_quote or t.text == ":" for t in after)


def object_before(ctx: Ctx, cue: "Token", off: int) -> "Token | None":
    """'But after it subsided one of the men said': a person right before a cue without a
    subject, whom the parser made the object of the clause before (an intransitive verb's)."""
    at = cue.i - 1
    while at > 0 and cue.doc[at].tag_ == "RB" and cue.doc[at].head.i == cue.i:
        at -= 1  # "one of the men then said"
    last = cue.doc[at] if at >= 0 else None
    if last is None or not outside(ctx, last, off):
        return None
    head = last
    while head.dep_ in ("pobj", "prep") and head.head.i < head.i:
        head = head.head  # from "men" up "of" to "one"
    if head.dep_ not in ("dobj", "pobj") or not (head.head.i < head.i < cue.i) or head.head.i == cue.i:
        return None
    person = head.tag_ in ("NNP", "NNPS") or is_person_noun(head.lower_) or (
        head.lower_ == "one" and any(c.lower_ == "of" for c in head.children))
    return head if person and max(t.i for t in head.subtree) == at else None


def gerund_owner(ctx: Ctx, cue: "Token", off: int) -> "Token | None":
    """'electrified by Mrs Croft's suddenly saying, "..."': the owner of a speaking gerund (or of
    the gerund it is joined to) speaks, however the parser hung the possessive."""
    if cue.tag_ != "VBG":
        return None
    if cue.dep_ == "conj":  # "Mr. Woodhouse's giving a gentle sigh, and saying": the first gerund's owner
        k = cue.i - 1
        while k > cue.sent.start and cue.doc[k].lower_ in (",", "and"):
            k -= 1
        cue = next((t for t in cue.doc[cue.sent.start:k + 1] if t.tag_ == "VBG" and t.right_edge.i == k), cue)
    at = cue.i - 1
    while at > 0 and cue.doc[at].tag_ == "RB":
        at -= 1
    pos = cue.doc[at] if at >= 0 else None
    if pos is None or pos.tag_ != "POS" or pos.i == 0:
        return None
    owner = cue.doc[pos.i - 1]
    return owner if owner.tag_ in ("NNP", "NNPS") and outside(ctx, owner, off) else None


def name_as_adverb(ctx: Ctx, cue: "Token", off: int) -> "RecordSpan | None":
    """'Dolly said', 'Milly asked': a name in -ly the tagger took for an adverb of the verb, or a
    name the parser hung on it as one ('Milly said, "..."', NNP as an adverbial modifier). The
    word before the cue is a name when the text uses it as one elsewhere (a one-word name never
    a place, or one with pronouns after it), not a word capitalised only to open a sentence."""
    prev = cue.doc[cue.i - 1] if cue.i > 0 else None
    if prev is None or prev.head.i != cue.i or not prev.text[:1].isupper() or prev.text in ctx.names.openers:
        return None
    if prev.tag_ in ("NNP", "NNPS") and prev.dep_ in ("advmod", "npadvmod"):
        return span_of(ctx, off, [prev])
    if prev.tag_ != "RB":
        return None
    known = (prev.text in ctx.names.unplaced or prev.text in ctx.names.by_gender) and \
        re.search(rf"\b{re.escape(prev.lower_)}\b", ctx.text) is None  # "Suddenly said": an adverb the text uses
    return span_of(ctx, off, [prev]) if known else None  # a Span: `who_of` reads a token by its tag


def subject_beside(ctx: Ctx, cue: "Token", off: int) -> "Token | RecordSpan | None":
    """A subject the parser did not hang on the cue: a capitalised phrase set off by commas
    before it, or the words after it in inverted order ('"..." declared the manifesto')."""
    doc = cue.doc
    at = unspaced(doc, cue.i)
    prev = doc[at - 1] if at > 0 else None
    # "..., Sotsialisticheskii vestnik, hailed": a capitalised phrase set off by commas
    if prev is not None and prev.text == ",":
        k = at - 2
        while k >= 0 and doc[k].text != "," and at - k <= 6 and doc[k].is_alpha:
            k -= 1
        if k >= 0 and doc[k].text == "," and k < at - 2 and doc[k + 1].text[:1].isupper() \
                and doc[k + 1].tag_ in ("NNP", "NNPS"):
            return span_of(ctx, off, list(doc[k + 1:at - 1]))
    if prev is not None and prev.tag_ == "RB" and at > 1:
        prev = doc[unspaced(doc, at - 1) - 1]  # '"...," eagerly rejoined Mrs. Elton'
    # inverted order after a quotation or comma: '..." declared the manifesto'
    if prev is None or not (prev.text in (",", '"', "\u201d", "'") or not outside(ctx, prev, off)):
        return None
    for c in cue.rights:
        if c.dep_ in ("nsubj", "dobj", "attr", "npadvmod", "oprd") and outside(ctx, c, off) \
                and c.tag_ in ("NN", "NNS", "NNP", "NNPS"):
            return name_before_participle(ctx, c, off) or hyphen_run(c)[-1]  # 'snarled the ex-convict': the convict
        if c.dep_ == "prep" and c.lower_ in PARTICLES and cue.lower_ in PHRASAL:
            # '"...," cut in the clear voice of Inspector Ratcliffe': the particle taken for a preposition
            obj = next((g for g in c.children if g.dep_ == "pobj" and outside(ctx, g, off) and a_person(g)
                        and g.tag_ not in ("NNP", "NNPS")), None)  # a name after it is read as before
            if obj is not None:
                return obj
    k = cue.i + 2 if cue.i + 2 < len(doc) and doc[cue.i + 1].lower_ in PARTICLES else cue.i + 1
    if k + 1 < len(doc) and doc[k].lower_ == "the" and (doc[k + 1].tag_ in ("NNP", "NNPS") or is_person_noun(
            doc[k + 1].lower_)) and outside(ctx, doc[k + 1], off):
        return doc[k + 1]  # '"Pontellier," said the Doctor, after a pause, "let ...": hung on the quoted verb
    nxt = doc[k] if k < len(doc) else None  # past a particle: '"...," broke in Adela'
    if nxt is not None and (nxt.tag_ in ("NNP", "NNPS") or capitalised(nxt)) and outside(ctx, nxt, off) and not (
            k > cue.i + 1 and nxt.ent_type_ in ("GPE", "LOC", "FAC") and cue.lower_ not in PHRASAL):  # "said in Moscow"
        # '"Oh!" cried Oliver.', '"...!" said Lucy, though ...': the name after the verb is its
        # subject, wherever the parser hung it; a name tagged as something else is taken as
        # written (a Span: `who_of` reads a token by its tag)
        return nxt if nxt.tag_ in ("NNP", "NNPS") else span_of(ctx, off, [nxt])
    return None


def named_before_clause(ctx: Ctx, cue: "Token", off: int) -> "Token | RecordSpan | None":
    """'One day, Bucharin, hearing that I meant to leave, said rather mysteriously, "..."': a name
    set off by a comma before a participle's clause that ends at the cue (commas and the cue's
    adverbs between) is the cue's subject, wherever the parser hung the name (here in apposition
    to the date before it) and the clause (on the cue, or on the word it took for the subject);
    so is a name whose relative clause ends there ('Edmund, who was holding open the door,
    said', the name taken for the apposition of the room before it)."""
    doc = cue.doc
    for c in doc[cue.sent.start:cue.i]:  # hung on the cue, or on what the parser took for its subject
        left, right = c.left_edge.i, c.right_edge.i
        participle = c.dep_ == "advcl" and c.tag_ in ("VBG", "VBN")
        relative = c.dep_ == "relcl" and c.head.i == left - 2 and doc[left].tag_ in ("WP", "WDT")
        if not (participle or relative) or left < 2 or doc[left - 1].text != ",":
            continue
        if any(t.text != "," and not (t.tag_ == "RB" and t.head.i == cue.i) for t in doc[right + 1:cue.i]):
            continue  # the clause must end at the cue: "Bucharin, hearing this, said"
        name = doc[left - 2]
        if name.tag_ not in ("NNP", "NNPS") or not outside(ctx, name, off):
            continue
        if name.dep_ not in ("pobj", "nsubj", "dobj"):
            return name
        if _of_time(name):  # a Span: the token, an object of "at", would read as a place
            k = name.i
            while k > left - 4 and doc[k - 1].tag_ in ("NNP", "NNPS"):
                k -= 1
            return span_of(ctx, off, list(doc[k:name.i + 1]))
    return None


def _of_time(name: "Token") -> bool:
    """The object of a "till", "until", ... the parser took for a preposition, which opens a
    clause of time of which it is the subject ('till Lady Narborough, looking at the clock,
    exclaimed'; 'until at last Lilia, getting angry, said')."""
    h = name
    for _ in range(3):  # up from the object through its prepositions ("until at last": "at", "until")
        if h.dep_ not in ("pobj", "prep") or h.head.i > h.i:
            return False
        h = h.head
        if h.lower_ in OF_TIME:
            return True
    return False


def in_brackets(tok: "Token") -> bool:
    """Whether a token stands inside round brackets within its sentence."""
    depth = 0
    for t in tok.sent:
        if t.i >= tok.i:
            break
        depth += (t.text == "(") - (t.text == ")")
    return depth > 0
