"""Run the rule-based extractor once over every training text and keep its records
(`training/cache/<text>.jsonl`): the ranker's features are computed from them and the text,
so features can be changed without parsing the novels again."""
from __future__ import annotations

import json
import sys
import time

from quoteprov.pipeline import extract

from .corpora import CACHE, all_texts


def main(argv: list[str]) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    for t in all_texts():
        out = CACHE / f"{t.name}.jsonl"
        if out.exists() and "--force" not in argv:
            continue
        t0 = time.time()
        recs = [r.to_dict() for r in extract(t.source)]
        out.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
        print(f"{t.name}: {len(recs)} records, {time.time() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
