"""The ranker: gradient-boosted trees stored as plain JSON data, evaluated with numpy.

`training/train_ranker.py` fits LightGBM and writes `ranker.json` beside this module: for each
of the two rankers (speaker, recipient) its feature names, its trees as flat arrays (feature,
threshold, left, right; a leaf is a negative child `~k` pointing into the leaf values), and a
calibration curve (isotonic, fitted on held-out folds) that turns the ranker's share of a
quotation's candidates into the probability that its choice is right (per basis of the value),
and the calibration model of `confidence.py` that gives the record's confidence. Loading it reads numbers
only: no code runs, nothing is unpickled, and LightGBM is needed only to train.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..speedups import tree_raw
from .confidence import Calibrator, calibrator, inputs

MODEL_FILE = Path(__file__).with_name("ranker.json")


@dataclass(frozen=True)
class Trees:
    features: tuple[str, ...]
    trees: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...]
    bias: float
    calibration: tuple[np.ndarray, np.ndarray]
    # the trees padded into one table each (tree x node, tree x leaf) and the deepest path, so
    # that one pass per level walks every tree at once: the ranker runs once or twice per
    # quotation, and a loop over trees and levels in Python cost ~0.1 s per call
    table: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int] | None = None
    # one curve per basis of the value chosen (explicit, resolved, inferred): a name beside a
    # reporting verb and a guess from turn-taking with the same share are not equally likely right
    by_basis: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
    # the calibration model of `confidence.py`, when the model file has one: the record's confidence
    confidence_model: Calibrator | None = None

    def raw(self, X: np.ndarray) -> np.ndarray:
        """The summed tree outputs (log-odds) of each row of X: by the C walk when it was
        compiled, else by its twin `py_tree_raw` (the same numbers, bit for bit)."""
        table = self.table or _table(self.trees)
        if tree_raw is None or not self.trees:
            return py_tree_raw(X, table, self.bias)
        feat, thr, left, right, leaf, _ = table
        out = np.empty(X.shape[0], dtype=np.float64)
        tree_raw(np.ascontiguousarray(X, dtype=np.float64), feat, thr, left, right, leaf, out, self.bias)
        return out

    def prob(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.raw(X)))

    def calibrate(self, share: float, basis: str | None = None) -> float:
        """The probability that a choice with this share of the scores is right, by the curve
        of its basis when the model has one (else the curve of all choices)."""
        xs, ys = (self.by_basis or {}).get(basis or "", self.calibration)
        return float(np.interp(share, xs, ys))

    def confidence(self, probs: np.ndarray, k: int, prefer: int | None, basis: str | None, origin: str,
                   row: list[float]) -> float:
        """The probability that choosing candidate k (of ranker probabilities `probs`, the rules'
        proposal `prefer`) is right: by the calibration model when the file has one, else by the
        share's curve."""
        p = np.asarray(probs, dtype=np.float64)
        if self.confidence_model is None:
            return self.calibrate(float(p[k] / p.sum()) if p.sum() > 0 else 0.0, basis)
        return self.confidence_model(inputs(p, k, prefer, basis or "", origin, row, self.features))


def py_tree_raw(X: np.ndarray, table: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int],
                bias: float) -> np.ndarray:
    """The twin of the C `tree_raw`: bias plus each tree's leaf for each row of X, the trees
    walked all at once, one pass per level of the padded tables (`_table`)."""
    feat, thr, left, right, leaf, depth = table
    n_rows, n_trees = X.shape[0], feat.shape[0] if leaf.size else 0
    tree = np.arange(n_trees)[None, :]
    row = np.arange(n_rows)[:, None]
    node = np.zeros((n_rows, n_trees), dtype=np.int64)
    for _ in range(depth):
        active = node >= 0
        if not active.any():
            break
        n = np.where(active, node, 0)
        go_left = X[row, feat[tree, n]] <= thr[tree, n]
        node = np.where(active, np.where(go_left, left[tree, n], right[tree, n]), node)
    out = np.empty((n_rows, n_trees + 1), dtype=np.float64)
    out[:, 0] = bias
    out[:, 1:] = leaf[tree, ~node]
    # summed tree by tree, in order (an accumulation, not a pairwise sum): the same
    # floating-point result as adding one tree's output after another
    return np.add.accumulate(out, axis=1)[:, -1] if n_trees else out[:, 0]


def _trees(d: dict[str, Any]) -> Trees:
    trees = tuple((np.asarray(t["feature"], dtype=np.int64), np.asarray(t["threshold"], dtype=np.float64),
                   np.asarray(t["left"], dtype=np.int64), np.asarray(t["right"], dtype=np.int64),
                   np.asarray(t["leaf"], dtype=np.float64)) for t in d["trees"])
    cal = d.get("calibration") or {"x": [0.0, 1.0], "y": [0.0, 1.0]}
    by_basis = {b: (np.asarray(c["x"], dtype=np.float64), np.asarray(c["y"], dtype=np.float64))
                for b, c in (d.get("calibration_by_basis") or {}).items()}
    return Trees(tuple(d["features"]), trees, float(d.get("bias", 0.0)),
                 (np.asarray(cal["x"], dtype=np.float64), np.asarray(cal["y"], dtype=np.float64)), _table(trees),
                 by_basis or None, calibrator(d.get("confidence")))


def _depth(left: np.ndarray, right: np.ndarray) -> int:
    """Splits on the longest path from the root to a leaf."""
    deepest, stack = 0, [(0, 1)]
    while stack:
        k, d = stack.pop()
        deepest = max(deepest, d)
        stack += [(int(c), d + 1) for c in (left[k], right[k]) if c >= 0]
    return deepest


def _table(trees: tuple[tuple[np.ndarray, ...], ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                             np.ndarray, int]:
    """The trees as padded (tree x node) and (tree x leaf) tables, and the depth of the deepest."""
    n_nodes = max((len(t[0]) for t in trees), default=1)
    n_leaves = max((len(t[4]) for t in trees), default=1)
    feat = np.zeros((len(trees), n_nodes), dtype=np.int64)
    thr = np.zeros((len(trees), n_nodes), dtype=np.float64)
    left = np.full((len(trees), n_nodes), -1, dtype=np.int64)  # padding is never reached
    right = np.full((len(trees), n_nodes), -1, dtype=np.int64)
    leaf = np.zeros((len(trees), n_leaves), dtype=np.float64)
    for i, (f, t, lo, hi, lv) in enumerate(trees):
        feat[i, :len(f)], thr[i, :len(t)], left[i, :len(lo)], right[i, :len(hi)] = f, t, lo, hi
        leaf[i, :len(lv)] = lv
    depth = max((_depth(t[2], t[3]) for t in trees), default=0)
    return feat, thr, left, right, leaf, depth


@dataclass(frozen=True)
class Rankers:
    speaker: Trees
    recipient: Trees
    # how the rankers and the rules share the decision, chosen by held-out accuracy when the
    # model was trained: "ranker" (the ranker's best candidate) or "rules-first" (the rules'
    # proposal stands unless the ranker believes another `margin` times more)
    policy: str = "ranker"
    margin: float = 2.0
    # the sequences of choices kept while deciding a text in order (`beam.py`; 1: one choice after another)
    beam: int = 1
    # the speaker's margin by the basis of the rules' proposal, where it differs from `margin`
    # (a name the cue gives is surer than the he it resolved): (basis, margin) pairs
    margins: tuple[tuple[str, float], ...] = ()

    def __getitem__(self, name: str) -> Trees:
        return self.speaker if name == "speaker" else self.recipient


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Rankers | None:
    """The speaker and recipient rankers, or None when no model file ships (rules only)."""
    p = Path(path) if path else MODEL_FILE
    if not p.exists():
        return None
    data = json.loads(p.read_text(encoding="utf-8"))
    from .features import RECIPIENT_FEATURES, SPEAKER_FEATURES  # features reads this module's types
    for field, names in (("speaker", SPEAKER_FEATURES), ("recipient", RECIPIENT_FEATURES)):
        if tuple(data["rankers"][field]["features"]) != names:
            # the trees address features by position: a model of other features would read
            # the wrong columns and choose nonsense without a word
            raise RuntimeError(f"{p}: its {field} ranker was trained on other features than this code "
                               "computes; train it again (python -m training.train_ranker)")
    return Rankers(_trees(data["rankers"]["speaker"]), _trees(data["rankers"]["recipient"]),
                   str(data.get("policy", "ranker")), float(data.get("margin", 2.0)),
                   int(data.get("beam", 1)),
                   tuple((str(b), float(m)) for b, m in sorted(data.get("margin_by_basis", {}).items())))


def _walk(node: dict[str, Any], feat: list[int], thr: list[float], left: list[int], right: list[int],
          leaf: list[float]) -> int:
    """Append node (and its subtree) to the flat arrays; its index (a leaf's is ~index)."""
    if "leaf_value" in node or "split_feature" not in node:
        leaf.append(float(node.get("leaf_value", 0.0)))
        return ~(len(leaf) - 1)
    k = len(feat)
    feat.append(int(node["split_feature"]))
    thr.append(float(node["threshold"]))
    left.append(0)
    right.append(0)
    left[k] = _walk(node["left_child"], feat, thr, left, right, leaf)
    right[k] = _walk(node["right_child"], feat, thr, left, right, leaf)
    return k


def lightgbm_to_flat(dump: dict[str, Any]) -> list[dict[str, Any]]:
    """LightGBM's `dump_model()` trees as the flat arrays `Trees` evaluates (used by training)."""
    out = []
    for info in dump["tree_info"]:
        feat: list[int] = []
        thr: list[float] = []
        left: list[int] = []
        right: list[int] = []
        leaf: list[float] = []
        root = _walk(info["tree_structure"], feat, thr, left, right, leaf)
        if root < 0:  # a tree that is a single leaf
            feat, thr, left, right = [0], [float("inf")], [root], [root]
        out.append({"feature": feat, "threshold": thr, "left": left, "right": right, "leaf": leaf})
    return out
