"""Who speaks a quotation and to whom, rule by rule in order of strength: the author of the
document it belongs to, the subject of a reporting cue, a named subject of the verb that
governs it, the subject of the clause before its colon, then the discourse (running speaker,
dialogue, earlier addressees). Each rule is named after the `method` value it gives."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Span as Sent
    from spacy.tokens import Token

from .. import cues
from ..discourse import Found, Who
from ..entities import is_person_noun
from ..records import Span as RecordSpan
from ..spans import QuotedSpan
from .addressees import audience_responds, recipient_of
from .context import Ctx, alone_in_paragraph, outside, span_of
from .cue_rules import cues_in, ranked_cues, subject_of, tags
from .dialogue import (
    carry_speaker,
    context_recipient,
    new_turn_pronoun,
    quote_names_addressee,
    running_speaker,
)
from .documents import document_of
from .replies import reply_of_addressed
from .terms import SHORT_WORDS, term_rules
from .token_shapes import one_or_other
from .who import cue_speaker, proper, who_of
from .windows import scope_cues, tokens_between


def attribute_one(ctx: Ctx, i: int, scope: list["Sent"], off: int) -> Found:
    """Kind, speaker and recipient of span i, whose sentences `scope` were parsed at `off`."""
    sp = ctx.spans[i]
    qtext = ctx.text[sp.start:sp.end]
    qtoks = tokens_between(scope, sp.start - off, sp.end - off)
    words = len(re.findall(r"\w+", qtext))
    term = term_rules(ctx, i, qtext, qtoks, words)
    if term is not None:
        return term
    f = Found("quotation")
    document = document_author(ctx, f, qtoks, off) if qtoks else None
    heard = cue_subject(ctx, f, scope, qtoks, words, off) if f.speaker is None else False
    new_turn_pronoun(ctx, f, sp)
    quote_names_addressee(ctx, f, sp, qtext, qtoks, scope, off)
    if f.speaker is None:
        subject_of_governing_verb(ctx, f, qtoks, off)
    if f.speaker is None and not heard and qtoks:
        colon_clause_subject(ctx, f, sp, scope, off)
    elif f.speaker is not None and f.recipient is None and qtoks:
        colon_clause_addressee(ctx, f, sp, scope, off)
    replied = f.speaker is None and reply_of_addressed(ctx, f, sp)
    if f.speaker is None:
        # an answer whose asker had no known addressee: someone spoke, not the one who asked
        if running_speaker(ctx, f, heard or replied, document, words, qtext) or f.kind_method == "cue-unresolved":
            pass  # a running speaker, words said, or a tag whose speaker the parser lost (cue_subject)
        elif alone_in_paragraph(ctx, sp):
            f.kind_method = "turn-of-talk"
        else:
            return Found("term", "short-no-cue")
    else:
        assert f.method is not None  # every rule that names a speaker names itself
        f.kind_method = f.method if f.kind == "quotation" else f"{f.method}-label"
    audience_responds(ctx, f, qtoks, off)
    context_recipient(ctx, f, sp, heard)
    carry_speaker(ctx, f, sp)
    return f


def document_author(ctx: Ctx, f: Found, qtoks: list["Token"], off: int) -> "Token | None":
    """1. A document with a named author: "Marx's inaugural address (...)". Fills `f`; returns
    the document noun (None if the quotation belongs to none)."""
    who, rec, noun = document_of(ctx, qtoks, off)
    if who is not None and noun is not None:  # an author comes with the document noun that names it
        f.speaker, f.method, f.cue = who, "document-author", span_of(ctx, off, [noun])
    if rec is not None:
        f.recipient, f.recipient_method = rec, "document-addressee"
    return noun


def cue_subject(ctx: Ctx, f: Found, scope: list["Sent"], qtoks: list["Token"], words: int, off: int) -> bool:
    """2. The subject of a reporting cue that governs the quotation or frames its sentence
    (also `according-to`, `in-the-words-of`). Fills `f`; returns whether some cue had a
    subject the text does not name ("he said" with no antecedent)."""
    heard = False
    # a sentence of the scope that begins after the quotation is its cue sentence (rules.unit)
    after = scope[-1] if qtoks and len(scope) > 1 and scope[-1].start > qtoks[-1].i else None
    for cue in ranked_cues(scope_cues(ctx.cue_cache, scope, off, lambda ss, o: cues_in(ctx, ss, o)), qtoks,
                           words <= SHORT_WORDS, after):
        subj = subject_of(ctx, cue, off)
        who = cue_speaker(who_of(ctx, subj, off), subj, cue) if subj is not None else None
        if who is None or who.kind == "place":
            # '"...," added the other' with no group in view: no subject the parser saw, as before
            unnamed = subj is not None and not (
                not isinstance(subj, RecordSpan) and subj.dep_ == "dobj" and one_or_other(subj))
            if unnamed and not heard and f.recipient is None:
                # "they told me" with no "they" in view: whom the words were for is still plain
                f.recipient, f.recipient_method = recipient_of(ctx, cue, off)
            heard = heard or unnamed  # someone the text does not name spoke
            if tags(cue, qtoks) and cue.lower_ not in cues.OPINION_VERBS:
                # the quotation's own tag, whose speaker the parser lost ('"Well," replied the
                # other'): its words were said, not a term, whoever the running speaker is (not
                # 'They are not considered "paupers"': a label)
                f.kind_method = "cue-unresolved"
            continue
        f.speaker, f.method = who, {"according": "according-to", "words": "in-the-words-of"}.get(
            cue.lower_, "cue-subject")
        first = cue.head if cue.lower_ == "words" else cue
        end = cue.nbor(1) if cue.lower_ == "according" else cue
        f.cue = span_of(ctx, off, [first, end])
        if words <= SHORT_WORDS and (cue.lower_ in cues.OPINION_VERBS or any(
                c.lower_ == "what" and outside(ctx, c, off) for c in cue.children)):
            # "Kuznetsov regarded them as 'antithetical forces'", "what MacDougall
            # calls 'negative self-feeling'": a label that is theirs, not an utterance (not
            # '"What?" she said', whose "what" is the words said)
            f.kind = "term"
        rec, rmethod = recipient_of(ctx, cue, off)
        if rec is not None and rec.name != who.name:  # '"Why not?" asked Mr. Pell': his cue, not his addressee
            f.recipient, f.recipient_method = rec, rmethod
        break
    return heard


def _attributed_to(before: list["Token"]) -> "Token | None":
    """The person words are attributed or ascribed to, named last before a colon."""
    last = before[-1] if before else None
    if last is None or last.dep_ != "pobj" or last.head.lower_ != "to":
        return None
    verb = last.head.head
    return last if verb.lower_ in ("attributed", "ascribed") and last.tag_ in ("NNP", "NNPS") else None


def subject_of_governing_verb(ctx: Ctx, f: Found, qtoks: list["Token"], off: int) -> None:
    """4. A named person or body as the active subject of the verb that governs the quotation:
    "Radek poured contempt on Miasnikov's 'high-flown formula'"."""
    for a in [t for t in qtoks if t.head not in qtoks]:
        v = a.head
        while not (v.tag_.startswith("VB") or v.tag_ == "MD") and v.head.i != v.i:
            v = v.head
        if v in qtoks or v.lower_ in cues.COPULAS:
            continue  # "He was a 'bourgeois specialist'": a description, not his words
        subj = next((c for c in v.children if c.dep_ == "nsubj" and outside(ctx, c, off)), None)
        # a named body too ("the Bolsheviki demanded 'all power'"), or people the tagger took for one
        kinds: tuple[str, ...] = ("person", "group")
        doc = v.head
        if subj is None and v.dep_ in ("acl", "relcl") and cues.is_document_noun(doc.lower_) \
                and doc.dep_ == "dobj" and doc.head.lower_ in cues.ISSUING_VERBS:
            # "The Soviet passed a resolution expressing '...'": the body that issued it speaks
            v = doc.head
            subj = next((c for c in v.children if c.dep_ == "nsubj" and outside(ctx, c, off)), None)
        if subj is not None and (subj.tag_ in ("NNP", "NNPS") or subj.lower_ in cues.PERSON_PRONOUNS):
            who = who_of(ctx, subj, off)
            if who is not None and who.kind in kinds:
                f.speaker, f.method, f.cue = who, "subject-of-governing-verb", span_of(ctx, off, [v])
                return


def _conj_subject(ctx: Ctx, v: "Token", off: int) -> "Token | None":
    """The subject of the first of coordinated verbs, which the later ones share ("delegates were
    arriving in the city and put the question"): a person, a noun for people, or a name."""
    h = v
    while h.dep_ == "conj" and h.head.i != h.i:
        h = h.head
    subj = next((c for c in h.children if c.dep_ == "nsubj" and outside(ctx, c, off)), None)
    return subj if subj is not None and (subj.tag_ in ("NNP", "NNPS") or is_person_noun(subj.lower_)
                                         or subj.lower_ in cues.PERSON_PRONOUNS) else None


def _before_colon(ctx: Ctx, sp: QuotedSpan, scope: list["Sent"], off: int) -> list["Token"]:
    """The words of the clause before the colon that introduces quotation sp (none without one)."""
    lo = ctx.source.paragraphs[sp.paragraph][0]
    window = ctx.text[max(lo, sp.start - 80):sp.start - 1].rstrip()
    if window.endswith(":-"):
        window = window[:-1]  # the old printers' colon-dash ("said:-")
    if not window.endswith(":"):
        return []
    colon_at = max(lo, sp.start - 80) + len(window) - 1  # offset of the colon
    before = [t for s_ in scope for t in s_ if off + t.idx + len(t.text) <= colon_at]
    if not before and scope and scope[0].start > 0:  # the parser began a sentence at the quotation
        before = [t for t in scope[0].doc[scope[0].start - 1].sent if off + t.idx + len(t.text) <= colon_at]
    return before


def colon_clause_addressee(ctx: Ctx, f: Found, sp: QuotedSpan, scope: list["Sent"], off: int) -> None:
    """'A member of the mission expressed himself thus to me ...: "...," he said': whom the
    speaker's own clause before the colon was said to (`cue-addressee`, `turned-to`)."""
    assert f.speaker is not None  # the caller found the speaker
    verbs = [t for t in _before_colon(ctx, sp, scope, off) if t.tag_.startswith("VB")]
    v = verbs[-1] if verbs else None
    while v is not None and not any(c.dep_ == "nsubj" for c in v.children) and v.head.i != v.i:
        v = v.head
    subj = next((c for c in v.children if c.dep_ == "nsubj" and outside(ctx, c, off)), None) if v is not None else None
    who = who_of(ctx, subj, off) if subj is not None else None
    if v is None or who is None or who.name != f.speaker.name:
        return
    rec, method = recipient_of(ctx, v, off)
    if rec is not None and rec.name != f.speaker.name:
        f.recipient, f.recipient_method = rec, method


def colon_clause_subject(ctx: Ctx, f: Found, sp: QuotedSpan, scope: list["Sent"], off: int) -> None:
    """4b. A quotation introduced by a colon: the subject of the clause before it speaks ("the
    chairman cut him off: 'Sit down!'")."""
    before = _before_colon(ctx, sp, scope, off)
    v = before[-1] if before else None
    owner = _attributed_to(before)
    if owner is not None:
        v = None  # "the words attributed to Trotsky:": the one they are attributed to
        who = who_of(ctx, owner, off)
        if who is not None and outside(ctx, owner, off):
            f.speaker, f.method, f.cue = who, "colon-clause-subject", span_of(ctx, off, [owner.head.head])
        return
    while v is not None and not v.tag_.startswith("VB") and v.head.i != v.i:
        v = v.head
    if v is not None and v.lower_ in cues.HEARING_VERBS:
        return  # "Everywhere I heard the same story:": the one who heard it did not say it
    subj = next((c for c in v.children if c.dep_ == "nsubj" and outside(ctx, c, off)), None) if v is not None else None
    if subj is None and v is not None and v.dep_ == "conj":
        subj = _conj_subject(ctx, v, off)  # "delegates were arriving ... and put the question:"
    if subj is None and v is not None:  # "They were interrupted by Mrs. Allen:": the passive's doer
        agent = next((g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"), None)
        if agent is not None and outside(ctx, agent, off) and (agent.tag_ in ("NNP", "NNPS") or is_person_noun(agent.lower_)):
            subj = agent
    who = who_of(ctx, subj, off) if subj is not None else None
    if subj is not None and cues.is_document_noun(subj.lower_):
        # "Plekhanov's reply was short: '...'": the author of the reply speaks (a
        # capitalised possessor, however the tagger labelled it)
        poss = next((c for c in subj.children if c.dep_ == "poss" and c.text[:1].isupper()
                     and c.tag_ not in ("PRP$", "WP$")), None)
        if poss is not None:
            who = proper(ctx, poss, off)
    if who is not None and v is not None and who.kind == "place" and v.lower_ in cues.REPORTING_VERBS:
        who = Who(who.name, who.mention, who.basis, "person")  # "Kollontai later wrote: ..."
    if who is not None and v is not None and who.kind in ("person", "group", "document", "publication"):
        f.speaker, f.method, f.cue = who, "colon-clause-subject", span_of(ctx, off, [v])
