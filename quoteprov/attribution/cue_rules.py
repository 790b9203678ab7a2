"""Reporting cues ("said", "according to", "in the words of"), which of them governs a
quotation and the cue's subject (its speaker). The addressee stated with a cue is `addressees`'s."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Span as Sent
    from spacy.tokens import Token

    from ..records import Span as RecordSpan

from .. import cues
from ..entities import is_person_noun, person_noun
from .context import Ctx, outside
from .hidden import (
    OF_TIME,
    PARTICLES,
    PHRASAL,
    a_person,
    gerund_owner,
    in_brackets,
    name_as_adverb,
    name_before_participle,
    named_before_clause,
    named_beside,
    object_before,
    set_off,
    subject_beside,
    unspaced,
)
from .token_shapes import one_or_other


def cues_in(ctx: Ctx, sents: list["Sent"], off: int) -> list["Token"]:
    out = []
    for sent in sents:
        for t in sent:
            if not outside(ctx, t, off):
                continue
            if t.lower_ == "according" and t.i + 2 < len(t.doc) and t.nbor(1).lower_ == "to":
                if t.nbor(2).lower_ not in ("which", "whom"):  # "the view according to which"
                    out.append(t)
            elif t.lower_ == "words" and t.head.lower_ == "in" and any(
                    c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ == "of") for c in t.children):
                out.append(t)  # "in the words of Kautsky", "in Kautsky's words"
            elif t.lower_ in cues.REPORTING_VERBS and (t.dep_ != "amod" or _inverted(ctx, t, off)) and (t.tag_.startswith("VB") or (
                    t.dep_ == "ROOT" and any(c.dep_ == "nsubj" for c in t.children))):  # "speak" mis-tagged NN
                if t.i > 0 and t.nbor(-1).lower_ in ("so", "so-"):
                    continue  # so-called
                if t.lower_ == "put" and not any(c.dep_ == "dobj" and c.lower_ == "it" for c in t.children) and not (
                        t.i + 1 < len(t.doc) and t.nbor(1).lower_ == "in" and _inverted(ctx, t, off)):
                    continue  # "as he put it", '"...," put in Freddy', not "put into practice"
                out.append(t)
            elif (t.tag_ in ("VBD", "VBZ") or (t.tag_ == "VBN" and _inverted(ctx, t, off))
                  or (t.tag_ == "VB" and t.lower_ in PHRASAL)) \
                    and t.lower_ not in cues.REPORTING_VERBS and speech_tag(ctx, t, off):
                out.append(t)
    return out


_PAUSE_BEFORE_CLOSE = (",", "!", "?", "-", "\u2013", "\u2014")
# the parser has no lemmas: the forms that never make a speech tag ('"...," was the reply')
# nor "came": '"...?" came Tibby's voice' is the voice's, which the reply rules read
_NOT_TAGS = cues.COPULAS | frozenset("has had have does did do came come comes".split())
_TAG_SUBJECT = ("NNP", "NNPS", "PRP", "DT", "JJ", "NN", "NNS", "PRP$")


def _closes_quote(ctx: Ctx, tok: "Token", off: int) -> bool:
    """Whether tok is the closing mark of a quotation of its paragraph that ends in a pause
    ('," ', '!" ', '?" ', '--" '), or a comma right after one."""
    if tok.text == "," and tok.i > 0:
        tok = tok.nbor(-1)
    at = off + tok.idx
    before = ctx.text[max(0, at - 8):at].rstrip(" ")  # '"He only says reduced, " corrected X': a text's stray space
    return before[-1:] in _PAUSE_BEFORE_CLOSE and any(
        sp.end == at and sp.close_mark is not None for sp in ctx.para_spans)


def _inverted(ctx: Ctx, verb: "Token", off: int) -> bool:
    """The verb stands right after a quotation that pauses ('"Missed it!" bawled Tarrant'):
    the place of an inverted speech tag, whatever the parser made of it (a participle, an
    adjective of the name after it)."""
    doc = verb.doc
    before = unspaced(doc, verb.i - 1 if verb.i > 1 and doc[verb.i - 1].tag_ == "RB" else verb.i)
    return before > 0 and _closes_quote(ctx, doc[before - 1], off)


def speech_tag(ctx: Ctx, verb: "Token", off: int) -> bool:
    """A verb in the place of a speech tag is a reporting verb whatever it means elsewhere:
    right after a quotation that pauses, before its subject ('"Exposure!" hissed Mr. Eager',
    '"...," faltered Lucy'), or after a short subject there and before a pause ('"Well,"
    Lucy faltered.', '"No!" he gasped, turning')."""
    doc = verb.doc
    if verb.i + 1 >= len(doc) or verb.lower_ in _NOT_TAGS:
        return False  # '"...," was the astounding reply': a copula, not a speech tag
    nxt = doc[verb.i + 1]
    before = unspaced(doc, verb.i - 1 if verb.i > 1 and doc[verb.i - 1].tag_ == "RB" else verb.i)  # '"...," eagerly rejoined X'
    if before > 0 and _closes_quote(ctx, doc[before - 1], off):  # inverted: the subject follows
        k = verb.i + 1
        # past the particle of a phrasal verb ('"...," broke in Adela') and the article
        while k < len(doc) and k - verb.i <= 4 and (doc[k].tag_ in ("DT", "JJ", "PRP$", "RP") or (
                k == verb.i + 1 and doc[k].lower_ in PARTICLES)):
            k += 1
        return k < len(doc) and a_person(doc[k])
    # the verb of the sentence, not of a clause inside it ('said Oliver, when Mrs. Maylie
    # returned, "..."': the words go on from the tag before)
    main = verb.dep_ == "ROOT" or (verb.dep_ == "conj" and verb.head.dep_ == "ROOT")
    if verb.tag_ == "VBD" and main and opens_quote_after(ctx, verb, off) and any(
            c.dep_ == "nsubj" and c.i < verb.i and a_person(c) for c in verb.children):
        return True  # 'Fearenside howled, "Lie down!"': the verb introduces the words right after it
    k = verb.i - 1
    while k >= 0 and verb.i - k <= 4 and doc[k].tag_ in _TAG_SUBJECT and outside(ctx, doc[k], off):
        k -= 1
    k = unspaced(doc, k + 1) - 1
    if nxt.tag_ == "RP" or nxt.lower_ in PARTICLES and verb.i + 2 < len(doc) and doc[verb.i + 2].is_punct:
        nxt = doc[verb.i + 2] if verb.i + 2 < len(doc) else nxt  # '"...," the Dormouse went on, yawning'
    return k >= 0 and k < verb.i - 1 and _closes_quote(ctx, doc[k], off) and a_person(doc[verb.i - 1]) and (
        nxt.is_punct or nxt.tag_ in ("RB", "IN"))


def mark_after(c: "Token") -> "Token | None":
    """The quotation mark right after a verb, past an adverb or two and a comma, colon or dash
    ('roared, "Hold fast!"', 'said quietly: "..."', 'Babs said, "..."'), if one stands there (not
    past a particle: 'she went on, "..."' goes on with words already said)."""
    doc = c.doc
    k = c.i + 1
    while k < len(doc) and doc[k].tag_ == "RB" and k - c.i <= 2:
        k += 1
    if k + 1 >= len(doc) or doc[k].text not in (",", ":", "--", "\u2014") or not doc[k + 1].is_quote:
        return None
    return doc[k + 1]


def opens_quote_after(ctx: Ctx, verb: "Token", off: int) -> bool:
    """A quotation of the paragraph opens at the mark right after the verb (`mark_after`): the
    verb introduces it."""
    mark = mark_after(verb)
    return mark is not None and any(sp.start == off + mark.idx + len(mark.text) for sp in ctx.para_spans)


def _tags_quote(c: "Token", last: int) -> bool:
    """The cue is the quotation's tag: right after its closing mark, with at most a short
    subject between ('"Oh! I hope so!" cried Oliver.', where the parser hung the verb on the
    quoted words; '"...!" Oliver cried.')."""
    between = c.doc[last + 1:c.i]
    return 0 < c.i - last <= 6 and any(t.is_quote for t in between) and all(
        t.is_punct or t.is_space or t.tag_ in _TAG_SUBJECT for t in between)


def tags(c: "Token", qtoks: list["Token"]) -> bool:
    """The cue is the quotation's own tag, right after it or right before it: its words were
    said, whoever said them ('"Well," replied the other')."""
    return bool(qtoks) and (_tags_quote(c, qtoks[-1].i) or _opens_quote(c, qtoks[0].i))


def ranked_cues(cands: list["Token"], qtoks: list["Token"], short: bool = False,
                after: "Sent | None" = None) -> list["Token"]:
    """Cues that govern the quotation or frame its sentence, best first: a parenthetical
    reporting clause ("Miasnikov, he added, maintains that ...", "as Fischer recalls")
    frames the whole sentence, as does the cue sentence the parser split off after it
    (`after`: '"Is it late?" Bill asked.'); otherwise the governing cue nearest in the tree."""
    anchors = [t for t in qtoks if t.head not in qtoks or t.head.i == t.i]

    def depth(c: "Token") -> int | None:
        best = None
        for a in anchors:
            if a.i == c.i:
                return 0
            for k, anc in enumerate(a.ancestors, 1):
                if anc.i == c.i:
                    best = k if best is None else min(best, k)
                    break
        return best

    q0 = qtoks[0].i if qtoks else 0
    opened = any(_opens_quote(c, q0) for c in cands)

    def framing(c: "Token") -> bool:
        if after is not None and after.start <= c.i < after.end:
            # 'Milly said, "Are you in town?" Babs said, "..."': a sentence after the quotation
            # that introduces words of its own is their cue, not this one's, which has its own
            return not (opened and mark_after(c) is not None)
        if tags(c, qtoks):
            return True
        if in_brackets(c):
            return False  # "(what I can well believe)" is an aside, not the report
        return c.lower_ in ("according", "words") or c.dep_ == "parataxis" or (
            c.dep_ == "advcl" and _as_comment(c))

    q1 = qtoks[-1].i if qtoks else 0
    scored = []
    for c in cands:
        d = depth(c)
        if d is None and not framing(c):
            continue
        if short and not framing(c) and d is not None and d > 2:
            continue  # a label deep in a clause is not what the cue reports
        adjacent = min(abs(c.i - q0), abs(c.i - q1)) <= 4
        opinion = c.lower_ in cues.OPINION_VERBS
        scored.append(((not framing(c), not adjacent, opinion, d if d is not None else 99, abs(c.i - q0)), c))
    return [c for _, c in sorted(scored, key=lambda x: x[0])]


def _opens_quote(c: "Token", first: int) -> bool:
    """The cue introduces the quotation right after it, however the parser hung the two: only
    a few words without a verb (an adjective the tagger took for one is none: 'in a rather
    offended tone') and a colon, comma or dash stand between ('... and said in shrill tones:
    "Dr. Aziz, ..."', where the parser hung the clause on the quoted verb), or nothing but an
    adverb ('the Queen said severely "Who is this?"')."""
    between = [t for t in c.doc[c.i + 1:first] if not t.is_space]
    if not between or not between[-1].is_quote or first - c.i > 10:
        return False
    words = between[:-1]
    if all(t.tag_ in ("RB", "RP") for t in words):
        return True  # 'the Queen said severely "Who is this?"': nothing but the manner between
    return words[-1].text in (":", ",", "--", "\u2014") and not any(
        t.tag_.startswith("VB") and t.dep_ != "amod" or t.is_quote or t.text in (".", "!", "?", ";") for t in words)


def _as_comment(c: "Token") -> bool:
    """'as Fischer recalls': a clause with `as` hung on a verb comments on the whole sentence.
    Not a comparison or a time ('said Emma, as soon as she could speak', 'as long as he
    lived'), whose `as` clause hangs on an adverb and whose `as` follows another word."""
    if not c.head.tag_.startswith(("VB", "MD")):
        return False
    for m in c.children:
        if m.lower_ == "as" and m.dep_ in ("mark", "advmod"):
            before = c.doc[m.i - 1] if m.i > 0 else None
            return before is None or before.tag_ not in ("RB", "JJ", "RBR", "JJR")
    return False


def subject_of(ctx: Ctx, cue: "Token", off: int) -> "Token | RecordSpan | None":
    """The reporting cue's speaker token (or a Span for a name the parser split)."""
    if cue.lower_ == "according":
        return next((c for c in cue.subtree if c.dep_ == "pobj" and outside(ctx, c, off)), None)
    if cue.lower_ == "words":
        for c in cue.children:
            if c.dep_ == "poss":
                return c
            if c.dep_ == "prep" and c.lower_ == "of":
                return next((g for g in c.children if g.dep_ == "pobj"), None)
        return None
    if cue.lower_.startswith(("quot", "cit")):  # "Quoting Marx's address": the author quoted
        for c in cue.children:
            if c.dep_ == "dobj":
                poss = next((g for g in c.children if g.dep_ == "poss"), None)
                if poss is not None:
                    return poss
    v = cue
    for _ in range(4):
        # not a participle the parser took for the subject ('said Fielding, wincing')
        subjs = [c for c in v.children if c.dep_ == "nsubj" and outside(ctx, c, off)
                 and c.lower_ not in ("there",) and not (c.tag_.startswith("VB") and not is_person_noun(c.lower_))]
        # two subjects hung on one verb ('Katharine, having interposed ..., Denham made no comment,
        # but said'): the one next to it is its own, the first opened an absolute phrase
        before = [c for c in subjs if c.i < v.i]
        subj = before[-1] if len(before) > 1 and before[-1].tag_ in ("NNP", "NNPS") else (subjs[0] if subjs else None)
        if subj is not None and not (subj.lower_ == "it" and subj.dep_ == "expl"):
            if v.i == cue.i and subj.tag_ == "NN" and not is_person_noun(subj.lower_) \
                    and not cues.is_document_noun(subj.lower_) and not _adverb_as_noun(subj):
                return named_beside(ctx, cue, off) or name_before_participle(ctx, subj, off) or subj  # "Aziz after another silence said"
            return _past_adverb(subj)
        other = next((c for c in v.children if c.dep_ == "dobj" and one_or_other(c)), None)
        if other is not None:
            return other  # '"...," replied the other', its subject taken for an object
        agent = next((c for c in v.children if c.dep_ == "agent"), None)
        if agent is not None:
            obj = next((g for g in agent.children if g.dep_ == "pobj"), None)
            if obj is not None:
                return obj
        found = _hidden_subject(ctx, cue, v, off)
        if found is not None:
            return found
        if any(c.dep_ in ("auxpass", "nsubjpass") for c in v.children):
            break  # "which was demanded": a passive without agent names no speaker
        shared = _asked_one(ctx, cue, v, off) or (_joined_to_nearer(ctx, cue, off) if v.i == cue.i else None)
        if shared is not None:
            return shared
        if v.dep_ in ("conj", "xcomp", "advcl") and v.head.i != v.i or (
                v.dep_ == "dep" and v.head.tag_.startswith("VB") and v.head.i < v.i):  # "Jacky sighed, said,"
            v = v.head
        elif v.dep_ == "acl" and v.i == cue.i and set_off(v):
            return v.head  # "the Mouse, who seemed ..., called out, '...'": the parser hung the verb on him
        else:
            return elided_subject(ctx, v, off) if v.dep_ == "ROOT" else None
    return None


def _hidden_subject(ctx: Ctx, cue: "Token", v: "Token", off: int) -> "Token | RecordSpan | None":
    """A subject the parser hid from the cue (`hidden`), or from the sentence's verb the cue is
    joined to ('Fanny, feeling it due to herself, returned to him, and said, "..."': the name opens
    the clause of that verb)."""
    if v.i == cue.i:
        return name_as_adverb(ctx, cue, off) or subject_beside(ctx, cue, off) or named_beside(ctx, cue, off) \
            or object_before(ctx, cue, off) or gerund_owner(ctx, cue, off) or named_before_clause(ctx, cue, off)
    return named_before_clause(ctx, v, off) if v.dep_ == "ROOT" else None


def _asked_one(ctx: Ctx, cue: "Token", v: "Token", off: int) -> "Token | None":
    """'when I asked her her reason she smiled, and ... replied:': an answering verb with no
    subject of its own that the parser joined to a verb of asking answers for the one asked
    (its object), not for the asker whose subject the two would otherwise share."""
    if v.dep_ != "conj" or cue.lower_ not in cues.ANSWERING_VERBS or v.head.lower_ not in cues.ASKING_VERBS:
        return None
    return next((c for c in v.head.children if c.dep_ in ("dobj", "dative") and outside(ctx, c, off)
                 and (c.lower_ in cues.PERSON_PRONOUNS or c.tag_ in ("NNP", "NNPS") or is_person_noun(c.lower_))), None)


def _past_adverb(subj: "Token") -> "Token":
    """'"A week!" said Tut carelessly': the parser may make the adverb the subject and the name
    before it a compound of the adverb; the subject is that name (or noun: 'said the
    station-master carelessly'), or the adjective after the name ('said George, impassive',
    where the name is the adjective's modifier), or the adverb in -ly it tagged a noun with the
    name its compound ('said Cecil stiffly,': no such noun follows a name and ends a clause)."""
    if subj.tag_ not in ("RB", "JJ") and not _adverb_as_noun(subj):
        return subj
    nouns = [c for c in subj.children if c.dep_ in ("compound", "nmod") and c.tag_ in ("NN", "NNS", "NNP", "NNPS")]
    return nouns[-1] if nouns else subj


def _adverb_as_noun(t: "Token") -> bool:
    """'said Cecil stiffly,' parsed as the noun "stiffly" with "Cecil" its compound: a lower-case
    word in -ly, no noun for a person or a body, right after a capitalised compound, after its
    verb and before a stop, or right before its verb."""
    nxt = t.doc[t.i + 1] if t.i + 1 < len(t.doc) else None
    # or before its verb, right beside it ('the March Hare meekly replied')
    placed = (t.i > t.head.i and (nxt is None or nxt.is_punct)) or (nxt is not None and nxt.i == t.head.i)
    return (t.text.islower() and len(t.text) > 4 and t.text.endswith("ly") and person_noun(t.lower_) is None
            and placed and any(c.dep_ == "compound" and c.i == t.i - 1 and c.text[:1].isupper() for c in t.children))


def _joined_to_nearer(ctx: Ctx, cue: "Token", off: int) -> "Token | None":
    """'this persuasion did not incline her to a reply, when John Thorpe came up to her and said,
    "..."': a cue that "and" joins to the clause of time right before it shares that clause's
    subject, though the parser joined it to the sentence's main verb; after a comma, only where
    the main verb's subject could not speak (`_speaks`)."""
    doc = cue.doc
    if cue.dep_ != "conj" or cue.i < 2 or doc[cue.i - 1].lower_ != "and":
        return None
    if doc[cue.i - 2].text == "," and _speaks(cue.head):
        # after a comma the cue is the main verb's, unless no one could speak it ('her heart was
        # still bounding with joy when Henry ... came into the room ..., and said')
        return None
    verbs = [t for t in doc[cue.head.i + 1:cue.i - 1] if t.tag_ in ("VBD", "VBZ", "VBP")
             and any(c.dep_ == "nsubj" for c in t.children)]
    if not verbs or not any(c.lower_ in OF_TIME and c.i < verbs[-1].i for c in verbs[-1].children):
        return None
    subj = next(c for c in verbs[-1].children if c.dep_ == "nsubj")
    person = subj.tag_ in ("NNP", "NNPS") or subj.lower_ in cues.PERSON_PRONOUNS or is_person_noun(subj.lower_)
    return subj if person and outside(ctx, subj, off) else None


def _speaks(v: "Token") -> bool:
    """Whether the subject of verb v could say words: anything but a thing named by a common
    noun ("her heart", "nothing")."""
    subj = next((c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return subj is None or not (subj.tag_ in ("NN", "NNS") and not is_person_noun(subj.lower_)
                                and not cues.is_document_noun(subj.lower_))


def elided_subject(ctx: Ctx, v: "Token", off: int) -> "Token | None":
    """The subject a verb shares with an earlier clause of its sentence when the parser gave it
    none ("when Harriet came ..., and after hesitating, thus began:"): the last named person or
    he/she that is a subject before it, not inside a relative clause ("Sir Thomas came towards
    the table where she sat ..., and ... said": his, not hers)."""
    before = [t for t in v.sent if t.i < v.i and t.dep_ == "nsubj" and outside(ctx, t, off)
              and (t.tag_ in ("NNP", "NNPS") or t.lower_ in cues.PERSON_PRONOUNS)
              and not any(a.dep_ == "relcl" or _complement_below(a, v) for a in _ancestors_below(t, v))]
    return before[-1] if before else None


def _complement_below(a: "Token", v: "Token") -> bool:
    """A clause that completes a verb other than v ('Henry, overjoyed to have her go, ... said':
    "her" is the subject of what he had done, not of a clause of the sentence's own)."""
    return a.dep_ in ("ccomp", "xcomp") and a.head.i != v.i


def _ancestors_below(t: "Token", top: "Token") -> list["Token"]:
    """t's head, its head's head, ... up to (not including) `top` or the root."""
    out: list["Token"] = []
    h = t.head
    while h.i != top.i and h.head.i != h.i and len(out) < 20:
        out.append(h)
        h = h.head
    if h.i != top.i:
        out.append(h)
    return out


