"""Reporting cues ("said", "according to", "in the words of"), which of them governs a
quotation and the cue's subject (its speaker). The addressee stated with a cue is `addressees`'s."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as Sent

    from ..records import Span as RecordSpan

from .. import cues
from ..entities import is_person_noun
from .context import Ctx, hyphen_run, outside, span_of


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
                  or (t.tag_ == "VB" and t.lower_ in _PHRASAL)) \
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


_PARTICLES = frozenset({"in", "out", "up", "forth", "back", "on"})
# verbs whose particle makes a speech tag ('"...," put in Freddy', 'broke in Adela', 'chimed in'):
# the name after the particle is the speaker, whatever place the tagger thought it
_PHRASAL = frozenset("put broke break breaks cut cuts chimed chime chimes struck strike strikes burst bursts".split())


def _inverted(ctx: Ctx, verb: "Token", off: int) -> bool:
    """The verb stands right after a quotation that pauses ('"Missed it!" bawled Tarrant'):
    the place of an inverted speech tag, whatever the parser made of it (a participle, an
    adjective of the name after it)."""
    doc = verb.doc
    before = _unspaced(doc, verb.i - 1 if verb.i > 1 and doc[verb.i - 1].tag_ == "RB" else verb.i)
    return before > 0 and _closes_quote(ctx, doc[before - 1], off)


def _unspaced(doc: "Doc", i: int) -> int:
    """i, or the index of the whitespace token(s) before it: a text that sets two spaces after a
    closing mark ('"...,"  returned Marilla') has a whitespace token between the two."""
    while i > 0 and doc[i - 1].is_space:
        i -= 1
    return i


def speech_tag(ctx: Ctx, verb: "Token", off: int) -> bool:
    """A verb in the place of a speech tag is a reporting verb whatever it means elsewhere:
    right after a quotation that pauses, before its subject ('"Exposure!" hissed Mr. Eager',
    '"...," faltered Lucy'), or after a short subject there and before a pause ('"Well,"
    Lucy faltered.', '"No!" he gasped, turning')."""
    doc = verb.doc
    if verb.i + 1 >= len(doc) or verb.lower_ in _NOT_TAGS:
        return False  # '"...," was the astounding reply': a copula, not a speech tag
    nxt = doc[verb.i + 1]
    before = _unspaced(doc, verb.i - 1 if verb.i > 1 and doc[verb.i - 1].tag_ == "RB" else verb.i)  # '"...," eagerly rejoined X'
    if before > 0 and _closes_quote(ctx, doc[before - 1], off):  # inverted: the subject follows
        k = verb.i + 1
        # past the particle of a phrasal verb ('"...," broke in Adela') and the article
        while k < len(doc) and k - verb.i <= 4 and (doc[k].tag_ in ("DT", "JJ", "PRP$", "RP") or (
                k == verb.i + 1 and doc[k].lower_ in _PARTICLES)):
            k += 1
        return k < len(doc) and _a_person(doc[k])
    k = verb.i - 1
    while k >= 0 and verb.i - k <= 4 and doc[k].tag_ in _TAG_SUBJECT and outside(ctx, doc[k], off):
        k -= 1
    k = _unspaced(doc, k + 1) - 1
    if nxt.tag_ == "RP" or nxt.lower_ in _PARTICLES and verb.i + 2 < len(doc) and doc[verb.i + 2].is_punct:
        nxt = doc[verb.i + 2] if verb.i + 2 < len(doc) else nxt  # '"...," the Dormouse went on, yawning'
    return k >= 0 and k < verb.i - 1 and _closes_quote(ctx, doc[k], off) and _a_person(doc[verb.i - 1]) and (
        nxt.is_punct or nxt.tag_ in ("RB", "IN"))


def _a_person(tok: "Token") -> bool:
    """A name, he/she/I/they or a noun for a person: what only a speaker's tag has beside an
    ordinary verb ('"...," came a voice from the back' names nobody)."""
    return tok.tag_ in ("NNP", "NNPS") or tok.lower_ in cues.PERSON_PRONOUNS | {"i", "they", "we"} \
        or is_person_noun(tok.lower_) or _capitalised(tok) or (tok.lower_ == "voice" and any(  # "the voice of X"
            (c.dep_ == "poss" and c.tag_ in ("NNP", "NNPS")) or (c.dep_ == "prep" and c.lower_ == "of" and any(
                g.tag_ in ("NNP", "NNPS") for g in c.children)) for c in tok.children))


def _capitalised(tok: "Token") -> bool:
    """A capitalised word inside its sentence, whatever its tag ('said Tut', tagged a verb;
    'said Little', an adjective): beside a speech tag, a name."""
    return tok.is_alpha and tok.text[:1].isupper() and not tok.text.isupper() and not tok.is_sent_start


def _tags_quote(c: "Token", last: int) -> bool:
    """The cue is the quotation's tag: right after its closing mark, with at most a short
    subject between ('"Oh! I hope so!" cried Oliver.', where the parser hung the verb on the
    quoted words; '"...!" Oliver cried.')."""
    between = c.doc[last + 1:c.i]
    return 0 < c.i - last <= 6 and any(t.is_quote for t in between) and all(
        t.is_punct or t.is_space or t.tag_ in _TAG_SUBJECT for t in between)


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

    def framing(c: "Token") -> bool:
        if after is not None and after.start <= c.i < after.end:
            return True
        if qtoks and (_tags_quote(c, qtoks[-1].i) or _opens_quote(c, qtoks[0].i)):
            return True
        if _in_brackets(c):
            return False  # "(what I can well believe)" is an aside, not the report
        return c.lower_ in ("according", "words") or c.dep_ == "parataxis" or (
            c.dep_ == "advcl" and _as_comment(c))

    q0 = qtoks[0].i if qtoks else 0
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
    a few words without a verb and a colon, comma or dash stand between ('... and said in
    shrill tones: "Dr. Aziz, ..."', where the parser hung the clause on the quoted verb)."""
    between = [t for t in c.doc[c.i + 1:first] if not t.is_space]
    if not between or not between[-1].is_quote or first - c.i > 10:
        return False
    words = between[:-1]
    return bool(words) and words[-1].text in (":", ",", "--", "\u2014") and not any(
        t.tag_.startswith("VB") or t.is_quote or t.text in (".", "!", "?", ";") for t in words)


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
                    and not cues.is_document_noun(subj.lower_):
                return _named_beside(ctx, cue, off) or subj  # "Aziz after another silence said"
            return _past_adverb(subj)
        agent = next((c for c in v.children if c.dep_ == "agent"), None)
        if agent is not None:
            obj = next((g for g in agent.children if g.dep_ == "pobj"), None)
            if obj is not None:
                return obj
        if v.i == cue.i:
            found = _name_as_adverb(ctx, cue, off) or _subject_beside(ctx, cue, off) or _named_beside(ctx, cue, off) \
                or _object_before(ctx, cue, off) or _gerund_owner(ctx, cue, off)
            if found is not None:
                return found
        if any(c.dep_ in ("auxpass", "nsubjpass") for c in v.children):
            break  # "which was demanded": a passive without agent names no speaker
        if v.dep_ in ("conj", "xcomp", "advcl") and v.head.i != v.i or (
                v.dep_ == "dep" and v.head.tag_.startswith("VB") and v.head.i < v.i):  # "Jacky sighed, said,"
            v = v.head
        elif v.dep_ == "acl" and v.i == cue.i and _set_off(v):
            return v.head  # "the Mouse, who seemed ..., called out, '...'": the parser hung the verb on him
        else:
            return elided_subject(ctx, v, off) if v.dep_ == "ROOT" else None
    return None


def _named_beside(ctx: Ctx, cue: "Token", off: int) -> "Token | None":
    """A name the parser hung beside the cue rather than under it: a conjunct of the clause before
    ('the door was thrown open, and Julia, appearing at it, exclaimed'), or the root the cue's
    clause hangs on ('Aziz after another silence said', with "silence" for its subject)."""
    h = cue.head
    if cue.dep_ == "conj":
        names = [t for t in h.children if t.dep_ == "conj" and t.tag_ in ("NNP", "NNPS") and t.i < cue.i
                 and outside(ctx, t, off)]
        return names[-1] if names else None
    if cue.dep_ == "advcl" and h.dep_ == "ROOT" and h.tag_ in ("NNP", "NNPS") and h.i < cue.i and outside(ctx, h, off):
        return h
    return None


def _set_off(verb: "Token") -> bool:
    """A verb the parser made modify the person before it, though a comma parts them and a
    quotation follows it: that person's own verb ("the Mouse, who ..., called out, '...'"), not
    a name given him ("a man called John")."""
    head = verb.head
    if not (head.tag_ in ("NNP", "NNPS") or is_person_noun(head.lower_)) or head.i >= verb.i:
        return False
    comma = any(t.text == "," for t in verb.doc[head.i + 1:verb.i])
    after = verb.doc[verb.i + 1:verb.i + 5]
    return comma and any(t.is_quote or t.text == ":" for t in after)


def _object_before(ctx: Ctx, cue: "Token", off: int) -> "Token | None":
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


def _gerund_owner(ctx: Ctx, cue: "Token", off: int) -> "Token | None":
    """'electrified by Mrs Croft's suddenly saying, "..."': the owner of a speaking gerund speaks,
    however the parser hung the possessive."""
    if cue.tag_ != "VBG":
        return None
    at = cue.i - 1
    while at > 0 and cue.doc[at].tag_ == "RB":
        at -= 1
    pos = cue.doc[at] if at >= 0 else None
    if pos is None or pos.tag_ != "POS" or pos.i == 0:
        return None
    owner = cue.doc[pos.i - 1]
    return owner if owner.tag_ in ("NNP", "NNPS") and outside(ctx, owner, off) else None


def _name_as_adverb(ctx: Ctx, cue: "Token", off: int) -> "RecordSpan | None":
    """'Dolly said', 'Milly asked': a name in -ly the tagger took for an adverb of the verb. The
    word before the cue is a name when the text uses it as one elsewhere (a one-word name never
    a place, or one with pronouns after it), not a word capitalised only to open a sentence."""
    prev = cue.doc[cue.i - 1] if cue.i > 0 else None
    if prev is None or prev.tag_ != "RB" or prev.head.i != cue.i or not prev.text[:1].isupper() \
            or prev.text in ctx.names.openers:
        return None
    known = (prev.text in ctx.names.unplaced or prev.text in ctx.names.by_gender) and \
        re.search(rf"\b{re.escape(prev.lower_)}\b", ctx.text) is None  # "Suddenly said": an adverb the text uses
    return span_of(ctx, off, [prev]) if known else None  # a Span: `who_of` reads a token by its tag


def _past_adverb(subj: "Token") -> "Token":
    """'"A week!" said Tut carelessly': the parser may make the adverb the subject and the name
    before it a compound of the adverb; the subject is that name (or noun: 'said the
    station-master carelessly'), or the adjective after the name ('said George, impassive',
    where the name is the adjective's modifier)."""
    if subj.tag_ not in ("RB", "JJ"):
        return subj
    nouns = [c for c in subj.children if c.dep_ in ("compound", "nmod") and c.tag_ in ("NN", "NNS", "NNP", "NNPS")]
    return nouns[-1] if nouns else subj


def elided_subject(ctx: Ctx, v: "Token", off: int) -> "Token | None":
    """The subject a verb shares with an earlier clause of its sentence when the parser gave it
    none ("when Harriet came ..., and after hesitating, thus began:"): the last named person or
    he/she that is a subject before it, not inside a relative clause ("Sir Thomas came towards
    the table where she sat ..., and ... said": his, not hers)."""
    before = [t for t in v.sent if t.i < v.i and t.dep_ == "nsubj" and outside(ctx, t, off)
              and (t.tag_ in ("NNP", "NNPS") or t.lower_ in cues.PERSON_PRONOUNS)
              and not any(a.dep_ == "relcl" for a in _ancestors_below(t, v))]
    return before[-1] if before else None


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


def _subject_beside(ctx: Ctx, cue: "Token", off: int) -> "Token | RecordSpan | None":
    """A subject the parser did not hang on the cue: a capitalised phrase set off by commas
    before it, or the words after it in inverted order ('"..." declared the manifesto')."""
    doc = cue.doc
    at = _unspaced(doc, cue.i)
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
        prev = doc[_unspaced(doc, at - 1) - 1]  # '"...," eagerly rejoined Mrs. Elton'
    # inverted order after a quotation or comma: '..." declared the manifesto'
    if prev is None or not (prev.text in (",", '"', "\u201d", "'") or not outside(ctx, prev, off)):
        return None
    for c in cue.rights:
        if c.dep_ in ("nsubj", "dobj", "attr", "npadvmod", "oprd") and outside(ctx, c, off) \
                and c.tag_ in ("NN", "NNS", "NNP", "NNPS"):
            return hyphen_run(c)[-1]  # '"Justice!" snarled the ex-convict': the convict
        if c.dep_ == "prep" and c.lower_ in _PARTICLES and cue.lower_ in _PHRASAL:
            # '"...," cut in the clear voice of Inspector Ratcliffe': the particle taken for a preposition
            obj = next((g for g in c.children if g.dep_ == "pobj" and outside(ctx, g, off) and _a_person(g)
                        and g.tag_ not in ("NNP", "NNPS")), None)  # a name after it is read as before
            if obj is not None:
                return obj
    k = cue.i + 2 if cue.i + 2 < len(doc) and doc[cue.i + 1].lower_ in _PARTICLES else cue.i + 1
    if k + 1 < len(doc) and doc[k].lower_ == "the" and (doc[k + 1].tag_ in ("NNP", "NNPS") or is_person_noun(
            doc[k + 1].lower_)) and outside(ctx, doc[k + 1], off):
        return doc[k + 1]  # '"Pontellier," said the Doctor, after a pause, "let ...": hung on the quoted verb
    nxt = doc[k] if k < len(doc) else None  # past a particle: '"...," broke in Adela'
    if nxt is not None and (nxt.tag_ in ("NNP", "NNPS") or _capitalised(nxt)) and outside(ctx, nxt, off) and not (
            k > cue.i + 1 and nxt.ent_type_ in ("GPE", "LOC", "FAC") and cue.lower_ not in _PHRASAL):  # "said in Moscow"
        # '"Oh!" cried Oliver.', '"...!" said Lucy, though ...': the name after the verb is its
        # subject, wherever the parser hung it; a name tagged as something else is taken as
        # written (a Span: `who_of` reads a token by its tag)
        return nxt if nxt.tag_ in ("NNP", "NNPS") else span_of(ctx, off, [nxt])
    return None


def _in_brackets(tok: "Token") -> bool:
    """Whether a token stands inside round brackets within its sentence."""
    depth = 0
    for t in tok.sent:
        if t.i >= tok.i:
            break
        depth += (t.text == "(") - (t.text == ")")
    return depth > 0
