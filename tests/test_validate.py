"""Tests for `quoteprov validate`: one broken file per kind of problem, with the exact message.

The dataset under test is built here from a tiny made-up source (tests/fixtures/validate/) with
quoteprov's own record functions, so it does not depend on what the extractor finds; each test
breaks one thing and checks the line the validator prints for it.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import importlib

import quoteprov
from quoteprov.markers import find_markers, footnote_after
from quoteprov.records import Record, Span, assign_ids, selector_context, sort_key
from quoteprov.source import make_source
from quoteprov.store import dumps, write_jsonl
from quoteprov.validation.lane import may_hide_duplicates
from quoteprov.validation.messages import Rejected

V = importlib.import_module("quoteprov.validation")  # the package (its function `validate` is quoteprov.validate)
P = importlib.import_module("quoteprov.validation.parallel")
FIXTURES = Path(__file__).parent / "fixtures" / "validate"
SID = "tiny"
Q = "ds/data/quotations.jsonl"


# --------------------------------------------------------------------------------------------
# the dataset under test


def _records(text: str) -> list[Record]:
    """Six records over the tiny source: quotations with speaker, cue, recipient and footnote
    evidence, a term, a nested quotation, and a corrected kind."""
    source = make_source(text, SID)
    markers = find_markers(source)

    def at(words: str, occurrence: int = 1) -> tuple[int, int]:
        i = -1
        for _ in range(occurrence):
            i = text.index(words, i + 1)
        return i, i + len(words)

    def span(words: str) -> Span:
        s, e = at(words)
        return Span(s, e, words)

    spec = [
        ("the workers' opposition is a deviation", "quotation", "Lenin", "Zinoviev",
         span("Lenin"), span("wrote to"), span("Zinoviev")),
        ("syndicalist.", "term", None, None, None, None, None),
        ("We demand freedom of the press,", "quotation", "Workers' Group manifesto", None,
         span("the manifesto"), span("declared"), None),
        ("from monarchists to anarchists 'inclusive' of all.", "quotation", "Workers' Group manifesto", None,
         span("the manifesto"), span("declared"), None),
        ("inclusive", "term", None, None, None, None, None),
        ("term", "term", None, None, None, None, None),
    ]
    spans = [(*at(words), words) for words, *_ in spec]
    ids = assign_ids(SID, spans)
    out = []
    for rid, (s, e, words), (_, kind, speaker, recipient, sp, cue, rp) in zip(ids, spans, spec):
        par = source.paragraph_of(s)
        m = footnote_after(markers, e, source.paragraphs[par][1])
        prefix, suffix = selector_context(text, s, e)
        out.append(Record(
            id=rid, source_id=SID, text=words, start=s, end=e, paragraph=par, kind=kind,
            speaker=speaker, recipient=recipient, footnote=m.number if m else None,
            speaker_span=sp, cue_span=cue, recipient_span=rp, marker=m,
            method={"span": "marks-paired", "kind": "test", "speaker": "test" if speaker else None,
                    "recipient": "test" if recipient else None, "footnote": "marker-next" if m else None},
            basis={"speaker": "explicit" if speaker else None, "recipient": "explicit" if recipient else None,
                   "footnote": "explicit" if m else None},
            # a high and a low confidence, so that mutations meet both (null where no value)
            confidence={"speaker": 0.9 if speaker else None, "recipient": 0.42 if recipient else None},
            prefix=prefix, suffix=suffix))
    outer = next(r for r in out if r.text.startswith("from monarchists"))
    out = [r.with_(nested_in=outer.id) if r.text == "inclusive" else r for r in out]
    # a reviewed correction: "term" is the title of a work
    from quoteprov.records import Correction
    out = [r.with_(kind="title", corrections=(Correction("kind", "term", "it names a song"),))
           if r.text == "term" else r for r in out]
    return sorted(out, key=sort_key)


def make_dataset(dest: Path) -> Path:
    """A valid dataset folder at `dest`."""
    shutil.copytree(FIXTURES, dest)
    text = (dest / "sources" / "tiny.txt").read_text(encoding="utf-8")
    records = _records(text)
    write_jsonl(dest / "data" / "quotations.jsonl", [r.to_dict() for r in records])
    source = make_source(text, SID)
    manifest = json.loads((dest / "sources" / "manifest.json").read_text(encoding="utf-8"))[0]
    write_jsonl(dest / "data" / "sources.jsonl", [{
        **manifest, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "characters": len(text),
        "paragraphs": len(source.paragraphs), "notes": []}])
    registry = json.loads((dest / "registry" / "tiny.json").read_text(encoding="utf-8"))
    write_jsonl(dest / "data" / "entities.jsonl", [
        {"name": e["name"], "aliases": e["aliases"], "kind": e["kind"], "sources": [SID]} for e in registry])
    corrected = next(r for r in records if r.text == "term")
    (dest / "corrections.jsonl").write_text(json.dumps(
        {"id": corrected.id, "field": "kind", "value": "title", "reason": "it names a song"}) + "\n",
        encoding="utf-8")
    return dest


@pytest.fixture
def ds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_dataset(tmp_path / "ds")


def lines_of(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def rewrite(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(dumps(r) + "\n" for r in rows), encoding="utf-8")


def edit(ds: Path, index: int, change) -> None:
    """Apply `change(record)` to record `index` of the dataset's quotations."""
    rows = lines_of(ds / "data" / "quotations.jsonl")
    change(rows[index])
    rewrite(ds / "data" / "quotations.jsonl", rows)


def by_text(ds: Path, words: str) -> int:
    return next(i for i, r in enumerate(lines_of(ds / "data" / "quotations.jsonl")) if r["text"] == words)


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str]:
    """The validate command (through its own parser, so other commands' state cannot matter)."""
    out = io.StringIO()
    p = argparse.ArgumentParser(prog="quoteprov")
    from quoteprov.cli import add_validate_parser

    add_validate_parser(p.add_subparsers(dest="command"))
    ns = p.parse_args(["validate", *args])
    import contextlib
    import sys
    old_stdin = sys.stdin
    try:
        if stdin is not None:
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
        with contextlib.redirect_stdout(out):
            status = ns.func(ns)
    finally:
        sys.stdin = old_stdin
    return status, out.getvalue()


def problems(target: str | Path = "ds", **kw) -> list[str]:
    return [p.format() for p in V.validate(target, **kw).problems]


# --------------------------------------------------------------------------------------------
# valid data


def test_made_up_dataset_is_valid(ds: Path) -> None:
    report = V.validate(ds)
    assert [p.format() for p in report.problems] == []
    assert report.ok and report.exit_status == 0
    assert report.records == 6
    status, out = run("ds")
    assert status == 0
    assert out == "valid: 0 errors, 0 warnings in 6 files (6 records checked)\n"


def test_the_project_dataset_validates_clean() -> None:
    DEFAULT_DATASET = Path(__file__).resolve().parent.parent / "dataset"

    report = quoteprov.validate(DEFAULT_DATASET)
    errors = [p.format() for p in report.problems if p.severity == "error"]
    assert errors == []
    assert report.records > 0


def test_api_name_is_the_command_name(ds: Path) -> None:
    # `quoteprov.validate` is a plain function, also after the validation package is imported
    assert callable(quoteprov.validate) and quoteprov.validate is V.validate
    assert quoteprov.validate(ds).ok
    from quoteprov import validate

    assert validate("ds").records == 6


# --------------------------------------------------------------------------------------------
# each line is one JSON object


@pytest.mark.parametrize("line, expected", [
    (b'{"id": "x", ', '1:13: error [json-syntax] invalid JSON: Expecting property name enclosed in double quotes'),
    (b'{"a": "caf\xc3"}', "1:11: error [invalid-utf8] invalid UTF-8: byte 0xc3 (invalid continuation byte); "
                          "save the file as UTF-8"),
    (b'\xef\xbb\xbf{}', "1:1: error [bom] the file starts with a byte-order mark; save it as UTF-8 without BOM"),
    (b'{"footnote": NaN}', "1:14: error [nan] NaN is not JSON; use null or a number"),
    (b'{"footnote": Infinity}', "1:14: error [nan] Infinity is not JSON; use null or a number"),
    (b'{"start": 123456789012345678901234567890}',
     "1:11: error [number-too-large] number 123456789012345678901234567890 is too large (more than 64 bits)"),
    (b'{"start": 1e999}', "1:11: error [number-too-large] number 1e999 is too large"),
    (b'{"start": 12.0}', "1:11: error [number-format] number 12.0 must be written as an integer (12)"),
    (b'[' * 100000 + b']' * 100000, "1:1: error [too-deep] JSON nested too deeply"),
    (b'{"text": "\\ud800"}', "1:11: error [invalid-escape] \\ud800 is half of a surrogate pair, not a character; "
                               "write the character itself"),
    (b'[1, 2]', "1:1: error [not-object] expected a JSON object (one record per line), got a list"),
    (b'"text"', "1:1: error [not-object] expected a JSON object (one record per line), got a string"),
])
def test_json_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: bytes, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("q.jsonl").write_bytes(line + b"\n")
    got = problems("q.jsonl")
    assert got[0] == "q.jsonl:1:1: warning [no-sources] no dataset sources found beside this file; provenance " \
                     "not checked (give --dataset FOLDER)"
    assert got[1] == f"q.jsonl:{expected}"


def test_blank_line_crlf_and_duplicate_key(ds: Path) -> None:
    path = ds / "data" / "quotations.jsonl"
    raw = path.read_bytes().split(b"\n")
    raw[0] = raw[0].replace(b'"kind": "quotation"', b'"kind": "quotation", "kind": "term"', 1)
    raw[1] = raw[1] + b"\r"
    raw.insert(2, b"")
    path.write_bytes(b"\n".join(raw))
    got = problems()
    assert got == [
        f'{Q}:1:{raw[0].decode().index(chr(34) + "kind", raw[0].decode().index(chr(34) + "kind") + 1) + 1}: '
        'error [duplicate-key] kind: duplicate key "kind"; the later value would silently win',
        f"{Q}:2:{len(raw[1].decode())}: error [crlf] line ends with CRLF; use LF (\\n) line endings",
        f"{Q}:3:1: error [blank-line] blank line; JSON Lines has one JSON value on every line",
    ]


def test_line_too_long_is_skipped_unread(ds: Path) -> None:
    path = ds / "data" / "quotations.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[1] = b'{"text": "' + b"x" * 5000 + b'"}'
    path.write_bytes(b"\n".join(lines))
    got = problems(max_line=4096)
    assert got == [f"{Q}:2:1: error [line-too-long] line of 5,012 bytes is longer than the limit of 4,096; "
                   "a record must fit on one line"]


# --------------------------------------------------------------------------------------------
# the JSON Schema


def test_schema_type_error_names_the_field(ds: Path) -> None:
    edit(ds, 0, lambda r: r.update(footnote="1"))
    line = (ds / "data" / "quotations.jsonl").read_text().splitlines()[0]
    col = line.index('"footnote"') + 1
    assert problems() == [f'{Q}:1:{col}: error [schema] footnote: expected integer or null, got "1"']


def test_schema_reports_every_error_of_a_record(ds: Path) -> None:
    def change(r: dict) -> None:
        del r["text"]
        r["kind"] = "speech"
        r["evidence"]["marker"]["number"] = "1"
        r["colour"] = "red"
    edit(ds, 0, change)
    got = [p.split(": error ", 1)[1] for p in problems()]
    assert got == [
        "[schema] (record): unexpected field colour",
        "[schema] (record): missing text",
        '[schema] kind: expected one of "quotation", "term", "title", got "speech"',
        '[schema] evidence.marker.number: expected integer, got "1"',
    ]


# --------------------------------------------------------------------------------------------
# provenance against the source text


def _col(ds: Path, index: int, key: str, after: str | None = None) -> int:
    """Column of a key in record `index` (the first after key `after`, for nested fields)."""
    line = (ds / "data" / "quotations.jsonl").read_text().splitlines()[index]
    return line.index(f'"{key}"', line.index(f'"{after}"') if after else 0) + 1


def test_text_must_be_the_source_at_its_offsets(ds: Path) -> None:
    i = by_text(ds, "syndicalist.")
    edit(ds, i, lambda r: (r.update(start=r["start"] + 1, end=r["end"] + 1),
                           r["selectors"]["position"].update(start=r["start"], end=r["end"])))
    got = problems()
    assert f'{Q}:{i + 1}:{_col(ds, i, "text")}: error [text] text: "syndicalist." is not the source text at ' \
           f'[86, 98), which reads "yndicalist.\\""' in got


@pytest.mark.parametrize("words, change, key, expected", [
    ("term", lambda r: r.update(paragraph=1), ("paragraph",),
     "error [paragraph] paragraph: is 1 but offset 240 is in paragraph 2"),
    ("term", lambda r: r["selectors"]["quote"].update(prefix="A '"), ("prefix",),
     'error [selector] selectors.quote.prefix: "A \'" is not the text before the quotation, '
     '"ists \'inclusive\' of all.\\"(2)\\nA \\""'),
    ("syndicalist.", lambda r: r["evidence"]["marker"].update(text="(7)"), ("marker",),
     'error [marker] evidence.marker: "(7)" is not the source text at [98, 101), which reads "(1)"'),
    ("syndicalist.", lambda r: r["evidence"].update(marker=None), ("footnote",),
     "error [footnote] footnote: is 1 but the record has no marker evidence (evidence.marker is null)"),
    ("the workers' opposition is a deviation", lambda r: r["evidence"]["speaker"].update(text="Lenon"),
     ("speaker", "evidence"),
     'error [evidence] evidence.speaker: "Lenon" is not the source text at [0, 5), which reads "Lenin"'),
])
def test_one_provenance_problem(ds: Path, words: str, change, key: tuple[str, ...], expected: str) -> None:
    i = by_text(ds, words)
    edit(ds, i, change)
    assert problems() == [f"{Q}:{i + 1}:{_col(ds, i, *key)}: {expected}"]


def test_marker_must_be_the_first_after_the_quotation(ds: Path) -> None:
    # the nested quotation points at the (1) of the paragraph before: a marker, but not its own
    i = by_text(ds, "inclusive")
    edit(ds, i, lambda r: r["evidence"].update(marker={"start": 98, "end": 101, "text": "(1)", "printed": 1,
                                                        "number": 1, "repaired": False}))
    got = problems()
    col = _col(ds, i, "marker")
    assert got == [
        f'{Q}:{i + 1}:{_col(ds, i, "footnote")}: error [footnote] footnote: is 2 but its marker evidence "(1)" '
        f'stands for note 1',
        f'{Q}:{i + 1}:{col}: error [marker] evidence.marker: "(1)" at [98, 101) is not the first marker after '
        f'the quotation; the first is "(2)" at [233, 236)',
    ]


def test_offsets_outside_the_source(ds: Path) -> None:
    i = by_text(ds, "term")
    edit(ds, i, lambda r: (r.update(start=9000, end=9004),
                           r["selectors"]["position"].update(start=9000, end=9004)))
    got = problems()
    assert f"{Q}:{i + 1}:{_col(ds, i, 'start')}: error [offsets] start: [9000, 9004) lies outside the source " \
           f"(262 characters)" in got


# --------------------------------------------------------------------------------------------
# dataset integrity


def test_ids_follow_the_stable_id_rule(ds: Path) -> None:
    i = by_text(ds, "syndicalist.")
    edit(ds, i, lambda r: r.update(id="tiny:0000000000:1"))
    got = problems()
    assert got[0].startswith(f'{Q}:{i + 1}:1: error [id-rule] id: "tiny:0000000000:1" does not follow the '
                             f'stable-id rule; expected "tiny:')


def test_duplicate_ids(ds: Path) -> None:
    rows = lines_of(ds / "data" / "quotations.jsonl")
    rows[1]["id"] = rows[0]["id"]
    rewrite(ds / "data" / "quotations.jsonl", rows)
    got = [p for p in problems() if "[duplicate-id]" in p]
    assert got == [f'{Q}:2:1: error [duplicate-id] id: "{rows[0]["id"]}" is also the id of another record']


def test_nested_in_must_name_an_enclosing_record(ds: Path) -> None:
    i = by_text(ds, "inclusive")
    outer = by_text(ds, "We demand freedom of the press,")
    rows = lines_of(ds / "data" / "quotations.jsonl")
    rows[i]["nested_in"] = rows[outer]["id"]
    rewrite(ds / "data" / "quotations.jsonl", rows)
    assert problems() == [f'{Q}:{i + 1}:1: error [nested-in] nested_in: record "{rows[outer]["id"]}" does not '
                          f'enclose this record at [{rows[i]["start"]}, {rows[i]["end"]}) (an enclosing record '
                          f'starts at or before it and comes earlier)']
    rows[i]["nested_in"] = "tiny:ffffffffff:1"
    rewrite(ds / "data" / "quotations.jsonl", rows)
    assert problems() == [f'{Q}:{i + 1}:1: error [nested-in] nested_in: no record of tiny has id "tiny:ffffffffff:1"']


def test_records_in_order_and_not_on_the_same_span(ds: Path) -> None:
    rows = lines_of(ds / "data" / "quotations.jsonl")
    rows[0], rows[1] = rows[1], rows[0]
    rows.append(dict(rows[-1]))
    rewrite(ds / "data" / "quotations.jsonl", rows)
    got = problems()
    assert f"{Q}:2:1: error [order] record at [30, 68) of tiny comes after line 1 (at [85, 97) of tiny); " \
           "records are sorted by source_id, then start, then longer first" in got
    assert f"{Q}:7:1: error [same-span] line 6 is a record on the same span [240, 244)" in got


def test_unknown_speaker_is_a_warning_that_says_how_to_add_it(ds: Path) -> None:
    i = by_text(ds, "We demand freedom of the press,")
    edit(ds, i, lambda r: r.update(speaker="Gavriil Miasnikov"))
    # data/entities.jsonl is generated: a name missing there is an error (rebuild)
    assert problems() == [
        f'{Q}:{i + 1}:{_col(ds, i, "speaker")}: error [entity-missing] speaker: "Gavriil Miasnikov" is not in '
        f'ds/data/entities.jsonl; run `quoteprov build` to regenerate it',
        f'{Q}:{i + 1}:{_col(ds, i, "speaker")}: warning [unknown-entity] speaker: "Gavriil Miasnikov" is not in '
        f'the entity registry; if it is right, add {{"name": "Gavriil Miasnikov", "aliases": [], "kind": "person"}} to '
        f'registry/tiny.json (kind: person, group, document or publication); if it is wrong, correct in '
        f'corrections.jsonl every record that has it (this warning is given once per name and file, at the first)',
    ]
    report = V.validate("ds", strict=True)
    assert report.exit_status == 1 and all(p.severity == "error" for p in report.problems)


def speaker_only_in_entities(ds: Path, words: str, name: str, kind: str) -> int:
    """Give the record quoting `words` the speaker `name`, known to data/entities.jsonl (as the
    builder would write it) but not to the registry; returns the record's index."""
    i = by_text(ds, words)
    edit(ds, i, lambda r: r.update(speaker=name))
    rows = lines_of(ds / "data" / "entities.jsonl") + [{"name": name, "aliases": [], "kind": kind, "sources": [SID]}]
    rewrite(ds / "data" / "entities.jsonl", rows)
    return i


def test_alias_used_as_a_name_is_a_warning(ds: Path) -> None:
    i = speaker_only_in_entities(ds, "the workers' opposition is a deviation", "Vladimir Lenin", "person")
    assert problems() == [f'{Q}:{i + 1}:{_col(ds, i, "speaker")}: warning [entity-alias] speaker: "Vladimir '
                          f'Lenin" is an alias of "Lenin" in registry/tiny.json; use the canonical name']
    status, _ = run("ds")
    assert status == 0
    status, out = run("ds", "--strict")
    assert status == 1 and out.endswith("invalid: 1 error, 0 warnings in 6 files (6 records checked)\n")


def test_every_correction_matches_a_record_and_is_applied(ds: Path) -> None:
    corr = ds / "corrections.jsonl"
    good = json.loads(corr.read_text())
    corr.write_text("\n".join([
        json.dumps(good),
        json.dumps({**good, "id": "tiny:0123456789:1"}),
        json.dumps({**good, "field": "speaker", "value": "Lenin"}),
        json.dumps({**good, "field": "text", "value": "x"}),
        "{not json",
    ]) + "\n")
    text_column = json.dumps({**good, "field": "text", "value": "x"}).index('"field"') + 1  # at the key
    assert problems() == [
        'ds/corrections.jsonl:2:1: error [correction] id: no record has id "tiny:0123456789:1" (an id changes '
        'when the quoted words change)',
        f'ds/corrections.jsonl:3:1: error [correction] value: record {good["id"]} has speaker null, not "Lenin": '
        'the correction is not applied (run `quoteprov build`) or its `expect` no longer holds',
        f'ds/corrections.jsonl:4:{text_column}: '
        'error [correction] field: expected one of "kind", "speaker", "recipient", "footnote", "nested_in", '
        'got "text"',
        "ds/corrections.jsonl:5:2: error [json-syntax] invalid JSON: Expecting property name enclosed in double "
        "quotes",
    ]


def test_a_noted_correction_needs_its_entry(ds: Path) -> None:
    (ds / "corrections.jsonl").write_text("")
    i = by_text(ds, "term")
    assert problems() == [f"{Q}:{i + 1}:{_col(ds, i, 'corrections')}: error [correction] corrections.0: the record "
                          f"says its kind was corrected, but corrections.jsonl has no correction of kind for "
                          f"{lines_of(ds / 'data' / 'quotations.jsonl')[i]['id']}"]


# --------------------------------------------------------------------------------------------
# sources


def test_manifest_and_files_must_match(ds: Path) -> None:
    manifest = json.loads((ds / "sources" / "manifest.json").read_text())
    entry = manifest[0]
    manifest += [{**entry, "id": "gone", "file": "gone.txt"}, {**entry, "id": "escape", "file": "../data/x.txt"},
                 {"id": "tiny", "file": "tiny.txt"}]
    (ds / "sources" / "manifest.json").write_text(json.dumps(manifest, indent=2))
    (ds / "sources" / "stray.txt").write_text("A stray text.\n")
    assert problems() == [
        'ds/sources/manifest.json:12:3: error [missing-file] 1.file: "gone.txt" not found in sources/',
        'ds/sources/manifest.json:22:3: error [outside-dataset] 2.file: "../data/x.txt" is outside the sources '
        'folder; source files live in sources/',
        "ds/sources/manifest.json:32:3: error [manifest] 3: missing title, author, year, publication, origin, "
        "rights",
        'ds/sources/manifest.json:32:3: error [manifest] 3.id: "tiny" is already the id of entry 0',
        "ds/sources/stray.txt:1:1: error [unlisted-file] no entry in sources/manifest.json names this file; add one "
        "(fields: id, file, title, author, year, publication, origin, rights)",
    ]


def test_source_changed_since_the_build(ds: Path) -> None:
    path = ds / "sources" / "tiny.txt"
    path.write_text(path.read_text() + "One more line.\n")
    got = problems()
    assert "ds/data/sources.jsonl:1:1: error [stale-data] characters: is 262 but the source file gives 277; the " \
           "source changed since the data was built: run `quoteprov build`" in got


def test_source_not_utf8(ds: Path) -> None:
    (ds / "sources" / "tiny.txt").write_bytes(b"caf\xe9\n")
    got = problems()
    assert got[0].startswith("ds/sources/tiny.txt:1:1: error [source-encoding] not UTF-8: byte 0xe9 at byte offset 3")


# --------------------------------------------------------------------------------------------
# output, exit status, inputs


def test_output_formats(ds: Path) -> None:
    edit(ds, 0, lambda r: r.update(footnote="1"))
    col = _col(ds, 0, "footnote")
    status, out = run("ds", "--format", "json")
    assert status == 1
    assert json.loads(out) == [{"path": Q, "line": 1, "column": col, "severity": "error", "code": "schema",
                                "field": "footnote", "message": 'expected integer or null, got "1"'}]
    status, out = run("ds", "--format", "github")
    assert status == 1
    assert out.splitlines()[0] == (f"::error file={Q},line=1,col={col},title=schema::footnote: expected integer "
                                   'or null, got "1"')
    status, out = run("ds")
    assert out.splitlines() == [f'{Q}:1:{col}: error [schema] footnote: expected integer or null, got "1"',
                                "invalid: 1 error, 0 warnings in 6 files (6 records checked)"]


def test_exit_status_2_for_unreadable_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    status, out = run("nowhere.jsonl")
    assert status == 2
    assert out.splitlines()[0] == "nowhere.jsonl:1:1: error [unreadable] no such file or folder"
    Path("empty").mkdir()
    status, out = run("empty")
    assert status == 2
    assert out.splitlines()[0] == "empty:1:1: error [not-dataset] not a dataset folder (expected sources/ and data/ in it)"


def test_standard_input_is_checked_against_a_dataset(ds: Path) -> None:
    data = (ds / "data" / "quotations.jsonl").read_bytes()
    status, out = run("-", "--dataset", "ds", stdin=data)
    assert (status, out) == (0, "valid: 0 errors, 0 warnings in 1 file (6 records checked)\n")
    status, out = run("-", "--dataset", "ds", stdin=data.replace(b'"paragraph": 2', b'"paragraph": 0'))
    assert status == 1 and out.startswith("<stdin>:6:")


def test_a_lone_file_is_checked_against_its_dataset(ds: Path) -> None:
    edit(ds, 0, lambda r: r.update(text="nonsense"))
    got = problems(ds / "data" / "quotations.jsonl")
    assert any("[text] text: \"nonsense\" is not the source text" in p for p in got)


def test_parallel_chunks_find_the_same_problems(ds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunk boundaries must not hide or invent problems: order, duplicates and nesting cross them."""
    rows = lines_of(ds / "data" / "quotations.jsonl")
    many = rows * 40  # duplicates and order errors across every chunk boundary
    many[3] = {**many[3], "footnote": "x"}
    rewrite(ds / "data" / "quotations.jsonl", many)
    one = V.validate("ds", jobs=1)
    monkeypatch.setattr(P, "CHUNK", 4096)
    monkeypatch.setattr(P, "PARALLEL_MIN", 0)
    two = V.validate("ds", jobs=2)
    assert one.problems == two.problems and one.errors == two.errors and one.errors > 40


def test_problems_kept_are_capped_but_all_counted(ds: Path) -> None:
    rows = lines_of(ds / "data" / "quotations.jsonl")
    rewrite(ds / "data" / "quotations.jsonl", [{**r, "footnote": "x"} for r in rows])
    report = V.validate("ds", max_problems=2)
    assert len(report.problems) == 2 and report.errors == 6 and report.omitted == 4
    assert report.summary() == "invalid: 6 errors, 0 warnings in 6 files (6 records checked; 4 more not shown)"


# --------------------------------------------------------------------------------------------
# robustness: whatever the bytes, a located problem and exit status 1 or 2, never a traceback


def _check_never_crashes(path: Path, data: bytes, **kw) -> None:
    path.write_bytes(data)
    report = V.validate(path, **kw)
    assert report.exit_status in (0, 1, 2)
    for p in report.problems:
        assert p.line >= 1 and p.column >= 1 and p.message
    if report.exit_status != 0:
        assert any(p.severity == "error" for p in report.problems)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("rand") / "q.jsonl"
    _check_never_crashes(path, data)
    report = V.validate(path)
    if data.strip():
        assert report.exit_status in (1, 2)


@pytest.fixture(scope="module")
def good_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("good") / "ds")


@SETTINGS
@given(st.data())
def test_truncated_and_mutated_records(good_dataset: Path, tmp_path_factory: pytest.TempPathFactory,
                                       data: st.DataObject) -> None:
    lines = (good_dataset / "data" / "quotations.jsonl").read_bytes().split(b"\n")[:-1]
    i = data.draw(st.integers(0, len(lines) - 1))
    line = bytearray(lines[i])
    how = data.draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
    at = data.draw(st.integers(0, len(line) - 1))
    if how == "truncate":
        line = line[:at]
    elif how == "flip":
        line[at] = data.draw(st.integers(0, 255))
    elif how == "insert":
        line[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    else:
        del line[at:at + data.draw(st.integers(1, 40))]
    lines[i] = bytes(line)
    path = tmp_path_factory.mktemp("mut") / "quotations.jsonl"
    _check_never_crashes(path, b"\n".join(lines) + b"\n", dataset=good_dataset)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 200000), st.sampled_from([b"[", b"{\"a\":", b"[{\"b\":"]))
def test_deep_nesting(tmp_path_factory: pytest.TempPathFactory, depth: int, opener: bytes) -> None:
    path = tmp_path_factory.mktemp("deep") / "q.jsonl"
    _check_never_crashes(path, opener * depth + b"\n")
    assert V.validate(path).exit_status == 1


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 3 * 4096), st.binary(min_size=1, max_size=3))
def test_huge_lines(tmp_path_factory: pytest.TempPathFactory, size: int, fill: bytes) -> None:
    path = tmp_path_factory.mktemp("huge") / "q.jsonl"
    data = b'{"text": "' + (fill.replace(b"\n", b"n") * size)[:size] + b'"}'
    _check_never_crashes(path, data + b"\n" + data, max_line=4096)
    report = V.validate(path, max_line=4096)
    assert report.exit_status == 1
    if len(data) > 4096:
        assert [p.code for p in report.problems if p.code == "line-too-long"] == ["line-too-long"] * 2


def test_iter_lines_streams_in_bounded_memory() -> None:
    from quoteprov.jsonl import iter_lines

    big = b"a" * 5000 + b"\n" + b"ok\n" + b"b" * 3000
    got = [(r.number, r.data, r.dropped) for r in iter_lines(io.BytesIO(big), max_line=1000)]
    assert got == [(1, b"", 5000), (2, b"ok", 0), (3, b"", 3000)]


def test_fast_lookups_equal_the_builders_functions() -> None:
    """The validator looks markers and paragraphs up with the C bisect and orders records inline;
    it must agree with markers.footnote_after, Source.paragraph_of and records.sort_key."""
    from bisect import bisect_right

    text = (FIXTURES / "sources" / "tiny.txt").read_text(encoding="utf-8")
    source = make_source(text, SID)
    src, starts, markers, mstarts = V.source_info(source)
    assert markers == find_markers(source) and markers
    for r in _records(text):
        assert (r.source_id, r.start, -r.end) == sort_key(r.to_dict())  # as _Sequence.feed orders
    for offset in range(len(text) + 1):
        assert bisect_right(starts, offset) - 1 == source.paragraph_of(offset)
        for _, pend in source.paragraphs:
            assert V.first_marker_after(markers, mstarts, offset, pend) == footnote_after(markers, offset, pend)


@pytest.mark.parametrize("block", [1, 2, 3, 7, 1 << 20])
def test_iter_batches_at_any_block_size(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    from quoteprov import jsonl

    monkeypatch.setattr(jsonl, "BLOCK", block)
    data = b"ab\n\n" + b"x" * 12 + b"\ncd\r\n" + b"y" * 11
    got = [x for batch in jsonl.iter_batches(io.BytesIO(data), max_line=10) for x in batch]
    assert got == [b"ab", b"", 12, b"cd\r", 11]
    assert [x for batch in jsonl.iter_batches(io.BytesIO(data), limit=5, max_line=10) for x in batch] == [b"ab", b"", b"x"]


def test_a_source_that_comes_back_is_out_of_order_not_a_cascade(ds: Path) -> None:
    rows = lines_of(ds / "data" / "quotations.jsonl")
    from quoteprov.records import make_id

    other = {**rows[0], "source_id": "zz", "id": make_id("zz", rows[0]["text"], 1)}
    rewrite(ds / "data" / "quotations.jsonl", rows[:3] + [other] + rows[3:])
    got = [p for p in problems() if "[unknown-source]" not in p]
    assert got == [f"{Q}:5:1: error [order] record at [{rows[3]['start']}, {rows[3]['end']}) of tiny comes after "
                   f"line 4 (at [{rows[0]['start']}, {rows[0]['end']}) of zz); records are sorted by source_id, then "
                   "start, then longer first"]


def test_a_confidence_needs_its_value(ds: Path) -> None:
    """A probability that a value is right, where there is no value, is an error; the reverse (a
    value nothing estimated) is fine, and so is any confidence of a value whose basis is a guess."""
    i = by_text(ds, "syndicalist.")  # a term without speaker or recipient
    edit(ds, i, lambda r: r["confidence"].update(speaker=0.7))
    j = by_text(ds, "the workers' opposition is a deviation")  # speaker and recipient
    edit(ds, j, lambda r: (r["basis"].update(speaker="inferred"), r["confidence"].update(speaker=0.99, recipient=None)))
    assert problems() == [
        f"{Q}:{i + 1}:{_col(ds, i, 'speaker', 'confidence')}: error [confidence] confidence.speaker: is 0.7 but "
        "speaker is null: a confidence is the probability that a value is right, so it is null where the value is"]


def test_a_confidence_is_a_probability(ds: Path) -> None:
    i = by_text(ds, "the workers' opposition is a deviation")
    edit(ds, i, lambda r: r["confidence"].update(speaker=1.5, recipient="high"))
    got = [p.split(": error ", 1)[1] for p in problems()]
    assert got == ["[schema] confidence.speaker: expected a number <= 1, got 1.5",
                   '[schema] confidence.recipient: expected number or null, got "high"']


def test_a_whole_probability_may_be_written_as_a_float(ds: Path) -> None:
    """`1.0` is how a probability is written (a corrected value has 1.0); only where an integer is
    due must a whole number be written as one. The careful path (taken here for the schema error)
    says so for `start`, not for the confidence."""
    i = by_text(ds, "the workers' opposition is a deviation")
    path = ds / "data" / "quotations.jsonl"
    lines = path.read_bytes().split(b"\n")
    line = lines[i].replace(b'"confidence": {"speaker": 0.9, "recipient": 0.42}',
                            b'"confidence": {"speaker": 1.0, "recipient": 0.0}')
    assert line != lines[i]
    lines[i] = line
    path.write_bytes(b"\n".join(lines))
    assert problems() == []
    lines[i] = line.replace(b'"footnote": 1,', b'"footnote": "1",').replace(b'"start": 0,', b'"start": 0.0,', 1)
    path.write_bytes(b"\n".join(lines))
    got = problems()
    assert len(got) == 1 and got[0].endswith("error [number-format] number 0.0 must be written as an integer (0)")


def test_registry_suggestion_takes_the_kind_from_entities(ds: Path) -> None:
    i = speaker_only_in_entities(ds, "We demand freedom of the press,", "Workers' Group", "group")
    assert problems() == [f'{Q}:{i + 1}:{_col(ds, i, "speaker")}: warning [unknown-entity] speaker: "Workers\' '
                          f'Group" is not in the entity registry; if it is right, add {{"name": "Workers\' Group", '
                          f'"aliases": [], "kind": "group"}} to registry/tiny.json (kind: person, group, document or '
                          f'publication); if it is wrong, correct in corrections.jsonl every record that has it '
                          f'(this warning is given once per name and file, at the first)']


# --------------------------------------------------------------------------------------------
# the happy path never accepts what the schema rejects


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12) | st.sampled_from(["quotation", "term", "explicit", "TextQuoteSelector", "tiny:0a:1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _fast_accepts(line: bytes) -> bool:
    try:
        rec = V.fast_decoder("quotations")(line)
    except Rejected:
        return False
    return not may_hide_duplicates(line, rec)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_fast_path_accepts_only_what_jsonschema_accepts(data: st.DataObject) -> None:
    from quoteprov.schema import validator

    text = (FIXTURES / "sources" / "tiny.txt").read_text(encoding="utf-8")
    rec = data.draw(st.sampled_from(_records(text))).to_dict()
    path = data.draw(st.sampled_from(list(_paths(rec))[1:]))
    *parent_path, last = path
    parent = rec
    for p in parent_path:
        parent = parent[p]
    how = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if how == "replace":
        parent[last] = data.draw(JSON_VALUES)
    elif how == "delete":
        del parent[last]
    elif isinstance(parent, dict):
        parent[data.draw(st.text(max_size=8))] = data.draw(JSON_VALUES)
    line = dumps(rec).encode("utf-8")
    schema_ok = not any(True for _ in validator("quotations").iter_errors(json.loads(line)))
    if _fast_accepts(line):
        assert schema_ok
    elif schema_ok:
        # the happy path may refuse a valid record only for a number it cannot hold exactly
        assert any(isinstance(v, float) or (isinstance(v, int) and abs(v) >= 2**63)
                   for v in [json.loads(line)] + [x for x in _leaves(json.loads(line))])


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_fast_path_never_accepts_a_duplicate_key(data: st.DataObject) -> None:
    text = (FIXTURES / "sources" / "tiny.txt").read_text(encoding="utf-8")
    rec = data.draw(st.sampled_from(_records(text))).to_dict()
    line = dumps(rec)
    keys = [m for m in re.finditer(r'"(\w+)": ', line)]
    m = data.draw(st.sampled_from(keys))
    space = data.draw(st.sampled_from(["", " ", "\t", "  "]))
    value = json.dumps(data.draw(JSON_VALUES))
    dup = f'"{m.group(1)}"{space}: {value}, '
    broken = (line[:m.start()] + dup + line[m.start():]).encode("utf-8")  # the same object, twice the key
    assert not _fast_accepts(broken)
    got = V.check_lines(([broken],), V.Context(), True)
    assert any(p[3] == "duplicate-key" and p[4] == m.group(1) for p in got.problems)


def test_plugged_into_the_quoteprov_command(ds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from quoteprov.cli import main

    assert main(["validate", "ds"]) == 0
    assert capsys.readouterr().out == "valid: 0 errors, 0 warnings in 6 files (6 records checked)\n"
    edit(ds, 0, lambda r: r.update(kind="speech"))
    assert main(["validate", "ds", "--format", "json"]) == 1
    assert [p["code"] for p in json.loads(capsys.readouterr().out)] == ["schema"]


def test_a_key_ending_in_a_backslash_is_still_counted(ds: Path) -> None:
    # found by the property test above: `"\\": null` ends like an escaped quote, `\":`
    edit(ds, 0, lambda r: r.update({"\\": None}))
    line = (ds / "data" / "quotations.jsonl").read_bytes().splitlines()[0]
    assert not _fast_accepts(line)
    assert problems() == [f'{Q}:1:1: error [schema] (record): unexpected field \\']


def test_problems_in_json_files_are_located_by_line(ds: Path) -> None:
    manifest = ds / "sources" / "manifest.json"
    text = manifest.read_text()
    manifest.write_text(text.replace('"year": 2024,', '"year": 2024,\n    "year": NaN,'))
    assert problems() == [
        "ds/sources/manifest.json:8:13: error [nan] NaN is not JSON; use null or a number",
        'ds/sources/manifest.json:8:5: error [duplicate-key] year: duplicate key "year"; the later value would '
        'silently win',
    ][::-1]
    manifest.write_text(text)
    (ds / "registry" / "tiny.json").write_text('[\n  {"name": "Lenin",\n   "kind": "person"\n  ]\n')
    assert problems() == ["ds/registry/tiny.json:4:3: error [json-syntax] invalid JSON: Expecting ',' delimiter"]


SMALL_FILES = ["sources/manifest.json", "registry/tiny.json", "corrections.jsonl", "data/sources.jsonl",
               "data/entities.jsonl", "sources/tiny.txt"]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_mutated_small_files(good_dataset: Path, tmp_path_factory: pytest.TempPathFactory,
                             data: st.DataObject) -> None:
    """The manifest, registry, corrections, sources and entities files, mutated at random: a
    located problem or a valid report, never a traceback."""
    ds = tmp_path_factory.mktemp("small") / "ds"
    shutil.copytree(good_dataset, ds)
    path = ds / data.draw(st.sampled_from(SMALL_FILES))
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw)))
        how = data.draw(st.sampled_from(["truncate", "insert", "delete"]))
        if how == "truncate":
            raw = raw[:at]
        elif how == "insert":
            raw[at:at] = data.draw(st.sampled_from([b"\n", b"\r", b'"', b"{", b"]", b",", b"\\", b"\xff", b"NaN",
                                                    b'"file": "../x"', b"1e999", b"\xef\xbb\xbf"]))
        else:
            del raw[at:at + data.draw(st.integers(1, 20))]
    path.write_bytes(bytes(raw))
    report = V.validate(ds, jobs=1)
    for p in report.problems:
        assert p.line >= 1 and p.column >= 1 and p.message


def test_no_path_means_the_dataset_folder_here(ds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-commit hook runs `quoteprov validate` from the root of a contributor's clone,
    where the package may be installed elsewhere: ./dataset is the default when there is one."""
    monkeypatch.chdir(ds.parent)
    (ds.parent / "ds").rename(ds.parent / "dataset")
    edit(ds.parent / "dataset", 0, lambda r: r.update(footnote="1"))
    report = V.validate()
    assert report.errors == 1 and report.problems[0].path == "dataset/data/quotations.jsonl"


def test_the_package_carries_the_schemas() -> None:
    """quoteprov/schema links to schema/, so that a wheel (the pre-commit hook's environment)
    has the same files as the repository."""
    top = Path(__file__).resolve().parent.parent / "schema"
    files = sorted(top.glob("*.json"))
    assert files
    for f in files:
        assert (Path(quoteprov.__file__).parent / "schema" / f.name).read_bytes() == f.read_bytes()
