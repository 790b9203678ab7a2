"""Deciding a conversation as a whole (`attribution/beam.py`): the beam keeps the likeliest
sequences of speakers, and with room for every state it finds the likeliest sequence of all."""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from quoteprov.attribution import beam
from quoteprov.attribution.candidates import Quote, index_text
from quoteprov.attribution.features import candidates, recipient_features, speaker_features
from quoteprov.attribution.model import load
from quoteprov.source import make_source

DIALOGUE = (
    "Anna Karlova met Peter Lund at the gate of the mill.\n\n"
    '"You are late," she said.\n\n'
    '"The roads are bad."\n\n'
    '"They were bad yesterday too."\n\n'
    '"Then I was late yesterday too."\n\n'
    '"Go in, Peter."\n\n'
    '"Not before you, Anna."\n'
)


def _index(text: str):
    src = make_source(text, "t")
    quotes = []
    for m in re.finditer(r'"([^"]+)"', text):
        p = next(k for k, (a, b) in enumerate(src.paragraphs) if a <= m.start() < b)
        quotes.append(Quote(m.start(1), m.end(1), p, False, "quotation"))
    return index_text(src.text, src.paragraphs, quotes, None)


@pytest.fixture(scope="module")
def models():
    m = load()
    if m is None:
        pytest.skip("no model ships")
    return replace(m, policy="ranker")  # no rules' proposals here: every quotation is a choice


def _all_sequences(idx, models) -> list[beam.Path]:
    """Every sequence of the BRANCH likeliest speakers, none dropped: what the beam prunes."""
    paths = [beam.Path(0.0, (), None, None)]
    for i, q in enumerate(idx.quotes):
        if not q.nested:
            paths = [n for p in paths for n in beam._extend(idx, i, p, models, beam.BRANCH)]
    return paths


def test_with_room_for_every_state_the_beam_finds_the_likeliest_sequence(models):
    idx = _index(DIALOGUE)
    every = _all_sequences(idx, models)
    assert len(every) > 20  # the dialogue leaves real choices
    best = max(every, key=lambda p: p.score)
    found = beam.decode(idx, models, beam=len(every))
    assert [s.k for _, s in sorted(found.items())] == [s.k for s in beam.steps_of(best)]
    # and a narrower beam never finds a likelier one than exists
    narrow = beam.decode(idx, models, beam=2)
    score = sum(np.log(beam._share(s.p, s.k)) for s in narrow.values())
    assert score <= best.score + 1e-9


def test_a_beam_of_one_is_one_choice_after_another(models):
    # the twin of decoding with a beam of 1: each quotation's likeliest speaker given the
    # speakers chosen before it, as the ranker decided before the beam
    idx = _index(DIALOGUE)
    prev: list[str | None] = []
    prev_to = None
    chosen = []
    for i, _ in enumerate(idx.quotes):
        cands, by = candidates(idx, i, prev, prev_to)
        rows = speaker_features(idx, i, cands, by, prev, prev_to)
        k, _, _ = beam.choose_p(models.speaker, rows)
        rrows = recipient_features(idx, i, cands, by, prev, cands[k].name, rows, prev_to)
        rk, _, _ = beam.choose_p(models.recipient, rrows)
        prev_to = cands[rk].name if cands[rk].name != cands[k].name else None
        prev.append(cands[k].name)
        chosen.append(cands[k].name)
    steps = beam.decode(idx, models, beam=1)
    assert [steps[i].speaker for i in range(len(idx.quotes))] == chosen
