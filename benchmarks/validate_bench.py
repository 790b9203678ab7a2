"""Benchmark `quoteprov validate` against plain `jsonschema` on N generated valid records.

    python benchmarks/validate_bench.py                 # 200,000 records, 3 repeats
    python benchmarks/validate_bench.py -n 1000000      # the issue's target size (~700 MB)

It writes a generated dataset folder (sources with quotations and footnote markers, records
built with quoteprov's own record functions, so they are valid by construction) to a cache
folder, then times:

- plain jsonschema: `json.loads` + Draft 2020-12 `iter_errors` per record, on a subsample
  (it is ~50x slower; the subsample size is printed);
- `quoteprov validate DATASET` in a subprocess, all checks, as a user runs it.

It prints records/s for both, their ratio, and the peak resident memory of the largest
validate process (ru_maxrss of the children). Medians over the repeats. The validator must
report the generated dataset valid, or the figures mean nothing and the script fails.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quoteprov.records import MarkerSpan, Record, Span, assign_ids, selector_context, sort_key  # noqa: E402
from quoteprov.schema import load_schema  # noqa: E402
from quoteprov.source import make_source  # noqa: E402
from quoteprov.store import dumps  # noqa: E402

WORDS = ("the workers party committee struggle bureaucracy revolution congress soviet power "
         "opposition manifesto freedom press speech comrades industry state capital class "
         "peasants land bread peace democracy central control trade union council group "
         "letter appeal program platform resolution decree factory labour wages").split()
NAMES = ["Miasnikov", "Lenin", "Zinoviev", "Trotsky", "Kollontai", "Shliapnikov", "Bukharin", "Kuznetsov"]
PER_PARAGRAPH = 8  # quotations per paragraph; one footnote marker closes each paragraph
PER_SOURCE = 5000  # records per source (markers are printed as (n), at most 3 digits)


def _phrase(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def make_source_text(rng: random.Random, paragraphs: int) -> tuple[str, list[list[tuple[int, int, str, int, int]]]]:
    """Source text, and per paragraph the quotations as (start, end, speaker, name_start, cue_start)."""
    lines, spans = [], []
    pos = 0
    for p in range(paragraphs):
        parts, quotes = [], []
        cur = pos
        for _ in range(PER_PARAGRAPH):
            name = rng.choice(NAMES)
            lead = f"{_phrase(rng, 3, 8)} {name} declared, \""
            body = _phrase(rng, 6, 16)
            parts.append(lead)
            s = cur + len(lead)
            quotes.append((s, s + len(body), name, cur + len(lead) - len(name) - len(" declared, \""),
                           cur + len(lead) - len("declared, \"")))
            parts.append(body + "\" ")
            cur = s + len(body) + 2
        tail = f"{_phrase(rng, 3, 6)}.({p + 1})"
        parts.append(tail)
        line = "".join(parts)
        lines.append(line)
        spans.append(quotes)
        pos += len(line) + 1
    return "\n".join(lines) + "\n", spans


def generate(folder: Path, n: int, seed: int = 1) -> None:
    """A dataset folder with n valid records."""
    rng = random.Random(seed)
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    manifest, source_rows, rows = [], [], 0
    names: set[str] = set()
    with open(folder / "data" / "quotations.jsonl", "w", encoding="utf-8", newline="\n") as out:
        k = 0
        while rows < n:
            count = min(PER_SOURCE, n - rows)
            sid = f"gen-{k:04d}"
            text, spans = make_source_text(rng, -(-count // PER_PARAGRAPH))
            (folder / "sources" / f"{sid}.txt").write_text(text, encoding="utf-8", newline="\n")
            entry = {"id": sid, "file": f"{sid}.txt", "title": f"Generated {k}", "author": "bench",
                     "year": 1920, "publication": "generated", "origin": "benchmarks/validate_bench.py",
                     "rights": "generated text, no rights"}
            manifest.append(entry)
            source = make_source(text, sid, entry)
            flat = [(p, q) for p, qs in enumerate(spans) for q in qs][:count]
            ids = assign_ids(sid, [(s, e, text[s:e]) for _, (s, e, *_rest) in flat])
            recs = []
            for rid, (p, (s, e, name, ns, cs)) in zip(ids, flat):
                pend = source.paragraphs[p][1]
                mark = text.rindex("(", 0, pend)
                marker = MarkerSpan(mark, pend, text[mark:pend], p + 1, p + 1)
                prefix, suffix = selector_context(text, s, e)
                names.add(name)
                recs.append(Record(
                    id=rid, source_id=sid, text=text[s:e], start=s, end=e, paragraph=p, kind="quotation",
                    speaker=name, footnote=p + 1, speaker_span=Span(ns, ns + len(name), name),
                    cue_span=Span(cs, cs + len("declared"), "declared"), marker=marker,
                    method={"span": "marks-paired", "kind": "cue", "speaker": "cue-subject",
                            "footnote": "marker-next"},
                    basis={"speaker": "explicit", "footnote": "explicit"},
                    confidence={"speaker": rng.random()},  # a model's probability, as records write it
                    prefix=prefix, suffix=suffix))
            recs.sort(key=sort_key)
            out.writelines(dumps(r.to_dict()) + "\n" for r in recs)
            source_rows.append({**entry, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                                "characters": len(text), "paragraphs": len(source.paragraphs), "notes": []})
            rows += count
            k += 1
    (folder / "sources" / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    with open(folder / "data" / "sources.jsonl", "w", encoding="utf-8") as f:
        f.writelines(dumps(r) + "\n" for r in source_rows)
    with open(folder / "data" / "entities.jsonl", "w", encoding="utf-8") as f:
        f.writelines(dumps({"name": nm, "aliases": [], "kind": "person", "sources": [s["id"] for s in manifest]})
                     + "\n" for nm in sorted(names))
    (folder / "registry").mkdir(exist_ok=True)
    for s in manifest:
        (folder / "registry" / f"{s['id']}.json").write_text(
            json.dumps([{"name": nm, "aliases": [], "kind": "person"} for nm in NAMES]), encoding="utf-8")


def time_jsonschema(path: Path, sample: int) -> tuple[float, float]:
    """Records/s of plain jsonschema (json.loads + Draft 2020-12 iter_errors): (wall, CPU)."""
    from jsonschema import Draft202012Validator

    v = Draft202012Validator(load_schema("quotations"))
    with open(path, encoding="utf-8") as f:
        lines = [line for _, line in zip(range(sample), f)]
    t, c = time.perf_counter(), time.process_time()
    bad = 0
    for line in lines:
        bad += any(True for _ in v.iter_errors(json.loads(line)))
    dt, dc = time.perf_counter() - t, time.process_time() - c
    if bad:
        raise SystemExit(f"jsonschema found {bad} invalid generated records")
    return len(lines) / dt, len(lines) / dc


def time_validate(folder: Path, jobs: int | None) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds of validate and its workers, peak RSS in KiB of the largest
    of those processes, summary line)."""
    cmd = [sys.executable, "-m", "quoteprov.validation", str(folder)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    out, err = proc.communicate()
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"validate failed (exit {proc.returncode}):\n{out[-3000:]}\n{err[-3000:]}")
    return dt, cpu, after.ru_maxrss, out.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=200_000, help="records (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of validate (default: %(default)s)")
    ap.add_argument("--sample", type=int, default=5000, help="records timed with plain jsonschema (default: %(default)s)")
    ap.add_argument("--jobs", type=int, default=None, help="validate --jobs (default: its own default)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "quoteprov-validate-bench",
                    help="where generated datasets are kept (default: %(default)s)")
    ap.add_argument("--fresh", action="store_true", help="regenerate the dataset")
    args = ap.parse_args()

    folder = args.cache / f"n{args.n}"
    if args.fresh and folder.exists():
        shutil.rmtree(folder)
    if not (folder / "data" / "quotations.jsonl").exists():
        t = time.perf_counter()
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        generate(tmp, args.n)
        tmp.rename(folder)
        print(f"generated {args.n:,} records in {time.perf_counter() - t:.1f} s: {folder}")
    size = (folder / "data" / "quotations.jsonl").stat().st_size
    from quoteprov import speedups

    print(f"records file: {size / 1e6:.1f} MB ({size / args.n:.0f} bytes/record), CPUs: {os.cpu_count()}, "
          f"C helpers (quoteprov/_speedups.c): {'compiled' if speedups.COMPILED else 'NOT compiled, pure Python'}")

    js, js_cpu = time_jsonschema(folder / "data" / "quotations.jsonl", args.sample)
    print(f"plain jsonschema (json.loads + Draft202012 iter_errors, first {min(args.sample, args.n):,} records): "
          f"{js:,.0f} records/s ({js_cpu:,.0f} per CPU second)")
    times, cpus, peak = [], [], 0
    for i in range(args.repeat):
        dt, cpu, peak, summary = time_validate(folder, args.jobs)
        times.append(dt)
        cpus.append(cpu)
        print(f"  run {i + 1}: {dt:.2f} s wall, {cpu:.2f} s CPU  ({summary})")
    med, med_cpu = statistics.median(times), statistics.median(cpus)
    rate = args.n / med
    print(f"quoteprov validate, all checks: median {med:.2f} s over {args.repeat} runs = {rate:,.0f} records/s "
          f"({size / med / 1e6:,.0f} MB/s)")
    print(f"  CPU: median {med_cpu:.2f} s in all its processes = {args.n / med_cpu:,.0f} records per CPU second "
          f"(on {os.cpu_count()} idle cores at best {med_cpu / (os.cpu_count() or 1):.2f} s; load now: "
          f"{os.getloadavg()[0]:.1f})")
    print(f"ratio against plain jsonschema: {rate / js:.1f}x wall, {args.n / med_cpu / js_cpu:.1f}x per CPU second")
    print(f"peak memory (largest validate process, ru_maxrss): {peak / 1024:.0f} MiB")

if __name__ == "__main__":
    main()
