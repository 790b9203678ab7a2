"""Decide: the rankers choose among the candidates, quotation after quotation.

Quotations are decided in text order, so that the speakers already chosen are the turn-taking
context of the next ones, the likeliest sequence of choices of a beam (`beam.decode`). The confidence of a value is the probability that it is right, by the
calibration model fitted on held-out texts (`confidence.py`; without one, the chosen candidate's
share of its quotation's scores through the curve of its basis). A candidate the rules proposed keeps the rule's evidence,
method and basis (a name the rules read, written in full, "said Ben" as Ben Hacket: their
evidence and method, the basis `resolved` of a name expanded); any other is named `ranked-<origin>` (`ranked-mention`, `ranked-turn`,
`ranked-narrator`) and points at the mention that justifies it. Choosing `nobody` leaves the
value null: the ranker abstains rather than guesses.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..records import Attribution, Span
from .beam import decode, share
from .candidates import Quote, TextIndex, after_pause
from .features import Candidate, is_rules, same_name
from .model import Rankers
from .rules import SpanAttribution

# a name spoken inside a quotation says who was spoken to or of, not who spoke, and one of the
# persons most named lately is only likely: guesses
BASIS_OF = {"name": "explicit", "pronoun": "resolved", "narrator": "resolved", "description": "resolved",
            "inferred": "inferred", "vocative": "inferred", "cast": "inferred", "next": "inferred"}


def basis_of(c: Candidate, rule: Attribution) -> str | None:
    """The basis the value of candidate c will carry: the rule's when c is the rules' value."""
    if c.name is None:
        return None
    if same_name(c.name, rule.value):
        return rule.basis
    return "inferred" if c.origin == "turn" else BASIS_OF.get(c.how, "resolved")


def _span(text: str, ev: tuple[int, int] | None) -> Span | None:
    return Span(ev[0], ev[1], text[ev[0]:ev[1]]) if ev else None


def _value(c: Candidate, rule: Attribution, rule_span: Span | None, conf: float, text: str,
           evidence: dict[str, tuple[int, int]]) -> tuple[Attribution, Span | None]:
    if c.name is None:
        return Attribution(), None
    if same_name(c.name, rule.value):
        return replace(rule, confidence=round(conf, 3)), rule_span
    if c.origin == "rule" and is_rules(c, rule.value):
        # the rules' own name written in full ("said Ben": Ben Hacket) is still the rules' finding:
        # their method and evidence (the cue, "Ben"), the basis of a name expanded (`basis_of`)
        return Attribution(c.name, rule.method, basis_of(c, rule), round(conf, 3)), rule_span
    ev = c.evidence or evidence.get(c.name)
    return Attribution(c.name, f"ranked-{c.origin}", basis_of(c, rule), round(conf, 3)), _span(text, ev)


# an addressee the rules did not find is given only when it is more likely right than wrong
RECIPIENT_GUARD = 0.5


def guarded(models: Rankers, q: Quote, cands: list[Candidate], p: np.ndarray, rk: int,
            rule: Attribution, speaker: str | None, paused: bool = False) -> int:
    """The recipient given: the ranker's choice `rk` (its probabilities `p`; the last candidate is
    nobody), unless it is the speaker (nobody speaks to himself here), or an addressee the rules
    did not find whose share's curve (as when the decisions were chosen, not the confidence) is
    under RECIPIENT_GUARD, or "the last speaker is spoken to" said after the talk paused
    (`paused`), or a term or title the rules gave no addressee (a label, not an utterance: the
    guide's terms and titles are spoken to no one, and the narrator the ranker finds addressed
    all around "Hickey" is not); then nobody."""
    nobody = len(cands) - 1
    if rk == nobody:
        return rk
    if (q.kind != "quotation" and rule.value is None) or same_name(cands[rk].name, speaker) or dropped(
            rule.value is not None, models.recipient.calibrate(share(p, rk), basis_of(cands[rk], rule)),
            cands[rk].origin == "turn", paused):
        return nobody
    return rk


def dropped(rules_found: bool, chance: float, turn: bool, paused: bool) -> bool:
    """Whether the guard drops a quotation's addressee the ranker chose: one the rules did not
    find whose share's curve (`chance`) is under RECIPIENT_GUARD, or "the last speaker is spoken
    to" (`turn`) said of words told after the talk paused (`paused`: `candidates.after_pause`).
    What `guarded` and the held-out evaluations apply alike. Measured on model 16's held-out
    decisions, "the last speaker is spoken to" was right in 36 of 107 such quotations of the
    novels; dropped from every quotation that opens no paragraph (the guard until then), it
    was right in 530 of 1,004, and in both of the genre's."""
    return (not rules_found and chance < RECIPIENT_GUARD) or (turn and paused)


def decide(idx: TextIndex, rules: list[SpanAttribution], models: Rankers) -> list[SpanAttribution]:
    out = list(rules)
    evidence: dict[str, tuple[int, int]] = {}
    steps = decode(idx, models)
    for i, q in enumerate(idx.quotes):
        if i not in steps:
            continue
        r, s = rules[i], steps[i]
        c = s.cands[s.k]
        conf = models.speaker.confidence(s.p, s.k, s.prefer, basis_of(c, r.speaker), c.origin, s.rows[s.k])
        speaker, speaker_span = _value(c, r.speaker, r.speaker_span, conf, idx.text, evidence)
        rc = s.cands[s.rk]
        rconf = models.recipient.confidence(s.rp, s.rk, s.rprefer, basis_of(rc, r.recipient), rc.origin,
                                            s.rrows[s.rk])
        rk = guarded(models, q, s.cands, s.rp, s.rk, r.recipient, speaker.value, after_pause(idx, i))
        recipient, recipient_span = _value(s.cands[rk], r.recipient, r.recipient_span, rconf, idx.text, evidence)
        out[i] = SpanAttribution(r.kind, r.kind_method, speaker, recipient, speaker_span,
                                 r.cue_span if speaker.method == r.speaker.method and speaker.value else None,
                                 recipient_span)
        if speaker.value and speaker_span:
            evidence[speaker.value] = (speaker_span.start, speaker_span.end)
    return out


def quote_of(start: int, end: int, paragraph: int, nested: bool, a: SpanAttribution) -> Quote:
    sp, rs = a.speaker_span, a.recipient_span
    return Quote(start, end, paragraph, nested, a.kind,
                 a.speaker.value, a.speaker.method, a.speaker.basis, (sp.start, sp.end) if sp else None,
                 a.recipient.value, a.recipient.method, a.recipient.basis, (rs.start, rs.end) if rs else None)
