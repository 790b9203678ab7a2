"""Deciding a conversation as a whole (`attribution/beam.py`): the beam keeps the likeliest
sequences of speakers, and with room for every state it finds the likeliest sequence of all."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import by_text, run
from quoteprov.attribution import beam, ruled
from quoteprov.attribution.features import (RECIPIENT_FEATURES, SPEAKER_FEATURES, candidates,
                                            recipient_features, same_name, speaker_features)
from quoteprov.attribution.model import Rankers, Trees, _trees
from quoteprov.markers import find_markers
from quoteprov.source import make_source
from quoteprov.spans import find_spans

DIALOGUE = (
    "When Mary came into the study, her brother Tom was reading by the fire, and Mary sat down "
    "beside Tom.\n\n"
    '"You promised to walk with me," said Mary.\n\n'
    '"Did I?" said Tom.\n\n'
    '"You did, and you know it."\n\n'
    '"It is raining."\n\n'
    '"It stopped an hour ago."\n'
)


def _index(text: str):
    """The rules' quotations of a text and the index the rankers decide from."""
    src = make_source(text, "t")
    return ruled(src, find_spans(src, find_markers(src)), [])[1]


def _random_trees(features: tuple[str, ...], rng: np.random.Generator) -> Trees:
    """A ranker of random two-level trees over the real features: its choices are arbitrary, and
    where the likeliest sequence is not the greedy one is the beam's work."""
    trees = []
    for _ in range(12):
        f = [int(x) for x in rng.integers(0, len(features), 3)]
        trees.append({"feature": f, "threshold": [0.5, 0.5, 0.5], "left": [1, -1, -3], "right": [2, -2, -4],
                      "leaf": [float(x) for x in rng.normal(0, 1.5, 4)]})
    return _trees({"features": list(features), "trees": trees, "bias": 0.0})


def _all_sequences(idx, models) -> list[beam.Path]:
    """Every sequence of the BRANCH likeliest speakers (and RBRANCH addressees), none dropped:
    what the beam prunes."""
    paths = [beam.Path(0.0, (), None, None)]
    for i, q in enumerate(idx.quotes):
        if not q.nested:
            paths = [n for p in paths for n in beam._extend(idx, i, p, models, beam.BRANCH)]
    return paths


def _score(idx, steps: list[beam.Step]) -> float:
    """The score of a sequence of steps, as the beam gave it: its choices' shares (of the
    probabilities as the decoder saw them) and the turns it paid for (`beam.repeat_cost`)."""
    total, last, before = 0.0, None, None
    for s in steps:
        turn = before is not None and beam.next_turn(idx, idx.quotes[s.i], idx.quotes[before])
        total += np.log(beam._share(s.p, s.k)) + np.log(beam._share(s.rp, s.rk)) \
            + beam.repeat_cost(s.prefer is not None, turn, last, s.speaker)
        last, before = s.speaker, s.i
    return total


def test_with_room_for_every_state_the_beam_finds_the_likeliest_sequence():
    idx = _index(DIALOGUE)
    greedy_was_wrong = 0
    for seed in range(6):
        rng = np.random.default_rng(seed)
        models = Rankers(_random_trees(SPEAKER_FEATURES, rng), _random_trees(RECIPIENT_FEATURES, rng), "rules-first")
        every = _all_sequences(idx, models)
        best = max(every, key=lambda p: p.score)
        found = beam.decode(idx, models, beam=len(every))
        assert [(s.k, s.rk) for _, s in sorted(found.items())] == [(s.k, s.rk) for s in beam.steps_of(best)]
        greedy = beam.decode(idx, models, beam=1)
        greedy_was_wrong += [(s.k, s.rk) for _, s in sorted(greedy.items())] != [(s.k, s.rk) for s in beam.steps_of(best)]
        # a narrower beam keeps a sequence no likelier than the best
        narrow = beam.decode(idx, models, beam=2)
        score = _score(idx, [narrow[i] for i in sorted(narrow)])
        assert score <= best.score + 1e-9
    assert greedy_was_wrong  # the test has teeth: one choice after another is not always the best


def test_a_beam_of_one_is_one_choice_after_another():
    # the twin of decoding with a beam of 1: each quotation's speaker given the speakers chosen
    # before it, as `decide` chose before the beam (rules first, by the margin)
    idx = _index(DIALOGUE)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        models = Rankers(_random_trees(SPEAKER_FEATURES, rng), _random_trees(RECIPIENT_FEATURES, rng), "rules-first")
        prev: list[str | None] = []
        prev_to = None
        chosen = []
        for i, q in enumerate(idx.quotes):
            cands, by = candidates(idx, i, prev, prev_to)
            rows = speaker_features(idx, i, cands, by, prev, prev_to)
            margin = beam.margin_of(idx, q, models)
            k, _, _ = beam.choose_p(models.speaker, rows, beam.rule_index(cands, q.speaker), margin,
                                    beam.excluded(idx, q, cands))
            sp = q.speaker if same_name(cands[k].name, q.speaker) else cands[k].name
            rrows = recipient_features(idx, i, cands, by, prev, sp, rows, prev_to)
            rk, _, _ = beam.choose_p(models.recipient, rrows, beam.rule_index(cands, q.recipient),
                                     beam.margin_of(idx, q, models, "recipient"))
            prev_to = cands[rk].name if not same_name(cands[rk].name, sp) else None
            prev.append(sp)
            chosen.append((sp, cands[rk].name))
        steps = beam.decode(idx, models, beam=1)
        assert [(steps[i].speaker, steps[i].cands[steps[i].rk].name) for i in range(len(idx.quotes))] == chosen


def test_the_rules_speaker_stands_by_a_margin_that_depends_on_how_the_text_gives_him():
    # a name the cue gives (even one the rules write in full: "declared Mr. Cheshire" is Daniel
    # Cheshire) takes the explicit margin; a he or an I the rules resolved takes the resolved one
    text = ('Daniel Cheshire ran the mill, and his wife kept the books. I went to see him.\n\n'
            '"I certainly could not," declared Mr. Cheshire.\n\n'
            '"Then who can?" I asked.\n\n'
            '"The committee," he said.\n')
    idx = _index(text)
    by = {idx.text[q.start:q.end][:8]: q for q in idx.quotes}
    ranker = _random_trees(SPEAKER_FEATURES, np.random.default_rng(0))
    models = Rankers(ranker, ranker, "rules-first", 2.0, 4, (("explicit", 5.0), ("resolved", 1.0)))
    cheshire, asked, he = by["I certai"], by["Then who"], by["The comm"]
    assert cheshire.speaker_span is not None and text[slice(*cheshire.speaker_span)] == "Mr. Cheshire"
    # as the rules give it where they know the full name: the name written otherwise than in the cue
    cheshire = dataclasses.replace(cheshire, speaker="Daniel Cheshire", speaker_basis="resolved")
    assert beam.proposal_basis(idx, cheshire) == "explicit" and beam.margin_of(idx, cheshire, models) == 5.0
    assert beam.proposal_basis(idx, he) == "resolved" and beam.margin_of(idx, he, models) == 1.0
    assert asked.speaker is None or beam.margin_of(idx, asked, models) == 1.0
    assert beam.margin_of(idx, he, models, "recipient") == 2.0  # the addressee's margin is the one margin
    # a description the cue gives is no name: the guide resolves "said the old gentleman" to the
    # one it stands for, so it takes the description margin (here unset: the one margin)
    gentleman = dataclasses.replace(cheshire, speaker="old gentleman", speaker_basis="explicit")
    assert beam.proposal_basis(idx, gentleman) == "description" and beam.margin_of(idx, gentleman, models) == 2.0
    described = dataclasses.replace(models, margins=models.margins + (("description", 1.5),))
    assert beam.margin_of(idx, gentleman, described) == 1.5
    # the narrator's "I" is as plain as a name: "I asked" stands by the explicit margin
    src = make_source(text, "t", {"author": "Jane Roe"})
    idx = ruled(src, find_spans(src, find_markers(src)), [])[1]
    asked = next(q for q in idx.quotes if idx.text[q.start:q.end].startswith("Then who"))
    assert asked.speaker == "Jane Roe" and beam.margin_of(idx, asked, models) == 5.0


def test_the_narrator_never_speaks_words_the_tag_gives_someone_else():
    # a first-person narrator says "I" of himself: where the quotation's own tag names a third
    # person ("said some one else at the table", "he replied"), turn-taking may not make the
    # narrator its speaker; where the tag is "I asked", he may
    text = ('I dined with the committee, and we talked of the harvest.\n\n'
            '"Who will pay for the seed?" I asked.\n\n'
            '"The state will pay," said some one else at the table.\n\n'
            '"And if it cannot?" he replied.\n')
    src = make_source(text, "t", {"author": "Jane Roe"})
    idx = ruled(src, find_spans(src, find_markers(src)), [])[1]
    by = {idx.text[q.start:q.end][:8]: (i, q) for i, q in enumerate(idx.quotes)}
    for opening, may in (("Who will", True), ("The stat", False), ("And if i", False)):
        i, q = by[opening]
        cands, _ = candidates(idx, i, ["Jane Roe", None], None)  # as a turn, if not a mention
        narrator = [k for k, c in enumerate(cands) if same_name(c.name, "Jane Roe")]
        assert narrator, opening
        shut = set(beam.excluded(idx, q, cands))
        assert all(k not in shut for k in narrator) if may else all(k in shut for k in narrator), opening
    # nor where the rules themselves resolved the tag's "he" to the narrator: he says "I" of himself
    i, q = by["And if i"]
    q = dataclasses.replace(q, speaker="Jane Roe", speaker_basis="resolved")
    cands, _ = candidates(idx, i, ["Jane Roe", None], None)
    narrator = [k for k, c in enumerate(cands) if same_name(c.name, "Jane Roe")]
    assert narrator and set(narrator) <= set(beam.excluded(idx, q, cands))


def test_a_he_or_she_in_the_tag_shuts_out_the_other_gender():
    # "she sighed" is never Mr. Hale, whoever the rules or turn-taking make her: the tag's
    # pronoun excludes every candidate the text gives the other gender, and keeps the rest
    text = ('Mr. Hale came into the study, where Mary was reading her letters. Mr. Hale sat down, '
            'and Mary put down her book.\n\n'
            '"You are late," said Mr. Hale.\n\n'
            '"I know," she sighed.\n\n'
            '"Then why?" he asked.\n')
    idx = _index(text)
    by = {idx.text[q.start:q.end][:6]: (i, q) for i, q in enumerate(idx.quotes)}
    for opening, shut_out, kept in (("I know", "Mr. Hale", "Mary"), ("Then w", "Mary", "Mr. Hale")):
        i, q = by[opening]
        cands, _ = candidates(idx, i, ["Mr. Hale", "Mary"], None)
        shut = set(beam.excluded(idx, q, cands))
        names = {c.name: k for k, c in enumerate(cands)}
        assert names[shut_out] in shut and names[kept] not in shut, opening


def test_no_one_speaks_the_words_that_call_him_by_name():
    # "Very well, Mr. Hale." is spoken to Mr. Hale: turn-taking may not make him its speaker;
    # a name only spoken of ("Mr. Hale is late") shuts no one out
    text = ('Mr. Hale came into the study, where Mary was reading her letters.\n\n'
            '"Shall we walk?" said Mr. Hale.\n\n'
            '"Very well, Mr. Hale."\n\n'
            '"Mr. Hale is late again," said Mary.\n')
    idx = _index(text)
    by = {idx.text[q.start:q.end][:6]: (i, q) for i, q in enumerate(idx.quotes)}
    for opening, shut_out in (("Very w", True), ("Mr. Ha", False)):
        i, q = by[opening]
        cands, _ = candidates(idx, i, ["Mr. Hale", "Mary"], None)
        hale = [k for k, c in enumerate(cands) if c.name == "Mr. Hale"]
        assert hale and (set(hale) <= set(beam.excluded(idx, q, cands))) == shut_out, opening


def _even(features: tuple[str, ...]) -> Trees:
    """A ranker with no opinion: every candidate equally likely."""
    return _trees({"features": list(features), "trees": [], "bias": 0.0})


TURNS = (
    "Mary and Tom sat by the fire in the study.\n\n"
    '"You promised to walk with me," said Mary.\n\n'
    '"Did I?"\n\n'
    '"You did," said Tom.\n'
)


def test_a_tag_seldom_gives_the_turn_to_the_one_who_spoke_the_turn_before():
    # "said Tom" in the paragraph after an untagged "Did I?": a sequence that gave "Did I?" to Tom
    # pays REPEAT at Tom's tag, whatever else it chose; with a ranker of no opinion that is the
    # whole difference between the sequences
    idx = _index(TURNS)
    did_i = next(i for i, q in enumerate(idx.quotes) if idx.text[q.start:q.end] == "Did I?")
    assert beam.next_turn(idx, idx.quotes[did_i + 1], idx.quotes[did_i])
    models = Rankers(_even(SPEAKER_FEATURES), _even(RECIPIENT_FEATURES), "rules-first")
    every = _all_sequences(idx, models)
    by_speaker: dict[tuple, list[float]] = {}
    for path in every:
        steps = beam.steps_of(path)
        by_speaker.setdefault(tuple(s.speaker for s in steps), []).append(path.score)
    tom = [max(v) for k, v in by_speaker.items() if k[did_i] == "Tom"]
    mary = [max(v) for k, v in by_speaker.items() if k[did_i] == "Mary"]
    assert tom and mary and max(tom) == pytest.approx(max(mary) + beam.REPEAT)
    assert beam.decode(idx, models, beam=len(every))[did_i].speaker != "Tom"
    # no cost where the rules' value is not what gives the turn, nor for another speaker
    assert beam.repeat_cost(False, True, "Tom", "Tom") == 0.0
    assert beam.repeat_cost(True, True, "Mary", "Tom") == 0.0
    assert beam.repeat_cost(True, False, "Tom", "Tom") == 0.0


def _opening(text: str, *openings: str):
    """The index of a text and its quotations that open with each of `openings`."""
    idx = _index(text)
    return idx, [next(q for q in idx.quotes if idx.text[q.start:q.end].startswith(o)) for o in openings]


def test_narration_between_two_quotations_is_no_turn_taking():
    text = ('Mary and Tom sat by the fire in the study.\n\n'
            '"Did I?" Tom got up, crossed the room and stood for a long while at the window.\n\n'
            '"You did," said Mary.\n\n'
            '"Well."\n')
    idx, (did, you, well) = _opening(text, "Did", "You", "Well")
    assert not beam.next_turn(idx, you, did)  # a paragraph of narration after "Did I?"
    assert beam.next_turn(idx, well, you)     # only "said Mary" after "You did"
    assert not beam.next_turn(idx, well, did)
    # nor narration before a quotation in its own paragraph ("He said," is only its tag)
    text = ('Mary and Tom sat by the fire in the study.\n\n'
            '"Do they work?" said Mary.\n\n'
            'He said, "Well enough."\n\n'
            'Tom got up, crossed the room and looked out of the window. "It is raining."\n')
    idx, (work, well, rain) = _opening(text, "Do", "Well", "It")
    assert beam.next_turn(idx, well, work) and not beam.next_turn(idx, rain, well)


def test_the_one_called_by_name_in_the_turn_before_is_likelier_to_answer():
    # "Eh, Watson?" calls Watson: with a ranker of no opinion the untagged answer is his; a name
    # only spoken of ("Watson will come too") calls no one
    text = ('Holmes, Watson and Jones stood in the hall.\n\n'
            '"Let her be the first to open it. Eh, Watson?" said Holmes.\n\n'
            '"A great pleasure to me."\n\n'
            '"Watson will come too," said Jones.\n')
    idx = _index(text)
    by = {idx.text[q.start:q.end].split()[0]: i for i, q in enumerate(idx.quotes)}
    eh, answer, spoken_of = by["Let"], by["A"], by["Watson"]
    assert beam.called_in(idx, eh) == ["Watson"]
    assert beam.called_in(idx, spoken_of) == []
    cands, _ = candidates(idx, answer, ["Holmes"], None)
    p = np.full(len(cands), 0.5)
    up = beam.answering(idx, eh, cands, p)
    watson = [k for k, c in enumerate(cands) if c.name == "Watson"]
    assert watson and all(up[k] == pytest.approx(0.5 * beam.CALLED) for k in watson)
    assert all(up[k] == 0.5 for k in range(len(cands)) if k not in watson)
    models = Rankers(_even(SPEAKER_FEATURES), _even(RECIPIENT_FEATURES), "rules-first")
    assert beam.decode(idx, models)[answer].speaker == "Watson"


def test_no_one_speaks_from_a_place_unless_the_tag_names_it():
    # "Bath" is written after "to", "in" and "from": a place, never the one who speaks, however
    # near the quotation it is named; a tag that names a place makes it the body that speaks
    from quoteprov.attribution.places import place_names

    text = ('Mary had gone to Bath in May. She found Bath dull, and she wrote home from Bath every day; '
            'in Bath nobody walked.\n\n'
            'Mary came back from Bath at last.\n\n'
            '"It rained every single day."\n\n'
            'The congress met in Moscow. Delegates came to Moscow from every town, and the news went out '
            'from Moscow at once.\n\n'
            '"We stand firm," Moscow declared.\n')
    assert {"Bath", "Moscow"} <= place_names(text) and "Mary" not in place_names(text)
    idx = _index(text)
    by = {idx.text[q.start:q.end][:6]: (i, q) for i, q in enumerate(idx.quotes)}
    for opening, place, shut_out in (("It rai", "Bath", True), ("We sta", "Moscow", False)):
        i, q = by[opening]
        cands, _ = candidates(idx, i, [], None)
        where = [k for k, c in enumerate(cands) if c.name == place]
        assert where and (set(where) <= set(beam.excluded(idx, q, cands))) == shut_out, opening
    assert "Madame Lecomte" not in place_names("We dined at Madame Lecomte's, at Madame Lecomte's "
                                               "again, then at Madame Lecomte's.")  # her restaurant; she a person


def test_a_given_name_written_in_full_is_still_the_rules_proposal():
    # the candidates write the rules' "Ben" of `said Ben` as the one full name the text gives
    # it ("Ben Hacket"); it must stay the rules' proposal (the margin the ranker has to beat) and
    # carry the rules' features, or turn-taking outvotes an explicit tag
    text = ('Ben Hacket led the pony out, and Nanny watched from the gate with John. Ben Hacket '
            'was the groom.\n\n'
            '"Is he hurt, Mr. Hacket?" asked Nanny.\n\n'
            '"He\'s all right," said Ben.\n')
    idx = _index(text)
    i, q = next((i, q) for i, q in enumerate(idx.quotes) if idx.text[q.start:q.end].startswith("He's"))
    assert q.speaker == "Ben"
    cands, by = candidates(idx, i, ["Nanny"], None)
    k = beam.rule_index(cands, q.speaker)
    assert k is not None and cands[k].name == "Ben Hacket" and cands[k].origin == "rule"
    rows = speaker_features(idx, i, cands, by, ["Nanny"], None)
    assert rows[k][SPEAKER_FEATURES.index("rule_pick")] == 1.0
    assert rows[k][SPEAKER_FEATURES.index("rule_explicit")] == 1.0
    # the value chosen is the rules' finding still: their method, the cue and the name as evidence
    r = by_text(run(text), "all right")
    assert (r.speaker, r.method["speaker"], r.basis["speaker"]) == ("Ben Hacket", "cue-subject", "resolved")
    assert r.speaker_span.text == "Ben" and r.cue_span.text == "said"
