"""Who a token stands for: a proper name (expanded to its fullest known form), a pronoun
(resolved to a clause antecedent or the most salient earlier mention), a relative pronoun (its
noun) or a description ("the manifesto", "the group"), each with the kind of participant it is."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Token

from .. import cues
from ..discourse import Who
from ..entities import (
    HONORIFICS,
    ONE_WORD_DETS,
    is_event,
    is_person_noun,
    kind_of,
    names_people,
    opens_sentence,
)
from ..records import Span
from .context import Ctx, clean, hyphen_run, opener_only, outside, span_of
from .narrator import narrators_we
from .titles import GENERIC_PERSON, lower_title, one_of_them, parent_or_spouse, same_person
from .token_shapes import (
    capitalised_subject,
    counted_rights,
    dangling_modifiers,
    existential,
    glued_hyphen,
    honorific,
    identifying_clause,
    medium,
    one_of_people,
    one_or_other,
    plural_mention,
    plural_noun,
    relative_antecedent,
    voice_owner,
)
from .windows import entity_at

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "DATE", "TIME", "LANGUAGE", "EVENT", "CARDINAL",
                          "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
LOCATIVE = frozenset("in at from to into near across through toward towards via within".split())
# prepositions whose phrase describes a person the text does not name ("the man with a ticket")
DESCRIBING = frozenset("with in at from on".split())


def who_of(ctx: Ctx, tok: "Token | Span", off: int) -> Who | None:
    """The participant a subject/object token stands for (resolving pronouns); never a "name"
    of fewer than two letters (the `s` of a possessive whose apostrophe a transcription lost)."""
    w = _who_of(ctx, tok, off)
    if w is not None and w.kind != "anonymous" and sum(ch.isalpha() for ch in w.name) < 2:
        return None
    if w is not None and not isinstance(tok, Span) and plural_mention(tok):
        return replace(w, plural=True)  # what a later "they" stands for
    return w


def _who_of(ctx: Ctx, tok: "Token | Span", off: int) -> Who | None:
    if isinstance(tok, Span):
        name = ctx.names.canonical_proper(clean(tok.text), ctx.known)
        return Who(name, tok, "explicit" if name == tok.text else "resolved", ctx.names.kind(name))
    low = tok.lower_
    start = off + tok.idx
    mention = Span(start, start + len(tok.text), tok.text)
    if low == "i.":  # '"Right!" said I.': the tokenizer took the pronoun and the stop for an initial
        low, mention = "i", Span(start, start + 1, tok.text[:1])
    if low in cues.FIRST_PERSON:
        return Who(ctx.author, mention, "resolved", "person") if ctx.author else None
    if low in cues.FIRST_PLURAL:
        we = narrators_we(ctx.source)
        return Who(we, mention, "resolved", "group", plural=True) if we else None
    if low in cues.PERSON_PRONOUNS:
        local = clause_antecedent(ctx, tok, off)
        if local is not None:
            return None if local.kind == "anonymous" else Who(local.name, mention, "resolved", local.kind)
    if low == "them":
        local = plural_before(ctx, tok, off)
        if local is not None:
            return Who(local.name, mention, "resolved", local.kind, plural=True)
    if low in cues.PERSON_PRONOUNS | cues.THING_PRONOUNS | cues.PLURAL_PRONOUNS:
        want = "person" if low in cues.PERSON_PRONOUNS else ("thing" if low in cues.THING_PRONOUNS else "plural")
        ante = ctx.d.resolve(want, start, cues.pronoun_gender(low), ctx.names.gender)
        if ante is None or ante.kind == "anonymous":
            return None  # "one of them ... he said": someone the text does not name
        return Who(ante.name, mention, "resolved", ante.kind)
    if tok.tag_ in ("WP", "WDT") or (low == "that" and tok.dep_ in ("nsubj", "nsubjpass")):
        noun = relative_antecedent(tok)
        w = who_of(ctx, noun, off) if noun is not None else None
        return Who(w.name, mention, "resolved", w.kind) if w else None
    if tok.tag_ in ("NNP", "NNPS") and not plural_noun(tok) or capitalised_subject(tok):
        return None if opener_only(ctx, tok, off) else proper(ctx, tok, off)
    if one_of_people(tok):
        return description(ctx, tok, off)  # "Said one of the leaders of the left group:"
    if one_or_other(tok):
        return one_of_them(ctx, tok, off, description)
    if low == "one" and not any(c.i == tok.i - 1 and c.lower_ in ONE_WORD_DETS for c in tok.lefts):
        return None  # "a small one", "each one": a word standing for a noun, not a person ("some one" is)
    if tok.tag_ in ("NN", "NNS") or plural_noun(tok) or (tok.dep_ == "nsubj" and tok.is_lower and is_person_noun(low) and any(
            c.dep_ == "det" for c in tok.children)):  # "said the first housemaid", tagged a verb
        for c in tok.children:  # "the journal, Sotsialisticheskii vestnik," -> the name
            if c.dep_ == "appos" and c.tag_ in ("NNP", "NNPS") and outside(ctx, c, off):
                return proper(ctx, c, off)
        return description(ctx, tok, off)
    return None


def cue_speaker(who: Who | None, subj: "Token | Span", cue: "Token") -> Who | None:
    """The named subject of a reporting verb speaks, whatever the tagger thought the name was
    ("Kamenev wrote", "Moscow declared", "Charlotte said", Charlotte taken for a city)."""
    if who is not None and who.kind == "place" and not isinstance(subj, Span) and (
            subj.head.i == cue.i or cue.i < subj.i <= cue.i + 3):
        return Who(who.name, who.mention, who.basis, "group" if subj.ent_type_ in ("GPE", "LOC") else "person")
    return who


def plural_before(ctx: Ctx, pron: "Token", off: int) -> Who | None:
    """'she went to members of the Duma ... and said to them:': the people an object `them`
    stands for, named earlier in its own sentence (which the reader's memory does not hold yet)."""
    for t in reversed(list(pron.sent)[: pron.i - pron.sent.start]):
        if t.tag_ in ("NNS", "NNPS") and t.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj") and outside(ctx, t, off) \
                and is_person_noun(t.lower_):
            return description(ctx, t, off)
    return None


def clause_antecedent(ctx: Ctx, pron: "Token", off: int) -> Who | None:
    """'When I questioned one of them ..., he grew impatient': a person named in an adverbial
    clause that opens the pronoun's sentence is its antecedent; so is a named person who is
    the subject of an earlier clause of the sentence ('Then Rykov spoke: "...," he said')."""
    p0 = off + pron.idx
    for t in reversed(list(pron.sent)[: pron.i - pron.sent.start]):
        named = t.tag_ in ("NNP", "NNPS") and t.ent_type_ == "PERSON"
        # or a description: "A member of the mission expressed himself thus: '...,' he said"
        # (the sentence is attributed before it is remembered, so memory does not have him yet)
        described = t.tag_ == "NN" and is_person_noun(t.lower_)
        doer = t.dep_ == "nsubj" or (t.dep_ == "pobj" and t.head.dep_ == "agent" and named)  # "interrupted by Mrs. Allen"
        if doer and (named or described) and outside(ctx, t, off) \
                and any(off + t.idx < q.start and q.end <= p0 for q in ctx.para_spans):
            # only across a quotation: in "Miasnikov, he added, maintains that", Miasnikov is
            # what the speaker reports on, not the speaker
            return proper(ctx, t, off) if named else description(ctx, t, off)
    asked = _asked_before(ctx, pron, off) or _brought_on(ctx, pron, off) or _coordinated_subject(ctx, pron, off)
    if asked is not None:
        return asked
    verb = pron.head
    for _ in range(3):
        for cl in verb.children:
            if cl.dep_ != "advcl" or cl.i > pron.i:
                continue
            for t in cl.subtree:
                if t.i >= pron.i or t.dep_ not in ("dobj", "pobj", "nsubj") or t.lower_ in cues.FIRST_PERSON:
                    continue
                if t.lower_ == "one" and any(c.lower_ == "of" for c in t.children):
                    return Who("", span_of(ctx, off, [t]), "resolved", "anonymous")
                if t.tag_ in ("NNP", "NNPS") and t.ent_type_ == "PERSON":
                    w = proper(ctx, t, off)
                elif t.tag_ in ("NN",) and is_person_noun(t.lower_):
                    w = description(ctx, t, off)
                else:
                    continue
                if _agrees(ctx, pron, w):  # "when Louisa came to bid him good-bye, he held her": not she
                    return w
        if verb.dep_ in ("conj", "xcomp", "ccomp") and verb.head.i != verb.i:
            verb = verb.head
        else:
            break
    return None


def _coordinated_subject(ctx: Ctx, pron: "Token", off: int) -> Who | None:
    """'Brenda felt sick when she read it but she showed it to Marjorie': the named subject of the
    clause a he or she's is joined to, of its gender (memory meets a sentence once it is read)."""
    v, g = pron.head, cues.pronoun_gender(pron.lower_)
    subj = next((c for c in v.head.children if c.dep_ == "nsubj"), None) if v.dep_ == "conj" and v.head.i < v.i else None
    if pron.dep_ != "nsubj" or subj is None or subj.tag_ not in ("NNP", "NNPS") or not outside(ctx, subj, off):
        return None
    w = proper(ctx, subj, off)
    return w if w.kind == "person" and g != 0 and _gender(ctx, w.name) == g else None


def _gender(ctx: Ctx, name: str) -> int:
    """+1, -1, or 0 unknown: by the name (title, the text's pronouns), or a description's noun."""
    return cues.noun_gender(name.split()[-1]) if name[:1].islower() else ctx.names.gender(name)


def _agrees(ctx: Ctx, pron: "Token", who: Who) -> bool:
    """Whether a he or she may stand for `who`: not a woman's name (or noun) for a "he"."""
    g = cues.pronoun_gender(pron.lower_)
    if not g or who.kind != "person":
        return True
    return _gender(ctx, who.name) != -g


def _asked_before(ctx: Ctx, pron: "Token", off: int) -> Who | None:
    """'I asked the porter who stood beside me, and he answered': the one the narrator spoke
    to in the clause before is who answers in the next (the sentence is attributed before it
    is remembered, so memory does not have the porter yet). Only after "I"/"we": after "Mary
    asked John, and she ..." the subject goes on."""
    v = pron.head
    if pron.dep_ != "nsubj" or v.dep_ != "conj" or v.head.i >= v.i:
        return None
    h = v.head
    if not any(c.dep_ == "nsubj" and c.lower_ in ("i", "we") for c in h.children):
        return None
    for o in h.children:
        if o.dep_ in ("dobj", "dative") and o.i < pron.i and outside(ctx, o, off):
            if o.tag_ in ("NNP", "NNPS") and o.ent_type_ == "PERSON":
                return proper(ctx, o, off)
            if o.tag_ == "NN" and is_person_noun(o.lower_):
                return description(ctx, o, off)
    return None


def _brought_on(ctx: Ctx, pron: "Token", off: int) -> Who | None:
    """'There was a Japanese girl in the regiment, and when I asked her ...': the one an
    existential clause of the sentence brings on (not yet in memory) is the her/she after it."""
    for t in reversed(list(pron.sent)[: pron.i - pron.sent.start]):
        if t.tag_ == "NN" and is_person_noun(t.lower_) and outside(ctx, t, off) and existential(t):
            w = existential_description(ctx, t, off)
            return w if _agrees(ctx, pron, w) else None
    return None


def existential_description(ctx: Ctx, t: "Token", off: int) -> Who:
    """The description of one a "there was" clause brings on, up to its noun: the phrase after
    it says where he was ("in the regiment"), not who."""
    w = description(ctx, t, off)
    end = off + t.idx + len(t.text)
    if w.name != w.mention.text or w.mention.end <= end:
        return w
    name = ctx.text[w.mention.start:end]
    return Who(name, Span(w.mention.start, end, name), "explicit", w.kind, w.plural)


def proper(ctx: Ctx, tok: "Token", off: int) -> Who:
    """A proper name: the contiguous run of proper nouns around the head (with `of the`
    inside: "Industrial Workers of the World"), expanded to the fullest known form."""
    doc = tok.doc
    i, j = tok.i, tok.i
    while i > 0 and (doc[i - 1].tag_ in ("NNP", "NNPS") or (doc[i - 1].tag_ == "POS" and i > 1 and doc[i - 2].tag_ in ("NNP", "NNPS"))
                     or glued_hyphen(doc, i - 1)) and outside(ctx, doc[i - 1], off):
        i -= 1
    while j + 1 < len(doc) and outside(ctx, doc[j + 1], off):
        nxt = doc[j + 1]
        if nxt.tag_ in ("NNP", "NNPS"):
            j += 1
        elif nxt.lower_ == "of" and j + 2 < len(doc) and (doc[j + 2].tag_ in ("NNP", "NNPS") or (
                doc[j + 2].lower_ == "the" and j + 3 < len(doc) and doc[j + 3].tag_ in ("NNP", "NNPS"))):
            j += 2 if doc[j + 2].lower_ != "the" else 3
        else:
            break
    if i == j and honorific(doc[j]) and j + 1 < len(doc) and doc[j + 1].text[:1].isupper() \
            and doc[j + 1].is_alpha and outside(ctx, doc[j + 1], off):
        j += 1  # a title is not a name: "Mrs." with a "Ford" the tagger did not take for a name
    if tok.ent_type_ in ("PERSON", "ORG", "NORP") and tok.ent_iob_ in ("B", "I"):
        # the parser's entity is the better boundary ("Quoting Marx's" -> "Marx")
        ent = entity_at(tok)
        if ent is not None and i <= ent.start and ent.end - 1 <= j:
            i, j = ent.start, ent.end - 1
            while j > i and doc[j].tag_ == "POS":
                j -= 1
            while i > 0 and honorific(doc[i - 1]) and outside(ctx, doc[i - 1], off):
                i -= 1  # the parser's entity often leaves out the title: "Mrs. Ford", not "Ford"
    if j > i and doc[i].is_sent_start and doc[i].lower_.endswith("ing"):
        i += 1  # "Quoting Marx's address": a participle that opens the sentence
    while j > i and doc[i].text in ctx.names.openers and opens_sentence(ctx.text, off + doc[i].idx):
        i += 1  # "Poor Margaret said", "Now Helen": capitalised only because it opens the sentence
    while j > i and doc[i].text in cues.CALENDAR_WORDS:
        i += 1  # "On Wednesday Diana came"
    titled = [k for k in range(i + 1, j) if doc[k].text.rstrip(".") in HONORIFICS]
    if titled:
        i = titled[-1]  # "Mrs. Moore Miss Quested": two names run together; the one the title opens
    while j > i and (doc[j].text[:1].islower() or not doc[j].text[:1].isalnum()):
        j -= 1  # "said Anne mournfully", "Miss Abbotts--": the entity ran on past the name
    mention = span_of(ctx, off, list(doc[i:j + 1]))
    name = ctx.names.canonical_proper(clean(mention.text), ctx.known)
    if " " not in name and name.rstrip(".") in HONORIFICS:  # "said the Major": the last Major named
        name = ctx.names.titled(name, mention.start) or name
    return Who(name, mention, "explicit" if name == mention.text else "resolved", kind_of_token(ctx, tok, name))


def kind_of_token(ctx: Ctx, tok: "Token", name: str) -> str:
    registered = ctx.names.registered_kind(name)
    if registered:
        return registered  # the source's registry knows what the name is
    label = tok.ent_type_ or None
    if label in ("GPE", "LOC") and name in ctx.names.unplaced:
        label = None  # a name the text never uses as a place ("Bucharin took the map")
    if label in PLACE_LABELS or is_event(name):
        return "place"  # a place, a date or an event: not a speaker
    k = kind_of(name, label)
    if k == "person" and label != "PERSON" and tok.dep_ == "pobj" and tok.head.lower_ in LOCATIVE:
        return "place"  # "In Tomsk", "to Turkey": a place unless the parser knows a person
    if k == "person" and label is None and tok.dep_ not in ("nsubj", "nsubjpass", "poss", "conj", "appos") and not (
            tok.dep_ == "compound" and tok.head.dep_ == "nsubj"):  # 'the March Hare meekly replied', "meekly" the subject
        return "place"  # an unknown name as object of a verb ("Nearing Dzhul'fa")
    return k


def description(ctx: Ctx, tok: "Token", off: int) -> Who:
    """A common-noun mention (`the manifesto`, `the group`, `the Russian section of the
    Industrial Workers of the World`): its name-bearing words, or the most recent
    capitalised name built on the same head noun."""
    for c in tok.children:  # "the resolutions passed by the Ninth Congress": the body
        if c.dep_ == "acl" and c.tag_ == "VBN" and cues.is_document_noun(tok.lower_):
            agent = next((g for g in c.children if g.dep_ == "agent"), None)
            obj = next((g for g in agent.children if g.dep_ == "pobj"), None) if agent is not None else None
            if obj is not None and obj.tag_ in ("NNP", "NNPS"):
                return proper(ctx, obj, off)
    titled = lower_title(ctx, tok, off) or parent_or_spouse(ctx, tok, off, who_of)
    if titled is not None:
        return titled
    owner = voice_owner(tok)  # 'said Hamidullah's voice': he speaks
    if owner is not None and outside(ctx, owner, off):
        return proper(ctx, owner, off)
    toks = hyphen_run(tok)  # "the ex-convict", however the parser hung its pieces
    for c in ([] if dangling_modifiers(tok) else tok.lefts):
        if c.dep_ in ("compound", "amod", "nmod", "poss") and c.tag_ not in ("PRP$", "WP$", "DT") and outside(ctx, c, off):
            toks.extend(t for t in c.subtree if outside(ctx, t, off) and t.dep_ != "advmod")
    person = is_person_noun(tok.lower_)
    toks.extend(_joined_people(ctx, tok, off))
    # people described in full too ("delegates from the front", "our neighbors on the Right")
    toks.extend(_after_noun(ctx, tok, off, person or plural_noun(tok) and names_people(tok.lower_)))
    det = next((c for c in tok.lefts if c.i == tok.i - 1 and c.lower_ in ONE_WORD_DETS), None)
    if tok.lower_ == "one" and det is not None:
        toks.append(det)  # "some one else at the table": "someone", written in two words
    toks = sorted(set(toks), key=lambda t: t.i)
    while toks and (det is None or toks[0].i != det.i) and (toks[0].dep_ in ("det", "punct") or toks[0].tag_ in ("DT", "PRP$")):
        toks = toks[1:]
    toks = toks or [tok]
    mention = span_of(ctx, off, toks)
    if any(t.tag_ in ("NNP", "NNPS") for t in toks):
        name = clean(mention.text)
    else:
        head = tok.text.lower() if tok.tag_ == "NN" else tok.text
        name = ctx.names.canonical_description(head, off + tok.idx) or clean(mention.text)
        if person and tok.tag_ == "NN" and not any(identifying_clause(c) for c in tok.rights):
            name = same_person(ctx, tok, toks, name, off)  # "said the lady who had been a nurse" is no "the lady"
    kind = ctx.names.kind(name)
    if kind == "person" and not (is_person_noun(tok.lower_) or plural_noun(tok) and names_people(tok.lower_)):
        kind = "thing"  # "the necessity of ...", "the proletariat": not a speaker
    elif kind == "person" and plural_noun(tok):
        kind = "group"  # "men", "the workers": not the antecedent of "he"
    return Who(name, mention, "explicit" if name == mention.text else "resolved", kind, plural_noun(tok))


def _after_noun(ctx: Ctx, tok: "Token", off: int, person: bool) -> list["Token"]:
    """The words after a description's noun that belong to it: its `of` phrases, and for a
    person the one phrase or short clause that says which person it is."""
    out: list["Token"] = []
    for c in [*tok.rights, *counted_rights(tok)]:
        if person and tok.lower_ in GENERIC_PERSON and identifying_clause(c):
            out.extend(c.subtree)  # "the man who drove the cab": "the man" alone says nothing
            break
        # a person is described in full, as the guide names one the text does not ("the man
        # with a third-class ticket", "the second officer in command"); other things by `of`
        describing = person and c.lower_ in DESCRIBING and not any(
            g.dep_ == "pobj" and ((g.tag_ in ("NNP", "NNPS") and not _side_taken(c, g))
                                  or cues.manner_noun(g.lower_, not any(d.dep_ == "det" for d in g.children))) for g in c.children
        ) and c.nbor(-1).text != "," and not medium(c)
        # "a worker in Moscow" is located, not described; "said the stranger in a tremendous voice",
        # "said the gentleman, with an indignant look": the manner of speaking, not the person
        if c.dep_ == "prep" and (c.lower_ == "of" or describing):
            sub = [t for t in c.subtree if outside(ctx, t, off)]
            cut = next((k for k, t in enumerate(sub) if k and (t.dep_ in ("prep", "relcl", "punct", "acl")
                        or t.tag_.startswith("VB") or t.tag_ in ("WP", "WDT")) and t.lower_ != "of"
                        and not (t.text == "-" and not t.nbor(-1).whitespace_)), len(sub))  # "third-class" is one word
            out.extend(sub[:cut])
            if c.lower_ != "of":
                break  # one phrase: "the man at the door in the morning" is the man at the door
    return out


def _side_taken(prep: "Token", obj: "Token") -> bool:
    """'our neighbors on the Right', 'the members on the Committee': "on the" and a name that is
    no place says which side or body people are of, as "of" would; "a worker in Moscow" is only
    located."""
    return prep.lower_ == "on" and plural_noun(prep.head) and any(d.dep_ == "det" and d.lower_ == "the" for d in obj.children) \
        and obj.ent_type_ not in PLACE_LABELS  # "the policeman on the Embankment" stands on it


def _joined_people(ctx: Ctx, tok: "Token", off: int) -> list["Token"]:
    """'the workingmen and soldiers had inscribed': a plural noun for people joined to another is
    half of the group that speaks; the guide names a group by its fullest description."""
    if not plural_noun(tok) or not names_people(tok.lower_):
        return []
    for c in tok.children:
        if c.dep_ == "conj" and plural_noun(c) and names_people(c.lower_) and outside(ctx, c, off):
            joined = [g for g in tok.children if g.dep_ == "cc" and tok.i < g.i < c.i]
            of = [t for p in c.rights if p.dep_ == "prep" and p.lower_ == "of" for t in p.subtree]  # "soldiers of the garrison"
            return joined + [t for t in c.subtree if outside(ctx, t, off) and t.dep_ != "punct" and (t.i <= c.i or t in of)]
    return []
