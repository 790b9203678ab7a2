"""Benchmark: the extractor's stages before attribution (source reading, footnote markers,
quoted spans) on one long paragraph, which must stay linear in its length.

Two shapes of one-line paragraph, at growing sizes: words with stray quotation marks and
marker-like numbers, and quotation marks only (the worst case for pairing: thousands of
unpaired single marks under double ones). Prints seconds and s/MB per stage; the ratio of the
largest size's s/MB to the smallest's should stay near 1 (quadratic work doubles it per
doubling). Attribution (spaCy) is not included: `benchmarks/extract_bench.py` measures it.

    python benchmarks/paragraph_bench.py [--max-mb 2]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quoteprov.markers import find_markers  # noqa: E402
from quoteprov.source import make_source  # noqa: E402
from quoteprov.spans import find_spans  # noqa: E402

WORDS = ["the", "said", "Lenin", "party", '"', "\u201c", "\u201d", "'", "(12)", "workers", "to", "told", "."]
MARKS = '"\u201c\u201d\'\u2018\u2019'


def words_and_marks(n: int, rng: random.Random) -> str:
    out, size = [], 0
    while size < n:
        w = rng.choice(WORDS)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)[:n]


def marks_only(n: int, rng: random.Random) -> str:
    return "".join(rng.choice(MARKS) for _ in range(n))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-mb", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sizes = []
    n = 125_000
    while n <= args.max_mb * 1_000_000:
        sizes.append(n)
        n *= 2
    for name, gen in (("words and marks", words_and_marks), ("marks only", marks_only)):
        per_mb = []
        for n in sizes:
            text = gen(n, random.Random(args.seed))
            t0 = time.perf_counter()
            source = make_source(text, "bench")
            t1 = time.perf_counter()
            markers = find_markers(source)
            t2 = time.perf_counter()
            spans = find_spans(source, markers)
            t3 = time.perf_counter()
            per_mb.append((t3 - t0) / (n / 1e6))
            print(f"{name:16} {n / 1e6:5.2f} MB: source {t1 - t0:6.3f} s, markers {t2 - t1:6.3f} s, "
                  f"spans {t3 - t2:6.3f} s ({len(spans):,} spans); {per_mb[-1]:.2f} s/MB", flush=True)
        print(f"{name:16} s/MB at {sizes[-1] / 1e6:.2f} MB over s/MB at {sizes[0] / 1e6:.2f} MB: "
              f"{per_mb[-1] / per_mb[0]:.2f}")


if __name__ == "__main__":
    main()
