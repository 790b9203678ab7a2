"""Deciding a conversation as a whole: a beam over the turns.

The rankers read who spoke the last three turns and who was spoken to last (turn-taking). Chosen
one quotation at a time, a wrong early turn is read by every later one, and the speakers of a
long exchange between two people all flip. So the BEAM likeliest sequences of choices are kept
instead of one, each scored by the sum of the logarithms of its speakers' shares of the scores
(the share of the candidate chosen among its quotation's candidates) and of its addressees'; a
sequence that reaches the state of another (the same last three speakers and last addressee: all
that the next choices read) and is less likely is dropped. Where the rules' proposal stands (the
rules-first policy) there is one choice, whose share still counts: a turn-taking that makes the
next "said Emma" unlikely is the less likely sequence. With a beam of 1 this is the choice of one
quotation after another. The width is the model file's (`Rankers.beam`), chosen on held-out texts.

Measured on the same held-out fold models (`train_ranker --load-folds`; PDNC speaker / addressee,
genre speaker), one choice after another 0.718 / 0.749 / 0.724; a beam of 4 scored by the
speakers alone 0.734 / 0.769 / 0.727 (another LightGBM seed: 0.717 -> 0.736); the forced choices'
shares left out of the score 0.729 / 0.763 / 0.724; a beam of 8 0.735 / 0.771 / 0.727; with the
two likeliest addressees of each speaker (RBRANCH) 0.733 / 0.781 / 0.727 (the other seed 0.734 /
0.781 / 0.730), without their shares in the score 0.729 / 0.714 / 0.714.

Turn-taking's odds (REPEAT, CALLED), on model 18's fold models (PDNC speaker / addressee, genre
speaker): before 0.752 / 0.796 / 0.854; REPEAT alone 0.756 / 0.797 / 0.854 (log 0.14: 0.756,
log 0.0025: 0.754; paid at the ranker's free choices too: 0.756); CALLED alone 0.758; both, a call
in the last quotation only and at free choices only, 0.759 (e^0.7) and 0.761 / 0.795 (e^1.5); at
every choice, a call anywhere in the turn 0.763; with given names and the rules' addressee 0.765
/ 0.797; no turn where narration opens the quotation's paragraph, as now, 0.765 / 0.798 / 0.854
(the sequences had escaped REPEAT by giving the quotation before to nobody).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..cues import FIRST_PERSON, FIRST_PLURAL, PERSON_PRONOUNS, PLURAL_PRONOUNS, noun_gender, pronoun_gender
from .candidates import Quote, TextIndex, gender_of, memo, quoted_names
from .descriptions import head_of
from .features import Candidate, candidates, is_rules, recipient_features, same_name, speaker_features
from .model import Rankers, Trees
from .places import place_names

BRANCH = 3  # the likeliest speakers of a quotation that each sequence is continued with
RBRANCH = 2  # and the likeliest addressees of each (the next turn's speaker is often the one addressed)
# Two odds of turn-taking that the ranker's choices alone leave out, where a quotation takes the
# turn after another's (`next_turn`). Measured on the gold of PDNC's novels (development texts):
# - a quotation whose tag gives its speaker ("said Tom", "I asked") is the last speaker's again 23
#   times in 4,118; one whose he or she the rules resolved ("he said"), 33 in 1,033. Where the
#   rules' value stands there is no choice for the ranker to make, so the sequence that gave the
#   turn before to that same speaker lost nothing by it: it now pays REPEAT (log 0.05, the best
#   of log 0.14, 0.05 and 0.0025 on the held-out folds);
# - one called by name in the turn before ("Eh, Watson?", or the one the rules found addressed
#   there) speaks 1,070 of the 1,584 untagged turns that follow such a call: his probability is
#   multiplied by CALLED before the choice (e, the best of e^0.7 to e^1.5 on the held-out folds).
REPEAT = math.log(0.05)
CALLED = math.e
TAG_ONLY = 40  # characters after a quotation in its paragraph that are still only its tag


def choose_p(model: Trees, rows: list[list[float]], prefer: int | None = None,
             margin: float = 2.0, exclude: int | list[int] | None = None) -> tuple[int, float, np.ndarray]:
    """The best candidate, its share of the scores and the candidates' probabilities it chose
    from (what the confidence reads). With `prefer` (the index of the rules' proposal, under the
    rules-first policy) that candidate stands unless the ranker believes another named candidate
    `margin` times more: abstaining (`nobody`, the last row) never overrides a value the rules
    found evidence for. `exclude`: candidates given probability 0."""
    p = model.prob(np.asarray(rows, dtype=np.float64))
    if exclude is not None:
        p[exclude] = 0.0
    k = choose_k(p, prefer, margin)
    return k, share(p, k), p


def share(p: np.ndarray, k: int) -> float:
    """Candidate k's share of its quotation's probabilities (0 where all are 0)."""
    s = float(p.sum())
    return float(p[k]) / s if s > 0 else 0.0


def choose_k(p: np.ndarray, prefer: int | None, margin: float) -> int:
    """The candidate chosen from probabilities p (the last is nobody), as `choose_p` rules."""
    k = int(np.argmax(p))
    if prefer is not None and (k == len(p) - 1 or math.isinf(margin) or p[k] < margin * p[prefer]):
        k = prefer
    return k


# rules whose value is no guess for a ranker to overturn: the rest of a quotation left open at
# the end of the paragraph before is the same utterance (the printer's convention), so it keeps
# that speaker and recipient whatever turn-taking suggests
SETTLED = frozenset({"continued-quotation"})


def margin_of(idx: TextIndex, q: Quote, models: Rankers, field: str = "speaker") -> float:
    """The margin by which the ranker must outscore the rules' value of quotation q: none will
    do for a settled one; the speaker's by the basis of the rules' proposal (`Rankers.margins`)."""
    if q.speaker_method in SETTLED:
        return math.inf
    if field == "speaker" and models.margins:
        basis = proposal_basis(idx, q)
        return next((m for b, m in models.margins if b == basis), models.margin)
    return models.margin


_PRONOUNS = PERSON_PRONOUNS | FIRST_PERSON | PLURAL_PRONOUNS


# the bases `proposal_basis` tells apart, each of which may have its own margin (`margin_by_basis`)
PROPOSAL_BASES = ("explicit", "resolved", "inferred", "description")


def proposal_basis(idx: TextIndex, q: Quote) -> str:
    """The basis of the rules' speaker as the margins read it: a name the cue gives is explicit
    even where the rules wrote it in full ("declared Mr. Cheshire": Daniel Cheshire, `resolved`),
    and so is the narrator's "I" of a speech verb ("I asked" is the narrator's, whoever turn-taking
    suggests: a ranker that read a call to another in the turn before had given the narrator's
    question to a soldier; "I heard the same story:" is not the narrator's words). `resolved` is
    a he, she, we or description the rules resolved to someone. `description` is a description the
    cue gives ("said the old gentleman"): the guide resolves it to the one it stands for, so a
    named candidate needs a smaller margin than against a name."""
    basis = q.speaker_basis or ""
    if basis == "explicit" and head_of(q.speaker) is not None:
        return "description"
    if basis == "resolved" and q.speaker_span is not None:
        said = idx.text[q.speaker_span[0]:q.speaker_span[1]]
        if (said[:1].isupper() and said.lower() not in _PRONOUNS) or (
                said.lower() in FIRST_PERSON and q.speaker_method == "cue-subject"):
            return "explicit"
    return basis


def other_gender(idx: TextIndex, q: Quote, cands: list[Candidate]) -> list[int]:
    """The candidates of the other gender than the description the rules found ("said the first
    housemaid" is no Mr. Eager) or the he or she of the quotation's own tag ("she sighed" is no
    Ralph, whoever the rules resolved her to): whatever turn-taking suggests, the ranker never
    trades one for the other."""
    value = q.speaker
    head = (head_of(value) or "").lower()
    g = noun_gender(head)
    if not g and q.speaker_span is not None:
        g = pronoun_gender(idx.text[q.speaker_span[0]:q.speaker_span[1]])
    return [k for k, c in enumerate(cands) if g and c.name and gender_of(idx, c.name) == -g]


def rule_index(cands: list[Candidate], value: str | None) -> int | None:
    """Where the rules' value stands among the candidates (None when the rules gave none)."""
    if value is None:
        return None
    return next((k for k, c in enumerate(cands) if is_rules(c, value)), None)


def addressed(q: Quote, cands: list[Candidate]) -> int | None:
    """The candidate the rules found addressed ("he told the delegates"), unless the rules made
    him the speaker too."""
    return rule_index(cands, q.recipient) if q.recipient and not same_name(q.recipient, q.speaker) else None


def not_the_narrator(idx: TextIndex, q: Quote, cands: list[Candidate]) -> list[int]:
    """The narrator, where the rules found the quotation's own tag naming someone in the third
    person ("said some one else at the table", "he replied"): a narrator says "I" (or "we") of
    himself, so whatever turn-taking suggests he is not the one the tag names (nor the party his
    "we" stands for, nor the signer whose "I" a quoted document is), not even where the rules
    resolved the tag's he or she to him."""
    if q.speaker is None or q.speaker_basis not in ("explicit", "resolved") or q.speaker_span is None:
        return []
    said = idx.text[q.speaker_span[0]:q.speaker_span[1]].lower()
    if said in FIRST_PERSON or said in FIRST_PLURAL:
        return []
    selves = [n for n in (idx.cited.get(q.paragraph, idx.author), idx.we) if n]
    return [k for k, c in enumerate(cands) if (not same_name(c.name, q.speaker) or said in PERSON_PRONOUNS) and (
        c.origin == "narrator" or any(same_name(c.name, n) for n in selves))]


def spoken_to(idx: TextIndex, q: Quote, cands: list[Candidate]) -> list[int]:
    """The ones the quotation speaks to by name, set off as such ("Very well, Mr. Darcy."): no one
    calls himself so, whatever turn-taking suggests."""
    called = [m.key for m in quoted_names(idx, q)]
    return [k for k, c in enumerate(cands) if c.name and any(same_name(c.name, n) for n in called)]


def places(idx: TextIndex, cands: list[Candidate], named: str | None) -> list[int]:
    """The places among the candidates (`place_names`): no one speaks there, unless the rules'
    tag names the place itself (`named`, the rules' explicit value: "Moscow declared" makes it
    the body that speaks there). Not shut out of the addressees: 44 places the novels' ranker
    gave as addressees were all wrong, but without them the next choices' turn-taking read
    other addressees, and held-out speakers and guarded addressees both fell (0.7652 -> 0.7650,
    0.7936 -> 0.7924)."""
    where = memo(idx, ("places",), lambda: place_names(idx.text))
    return [k for k, c in enumerate(cands) if c.name in where and not same_name(c.name, named)]


def excluded(idx: TextIndex, q: Quote, cands: list[Candidate]) -> list[int]:
    """The candidates that may not speak quotation q: the one the rules found addressed, those
    of the other gender than the rules' description or the tag's he or she, the narrator where
    the tag names someone else, the ones the quotation calls by name, and places."""
    return [x for x in (addressed(q, cands),) if x is not None] + other_gender(idx, q, cands) \
        + not_the_narrator(idx, q, cands) + spoken_to(idx, q, cands) \
        + places(idx, cands, q.speaker if q.speaker_basis == "explicit" else None)


@dataclass(frozen=True)
class Step:
    """One quotation decided, as one sequence decided it: its candidates, the rankers' rows and
    probabilities (excluded candidates at 0), the choices and the rules' proposals."""
    i: int
    cands: list[Candidate]
    rows: list[list[float]]
    p: np.ndarray
    k: int
    prefer: int | None
    rrows: list[list[float]]
    rp: np.ndarray
    rk: int
    rprefer: int | None
    speaker: str | None   # the chosen speaker, in the rules' spelling where it is their value


@dataclass(frozen=True)
class Path:
    score: float
    last: tuple[str | None, ...]       # the last three speakers, oldest first
    prev_to: str | None                # the ranker's addressee of the last quotation, unguarded
    back: tuple[Step, Path] | None     # the last step and the sequence before it


def steps_of(path: Path | None) -> list[Step]:
    out: list[Step] = []
    while path is not None and path.back is not None:
        out.append(path.back[0])
        path = path.back[1]
    return out[::-1]


def _share(p: np.ndarray, k: int) -> float:
    """`share`, never 0: its logarithm scores a sequence."""
    return max(share(p, k), 1e-9)


def _choices(p: np.ndarray, prefer: int | None, margin: float, branch: int) -> list[int]:
    """The speakers (or addressees) a sequence may continue with: the one choice when the rules
    have a proposal (it stands, or the ranker overrides it by the margin: `choose_k`), else the
    `branch` likeliest."""
    k = choose_k(p, prefer, margin)
    if prefer is not None or branch == 1:
        return [k]
    order = [int(j) for j in np.argsort(-p, kind="stable")[:branch] if p[j] > 0]
    return order or [k]


def next_turn(idx: TextIndex, q: Quote, before: Quote) -> bool:
    """Whether quotation q takes the turn after quotation `before`: it is in the next paragraph
    (blank lines between are no paragraphs of the text), `before`'s paragraph says no more after
    it than a tag and q's no more before it than one ("He said,"): no narration between the two."""
    if q.paragraph <= before.paragraph or any(
            idx.text[slice(*idx.paragraphs[k])].strip() for k in range(before.paragraph + 1, q.paragraph)):
        return False
    tail = idx.text[before.end:idx.paragraphs[before.paragraph][1]]
    lead = idx.text[idx.paragraphs[q.paragraph][0]:q.start]
    return len(tail.strip(' "\u201d,.')) <= TAG_ONLY and len(lead.strip(' "\u201c,:')) <= TAG_ONLY


def called_in(idx: TextIndex, last: int) -> list[str]:
    """The ones the turn ending with quotation `last` calls by name (its paragraph's quotations'
    vocatives, a given name also as the full name it stands for) or the rules found it addressed
    to; once per quotation, whichever sequence asks."""
    def make() -> list[str]:
        turn = idx.outer_by_par.get(idx.quotes[last].paragraph, [])
        names = [m.key for t in turn for m in quoted_names(idx, t)] + [t.recipient for t in turn if t.recipient]
        return names + [idx.given[n] for n in names if n in idx.given]
    return memo(idx, ("called_in", last), make)


def answering(idx: TextIndex, last: int, cands: list[Candidate], p: np.ndarray) -> np.ndarray:
    """The candidates' probabilities with those called in the turn before (`called_in`) CALLED
    times likelier."""
    called = called_in(idx, last)
    up = [k for k, c in enumerate(cands) if c.name and any(same_name(c.name, n) for n in called)]
    if not up:
        return p
    p = p.copy()
    p[up] *= CALLED
    return p


def repeat_cost(forced: bool, turn: bool, last: str | None, speaker: str | None) -> float:
    """What a sequence pays for a rules' value (`forced`) that gives the turn (`turn`) to the one
    who spoke the turn before (`last`): REPEAT, else nothing."""
    return REPEAT if forced and turn and speaker is not None and same_name(speaker, last) else 0.0


def _extend(idx: TextIndex, i: int, path: Path, models: Rankers, branch: int) -> list[Path]:
    q = idx.quotes[i]
    prev = list(path.last)
    cands, by = candidates(idx, i, prev, path.prev_to)
    rows = speaker_features(idx, i, cands, by, prev, path.prev_to)
    first = models.policy == "rules-first"
    prefer = rule_index(cands, q.speaker) if first else None
    margin, rmargin = margin_of(idx, q, models), margin_of(idx, q, models, "recipient")
    p = models.speaker.prob(np.asarray(rows, dtype=np.float64))
    p[excluded(idx, q, cands)] = 0.0
    before = path.back[0].i if path.back else -1
    turn = before >= 0 and next_turn(idx, q, idx.quotes[before])
    if turn:
        p = answering(idx, before, cands, p)
    last = path.last[-1] if path.last else None
    out = []
    for k in _choices(p, prefer, margin, branch):
        sp = q.speaker if same_name(cands[k].name, q.speaker) else cands[k].name
        rrows = recipient_features(idx, i, cands, by, prev, sp, rows, path.prev_to)
        rprefer = rule_index(cands, q.recipient) if first else None
        rp = models.recipient.prob(np.asarray(rrows, dtype=np.float64))
        for rk in _choices(rp, rprefer, rmargin, RBRANCH if branch > 1 else 1):
            step = Step(i, cands, rows, p, k, prefer, rrows, rp, rk, rprefer, sp)
            to = cands[rk].name if not same_name(cands[rk].name, sp) else None
            score = path.score + math.log(_share(p, k)) + math.log(_share(rp, rk)) \
                + repeat_cost(prefer is not None, turn, last, sp)
            out.append(Path(score, (*path.last, sp)[-3:], to, (step, path)))
    return out


def decode(idx: TextIndex, models: Rankers, beam: int | None = None) -> dict[int, Step]:
    """Each quotation's step (by quote index; nested quotations have none) on the likeliest
    sequence of the beam."""
    width = max(1, beam if beam is not None else models.beam)
    paths = [Path(0.0, (), None, None)]
    for i, q in enumerate(idx.quotes):
        if q.nested:
            continue
        best: dict[tuple, Path] = {}
        for path in paths:
            for nxt in _extend(idx, i, path, models, BRANCH if width > 1 else 1):
                key = (nxt.last, nxt.prev_to)
                if key not in best or nxt.score > best[key].score:
                    best[key] = nxt
        paths = sorted(best.values(), key=lambda x: -x.score)[:width]
    return {s.i: s for s in steps_of(paths[0])}
