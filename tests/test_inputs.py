"""Build and validate share one set of input checks (manifest, registry, corrections), never
crash on bad input, and build never writes what its own validate rejects (issue 15, items 5-8,
12). Every case runs on a copy of the tiny made-up dataset of `tests/fixtures/hub/tiny`.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import quoteprov.validation as V
from quoteprov.cli import main

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "hub" / "tiny"
SID = "tiny-1921"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    dest = tmp_path / "ds"
    shutil.copytree(TINY, dest)
    return dest


def records(ds: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (ds / "data" / "quotations.jsonl").read_text(encoding="utf-8").splitlines()]


def record(ds: Path, words: str) -> dict[str, Any]:
    return next(r for r in records(ds) if r["text"] == words)


def snapshot(ds: Path) -> dict[str, bytes]:
    """Every file under data/ and the card, by path: what a refused build must leave as it was."""
    out = {str(p.relative_to(ds)): p.read_bytes() for p in sorted((ds / "data").rglob("*")) if p.is_file()}
    for name in ("README.md", "datapackage.json"):
        if (ds / name).exists():
            out[name] = (ds / name).read_bytes()
    return out


def build(ds: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["build", "--dataset", str(ds), *extra])
    got = capsys.readouterr()
    return rc, got.out, got.err


def codes(ds: Path, severity: str = "error", **kw: Any) -> set[str]:
    return {p.code for p in V.validate(ds, **kw).problems if p.severity == severity}


def write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")


def manifest(ds: Path) -> list[Any]:
    return json.loads((ds / "sources" / "manifest.json").read_text(encoding="utf-8"))


def add_correction(ds: Path, **c: Any) -> None:
    with open(ds / "corrections.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({"reason": "a reviewer's reading", **c}, ensure_ascii=False) + "\n")


def some_id(ds: Path) -> str:
    return record(ds, "We are the opposition.")["id"]


# --------------------------------------------------------------------------------------------
# item 5: one set of checks; build refuses (exit 2, nothing written) what validate rejects


def _self_nest(ds: Path) -> None:
    add_correction(ds, id=some_id(ds), field="nested_in", value=some_id(ds))


def _nest_in_missing(ds: Path) -> None:
    add_correction(ds, id=some_id(ds), field="nested_in", value=f"{SID}:0123456789:1")


def _missing_id(ds: Path) -> None:
    add_correction(ds, id=f"{SID}:0123456789:1", field="speaker", value="Vladimir Lenin")


def _reversed_evidence(ds: Path) -> None:
    add_correction(ds, id=some_id(ds), field="recipient", value="congress delegates", evidence=[900, 800])


def _duplicate_entry(ds: Path) -> None:
    m = manifest(ds)
    write_json(ds / "sources" / "manifest.json", m + m)


def _aliases_string(ds: Path) -> None:
    path = ds / "registry" / f"{SID}.json"
    reg = json.loads(path.read_text(encoding="utf-8"))
    reg[0]["aliases"] = "Kollontai"
    write_json(path, reg)


def _registry_object(ds: Path) -> None:
    write_json(ds / "registry" / f"{SID}.json", {})


def _empty_manifest(ds: Path) -> None:
    write_json(ds / "sources" / "manifest.json", [])
    (ds / "sources" / f"{SID}.txt").unlink()


def _entry_field(key: str, value: Any) -> Callable[[Path], None]:
    def change(ds: Path) -> None:
        m = manifest(ds)
        m[0][key] = value
        write_json(ds / "sources" / "manifest.json", m)
    return change


BAD_INPUTS = {
    "correction nests a record in itself": _self_nest,
    "correction nests a record in a missing id": _nest_in_missing,
    "correction of a missing id": _missing_id,
    "correction evidence [900, 800]": _reversed_evidence,
    "manifest entry listed twice": _duplicate_entry,
    "registry aliases a string": _aliases_string,
    "registry {}": _registry_object,
    "empty manifest": _empty_manifest,
    "year 'nineteen'": _entry_field("year", "nineteen"),
    "title null": _entry_field("title", None),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_build_refuses_what_validate_rejects_and_writes_nothing(tiny: Path, capsys: pytest.CaptureFixture[str],
                                                                case: str) -> None:
    BAD_INPUTS[case](tiny)
    rejected = codes(tiny)
    assert rejected, f"validate accepts {case}"
    before = snapshot(tiny)
    rc, out, err = build(tiny, capsys, "-q")
    assert rc == 2, (case, out, err)
    assert "Traceback" not in err
    assert snapshot(tiny) == before, "a refused build wrote data"
    # the problems are printed in validate's format: PATH:LINE:COL: error [code] ...
    assert any(": error [" in line for line in err.splitlines()), err
    assert "nothing written" in err


def test_a_build_that_succeeds_writes_data_its_validate_accepts(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = build(tiny, capsys, "-q")
    assert rc == 0, err
    assert codes(tiny) == set()


# --------------------------------------------------------------------------------------------
# item 6: correction evidence follows its words when the source is edited, or is refused


def _recipient_correction(ds: Path, capsys: pytest.CaptureFixture[str], with_text: bool = False) -> tuple[str, str]:
    """A recipient correction with evidence on "Zinoviev" ("Lenin wrote to Zinoviev"), built;
    (record id, evidence words)."""
    text = (ds / "sources" / f"{SID}.txt").read_text(encoding="utf-8")
    words = "Zinoviev"
    s = text.index(words)
    rc, _, err = build(ds, capsys, "-q")  # what the extractor says now
    assert rc == 0, err
    rid = record(ds, QUOTE)["id"]
    extra = {"evidence_text": words} if with_text else {}
    # a value the extractor does not give already (a correction that changes nothing is not
    # applied): the registry's full name, or its short form once the extractor finds the full one
    value = "Zinoviev" if record(ds, QUOTE)["recipient"] == "Grigory Zinoviev" else "Grigory Zinoviev"
    add_correction(ds, id=rid, field="recipient", value=value, evidence=[s, s + len(words)], **extra)
    rc, _, err = build(ds, capsys, "-q")
    assert rc == 0, err
    assert record(ds, QUOTE)["evidence"]["recipient"]["text"] == words
    return rid, words


QUOTE = "Miasnikov must be answered, not 'silenced' by decree."


def _edit_before(ds: Path) -> None:
    path = ds / "sources" / f"{SID}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("In 1921 the", "In March 1921 the", 1), encoding="utf-8")


@pytest.mark.parametrize("with_text", [False, True])
def test_correction_evidence_moves_with_an_edit_before_it(tiny: Path, capsys: pytest.CaptureFixture[str],
                                                          with_text: bool) -> None:
    rid, words = _recipient_correction(tiny, capsys, with_text)
    _edit_before(tiny)
    path = tiny / "sources" / f"{SID}.txt"
    for _ in range(2):  # and again: the second build must not lose the words either
        rc, out, err = build(tiny, capsys, "-q")
        assert rc == 0, err
        ev = record(tiny, QUOTE)["evidence"]["recipient"]
        assert ev["text"] == words
        assert path.read_text(encoding="utf-8")[ev["start"]:ev["end"]] == words
        assert "update the offsets" in err  # the correction's offsets are out of date: say so
    assert V.validate(tiny).ok, [p.format() for p in V.validate(tiny).problems]


@pytest.mark.parametrize("with_text", [False, True])
def test_correction_evidence_whose_words_are_gone_is_refused(tiny: Path, capsys: pytest.CaptureFixture[str],
                                                             with_text: bool) -> None:
    _recipient_correction(tiny, capsys, with_text)
    path = tiny / "sources" / f"{SID}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("wrote to Zinoviev", "wrote to him"), encoding="utf-8")
    before = snapshot(tiny)
    rc, out, err = build(tiny, capsys, "-q")
    assert rc == 2, (out, err)
    assert "[correction] evidence" in err and "Traceback" not in err
    assert snapshot(tiny) == before
    assert not V.validate(tiny, strict=True).ok


def test_validate_strict_catches_evidence_pointing_at_other_words(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's state: data built by a build that kept the old offsets after an edit."""
    rid, words = _recipient_correction(tiny, capsys, with_text=True)
    _edit_before(tiny)
    rc, _, err = build(tiny, capsys, "-q")
    assert rc == 0, err
    # forge what the old build wrote: the correction's offsets, unmoved, over the edited text
    lines = records(tiny)
    text = (tiny / "sources" / f"{SID}.txt").read_text(encoding="utf-8")
    for r in lines:
        if r["id"] == rid:
            ev = r["evidence"]["recipient"]
            ev["start"], ev["end"] = ev["start"] - 6, ev["end"] - 6
            ev["text"] = text[ev["start"]:ev["end"]]
            assert ev["text"] != words
    (tiny / "data" / "quotations.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines),
                                                    encoding="utf-8")
    report = V.validate(tiny, strict=True)
    assert not report.ok
    found = [p for p in V.validate(tiny).problems if p.severity == "error"]
    assert any(p.code == "correction" and p.field == "evidence" for p in found), [p.format() for p in found]


# --------------------------------------------------------------------------------------------
# item 7: a JSON null line is not a record


def test_a_null_line_is_not_a_record(tiny: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    q = tiny / "data" / "quotations.jsonl"
    q.write_text(q.read_text(encoding="utf-8") + "null\n", encoding="utf-8")
    report = V.validate(tiny)
    assert any(p.code == "not-object" for p in report.problems), [p.format() for p in report.problems]
    import io
    r2 = V.validate("-", dataset=tiny, stdin=io.BytesIO(b"null\n"))
    assert any(p.code == "not-object" for p in r2.problems)
    assert r2.exit_status == 1


# --------------------------------------------------------------------------------------------
# item 8: no traceback, exit 2 (build) or a located problem (validate)


def _not_utf8(name: str) -> Callable[[Path], None]:
    def change(ds: Path) -> None:
        path = {"manifest": ds / "sources" / "manifest.json", "registry": ds / "registry" / f"{SID}.json",
                "corrections": ds / "corrections.jsonl"}[name]
        path.write_bytes(path.read_bytes().replace(b"e", b"\xe9", 1))
    return change


def _manifest_entries(*entries: Any) -> Callable[[Path], None]:
    def change(ds: Path) -> None:
        write_json(ds / "sources" / "manifest.json", [*manifest(ds), *entries])
    return change


def _registry_entry(entry: Any) -> Callable[[Path], None]:
    def change(ds: Path) -> None:
        path = ds / "registry" / f"{SID}.json"
        write_json(path, [*json.loads(path.read_text(encoding="utf-8")), entry])
    return change


def _correction_id(value: Any) -> Callable[[Path], None]:
    def change(ds: Path) -> None:
        add_correction(ds, id=value, field="speaker", value="Vladimir Lenin")
    return change


def _data_is_a_file(ds: Path) -> None:
    shutil.rmtree(ds / "data")
    (ds / "data").write_text("not a folder\n", encoding="utf-8")


CRASHES = {
    "manifest entry a number": _manifest_entries(7),
    "manifest entry a string": _manifest_entries("tiny-1921.txt"),
    "file a number": _entry_field("file", 7),
    "file null": _entry_field("file", None),
    "manifest not UTF-8": _not_utf8("manifest"),
    "registry not UTF-8": _not_utf8("registry"),
    "corrections not UTF-8": _not_utf8("corrections"),
    "registry entry without name": _registry_entry({"aliases": [], "kind": "person"}),
    "registry aliases null": _registry_entry({"name": "Karl Radek", "aliases": None, "kind": "person"}),
    "correction id a list": _correction_id(["a"]),
    "correction id an object": _correction_id({"a": 1}),
    "data/ is a file": _data_is_a_file,
}


@pytest.mark.parametrize("case", list(CRASHES))
def test_bad_input_is_a_message_and_exit_2_never_a_traceback(tiny: Path, capsys: pytest.CaptureFixture[str],
                                                             case: str) -> None:
    CRASHES[case](tiny)
    rc, out, err = build(tiny, capsys, "-q")
    assert rc == 2, (case, out, err)
    assert err.strip() and "Traceback" not in err
    capsys.readouterr()
    rc = main(["validate", str(tiny)])
    got = capsys.readouterr()
    assert rc in (1, 2) and "error [" in got.out, got


@pytest.mark.parametrize("rid", ["tiny-1921:821e9ea2f3:\u00b2", "tiny-1921:821e9ea2f3:1\u00b2"])
def test_superscript_digits_in_ids_are_problems_not_crashes(tiny: Path, rid: str) -> None:
    rows = records(tiny)
    rows[1]["id"] = rid
    rows[2]["nested_in"] = rid
    (tiny / "data" / "quotations.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = V.validate(tiny)
    assert report.exit_status == 1
    assert {"id-rule", "nested-in"} <= {p.code for p in report.problems}


def test_score_on_a_file_that_is_not_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    gold = ROOT / "tests" / "gold"
    gold_file = sorted(gold.glob("*.jsonl"))[0]
    rc = main(["score", str(gold_file), str(ROOT / "README.md")])
    err = capsys.readouterr().err
    assert rc == 2 and "README.md" in err and "Traceback" not in err
    rc = main(["score", str(ROOT / "README.md"), str(gold_file)])
    assert rc == 2


def test_the_command_never_prints_a_traceback_for_bad_input(tiny: Path) -> None:
    """The same through a real process (the exit status and stderr a user sees), run as `python -m
    quoteprov`, where the `quoteprov` script is not on the PATH."""
    _manifest_entries(7)(tiny)
    p = subprocess.run([sys.executable, "-m", "quoteprov", "build", "--dataset", str(tiny)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr


# --------------------------------------------------------------------------------------------
# item 12: advice, warnings on the source's shape, stale-data first, build -q


def _speaker(ds: Path, words: str, name: str) -> None:
    rows = records(ds)
    for r in rows:
        if r["text"] == words:
            r["speaker"] = name
    (ds / "data" / "quotations.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                                  encoding="utf-8")
    ents = ds / "data" / "entities.jsonl"
    ents.write_text(ents.read_text(encoding="utf-8") + json.dumps(
        {"name": name, "aliases": [], "kind": "person", "sources": [SID]}) + "\n", encoding="utf-8")


def _advice(ds: Path) -> str:
    return next(p.message for p in V.validate(ds).problems if p.code in ("unknown-entity", "wrong-entity"))


@pytest.mark.parametrize("name", ["men", "sane and sincere person", "the soldiers", "workers"])
def test_a_common_noun_speaker_is_a_wrong_value_to_correct_not_a_person_to_register(
        tiny: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    build(tiny, capsys, "-q")
    _speaker(tiny, "We are the opposition.", name)
    advice = _advice(tiny)
    assert '"kind": "person"' not in advice, advice
    assert "corrections.jsonl" in advice and '"field": "speaker"' in advice, advice


@pytest.mark.parametrize("name, kind", [("Karl Radek", "person"), ("Constituent Assembly", "group"),
                                        ("Central Committee", "group"), ("Ruth Fischer", "person")])
def test_a_proper_name_speaker_is_a_missing_registry_entry(tiny: Path, capsys: pytest.CaptureFixture[str],
                                                           name: str, kind: str) -> None:
    build(tiny, capsys, "-q")
    _speaker(tiny, "We are the opposition.", name)
    advice = _advice(tiny)
    assert f'"kind": "{kind}"' in advice and f"registry/{SID}.json" in advice, advice


def _hard_wrap(text: str, width: int = 60) -> str:
    import textwrap
    return "\n".join(textwrap.fill(par, width) for par in text.splitlines()) + "\n"


PROSE = (ROOT / "tests" / "fixtures" / "russell-1920-part.txt")


@pytest.mark.parametrize("shape", ["hard-wrapped", "crlf"])
def test_a_hard_wrapped_or_crlf_source_draws_a_warning_from_validate_and_build(
        tiny: Path, capsys: pytest.CaptureFixture[str], shape: str) -> None:
    path = tiny / "sources" / f"{SID}.txt"
    text = PROSE.read_text(encoding="utf-8")[:20000]
    text = _hard_wrap(text) if shape == "hard-wrapped" else text.replace("\n", "\r\n")
    path.write_bytes(text.encode("utf-8"))
    (tiny / "corrections.jsonl").write_text("", encoding="utf-8")  # its record is not in this text
    warned = [p for p in V.validate(tiny).problems if p.code == "source-format"]
    assert warned and "quoteprov add" in warned[0].message, warned
    rc, out, err = build(tiny, capsys, "-q")
    assert "[source-format]" in err and "quoteprov add" in err


def test_a_source_of_long_lines_draws_no_shape_warning(tiny: Path) -> None:
    path = tiny / "sources" / f"{SID}.txt"
    path.write_text(PROSE.read_text(encoding="utf-8"), encoding="utf-8")
    assert not [p for p in V.validate(tiny).problems if p.code == "source-format"]
    assert not [p for p in V.validate(ROOT / "dataset").problems if p.code == "source-format"]


def test_stale_data_is_printed_first(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tiny / "sources" / f"{SID}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("In 1921 the", "In March 1921 the", 1), encoding="utf-8")
    capsys.readouterr()
    main(["validate", str(tiny)])
    lines = [x for x in capsys.readouterr().out.splitlines() if "error [" in x or "warning [" in x]
    assert len(lines) > 1 and "[stale-data]" in lines[0], lines


def test_build_quiet_prints_nothing_on_success(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # (the fixture's one correction is redundant today, which is worth a warning even with -q)
    (tiny / "corrections.jsonl").write_text("", encoding="utf-8")
    rc, out, err = build(tiny, capsys, "-q")
    assert rc == 0 and out == "" and err == "", (out, err)
    rc, out, err = build(tiny, capsys)
    assert rc == 0 and "records from" in out


@pytest.mark.parametrize("name", ["hotel commissionaire", "old man", "sentry"])
def test_a_description_of_one_person_may_be_registered_as_a_person_or_corrected(
        tiny: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    # the guide allows a description for someone the text never names: the advice offers both
    # ways, and registers it as what it describes (a person), never as a group
    build(tiny, capsys, "-q")
    _speaker(tiny, "We are the opposition.", name)
    advice = _advice(tiny)
    assert "description of a person" in advice and '"kind": "person"' in advice, advice
    assert "corrections.jsonl" in advice and '"kind": "group"' not in advice, advice


# a line's last character decides whether it ends a sentence (the hard-wrap advice); the regex it
# replaced is kept as its definition
_LINE = "a. !?:;)]\"'\u201d\u2019\u00bb*_-\t\u00a0\u2003x\r\f\v\u3000"


@given(st.text(alphabet=_LINE, max_size=30))
def test_ends_sentence_is_the_regex(line: str) -> None:
    from quoteprov.inputs import _SENTENCE_END, ends_sentence

    assert ends_sentence(line) == bool(_SENTENCE_END.search(line))
