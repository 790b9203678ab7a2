"""Stage 4: kind, speaker and recipient of each quoted span, from a dependency parse plus a
small discourse layer (pronoun and description resolution, the running speaker of a paragraph,
the speaker of a block quotation from the paragraph before it, a first-person narrator).

Every value carries the source span that justifies it and the rule (`method`) that found it;
its `basis` says whether it was `explicit` (a name in the text), `resolved` (a pronoun or
description resolved to a name) or `inferred` (carried over from context: a guess).

Only paragraphs that hold quotations are parsed (and the paragraph before a block quotation):
attribution never needs the rest, and the parse is the expensive part of extraction.

This module is the driver; the rules live by concern in `terms` (term or title), `who`
(names, pronouns, descriptions), `cue_rules` (reporting cues and their subjects), `addressees`,
`documents`, `speaker` (the speaker rules in order), `dialogue` (running speaker, addressees
from context) and `parse_units` (what is parsed, what is skimmed), all reading one `Ctx`.
"""
from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as Sent

from .. import cues
from ..discourse import Found
from ..entities import inner_title, name_index
from ..records import Attribution, Span
from ..source import Source
from ..spans import QuotedSpan
from ..syntax import parse
from .context import Ctx, clean
from .cue_rules import speech_tag
from .dialogue import cue_without_quote
from .introductions import introduction
from .narrator import cited_documents, narrator_of, outermost
from .parse_units import assemblies_in, is_block, only_remembered, plan_units, remember, skim
from .speaker import attribute_one
from .windows import unit_spans


@dataclass(frozen=True)
class SpanAttribution:
    kind: str
    kind_method: str
    speaker: Attribution
    recipient: Attribution
    speaker_span: Span | None = None
    cue_span: Span | None = None
    recipient_span: Span | None = None


FIND = object()  # the narrator is not given: `attribute_rules` asks `narrator_of`


def attribute_rules(source: Source, spans: list[QuotedSpan], registry: list[dict[str, Any]],
                    narrator: str | None | object = FIND) -> list[SpanAttribution]:
    """Kind, speaker and recipient of every span (in the order of `spans`); the narrator's "I" is
    `narrator` (None: there is none), or when that is not given, whom `narrator_of` finds."""
    if not spans:
        return []
    if narrator is FIND:
        narrator = narrator_of(source, outermost(spans))
    assert narrator is None or isinstance(narrator, str)
    names = name_index(source.text, registry)
    by_par: dict[int, list[int]] = {}
    for i, sp in enumerate(spans):
        by_par.setdefault(sp.paragraph, []).append(i)
    units, memory_only = plan_units(source, spans, by_par)
    docs = parse([source.text[lo:hi] for lo, hi, _ in units])
    known = _known_names(docs)
    counts = name_counts(source.text)
    names = dataclasses.replace(names, persons=frozenset(
        n for n in _known_names(docs, ("PERSON",)) if not run_together(counts, n)),
        apart=given_names_run_together(counts, known | names.fuller_forms, names.proper))
    body = {p for p in range(len(source.paragraphs)) if source.is_body(p)}
    cited = cited_documents(source.text, source.paragraphs, outermost(spans), body)
    ctx = Ctx(source, spans, names, known, narrator, cited, person_re=_person_pattern(docs, known, names.unplaced),
              memory_only=memory_only)
    starts = {p: [spans[i].start for i in idxs] for p, idxs in by_par.items()}
    pos = 0
    for (lo, hi, p), doc in zip(units, docs):
        skim(ctx, pos, lo)
        unit(ctx, p, doc, lo, unit_spans(spans, by_par.get(p, []), starts.get(p, []), lo, hi))
        pos = hi
    return [_span_attribution(ctx.results.get(i) or Found()) for i in range(len(spans))]


def _known_names(docs: list["Doc"], labels: tuple[str, ...] = ("PERSON", "ORG")) -> frozenset[str]:
    """Full names the parser knows as persons or bodies (or as what `labels` says)."""
    known: set[str] = set()
    for doc in docs:
        for ent in doc.ents:
            if ent[0].is_sent_start and ent[0].lower_.endswith("ing") and len(ent) > 1:
                ent = ent[1:]  # "Quoting Marx" is Marx
            if ent.label_ in labels and len(ent) > 1 and _one_name(ent.text):
                known.add(clean(ent.text))
    return frozenset(known)


# times a word must be written alone as a name for a two-word "name" written once that ends in
# it to be two people: a surname alone is rare in novels (the title goes before it), a given
# name is everywhere
ALONE_AS_A_NAME = 10
_WORD = re.compile(r"[A-Za-z][\w'\u2019.-]*")


@dataclass(frozen=True)
class NameCounts:
    """How often the text writes each capitalised word alone (not after a capitalised word or
    "the") and each pair of capitalised words, counted in one pass."""
    alone: dict[str, int]
    pairs: dict[tuple[str, str], int]


def name_counts(text: str) -> NameCounts:
    alone: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    prev, end = "", 0
    for m in _WORD.finditer(text):
        w = m.group()
        if w[:1].isupper():
            # next to the word before only across spaces ("Katharine, Cassandra" are two)
            beside = prev if text[end:m.start()].isspace() else ""
            if beside[:1].isupper():
                pairs[beside, w] = pairs.get((beside, w), 0) + 1
            elif beside != "the":
                alone[w] = alone.get(w, 0) + 1
        prev, end = w, m.end()
    return NameCounts(alone, pairs)


def given_names_run_together(counts: NameCounts, names: frozenset[str], proper: frozenset[str]) -> frozenset[str]:
    """The names of `names` that are two given names run together ("Katharine Cassandra"):
    `run_together`, both words names the text capitalises in mid-sentence (`proper`), and the
    second opens another name of the text ("Cassandra Otway"), so it is a given name, not the
    surname of the first. Such a name does not expand "Cassandra" alone; a surname written alone
    again and again ("Lenin", once "Vladimir Lenin") still expands."""
    openers = {n.split()[0] for n in names if len(n.split()) == 2}
    return frozenset(n for n in names if run_together(counts, n) and n.split()[1] in openers
                     and n.split()[0] != n.split()[1] and n.split()[0] in proper)


def run_together(counts: NameCounts, name: str) -> bool:
    """Two people's names the parser ran into one ("Katharine Cassandra; Cassandra Katharine",
    "Martha Potapitch"), which a given name alone must not be read as: written once, and its
    last word written alone as a name, without a capitalised word or "the" before it, again and
    again ("Helen Schlegel", once, is Helen: "Schlegel" alone is rare, "Miss Schlegel", "the
    Schlegel girls" are not alone)."""
    words = name.split()
    return len(words) == 2 and counts.pairs.get((words[0], words[1]), 0) <= 1 \
        and counts.alone.get(words[1], 0) >= ALONE_AS_A_NAME


def _person_pattern(docs: list["Doc"], known: frozenset[str], unplaced: frozenset[str]) -> re.Pattern[str] | None:
    """The persons' names, longest first, to find them in skimmed text (with the names the parser
    took for places that the text never uses as one, `unplaced`)."""
    # as names: "Miss Beatty's" (the parser's entity may keep the possessive) is Miss Beatty
    persons = sorted({clean(e.text) for doc in docs for e in doc.ents if _one_name(e.text) and (
        e.label_ == "PERSON" or e.label_ in ("GPE", "LOC") and clean(e.text) in unplaced)} | known, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, persons)) + r")\b") if persons else None


def _cue_sentence_after(ctx: Ctx, end: int, nxt: "Sent | None", off: int) -> list["Sent"]:
    """The parser's next sentence when it is the quotation's cue ('"Is it late?" Bill asked.'):
    it opens right after the closing mark with a short subject and a reporting verb."""
    if nxt is None or off + nxt.start_char - end > 3:
        return []
    m = cues.CUE_AFTER.match(ctx.text, end + 1, off + nxt.end_char)
    # or any verb in the place of a speech tag ('"Project be damned!" roared Syme, beside himself.')
    tag = None if m is not None else next((t for t in nxt[:4] if t.tag_.startswith("VB") and speech_tag(ctx, t, off)), None)
    if m is not None:
        verb_end = m.end()
    elif tag is not None:
        verb_end = off + tag.idx + len(tag.text)
    else:
        return []
    # the verb first, right after the quotation ('"Why, it is you!" exclaimed Ivo; who ...')
    inverted = tag is not None or (m is not None and len(re.findall(r"[\w.'\u2019-]+", m.group(0))) == 1)
    # a complete tag ('" I asked, and he replied briefly:', '" Cassandra asked him, not from ...',
    # '" replied Rose: shuddering'), whatever follows it
    if re.match(r"\s*(?:(?:him|her|them|me|us)\b\s*)?[,.;]", ctx.text[verb_end:verb_end + 8]) or inverted and \
            re.match(r"\s*[\w.]+[,.;:]", ctx.text[verb_end:verb_end + 40]):
        return [nxt]
    asked = ctx.text[max(0, end - 3):end].rstrip("\"'\u201d\u2019 ")[-1:] in ("?", "!")
    # a colon that ends it after a second reporting verb introduces the next words, while the
    # sentence still tags these ('"...?" I asked the porter beside me, and he answered:')
    # the parser may open the cue sentence with the quotation's own closing mark ('"Why doesn t he
    # fire?" whispered Kemp': the lost apostrophe splits the sentence at the mark): not a new quotation
    words = [t for t in _tag_before_colon(nxt) if off + t.idx > end + 1 or not t.is_quote]
    if len(words) > (CUE_SENTENCE_AFTER_QUESTION if asked else CUE_SENTENCE_TOKENS) or any(
            t.text in (":", ";") or t.is_quote for t in words):
        return []  # "It concluded with a slogan: ...": a new statement, not the quotation's cue
    return [nxt]


def _tag_before_colon(nxt: "Sent") -> list["Token"]:
    """The words of a cue sentence that may tag the quotation before it: all of them, or those
    before a colon that ends the sentence or opens a quotation, after a second reporting verb
    ('"...?" I asked the porter beside me, and he answered: "..."' tags the question, then
    introduces the answer)."""
    toks = [t for t in nxt if not t.is_space]
    colon = next((k for k, t in enumerate(toks) if t.text == ":"), None)
    if colon is None or sum(t.lower_ in cues.REPORTING_VERBS for t in toks[:colon]) < 2:
        return toks
    after = toks[colon + 1:]
    return toks[:colon] if not after or after[0].is_quote else toks


CUE_SENTENCE_TOKENS = 8  # '"Is it late?" Bill asked Mr. Pell quietly.' at most
# a question or exclamation does not end the sentence its tag belongs to: '"What does that banner
# say?" I asked the hotel commissionaire who stood beside me.' is its cue, all of it
CUE_SENTENCE_AFTER_QUESTION = 20


_DASH_OR_LOWER_END = re.compile(r"--|[\u2013\u2014]|\s[a-z]+$|,")
# a lower-case word inside a name is one of its particles ("Catherine de Bourgh", "Ivan the
# Terrible"), else the entity ran over a verb: "Maria gave Edmund" is two names
# ("Thorpe s. Catherine": the entity ran over a lost apostrophe's "s" and a full stop)
_NOT_A_PARTICLE = re.compile(r"\s(?!(?:de|du|da|di|del|della|des|van|von|der|den|ten|ter|la|le|of|the|y|bin|ibn|al|el|zu)\s)"
                             r"[a-z]+\.?\s")


def _continued(ctx: Ctx, p: int) -> bool:
    """Whether paragraph p's last quotation is left open: it goes on in the next paragraph."""
    # the spans are in text order: the ones before paragraph p + 1, read backwards
    k = bisect_left(ctx.spans, p + 1, key=lambda sp: sp.paragraph)
    last = next((sp for sp in reversed(ctx.spans[max(0, k - 50):k]) if sp.nested_in is None), None)
    return last is not None and last.paragraph == p and last.unclosed


def _one_name(text: str) -> bool:
    """Not two names run together by a dash ("Miss Abbotts--the Miss Abbott"), a comma ("Harriet,
    Harriet, do not") or a verb ("Maria gave Edmund"), nor a name with the adverb after it ("Anne
    mournfully"): the parser's entity is not always a name."""
    # a trailing title ("Beebe Mr", the entity run onto the next name's title) is two names as well
    return not (_DASH_OR_LOWER_END.search(text.strip()) or _NOT_A_PARTICLE.search(text.strip())
                or inner_title(text))


def _span_attribution(f: Found) -> SpanAttribution:
    s, r = f.speaker, f.recipient
    return SpanAttribution(
        f.kind, f.kind_method,
        Attribution(s.name, f.method, s.basis) if s else Attribution(),
        Attribution(r.name, f.recipient_method, r.basis) if r else Attribution(),
        s.mention if s else None, f.cue if s else None, r.mention if r else None)


def unit(ctx: Ctx, p: int, doc: "Doc", off: int, idxs: list[int]) -> None:
    """Attribute the quotations that open in one parsed stretch of paragraph p."""
    para_spans = tuple(ctx.spans[i] for i in idxs)
    outer = tuple(sp for sp in para_spans if sp.nested_in is None)
    # the cues of a sentence are read once per parsed stretch (whether a token is quoted depends on idxs)
    # inside a document cited in full "I" is its signer, not the narrator
    ctx = dataclasses.replace(ctx, para_spans=para_spans, outer=outer, outer_starts=tuple(sp.start for sp in outer),
                              cue_cache={}, author=ctx.cited.get(p, ctx.author))
    if p != ctx.d.paragraph:
        # in a dialogue each paragraph is a new turn: only an introduction at the end of the
        # paragraph before, or a quotation left open there, carries its speaker over
        carry = ctx.d.paragraph == p - 1 and bool(idxs) and is_block(ctx.source, ctx.spans[idxs[0]])
        if carry and ctx.d.running is not None and ctx.d.running is not ctx.d.introduction \
                and _continued(ctx, p - 1):
            ctx.d.running = dataclasses.replace(ctx.d.running, method="continued-quotation")
        elif not (carry and ctx.d.running is ctx.d.introduction):
            ctx.d.running = None
        ctx.d.paragraph = p
    sents = list(doc.sents)
    for k, sent in enumerate(sents):
        ctx.d.sentence_no += 1
        assemblies_in(ctx, off + sent.start_char, off + sent.end_char)  # before its quotations: "said they, at the Soviet"
        s0, s1 = off + sent.start_char, off + sent.end_char
        here = [i for i in idxs if s0 - 1 <= ctx.spans[i].start - 1 < s1]
        for i in here:
            sp = ctx.spans[i]
            e = next((j for j in range(k, len(sents)) if off + sents[j].start_char <= sp.end <= off + sents[j].end_char + 1), k)
            scope = [sent] if e == k else [sent, sents[e]]
            scope += _cue_sentence_after(ctx, sp.end, sents[e + 1] if e + 1 < len(sents) else None, off)
            ctx.results[i] = attribute_one(ctx, i, scope, off)
        running = ctx.d.running
        if running is not None and any(ctx.spans[i].start < s1 and ctx.spans[i].end > s0 and
                                       (ctx.results.get(i) or Found()).speaker == running.speaker for i in idxs):
            ctx.d.running_sentence = ctx.d.sentence_no  # a quotation still going on
        if not here and not only_remembered(ctx, p, s0, s1):
            cue_without_quote(ctx, sent, off)
        if k == len(sents) - 1:
            # also after a quotation of the same sentence: '"...," was his rejoinder; but Sir
            # Walter's remark was--' introduces the next paragraph (introduction reads the words
            # after the paragraph's last quotation)
            introduction(ctx, sent, off, p)
        remember(ctx, sent, off)
