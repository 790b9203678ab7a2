"""Benchmark: `extract` (all stages, attribution included) on one paragraph on one line,
which must be linear in its length: 10 MB in <= 60 s and <= 1 GB peak memory (issue 15).

Three shapes of one-line paragraph: ordinary prose with a stray quotation mark every ~50
words (`prose`), words and quotation marks of every style mixed (`words`), and quotation
marks only (`marks`). Each size runs in a fresh process (`quoteprov extract FILE`), so the
peak resident memory is that run's own. Prints seconds, peak MB, s/MB and the ratio of each
size's s/MB to the smallest size's (the baseline): near 1 is linear, quadratic work doubles
it with every doubling of the size.

    python benchmarks/long_paragraph.py [--sizes 1,2,5,10] [--shapes prose,words,marks]
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from paragraph_bench import words_and_marks  # noqa: E402
PROSE = ("the workers of the party met in the hall and the congress went on while Lenin said to them that "
         "the press must be free but Zinoviev told the delegates nothing new about it so they wrote a "
         "long letter to the committee and it was read aloud before the vote was taken").split()
MARKS = '"\u201c\u201d\'\u2018\u2019\u00ab\u00bb'


def prose(n: int, rng: random.Random) -> str:
    """Ordinary words in sentences, a stray `"` before about one word in 50."""
    out, size = [], 0
    while size < n:
        w = rng.choice(PROSE)
        if not out or out[-1].endswith("."):
            w = w[0].upper() + w[1:]
        if rng.randrange(50) == 0:
            w = '"' + w
        if rng.randrange(17) == 0:
            w += "."
        out.append(w)
        size += len(w) + 1
    return " ".join(out)[:n]


def words(n: int, rng: random.Random) -> str:
    """Words and quotation marks of every style, mixed (a mark every few words): the shape of
    benchmarks/paragraph_bench.py, from there."""
    return words_and_marks(n, rng)


def marks(n: int, rng: random.Random) -> str:
    return "".join(rng.choice(MARKS) for _ in range(n))


SHAPES = {"prose": prose, "words": words, "marks": marks}


def measure(path: Path) -> tuple[float, float, int]:
    """Seconds, peak resident MB and exit code of one `quoteprov extract` process."""
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.run([sys.executable, "-m", "quoteprov.cli", "extract", str(path)],
                              stdout=null, stderr=subprocess.PIPE, cwd=ROOT)
    seconds = time.perf_counter() - t0
    if proc.returncode:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace")[-2000:])
    # the children's peak is a running maximum over all children: each size is measured in a
    # fresh intermediate process (see main), so it is this run's own
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, proc.returncode


def measure_isolated(path: Path) -> tuple[float, float, int]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(r)
        os.write(w, " ".join(map(str, measure(path))).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        got = f.read().split()
    os.waitpid(pid, 0)
    if len(got) != 3:
        raise SystemExit(f"the measuring process of {path.name} died without a result")
    return float(got[0]), float(got[1]), int(got[2])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,2,5,10", help="sizes in MB, the first is the baseline")
    ap.add_argument("--shapes", default="prose,words,marks")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shapes.split(","):
            base = None
            for mb in sizes:
                path = Path(tmp) / f"{shape}.txt"
                path.write_text(SHAPES[shape](int(mb * 1_000_000), random.Random(args.seed)), encoding="utf-8")
                s, peak, rc = measure_isolated(path)
                base = base or s / mb
                print(f"{shape:6} {mb:5.2f} MB: {s:7.1f} s, peak {peak:6.0f} MB, {s / mb:6.2f} s/MB, "
                      f"s/MB over the {sizes[0]:g} MB run's: {s / mb / base:4.2f}"
                      f"{'' if rc == 0 else f'  (exit {rc})'}", flush=True)


if __name__ == "__main__":
    main()
