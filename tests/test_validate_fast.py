"""The validator's speed machinery changes no result: the fast lane (msgspec Structs and one
predicate, `validate.clean`), its C twins (`quoteprov/_speedups.c`), the rewritten text helpers,
and the parallel chunks of whole sources. Each is checked against the plain way of doing the
same thing, on mutated records and on files cut into many small chunks."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quoteprov import speedups
from quoteprov.records import assign_ids, normalize_words, sort_key
from quoteprov.source import make_source, split_paragraphs
from quoteprov.store import dumps, write_jsonl
from quoteprov.validation import lines as L
from quoteprov.validation import parallel as P
from test_validate import FIXTURES, JSON_VALUES, SID, V, _paths, _records, lines_of, make_dataset, rewrite

# --------------------------------------------------------------------------------------------
# text helpers: the same results as the regexes they replaced

WS = st.text(alphabet=st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x1f\u00a0\u2028\u3000\"'.,;:!?()[]-aB\u00e9\u201c")),
             max_size=30)


@given(WS)
def test_normalize_words_is_the_regex_rule(text: str) -> None:
    import unicodedata

    from quoteprov.records import _QUOTES

    t = text if text.isascii() else unicodedata.normalize("NFC", text).translate(_QUOTES)
    assert normalize_words(text) == re.sub(r"\s+", " ", t.lower()).strip(" \"'.,;:!?()[]-")


@given(st.text(alphabet=st.sampled_from(list("ab \n\r\u2028\x0b")), max_size=20))
def test_split_paragraphs_is_the_regex_rule(text: str) -> None:
    spans = []
    for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        if m.start() == len(text) and m.start() > 0:
            break
        spans.append((m.start(), m.start() + len(m.group().rstrip("\r\n"))))
        if m.end() == len(text):
            break
    assert split_paragraphs(text) == (tuple(spans) or ((0, 0),))


@given(st.binary(max_size=40) | st.lists(st.sampled_from([b'"', b"\\", b"a", b"\\\\", b'\\"']), max_size=20).map(b"".join))
def test_delimiters_c_and_python_agree(data: bytes) -> None:
    assert speedups.delimiters(data) == speedups.py_delimiters(data)
    # the definition: quotes that the JSON lexer would see as string delimiters
    assert speedups.py_delimiters(data) == len(re.findall(rb'"', re.sub(rb"\\.", b"", data, flags=re.S)))


def test_the_c_helpers_are_compiled_in_ci() -> None:
    """The C twins are built by `pip install -e .` (setup.py), optionally: a machine without a
    C compiler gets the Python twins. In CI, where there is one, a build that failed quietly
    would leave the tests above comparing Python with itself, so it fails here instead."""
    if not os.environ.get("CI") and not speedups.COMPILED:
        pytest.skip("no compiled C helpers here (no C compiler when quoteprov was installed?)")
    assert speedups.COMPILED and speedups.c_clean is not None and speedups.tree_raw is not None


# --------------------------------------------------------------------------------------------
# the fast lane finds exactly what the dict path finds


def _mutate(data: st.DataObject, rec: dict) -> bytes:
    """A record line with one change a contributor might make (or one the fast lane must catch)."""
    how = data.draw(st.sampled_from(["shift", "replace", "null", "duplicate", "escape", "none"]))
    path = data.draw(st.sampled_from(list(_paths(rec))[1:]))
    *parent_path, last = path
    parent = rec
    for p in parent_path:
        parent = parent[p]
    if how == "shift" and isinstance(parent[last], int) and not isinstance(parent[last], bool):
        parent[last] += data.draw(st.sampled_from([-1, 1, -32, 32]))
    elif how == "replace":
        parent[last] = data.draw(JSON_VALUES | st.sampled_from(["Lenin", "Zinoviev", "Ghost", 'say "no"', "a\\b"]))
    elif how == "null":
        parent[last] = None
    elif how == "escape" and isinstance(parent[last], str):
        parent[last] += data.draw(st.sampled_from(['"', "\\", '\\"', "\n", "\u00e9"]))
    line = dumps(rec)
    if how == "duplicate":
        keys = list(re.finditer(r'"(\w+)": ', line))
        m = data.draw(st.sampled_from(keys))
        value = json.dumps(data.draw(JSON_VALUES))
        line = line[:m.start()] + f'"{m.group(1)}": {value}, ' + line[m.start():]
    return line.encode("utf-8")


def _context(folder: Path):
    sink = V.Sink(False, None)
    return V.load_context(folder, sink, str)[0]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory):
    return _context(make_dataset(tmp_path_factory.mktemp("fast") / "ds"))


def _slow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(L, "struct_decoder", lambda name: None)  # where check_lines looks it up


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fast_lane_reports_what_the_dict_path_reports(data: st.DataObject, ctx, monkeypatch) -> None:
    text = (FIXTURES / "sources" / "tiny.txt").read_text(encoding="utf-8")
    rec = data.draw(st.sampled_from(_records(text))).to_dict()
    line = _mutate(data, rec)
    fast = V.check_lines([[line]], ctx, True)
    with monkeypatch.context() as m:
        _slow(m)
        slow = V.check_lines([[line]], ctx, True)
    assert (fast.problems, fast.seq, fast.records) == (slow.problems, slow.seq, slow.records)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_clean_in_c_and_python_agree(data: st.DataObject, ctx) -> None:
    if speedups.c_clean is None:
        pytest.skip("the C helpers are not compiled")
    text = (FIXTURES / "sources" / "tiny.txt").read_text(encoding="utf-8")
    rec = data.draw(st.sampled_from(_records(text))).to_dict()
    line = _mutate(data, rec)
    try:
        struct = V.struct_decoder("quotations")(line)
    except V.STRUCT_ERRORS:
        return
    lane = V.lane(ctx, struct.source_id)
    if lane is None:
        return
    got = speedups.c_clean(struct, line, lane.flat())
    assert got is None or got == V.clean(struct, line, lane)
    if got is not None:
        assert got is True or got is False


def test_the_fast_lane_clears_every_valid_record(ctx) -> None:
    text = (FIXTURES / "sources" / "tiny.txt").read_text(encoding="utf-8")
    decode = V.struct_decoder("quotations")
    for r in _records(text):
        line = dumps(r.to_dict()).encode("utf-8")
        rec = decode(line)
        expected = not r.corrections  # a corrected record always takes the dict path
        assert V.clean(rec, line, V.lane(ctx, SID)) is expected
        assert V.quotes_expected(rec) == speedups.delimiters(line) or r.corrections


def test_the_fast_lane_refuses_a_confidence_without_its_value(ctx) -> None:
    """Both twins of `clean` send such a line to the dict path (which reports `confidence`), and
    clear the same line once the value is there; a whole probability written `1.0` is clean."""
    text = (FIXTURES / "sources" / "tiny.txt").read_text(encoding="utf-8")
    decode = V.struct_decoder("quotations")
    lane = V.lane(ctx, SID)
    tried = 0
    for r in _records(text):
        if r.corrections:
            continue
        d = r.to_dict()
        for role in ("speaker", "recipient"):
            for p, expected in ((1.0, d[role] is not None), (0.25, d[role] is not None)):
                bad = {**d, "confidence": {**d["confidence"], role: p}}
                line = dumps(bad).encode("utf-8")
                rec = decode(line)
                assert V.clean(rec, line, lane) is expected
                if speedups.c_clean is not None:
                    assert speedups.c_clean(rec, line, lane.flat()) is expected
                tried += not expected
    assert tried >= 4  # records without a speaker and without a recipient were among them


# --------------------------------------------------------------------------------------------
# parallel chunks of whole sources: the same report as one pass


def make_multi(dest: Path, names: list[str]) -> Path:
    """A valid dataset with the tiny source under several ids."""
    make_dataset(dest)
    manifest = json.loads((dest / "sources" / "manifest.json").read_text(encoding="utf-8"))
    registry = (dest / "registry" / "tiny.json").read_text(encoding="utf-8")
    rows = lines_of(dest / "data" / "quotations.jsonl")
    source_rows = lines_of(dest / "data" / "sources.jsonl")
    entities = lines_of(dest / "data" / "entities.jsonl")
    out = list(rows)
    for name in names:
        shutil.copy(dest / "sources" / "tiny.txt", dest / "sources" / f"{name}.txt")
        manifest.append({**manifest[0], "id": name, "file": f"{name}.txt"})
        (dest / "registry" / f"{name}.json").write_text(registry, encoding="utf-8")
        source_rows.append({**source_rows[0], "id": name, "file": f"{name}.txt"})
        ids = assign_ids(name, [(r["start"], r["end"], r["text"]) for r in rows])
        old_to_new = {r["id"]: i for r, i in zip(rows, ids)}
        for r, rid in zip(rows, ids):
            if r["corrections"]:
                continue  # corrections.jsonl names the tiny record only
            out.append({**r, "id": rid, "source_id": name,
                        "nested_in": old_to_new.get(r["nested_in"]) if r["nested_in"] else None})
    for e in entities:
        e["sources"] = sorted({SID, *names})
    (dest / "sources" / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    write_jsonl(dest / "data" / "sources.jsonl", source_rows)
    write_jsonl(dest / "data" / "entities.jsonl", entities)
    rewrite(dest / "data" / "quotations.jsonl", sorted(out, key=sort_key))
    return dest


NAMES = [f"t{i:02d}" for i in range(30)]


@pytest.fixture
def multi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_multi(tmp_path / "ds", NAMES)


def _both(monkeypatch: pytest.MonkeyPatch, folder: Path):
    """(one pass, parallel in chunks of about 2 kB, whether the parallel run kept its chunks)."""
    one = V.validate(folder, jobs=1)
    kept = []
    real = P.check_parallel

    def spy(*a, **k):
        got = real(*a, **k)
        kept.append(got is not None)
        return got

    with monkeypatch.context() as m:
        m.setattr(P, "CHUNK", 2048)
        m.setattr(P, "PARALLEL_MIN", 0)
        m.setattr(P, "check_parallel", spy)
        two = V.validate(folder, jobs=2)
    return one, two, kept == [True]


def _same(one, two) -> None:
    assert [p.format() for p in one.problems] == [p.format() for p in two.problems]
    assert (one.errors, one.warnings, one.records) == (two.errors, two.warnings, two.records)


def test_parallel_chunks_of_whole_sources_are_valid(multi: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, two, kept = _both(monkeypatch, multi)
    assert one.ok and two.ok and kept and two.records == 6 + 5 * len(NAMES)


def test_parallel_problems_inside_sources(multi: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    q = multi / "data" / "quotations.jsonl"
    rows = lines_of(q)
    rows[10]["footnote"] = "x"  # schema
    rows[20]["text"] = "nonsense"  # provenance and the id rule
    rows[31]["id"] = rows[30]["id"]  # a duplicate id
    rows[40], rows[41] = rows[41], rows[40]  # order, inside a source
    rows[50]["nested_in"] = "t05:0000000000:1"  # no such record
    rows[60]["speaker"] = "Nobody"  # unknown name
    rewrite(q, rows)
    one, two, kept = _both(monkeypatch, multi)
    assert kept and one.errors >= 6
    _same(one, two)


def test_parallel_odd_ids_are_unique_file_wide(multi: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    q = multi / "data" / "quotations.jsonl"
    rows = lines_of(q)
    rows[7]["id"] = rows[100]["id"] = "odd:0123456789:1"  # the same rule-breaking id in two sources
    rewrite(q, rows)
    one, two, _ = _both(monkeypatch, multi)
    assert any("[duplicate-id]" in p.format() for p in one.problems)
    _same(one, two)


def test_a_source_split_between_chunks_falls_back_to_one_pass(multi: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    q = multi / "data" / "quotations.jsonl"
    rows = lines_of(q)
    rewrite(q, rows[:12] + rows[100:] + rows[12:100])  # t01 ... comes back far later
    one, two, kept = _both(monkeypatch, multi)
    assert not kept and one.errors
    _same(one, two)


def test_one_long_source_is_one_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No change of source to cut at: the whole file is one worker's chunk, still right."""
    monkeypatch.chdir(tmp_path)
    ds = make_dataset(tmp_path / "ds")
    q = ds / "data" / "quotations.jsonl"
    rows = lines_of(q)
    rewrite(q, rows * 30)  # one source, out of order 29 times
    one, two, kept = _both(monkeypatch, ds)
    assert kept and one.errors > 29
    _same(one, two)


@given(WS)
def test_ascii_words_c_is_normalize_words(text: str) -> None:
    got = speedups.ascii_words(text)
    if text.isascii() and speedups.COMPILED:
        assert got == normalize_words(text).encode("utf-8")
    else:
        assert got is None


def test_clean_compares_text_of_every_width() -> None:
    """The C twin compares source spans in place, across CPython's 1-, 2- and 4-byte string
    kinds: a record is clean only when every character matches."""
    from quoteprov.pipeline import extract

    text = ("Zoë wrote to Ilyich: “naïve words from the café.”(1) Then he said “a 😀 of 𝔉raktur.”(2)\n"
            "Notes\n(1) A note.\n(2) Another.\n")
    source = make_source(text, "wide")
    source, starts, markers, mstarts = V.source_info(source)
    lane = V.Lane(source.text, starts, source.paragraphs, markers, mstarts, None)
    decode = V.struct_decoder("quotations")
    records = extract(source)
    assert len(records) == 2
    for r in records:
        d = r.to_dict()
        line = dumps(d).encode("utf-8")
        assert V.clean(decode(line), line, lane) is True
        if speedups.c_clean is not None:
            assert speedups.c_clean(decode(line), line, lane.flat()) is True
        for i, ch in enumerate(d["text"]):
            if ord(ch) > 127:  # one wide character replaced by another of the same length
                bad = {**d, "text": d["text"][:i] + "x" + d["text"][i + 1:]}
                bad["selectors"] = {**d["selectors"], "quote": {**d["selectors"]["quote"], "exact": bad["text"]}}
                line = dumps(bad).encode("utf-8")
                assert V.clean(decode(line), line, lane) is False
                if speedups.c_clean is not None:
                    assert speedups.c_clean(decode(line), line, lane.flat()) is False


LINE_PARTS = st.sampled_from([
    b'{"source_id": "tiny"}', b'{"source_id": "t01", "id": 1}', b'"source_id": "t02"', b"garbage", b"",
    b"\xff\xfe", b"{", b"[1, 2]", b'{"source_id": "tiny"', b"\r", b" "])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.lists(st.lists(LINE_PARTS, max_size=3).map(b"".join), max_size=12), where=st.integers(0, 200))
def test_parallel_garbage_gives_the_one_pass_report(multi: Path, monkeypatch: pytest.MonkeyPatch,
                                                      extra: list[bytes], where: int) -> None:
    """Lines that are not records, anywhere among valid ones (seams included): the parallel
    report is still the one-pass report."""
    q = multi / "data" / "quotations.jsonl"
    original = q.read_bytes()  # the fixture lives across examples: put the file back after each
    rows = original.splitlines()
    at = min(where, len(rows))
    try:
        q.write_bytes(b"\n".join(rows[:at] + extra + rows[at:]) + b"\n")
        one, two, _ = _both(monkeypatch, multi)
        _same(one, two)
    finally:
        q.write_bytes(original)


def test_c_clean_is_unsure_rather_than_wrong_on_odd_input(ctx) -> None:
    """Anything it does not expect makes the C twin answer None (ask the Python predicate),
    never raise or read out of bounds."""
    if speedups.c_clean is None:
        pytest.skip("the C helpers are not compiled")
    text = (FIXTURES / "sources" / "tiny.txt").read_text(encoding="utf-8")
    line = dumps(_records(text)[0].to_dict()).encode("utf-8")
    rec = V.struct_decoder("quotations")(line)
    flat = V.lane(ctx, SID).flat()
    assert speedups.c_clean(rec, line, flat) is True
    for i, odd in [(7, ["Lenin"]), (8, -1), (0, b"bytes"), (1, ()), (2, [1]), (3, ["x"])]:
        assert speedups.c_clean(rec, line, flat[:i] + (odd,) + flat[i + 1:]) is None
    assert speedups.c_clean(json.loads(line), line, flat) is None  # a dict, not a Struct
    assert speedups.c_clean(rec, "not bytes", flat) is None


def test_a_worker_that_dies_gives_the_one_pass_report(multi: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-check (out of memory, a signal) never leaves validation waiting: the
    file is checked in one pass and the report is the same."""
    from concurrent.futures.process import BrokenProcessPool

    class Dying(P.ProcessPoolExecutor):
        def map(self, *a, **k):
            raise BrokenProcessPool("a worker died")

    monkeypatch.setattr(P, "ProcessPoolExecutor", Dying)
    one, two, kept = _both(monkeypatch, multi)
    assert not kept
    _same(one, two)
