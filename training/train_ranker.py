"""Train the attribution rankers and write `quoteprov/attribution/ranker.json`.

usage: python -m training.train_ranker [--folds K] [--out PATH] [--eval-only] [--jobs N]

Data: the 24 PDNC novels in ../shared/pdnc and every genre gold in tests/gold (the seed,
Russell 1920 and the golds annotated since), read by `training.corpora`. The rules' records of
each text come from `training/cache` (made by `python -m training.cache_rules`), so features can
change without parsing the novels again.

Procedure (deterministic: LightGBM with one thread, fixed seeds, texts in sorted order):
1. Examples: for each quotation matched to a gold quote, its candidates and their features;
   a candidate is positive when its name is an acceptable value (PDNC: any alias of the gold
   character), `nobody` when no candidate is (or the gold value is null). While training, the
   turn-taking features read the gold speakers of the quotations before; when deciding, the
   ranker's own choices.
2. Held-out estimates: the texts are split into folds (each genre text a fold of its own; the
   novels into K folds); for each fold a model trained on the others decides its texts in
   order. Those decisions give the figures printed and the calibration: an isotonic curve
   from the chosen candidate's share of the scores to the rate at which such choices are right
   (per basis; the recipient's guard reads it), and the confidence model of
   `training/confidence_fit.py` (`--decisions FILE` saves the decisions, so that
   `python -m training.confidence_fit FILE` can refit the confidence alone).
3. The shipped model: trained on everything, with that calibration, as JSON trees.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from quoteprov.attribution.candidates import Quote, TextIndex, after_pause
from quoteprov.attribution.beam import PROPOSAL_BASES, addressed, decode, share
from quoteprov.attribution.decide import basis_of, dropped
from quoteprov.attribution.features import (RECIPIENT_FEATURES, SPEAKER_FEATURES, candidates,
                                            recipient_features, same_name, speaker_features)
from quoteprov.attribution.model import MODEL_FILE, Rankers, Trees, _trees, lightgbm_to_flat
from quoteprov.attribution import source_index
from quoteprov.attribution.narrator import narrator_of
from quoteprov.records import Attribution

from .confidence_fit import confidence_models
from .corpora import CACHE, GoldQuote, Text, all_texts
from .evaluate import match, recipient_ok, scores, speaker_ok

SEED = 20261126
GENRE_WEIGHT = 30.0  # a genre quotation counts as thirty novel quotations: there are few of them
# ... in the trees; in the confidence model a genre decision counts three: on model 14's held-out
# decisions (five genre texts, one of them decided at 0.52), thirty made the cross-fitted speaker
# confidence >= 0.8 right 91.1% of the time on the novels and 83.3% on the genre texts, three 93.6%
# and 87.4% (Brier score on the genre texts 0.187 -> 0.177)
CONFIDENCE_GENRE_WEIGHT = 3.0
# 31 leaves and 500 rounds (15 and 250 before): on held-out texts PDNC speaker 0.614 -> 0.632,
# addressee 0.605 -> 0.629, genre speaker 0.622 -> 0.633, the same code and candidates otherwise
PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 20,
          "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
          "seed": SEED, "deterministic": True, "num_threads": 1, "verbose": -1, "force_row_wise": True}
ROUNDS = 500
ENSEMBLE = 1  # boosters averaged (`--ensemble`)
# the rules' proposal stands unless the ranker believes another candidate MARGIN times more:
# on held-out texts this beat the ranker's plain choice on the novels (A Handful of Dust,
# speaker 0.515 against 0.491) and on the genre texts (the seed 0.941 against 0.647)
POLICY, MARGIN = "rules-first", 2.0
# the speaker's margin by the basis of the rules' proposal (`beam.proposal_basis`), where it is not
# MARGIN (`--margin BASIS=M`): a name the cue gives stands unless the ranker believes another 5 times
# more; a he, she or description the rules resolved is the ranker's call. Held out on the same fold
# models (model 13; PDNC speaker / explicit / anaphoric / genre speaker): MARGIN for all 0.738 /
# 0.936 / 0.610 / 0.727; explicit 5, resolved 1: 0.740 / 0.942 / 0.612 / 0.738; explicit 5,
# resolved 1.5: 0.739 / 0.942 / 0.604 / 0.738; explicit 4 or 3, resolved 1: 0.741 or 0.742 / 0.942
# or 0.941 / 0.614 or 0.619 / 0.734 (one Ransome quotation fewer); with a name the rules wrote in
# full counted as resolved, explicit 5 and resolved 1 gave 0.739 / 0.940 / 0.610 / 0.738
# A description the cue gives ("said the old gentleman", basis `description`) is not a name: the
# guide resolves it to the one it stands for. On model 22's fold models, PDNC speaker / explicit /
# anaphoric / genre speaker: 5 (as a name) 0.7770 / 0.953 / 0.658 / 0.841; 2 0.7781 / 0.949 /
# 0.665 / 0.841; 1 0.7785 / 0.944 / 0.672 / 0.835 (one Ransome quotation fewer).
MARGINS: dict[str, float] = {"explicit": 5.0, "resolved": 1.0, "description": 2.0}
# sequences of choices kept while deciding a text (`quoteprov/attribution/beam.py`): held out, 1 (one
# choice after another) gave PDNC speaker 0.718, addressee 0.749; 4 gave 0.733, 0.781 (model 12);
# on model 22's fold models 4 gave 0.7741, 0.8042; 8 gave 0.7769, 0.8078 (16: 0.7776, 0.8082, at
# twice the decoding time of 8); genre unchanged. Emma's extraction 14.0 s -> 18.2 s with 8
BEAM = 8
# what the shipped model is trained with (`python -m training.train_ranker` reproduces it): the gold
# turns. Model 5 was trained on its own held-out turns (`predicted`, two passes); with model 6's
# rules and features that second pass lost on held-out novels (speaker 0.640 -> 0.635, addressee
# 0.657 -> 0.641, genre flat), and one pass takes half the time
CONTEXT = "gold"
RECIPIENT_CONTEXT = "gold"
CAL_MIN = 50  # held-out decisions of one basis needed to fit its own calibration curve
decisions: list[dict[str, Any]] = []  # the last cross-validation's held-out decisions
held_records: dict[str, list[dict[str, Any]]] = {}  # and each text's records as its fold's model decided them
# where each fold's models are written (`--save-folds`) or read instead of trained (`--load-folds`):
# a change of the decoding alone is then measured in minutes, on the very same models
FOLDS_DIR: Path | None = None
LOAD_FOLDS = False


def record_quote(r: dict[str, Any]) -> Quote:
    ev = r.get("evidence") or {}
    sp, rs = ev.get("speaker"), ev.get("recipient")
    m, b = r.get("method") or {}, r.get("basis") or {}
    return Quote(r["start"], r["end"], r["paragraph"], r.get("nested_in") is not None, r["kind"],
                 r.get("speaker"), m.get("speaker"), b.get("speaker"), (sp["start"], sp["end"]) if sp else None,
                 r.get("recipient"), m.get("recipient"), b.get("recipient"), (rs["start"], rs["end"]) if rs else None)


@dataclass
class Prepared:
    text: Text
    records: list[dict[str, Any]]
    idx: TextIndex
    gold: dict[int, GoldQuote] = field(default_factory=dict)  # quote index -> gold
    # the speakers the turn-taking features read while training, by quote index: None for the
    # gold speakers; else a held-out model's own choices (what the ranker will read when deciding)
    context: list[str | None] | None = None
    _examples: tuple | None = None


def prepare(t: Text) -> Prepared:
    recs = [json.loads(x) for x in (CACHE / f"{t.name}.jsonl").read_text(encoding="utf-8").splitlines() if x]
    recs.sort(key=lambda r: (r["start"], -r["end"]))
    quotes = [record_quote(r) for r in recs]
    idx = source_index(t.source, quotes, narrator_of(t.source, [(q.start, q.end, q.paragraph) for q in quotes
                                                                if not q.nested]))
    pos = {id(r): i for i, r in enumerate(recs)}
    gold = {pos[id(r)]: q for q, r in match(t, recs) if r is not None and q.qtype != "optional"}
    return Prepared(t, recs, idx, gold)


def examples(p: Prepared) -> tuple[list, list, list, list, list]:
    """(speaker rows, labels, recipient rows, labels, quotation group ids) of one text."""
    if p._examples is None:
        p._examples = _examples(p, p.context)
        if p.context is not None and RECIPIENT_CONTEXT == "gold":
            # the recipient ranker learns from gold turns (measured: from its own earlier choices it
            # lost 1.7 points of addressee accuracy on the novels, where the speaker ranker gained 1)
            gold = _examples(p, None)
            p._examples = (*p._examples[:2], gold[2], gold[3], p._examples[4])
    return p._examples


def _examples(p: Prepared, said: list[str | None] | None) -> tuple[list, list, list, list, list]:
    xs, ys, xr, yr, groups = [], [], [], [], []
    prev: list[str | None] = []
    prev_to: str | None = None  # the last quotation's addressee: gold where there is one, else the rules'
    for i, q in enumerate(p.idx.quotes):
        if q.nested:
            continue
        g = p.gold.get(i)
        if g is None:
            prev.append(q.speaker if said is None else said[i])
            prev_to = q.recipient
            continue
        cands, by = candidates(p.idx, i, prev, prev_to)
        lab = [speaker_ok(g, c.name) or _narrator(g.aliases, c.name, p.idx.author) for c in cands]
        lab[-1] = speaker_ok(g, None) or g.speakers[0] is None
        rlab = [recipient_ok(g, c.name) or _narrator(g.recipient_aliases, c.name, p.idx.author) for c in cands]
        rlab[-1] = g.recipients[0] is None or not any(rlab)
        gsp = g.speakers[0]
        if any(lab):
            rows = speaker_features(p.idx, i, cands, by, prev, prev_to)
            xs += rows
            ys += lab
            xr += recipient_features(p.idx, i, cands, by, prev, gsp, rows, prev_to)
            yr += rlab
            groups += [(p.text.name, i)] * len(cands)
        # else the speaker is not among the candidates (PDNC names every speaker; the text may
        # not, near the quotation): nothing to learn about choosing from this one
        prev.append(gsp if said is None else said[i])
        prev_to = g.recipients[0]
    return xs, ys, xr, yr, groups


PDNC_NARRATOR = ("_narr", "Narr")  # the alias PDNC gives the narrator of a first-person novel


def _narrator(aliases: tuple[tuple[str, ...], ...], name: str | None, narrator: str | None) -> bool:
    """`name` is the narrator as the text names him, and PDNC marks the one in `aliases` as the
    narrator. A label for learning only: the text may call him by a name PDNC does not list
    ("Jake" for "Jake Barnes"), which the held-out scores, matched strictly, never credit."""
    return name is not None and name == narrator and any(a in PDNC_NARRATOR for al in aliases for a in al)


# objectives that rank the candidates of one quotation against each other (LightGBM's
# LambdaMART and XE-NDCG) rather than score each alone; their scores go through the same
# logistic link at run time (a monotone map: the choice is the same; the calibration is refitted)
RANKING = ("lambdarank", "rank_xendcg")


def _sizes(groups: list) -> list[int]:
    """Run lengths of the quotation ids of consecutive rows: LightGBM's query groups."""
    out: list[int] = []
    for k, g in enumerate(groups):
        if k and g == groups[k - 1]:
            out[-1] += 1
        else:
            out.append(1)
    return out


def fit(rows: list, labels: list, weights: list, names: tuple[str, ...], groups: list | None = None) -> dict[str, Any]:
    import lightgbm as lgb

    params = dict(PARAMS)
    ranking = params["objective"] in RANKING
    if ranking:
        params["bagging_freq"] = 0  # rows are not sampled apart from their quotation
    ds = lgb.Dataset(np.asarray(rows, dtype=np.float64), np.asarray(labels, dtype=np.float64),
                     weight=np.asarray(weights), group=_sizes(groups or []) if ranking else None,
                     feature_name=list(names), free_raw_data=False)
    trees = []
    for k in range(ENSEMBLE):
        # K boosters of different seeds (their rows and features sampled apart), averaged: the
        # sum of their trees with each leaf divided by K is the mean of their scores
        booster = lgb.train({**params, "seed": params["seed"] + k}, ds, num_boost_round=ROUNDS)
        for t in lightgbm_to_flat(booster.dump_model()):
            trees.append({**t, "leaf": [v / ENSEMBLE for v in t["leaf"]]} if ENSEMBLE > 1 else t)
    return {"features": list(names), "trees": trees, "bias": 0.0}


def predict_text(p: Prepared, models: dict[str, Trees]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Decide a text as `decide` does (`beam.decode`, with BEAM); the records with the new values,
    and for each gold quotation's speaker and recipient a held-out decision to calibrate on
    (`decision`)."""
    recs = [dict(r) for r in p.records]
    cal: list[dict[str, Any]] = []
    steps = decode(p.idx, Rankers(models["speaker"], models["recipient"], POLICY, MARGIN, BEAM,
                                  tuple(sorted(MARGINS.items()))))
    for i, q in enumerate(p.idx.quotes):
        if i not in steps:
            continue
        s = steps[i]
        cands, k, rk = s.cands, s.k, s.rk
        sp = s.speaker
        sp_basis = basis_of(cands[k], Attribution(q.speaker, q.speaker_method, q.speaker_basis)) or ""
        rc = cands[rk].name if not same_name(cands[rk].name, sp) else None
        rc_basis = basis_of(cands[rk], Attribution(q.recipient, q.recipient_method, q.recipient_basis)) or ""
        if rc is not None and same_name(rc, q.recipient):
            rc = q.recipient
        recs[i]["speaker"], recs[i]["recipient"] = sp, rc
        g = p.gold.get(i)
        if g is not None and g.kind[0] == "quotation":
            if sp is not None:
                d = decision(p, i, "speaker", share(s.p, k), speaker_ok(g, sp), sp_basis, cands, k, s.prefer,
                             models["speaker"], s.rows)
                # `decide` never takes the one the rules found addressed for the speaker
                d["addressed"] = addressed(q, cands)
                cal.append(d)
            if rc is not None:
                d = decision(p, i, "recipient", share(s.rp, rk), recipient_ok(g, rc), rc_basis, cands, rk,
                             s.rprefer, models["recipient"], s.rrows)
                # what `decide` reads besides the confidence to keep or drop a recipient
                d["rule_none"] = q.recipient is None
                d["paused"] = after_pause(p.idx, i)
                cal.append(d)
            else:
                cal.append(abstention(p, i, cands, s.rprefer, models["recipient"], s.rrows))
    return recs, cal


def abstention(p: Prepared, i: int, cands: list, prefer: int | None, model: Trees, rows: list) -> dict[str, Any]:
    """The ranker gave quotation i no recipient: not a decision the calibration reads (its field
    is `recipient-abstained`), kept with the likeliest named candidate (`alt`) so that a policy
    that abstains less can be measured offline (`training/recipient_policy.py`)."""
    d = decision(p, i, "recipient", 0.0, False, "", cands, len(cands) - 1, prefer, model, rows)
    alt = max(range(len(cands) - 1), key=lambda j: d["probs"][j], default=None)
    d["field"], d["alt"] = "recipient-abstained", alt
    d["alt_origin"] = cands[alt].origin if alt is not None else None
    d["alt_how"] = cands[alt].how if alt is not None else None
    d["rule_none"] = p.idx.quotes[i].recipient is None
    d["paused"] = after_pause(p.idx, i)
    return d


def decision(p: Prepared, i: int, fld: str, share: float, ok: bool, basis: str, cands: list, k: int,
             prefer: int | None, model: Trees, rows: list) -> dict[str, Any]:
    """One held-out decision, with what a calibration may read besides the share: every
    candidate's probability, the rules' proposal, the chosen candidate's origin and features."""
    probs = model.prob(np.asarray(rows, dtype=np.float64))
    g = p.gold[i]
    return {"text": p.text.name, "group": p.text.group, "quote": i, "field": fld, "share": share, "ok": ok,
            "basis": basis, "k": k, "prefer": prefer, "origin": cands[k].origin, "how": cands[k].how,
            "name": cands[k].name, "gold": (g.speakers if fld == "speaker" else g.recipients)[0],
            "qtype": g.qtype, "probs": [round(float(x), 6) for x in probs],
            # which candidates were right: what a change of policy can be measured with offline
            "labels": [int((speaker_ok if fld == "speaker" else recipient_ok)(g, c.name)) for c in cands],
            "method": p.idx.quotes[i].speaker_method if fld == "speaker" else p.idx.quotes[i].recipient_method,
            "row": [round(float(x), 6) for x in rows[k]]}


def share_curves(points: list[tuple[float, bool, str]]) -> tuple[dict[str, list[float]], dict[str, dict[str, list[float]]]]:
    """The curve of all held-out (share, right, basis) points, and a curve per basis of the value
    where there are enough of them to fit one (what the recipient's guard reads; the record's
    confidence is the calibration model)."""
    return isotonic([(share, ok) for share, ok, _ in points]), {
        b: isotonic(pts) for b in ("explicit", "resolved", "inferred")
        if len(pts := [(share, ok) for share, ok, basis in points if basis == b]) >= CAL_MIN}


def guarded_scores(prepared: list[Prepared], curves: tuple[dict[str, list[float]], dict[str, dict[str, list[float]]]]
                   ) -> dict[str, dict]:
    """Each text's held-out scores with the recipients `decide.guarded` would drop dropped
    (`decide.dropped`, and a term's or title's the rules gave none)."""
    overall, by_basis = curves
    recs_of = {name: [dict(r) for r in recs] for name, recs in held_records.items()}
    for d in decisions:  # one pass over every text's decisions
        if d["field"] == "recipient":
            curve = by_basis.get(d["basis"], overall)
            if dropped(not d["rule_none"], float(np.interp(d["share"], curve["x"], curve["y"])), d["origin"] == "turn",
                       d["paused"]):
                recs_of[d["text"]][d["quote"]]["recipient"] = None
    out = {}
    for p in prepared:
        recs = recs_of[p.text.name]
        for i, q in enumerate(p.idx.quotes):
            if q.kind != "quotation" and q.recipient is None:
                recs[i]["recipient"] = None
        out[p.text.name] = {"group": p.text.group, **scores(match(p.text, recs))}
    return out


def isotonic(points: list[tuple[float, bool]]) -> dict[str, list[float]]:
    from sklearn.isotonic import IsotonicRegression

    if len(points) < 10:
        return {"x": [0.0, 1.0], "y": [0.0, 1.0]}
    x = np.asarray([s for s, _ in points])
    y = np.asarray([float(ok) for _, ok in points])
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
    return {"x": [round(float(v), 4) for v in iso.X_thresholds_], "y": [round(float(v), 4) for v in iso.y_thresholds_]}


def train(prepared: list[Prepared]) -> dict[str, Any]:
    xs, ys, ws, xr, yr, wr, gs = [], [], [], [], [], [], []
    for p in prepared:
        a, b, c, d, g = examples(p)
        w = GENRE_WEIGHT if p.text.group == "genre" else 1.0
        xs += a
        ys += b
        ws += [w] * len(a)
        xr += c
        yr += d
        wr += [w] * len(c)
        gs += g
    return {"speaker": fit(xs, ys, ws, SPEAKER_FEATURES, gs), "recipient": fit(xr, yr, wr, RECIPIENT_FEATURES, gs)}


def folds_of(prepared: list[Prepared], k: int) -> list[list[int]]:
    """Each genre text a fold of its own; the novels in k folds (k = 0: novels not held out)."""
    novels = [i for i, p in enumerate(prepared) if p.text.group == "pdnc"]
    out = [[i] for i, p in enumerate(prepared) if p.text.group != "pdnc"]
    k = max(0, min(k, len(novels)))
    out += [novels[j::k] for j in range(k)]
    return [f for f in out if f]


_FOLD_TEXTS: list[Prepared] = []  # the texts a forked fold worker reads (inherited, not copied)


def _run_fold(job: tuple[int, list[int]]) -> list[tuple[int, list[dict[str, Any]], list[dict[str, Any]], dict]]:
    """Train on every text outside the fold and decide the fold's texts: per text its index,
    its records with the values chosen, its held-out decisions and its scores."""
    f, fold = job
    prepared = _FOLD_TEXTS
    saved = FOLDS_DIR / f"fold-{f}.json" if FOLDS_DIR else None
    if LOAD_FOLDS and saved:
        raw = json.loads(saved.read_text(encoding="utf-8"))
        if raw.get("held_out") != [prepared[i].text.name for i in fold] or \
                raw["speaker"]["features"] != list(SPEAKER_FEATURES) or raw["recipient"]["features"] != list(RECIPIENT_FEATURES):
            raise SystemExit(f"{saved}: saved for other texts or other features; train the folds again (--save-folds)")
    else:
        raw = train([p for i, p in enumerate(prepared) if i not in fold])
        if saved:
            saved.write_text(json.dumps({**raw, "held_out": [prepared[i].text.name for i in fold]},
                                        separators=(",", ":")) + "\n", encoding="utf-8")
    models = {n: _trees(raw[n]) for n in ("speaker", "recipient")}
    out = []
    for i in fold:
        p = prepared[i]
        recs, points = predict_text(p, models)
        for d in points:
            d["fold"] = f
        out.append((i, recs, points, scores(match(p.text, recs))))
    return out


def cross_validate(prepared: list[Prepared], k: int, log=print, jobs: int = 1
                   ) -> tuple[dict[str, dict], dict[str, list], dict[str, list[str | None]]]:
    """Held-out scores by text, calibration points by field, and each text's held-out speakers
    (by quote index) as its fold's model chose them in order. With jobs > 1 the folds run in
    forked processes; each is trained and decided alone, so the results are the same."""
    global _FOLD_TEXTS
    results: dict[str, dict] = {}
    cal: dict[str, list] = defaultdict(list)
    chosen: dict[str, list[str | None]] = {}
    decisions.clear()
    held_records.clear()
    jobs_ = list(enumerate(folds_of(prepared, k)))
    _FOLD_TEXTS = prepared
    if jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(min(jobs, len(jobs_))) as pool:
            done = pool.imap(_run_fold, jobs_)  # in fold order
            outs = list(done)
    else:
        outs = [_run_fold(j) for j in jobs_]
    for out in outs:
        for i, recs, points, score in out:
            p = prepared[i]
            chosen[p.text.name] = [r.get("speaker") for r in recs]
            held_records[p.text.name] = recs
            for d in points:
                cal[d["field"]].append((d["share"], d["ok"], d["basis"]))
                decisions.append(d)
            results[p.text.name] = {"group": p.text.group, **score}
            log(f"  held out {p.text.name}: {json.dumps(results[p.text.name])}")
    return results, cal, chosen


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=3, help="folds of the novels (each genre text is a fold)")
    ap.add_argument("--out", default=str(MODEL_FILE))
    ap.add_argument("--eval-only", action="store_true")
    ap.add_argument("--jobs", type=int, default=1,
                    help="folds trained at once in forked processes (the model written is the same)")
    ap.add_argument("--decisions", help="write the held-out decisions (JSON lines) to this file")
    ap.add_argument("--context", choices=("gold", "predicted"), default=CONTEXT,
                    help="the previous speakers the turn-taking features read while training: the gold "
                         "ones, or (two passes) the held-out choices of a first model trained on gold")
    ap.add_argument("--recipient-context", choices=("gold", "predicted"), default=RECIPIENT_CONTEXT,
                    help="the same, for the recipient ranker (with --context predicted)")
    ap.add_argument("--rounds", type=int, default=ROUNDS, help=f"boosting rounds (default {ROUNDS})")
    ap.add_argument("--leaves", type=int, default=PARAMS["num_leaves"],
                    help=f"leaves per tree (default {PARAMS['num_leaves']})")
    ap.add_argument("--objective", choices=("binary",) + RANKING, default=PARAMS["objective"],
                    help=f"LightGBM objective (default {PARAMS['objective']})")
    ap.add_argument("--ensemble", type=int, default=ENSEMBLE,
                    help=f"boosters of different seeds averaged (default {ENSEMBLE})")
    ap.add_argument("--seed", type=int, default=SEED,
                    help=f"LightGBM's seed (default {SEED}): another one measures how much a result is the seed's")
    ap.add_argument("--beam", type=int, default=BEAM,
                    help=f"sequences of choices kept while deciding a text (default {BEAM}; 1: one choice after another)")
    ap.add_argument("--margin", action="append", default=[], metavar="BASIS=M",
                    help=f"the speaker's margin where the rules' proposal has this basis ({', '.join(PROPOSAL_BASES)}; "
                         f"description: a description the cue gives); default {MARGINS or MARGIN}")
    ap.add_argument("--save-folds", metavar="DIR", help="write each fold's models to DIR")
    ap.add_argument("--load-folds", metavar="DIR",
                    help="decide the held-out folds with the models --save-folds wrote to DIR instead of "
                         "training them again (the same models: a change of decoding is measured in minutes)")
    return ap


def _configure(ap: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Set the run's globals from the command line (the forked folds read them)."""
    global ROUNDS, ENSEMBLE, SEED, FOLDS_DIR, LOAD_FOLDS, BEAM
    if args.save_folds or args.load_folds:
        FOLDS_DIR = Path(args.save_folds or args.load_folds)
        FOLDS_DIR.mkdir(parents=True, exist_ok=True)
        LOAD_FOLDS = bool(args.load_folds)
    ROUNDS, ENSEMBLE, BEAM = args.rounds, max(1, args.ensemble), max(1, args.beam)
    for m in args.margin:
        basis, _, value = m.partition("=")
        if basis not in PROPOSAL_BASES or not value:
            ap.error(f"--margin {m}: expected BASIS=M with BASIS one of {', '.join(PROPOSAL_BASES)}")
        MARGINS[basis] = float(value)
    SEED = PARAMS["seed"] = args.seed
    PARAMS["num_leaves"] = args.leaves
    PARAMS["objective"] = args.objective


def _held_out(prepared: list[Prepared], args: argparse.Namespace) -> tuple[dict[str, dict], dict[str, list]]:
    """Cross-validate (twice with --context predicted): held-out scores and calibration points."""
    global RECIPIENT_CONTEXT
    results, cal, chosen = cross_validate(prepared, args.folds, jobs=args.jobs)
    RECIPIENT_CONTEXT = args.recipient_context
    if args.context == "predicted":
        # exposure bias: deciding, the ranker reads its own earlier choices, wrong ones included;
        # trained on gold turns only, it learns to trust turn-taking more than it should
        for p in prepared:
            p.context, p._examples = chosen[p.text.name], None
        print("second pass, turn-taking read from the first pass's held-out choices")
        results, cal, _ = cross_validate(prepared, args.folds, jobs=args.jobs)
    return results, cal


def _write_model(prepared: list[Prepared], results: dict[str, dict], cal: dict[str, list],
                 args: argparse.Namespace) -> None:
    """Train on every text and write the model file, with its curves, confidence and held-out figures."""
    raw = train(prepared)
    for name in raw:
        raw[name]["calibration"], raw[name]["calibration_by_basis"] = share_curves(cal[name])
    # the confidence: a calibration model fitted on every held-out decision (training/confidence_fit.py);
    # its reliability cross-fitted, each fold scored by a model fitted without it
    conf_models, reliability = confidence_models(decisions, CONFIDENCE_GENRE_WEIGHT)
    for name in raw:
        raw[name]["confidence"] = conf_models[name]
        print(f"{name}: {json.dumps(reliability[name])}")
    model = {"format": "quoteprov-ranker/1", "policy": POLICY, "margin": MARGIN, "beam": BEAM, "margin_by_basis": MARGINS,
             "seed": SEED, "params": PARAMS, "rounds": ROUNDS, "ensemble": ENSEMBLE,
             "genre_weight": GENRE_WEIGHT, "confidence_genre_weight": CONFIDENCE_GENRE_WEIGHT, "context": args.context,
             "recipient_context": args.recipient_context if args.context == "predicted" else "gold", "trained_on": [p.text.name for p in prepared],
             "held_out": results, "reliability": reliability, "rankers": raw}
    Path(args.out).write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


def main(argv: list[str]) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    _configure(ap, args)
    texts = all_texts()
    missing = [t.name for t in texts if not (CACHE / f"{t.name}.jsonl").exists()]
    if missing:
        print(f"no rules' records for {', '.join(missing)}: run python -m training.cache_rules", file=sys.stderr)
        return 2
    prepared = [prepare(t) for t in texts]
    results, cal = _held_out(prepared, args)
    # the figures as the product decides: the recipient's guard (`decide.guarded`) reads the
    # share curves fitted on these same held-out decisions, as the shipped model's are
    guarded = guarded_scores(prepared, share_curves(cal["recipient"]))
    for name, score in guarded.items():
        print(f"  guarded {name}: {json.dumps(score)}")
    if args.decisions:
        with open(args.decisions, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(d, separators=(",", ":")) + "\n" for d in decisions)
        print(f"wrote {len(decisions)} held-out decisions to {args.decisions}")
    if args.eval_only:
        return 0
    _write_model(prepared, results, cal, args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
