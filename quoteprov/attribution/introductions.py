"""Introductions: a paragraph whose last words run on into the quotation that opens the next
("Emma continued:", "when Mr. Knightley startled her, by saying,"), and a paragraph that only says
the same speaker goes on ("Again:"). Each sets the running speaker the next quotation reads."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .. import cues
from ..discourse import Found, Who
from ..entities import is_person_noun
from ..records import Span
from .context import Ctx, outside, span_of
from .cue_rules import elided_subject
from .dialogue import BEGAN
from .parse_units import RUNS_ON
from .who import who_of

if TYPE_CHECKING:
    from spacy.tokens import Span as Sent
    from spacy.tokens import Token


# verbs that introduce words to come: the reporting verbs, and "began (with)", "went on"
INTRODUCING_VERBS = cues.REPORTING_VERBS | cues.CONTINUING_VERBS | BEGAN | {"begin", "beginning"}


def _introducing_verb(ctx: Ctx, sent: "Sent", off: int, after: int) -> "Token | None":
    """The verb of the sentence's words after offset `after` that introduces what follows: the
    last verb of speaking, else the last verb. In "Lucy put an end to it by saying, though
    Marianne was then playing," Lucy speaks, not the subject of the clause set in after her verb."""
    verbs = [t for t in sent if off + t.idx >= after and outside(ctx, t, off) and (t.tag_.startswith("VB") or t.tag_ == "MD")]
    said = [t for t in verbs if t.lower_ in INTRODUCING_VERBS]
    return said[-1] if said else (verbs[-1] if verbs else None)


def introduction(ctx: Ctx, sent: "Sent", off: int, p: int) -> None:
    """A paragraph that ends in a colon, comma or dash without a reporting verb introduces the
    quotation opening the next one ("Emma continued:", "John Knightley began with--",
    "Harriet's was--"): the subject of its last clause speaks it (`introduction-subject`)."""
    lo, hi = ctx.source.paragraphs[p]
    body = ctx.text[lo:hi].rstrip()
    if not body.endswith(RUNS_ON) or off + sent.end_char < lo + len(body):
        return  # not the paragraph's last words
    v = _introducing_verb(ctx, sent, off, max((sp.end for sp in ctx.outer), default=lo))  # ctx.outer: this paragraph's
    spoke = ctx.d.introduction
    if spoke is not None and spoke is ctx.d.running and ctx.d.running_sentence == ctx.d.sentence_no and (
            v is None or spoke.cue is None or spoke.cue.start >= off + v.idx):
        # a reporting verb there already spoke, and no verb of speaking after it: "Mrs. Bennet begged
        # her to take some refreshment; but Lady Catherine declined; and then rising up, said to
        # Elizabeth," is Lady Catherine's
        return
    for _ in range(6):  # "found an opportunity of saying": up to the clause that has a subject
        if v is None or any(c.dep_ in ("nsubj", "nsubjpass") for c in v.children) or v.head.i == v.i:
            break
        v = v.head
    subj = next((c for c in v.children if c.dep_ == "nsubj" and outside(ctx, c, off)), None) if v is not None else None
    if v is not None and subj is None and v.i == v.sent.start and v.lower_ in cues.REPORTING_VERBS:
        # "Said one of the leaders:": the verb first, its subject after it (the parser's object)
        subj = next((c for c in v.rights if c.dep_ in ("dobj", "attr", "npadvmod", "dep") and outside(ctx, c, off)), None)
    if v is not None and subj is None and v.head.i == v.i:
        subj = elided_subject(ctx, v, off)
    if v is None and _again(ctx, p):
        return
    if v is None or subj is None:
        return
    poss = next((c for c in subj.children if c.dep_ == "poss" and (
        c.tag_ in ("NNP", "NNPS") or (c.tag_ == "PRP$" and c.lower_ in cues.PERSON_PRONOUNS))), None)
    if poss is not None and not is_person_noun(subj.lower_):
        subj = poss  # "Emma's remark was--", "His next letter was in another tone:": theirs
    who = who_of(ctx, subj, off)
    if who is None or who.kind not in ("person", "group", "document", "publication"):
        return
    ctx.d.running = Found("quotation", "introduction-subject", who, "introduction-subject", span_of(ctx, off, [v]))
    ctx.d.running_sentence = ctx.d.sentence_no
    ctx.d.introduction = ctx.d.running


# a paragraph of its own that only says the same speaker goes on: "Again:", "And later:--"
_AGAIN = re.compile(r"\s*(?:and\s+)?(?:again|further|furthermore|elsewhere|later|once\s+more|also|moreover)\s*"
                    r"[:\-\u2013\u2014]+\s*", re.IGNORECASE)
AGAIN_PARAGRAPHS = 3  # the speaker it carries on spoke at most this many paragraphs before


def _again(ctx: Ctx, p: int) -> bool:
    """"Lenin says: ... / Again: '...'": a paragraph that is only "Again:" carries on the last one
    quoted or introduced (`introduction-again`); returns whether the paragraph is one."""
    lo, hi = ctx.source.paragraphs[p]
    if not _AGAIN.fullmatch(ctx.text, lo, hi):
        return False
    last, _, par = ctx.d.last_turn
    intro = ctx.d.introduction
    intro_at = intro.cue.start if intro is not None and intro.cue is not None else -1
    turn_at = ctx.source.paragraphs[par][0] if last is not None and par >= 0 else -1
    said = intro if intro_at >= turn_at else last
    if said is not None and said.speaker is not None and max(intro_at, turn_at) >= ctx.source.paragraphs[
            max(0, p - AGAIN_PARAGRAPHS)][0]:
        who: Who | None = said.speaker.inferred()
    else:  # introduced in a paragraph only skimmed ("Lenin says, we must have in view:--"): the one last met
        who = ctx.d.resolve("person", lo)
        who = who.inferred() if who is not None and who.kind in ("person", "group") else None
    if who is None:
        return True
    ctx.d.running = Found("quotation", "introduction-again", who, "introduction-again", Span(lo, hi, ctx.text[lo:hi]))
    ctx.d.running_sentence = ctx.d.sentence_no
    ctx.d.introduction = ctx.d.running
    return True
