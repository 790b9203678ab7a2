"""The conversation around a quotation: the running speaker, who the narrator talks with, the
addressees a quotation names itself, those a speaker addressed before, the assembly a speech
was made at, and reporting clauses without a quotation."""
from __future__ import annotations

import re
from bisect import bisect_left
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Span as Sent
    from spacy.tokens import Token

from .. import cues
from ..discourse import Found, Who
from ..records import Span
from ..spans import QuotedSpan
from .addressees import recipient_of
from .context import Ctx, is_turn, span_of
from .cue_rules import cues_in, subject_of
from .documents import document_before
from .parse_units import RUNS_ON
from .terms import SHORT_WORDS
from .who import cue_speaker, description, who_of

RUNNING_SENTENCES = 3  # a running speaker carries over at most this many sentences without a cue
_DIALOGUE = re.compile(r"\b(?:I|we)\s+(?:\w+ly\s+|then\s+|next\s+)?(?:asked|questioned|told|talked\s+(?:to|with)|"
                       r"spoke\s+(?:to|with)|said\s+to|interviewed|inquired\s+of|"
                       r"had\s+(?:\w+\s+){1,3}(?:talk|conversation|interview|chat)\s+with)\b"
                       r"|\b(?:my|our)\s+(?:\w+\s+)?(?:talk|conversation|interview)\s+with\b")
TALK_PARAGRAPHS = 2  # the narrator's last words within this many paragraphs keep him in the conversation


def in_dialogue(ctx: Ctx, sp: QuotedSpan) -> bool:
    """The narrator questions someone in this paragraph (before the quotation) or the one
    before it ("I asked him ...", "When I questioned one of them", "I had a long talk with
    X"), or spoke last within TALK_PARAGRAPHS."""
    lo = ctx.source.paragraphs[max(0, sp.paragraph - 1)][0]
    found = list(_DIALOGUE.finditer(ctx.text, lo, sp.start))
    m = found[-1] if found else None  # the last one before the quotation
    if m is None:
        # or the narrator spoke last, lately ('"Do the men work?" || "No, ..."')
        last, _, p = ctx.d.last_turn
        if last is None or last.speaker is None or last.speaker.name != ctx.author or p < sp.paragraph - TALK_PARAGRAPHS:
            return False
        ctx.d.dialogue_cue = last.speaker.mention
        return True
    ctx.d.dialogue_cue = Span(m.start(), m.end(), m.group())
    return True


def quote_addressee(ctx: Ctx, sp: QuotedSpan, qtext: str, qtoks: list["Token"], scope: list["Sent"], off: int) -> Who | None:
    m = re.match(r"(?i)to\s+", qtext)
    names_addressee = False
    if m and len(qtoks) > 1 and not qtoks[1].tag_.startswith("VB") and document_before(ctx, sp, scope, off) is not None:
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


def cue_without_quote(ctx: Ctx, sent: "Sent", off: int) -> None:
    """A reporting clause without a quotation still says who is talking ("Partial measures
    were useless, Miasnikov insisted."; "To his GPU interrogators he later declared,")."""
    found = cues_in(ctx, [sent], off) + _begins_speaking(ctx, sent, off)
    if len(found) > 1 and _ends_in_colon(ctx, sent, off):
        # '"...?" I asked, and he replied briefly:': the first clause tagged the question, the
        # one next to the colon introduces the answer
        found = sorted(found, key=lambda c: -c.i)
    for cue in found:
        if cue.lower_ not in cues.OBJECT_ADDRESSEE_VERBS and any(
                c.dep_ == "dobj" and c.tag_.startswith("NN") and not cues.speech_noun(c.text) for c in cue.children):
            continue  # "he declared a hunger strike", "recalling his experience": not speech ("called a warning" is)
        subj = subject_of(ctx, cue, off)
        who = cue_speaker(who_of(ctx, subj, off), subj, cue) if subj is not None else None
        if who and subj is not None and who.kind == "person" and not isinstance(subj, Span) and subj.tag_ in ("NNP", "NNPS") \
                and subj.ent_type_ != "PERSON" and cue.lower_ in cues.OPINION_VERBS:
            continue  # an unknown name as the subject of "considered": not enough to go on
        if who and who.kind not in ("place", "thing", "anonymous"):
            rec, rmethod = recipient_of(ctx, cue, off)
            said = Found("quotation", "running-speaker", who, "cue", span_of(ctx, off, [cue]), rec, rmethod)
            ctx.d.running = _answer(ctx, who, rec, cue, off) if indirect_question(ctx, cue, sent, off) else said
            ctx.d.running_sentence = ctx.d.sentence_no
            ctx.d.last_turn = (said, ctx.d.sentence_no, ctx.d.paragraph)
            # '"...?" Mary pursued.' is the tag of the quotation before; only words that run on
            # into the next paragraph speak the quotation that opens it
            ctx.d.introduction = ctx.d.running if _introduces(ctx, sent, off) else None
            return


BEGAN = frozenset("began begins begun".split())  # "Mrs. Hurst began again."
_GO_ON = frozenset("ran went runs goes".split())
_STARTING = BEGAN | cues.GESTURE_VERBS


def _begins_speaking(ctx: Ctx, sent: "Sent", off: int) -> list["Token"]:
    """'Mrs. Hurst began again. "I have ..."', 'Syme ran on with a feverish irony. "But ..."',
    'Kamenev laughed. "You need not ..."': a sentence that tells someone began, ran on or made a
    gesture of speaking, with no object or only a way of speaking ("began scolding"), right before
    a quotation (of its paragraph, or opening the next), says who speaks it."""
    verbs = [t for t in sent if t.dep_ in ("ROOT", "conj") and t.tag_.startswith("VB") and (t.lower_ in _STARTING or (
        t.lower_ in _GO_ON and any(c.dep_ == "prt" and c.lower_ == "on" for c in t.children)))]
    if not verbs:
        return []
    root = verbs[-1]  # "A short pause followed, and Mrs. Hurst began again."
    if any(c.dep_ in ("dobj", "ccomp") or (c.dep_ == "xcomp" and c.tag_ != "VBG") for c in root.children):
        return []  # "began the work", "began to cry"
    end = off + sent.end_char
    k = bisect_left(ctx.spans, end, key=lambda sp: sp.start)  # the next quotation, here or opening the next paragraph
    return [root] if k < len(ctx.spans) and re.fullmatch(r"\s*[\"'\u201c\u2018]?", ctx.text[end:ctx.spans[k].start]) else []


def indirect_question(ctx: Ctx, cue: "Token", sent: "Sent", off: int) -> bool:
    """The sentence tells a question put, and ends ("I asked him how he liked the new regime.",
    "She inquired whether the train was late."): what is quoted next with no cue of its own is
    the answer, not the asker's words. Not a question quoted after a colon ('He asked: "..."')."""
    if cue.lower_ not in cues.ASKING_VERBS or not ctx.text[off + sent.start_char:off + sent.end_char].rstrip().endswith("."):
        return False
    for c in cue.children:
        if c.dep_ in ("ccomp", "xcomp", "advcl") and c.i > cue.i:
            first = next(iter(c.subtree))
            if first.lower_ in cues.INDIRECT_QUESTION_OPENERS:
                return True
    return False


def _answer(ctx: Ctx, asker: Who, asked: Who | None, cue: "Token", off: int) -> Found | None:
    """The running speaker after an indirect question: the one asked (`reply-of-asked`), speaking
    to the asker; nobody known when the question names no one ("The consul asked what they
    meant.")."""
    if asked is None or asked.kind != "person" or asked.name == asker.name:
        return None
    return Found("quotation", "reply-of-asked", asked.inferred(), "reply-of-asked", span_of(ctx, off, [cue]),
                 asker.inferred(), "reply-to-asker")


def _last_words(ctx: Ctx, sent: "Sent", off: int) -> str | None:
    """The sentence's paragraph (trailing space dropped) when the sentence is its last words (a
    colon-dash "said:-" ends them, as the parser reads it); None when more follows."""
    lo, hi = ctx.source.paragraphs[ctx.source.paragraph_of(off + sent.start_char)]
    body = ctx.text[lo:hi].rstrip()
    return None if ctx.text[off + sent.end_char:lo + len(body)].strip("-\u2013\u2014 ") else body


def _ends_in_colon(ctx: Ctx, sent: "Sent", off: int) -> bool:
    """Whether the sentence ends its paragraph in a colon (or the old printers' colon-dash)."""
    body = _last_words(ctx, sent, off)
    return body is not None and body.rstrip("-\u2013\u2014 ").endswith(":")


def _introduces(ctx: Ctx, sent: "Sent", off: int) -> bool:
    """Whether a cue sentence may speak the quotation opening the next paragraph: it ends its
    paragraph in a colon, comma or dash ("To his interrogators he later declared,"), or its
    paragraph quotes nobody ("Isolation, he thinks, is forcing Russia backwards." before his
    words), or a block quotation (set off without marks) follows. Not the tag of a quotation
    in its own paragraph: after '"...?" Mary pursued.' the next paragraph is the answer."""
    p = ctx.source.paragraph_of(off + sent.start_char)
    body = _last_words(ctx, sent, off)
    if body is None:
        return False
    if body.endswith(RUNS_ON) or not ctx.outer:
        return True
    k = bisect_left(ctx.spans, p + 1, key=lambda sp: sp.paragraph)
    return k < len(ctx.spans) and ctx.spans[k].paragraph == p + 1 and ctx.spans[k].block


def quote_names_addressee(ctx: Ctx, f: Found, sp: QuotedSpan, qtext: str, qtoks: list["Token"], scope: list["Sent"],
                          off: int) -> None:
    """3. The quoted words name the addressees: an appeal "to Communist comrades of all
    lands", a platform that called on "all honest proletarian elements"; the document noun
    before such a quotation speaks it (`document-noun`) if nothing else did."""
    addressee = quote_addressee(ctx, sp, qtext, qtoks, scope, off)
    if addressee is None:
        return
    f.recipient, f.recipient_method = addressee, "quote-names-addressee"
    if f.speaker is None:
        noun = document_before(ctx, sp, scope, off)
        if noun is not None:
            f.speaker, f.method, f.cue = description(ctx, noun, off), "document-noun", span_of(ctx, off, [noun])


def new_turn_pronoun(ctx: Ctx, f: Found, sp: QuotedSpan) -> None:
    """'"When?" she replied' opening the paragraph after Mrs. Moore's words to Mrs. Bhattacharya:
    in a conversation a new paragraph is the other's turn, so a he/she there is not the last
    speaker but the one spoken to, or the next most salient person of its gender."""
    who = f.speaker
    last, _, p = ctx.d.last_turn
    if who is None or who.basis != "resolved" or who.mention.text.lower() not in cues.PERSON_PRONOUNS \
            or last is None or last.speaker is None or last.speaker.name != who.name or p != sp.paragraph - 1 \
            or not is_turn(ctx, sp) or (f.cue is not None and f.cue.text.split()[0].lower() in cues.CONTINUING_VERBS) \
            or (last.cue is not None and last.cue.text.lower() in cues.GESTURE_VERBS):
        return  # '"...," he went on', or '... He laughed. || "...," he said': the same speaker
    gender = cues.pronoun_gender(who.mention.text)
    to = last.recipient
    if to is not None and to.kind == "person" and ctx.names.gender(to.name) != -gender:
        f.speaker = Who(to.name, who.mention, "resolved", to.kind)
        return
    other = ctx.d.resolve("person", who.mention.start, gender, ctx.names.gender, exclude=who.name)
    if other is not None and other.kind != "anonymous":
        f.speaker = Who(other.name, who.mention, "resolved", other.kind)


def running_speaker(ctx: Ctx, f: Found, heard: bool, document: "Token | None", words: int, qtext: str) -> bool:
    """5. No rule named a speaker: the running speaker of the paragraph (or of the block
    quotation's introduction) if it is fresh. Fills `f`'s kind method; False if the span is
    then a short term after all (`qtext`, the quoted words, tells a question from a term)."""
    running = ctx.d.running
    fresh = running is not None and ctx.d.sentence_no - ctx.d.running_sentence <= RUNNING_SENTENCES
    if heard:
        f.kind_method = "cue-unresolved"  # "he said": someone spoke whom we cannot name
    elif fresh and running is not None and running.speaker is not None and document is None:
        # an introduction at the end of the paragraph before and the rest of a quotation left open
        # there name their own rules; a cue or an earlier quotation of this paragraph makes a
        # running speaker
        method = running.method if running.method in ("introduction-subject", "introduction-again",
                                                      "continued-quotation", "reply-of-asked") else "running-speaker"
        f.speaker, f.method, f.cue = running.speaker.inferred(), method, running.cue
        f.kind_method = method
        if f.recipient is None and running.recipient is not None:
            f.recipient, f.recipient_method = running.recipient.inferred(), (
                "reply-to-asker" if method == "reply-of-asked" else "running-recipient")
    elif words > SHORT_WORDS:
        f.kind_method = "sentence-length"
    elif words > 1 and qtext.rstrip(" '\"\u2019\u201d_")[-1:] in ("?", "!"):
        f.kind_method = "question-or-exclamation"  # "Do the men work?": a turn of talk, not a term
    else:
        return False
    return True


def context_recipient(ctx: Ctx, f: Found, sp: QuotedSpan, heard: bool) -> None:
    """6. Recipients from context: the narrator's interlocutor speaks to the narrator; what
    this speaker addressed before; an assembly met "at"."""
    # a programme or a newspaper quoted amid the narrator's talk answers no one (the guide: a
    # document read by the public is addressed to no one the text names)
    if f.recipient is None and ctx.author and (f.speaker is None or f.speaker.name != ctx.author) \
            and (f.speaker is not None or heard) and (f.speaker is None or f.speaker.kind not in ("document", "publication")) \
            and in_dialogue(ctx, sp):
        narrator_dialogue(ctx, f)
    if f.recipient is None and f.speaker is not None and ctx.author and f.speaker.name == ctx.author:
        narrator_interlocutor(ctx, f, sp)
    if f.recipient is None and f.speaker is not None:
        if not speaker_addressee(ctx, f, sp) and not answer_to_addresser(ctx, f, sp) \
                and f.speaker.kind in ("person", "group"):
            assembly_setting(ctx, f, sp)  # a person or a group of delegates speaks to the body


def narrator_interlocutor(ctx: Ctx, f: Found, sp: QuotedSpan) -> None:
    """The narrator speaks to the one who spoke last, lately ('"Do the men work?"' after the
    leather-worker's account): the other party of the conversation."""
    last, _, p = ctx.d.last_turn
    if last is not None and last.speaker is not None and last.speaker.name != ctx.author \
            and last.speaker.kind == "person" and p >= sp.paragraph - TALK_PARAGRAPHS:
        f.recipient, f.recipient_method = last.speaker.inferred(), "narrator-interlocutor"


def narrator_dialogue(ctx: Ctx, f: Found) -> None:
    """Someone the narrator questions speaks to the narrator (the cue `in_dialogue` found)."""
    assert ctx.author is not None and ctx.d.dialogue_cue is not None  # the caller checked both
    f.recipient, f.recipient_method = Who(ctx.author, ctx.d.dialogue_cue, "inferred", "person"), "narrator-dialogue"


def speaker_addressee(ctx: Ctx, f: Found, sp: QuotedSpan) -> bool:
    """What this speaker addressed recently; whether there was one."""
    assert f.speaker is not None  # called for a quotation whose speaker is known
    prev = ctx.d.addressees.get(f.speaker.name)
    # a document keeps its addressees (an appeal's closing slogans); a person's letter
    # to X does not make X the audience of what the person says next paragraph
    reach = sp.paragraph - (1 if f.speaker.kind != "person" else 0)
    if prev and prev[0] >= reach:
        f.recipient, f.recipient_method = prev[1].inferred(), "speaker-addressee"
        return True
    return False


def answer_to_addresser(ctx: Ctx, f: Found, sp: QuotedSpan) -> bool:
    """Words said by the one the last quotation was addressed to, in its paragraph or the next,
    answer its speaker ('The doctor said to the nurse: "Go." || "What medicine?" asked the
    nurse.'): in the genre's golds 43 of 45 such answers, in PDNC's novels 90%
    (`answer-to-addresser`, inferred). Fills `f`; returns whether it did."""
    last, _, p = ctx.d.last_turn
    if f.speaker is None or last is None or last.speaker is None or last.recipient is None \
            or p < sp.paragraph - 1 or last.speaker.name == f.speaker.name \
            or last.recipient.name != f.speaker.name or last.speaker.kind not in ("person", "group"):
        return False
    f.recipient, f.recipient_method = last.speaker.inferred(), "answer-to-addresser"
    return True


def assembly_setting(ctx: Ctx, f: Found, sp: QuotedSpan) -> None:
    """A person speaking after an assembly was met "at" (this or the paragraph before), or in the
    sentence that meets it ('"How long," said they, at the Soviet meetings, "will ..."'), addresses it."""
    for p, who, sentence in reversed(ctx.d.assemblies):
        if (p >= sp.paragraph - 1 and who.mention.start < sp.start or sentence == ctx.d.sentence_no) \
                and f.speaker is not None and who.name != f.speaker.name:
            f.recipient, f.recipient_method = who, "assembly-setting"
            return


def carry_speaker(ctx: Ctx, f: Found, sp: QuotedSpan) -> None:
    """A found speaker becomes the running speaker; a recipient found here (not carried over)
    is remembered as the speaker's addressee."""
    if f.speaker is not None:
        ctx.d.running = f
        ctx.d.running_sentence = ctx.d.sentence_no
        ctx.d.last_turn = (f, ctx.d.sentence_no, sp.paragraph)
        if f.recipient is not None and f.recipient_method not in ("running-recipient", "speaker-addressee"):
            ctx.d.addressees[f.speaker.name] = (sp.paragraph, f.recipient)
