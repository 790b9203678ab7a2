"""Confidence: the probability that a chosen speaker or recipient is right.

The ranker's share of a quotation's scores says how much it prefers its choice, but not how often
such a choice is right: a share of 0.6 between two names beside one reporting verb and a share of
0.6 for a turn-taking guess in a long conversation are not equally safe. A small calibration model,
fitted by `training/train_ranker.py` on decisions of texts held out from the ranker that made them,
reads the share together with the margin over the runner-up, the probability of `nobody`, the
number of candidates, whether the rules' proposal stood or was overridden, the basis and origin of
the value and a few of the chosen candidate's features (`INPUTS` plus `ROW_INPUTS`); a logistic
regression scores them and an isotonic curve (fitted on the same held-out decisions, each scored by
a regression fitted without its fold) turns the score into the rate at which such choices were right. Stored in `ranker.json` as numbers
(`confidence` of each ranker: inputs, their mean and scale, coefficients, intercept, curve) and
evaluated here with numpy: nothing is unpickled and no learning library is imported.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# the inputs read from the decision itself; the others are features of the chosen candidate
INPUTS = ("logit_share", "logit_p", "log_margin", "nobody_share", "log_cands", "kept_rule", "overrode_rule",
          "no_rule", "basis_explicit", "basis_resolved", "basis_inferred", "origin_rule", "origin_mention",
          "origin_turn", "origin_narrator")
ROW_INPUTS = ("rule_pick", "rule_explicit", "rule_resolved", "rule_inferred", "rule_cue", "rule_running", "in_par",
              "verb_next_to", "verb_between_before", "verb_between_after", "prev1", "prev2", "kind_person",
              "q_par_start", "q_first_in_par", "q_rule_none", "q_text_outside", "t_dialogue", "t_rule_rate",
              "voc_in_quote", "salience", "n_pronoun", "spoke_explicit", "spoke_near")
_EPS = 1e-6


def _logit(p: float) -> float:
    p = min(max(p, _EPS), 1.0 - _EPS)
    return math.log(p / (1.0 - p))


def inputs(probs: Sequence[float] | np.ndarray, k: int, prefer: int | None, basis: str, origin: str,
           row: Sequence[float], features: Sequence[str]) -> dict[str, float]:
    """Every input a calibration model may read, by name, for the choice of candidate k among
    candidates with ranker probabilities `probs` (the last is `nobody`); `row` is the chosen
    candidate's feature row, named by `features`."""
    p = np.asarray(probs, dtype=np.float64)
    total = float(p.sum())
    second = float(np.delete(p, k).max()) if len(p) > 1 else 0.0
    out = {"logit_share": _logit(float(p[k]) / total if total > 0 else 0.0), "logit_p": _logit(float(p[k])),
           "log_margin": math.log((float(p[k]) + _EPS) / (second + _EPS)),
           "nobody_share": float(p[-1]) / total if total > 0 else 0.0, "log_cands": math.log(len(p)),
           "kept_rule": float(prefer is not None and prefer == k),
           "overrode_rule": float(prefer is not None and prefer != k), "no_rule": float(prefer is None)}
    for b in ("explicit", "resolved", "inferred"):
        out[f"basis_{b}"] = float(basis == b)
    for o in ("rule", "mention", "turn", "narrator"):
        out[f"origin_{o}"] = float(origin == o)
    out.update(dict.fromkeys(ROW_INPUTS, 0.0))  # a feature the ranker does not have reads 0
    out.update((n, float(v)) for n, v in zip(features, row) if n in ROW_INPUTS)
    return out


@dataclass(frozen=True)
class Calibrator:
    """Logistic regression over standardised inputs, then an isotonic curve of its probability."""
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    curve: tuple[np.ndarray, np.ndarray]

    def score(self, x: dict[str, float]) -> float:
        """The regression's probability (before the curve)."""
        v = (np.asarray([x[n] for n in self.names], dtype=np.float64) - self.mean) / self.scale
        return 1.0 / (1.0 + math.exp(-min(max(float(v @ self.coef) + self.intercept, -30.0), 30.0)))

    def __call__(self, x: dict[str, float]) -> float:
        return float(np.interp(self.score(x), *self.curve))


def calibrator(d: dict[str, Any] | None) -> Calibrator | None:
    """The calibration model stored as `d` (None when the model file has none)."""
    if not d:
        return None
    names = tuple(d["inputs"])
    unknown = [n for n in names if n not in INPUTS and n not in ROW_INPUTS]
    if unknown:
        raise ValueError(f"confidence model reads unknown inputs: {unknown}")
    arr = {k: np.asarray(d[k], dtype=np.float64) for k in ("mean", "scale", "coef")}
    if not all(len(a) == len(names) for a in arr.values()):
        raise ValueError("confidence model: inputs, mean, scale and coef differ in length")
    return Calibrator(names, arr["mean"], arr["scale"], arr["coef"], float(d["intercept"]),
                      (np.asarray(d["curve"]["x"], dtype=np.float64), np.asarray(d["curve"]["y"], dtype=np.float64)))
