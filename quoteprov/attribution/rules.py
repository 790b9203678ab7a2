"""Stage 4: kind, speaker and recipient of each quoted span, from a dependency parse plus a
small discourse layer (pronoun and description resolution, the running speaker of a paragraph,
the speaker of a block quotation from the paragraph before it, a first-person narrator).

Every value carries the source span that justifies it and the rule (`method`) that found it;
its `basis` says whether it was `explicit` (a name in the text), `resolved` (a pronoun or
description resolved to a name) or `inferred` (carried over from context: a guess).

Only paragraphs that hold quotations are parsed (and the paragraph before a block quotation):
attribution never needs the rest, and the parse is the expensive part of extraction.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from .. import cues
from ..discourse import STOP_WORDS, SUBJECT_NAME, Discourse, Found, Who, author_of, rough_sentences
from ..entities import NameIndex, kind_of, name_index, strip_leading_stop
from ..records import Attribution, Span
from ..source import Source
from ..spans import QuotedSpan
from ..syntax import parse
from .windows import LONG_QUOTE, UNIT_MAX, bounded, entity_at, scope_cues, tokens_between, unit_spans

RUNNING_SENTENCES = 3  # a running speaker carries over at most this many sentences without a cue
CONTEXT_SENTENCES = 1  # sentences parsed before each quotation (for cues and pronouns)
MEMORY_SENTENCES = 3  # sentences of the paragraph parsed before it only to remember who is named
_PERSON_PRONOUN = re.compile(r"\b(?:" + "|".join(sorted(cues.PERSON_PRONOUNS)) + r")\b", re.IGNORECASE)
SHORT_WORDS = 4  # a quote this short, without a cue or reporting context, is a term
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "DATE", "TIME", "LANGUAGE", "EVENT", "CARDINAL",
                          "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
LOCATIVE = frozenset("in at from to into near across through toward towards via within".split())


@dataclass(frozen=True)
class SpanAttribution:
    kind: str
    kind_method: str
    speaker: Attribution
    recipient: Attribution
    speaker_span: Span | None = None
    cue_span: Span | None = None
    recipient_span: Span | None = None


class _Attributor:
    def __init__(self, source: Source, spans: list[QuotedSpan], registry: list[dict[str, Any]]):
        self.source = source
        self.text = source.text
        self.spans = spans
        self.names: NameIndex = name_index(source.text, registry)
        self.known: set[str] = set()
        self.author = author_of(source)
        self.d = Discourse()
        self.results: dict[int, Found] = {}
        self.memory_only: dict[int, list[tuple[int, int]]] = {}  # paragraph -> stretches parsed for names only
        self._para_spans: list[QuotedSpan] = []
        self._outer: list[QuotedSpan] = []
        self._outer_starts: list[int] = []

    # -- small helpers ---------------------------------------------------------------------
    def span_of(self, off: int, toks: list[Any]) -> Span:
        s = off + toks[0].idx
        e = off + toks[-1].idx + len(toks[-1].text)
        m = _GLUED_TAIL.search(self.text, s, e)
        if m and m.start() > s:
            e = m.start()  # "delegates.[2": the tokenizer left a footnote marker on the word
        return Span(s, e, self.text[s:e])

    def in_quote(self, offset: int) -> bool:
        # the outermost quotations of the paragraph do not overlap: one bisection suffices
        k = bisect_right(self._outer_starts, offset) - 1
        return k >= 0 and offset < self._outer[k].end

    def outside(self, tok: Any, off: int) -> bool:
        return not self.in_quote(off + tok.idx)

    @staticmethod
    def clean(name: str) -> str:
        name = re.sub(r"\s+", " ", " ".join(strip_leading_stop(name.split())))
        name = re.sub(r"\s+'s$|'s$|\u2019s$", "", name)
        return name.strip(" ,.;:\"'()") or name

    # -- who is a token --------------------------------------------------------------------
    def who_of(self, tok: Any, off: int) -> Who | None:
        """The participant a subject/object token stands for (resolving pronouns)."""
        if isinstance(tok, Span):
            name = self.names.canonical_proper(self.clean(tok.text), self.known)
            return Who(name, tok, "explicit" if name == tok.text else "resolved", kind_of(name))
        low = tok.lower_
        start = off + tok.idx
        mention = Span(start, start + len(tok.text), tok.text)
        if low in cues.FIRST_PERSON:
            return Who(self.author, mention, "resolved", "person") if self.author else None
        if low in cues.PERSON_PRONOUNS:
            local = self.clause_antecedent(tok, off)
            if local is not None:
                return None if local.kind == "anonymous" else Who(local.name, mention, "resolved", local.kind)
        if low in cues.PERSON_PRONOUNS | cues.THING_PRONOUNS | cues.PLURAL_PRONOUNS:
            want = "person" if low in cues.PERSON_PRONOUNS else ("thing" if low in cues.THING_PRONOUNS else "plural")
            ante = self.d.resolve(want, start)
            if ante is None or ante.kind == "anonymous":
                return None  # "one of them ... he said": someone the text does not name
            return Who(ante.name, mention, "resolved", ante.kind)
        if tok.tag_ in ("WP", "WDT") or (low == "that" and tok.dep_ in ("nsubj", "nsubjpass")):
            head = tok.head
            for _ in range(4):
                if head.dep_ == "relcl":
                    w = self.who_of(head.head, off)
                    return Who(w.name, mention, "resolved", w.kind) if w else None
                head = head.head
            return None
        if tok.tag_ in ("NNP", "NNPS"):
            return self.proper(tok, off)
        if tok.tag_ in ("NN", "NNS"):
            for c in tok.children:  # "the journal, Sotsialisticheskii vestnik," -> the name
                if c.dep_ == "appos" and c.tag_ in ("NNP", "NNPS") and self.outside(c, off):
                    return self.proper(c, off)
            return self.description(tok, off)
        return None

    def clause_antecedent(self, pron: Any, off: int) -> Who | None:
        """'When I questioned one of them ..., he grew impatient': a person named in an adverbial
        clause that opens the pronoun's sentence is its antecedent; so is a named person who is
        the subject of an earlier clause of the sentence ('Then Rykov spoke: "...," he said')."""
        p0 = off + pron.idx
        for t in reversed(list(pron.sent)[: pron.i - pron.sent.start]):
            if t.dep_ == "nsubj" and t.tag_ in ("NNP", "NNPS") and t.ent_type_ == "PERSON" and self.outside(t, off) \
                    and any(off + t.idx < q.start and q.end <= p0 for q in self._para_spans):
                # only across a quotation: in "Miasnikov, he added, maintains that", Miasnikov is
                # what the speaker reports on, not the speaker
                return self.proper(t, off)
        verb = pron.head
        for _ in range(3):
            for cl in verb.children:
                if cl.dep_ != "advcl" or cl.i > pron.i:
                    continue
                for t in cl.subtree:
                    if t.i >= pron.i or t.dep_ not in ("dobj", "pobj", "nsubj") or t.lower_ in cues.FIRST_PERSON:
                        continue
                    if t.lower_ == "one" and any(c.lower_ == "of" for c in t.children):
                        return Who("", self.span_of(off, [t]), "resolved", "anonymous")
                    if t.tag_ in ("NNP", "NNPS") and t.ent_type_ == "PERSON":
                        return self.proper(t, off)
                    if t.tag_ in ("NN",) and t.lower_ in cues.PERSON_NOUNS:
                        return self.description(t, off)
            if verb.dep_ in ("conj", "xcomp", "ccomp") and verb.head.i != verb.i:
                verb = verb.head
            else:
                break
        return None

    def proper(self, tok: Any, off: int) -> Who:
        """A proper name: the contiguous run of proper nouns around the head (with `of the`
        inside: "Industrial Workers of the World"), expanded to the fullest known form."""
        doc = tok.doc
        i, j = tok.i, tok.i
        while i > 0 and (doc[i - 1].tag_ in ("NNP", "NNPS") or (doc[i - 1].tag_ == "POS" and i > 1 and doc[i - 2].tag_ in ("NNP", "NNPS"))) \
                and self.outside(doc[i - 1], off):
            i -= 1
        while j + 1 < len(doc) and self.outside(doc[j + 1], off):
            nxt = doc[j + 1]
            if nxt.tag_ in ("NNP", "NNPS"):
                j += 1
            elif nxt.lower_ == "of" and j + 2 < len(doc) and (doc[j + 2].tag_ in ("NNP", "NNPS") or (
                    doc[j + 2].lower_ == "the" and j + 3 < len(doc) and doc[j + 3].tag_ in ("NNP", "NNPS"))):
                j += 2 if doc[j + 2].lower_ != "the" else 3
            else:
                break
        if tok.ent_type_ in ("PERSON", "ORG", "NORP") and tok.ent_iob_ in ("B", "I"):
            # the parser's entity is the better boundary ("Quoting Marx's" -> "Marx")
            ent = entity_at(tok)
            if ent is not None and i <= ent.start and ent.end - 1 <= j:
                i, j = ent.start, ent.end - 1
                while j > i and doc[j].tag_ == "POS":
                    j -= 1
        if j > i and doc[i].is_sent_start and doc[i].lower_.endswith("ing"):
            i += 1  # "Quoting Marx's address": a participle that opens the sentence
        mention = self.span_of(off, list(doc[i:j + 1]))
        name = self.names.canonical_proper(self.clean(mention.text), self.known)
        return Who(name, mention, "explicit" if name == mention.text else "resolved", self.kind_of_token(tok, name))

    def kind_of_token(self, tok: Any, name: str) -> str:
        label = tok.ent_type_ or None
        if label in PLACE_LABELS:
            return "place"
        k = kind_of(name, label)
        if k == "person" and label != "PERSON" and tok.dep_ == "pobj" and tok.head.lower_ in LOCATIVE:
            return "place"  # "In Tomsk", "to Turkey": a place unless the parser knows a person
        if k == "person" and label is None and tok.dep_ not in ("nsubj", "nsubjpass", "poss", "conj", "appos"):
            return "place"  # an unknown name as object of a verb ("Nearing Dzhul'fa")
        return k

    def description(self, tok: Any, off: int) -> Who:
        """A common-noun mention (`the manifesto`, `the group`, `the Russian section of the
        Industrial Workers of the World`): its name-bearing words, or the most recent
        capitalised name built on the same head noun."""
        for c in tok.children:  # "the resolutions passed by the Ninth Congress": the body
            if c.dep_ == "acl" and c.tag_ == "VBN" and cues.is_document_noun(tok.lower_):
                agent = next((g for g in c.children if g.dep_ == "agent"), None)
                obj = next((g for g in agent.children if g.dep_ == "pobj"), None) if agent is not None else None
                if obj is not None and obj.tag_ in ("NNP", "NNPS"):
                    return self.proper(obj, off)
        toks = [tok]
        for c in tok.lefts:
            if c.dep_ in ("compound", "amod", "nmod", "poss") and c.tag_ not in ("PRP$", "WP$", "DT") and self.outside(c, off):
                toks.extend(t for t in c.subtree if self.outside(t, off) and t.dep_ != "advmod")
        for c in tok.rights:
            if c.dep_ == "prep" and c.lower_ == "of":
                sub = [t for t in c.subtree if self.outside(t, off)]
                cut = next((k for k, t in enumerate(sub) if k and t.dep_ in ("prep", "relcl", "punct", "acl") and t.lower_ != "of"), len(sub))
                toks.extend(sub[:cut])
        toks = sorted(set(toks), key=lambda t: t.i)
        while toks and (toks[0].dep_ in ("det", "punct") or toks[0].tag_ in ("DT", "PRP$")):
            toks = toks[1:]
        toks = toks or [tok]
        mention = self.span_of(off, toks)
        if any(t.tag_ in ("NNP", "NNPS") for t in toks):
            name = self.clean(mention.text)
        else:
            head = tok.text.lower() if tok.tag_ == "NN" else tok.text
            name = self.names.canonical_description(head, off + tok.idx) or self.clean(mention.text)
        kind = kind_of(name)
        if kind == "person" and tok.lower_ not in cues.PERSON_NOUNS:
            kind = "thing"  # "the necessity of ...", "the proletariat": not a speaker
        elif kind == "person" and tok.tag_ == "NNS":
            kind = "group"  # "men", "the workers": not the antecedent of "he"
        return Who(name, mention, "explicit" if name == mention.text else "resolved", kind, tok.tag_ == "NNS")

    # -- cues ------------------------------------------------------------------------------
    def cues_in(self, sents: list[Any], off: int) -> list[Any]:
        out = []
        for sent in sents:
            for t in sent:
                if not self.outside(t, off):
                    continue
                if t.lower_ == "according" and t.i + 2 < len(t.doc) and t.nbor(1).lower_ == "to":
                    if t.nbor(2).lower_ not in ("which", "whom"):  # "the view according to which"
                        out.append(t)
                elif t.lower_ == "words" and t.head.lower_ == "in" and any(
                        c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ == "of") for c in t.children):
                    out.append(t)  # "in the words of Kautsky", "in Kautsky's words"
                elif t.lower_ in cues.REPORTING_VERBS and t.dep_ != "amod" and (t.tag_.startswith("VB") or (
                        t.dep_ == "ROOT" and any(c.dep_ == "nsubj" for c in t.children))):  # "speak" mis-tagged NN
                    if t.i > 0 and t.nbor(-1).lower_ in ("so", "so-"):
                        continue  # so-called
                    if t.lower_ == "put" and not any(c.dep_ == "dobj" and c.lower_ == "it" for c in t.children):
                        continue  # "as he put it", not "put into practice"
                    out.append(t)
        return out

    def ranked_cues(self, cands: list[Any], qtoks: list[Any], short: bool = False) -> list[Any]:
        """Cues that govern the quotation or frame its sentence, best first: a parenthetical
        reporting clause ("Miasnikov, he added, maintains that ...", "as Fischer recalls")
        frames the whole sentence; otherwise the governing cue nearest in the tree."""
        anchors = [t for t in qtoks if t.head not in qtoks or t.head.i == t.i]

        def depth(c: Any) -> int | None:
            best = None
            for a in anchors:
                if a.i == c.i:
                    return 0
                for k, anc in enumerate(a.ancestors, 1):
                    if anc.i == c.i:
                        best = k if best is None else min(best, k)
                        break
            return best

        def framing(c: Any) -> bool:
            if _in_brackets(c):
                return False  # "(what I can well believe)" is an aside, not the report
            return c.lower_ in ("according", "words") or c.dep_ == "parataxis" or (
                c.dep_ == "advcl" and any(m.lower_ == "as" and m.dep_ in ("mark", "advmod") for m in c.children))

        q0 = qtoks[0].i if qtoks else 0
        q1 = qtoks[-1].i if qtoks else 0
        scored = []
        for c in cands:
            d = depth(c)
            if d is None and not framing(c):
                continue
            if short and not framing(c) and d > 2:
                continue  # a label deep in a clause is not what the cue reports
            adjacent = min(abs(c.i - q0), abs(c.i - q1)) <= 4
            opinion = c.lower_ in cues.OPINION_VERBS
            scored.append(((not framing(c), not adjacent, opinion, d if d is not None else 99, abs(c.i - q0)), c))
        return [c for _, c in sorted(scored, key=lambda x: x[0])]

    def subject_of(self, cue: Any, off: int) -> Any | None:
        """The reporting cue's speaker token (or a Span for a name the parser split)."""
        if cue.lower_ == "according":
            return next((c for c in cue.subtree if c.dep_ == "pobj" and self.outside(c, off)), None)
        if cue.lower_ == "words":
            for c in cue.children:
                if c.dep_ == "poss":
                    return c
                if c.dep_ == "prep" and c.lower_ == "of":
                    return next((g for g in c.children if g.dep_ == "pobj"), None)
            return None
        doc = cue.doc
        if cue.lower_.startswith(("quot", "cit")):  # "Quoting Marx's address": the author quoted
            for c in cue.children:
                if c.dep_ == "dobj":
                    poss = next((g for g in c.children if g.dep_ == "poss"), None)
                    if poss is not None:
                        return poss
        v = cue
        for _ in range(4):
            subj = next((c for c in v.children if c.dep_ == "nsubj" and self.outside(c, off)
                         and c.lower_ not in ("there",)), None)
            if subj is not None and not (subj.lower_ == "it" and subj.dep_ == "expl"):
                return subj
            agent = next((c for c in v.children if c.dep_ == "agent"), None)
            if agent is not None:
                obj = next((g for g in agent.children if g.dep_ == "pobj"), None)
                if obj is not None:
                    return obj
            if v.i == cue.i:
                prev = doc[cue.i - 1] if cue.i > 0 else None
                # "..., Sotsialisticheskii vestnik, hailed": a capitalised phrase set off by commas
                if prev is not None and prev.text == ",":
                    k = cue.i - 2
                    while k >= 0 and doc[k].text != "," and cue.i - k <= 6 and doc[k].is_alpha:
                        k -= 1
                    if k >= 0 and doc[k].text == "," and k < cue.i - 2 and doc[k + 1].text[:1].isupper() \
                            and doc[k + 1].tag_ in ("NNP", "NNPS"):
                        return self.span_of(off, list(doc[k + 1:cue.i - 1]))
                # inverted order after a quotation or comma: '..." declared the manifesto'
                if prev is not None and (prev.text in (",", '"', "\u201d", "'") or not self.outside(prev, off)):
                    for c in cue.rights:
                        if c.dep_ in ("nsubj", "dobj", "attr", "npadvmod", "oprd") and self.outside(c, off) \
                                and c.tag_ in ("NN", "NNS", "NNP", "NNPS"):
                            return c
            if any(c.dep_ in ("auxpass", "nsubjpass") for c in v.children):
                break  # "which was demanded": a passive without agent names no speaker
            if v.dep_ in ("conj", "xcomp", "advcl") and v.head.i != v.i:
                v = v.head
            else:
                break
        return None

    def recipient_of(self, cue: Any, off: int) -> tuple[Who | None, str | None]:
        """The addressee stated with the cue: `to X`, a dative, `told X`, or `in a letter to X`."""
        if cue.lower_ in ("according", "words"):
            return None, None
        low = cue.lower_
        for c in cue.children:
            obj = None
            if c.dep_ == "dative":
                obj = c if c.tag_ not in ("IN", "TO") else next((g for g in c.children if g.dep_ == "pobj"), None)
            elif c.dep_ == "prep" and c.lower_ == "to" and low in cues.ADDRESSING_VERBS:
                obj = next((g for g in c.children if g.dep_ == "pobj"), None)
            elif c.dep_ == "dobj" and low in cues.OBJECT_ADDRESSEE_VERBS:
                obj = c
            if obj is not None and self.outside(obj, off):
                w = self.who_of(obj, off)
                if w and w.kind != "place":
                    return w, "cue-addressee"
        for c in cue.children:  # "In a letter to X, ..., he described"
            if c.dep_ == "prep" and c.lower_ in ("in", "by", "through", "with"):
                noun = next((g for g in c.children if g.dep_ == "pobj"), None)
                if noun is not None and cues.is_document_noun(noun.lower_):
                    w = self.noun_addressee(noun, off)
                    if w:
                        return w, "letter-to"
        # "Gorky, writing to Romain Rolland, described ...": a participle of writing on the speaker
        subj = next((c for c in cue.children if c.dep_ == "nsubj"), None)
        for part in [*cue.children, *(subj.children if subj is not None else ())]:
            if part.dep_ in ("acl", "advcl") and part.lower_ in cues.ADDRESSING_VERBS:
                to = next((c for c in part.children if c.dep_ == "prep" and c.lower_ == "to"), None)
                obj = next((g for g in to.children if g.dep_ == "pobj"), None) if to is not None else None
                if obj is not None and self.outside(obj, off):
                    w = self.who_of(obj, off)
                    if w and w.kind != "place":
                        return w, "writing-to"
        return None, None

    def noun_addressee(self, noun: Any, off: int) -> Who | None:
        for c in noun.children:
            if c.dep_ == "prep" and c.lower_ == "to":
                obj = next((g for g in c.children if g.dep_ == "pobj"), None)
                if obj is not None and self.outside(obj, off):
                    w = self.who_of(obj, off)
                    if w and w.kind != "place":
                        return w
        return None

    # -- kinds -----------------------------------------------------------------------------
    def before(self, sp: QuotedSpan, width: int = 40) -> str:
        lo = self.source.paragraphs[sp.paragraph][0]
        return re.sub(r"\s+", " ", self.text[max(lo, sp.start - 1 - width):sp.start - 1].lower())

    def term_lead(self, i: int) -> bool:
        sp = self.spans[i]
        before = self.before(sp).rstrip(" ,:(")
        if any(before.endswith(" " + lead) or before == lead for lead in cues.TERM_LEADS):
            return True
        # coordinated with a term just before it: such words as "solidarity" and "brotherhood"
        prev = self.results.get(i - 1)
        if prev is not None and prev.kind == "term" and self.spans[i - 1].paragraph == sp.paragraph:
            between = self.text[self.spans[i - 1].end:sp.start]
            return bool(re.fullmatch(r"\W{0,2}\s*(?:,|and|or|,\s*and|,\s*or)\s*\W?", between))
        return False

    def is_title(self, sp: QuotedSpan, qtext: str) -> bool:
        """A capitalised name of a work, not a sentence: after a title noun (`the song "..."`)
        or an article (`the second stanza of the "Internationale"`)."""
        words = re.findall(r"[\w'\u2019-]+", qtext)
        if not words or len(words) > 10:
            return False
        small = {"a", "an", "the", "of", "and", "or", "in", "on", "to", "for", "at", "by", "with", "from", "as"}
        if not (words[0][:1].isupper() and all(w[:1].isupper() or w.lower() in small for w in words)):
            return False
        if re.search(r"[.!?]\W*$", qtext) and len(words) > 3:
            return False
        before = self.before(sp, 30).split()
        prev = before[-1].strip(",;:(") if before else ""
        if prev in cues.TITLE_LEADS or (len(before) > 1 and before[-2] in cues.TITLE_LEADS):
            return True
        after = self.text[sp.end + 1:sp.end + 2]
        if after == "-":
            return False  # '"Workers' Communist Parties of the USSR"-parties': a name in use
        # a capitalised phrase that is not a sentence ("God Save the King"), or one word after
        # an article ("the 'Internationale'")
        return (len(words) >= 2 and not re.search(r"[.!?]\W*$", qtext)) or prev == "the"

    @staticmethod
    def word_as_word(qtoks: list[Any]) -> bool:
        """'"proletariat" means "proletariat"': a word talked about, not reported words."""
        for t in qtoks:
            h = t.head
            if t.head not in qtoks and (h.lower_ in cues.MEANING_VERBS or (
                    h.dep_ in ("ccomp", "conj") and h.head.lower_ in cues.MEANING_VERBS and t.dep_ == "dobj")):
                return True
        return False

    @staticmethod
    def modifies_noun(qtoks: list[Any]) -> bool:
        """`the "united front" policy`: the quote modifies a noun after it."""
        return any(t.head not in qtoks and t.dep_ in ("compound", "amod", "nmod") and t.head.i > t.i
                   and t.head.tag_.startswith("NN") for t in qtoks)

    def document_of(self, qtoks: list[Any], off: int) -> tuple[Who | None, Who | None, Any]:
        """A quotation attached to a document noun before it ("Marx's inaugural address to the
        First International ('...')"): the speaker is the document's author if the text names
        one, else the document; its `to`-object is the recipient."""
        starts = [t.head for t in qtoks if t.head not in qtoks]
        first = qtoks[0]
        k = first.i - 1
        while k >= 0 and first.doc[k].text in ('"', "\u201c", "'", "\u2018"):
            k -= 1
        if k > 0 and first.doc[k].text == "(":
            starts.insert(0, first.doc[k - 1])  # a quotation in brackets right after a noun phrase
        for h in starts:
            for _ in range(3):
                if h in qtoks or h.i > first.i:
                    break
                if cues.is_document_noun(h.lower_) and self.outside(h, off):
                    poss = next((c for c in h.children if c.dep_ == "poss" and c.tag_ in ("NNP", "NNPS")), None)
                    who = self.who_of(poss, off) if poss is not None else None
                    if who is None:
                        # "the traditional Communist exhortation: '...'": the words belong to
                        # the document, which the text does not ascribe to anyone
                        return None, self.noun_addressee(h, off), h
                    return who, self.noun_addressee(h, off), h
                h = h.head
        return None, None, None

    # -- main loop -------------------------------------------------------------------------
    def run(self) -> list[SpanAttribution]:
        by_par: dict[int, list[int]] = {}
        for i, sp in enumerate(self.spans):
            by_par.setdefault(sp.paragraph, []).append(i)
        units = self.units(by_par)
        docs = parse([self.text[lo:hi] for lo, hi, _ in units])
        starts = {p: [self.spans[i].start for i in idxs] for p, idxs in by_par.items()}
        for doc in docs:  # full names the parser knows as persons or bodies
            for ent in doc.ents:
                if ent[0].is_sent_start and ent[0].lower_.endswith("ing") and len(ent) > 1:
                    ent = ent[1:]  # "Quoting Marx" is Marx
                if ent.label_ in ("PERSON", "ORG") and len(ent) > 1:
                    self.known.add(self.clean(ent.text))
        persons = sorted({e.text for doc in docs for e in doc.ents if e.label_ == "PERSON"} | self.known,
                         key=len, reverse=True)
        self.person_re = re.compile(r"\b(?:" + "|".join(map(re.escape, persons)) + r")\b") if persons else None
        pos = 0
        for (lo, hi, p), doc in zip(units, docs):
            self.skim(pos, lo)
            self.unit(p, doc, lo, unit_spans(self.spans, by_par.get(p, []), starts.get(p, []), lo, hi))
            pos = hi
        out = []
        for i in range(len(self.spans)):
            f = self.results.get(i) or Found()
            s, r = f.speaker, f.recipient
            out.append(SpanAttribution(
                f.kind, f.kind_method,
                Attribution(s.name, f.method, s.basis) if s else Attribution(),
                Attribution(r.name, f.recipient_method, r.basis) if r else Attribution(),
                s.mention if s else None, f.cue if s else None, r.mention if r else None))
        return out

    def units(self, by_par: dict[int, list[int]]) -> list[tuple[int, int, int]]:
        """The stretches worth parsing, as (start, end, paragraph): for every quotation the
        sentences from the one before its opening mark to the one where it ends (up to
        MEMORY_SENTENCES before, read for names only, when a pronoun there may need them); for
        a block quotation also the last sentence of the paragraph before. Everything else is
        skimmed."""
        want: dict[int, set[int]] = {}
        sents_of: dict[int, list[tuple[int, int]]] = {}

        def sents(p: int) -> list[tuple[int, int]]:
            if p not in sents_of:
                sents_of[p] = bounded(self.text, rough_sentences(self.text, *self.source.paragraphs[p]))
            return sents_of[p]

        ends_of: dict[int, list[int]] = {}

        def index(p: int, offset: int) -> int:
            if p not in ends_of:
                ends_of[p] = [b for _, b in sents(p)]
            return min(bisect_right(ends_of[p], offset), len(ends_of[p]) - 1)

        cue_band: dict[int, set[int]] = {}
        for p, idxs in by_par.items():
            for i in idxs:
                sp = self.spans[i]
                k, m = index(p, sp.start - 1), index(p, max(sp.start, sp.end - 1))
                lo = max(0, k - CONTEXT_SENTENCES)
                if sents(p)[m][1] - sents(p)[k][0] > LONG_QUOTE:
                    m0, span_sents = min(m, k + 1), {*range(lo, min(m, k + 1) + 1), m}  # its ends
                else:
                    m0, span_sents = m, set(range(lo, m + 1))
                cue_band.setdefault(p, set()).update(span_sents)
                # the sentences before the cue band matter only when a pronoun there may need
                # a person they name (and parsing costs: most quotations are introduced by name)
                band = self.text[sents(p)[lo][0]:sents(p)[m0][1]]
                back = MEMORY_SENTENCES if _PERSON_PRONOUN.search(band) else CONTEXT_SENTENCES
                want.setdefault(p, set()).update(range(max(0, k - back), lo), span_sents)
            if p > 0 and self.is_block(idxs[0]) and self.source.is_body(p - 1):
                want.setdefault(p - 1, set()).add(len(sents(p - 1)) - 1)
                cue_band.setdefault(p - 1, set()).add(len(sents(p - 1)) - 1)
        # sentences parsed only so that the people they name are remembered: a reporting verb
        # there is too far from the quotation to say who speaks it
        self.memory_only = {p: [sents(p)[k] for k in sorted(want[p] - cue_band.get(p, set()))] for p in want}
        out = []
        for p in sorted(want):
            ks = sorted(want[p])
            run = [ks[0]]
            for k in ks[1:] + [None]:
                if k is not None and k == run[-1] + 1 and sents(p)[k][1] - sents(p)[run[0]][0] <= UNIT_MAX:
                    run.append(k)
                    continue
                ss = sents(p)
                out.append((ss[run[0]][0], ss[run[-1]][1], p))
                if k is not None:
                    run = [k]
        return out

    def skim(self, lo: int, hi: int) -> None:
        """Text that is not parsed: the reader still notes the persons it names (by the names
        the parser found elsewhere) and the sentences and paragraphs that pass."""
        if hi <= lo:
            return
        first, last = self.source.paragraph_of(lo), self.source.paragraph_of(max(lo, hi - 1))
        for p in range(first, last + 1):
            a, b = self.source.paragraphs[p]
            a, b = max(a, lo), min(b, hi)
            if not self.source.is_body(p) or b <= a:
                continue
            if a == self.source.paragraphs[p][0] and p != self.d.paragraph:
                self.d.running = None  # a new paragraph without quotations
                self.d.paragraph = p
            for sa, sb in rough_sentences(self.text, a, b):
                self.skim_sentence(sa, sb)

    def skim_sentence(self, a: int, b: int) -> None:
        """A name early in a sentence is taken for its subject, later ones for other mentions;
        a sentence that opens with he/she keeps the current subject alive."""
        self.d.sentence_no += 1
        head = self.text[a:min(b, a + 60)]
        names = list(self.person_re.finditer(self.text, a, b)) if self.person_re is not None else []
        pron = re.search(r"\b(?:he|she|He|She)\b", head)
        if pron and (not names or names[0].start() > a + pron.start()):
            subj = next((w for sent, rank, w in reversed(self.d.mentions) if rank == 0 and w.kind == "person"), None)
            if subj is not None:
                self.d.remember(subj, 0)
        for k, m in enumerate(names):
            name = self.names.canonical_proper(m.group(), self.known)
            rank = 0 if k == 0 and m.start() - a < 60 and not pron else 2
            self.d.remember(Who(name, Span(m.start(), m.end(), m.group()), "explicit", "person"), rank)
        first = SUBJECT_NAME.search(self.text, a, b)
        if first and not names and not pron and first.group(1).split()[0].lower() not in STOP_WORDS:
            # "Kuznetsov was arrested in June.": a name that opens a sentence before a verb
            name = self.names.canonical_proper(first.group(1), self.known)
            self.d.remember(Who(name, Span(first.start(1), first.end(1), first.group(1)), "explicit", "person"), 0)
        self.assemblies_in(a, b)

    def assemblies_in(self, a: int, b: int) -> None:
        """A deliberative body met `at` ("at the Twelfth Party Congress"): speeches reported
        after it, in the same or the next paragraph, were addressed to it."""
        for m in _ASSEMBLY_AT.finditer(self.text, a, b):
            words = m.group(1).split()
            head = words[-1].lower()
            noun = head if head in cues.ASSEMBLY_NOUNS else head[:-1]  # OCR: "Congressi"
            name = " ".join(words[:-1] + [noun.capitalize()])
            p = self.source.paragraph_of(m.start(1))
            self.d.assemblies.append((p, Who(name, Span(m.start(1), m.end(1), m.group(1)), "inferred", "group")))

    def is_block(self, i: int) -> bool:
        sp = self.spans[i]
        lo = self.source.paragraphs[sp.paragraph][0]
        return not self.text[lo:sp.start - 1].strip()

    def unit(self, p: int, doc: Any, off: int, idxs: list[int]) -> None:
        """Attribute the quotations that open in one parsed stretch of paragraph p."""
        self._cues: dict[tuple[int, int, int], list[Any]] = {}  # whether a token is quoted depends on idxs
        self._para_spans = [self.spans[i] for i in idxs]
        self._outer = [sp for sp in self._para_spans if sp.nested_in is None]
        self._outer_starts = [sp.start for sp in self._outer]
        if p != self.d.paragraph:
            if not (self.d.paragraph == p - 1 and idxs and self.is_block(idxs[0])):
                self.d.running = None
            self.d.paragraph = p
        sents = list(doc.sents)
        for k, sent in enumerate(sents):
            self.d.sentence_no += 1
            s0, s1 = off + sent.start_char, off + sent.end_char
            here = [i for i in idxs if s0 - 1 <= self.spans[i].start - 1 < s1]
            for i in here:
                sp = self.spans[i]
                end_sent = next((t for t in sents[k:] if off + t.start_char <= sp.end <= off + t.end_char + 1), sent)
                scope = [sent] if end_sent is sent else [sent, end_sent]
                self.results[i] = self.attribute_one(i, scope, off)
            running = self.d.running
            if running is not None and any(self.spans[i].start < s1 and self.spans[i].end > s0 and
                                           (self.results.get(i) or Found()).speaker == running.speaker for i in idxs):
                self.d.running_sentence = self.d.sentence_no  # a quotation still going on
            if not here and not self.only_remembered(p, s0, s1):
                self.cue_without_quote(sent, off)
            self.remember(sent, off)
            self.assemblies_in(off + sent.start_char, off + sent.end_char)

    def only_remembered(self, p: int, s0: int, s1: int) -> bool:
        """Whether the parsed sentence [s0, s1) lies in a stretch parsed only for its names."""
        return any(a <= s0 and s1 <= b + 1 for a, b in self.memory_only.get(p, ()))

    def cue_without_quote(self, sent: Any, off: int) -> None:
        """A reporting clause without a quotation still says who is talking ("Partial measures
        were useless, Miasnikov insisted."; "To his GPU interrogators he later declared,")."""
        for cue in self.cues_in([sent], off):
            if cue.lower_ not in cues.OBJECT_ADDRESSEE_VERBS and any(
                    c.dep_ == "dobj" and c.tag_.startswith("NN") for c in cue.children):
                continue  # "he declared a hunger strike", "recalling his experience": not speech
            subj = self.subject_of(cue, off)
            who = self.who_of(subj, off) if subj is not None else None
            if who and who.kind == "person" and not isinstance(subj, Span) and subj.tag_ in ("NNP", "NNPS") \
                    and subj.ent_type_ != "PERSON" and cue.lower_ in cues.OPINION_VERBS:
                continue  # an unknown name as the subject of "considered": not enough to go on
            if who and who.kind not in ("place", "thing", "anonymous"):
                rec, rmethod = self.recipient_of(cue, off)
                self.d.running = Found("quotation", "running-speaker", who, "cue", self.span_of(off, [cue]), rec, rmethod)
                self.d.running_sentence = self.d.sentence_no
                return

    def remember(self, sent: Any, off: int) -> None:
        """Note the sentence's subjects, their possessors and named people for later pronouns."""
        for t in sent:
            if not self.outside(t, off):
                continue
            if t.dep_ in ("nsubj", "nsubjpass") and t.tag_ not in ("WP", "WDT", "EX"):
                rank = 0
            elif t.dep_ == "poss" and t.head.dep_ in ("nsubj", "nsubjpass"):
                rank = 1
            elif (t.tag_ in ("NNP", "NNPS") and t.dep_ != "compound") or (
                    t.dep_ in ("dobj", "pobj") and (t.lower_ in cues.PERSON_NOUNS)):
                rank = 2
            else:
                continue
            if t.tag_ in ("PRP", "PRP$") and t.lower_ not in cues.PERSON_PRONOUNS | cues.THING_PRONOUNS:
                continue
            if t.lower_ == "one" and any(c.lower_ == "of" for c in t.children):
                self.d.remember(Who("", self.span_of(off, [t]), "resolved", "anonymous"), rank)
                continue
            if t.tag_ in ("NN", "NNS") and t.lower_ not in cues.COMMUNICATION_NOUNS and kind_of(t.lower_) == "person" \
                    and t.lower_ not in cues.PERSON_NOUNS:
                continue  # common nouns enter the memory as documents, groups or people
            w = self.who_of(t, off)
            if w is not None:
                self.d.remember(w, rank)

    def attribute_one(self, i: int, scope: list[Any], off: int) -> Found:
        sp = self.spans[i]
        qtext = self.text[sp.start:sp.end]
        qtoks = tokens_between(scope, sp.start - off, sp.end - off)
        words = len(re.findall(r"\w+", qtext))
        if self.before(sp).rstrip(" ,:(").endswith(cues.STRONG_TERM_LEADS):
            return Found("term", "term-lead")  # 'the so-called "New Course"': a name, not a work
        if self.is_title(sp, qtext):
            return Found("title", "title-case")
        if self.term_lead(i):
            return Found("term", "term-lead")
        if words <= SHORT_WORDS and self.word_as_word(qtoks):
            return Found("term", "word-as-word")
        if sp.nested_in is not None and words <= SHORT_WORDS:
            return Found("term", "nested-short")
        if words <= SHORT_WORDS and self.modifies_noun(qtoks):
            return Found("term", "noun-modifier")
        f = Found("quotation")
        document = None
        # 1. a document with a named author: "Marx's inaugural address (...)"
        if qtoks:
            who, rec, noun = self.document_of(qtoks, off)
            if who is not None:
                f.speaker, f.method, f.cue = who, "document-author", self.span_of(off, [noun])
            document = noun
            if rec is not None:
                f.recipient, f.recipient_method = rec, "document-addressee"
        # 2. a reporting cue that governs the quotation or frames its sentence
        heard = False
        if f.speaker is None:
            for cue in self.ranked_cues(scope_cues(self._cues, scope, off, self.cues_in), qtoks, words <= SHORT_WORDS):
                subj = self.subject_of(cue, off)
                who = self.who_of(subj, off) if subj is not None else None
                if who is not None and who.kind == "place" and not isinstance(subj, Span) and subj.dep_ == "nsubj" \
                        and subj.head.i == cue.i:
                    # the named subject of a reporting verb speaks, whatever the tagger thought the
                    # name was ("Kamenev wrote", "Moscow declared")
                    who = Who(who.name, who.mention, who.basis, "group" if subj.ent_type_ in ("GPE", "LOC") else "person")
                if who is None or who.kind == "place":
                    heard = heard or subj is not None  # someone the text does not name spoke
                    continue
                f.speaker, f.method = who, {"according": "according-to", "words": "in-the-words-of"}.get(
                    cue.lower_, "cue-subject")
                first = cue.head if cue.lower_ == "words" else cue
                end = cue.nbor(1) if cue.lower_ == "according" else cue
                f.cue = self.span_of(off, [first, end])
                if words <= SHORT_WORDS and (cue.lower_ in cues.OPINION_VERBS or any(
                        c.lower_ == "what" for c in cue.children)):
                    # "Kuznetsov regarded them as 'antithetical forces'", "what MacDougall
                    # calls 'negative self-feeling'": a label that is theirs, not an utterance
                    f.kind = "term"
                rec, rmethod = self.recipient_of(cue, off)
                if rec is not None:
                    f.recipient, f.recipient_method = rec, rmethod
                break
        # 3. the quoted words name the addressees: an appeal "to Communist comrades of all
        #    lands", a platform that called on "all honest proletarian elements"
        addressee = self.quote_addressee(sp, qtext, qtoks, scope, off)
        if addressee is not None:
            f.recipient, f.recipient_method = addressee, "quote-names-addressee"
            if f.speaker is None:
                noun = self.document_before(sp, scope, off)
                if noun is not None:
                    f.speaker, f.method, f.cue = self.description(noun, off), "document-noun", self.span_of(off, [noun])
        # 4. a named person as the active subject of the verb that governs the quotation:
        #    "Radek poured contempt on Miasnikov's 'high-flown formula'"
        if f.speaker is None:
            for a in [t for t in qtoks if t.head not in qtoks]:
                v = a.head
                while not (v.tag_.startswith("VB") or v.tag_ == "MD") and v.head.i != v.i:
                    v = v.head
                if v in qtoks or v.lower_ in _COPULAS:
                    continue  # "He was a 'bourgeois specialist'": a description, not his words
                subj = next((c for c in v.children if c.dep_ == "nsubj" and self.outside(c, off)), None)
                if subj is not None and (subj.tag_ in ("NNP", "NNPS") or subj.lower_ in cues.PERSON_PRONOUNS):
                    who = self.who_of(subj, off)
                    if who is not None and who.kind == "person":
                        f.speaker, f.method, f.cue = who, "subject-of-governing-verb", self.span_of(off, [v])
                        break
        # 4b. a quotation introduced by a colon: the subject of the clause before it speaks
        #     ("the chairman cut him off: 'Sit down!'")
        if f.speaker is None and not heard and qtoks:
            lo = self.source.paragraphs[sp.paragraph][0]
            window = self.text[max(lo, sp.start - 80):sp.start - 1].rstrip()
            if window.endswith(":"):
                colon_at = max(lo, sp.start - 80) + len(window) - 1  # offset of the colon
                before = [t for s_ in scope for t in s_ if off + t.idx + len(t.text) <= colon_at]
                v = before[-1] if before else None
                while v is not None and not v.tag_.startswith("VB") and v.head.i != v.i:
                    v = v.head
                subj = next((c for c in v.children if c.dep_ == "nsubj" and self.outside(c, off)), None) if v is not None else None
                who = self.who_of(subj, off) if subj is not None else None
                if subj is not None and cues.is_document_noun(subj.lower_):
                    # "Plekhanov's reply was short: '...'": the author of the reply speaks (a
                    # capitalised possessor, however the tagger labelled it)
                    poss = next((c for c in subj.children if c.dep_ == "poss" and c.text[:1].isupper()
                                 and c.tag_ not in ("PRP$", "WP$")), None)
                    if poss is not None:
                        who = self.proper(poss, off)
                if who is not None and who.kind == "place" and v.lower_ in cues.REPORTING_VERBS:
                    who = Who(who.name, who.mention, who.basis, "person")  # "Kollontai later wrote: ..."
                if who is not None and who.kind in ("person", "group", "document", "publication"):
                    f.speaker, f.method, f.cue = who, "colon-clause-subject", self.span_of(off, [v])
        # 5. the running speaker of the paragraph (or of the block quotation's introduction)
        running = self.d.running
        if f.speaker is None:
            fresh = running is not None and self.d.sentence_no - self.d.running_sentence <= RUNNING_SENTENCES
            if heard:
                f.kind_method = "cue-unresolved"  # "he said": someone spoke whom we cannot name
            elif fresh and document is None:
                f.speaker, f.method, f.cue = running.speaker.inferred(), "running-speaker", running.cue
                f.kind_method = "running-speaker"
                if f.recipient is None and running.recipient is not None:
                    f.recipient, f.recipient_method = running.recipient.inferred(), "running-recipient"
            elif words > SHORT_WORDS:
                f.kind_method = "sentence-length"
            else:
                return Found("term", "short-no-cue")
        else:
            f.kind_method = f.method if f.kind == "quotation" else f"{f.method}-label"
        # 6. recipients from context: the narrator's interlocutor speaks to the narrator; what
        #    this speaker addressed before; an assembly met "at"
        if f.recipient is None and self.author and (f.speaker is None or f.speaker.name != self.author) \
                and (f.speaker is not None or heard) and self.in_dialogue(sp):
            f.recipient, f.recipient_method = Who(self.author, self.d.dialogue_cue, "inferred", "person"), "narrator-dialogue"
        if f.recipient is None and f.speaker is not None:
            prev = self.d.addressees.get(f.speaker.name)
            # a document keeps its addressees (an appeal's closing slogans); a person's letter
            # to X does not make X the audience of what the person says next paragraph
            reach = sp.paragraph - (1 if f.speaker.kind != "person" else 0)
            if prev and prev[0] >= reach:
                f.recipient, f.recipient_method = prev[1].inferred(), "speaker-addressee"
            elif f.speaker.kind == "person":
                for p, who in reversed(self.d.assemblies):
                    if p >= sp.paragraph - 1 and who.mention.start < sp.start:
                        f.recipient, f.recipient_method = who, "assembly-setting"
                        break
        if f.speaker is not None:
            self.d.running = f
            self.d.running_sentence = self.d.sentence_no
            if f.recipient is not None and f.recipient_method not in ("running-recipient", "speaker-addressee"):
                self.d.addressees[f.speaker.name] = (sp.paragraph, f.recipient)
        return f

    def in_dialogue(self, sp: QuotedSpan) -> bool:
        """The narrator questions someone in this paragraph (before the quotation) or the one
        before it: "I asked him ...", "When I questioned one of them"."""
        lo = self.source.paragraphs[max(0, sp.paragraph - 1)][0]
        m = None
        for m in _DIALOGUE.finditer(self.text, lo, sp.start):
            pass
        if m is None:
            return False
        self.d.dialogue_cue = Span(m.start(), m.end(), m.group())
        return True

    def document_before(self, sp: QuotedSpan, scope: list[Any], off: int) -> Any | None:
        nouns = [t for s in scope for t in s if off + t.idx < sp.start and cues.is_document_noun(t.lower_)
                 and self.outside(t, off)]
        return nouns[-1] if nouns else None

    def quote_addressee(self, sp: QuotedSpan, qtext: str, qtoks: list[Any], scope: list[Any], off: int) -> Who | None:
        m = re.match(r"(?i)to\s+", qtext)
        names_addressee = False
        if m and len(qtoks) > 1 and not qtoks[1].tag_.startswith("VB") and self.document_before(sp, scope, off) is not None:
            names_addressee = True  # an appeal ... "to Communist comrades of all lands"
        elif any(t.head.lower_ in ("on", "upon") and t.head.head.lower_ in ("call", "calls", "called", "calling")
                 for t in qtoks if t.head not in qtoks):
            names_addressee = True  # called on "all honest proletarian elements"
        if not names_addressee:
            return None
        name = qtext[m.end():] if m else qtext
        name = name.strip(" ,.;:")
        s = sp.start + qtext.find(name)
        return Who(name, Span(s, s + len(name), name), "explicit", "group")


_COPULAS = frozenset("be is was are were been being am seem seems seemed become becomes became remain remains remained".split())
_GLUED_TAIL = re.compile(r"[.,;:]*[\[({]\d{1,3}[\])}]?$")
_DIALOGUE = re.compile(r"\b(?:I|we)\s+(?:\w+ly\s+|then\s+|next\s+)?(?:asked|questioned|told|talked\s+(?:to|with)|"
                       r"spoke\s+(?:to|with)|said\s+to|interviewed|inquired\s+of)\b")


_ASSEMBLY_AT = re.compile(r"\bat\s+the\s+((?:[A-Z][\w'\u2019-]*\s+)+(?:" + "|".join(
    a.capitalize() for a in sorted(cues.ASSEMBLY_NOUNS)) + r")\w?)\b")
def _in_brackets(tok: Any) -> bool:
    """Whether a token stands inside round brackets within its sentence."""
    depth = 0
    for t in tok.sent:
        if t.i >= tok.i:
            break
        depth += (t.text == "(") - (t.text == ")")
    return depth > 0


def attribute_rules(source: Source, spans: list[QuotedSpan], registry: list[dict[str, Any]]) -> list[SpanAttribution]:
    """Kind, speaker and recipient of every span (in the order of `spans`)."""
    if not spans:
        return []
    return _Attributor(source, spans, registry).run()
