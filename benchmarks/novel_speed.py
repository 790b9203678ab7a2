"""Benchmark: extraction of a dialogue-dense novel against spaCy's own parse of it, and start-up.

usage: python benchmarks/novel_speed.py [--novel NAME] [--repeat N] [--text FILE]

Baseline (issue 11): spaCy's `nlp.pipe` over every paragraph of the same text, with the same model
and components quoteprov loads (`quoteprov.syntax.nlp()`), in the same process, after the same
warm-up. The extractor (spans, markers, rules, candidates, features, ranker) should stay within
1.5x of that parse: it parses only the sentences around quotations, but a novel is mostly
quotations.

The novel is one of `../shared/pdnc` (unwrapped as the training code reads it; default: Emma,
the densest in dialogue of those with the most text), or any UTF-8 file given with `--text`
(one paragraph per line). Runs alternate (parse, extract, parse, extract, ...) so that a change of
load on the machine falls on both; medians are reported. Start-up: `quoteprov extract` on a
one-line file as a subprocess, wall time, median of `--repeat` runs.

Everything runs on one thread (the variables below are set before numpy or spaCy load).
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def novel_source(name: str):  # -> quoteprov.source.Source
    from training.corpora import load_pdnc

    return load_pdnc(name).source


def file_source(path: str):
    from quoteprov.source import read_source

    return read_source(Path(path))


def time_parse(source) -> float:
    from quoteprov.syntax import nlp

    pipe = nlp()
    lines = [source.text[a:b] for a, b in source.paragraphs if b > a]
    t0 = time.perf_counter()
    for _ in pipe.pipe(lines, batch_size=64):
        pass
    return time.perf_counter() - t0


def time_extract(source) -> tuple[float, int]:
    from quoteprov.pipeline import extract

    t0 = time.perf_counter()
    recs = extract(source)
    return time.perf_counter() - t0, len(recs)


def startup(repeat: int) -> float:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "one.txt"
        f.write_text('She said, "We start at once."\n', encoding="utf-8")
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "quoteprov.cli", "extract", str(f)], check=True,
                           stdout=subprocess.DEVNULL, cwd=d)
            runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--novel", default="Emma", help="a PDNC novel folder name (needs ../shared/pdnc)")
    ap.add_argument("--text", help="a UTF-8 text file instead of a PDNC novel")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    try:
        source = file_source(args.text) if args.text else novel_source(args.novel)
    except (OSError, ImportError) as e:
        print(f"novel_speed: no text to measure ({e}); pass --text FILE", file=sys.stderr)
        return 2
    mb = len(source.text.encode("utf-8")) / 1e6
    from quoteprov.syntax import nlp

    nlp()
    time_extract(source)  # warm-up: the model, the ranker file, caches
    parse_s, extract_s, n = [], [], 0
    for _ in range(args.repeat):
        parse_s.append(time_parse(source))
        s, n = time_extract(source)
        extract_s.append(s)
    p, e = statistics.median(parse_s), statistics.median(extract_s)
    print(f"text: {args.text or args.novel}, {mb:.2f} MB, {len(source.paragraphs)} paragraphs, {n} records")
    print(f"spaCy nlp.pipe (baseline), median of {args.repeat}: {p:.2f} s ({mb / p:.2f} MB/s)")
    print(f"quoteprov extract, in-process, median of {args.repeat}: {e:.2f} s ({mb / e:.2f} MB/s)")
    print(f"ratio extract / parse: {e / p:.2f}x (target <= 1.5x)")
    print(f"start-up, `quoteprov extract` on a one-line file, median of {args.repeat}: {startup(args.repeat):.2f} s "
          "(target <= 1.5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
