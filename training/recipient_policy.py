"""Measure, offline, a recipient policy that abstains less than the ranker: where the recipient
ranker prefers nobody and the rules found no addressee, give its likeliest named candidate when
it scores at least RATIO times nobody's (and the guard of `decide.guarded` keeps it).

usage: python -m training.recipient_policy DECISIONS [--model ranker.json] [--ratios 0.5 0.2 ...]

DECISIONS is the file `python -m training.train_ranker --decisions FILE` writes: held-out
decisions, with the quotations where the recipient ranker abstained (`recipient-abstained`).
Prints, for each ratio, the genre golds' recipient recall and precision (means over the texts)
and the novels' addressee accuracy. Tried for model 11: 0.2 gave genre recall 0.489 -> 0.524 at
precision 0.910 -> 0.870 on one run, 0.501 -> 0.537 at 0.905 -> 0.808 on the next, and on texts
without a gold it named days and cities as addressees; the product abstains (no ratio).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from typing import Any

from quoteprov.attribution.decide import BASIS_OF, dropped
from quoteprov.attribution.model import MODEL_FILE, load

from .corpora import all_texts


def genre_recipients() -> dict[str, int]:
    """Each genre gold's quotations whose gold names a recipient (the recall's denominator)."""
    return {t.name: sum(1 for q in t.quotes if q.qtype != "optional" and q.kind[0] == "quotation"
                        and any(x is not None for x in q.recipients[:1])) for t in all_texts(pdnc=False)}


def given(d: dict[str, Any], ratio: float | None, calibrate) -> tuple[bool, bool]:
    """(whether a recipient is given, whether the record is then right) for one decision."""
    if d["field"] == "recipient":  # the ranker named someone: the guard may still drop it
        if dropped(not d["rule_none"], calibrate(d["share"], d["basis"]), d["origin"] == "turn", d["paused"]):
            return False, d["gold"] is None
        return True, bool(d["ok"])
    a, p = d["alt"], d["probs"]
    basis = "inferred" if d["alt_origin"] == "turn" else BASIS_OF.get(d.get("alt_how") or "", "resolved")
    take = ratio is not None and a is not None and d["rule_none"] and p[a] >= ratio * p[-1] and not dropped(
        False, calibrate(p[a] / sum(p), basis), d["alt_origin"] == "turn", d["paused"])
    return (True, bool(d["labels"][a])) if take else (False, d["gold"] is None)


def measure(decisions: list[dict[str, Any]], ratio: float | None, calibrate, gold: dict[str, int]) -> dict[str, float]:
    hit: dict[str, int] = defaultdict(int)
    named: dict[str, int] = defaultdict(int)
    right = total = 0
    for d in decisions:
        give, ok = given(d, ratio, calibrate)
        if d["group"] == "genre":
            named[d["text"]] += give
            hit[d["text"]] += give and ok
        else:
            total += 1
            right += ok
    recall = [hit[t] / n for t, n in gold.items() if n]
    precision = [hit[t] / named[t] for t in gold if named[t]]
    return {"genre_recall": round(sum(recall) / len(recall), 3) if recall else 0.0,
            "genre_precision": round(sum(precision) / len(precision), 3) if precision else 0.0,
            "pdnc_addressee": round(right / total, 4) if total else 0.0}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("decisions")
    ap.add_argument("--model", default=str(MODEL_FILE), help="the ranker whose share curves the guard reads")
    ap.add_argument("--ratios", type=float, nargs="+", default=[0.5, 0.3, 0.2, 0.1])
    args = ap.parse_args(argv)
    models = load(args.model)
    if models is None:
        print(f"{args.model}: no such model file", file=sys.stderr)
        return 2
    with open(args.decisions, encoding="utf-8") as f:
        ds = [d for d in map(json.loads, f) if d["field"] in ("recipient", "recipient-abstained")]
    if not any(d["field"] == "recipient-abstained" for d in ds) or any("paused" not in d for d in ds):
        print(f"{args.decisions}: no abstentions or pauses kept (written by an older train_ranker)", file=sys.stderr)
        return 2
    gold = genre_recipients()
    print("abstain (the product):", json.dumps(measure(ds, None, models.recipient.calibrate, gold)))
    for r in args.ratios:
        print(f"ratio {r}:", json.dumps(measure(ds, r, models.recipient.calibrate, gold)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
