"""The short seeded run of the fuzz benchmark (`benchmarks/fuzz.py`): a few thousand mutated
manifests, registries, corrections, record lines, source texts, cards and dataset versions
through validate, build, diff, extract and load; none may raise a traceback, hang, or make build
write data its validate rejects. (The long run, a million inputs, is a benchmark, not a test.)"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_short_fuzz_run_finds_no_traceback_hang_or_bad_write() -> None:
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fuzz.py"), "--n", "2000", "--seed", "1515",
                        "--cli-every", "1000", "--json"], capture_output=True, text=True, timeout=900)
    res = json.loads(p.stdout)
    assert res["inputs"] == 2000
    assert (res["tracebacks"], res["hangs"], res["bad_writes"]) == (0, 0, 0), \
        json.dumps(res["first"], indent=1)[:4000]
    # every target was reached, and the checks both accepted and rejected inputs
    assert {"lines", "manifest", "registry", "corrections", "source", "diff", "cli"} <= set(res["by_target"])
    assert sum(v.get("rejected", 0) for v in res["by_target"].values()) > 0
    assert sum(v.get("accepted", 0) for v in res["by_target"].values()) > 0


def test_an_input_of_a_run_can_be_run_again_alone() -> None:
    # an input over the time limit in a long run is replayed alone to tell a hang from a busy
    # machine: the replay must draw the same target and input as the run did
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import fuzz

    res = fuzz.run(60, 7, 30.0, 0, out=open("/dev/null", "w"))
    rows = fuzz.replay(7, 0, list(range(60)), repeat=1)
    assert [r["input"] for r in rows] == list(range(60))
    again: dict[str, dict[str, int]] = {}
    for r in rows:
        again.setdefault(r["target"], {}).setdefault(r["result"], 0)
        again[r["target"]][r["result"]] += 1
    assert again == res["by_target"]
