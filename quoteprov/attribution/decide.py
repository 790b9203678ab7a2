"""Decide: the rankers choose among the candidates, quotation after quotation.

Quotations are decided in text order, so that the speakers already chosen are the turn-taking
context of the next ones. The confidence of a value is the probability that it is right, by the
calibration model fitted on held-out texts (`confidence.py`; without one, the chosen candidate's
share of its quotation's scores through the curve of its basis). A candidate the rules proposed keeps the rule's evidence,
method and basis; any other is named `ranked-<origin>` (`ranked-mention`, `ranked-turn`,
`ranked-narrator`) and points at the mention that justifies it. Choosing `nobody` leaves the
value null: the ranker abstains rather than guesses.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..cues import noun_gender
from ..records import Attribution, Span
from .candidates import Quote, TextIndex, gender_of, opens_paragraph
from .features import Candidate, candidates, recipient_features, same_name, speaker_features
from .model import Rankers, Trees
from .rules import SpanAttribution

# a name spoken inside a quotation says who was spoken to or of, not who spoke, and one of the
# persons most named lately is only likely: guesses
BASIS_OF = {"name": "explicit", "pronoun": "resolved", "narrator": "resolved", "inferred": "inferred",
            "vocative": "inferred", "cast": "inferred", "next": "inferred"}


def choose(model: Trees, rows: list[list[float]], prefer: int | None = None,
           margin: float = 2.0, exclude: int | None = None) -> tuple[int, float]:
    """The best candidate and its share of the scores (`Trees.calibrate` turns it into the
    probability that it is right). With `prefer` (the
    index of the rules' proposal, under the rules-first policy) that candidate stands unless
    the ranker believes another named candidate `margin` times more: abstaining (`nobody`, the
    last row) never overrides a value the rules found evidence for."""
    k, share, _ = choose_p(model, rows, prefer, margin, exclude)
    return k, share


def choose_p(model: Trees, rows: list[list[float]], prefer: int | None = None,
             margin: float = 2.0, exclude: int | list[int] | None = None) -> tuple[int, float, np.ndarray]:
    """`choose`, and the candidates' probabilities it chose from (what the confidence reads)."""
    p = model.prob(np.asarray(rows, dtype=np.float64))
    if exclude is not None:
        p[exclude] = 0.0
    k = int(np.argmax(p))
    if prefer is not None and (k == len(rows) - 1 or math.isinf(margin) or p[k] < margin * p[prefer]):
        k = prefer
    return k, float(p[k] / p.sum()) if p.sum() > 0 else 0.0, p


# rules whose value is no guess for a ranker to overturn: the rest of a quotation left open at
# the end of the paragraph before is the same utterance (the printer's convention), so it keeps
# that speaker and recipient whatever turn-taking suggests
SETTLED = frozenset({"continued-quotation"})


def margin_of(speaker_method: str | None, margin: float) -> float:
    """The margin by which the ranker must outscore the rules' value of this quotation."""
    return math.inf if speaker_method in SETTLED else margin


def other_gender(idx: TextIndex, cands: list[Candidate], value: str | None) -> list[int]:
    """The candidates of the other gender than the description the rules found ("said the first
    housemaid" is no Mr. Eager): whatever turn-taking suggests, the ranker never trades one for
    the other."""
    head = value.split()[-1].lower() if value and value[:1].islower() else ""
    g = noun_gender(head)
    return [k for k, c in enumerate(cands) if g and c.name and gender_of(idx, c.name) == -g]


def rule_index(cands: list[Candidate], value: str | None) -> int | None:
    """Where the rules' value stands among the candidates (None when the rules gave none)."""
    if value is None:
        return None
    return next((k for k, c in enumerate(cands) if same_name(c.name, value)), None)


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
    ev = c.evidence or evidence.get(c.name)
    return Attribution(c.name, f"ranked-{c.origin}", basis_of(c, rule), round(conf, 3)), _span(text, ev)


# an addressee the rules did not find is given only when it is more likely right than wrong
RECIPIENT_GUARD = 0.5


def guarded(models: Rankers, idx: TextIndex, q: Quote, cands: list[Candidate], p: np.ndarray, rk: int,
            rule: Attribution, speaker: str | None) -> int:
    """The recipient given: the ranker's choice `rk` (its probabilities `p`; the last candidate is
    nobody), unless it is the speaker (nobody speaks to himself here), or an addressee the rules
    did not find whose share's curve (as when the decisions were chosen, not the confidence) is
    under RECIPIENT_GUARD, or "the last speaker is spoken to" said of narrated speeches rather
    than of a conversation (a quotation opening its paragraph); then nobody."""
    nobody = len(cands) - 1
    if rk == nobody:
        return rk
    share = float(p[rk] / p.sum()) if p.sum() > 0 else 0.0
    if same_name(cands[rk].name, speaker) or (
            rule.value is None and models.recipient.calibrate(share, basis_of(cands[rk], rule)) < RECIPIENT_GUARD) or (
            cands[rk].origin == "turn" and not opens_paragraph(idx, q)):
        return nobody
    return rk


def decide(idx: TextIndex, rules: list[SpanAttribution], models: Rankers) -> list[SpanAttribution]:
    out = list(rules)
    first = models.policy == "rules-first"
    prev: list[str | None] = []
    prev_to: str | None = None  # the ranker's addressee of the last quotation, before the guard
    evidence: dict[str, tuple[int, int]] = {}
    for i, q in enumerate(idx.quotes):
        if q.nested:
            continue
        r = rules[i]
        cands, by = candidates(idx, i, prev, prev_to)
        # the one the rules found addressed ("he told the delegates") is not the speaker
        addressed = rule_index(cands, r.recipient.value) if r.recipient.value and not same_name(
            r.recipient.value, r.speaker.value) else None
        rows = speaker_features(idx, i, cands, by, prev, prev_to)  # the recipient ranker reads them too
        prefer = rule_index(cands, r.speaker.value) if first else None
        margin = margin_of(r.speaker.method, models.margin)
        k, _, p = choose_p(models.speaker, rows, prefer, margin,
                           [x for x in (addressed,) if x is not None] + other_gender(idx, cands, r.speaker.value))
        conf = models.speaker.confidence(p, k, prefer, basis_of(cands[k], r.speaker), cands[k].origin, rows[k])
        speaker, speaker_span = _value(cands[k], r.speaker, r.speaker_span, conf, idx.text, evidence)
        rrows = recipient_features(idx, i, cands, by, prev, speaker.value, rows, prev_to)
        rprefer = rule_index(cands, r.recipient.value) if first else None
        rk, _, rp = choose_p(models.recipient, rrows, rprefer, margin)
        rbasis = basis_of(cands[rk], r.recipient)
        rconf = models.recipient.confidence(rp, rk, rprefer, rbasis, cands[rk].origin, rrows[rk])
        # the next turn reads the ranker's choice as it was trained to (the training and the
        # held-out figures see it unguarded), not what the guard below leaves in the record
        prev_to = cands[rk].name if not same_name(cands[rk].name, speaker.value) else None
        rk = guarded(models, idx, q, cands, rp, rk, r.recipient, speaker.value)
        recipient, recipient_span = _value(cands[rk], r.recipient, r.recipient_span, rconf, idx.text, evidence)
        out[i] = SpanAttribution(r.kind, r.kind_method, speaker, recipient, speaker_span,
                                 r.cue_span if speaker.method == r.speaker.method and speaker.value else None,
                                 recipient_span)
        if speaker.value and speaker_span:
            evidence[speaker.value] = (speaker_span.start, speaker_span.end)
        prev.append(speaker.value)
    return out


def quote_of(start: int, end: int, paragraph: int, nested: bool, a: SpanAttribution) -> Quote:
    sp, rs = a.speaker_span, a.recipient_span
    return Quote(start, end, paragraph, nested, a.kind,
                 a.speaker.value, a.speaker.method, a.speaker.basis, (sp.start, sp.end) if sp else None,
                 a.recipient.value, a.recipient.method, a.recipient.basis, (rs.start, rs.end) if rs else None)
