"""Benchmark: `quoteprov diff --format json` against datacompy (keyed compare with pandas).

Generates two versions of N records in the dataset's record format (1 % removed, 1 % added,
1 % changed in one field), then times each tool in a child process on the same two files and
reads the child's peak memory (ru_maxrss from wait4). Both tools' counts are checked against
what was generated, so a fast wrong answer does not pass.

    python benchmarks/diff_bench.py                 # N = 200,000, 3 repeats
    python benchmarks/diff_bench.py --n 1000000     # the target size (10 s, 2 GB)
    python benchmarks/diff_bench.py --no-baseline   # quoteprov only

Needs the `bench` extra (datacompy) for the baseline.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from quoteprov.records import make_id  # noqa: E402

WORDS = ("the workers party congress freedom press democracy bureaucratic manifesto central committee "
         "opposition group comrades industry organization soviet trade unions revolution lenin zinoviev "
         "miasnikov declared wrote letter appeal communist proletariat dictatorship state").split()
SPEAKERS = ["G. T. Miasnikov", "V. I. Lenin", "G. E. Zinoviev", "Workers' Group manifesto", "A. Shliapnikov", None]


def record(i: int, rng: random.Random, source: str) -> dict:
    n = rng.randint(2, 18)
    text = " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()
    start = i * 120 + rng.randint(0, 40)
    end = start + len(text)
    speaker = rng.choice(SPEAKERS)
    note = 1 + i // 7
    return {
        "id": make_id(source, f"{text} {i}", 1), "source_id": source, "text": text, "start": start, "end": end,
        "paragraph": i // 5, "kind": rng.choice(("quotation", "term", "title")), "nested_in": None,
        "speaker": speaker, "recipient": rng.choice((None, None, "G. E. Zinoviev")), "footnote": note,
        "unclosed": False,
        "evidence": {"speaker": {"start": start - 30, "end": start - 21, "text": "Miasnikov"} if speaker else None,
                     "cue": {"start": start - 20, "end": start - 12, "text": "declared"},
                     "recipient": None,
                     "marker": {"start": end + 2, "end": end + 6, "text": f"({note})", "printed": note,
                                "number": note, "repaired": False}},
        "method": {"span": "marks-paired", "kind": "length", "speaker": "cue-subject" if speaker else None,
                   "recipient": None, "footnote": "marker-next"},
        "basis": {"speaker": "explicit" if speaker else None, "recipient": None, "footnote": "explicit"},
        "confidence": {"speaker": round(rng.random(), 3) if speaker else None, "recipient": None},
        "selectors": {"quote": {"type": "TextQuoteSelector", "exact": text, "prefix": "which to advance their cause. \"",
                                "suffix": "\" declared the manifesto, had be"},
                      "position": {"type": "TextPositionSelector", "start": start, "end": end}},
        "corrections": [],
    }


def change(rec: dict, rng: random.Random) -> dict:
    rec = json.loads(json.dumps(rec))
    what = rng.choice(("speaker", "footnote", "kind", "recipient"))
    if what == "speaker":
        rec["speaker"] = "Somebody Else"
    elif what == "footnote":
        rec["footnote"] += 1000
    elif what == "kind":
        rec["kind"] = {"quotation": "term", "term": "title", "title": "quotation"}[rec["kind"]]
    else:
        rec["recipient"] = "Central Committee" if rec["recipient"] is None else None
    return rec


def generate(n: int, folder: Path, seed: int = 1) -> dict[str, int]:
    """Write old.jsonl and new.jsonl; return the true counts."""
    rng = random.Random(seed)
    k = max(1, n // 100)
    picks = rng.sample(range(n), 2 * k)
    removed, changed = set(picks[:k]), set(picks[k:])
    with open(folder / "old.jsonl", "wb") as old, open(folder / "new.jsonl", "wb") as new:
        for i in range(n):
            rec = record(i, rng, f"source-{i % 50:02d}")
            line = orjson.dumps(rec) + b"\n"
            old.write(line)
            if i in removed:
                continue
            new.write(orjson.dumps(change(rec, rng)) + b"\n" if i in changed else line)
        for j in range(k):
            new.write(orjson.dumps(record(n + j, rng, "source-new")) + b"\n")
    return {"added": k, "removed": k, "changed": k}


DATACOMPY = r"""
import json, sys
import orjson, pandas as pd, datacompy

def frame(path):
    with open(path, "rb") as f:
        df = pd.json_normalize([orjson.loads(line) for line in f])
    df["corrections"] = df["corrections"].astype(str)  # lists are not comparable cells
    return df

a, b = frame(sys.argv[1]), frame(sys.argv[2])
c = datacompy.PandasCompare(a, b, join_columns="id")
print(json.dumps({"added": len(c.df2_unq_rows), "removed": len(c.df1_unq_rows), "changed": len(c.all_mismatch())}))
"""


def run(cmd: list[str], out: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident memory (MB) of one child
    process. CPU seconds are reported too because the machine is shared: wall time grows with
    the load of other processes, CPU time much less."""
    with open(out, "wb") as f:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd[:4])}... failed ({proc.returncode}): {err[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # ru_maxrss: KiB on Linux


def measure(name: str, cmd: list[str], out: Path, repeat: int, counts: callable, truth: dict) -> tuple[float, float, float]:
    """Medians of wall seconds, CPU seconds and peak MB over `repeat` runs (counts checked each time)."""
    runs = []
    for r in range(repeat):
        wall, cpu, mb = run(cmd, out)
        got = counts(out)
        if got != truth:
            raise SystemExit(f"{name} found {got}, generated {truth}")
        runs.append((wall, cpu, mb))
        print(f"  {name} run {r + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU, {mb:.0f} MB peak, load {os.getloadavg()[0]:.1f}",
              flush=True)
    return tuple(statistics.median(x[i] for x in runs) for i in range(3))  # type: ignore[return-value]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=200_000, help="records per version (default: %(default)s)")
    p.add_argument("--repeat", type=int, default=3, help="runs per tool; medians are reported (default: %(default)s)")
    p.add_argument("--baseline-repeat", type=int, help="runs of datacompy (default: --repeat)")
    p.add_argument("--no-baseline", action="store_true", help="skip datacompy")
    p.add_argument("--dir", type=Path, help="folder for the generated files (default: a temporary folder)")
    p.add_argument("--reuse", action="store_true", help="reuse files of the same N generated before in --dir")
    args = p.parse_args()

    tmp = None if args.dir else tempfile.TemporaryDirectory(prefix="diff-bench-")
    folder = args.dir or Path(tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    stamp = folder / f"truth-{args.n}.json"
    reused = args.reuse and stamp.exists() and (folder / "old.jsonl").exists()
    if reused:
        truth = json.loads(stamp.read_text())
    else:
        truth = generate(args.n, folder)
        stamp.write_text(json.dumps(truth))
    size = (folder / "old.jsonl").stat().st_size / 1e6
    print(f"{'reused' if reused else 'generated'} 2 x {args.n:,} records ({size:.0f} MB per file) in {time.perf_counter() - t:.1f} s; "
          f"truth {truth}", flush=True)

    def quoteprov_counts(out: Path) -> dict[str, int]:
        s = json.loads(out.read_bytes())["summary"]
        return {k: s[k] for k in ("added", "removed", "changed")}

    old, new = str(folder / "old.jsonl"), str(folder / "new.jsonl")
    q = measure("quoteprov", [sys.executable, "-m", "quoteprov.cli", "diff", old, new, "--format", "json"],
                folder / "quoteprov.json", args.repeat, quoteprov_counts, truth)
    print(f"quoteprov diff: {q[0]:.2f} s wall, {q[1]:.2f} s CPU (medians), {q[2]:.0f} MB peak "
          f"({args.n / q[0]:,.0f} records/s per version)")
    if not args.no_baseline:
        d = measure("datacompy", [sys.executable, "-c", DATACOMPY, old, new], folder / "datacompy.json",
                    args.baseline_repeat or args.repeat, lambda out: json.loads(out.read_bytes()), truth)
        print(f"datacompy:      {d[0]:.2f} s wall, {d[1]:.2f} s CPU (medians), {d[2]:.0f} MB peak")
        print(f"ratio: quoteprov is {d[0] / q[0]:.1f}x faster (wall), {d[1] / q[1]:.1f}x (CPU), "
              f"and uses {d[2] / q[2]:.1f}x less peak memory")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
