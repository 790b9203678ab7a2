"""Words the text calls someone's after the quotation: '"...," was Marilla's response', '"...,"
were his last words to me', '"...!" is what the workman wanted to say', and an answer to the
one who asked ('"...," was the answer')."""
from __future__ import annotations

import re

from .. import cues
from ..discourse import Found, Who
from ..entities import person_noun
from ..records import Span
from ..spans import QuotedSpan
from .context import Ctx
from .dialogue import RUNNING_SENTENCES


def reply_of_addressed(ctx: Ctx, f: Found, sp: QuotedSpan) -> bool:
    """4c. An answer: "'...,' was Marilla's response" is hers (`reply-possessor`); "'...,' was the
    answer" is the one the last speaker addressed ("I asked the commissionaire"), made to the
    asker, across a paragraph too. Fills what it knows of `f`; returns whether the quotation is
    an answer (its speaker, if unnamed, is not the one who asked)."""
    by = cues.REPLY_BY.match(ctx.text, sp.end, sp.end + 100) or cues.WHAT_SAID.match(ctx.text, sp.end, sp.end + 100)
    if by is not None and (who := _named(ctx, by)) is not None:
        f.speaker, f.method, f.cue = who, "reply-possessor", who.mention
        # after the reply noun ("was Marilla's reply to Anne"), or after a description that the
        # pattern read on past ("by the workmen of Paris to the Soviet")
        _said_to(ctx, f, who.mention.end if by.re is cues.REPLY_BY and by.group(4) else by.end())
    owned = cues.REPLY_OWNED.match(ctx.text, sp.end, sp.end + 60) if f.speaker is None else None
    if owned is not None:
        who = _owner(ctx, owned.group(1), Span(owned.start(1), owned.end(1), owned.group(1)))
        if who is not None:
            f.speaker, f.method, f.cue = who, "reply-possessor", who.mention
            _said_to(ctx, f, owned.end())
    if f.speaker is None:
        _reply_before(ctx, f, sp)
    if not cues.REPLY_AFTER.match(ctx.text, sp.end, sp.end + 40):
        return f.speaker is not None
    # the question may be the paragraph before's: an answer is a new turn, not the running speaker's
    running, at, _ = ctx.d.last_turn
    if running is None or running.speaker is None or ctx.d.sentence_no - at > RUNNING_SENTENCES:
        return True
    # the answer is made to the one who asked ('"...," came the reply from the Right'), even where
    # the one who answers is not known
    if f.recipient is None:
        f.recipient, f.recipient_method = running.speaker.inferred(), "reply-to-asker"
    if f.speaker is None and running.recipient is not None and running.recipient_method not in (
            "running-recipient", "speaker-addressee"):
        f.speaker, f.method, f.cue = running.recipient.inferred(), "reply-of-addressed", running.recipient.mention
    if f.speaker is not None and f.recipient is not None and f.recipient.name == f.speaker.name \
            and f.recipient_method == "reply-to-asker":
        f.recipient, f.recipient_method = None, None  # his answer to his own question is no answer to him
    return True


def _reply_before(ctx: Ctx, f: Found, sp: QuotedSpan) -> None:
    """'and Elizabeth's reply was, "..."': the possessor of the reply noun before the quotation's
    opening mark speaks it, by name (not a word capitalised only to open the sentence: "And")
    or by pronoun."""
    before = cues.REPLY_BEFORE.search(ctx.text, max(0, sp.start - 100), sp.start)
    if before is None:
        return
    if before.group(2):
        who = _owner(ctx, before.group(2), Span(before.start(2), before.end(2), before.group(2)))
    else:
        words = list(re.finditer(r"\S+", before.group(1)))
        while len(words) > 1 and words[0].group() in ctx.names.openers:
            words = words[1:]  # "And Elizabeth"
        at = before.start(1) + words[0].start()
        who = _by_name(ctx, at, ctx.text[at:before.end(1)])
    if who is not None:
        f.speaker, f.method, f.cue = who, "reply-possessor", who.mention


def _named(ctx: Ctx, m: "re.Match[str]") -> Who | None:
    """The one a reply cue names: a name (`canonical_proper`), or "the" and a description of
    people up to its last noun for people and a name of a place after it ("the croupier", "the
    workmen of Paris"), not a thing ("the words of the song")."""
    g = next(k for k in range(1, m.re.groups + 1) if m.group(k))
    text = m.group(g)
    if text[:1].isupper():
        return _by_name(ctx, m.start(g), text)
    words = text.split()
    heads = [k for k, w in enumerate(words) if person_noun(w) is not None]
    if not heads:
        return None
    k = heads[-1]
    of_place = words[k + 1:k + 3] if words[k + 1:k + 2] == ["of"] and words[k + 2:k + 3] != [] and \
        words[k + 2][:1].isupper() else []
    described = " ".join(words[:k + 1] + of_place)
    mention = Span(m.start(g), m.start(g) + len(described), described)
    return Who(described, mention, "explicit", person_noun(words[k]) or "person")


def _by_name(ctx: Ctx, at: int, text: str) -> Who:
    """The person a name written at offset `at` stands for, in its fullest form (`canonical_proper`)."""
    name = ctx.names.canonical_proper(text, ctx.known)
    return Who(name, Span(at, at + len(text), text), "explicit" if name == text else "resolved", "person")


def _said_to(ctx: Ctx, f: Found, end: int) -> None:
    """'... were his last words to me', '... to the Soviet': the one the words were said to."""
    to = cues.REPLY_TO.match(ctx.text, end, end + 80)
    if to is None or f.speaker is None:
        return
    g = next(k for k in (1, 2, 3) if to.group(k))
    said_to, mention = to.group(g), Span(to.start(g), to.end(g), to.group(g))
    if g == 1:
        if ctx.author is None or said_to == "us" or f.speaker.name == ctx.author:
            return
        f.recipient = Who(ctx.author, mention, "resolved", "person")
    elif g == 2:
        name = ctx.names.canonical_proper(said_to, ctx.known)
        f.recipient = Who(name, mention, "explicit" if name == said_to else "resolved",
                          "group" if " and " in said_to else "person")
    elif person_noun(said_to) is not None:
        f.recipient = Who(said_to, mention, "explicit", person_noun(said_to) or "person")
    else:
        return
    f.recipient_method = "reply-to"


def _owner(ctx: Ctx, pronoun: str, mention: Span) -> Who | None:
    """Whose a reply is by its possessive pronoun: "my" the narrator's; "his", "her", "their" the
    person the reader last met of that gender or number ("Sir Thomas could not be provoked.
    '...,' was his answer")."""
    low = pronoun.lower()
    if low == "my":
        return Who(ctx.author, mention, "resolved", "person") if ctx.author else None
    ante = ctx.d.resolve("plural" if low == "their" else "person", mention.start, cues.pronoun_gender(low), ctx.names.gender)
    return Who(ante.name, mention, "resolved", ante.kind) if ante is not None and ante.kind != "anonymous" else None
