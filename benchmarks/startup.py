"""Benchmark: how long `quoteprov` takes to start, against spaCy's own import and model load.

usage: python benchmarks/startup.py [--runs N] [--json]

Each figure is the median wall time (and CPU time) of N (default 5) fresh processes, one after another:
- `quoteprov extract TINY`: a two-line text with one quotation (written to a temporary folder),
  start to exit, the records printed;
- `quoteprov --help` and `quoteprov extract --help`;
- the baseline: `python -c "import spacy; spacy.load(MODEL)"` with the model quoteprov uses
  (`quoteprov.syntax.MODEL_PACKAGE`, all its default components), and `import spacy` alone.

The issue's target is `quoteprov extract` starting in <= 1.5 s; the ratio to the baseline shows
what is quoteprov's own cost and what is spaCy's. Nothing is timed in the tests: this is the
place. Run it on an idle machine (it measures wall time).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quoteprov.syntax import MODEL_PACKAGE  # noqa: E402 (imports no spaCy)

TARGET = 1.5  # seconds, issue 11
TINY = 'He said: "Yes."\nThen he left.\n'
CLI = [sys.executable, "-c", "import sys; from quoteprov.cli import main; sys.exit(main())"]


def medians(argv: list[str], runs: int) -> tuple[float, float]:
    """The median wall time and the median CPU time (user + system) of `runs` fresh processes of
    `argv` (output discarded, exit 0 required). The CPU time is the steadier figure on a busy
    machine; the wall time is what a user waits."""
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        wall.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="fresh processes per figure (default: %(default)s)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tiny = Path(tmp) / "tiny.txt"
        tiny.write_text(TINY, encoding="utf-8")
        rows = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "quoteprov --help": CLI + ["--help"],
            "quoteprov extract --help": CLI + ["extract", "--help"],
            "import spacy": [sys.executable, "-c", "import spacy"],
            "baseline: import spacy; spacy.load": [sys.executable, "-c",
                                                   f"import spacy; spacy.load({MODEL_PACKAGE!r})"],
            "quoteprov extract TINY": CLI + ["extract", str(tiny)],
        }
        # the interpreter the figures are for, also when run from a checkout without install
        env_path = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + env_path if env_path else "")
        res = {name: medians(argv, args.runs) for name, argv in rows.items()}
    extract, baseline = res["quoteprov extract TINY"][0], res["baseline: import spacy; spacy.load"][0]
    if args.json:
        print(json.dumps({"runs": args.runs, "wall_s": {k: v[0] for k, v in res.items()},
                          "cpu_s": {k: v[1] for k, v in res.items()}, "ratio_to_baseline": extract / baseline,
                          "target_s": TARGET, "met": extract <= TARGET}))
        return 0
    print(f"medians of {args.runs} fresh processes each ({sys.executable}); load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"  {'':40} {'wall':>7} {'cpu':>7}")
    for name, (wall, cpu) in res.items():
        print(f"  {name:40} {wall:6.3f}s {cpu:6.3f}s")
    print(f"  {'quoteprov extract / baseline (wall)':40} {extract / baseline:6.2f}")
    print(f"  target: extract <= {TARGET} s: {'met' if extract <= TARGET else 'NOT met'}"
          f" (spaCy's import and load alone: {baseline:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
