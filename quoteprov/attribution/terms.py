"""Whether a quoted span is a term or a title rather than reported words. Each rule is named
after the `method` value it gives the span's kind."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Token

from .. import cues
from ..discourse import Found
from ..spans import QuotedSpan
from .context import Ctx

SHORT_WORDS = 4  # a quote this short, without a cue or reporting context, is a term


def term_rules(ctx: Ctx, i: int, qtext: str, qtoks: list["Token"], words: int) -> Found | None:
    """The span as a term or title, by the first rule that applies, or None (reported words)."""
    sp = ctx.spans[i]
    if text_before(ctx, sp).rstrip(" ,:(").endswith(cues.STRONG_TERM_LEADS):
        return Found("term", "term-lead")  # 'the so-called "New Course"': a name, not a work
    if title_case(ctx, sp, qtext):
        return Found("title", "title-case")
    if term_lead(ctx, i):
        return Found("term", "term-lead")
    if words <= SHORT_WORDS and word_as_word(qtoks):
        return Found("term", "word-as-word")
    if sp.nested_in is not None and words <= SHORT_WORDS:
        return Found("term", "nested-short")
    if words <= SHORT_WORDS and noun_modifier(qtoks):
        return Found("term", "noun-modifier")
    return None


def text_before(ctx: Ctx, sp: QuotedSpan, width: int = 40) -> str:
    """Up to `width` characters before the opening mark, in its paragraph, lower case."""
    lo = ctx.source.paragraphs[sp.paragraph][0]
    return re.sub(r"\s+", " ", ctx.text[max(lo, sp.start - 1 - width):sp.start - 1].lower())


def term_lead(ctx: Ctx, i: int) -> bool:
    sp = ctx.spans[i]
    before = text_before(ctx, sp).rstrip(" ,:(")
    if any(before.endswith(" " + lead) or before == lead for lead in cues.TERM_LEADS):
        return True
    # coordinated with a term just before it: such words as "solidarity" and "brotherhood"
    prev = ctx.results.get(i - 1)
    if prev is not None and prev.kind == "term" and ctx.spans[i - 1].paragraph == sp.paragraph:
        between = ctx.text[ctx.spans[i - 1].end:sp.start]
        return bool(re.fullmatch(r"\W{0,2}\s*(?:,|and|or|,\s*and|,\s*or)\s*\W?", between))
    return False


def title_case(ctx: Ctx, sp: QuotedSpan, qtext: str) -> bool:
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
    before = text_before(ctx, sp, 30).split()
    prev = before[-1].strip(",;:(") if before else ""
    if prev in cues.TITLE_LEADS or (len(before) > 1 and before[-2] in cues.TITLE_LEADS):
        return True
    after = ctx.text[sp.end + 1:sp.end + 2]
    if after == "-":
        return False  # '"Workers' Communist Parties of the USSR"-parties': a name in use
    if prev != "the" and (cues.tag_follows(ctx.text, sp.end + 1, sp.end + 60)
                          or cues.REPLY_BY.match(ctx.text, sp.end, sp.end + 80)):
        # '"Come on," Bill said': words someone said, not a title (but 'the "Internationale,"
        # sang ...' is one: said words do not follow an article)
        return False
    # a capitalised phrase that is not a sentence ("God Save the King"), or one word after
    # an article ("the 'Internationale'")
    return (len(words) >= 2 and not re.search(r"[.!?]\W*$", qtext)) or prev == "the"


def word_as_word(qtoks: list["Token"]) -> bool:
    """'"proletariat" means "proletariat"': a word talked about, not reported words."""
    for t in qtoks:
        h = t.head
        if t.head not in qtoks and (h.lower_ in cues.MEANING_VERBS or (
                h.dep_ in ("ccomp", "conj") and h.head.lower_ in cues.MEANING_VERBS and t.dep_ == "dobj")):
            return True
    return False


def noun_modifier(qtoks: list["Token"]) -> bool:
    """`the "united front" policy`: the quote modifies a noun after it."""
    return any(t.head not in qtoks and t.dep_ in ("compound", "amod", "nmod") and t.head.i > t.i
               and t.head.tag_.startswith("NN") for t in qtoks)
