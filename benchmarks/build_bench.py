"""Build throughput: `--jobs 1`, `--jobs 2`, `--engine ray` (local) and an incremental rebuild.

Makes a temporary dataset of SOURCES sources (default 50) totalling about MB megabytes
(default 50) by repeating the real texts at hand (the seed, the dataset's sources, the
Russell development text) under new ids, then times, each in a fresh process:

1. `build --jobs 1 --no-cache`
2. `build --jobs 2` from an empty cache (a build from scratch that fills the cache)
3. `build --engine ray --jobs 2 --no-cache` (a local Ray; its start-up is included)
4. one source changed, then the incremental rebuild, against the full build of 2

and prints MB/s, wall time, the peak memory of the parent (the build process) and of the
largest worker, and whether every build wrote the same bytes. Targets (issue 12): jobs 2 <=
0.6 x jobs 1; incremental <= 5% of full on 50 sources; parent peak <= 500 MB.

    python benchmarks/build_bench.py [--mb 50] [--sources 50] [--skip-ray]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVTEXT = ROOT.parent / "shared" / "devtexts" / "russell-1920-bolshevism.txt"
FILES = ("data/quotations.jsonl", "data/sources.jsonl", "data/entities.jsonl", "data/quotations.parquet",
         "README.md", "datapackage.json")

# run in a child: one build, then its own peak RSS and its children's (the workers')
CHILD = r"""
import json, resource, sys, time
from quoteprov.build_cmd import build
args = json.loads(sys.argv[1])
t = time.perf_counter()
s = build(args["dataset"], jobs=args["jobs"], engine=args["engine"], cache=args["cache"])
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "records": s.records,
                  "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def texts() -> list[str]:
    out = []
    manifest = json.loads((ROOT / "dataset" / "sources" / "manifest.json").read_text(encoding="utf-8"))
    for e in manifest:
        out.append((ROOT / "dataset" / "sources" / e["file"]).read_text(encoding="utf-8"))
    if DEVTEXT.exists():
        out.append(DEVTEXT.read_text(encoding="utf-8"))
    return out


def make_corpus(folder: Path, mb: float, n: int) -> float:
    """n sources of about mb/n MB each, cut from the texts repeated; returns the total MB."""
    pool = "\n".join(t.rstrip("\n") for t in texts()) + "\n"
    per = int(mb * 1e6 / n)
    (folder / "sources").mkdir(parents=True)
    (folder / "registry").mkdir()
    entries, total = [], 0
    for i in range(n):
        body = pool * (per // len(pool) + 1)
        # start each source at a different line, so that the sources differ
        lines = body.split("\n")
        k = (i * 997) % max(1, len(pool.split("\n")))
        text = "\n".join(lines[k:] + lines[:k])
        text = text[:text.rfind("\n", 0, per) + 1] or text
        sid = f"bench-{i:03d}"
        (folder / "sources" / f"{sid}.txt").write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
        entries.append({"id": sid, "file": f"{sid}.txt", "title": f"benchmark source {i}", "author": "various",
                        "year": 1920, "publication": "benchmark", "origin": "repeated development texts",
                        "rights": "benchmark only"})
    (folder / "sources" / "manifest.json").write_text(json.dumps(entries, indent=1), encoding="utf-8")
    return total / 1e6


def run(dataset: Path, jobs: int, engine: str = "local", cache: bool = False) -> dict:
    arg = json.dumps({"dataset": str(dataset), "jobs": jobs, "engine": engine, "cache": cache})
    proc = subprocess.run([sys.executable, "-c", CHILD, arg], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        sys.exit(f"build failed ({engine}, jobs {jobs}):\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["digest"] = hashlib.sha256(b"".join((dataset / f).read_bytes() for f in FILES)).hexdigest()[:16]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=50.0, help="corpus size in MB (default 50)")
    ap.add_argument("--sources", type=int, default=50, help="number of sources (default 50)")
    ap.add_argument("--skip-ray", action="store_true", help="leave out the Ray run")
    ap.add_argument("--incremental-only", action="store_true",
                    help="only the full build filling the cache and the incremental rebuild")
    ap.add_argument("--skip-scratch", action="store_true",
                    help="leave out the scratch build that checks the incremental output (tests/test_build_engines.py "
                         "checks incremental = scratch on a small corpus)")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="build-bench-"))
    try:
        ds = tmp / "dataset"
        size = make_corpus(ds, a.mb, a.sources)
        print(f"corpus: {a.sources} sources, {size:.1f} MB; CPUs available: {len(os.sched_getaffinity(0))}; "
              f"load average at start: {os.getloadavg()[0]:.1f}")
        rows = []
        runs = [("--jobs 1", 1, "local"), ("--jobs 2", 2, "local")] + (
            [] if a.skip_ray else [("--engine ray (local, 2 CPUs)", 2, "ray")])
        full = None
        for label, jobs, engine in [] if a.incremental_only else runs:
            # the --jobs 2 build starts from an empty cache and fills it: a build from scratch that
            # is also the full build the incremental one is measured against (the same work once, not twice)
            fills = jobs == 2 and engine == "local"
            r = run(ds, jobs, engine, cache=fills)
            if fills:
                full, label = r, label + " (fills the cache)"
            rows.append((label, r))
            print(f"{label:32} {r['wall']:7.1f} s  {size / r['wall']:7.4f} MB/s  parent peak {r['parent_mb']:6.0f} MB  "
                  f"largest worker {r['worker_mb']:6.0f} MB  records {r['records']}  output {r['digest']}", flush=True)
        full = full or run(ds, 2, cache=True)  # fills the cache
        changed = ds / "sources" / "bench-000.txt"
        changed.write_text(changed.read_text(encoding="utf-8") + 'He said: "one more paragraph."\n', encoding="utf-8")
        inc = run(ds, 2, cache=True)
        print(f"{'full build filling the cache':32} {full['wall']:7.1f} s  parent peak {full['parent_mb']:6.0f} MB")
        print(f"{'incremental, 1 source changed':32} {inc['wall']:7.1f} s  = {100 * inc['wall'] / full['wall']:.1f}% "
              f"of the full build (target <= 5%)")
        if not a.skip_scratch:
            scratch = run(ds, 2)
            print(f"incremental output = scratch build of the changed corpus: {inc['digest'] == scratch['digest']}")
        digests = {r["digest"] for _, r in rows} | {full["digest"]}
        print(f"every build of the unchanged corpus wrote the same bytes: {len(digests) == 1}")
        if not rows:
            return
        j1 = rows[0][1]["wall"]
        j2 = rows[1][1]["wall"]
        print(f"jobs 2 / jobs 1 = {j2 / j1:.2f} (target <= 0.60); parent peak max "
              f"{max(r['parent_mb'] for _, r in rows):.0f} MB (target <= 500); "
              f"load average at end: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
