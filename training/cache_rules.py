"""Run the rule-based extractor once over every training text and keep its records
(`training/cache/<text>.jsonl`): the ranker's features are computed from them and the text,
so features can be changed without parsing the novels again.

usage: python -m training.cache_rules [--force] [--jobs N]

The records are the rules' alone (`extract(..., use_model=False)`): the ranker learns to
correct the rules, so it must never be trained on records its own earlier version decided
(that made the shipped model depend on which model file was installed when the cache was
filled). Each text's parses are kept beside its records (`<text>.parses`, the build's parse
memo): after a change to the rules, `--force` re-runs them without parsing again (a third of
the time); after a change to the tokenizer or the model the memo is void and ignored.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from quoteprov.pipeline import extract
from quoteprov.syntax import remembering

from .corpora import CACHE, Text, all_texts


def cache_one(t: Text) -> str:
    memo_file = CACHE / f"{t.name}.parses"
    t0 = time.time()
    with remembering(memo_file.read_bytes() if memo_file.exists() else None) as memo:
        recs = [r.to_dict() for r in extract(t.source, use_model=False)]
        parses = memo()
    out = CACHE / f"{t.name}.jsonl"
    tmp = out.with_suffix(".tmp")  # whole or not at all: a stopped run leaves the old file
    tmp.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    tmp.replace(out)
    memo_tmp = memo_file.with_suffix(".ptmp")
    memo_tmp.write_bytes(parses)
    memo_tmp.replace(memo_file)
    return f"{t.name}: {len(recs)} records, {time.time() - t0:.1f} s"


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="re-run texts already cached")
    ap.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    args = ap.parse_args(argv)
    CACHE.mkdir(parents=True, exist_ok=True)
    todo = [t for t in all_texts() if args.force or not (CACHE / f"{t.name}.jsonl").exists()]
    todo.sort(key=lambda t: -len(t.source.text))  # longest first: the pool ends together
    if args.jobs <= 1:
        for t in todo:
            print(cache_one(t), flush=True)
        return
    with ProcessPoolExecutor(args.jobs) as pool:
        for line in pool.map(cache_one, todo):
            print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
