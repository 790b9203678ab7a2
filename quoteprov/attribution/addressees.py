"""The addressee stated with a reporting cue: `said to X`, `told X`, a dative (cue-addressee), `in a
letter to X` (letter-to), `writing to X` (writing-to), `turning to X` (turned-to), and the
addressee of a document noun (`his letter to X`); and the audience that answers the words right
after them (`to which the audience responded`: audience-responds)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Token

from .. import cues
from ..discourse import Found, Who
from ..entities import names_people, person_noun
from .context import Ctx, outside
from .who import who_of


def recipient_of(ctx: Ctx, cue: "Token", off: int) -> tuple[Who | None, str | None]:
    """The addressee stated with the cue and the rule that found it: `to X`, a dative, `told X`
    (cue-addressee), `in a letter to X` (letter-to), `writing to X` (writing-to)."""
    if cue.lower_ in ("according", "words"):
        return None, None
    for rule, method in ((cue_addressee, "cue-addressee"), (letter_to, "letter-to"), (writing_to, "writing-to"),
                         (turned_to, "turned-to")):
        w = rule(ctx, cue, off)
        if w is not None:
            return w, method
    return None, None


def cue_addressee(ctx: Ctx, cue: "Token", off: int) -> Who | None:
    """`said to X`, `told X`, a dative: the cue's own object."""
    low = cue.lower_
    for c in cue.children:
        obj = None
        if c.dep_ == "dative":
            obj = c if c.tag_ not in ("IN", "TO") else next((g for g in c.children if g.dep_ == "pobj"), None)
        elif c.dep_ == "prep" and c.lower_ == "to" and low in cues.ADDRESSING_VERBS:
            obj = next((g for g in c.children if g.dep_ == "pobj"), None)
        elif c.dep_ == "dobj" and low in cues.OBJECT_ADDRESSEE_VERBS:
            obj = c
        w = _named(ctx, obj, off)
        if w is not None:
            return w
    return None


def _named(ctx: Ctx, obj: "Token | None", off: int) -> Who | None:
    """Whom an object outside the quotation names, unless it is a place ("told it in Moscow")."""
    w = who_of(ctx, obj, off) if obj is not None and outside(ctx, obj, off) else None
    return w if w and w.kind != "place" else None


def turned_to(ctx: Ctx, cue: "Token", off: int) -> Who | None:
    """'said X, turning round to Pooh', 'I showed it to Bucharin and said': the person (or the
    body: 'turned to the Mensheviki and shouted') a verb joined to the cue is directed to (its `to`
    object or dative) is spoken to."""
    joined = [c for c in cue.children if outside(ctx, c, off) and (
        c.dep_ in ("advcl", "conj", "xcomp") and c.tag_ in ("VBG", "VBD", "VBN") or c.dep_ == "ccomp" and c.tag_ == "VBG")]
    if cue.dep_ == "conj" and cue.head.tag_.startswith("VB"):
        joined.append(cue.head)
    for v in joined:
        for c in v.children:
            if c.dep_ == "dative" or (c.dep_ == "prep" and c.lower_ == "to"):
                obj = c if c.tag_ not in ("IN", "TO") else next((g for g in c.children if g.dep_ == "pobj"), None)
                w = who_of(ctx, obj, off) if obj is not None and outside(ctx, obj, off) else None
                if w is not None and obj is not None and w.kind == "group" and v.lower_ in cues.TURNING_VERBS:
                    return w  # "Trotsky turned to the Mensheviki and shouted": the body he faced (not
                    # "pointed to the Kremlin and remarked": a body is spoken to only by one turned to)
                if w is not None and obj is not None and (w.kind == "person" or w.kind == "place" and obj.ent_type_ in ("", "PERSON")):
                    # "to Pooh" is a place only by its preposition; the parser saw no place
                    return Who(w.name, w.mention, w.basis, "person")
    return None


def letter_to(ctx: Ctx, cue: "Token", off: int) -> Who | None:
    """"In a letter to X, ..., he described": the addressee of a document the cue is made in."""
    for c in cue.children:
        if c.dep_ == "prep" and c.lower_ in ("in", "by", "through", "with"):
            noun = next((g for g in c.children if g.dep_ == "pobj"), None)
            if noun is not None and cues.is_document_noun(noun.lower_):
                w = noun_addressee(ctx, noun, off)
                if w:
                    return w
    return None


def writing_to(ctx: Ctx, cue: "Token", off: int) -> Who | None:
    """"Gorky, writing to Romain Rolland, described ...": a participle of writing on the cue or
    on its subject."""
    subj = next((c for c in cue.children if c.dep_ == "nsubj"), None)
    for part in [*cue.children, *(subj.children if subj is not None else ())]:
        if part.dep_ in ("acl", "advcl") and part.lower_ in cues.ADDRESSING_VERBS:
            to = next((c for c in part.children if c.dep_ == "prep" and c.lower_ == "to"), None)
            w = _named(ctx, next((g for g in to.children if g.dep_ == "pobj"), None) if to is not None else None, off)
            if w is not None:
                return w
    return None


def noun_addressee(ctx: Ctx, noun: "Token", off: int) -> Who | None:
    for c in noun.children:
        if c.dep_ == "prep" and c.lower_ == "to":
            w = _named(ctx, next((g for g in c.children if g.dep_ == "pobj"), None), off)
            if w is not None:
                return w
    return None


def audience_responds(ctx: Ctx, f: Found, qtoks: list["Token"], off: int) -> None:
    """'calling for "three cheers for our brave fellows," to which the audience responded': a
    group of people (an audience, a crowd, the delegates) that answers the words ("to which", "at
    which", "whereupon") in the sentence that ends them heard them: their recipient
    (audience-responds), the speaker being another."""
    if not qtoks or f.speaker is None or f.recipient is not None:
        return
    last = qtoks[-1]
    for t in last.sent:
        if t.i <= last.i or t.lower_ not in cues.RESPONDING_VERBS or not outside(ctx, t, off) or not any(
                c.lower_ in ("which", "whereupon") for c in t.subtree if c.i < t.i):
            continue  # "to which", "at which": a clause of the words' own sentence, not "made his friends laugh"
        subj = next((c for c in t.children if c.dep_ == "nsubj" and outside(ctx, c, off)), None)
        if subj is None or subj.tag_ not in ("NN", "NNS") or not (
                person_noun(subj.lower_) == "group" and (subj.tag_ == "NN" or names_people(subj.lower_))
                or subj.lower_ in cues.ASSEMBLY_NOUNS):
            continue
        who = who_of(ctx, subj, off)
        if who is not None and who.name != f.speaker.name:
            f.recipient, f.recipient_method = who, "audience-responds"
        return
