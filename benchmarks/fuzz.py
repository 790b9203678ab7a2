"""Fuzz benchmark: mutated inputs to validate, build, diff, extract and load; counts what must
never happen.

Every input is a mutation (seeded, reproducible) of a real input of the project: a record line
of `dataset/data/quotations.jsonl`, the manifest, registry, corrections and card of the tiny
made-up dataset `tests/fixtures/hub/tiny`, or a source text (that dataset's text, a piece of
`tests/fixtures/russell-1920-part.txt`, or runs of quotation and footnote marks). Mutations are
byte-level (flip, insert a hostile token, delete, duplicate, truncate) or structural (parse the
JSON, change one value's type or content, drop or add a key, repeat an element).

Targets, by share of the inputs (in-process library calls unless said otherwise):

- `lines`     record lines -> validate's record checks (`validate._check_records`, the whole
               per-line and in-order path) against the project dataset's sources;
- `manifest`, `registry`, `corrections` -> `inputs.check_inputs` (build's and validate's shared
               checks) on a copy of the tiny dataset, and `validate` of the folder for a share;
- `source`    source texts -> `make_source`, `markers.find_markers`, `spans.find_spans` and
               `inputs.source_shape` (the extractor's stages before attribution); the whole
               `pipeline.extract` (spaCy) on a small share, because a spaCy parse costs ~10 ms;
- `diff`      mutated records and source text of a new version -> `diff.compare_versions` of
               the two folders, rendered as text and Markdown;
- `build`     one mutated input file -> `build_cmd.build` in-process (spaCy: a small share); a
               build that succeeds is validated at once, and any validate error counts as a
               *write of rejected data*;
- `load`      a mutated dataset card -> `hub.load` (`datasets`: a small share);
- `cli`       every `--cli-every`-th input of the file targets also runs through the real
               command (`python -m quoteprov.cli validate|build`), which must exit 0, 1 or 2
               without a traceback.

Counted: *tracebacks* (any exception other than the tool's own `QuoteprovError`), *hangs* (an
input that takes longer than `--limit` seconds, measured with an interval timer), *bad writes*
(data that validate rejects, written by a build), and the peak memory of the process
(ru_maxrss). The first traceback of each kind is printed with the input that caused it.

    python benchmarks/fuzz.py                 # 1,000,000 inputs (about two hours at 144 inputs/s)
    python benchmarks/fuzz.py --n 3000 --json # the CI run (tests/test_fuzz.py)
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from io import BytesIO
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quoteprov import validation as V  # noqa: E402
from quoteprov.errors import QuoteprovError  # noqa: E402

TINY = ROOT / "tests" / "fixtures" / "hub" / "tiny"
DATASET = ROOT / "dataset"
PROSE = ROOT / "tests" / "fixtures" / "russell-1920-part.txt"

# hostile tokens: JSON syntax, encodings, line ends, numbers, the ids' and markers' own forms
TOKENS = [b'"', b"\\", b"null", b"true", b"{", b"}", b"[", b"]", b",", b":", b"\xff", b"\xe9", b"\xc3",
          b"\r", b"\n", b"\r\n", b"\x00", b"\t", "\u00b2".encode(), "\u201c".encode(), "\u201d".encode(),
          "\ufeff".encode(), b"1e999", b"-1", b"0", b"99999999999999999999999999", b"NaN", b"Infinity",
          b"[" * 200 + b"]" * 200, b"\\u0000", b"\\ud800", b'"x":1,', b"(12)", b"[3]", b"'", b"\"\"\"",
          b":1", b":\xc2\xb2", b"a" * 1000]
VALUES: list[Any] = [None, True, False, 0, -1, 1, 2 ** 70, 1.5, "", " ", "x", "\u00b2", "nineteen", [], {},
                     [900, 800], [0, 10 ** 9], ["a"], {"a": 1}, "tiny-1921:0123456789:1", "men",
                     "Constituent Assembly", "../../etc/passwd", "/proc/self/environ", "a" * 500,
                     [[[[[[[[[[[]]]]]]]]]]], "x\r\ny", "\ud7ff", 59]


class Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang()


# ---------------------------------------------------------------------------------------------
# mutations


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        i = rng.randint(0, len(b))
        if op == 0 and b:
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif op == 1:
            b[i:i] = rng.choice(TOKENS)
        elif op == 2 and b:
            del b[i:i + rng.randint(1, 32)]
        elif op == 3 and b:
            j = rng.randint(0, len(b))
            lo, hi = min(i, j), max(i, j)
            b[hi:hi] = b[lo:min(hi, lo + 256)]
        elif op == 4:
            del b[i:]
        else:
            b[i:i] = bytes(rng.randrange(32, 127) for _ in range(rng.randint(1, 8)))
    return bytes(b)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:20]):
            out += _paths(v, prefix + (i,))
    return out


def mutate_value(value: Any, rng: random.Random, extra: list[Any] = ()) -> Any:
    """One structural change of a parsed JSON value (returned, the input is not changed)."""
    value = json.loads(json.dumps(value))
    for _ in range(rng.randint(1, 3)):
        paths = _paths(value)
        path = rng.choice(paths)
        if not path:
            if rng.random() < 0.2:
                value = rng.choice(VALUES + list(extra))
            continue
        parent = value
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        op = rng.randrange(5)
        if op == 0 and isinstance(parent, dict):
            del parent[key]
        elif op == 1 and isinstance(parent, dict):
            parent[rng.choice(["extra", "yaer", "evidence", "nested_in", "aliases", "kind", "id"])] = \
                rng.choice(VALUES + list(extra))
        elif op == 2 and isinstance(parent, list):
            parent.insert(key, json.loads(json.dumps(parent[key])))
        elif op == 3 and isinstance(parent[key], int) and not isinstance(parent[key], bool):
            parent[key] = parent[key] + rng.choice([-1, 1, -1000, 1000, 10 ** 6])
        else:
            parent[key] = rng.choice(VALUES + list(extra))
    return value


def mutate_json(data: bytes, rng: random.Random, extra: list[Any] = (), lines: bool = False) -> bytes:
    if rng.random() < 0.5:
        return mutate_bytes(data, rng)
    try:
        if lines:
            rows = [json.loads(x) for x in data.splitlines() if x.strip()]
            if rows:
                i = rng.randrange(len(rows))
                rows[i] = mutate_value(rows[i], rng, extra)
            return b"".join(json.dumps(r, ensure_ascii=rng.random() < 0.5).encode() + b"\n" for r in rows)
        return json.dumps(mutate_value(json.loads(data), rng, extra), indent=rng.choice([None, 1])).encode()
    except (ValueError, RecursionError):
        return mutate_bytes(data, rng)


def mutate_text(text: str, rng: random.Random) -> str:
    ops = rng.randint(1, 4)
    for _ in range(ops):
        i = rng.randint(0, len(text))
        op = rng.randrange(7)
        if op == 0:
            text = text[:i] + rng.choice('"\u201c\u201d\u201e\u00ab\u00bb\'\u2018\u2019') * rng.randint(1, 50) + text[i:]
        elif op == 1:
            text = text[:i] + rng.choice(["(12)", "[3]", "\u00b9\u00b2", "{4}", "59.", "\n59 Ibid.\n", "\nNOTES\n",
                                          "\r\n", "\r", "\n\n", "\u2028", "\x00", "\ufeff"]) + text[i:]
        elif op == 2:
            text = text[:i] + text[i + rng.randint(1, 40):]
        elif op == 3:
            j = rng.randint(0, len(text))
            lo, hi = min(i, j), max(i, j)
            text = text[:hi] + text[lo:min(hi, lo + 400)] + text[hi:]
        elif op == 4:
            text = text.replace("\n", " ", rng.randint(1, 5))
        elif op == 5:
            text = text[:i] + "".join(rng.choice('ab ."\u201c\u201d\'') for _ in range(rng.randint(1, 200))) + text[i:]
        else:
            text = text[:i]
    return text


# ---------------------------------------------------------------------------------------------
# targets: each takes (rng, state) and returns an outcome label; raising is a traceback


class State:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.ds = work / "tiny"
        shutil.copytree(TINY, self.ds)
        (self.ds / "corrections.jsonl").write_text("", encoding="utf-8")  # (the fixture's is redundant)
        from quoteprov.build_cmd import build

        build(self.ds)  # the card, Parquet files and datapackage, for `load` and `diff`
        self.originals = {p: p.read_bytes() for p in self.ds.rglob("*") if p.is_file()}
        self.quotations = (DATASET / "data" / "quotations.jsonl").read_bytes().splitlines(keepends=True)
        sink = V.Sink(False, None)
        self.ctx, _ = V.load_context(DATASET, sink, str)
        self.ids = [json.loads(x)["id"] for x in self.quotations]
        self.texts = [(TINY / "sources" / "tiny-1921.txt").read_text(encoding="utf-8"),
                      PROSE.read_text(encoding="utf-8")[:4000]]
        # diff: an old and a new version folder (records + sources), the new one mutated
        self.old = work / "old"
        shutil.copytree(self.ds, self.old)
        self.new = work / "new"
        self.cli_runs = 0

    def restore(self, only: Path | None = None) -> None:
        """Put the tiny dataset back as it was (a build or a mutation changed it); `only`: the
        one file a check-only target changed."""
        if only is not None:
            only.write_bytes(self.originals[only])
            return
        for p in list(self.ds.rglob("*")):
            if p.is_file() and p not in self.originals:
                p.unlink()
        for p, data in self.originals.items():
            if not p.exists() or p.read_bytes() != data:
                if p.parent.exists() and not p.parent.is_dir():
                    p.parent.unlink()
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_bytes(data)


def t_lines(rng: random.Random, st: State) -> str:
    k = rng.randint(1, 4)
    start = rng.randrange(len(st.quotations))
    lines = list(st.quotations[start:start + k])
    i = rng.randrange(len(lines))
    lines[i] = mutate_json(lines[i], rng, st.ids, lines=True)
    if rng.random() < 0.1:
        rng.shuffle(lines)
    sink = V.Sink(False, 100)
    V.check_records(BytesIO(b"".join(lines)), None, "<fuzz>", st.ctx, sink, 1, V.MAX_LINE)
    return "rejected" if sink.errors else "accepted"


FILES = {"manifest": "sources/manifest.json", "registry": "registry/tiny-1921.json",
         "corrections": "corrections.jsonl", "source": "sources/tiny-1921.txt", "card": "README.md"}


def _mutate_file(rng: random.Random, st: State, which: str) -> Path:
    path = st.ds / FILES[which]
    data = st.originals[path]
    if which == "source":
        out = mutate_text(data.decode("utf-8"), rng).encode("utf-8") if rng.random() < 0.7 else mutate_bytes(data, rng)
    elif which == "card":
        out = mutate_bytes(data, rng)
    else:
        out = mutate_json(data, rng, st.ids[:3], lines=which == "corrections")
    path.write_bytes(out)
    return path


def _inputs(rng: random.Random, st: State, which: str) -> str:
    from quoteprov.inputs import check_inputs

    path = _mutate_file(rng, st, which)
    try:
        got = check_inputs(st.ds)
        if rng.random() < 0.05:
            V.validate(st.ds)
        return "rejected" if got.errors else "accepted"
    finally:
        st.restore(path)


def t_manifest(rng: random.Random, st: State) -> str:
    return _inputs(rng, st, "manifest")


def t_registry(rng: random.Random, st: State) -> str:
    return _inputs(rng, st, "registry")


def t_corrections(rng: random.Random, st: State) -> str:
    return _inputs(rng, st, "corrections")


def t_source(rng: random.Random, st: State) -> str:
    from quoteprov.inputs import source_shape
    from quoteprov.markers import find_markers
    from quoteprov.source import make_source
    from quoteprov.spans import find_spans

    text = mutate_text(rng.choice(st.texts), rng)
    source = make_source(text, "fuzz")
    spans = find_spans(source, find_markers(source))
    for sp in spans:
        if not (0 <= sp.start <= sp.end <= len(text)):
            raise AssertionError(f"span outside the text: {sp}")
    source_shape(text)
    return "accepted"


def t_extract(rng: random.Random, st: State) -> str:
    from quoteprov.pipeline import extract
    from quoteprov.source import make_source

    text = mutate_text(rng.choice(st.texts), rng)
    for r in extract(make_source(text, "fuzz")):
        if r.text != text[r.start:r.end]:
            raise AssertionError(f"record text is not the source at its offsets: {r.id}")
    return "accepted"


def t_diff(rng: random.Random, st: State) -> str:
    from quoteprov.versions import compare_versions, format_markdown, format_text, path_version

    if st.new.exists():
        shutil.rmtree(st.new)
    shutil.copytree(st.old, st.new)
    q = st.new / "data" / "quotations.jsonl"
    if rng.random() < 0.7:
        q.write_bytes(mutate_json(q.read_bytes(), rng, st.ids, lines=True))
    else:
        s = st.new / FILES["source"]
        s.write_text(mutate_text(s.read_text(encoding="utf-8"), rng), encoding="utf-8")
    try:
        result = compare_versions(path_version(st.old), path_version(st.new))
    except QuoteprovError:
        return "rejected"
    format_text(result)
    format_markdown(result)
    return "accepted"


def t_build(rng: random.Random, st: State) -> str:
    from quoteprov.build_cmd import build

    which = rng.choice(["manifest", "registry", "corrections", "source", "source"])
    _mutate_file(rng, st, which)
    try:
        try:
            build(st.ds)
        except QuoteprovError:
            return "rejected"
        report = V.validate(st.ds)
        if report.errors:
            raise BadWrite("\n".join(p.format() for p in report.problems if p.severity == "error")[:2000])
        return "accepted"
    finally:
        st.restore()


def t_load(rng: random.Random, st: State) -> str:
    import datasets

    from quoteprov.hub import load

    datasets.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    _mutate_file(rng, st, "card")
    try:
        try:
            load(st.ds, cache_dir=st.work / "cache")
        except QuoteprovError:
            return "rejected"
        return "accepted"
    finally:
        st.restore()


class BadWrite(Exception):
    pass


def t_cli(rng: random.Random, st: State) -> str:
    which = rng.choice(["manifest", "registry", "corrections", "source"])
    _mutate_file(rng, st, which)
    try:
        command = rng.choice(["validate", "build"])
        args = [str(st.ds)] if command == "validate" else ["--dataset", str(st.ds), "-q"]
        p = subprocess.run([sys.executable, "-m", "quoteprov.cli", command, *args], capture_output=True,
                           text=True, timeout=600, cwd=st.work)
        st.cli_runs += 1
        if p.returncode not in (0, 1, 2) or "Traceback" in p.stderr:
            raise AssertionError(f"quoteprov {command} exit {p.returncode}: {p.stderr[-2000:]}")
        if command == "build" and p.returncode == 0 and V.validate(st.ds).errors:
            raise BadWrite("the command's build wrote data validate rejects")
        return "rejected" if p.returncode else "accepted"
    finally:
        st.restore()


# shares per 1,000,000: the in-process checks take most; spaCy and `datasets` a small share
TARGETS: dict[str, tuple[float, Callable[[random.Random, State], str]]] = {
    "lines": (0.55, t_lines),
    "manifest": (0.08, t_manifest),
    "registry": (0.08, t_registry),
    "corrections": (0.08, t_corrections),
    "source": (0.17, t_source),
    "diff": (0.035, t_diff),
    "extract": (0.002, t_extract),
    "build": (0.002, t_build),
    "load": (0.001, t_load),
}


def plan(seed: int, cli_every: int, wanted: set[int]) -> dict[int, tuple[str, int]]:
    """The target and the own seed of each input in `wanted`, drawn exactly as `run` draws them
    (without running anything), so that an input can be run again alone."""
    rng = random.Random(seed)
    out: dict[int, tuple[str, int]] = {}
    for i in range(max(wanted) + 1 if wanted else 0):
        name, bits = _draw(rng, i, cli_every)
        if i in wanted:
            out[i] = (name, bits)
    return out


def _draw(rng: random.Random, i: int, cli_every: int) -> tuple[str, int]:
    """Input i's target and its own seed, the one way `run` and `plan` both draw them."""
    names = list(TARGETS)
    name = rng.choices(names, [TARGETS[k][0] for k in names])[0]
    if cli_every and i % cli_every == cli_every - 1:
        name = "cli"
    return name, rng.getrandbits(64)


def replay(seed: int, cli_every: int, inputs: list[int], repeat: int = 3) -> list[dict[str, Any]]:
    """Run the given inputs of a seeded run again, each alone on a fresh copy of the tiny
    dataset, `repeat` times: their median seconds and what they gave (an input over the limit in
    a long run on a loaded machine is a hang only if it is slow alone)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="quoteprov-replay-") as tmp:
        st = State(Path(tmp))
        for i, (name, bits) in sorted(plan(seed, cli_every, set(inputs)).items()):
            fn = t_cli if name == "cli" else TARGETS[name][1]
            times, got = [], ""
            for _ in range(repeat):
                t = time.perf_counter()
                try:
                    got = fn(random.Random(bits), st)
                except Exception as exc:  # noqa: BLE001 - reported, as in a run
                    got = f"{type(exc).__name__}: {exc}"[:200]
                times.append(time.perf_counter() - t)
                st.restore()
            rows.append({"input": i, "target": name, "median_s": round(sorted(times)[len(times) // 2], 4),
                         "result": got})
    return rows


def run(n: int, seed: int, limit: float, cli_every: int, stop_at: float | None = None,
        out: Any = sys.stderr) -> dict[str, Any]:
    rng = random.Random(seed)
    names = list(TARGETS)
    hangs: list[int] = []  # every input over the limit, to replay alone (--replay)
    counts: dict[str, Counter] = {k: Counter() for k in names + ["cli"]}
    first: dict[str, str] = {}
    seconds: Counter = Counter()
    signal.signal(signal.SIGALRM, _alarm)
    t0 = time.perf_counter()
    done = 0
    # a memory file system when there is one: the file targets write an input file per input
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="quoteprov-fuzz-", dir=shm) as tmp:
        st = State(Path(tmp))
        for i in range(n):
            if stop_at is not None and time.time() >= stop_at:
                break
            name, bits = _draw(rng, i, cli_every)
            fn = t_cli if name == "cli" else TARGETS[name][1]
            sub = random.Random(bits)  # this input's own seed: reproducible alone
            signal.setitimer(signal.ITIMER_REAL, limit * (20 if name in ("build", "load", "cli", "extract") else 1))
            t = time.perf_counter()
            try:
                counts[name][fn(sub, st)] += 1
            except Hang:
                counts[name]["hang"] += 1
                first.setdefault(f"{name}: hang", f"input {i}")
                hangs.append(i)
                st.restore()
            except BadWrite as exc:
                counts[name]["bad-write"] += 1
                first.setdefault(f"{name}: bad write", f"input {i}: {exc}")
            except Exception as exc:  # noqa: BLE001 - the point: anything else is a traceback
                counts[name]["traceback"] += 1
                key = f"{name}: {type(exc).__name__}"
                if key not in first:
                    first[key] = f"input {i}:\n{traceback.format_exc()}"
                    print(f"traceback in {name} (input {i}, seed {seed}):\n{traceback.format_exc()}", file=out)
                st.restore()
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                seconds[name] += time.perf_counter() - t
            done += 1
            if done % 50000 == 0:
                print(f"{done:,} inputs, {time.perf_counter() - t0:,.0f} s", file=out, flush=True)
    total = Counter()
    for c in counts.values():
        total.update(c)
    return {"inputs": done, "seconds": round(time.perf_counter() - t0, 1), "seed": seed,
            "tracebacks": total["traceback"], "hangs": total["hang"], "bad_writes": total["bad-write"],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "by_target": {k: dict(v) for k, v in counts.items() if v}, "hang_inputs": hangs[:1000],
            "seconds_by_target": {k: round(v, 1) for k, v in seconds.items()}, "first": first}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="inputs (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--limit", type=float, default=2.0,
                    help="seconds an input may take before it counts as a hang (x20 for build, load, "
                         "extract and the command line, which load spaCy or datasets; default: %(default)s)")
    ap.add_argument("--cli-every", type=int, default=20000, help="every N-th input also runs the real command")
    ap.add_argument("--until", help="stop at this wall-clock time (HH:MM, local), whatever --n says")
    ap.add_argument("--json", action="store_true", help="print the counts as one JSON object")
    ap.add_argument("--replay", help="comma-separated input numbers of a run (its --seed and --cli-every): "
                                     "run each alone three times and print its median time and result")
    args = ap.parse_args(argv)
    if args.replay:
        rows = replay(args.seed, args.cli_every, [int(x) for x in args.replay.split(",") if x.strip()])
        for row in rows:
            print(json.dumps(row) if args.json else
                  f"input {row['input']:>9,} {row['target']:12} {row['median_s']:8.4f} s  {row['result']}")
        return 1 if any(r["median_s"] > args.limit * (20 if r["target"] in ("build", "load", "cli", "extract") else 1)
                        for r in rows) else 0
    stop_at = None
    if args.until:
        h, m = map(int, args.until.split(":"))
        now = time.localtime()
        stop_at = time.mktime((now.tm_year, now.tm_mon, now.tm_mday, h, m, 0, 0, 0, -1))
    res = run(args.n, args.seed, args.limit, args.cli_every, stop_at)
    if args.json:
        print(json.dumps(res, indent=1))
    else:
        print(f"{res['inputs']:,} inputs in {res['seconds']:,} s (seed {res['seed']}): "
              f"{res['tracebacks']} tracebacks, {res['hangs']} hangs, {res['bad_writes']} writes of data validate "
              f"rejects; peak memory {res['peak_rss_mb']} MB")
        for k, v in res["by_target"].items():
            print(f"  {k:12} " + ", ".join(f"{a} {b:,}" for a, b in sorted(v.items()))
                  + f" ({res['seconds_by_target'].get(k, 0):,} s)")
        for k, v in res["first"].items():
            print(f"first {k}: {v.splitlines()[0]}")
    return 1 if res["tracebacks"] or res["hangs"] or res["bad_writes"] else 0


if __name__ == "__main__":
    sys.exit(main())
