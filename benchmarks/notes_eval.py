"""Citation accuracy of quoteprov's note parser against the hand-checked notes gold.

    python benchmarks/notes_eval.py [--errors]

Each gold file `tests/gold/notes/<source id>.notes.jsonl` is scored against the notes that
`quoteprov.notes.extract_notes` finds in its text (tests/gold/notes/README.md says where each
text is). Prints one row per source and the total.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from quoteprov.notes import extract_notes, score_notes
from quoteprov.source import read_source

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "notes"
TEXTS = {
    "federalist-1788": ROOT / "tests" / "fixtures" / "notes" / "federalist-1788.txt",
    "kropotkin-1906-conquest-of-bread": ROOT / "tests" / "fixtures" / "notes" / "kropotkin-1906-conquest-of-bread.txt",
    "russell-1920-bolshevism": ROOT.parent / "shared" / "devtexts" / "russell-1920-bolshevism.txt",
}


def run() -> dict[str, dict]:
    out = {}
    all_gold, all_pred = [], []
    for sid, path in TEXTS.items():
        gold = [json.loads(line) for line in (GOLD / f"{sid}.notes.jsonl").read_text(encoding="utf-8").splitlines()]
        pred = [n.to_dict() for n in extract_notes(read_source(path, sid))]
        out[sid] = score_notes(gold, pred)
        all_gold += gold
        all_pred += pred
    out["all"] = score_notes(all_gold, all_pred)
    return out


def main() -> None:
    res = run()
    print("| source | notes | found | citations (gold/found) | recall | precision | field accuracy (fields) | Ibid./short resolved | no citation guessed |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for sid, r in res.items():
        print(f"| {sid} | {r['notes']} | {r['notes_found']} | {r['gold_citations']}/{r['predicted_citations']} | "
              f"{r['citation_recall']:.3f} | {r['citation_precision']:.3f} | {r['field_accuracy']:.3f} ({r['fields_scored']}) | "
              f"{r['resolution_accuracy']:.3f} ({r['resolutions']}) | {r['no_guess']:.3f} ({r['comment_notes']}) |")
    print("per field:", ", ".join(f"{k} {a:.2f} ({n})" for k, (a, n) in res["all"]["per_field"].items()))
    if "--errors" in sys.argv:
        for e in res["all"]["errors"]:
            print(json.dumps(e, ensure_ascii=False))


if __name__ == "__main__":
    main()
