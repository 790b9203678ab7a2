"""Fit the confidence model of `quoteprov/attribution/confidence.py` on held-out decisions.

usage: python -m training.confidence_fit DECISIONS [--model PATH]

DECISIONS is the JSON-lines file that `python -m training.train_ranker --decisions FILE` writes:
every speaker and recipient decision a model made on a text it was not trained on, with what the
calibration reads (the candidates' probabilities, the rules' proposal, the basis and origin of the
value, the chosen candidate's features) and whether it was right. `train_ranker` fits the same
model at the end of its run; this command refits only the confidence of an existing model file
(its trees, curves and decisions untouched), deterministically, from saved decisions.

The figures stored as `reliability` are cross-fitted: the decisions of each fold (a genre text,
or a third of the novels) are scored by a calibration fitted without that fold, so they measure
the confidence as it will be on a text it was not fitted on.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from quoteprov.attribution.confidence import INPUTS, ROW_INPUTS, inputs
from quoteprov.attribution.features import RECIPIENT_FEATURES, SPEAKER_FEATURES
from quoteprov.attribution.model import MODEL_FILE

C = 1.0  # inverse strength of the logistic regression's L2 penalty
SURE = 0.8  # the confidence the reliability target is stated at
GROUPS = ("pdnc", "genre")


def design(decisions: list[dict[str, Any]], field: str) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """The inputs (rows in `INPUTS + ROW_INPUTS` order) and outcomes of one field's decisions."""
    features = SPEAKER_FEATURES if field == "speaker" else RECIPIENT_FEATURES
    ds = [d for d in decisions if d["field"] == field]
    names = INPUTS + ROW_INPUTS
    rows = []
    for d in ds:
        x = inputs(d["probs"], d["k"], d["prefer"], d["basis"], d["origin"], d["row"], features)
        rows.append([x[n] for n in names])
    return np.asarray(rows, dtype=np.float64).reshape(len(ds), len(names)), \
        np.asarray([float(d["ok"]) for d in ds]), ds


def _logistic(Z: np.ndarray, y: np.ndarray, w: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=5000).fit(Z, y, sample_weight=w)


def _score(lr: Any, Z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(Z @ lr.coef_[0] + lr.intercept_[0], -30, 30)))


def fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, fold: np.ndarray | None = None) -> dict[str, Any]:
    """Logistic regression over standardised inputs, then isotonic from its probability to the
    rate right: the stored form `confidence.calibrator` reads. With `fold` (each decision's
    held-out fold) the isotonic step reads each decision's score by a regression fitted without
    its fold: read on the regression's own training decisions, the curve trusted a high score
    more than a text it had not seen bears out (model 30's novels at 0.85-0.9: 0.876 said, 0.814
    right)."""
    from sklearn.isotonic import IsotonicRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - mean) / scale
    lr = _logistic(Z, y, w)
    score = _score(lr, Z)
    if fold is not None and len(set(fold.tolist())) > 1:
        score = np.zeros(len(y))
        for f in sorted(set(fold.tolist())):
            out = fold == f
            score[out] = _score(_logistic(Z[~out], y[~out], w[~out]), Z[out])
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(score, y, sample_weight=w)
    return {"inputs": list(INPUTS + ROW_INPUTS), "mean": [float(v) for v in mean], "scale": [float(v) for v in scale],
            "coef": [float(v) for v in lr.coef_[0]], "intercept": float(lr.intercept_[0]),
            "curve": {"x": [float(v) for v in iso.X_thresholds_], "y": smoothed(iso.predict(score), y, w, iso.y_thresholds_)}}


def smoothed(level: np.ndarray, y: np.ndarray, w: np.ndarray, ys: np.ndarray) -> list[float]:
    """The isotonic curve's values with half a right and half a wrong decision added to each of
    its steps (the decisions it put at that level): a finite sample never makes a value certain
    (1.0) or impossible (0.0); kept monotone."""
    out = []
    for v in ys:
        at = level == v
        n = float(w[at].sum())
        out.append((float((w[at] * y[at]).sum()) + 0.5) / (n + 1.0) if n > 0 else float(v))
    return [float(v) for v in np.maximum.accumulate(np.asarray(out))]


def weights(ds: list[dict[str, Any]], genre_weight: float) -> np.ndarray:
    return np.asarray([genre_weight if d["group"] == "genre" else 1.0 for d in ds])


def crossfit(decisions: list[dict[str, Any]], field: str, genre_weight: float) -> tuple[np.ndarray, np.ndarray,
                                                                                       list[dict[str, Any]]]:
    """Each decision's confidence by a model fitted without its fold; outcomes; the decisions."""
    from quoteprov.attribution.confidence import calibrator

    X, y, ds = design(decisions, field)
    w = weights(ds, genre_weight)
    fold = np.asarray([d["fold"] for d in ds])
    conf = np.zeros(len(ds))
    for f in sorted(set(fold.tolist())):
        out = fold == f
        cal = calibrator(fit(X[~out], y[~out], w[~out], fold[~out]))
        assert cal is not None
        conf[out] = [cal(dict(zip(cal.names, x))) for x in X[out]]
    return conf, y, ds


def reliability(conf: np.ndarray, y: np.ndarray, ds: list[dict[str, Any]]) -> dict[str, Any]:
    """Of the decisions, how many reach confidence `SURE` and how many of those are right: all,
    and by group (the PDNC novels, the genre texts)."""
    def figures(m: np.ndarray) -> dict[str, Any]:
        sure = m & (conf >= SURE)
        return {"decisions": int(m.sum()), f"confidence>={SURE}": int(sure.sum()),
                "share": round(float(sure.sum() / m.sum()), 3) if m.any() else None,
                "right": round(float(y[sure].mean()), 3) if sure.any() else None,
                "brier": round(float(((conf[m] - y[m]) ** 2).mean()), 4) if m.any() else None}

    group = np.asarray([d["group"] for d in ds])
    return {"cross_fitted": True, **figures(np.ones(len(ds), dtype=bool)),
            "by_group": {g: figures(group == g) for g in GROUPS if (group == g).any()}}


def confidence_models(decisions: list[dict[str, Any]], genre_weight: float
                      ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The confidence model of each ranker, fitted on every decision, and its cross-fitted reliability."""
    models, rel = {}, {}
    for field in ("speaker", "recipient"):
        X, y, ds = design(decisions, field)
        models[field] = fit(X, y, weights(ds, genre_weight), np.asarray([d["fold"] for d in ds]))
        rel[field] = reliability(*crossfit(decisions, field, genre_weight))
    return models, rel


def read_decisions(path: str | Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("decisions", help="held-out decisions (train_ranker --decisions FILE)")
    ap.add_argument("--model", default=str(MODEL_FILE), help="the model file to refit the confidence of")
    args = ap.parse_args(argv)
    path = Path(args.model)
    model = json.loads(path.read_text(encoding="utf-8"))
    weight = model.get("confidence_genre_weight", model.get("genre_weight", 1.0))  # older files: the trees' weight
    models, rel = confidence_models(read_decisions(args.decisions), float(weight))
    for field, conf in models.items():
        model["rankers"][field]["confidence"] = conf
        model["reliability"][field] = rel[field]
        print(f"{field}: {json.dumps(rel[field])}")
    path.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
