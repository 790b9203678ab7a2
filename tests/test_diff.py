"""`quoteprov diff` and `quoteprov changelog` on hand-made version pairs.

Every version is built here from tests/fixtures/diff/tiny.txt: its quoted spans, with the values
each test sets, so the tests do not depend on the extractor. One helper writes a version as a
dataset folder (sources + data), and a git repository is made in tmp_path for the revision tests.
"""
from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quoteprov
from quoteprov.cli import main
from quoteprov.errors import QuoteprovError
from quoteprov.records import MarkerSpan, Record, Span, assign_ids, selector_context
from quoteprov.source import make_source
from quoteprov.store import write_jsonl, write_text
from quoteprov.versions import DiffResult, changelog, compare_sources, diff, format_text, update_changelog

FIXTURES = Path(__file__).parent / "fixtures" / "diff"
TEXT = (FIXTURES / "tiny.txt").read_text(encoding="utf-8")

# values per quotation, in document order (speaker, mention in the text, recipient, kind)
BASE = [
    {"speaker": "Workers' Group manifesto", "mention": "The manifesto", "recipient": None, "kind": "quotation"},
    {"speaker": None, "mention": None, "recipient": None, "kind": "term"},
    {"speaker": "G. T. Miasnikov", "mention": "Miasnikov", "recipient": "G. E. Zinoviev", "kind": "quotation"},
    {"speaker": "G. E. Zinoviev", "mention": "Zinoviev replied", "recipient": None, "kind": "quotation"},
    {"speaker": "V. I. Lenin", "mention": "Lenin", "recipient": None, "kind": "term"},
]


def build_records(text: str = TEXT, values: list[dict[str, Any]] | None = None, source_id: str = "tiny") -> list[dict]:
    """Records for every "..." span of `text`, with evidence, marker and selectors computed from
    the text the way the builder does, so a source edit moves them all consistently."""
    values = values or BASE
    src = make_source(text, source_id)
    spans = [(m.start(1), m.end(1), m.group(1)) for m in re.finditer(r'"([^"]+)"', text)]
    out = []
    for (s, e, quoted), rid, v in zip(spans, assign_ids(source_id, spans), values):
        p = src.paragraph_of(s)
        par_start, par_end = src.paragraphs[p]
        speaker_span = None
        if v.get("mention"):
            at = text.index(v["mention"], par_start)
            speaker_span = Span(at, at + len(v["mention"]), v["mention"])
        m = re.compile(r"\((\d+)\)").search(text, e, par_end)
        marker = MarkerSpan(m.start(), m.end(), m.group(), int(m.group(1)), int(m.group(1))) if m else None
        footnote = v.get("footnote", marker.number if marker else None)
        prefix, suffix = selector_context(text, s, e)
        rec = Record(id=rid, source_id=source_id, text=quoted, start=s, end=e, paragraph=p, kind=v["kind"],
                     speaker=v["speaker"], recipient=v["recipient"], footnote=footnote,
                     speaker_span=speaker_span, marker=marker,
                     method={"span": "marks-paired", "kind": "test", "speaker": "test" if v["speaker"] else None,
                             "recipient": None, "footnote": "marker-next" if marker else None},
                     basis={"speaker": "explicit" if v["speaker"] else None, "recipient": None,
                            "footnote": "explicit" if marker else None},
                     confidence=v.get("confidence", {}), prefix=prefix, suffix=suffix)
        out.append(rec.to_dict())
    return out


def write_version(folder: Path, records: list[dict], text: str = TEXT) -> Path:
    """A dataset folder: sources/manifest.json + sources/tiny.txt + data/quotations.jsonl."""
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "manifest.json", folder / "sources" / "manifest.json")
    write_text(folder / "sources" / "tiny.txt", text)
    write_jsonl(folder / "data" / "quotations.jsonl", records)
    return folder


def pair(tmp_path: Path, old: list[dict], new: list[dict], old_text: str = TEXT, new_text: str = TEXT) -> DiffResult:
    a = write_version(tmp_path / "old", old, old_text)
    b = write_version(tmp_path / "new", new, new_text)
    return diff(a, b)


def with_values(i: int, **changes: Any) -> list[dict]:
    values = [dict(v) for v in BASE]
    values[i].update(changes)
    return build_records(values=values)


def only_change(result: DiffResult) -> dict[str, list]:
    assert (result.summary["added"], result.summary["removed"], result.summary["reanchored"]) == (0, 0, 0)
    assert len(result.changed) == 1
    return result.changed[0].fields


# -- change types -----------------------------------------------------------------------------

def test_identical_versions_have_no_differences(tmp_path):
    r = pair(tmp_path, build_records(), build_records())
    assert not r.differs
    assert r.summary["unchanged"] == r.summary["old_records"] == 5


def test_added_and_removed(tmp_path):
    recs = build_records()
    r = pair(tmp_path, recs[:4], recs[1:])
    assert [x["id"] for x in r.added] == [recs[4]["id"]]
    assert [x["id"] for x in r.removed] == [recs[0]["id"]]
    assert r.summary | {} == r.summary and r.summary["added"] == 1 and r.summary["removed"] == 1
    assert r.summary["changed"] == 0 and r.summary["unchanged"] == 3


def test_speaker_reattributed(tmp_path):
    new = with_values(2, speaker="A. Shliapnikov", mention="Zinoviev")
    fields = only_change(pair(tmp_path, build_records(), new))
    assert fields["speaker"] == ["G. T. Miasnikov", "A. Shliapnikov"]
    # nested evidence is reported with dotted paths, down to the leaf that changed
    assert fields["evidence.speaker.text"] == ["Miasnikov", "Zinoviev"]
    assert set(fields) == {"speaker", "evidence.speaker.start", "evidence.speaker.end", "evidence.speaker.text"}


def test_evidence_added_is_one_nested_field(tmp_path):
    new = with_values(1, speaker="The manifesto", mention="The manifesto")
    fields = only_change(pair(tmp_path, build_records(), new))
    assert fields["evidence.speaker"][0] is None
    assert fields["evidence.speaker"][1]["text"] == "The manifesto"
    assert fields["method.speaker"] == [None, "test"] and fields["basis.speaker"] == [None, "explicit"]


@pytest.mark.parametrize("field,value", [("recipient", "Tenth Party Congress"), ("kind", "title"), ("footnote", 7)])
def test_single_field_changes(tmp_path, field, value):
    old = build_records()
    new = with_values(4, **{field: value})
    fields = only_change(pair(tmp_path, old, new))
    assert fields == {field: [old[4][field], value]}


def test_a_change_of_confidence_alone_is_minor(tmp_path, capsys):
    """The same speaker with a new probability (a retrained model): a change, labelled as one
    where only the confidence moved, and counted apart; floats read as written, 3 decimals."""
    old = with_values(2, confidence={"speaker": 0.81})
    new = with_values(2, confidence={"speaker": 0.93})
    r = pair(tmp_path, old, new)
    assert only_change(r) == {"confidence.speaker": [0.81, 0.93]}
    assert r.changed[0].confidence_only and r.summary["confidence_only"] == 1
    a, b = tmp_path / "old", tmp_path / "new"

    assert main(["diff", str(a), str(b)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "0 added, 0 removed, 1 changed (1 only in confidence), 0 re-anchored, 4 unchanged"
    block = lines[lines.index("") + 1:]
    assert block[0].startswith(f"~ {new[2]['id']} (only the confidence moved) ")
    assert block[1:] == ["    confidence.speaker: 0.81 -> 0.93"]

    assert main(["diff", str(a), str(b), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "<summary>Changed (1, 1 of them only in confidence)</summary>" in out
    assert "| `confidence.speaker` | `0.81` | `0.93` |" in out

    assert main(["diff", str(a), str(b), "--format", "json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["changed"][0]["fields"] == {"confidence.speaker": [0.81, 0.93]}
    assert data["changed"][0]["confidence_only"] is True and data["summary"]["confidence_only"] == 1
    assert re.findall(r"0\.93\d*", out) == ["0.93"]


def test_a_new_value_with_its_confidence_is_not_minor(tmp_path):
    old = with_values(2, confidence={"speaker": 0.81})
    new = with_values(2, speaker="A. Shliapnikov", confidence={"speaker": 0.3})
    r = pair(tmp_path, old, new)
    fields = only_change(r)
    assert fields["speaker"] == ["G. T. Miasnikov", "A. Shliapnikov"] and fields["confidence.speaker"] == [0.81, 0.3]
    assert not r.changed[0].confidence_only and r.summary["confidence_only"] == 0
    assert "only the confidence" not in format_text(r) and "(0 only" not in format_text(r)


def test_floats_are_shown_with_three_decimals_unless_that_hides_the_change(tmp_path):
    old = with_values(0, confidence={"speaker": 0.3})
    new = json.loads(json.dumps(old))
    new[0]["confidence"]["speaker"] = 0.1 + 0.2  # 0.30000000000000004: written by hand, not by the builder
    new[2]["confidence"]["speaker"] = 2 / 3
    text = format_text(pair(tmp_path, old, new))
    assert "    confidence.speaker: null -> 0.667" in text  # not 0.6666666666666666
    assert "    confidence.speaker: 0.3 -> 0.30000000000000004" in text  # the only difference is past 3


def test_text_corrected_in_place_is_changed_not_removed_and_added(tmp_path):
    fixed = TEXT.replace("goverment", "governmen")  # same length: nothing else moves
    r = pair(tmp_path, build_records(), build_records(fixed), new_text=fixed)
    fields = only_change(r)
    c = r.changed[0]
    assert c.matched_by == "span"  # the id changed with the words, the span did not
    assert fields["id"][0] != fields["id"][1] and c.id == fields["id"][1]
    assert "goverment" in fields["text"][0] and "governmen" in fields["text"][1]
    assert set(fields) == {"id", "text", "selectors.quote.exact"}
    assert r.summary["sources_changed"] == 1
    assert r.sources[0].summary.endswith('"goverment" -> "governmen"')


def test_text_corrected_with_new_length_moves_later_records(tmp_path):
    fixed = TEXT.replace("goverment", "government")  # one character longer
    r = pair(tmp_path, build_records(), build_records(fixed), new_text=fixed)
    assert r.summary["changed"] == 1 and r.summary["added"] == r.summary["removed"] == 0
    c = r.changed[0]
    # its own end moved with the correction: explained, so not listed as a content change
    assert set(c.fields) == {"id", "text", "selectors.quote.exact"}
    # the two records after the edit only moved
    assert r.summary["reanchored"] == 2
    assert {x.shift for x in r.reanchored} == {1}
    assert 'replaced 9 characters at offset 242 in paragraph 1 with 10 characters: "goverment" -> "government"' \
        in r.sources[0].summary


def test_offsets_moved_without_source_edit_is_a_change(tmp_path):
    old = build_records()
    new = json.loads(json.dumps(old))
    new[1]["end"] -= 1
    new[1]["selectors"]["position"]["end"] -= 1
    r = pair(tmp_path, old, new)
    fields = only_change(r)
    assert fields == {"end": [old[1]["end"], old[1]["end"] - 1],
                      "selectors.position.end": [old[1]["end"], old[1]["end"] - 1]}


def test_sentence_added_at_the_top_reanchors_every_record(tmp_path):
    sentence = "This text was checked against the printed journal. "
    new_text = sentence + TEXT
    r = pair(tmp_path, build_records(), build_records(new_text), new_text=new_text)
    assert r.summary["changed"] == 0 and r.summary["added"] == 0 and r.summary["removed"] == 0
    assert r.summary["reanchored"] == 5 and r.summary["unchanged"] == 0
    assert {x.shift for x in r.reanchored} == {len(sentence)}
    assert "evidence.marker.start" in r.reanchored[0].fields  # evidence offsets moved too
    (src,) = r.sources
    assert src.id == "tiny" and src.status == "changed"
    assert src.edits[0].op == "insert" and src.edits[0].old_start == 0 and src.edits[0].paragraph == 0
    assert f"inserted {len(sentence)} characters at offset 0 in paragraph 0" in src.summary


def test_new_paragraph_at_the_top_reanchors_paragraph_index(tmp_path):
    new_text = "A new first paragraph.\n" + TEXT
    r = pair(tmp_path, build_records(), build_records(new_text), new_text=new_text)
    assert r.summary["reanchored"] == 5 and r.summary["changed"] == 0
    assert r.reanchored[0].fields["paragraph"] == [0, 1]


def test_speaker_change_and_source_shift_reported_apart(tmp_path):
    new_text = "Preface. " + TEXT
    values = [dict(v) for v in BASE]
    values[3]["speaker"] = "Someone else"
    r = pair(tmp_path, build_records(), build_records(new_text, values), new_text=new_text)
    assert r.summary["reanchored"] == 4 and r.summary["changed"] == 1
    c = r.changed[0]
    assert c.fields == {"speaker": ["G. E. Zinoviev", "Someone else"]} and c.shift == len("Preface. ")


def test_schema_change(tmp_path):
    old = build_records()
    new = json.loads(json.dumps(old))
    for rec in new:
        del rec["unclosed"]
        rec["language"] = "en"
        rec["method"]["entity"] = "registry"
    r = pair(tmp_path, old, new)
    assert r.schema.added == ("language", "method.entity")
    assert r.schema.removed == ("unclosed",)
    assert r.summary["fields_added"] == 2 and r.summary["fields_removed"] == 1
    assert r.changed[0].fields["unclosed"] == [False, None]


def test_partial_schema_change_checks_unchanged_records(tmp_path):
    old = build_records()
    new = json.loads(json.dumps(old))
    new[0]["language"] = "en"
    old[1]["language"] = "en"  # one old record already had it: the field is not new
    new[1]["language"] = "en"
    r = pair(tmp_path, old, new)
    assert r.schema.added == () and r.summary["changed"] == 1


def test_null_evidence_becoming_an_object_is_not_a_schema_change(tmp_path):
    old = build_records()
    for rec in old:
        rec["evidence"]["speaker"] = None
    r = pair(tmp_path, old, build_records())
    assert r.schema.added == () and r.schema.removed == ()


def test_reformatted_lines_are_unchanged(tmp_path):
    old = build_records()
    a = write_version(tmp_path / "a", old)
    b = write_version(tmp_path / "b", old)
    lines = [json.dumps(dict(reversed(list(rec.items())))) for rec in old]
    (b / "data" / "quotations.jsonl").write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    r = diff(a, b)
    assert not r.differs and r.summary["new_records"] == 5


@pytest.mark.parametrize("pending_bytes", [None, 0])
def test_reordered_records_are_unchanged_even_past_the_memory_cap(tmp_path, monkeypatch, pending_bytes):
    # with a zero cap no unmatched line is held in memory: they are re-read from the file
    from quoteprov.versions import read as diff_module  # where the cap is read

    if pending_bytes is not None:
        monkeypatch.setattr(diff_module, "PENDING_BYTES", pending_bytes)
    old = build_records()
    new = list(reversed(with_values(2, footnote=9)))
    r = pair(tmp_path, old, new[1:])  # new[0] is the last record: removed
    assert r.summary["changed"] == 1 and r.changed[0].fields == {"footnote": [2, 9]}
    assert [x["id"] for x in r.removed] == [old[4]["id"]]
    assert r.summary["unchanged"] == 3 and r.summary["added"] == 0


def test_records_files_without_sources_compare_records_only(tmp_path):
    old, new = build_records(), with_values(0, kind="term")
    write_jsonl(tmp_path / "old.jsonl", old)
    write_jsonl(tmp_path / "new.jsonl", new)
    r = diff(tmp_path / "old.jsonl", tmp_path / "new.jsonl")
    assert only_change(r) == {"kind": ["quotation", "term"]} and r.sources == []


def test_removing_first_of_two_same_quotations_renumbers_the_second(tmp_path):
    # ids number repeated words by occurrence: removing the first "yes" gives the second its id
    text = 'He said "yes" twice. Then "yes" again.(1)\n'
    vals = [{"speaker": None, "mention": None, "recipient": None, "kind": "term"}] * 2
    old = build_records(text, vals)
    new_text = 'He said yes twice. Then "yes" again.(1)\n'
    new = build_records(new_text, vals[:1])
    assert new[0]["id"] == old[0]["id"]
    r = pair(tmp_path, old, new, text, new_text)
    assert [x["start"] for x in r.removed] == [old[0]["start"]]
    (c,) = r.changed
    assert c.matched_by == "span" and c.fields == {"id": [old[1]["id"], new[0]["id"]]} and c.shift == -2
    assert r.summary["added"] == 0 and r.summary["reanchored"] == 0


# -- git revisions --------------------------------------------------------------------------

def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with two commits: v1 (tagged v0.1.0) and v2 (a speaker re-attributed,
    a record removed, a sentence added at the top of the source)."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.email", "test@example.invalid")
    git(root, "config", "user.name", "test")
    write_version(root / "dataset", build_records())
    git(root, "add", "dataset")
    git(root, "commit", "-q", "-m", "v1")
    git(root, "tag", "v0.1.0")
    new_text = "Checked against the journal. " + TEXT
    values = [dict(v) for v in BASE]
    values[2]["speaker"] = "Workers' Group"
    new = build_records(new_text, values)
    write_version(root / "dataset", new[:4], new_text)
    git(root, "commit", "-q", "-am", "v2")
    return root


def check_v1_v2(r: DiffResult) -> None:
    assert r.summary["removed"] == 1 and r.summary["changed"] == 1 and r.summary["reanchored"] == 3
    assert r.changed[0].fields == {"speaker": ["G. T. Miasnikov", "Workers' Group"]}
    assert r.sources[0].edits[0].op == "insert"


def test_diff_between_two_git_revisions(repo):
    check_v1_v2(diff("HEAD~1", "HEAD", repo=repo))
    check_v1_v2(diff("v0.1.0", repo=repo))  # against the working tree
    check_v1_v2(diff("HEAD~1:dataset", "HEAD:dataset/data/quotations.jsonl", repo=repo))


def test_git_revision_vs_working_tree_edit(repo):
    path = repo / "dataset" / "data" / "quotations.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[0])
    rec["footnote"] = 9
    lines[0] = json.dumps(rec)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = diff("HEAD", repo=repo)
    assert r.summary["changed"] == 1 and r.changed[0].fields == {"footnote": [1, 9]}
    assert r.sources == [] and r.new_label == "working tree"


def test_cli_git_revisions_and_exit_codes(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    assert main(["diff", "HEAD~1", "HEAD", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"added", "removed", "changed", "reanchored", "summary", "sources", "schema"} <= set(out)
    (c,) = out["changed"]
    assert c["fields"] == {"speaker": ["G. T. Miasnikov", "Workers' Group"]} and c["id"].startswith("tiny:")
    assert out["reanchored"][0]["shift"] == len("Checked against the journal. ")
    assert main(["diff", "HEAD~1", "HEAD", "--exit-code"]) == 1
    assert main(["diff", "HEAD", "HEAD", "--exit-code"]) == 0
    assert main(["diff", "HEAD", "--exit-code"]) == 0  # clean working tree


def test_unknown_revision_is_a_clear_error(repo, capsys):
    assert main(["diff", "no-such-rev", "HEAD", "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert "no-such-rev: neither a file or folder nor a revision" in err and "Traceback" not in err
    with pytest.raises(QuoteprovError, match="has no nowhere"):
        diff("HEAD:nowhere", "HEAD", repo=repo)


def test_not_a_repository(tmp_path, capsys):
    assert main(["diff", "HEAD~1", "--repo", str(tmp_path)]) == 2
    assert "not a git repository" in capsys.readouterr().err


# -- output formats and errors ----------------------------------------------------------------

def test_text_output_summary_first_then_blocks(tmp_path, capsys):
    a = write_version(tmp_path / "a", build_records())
    b = write_version(tmp_path / "b", with_values(2, recipient="Central Committee")[:4])
    assert main(["diff", str(a), str(b), "--exit-code"]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1] == "0 added, 1 removed, 1 changed, 0 re-anchored, 3 unchanged"
    assert '    recipient: "G. E. Zinoviev" -> "Central Committee"' in lines
    assert any(line.startswith("- tiny:") for line in lines)
    assert "\033[" not in out  # not a terminal: no colour


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path, monkeypatch):
    from quoteprov.versions import formats as diff_module

    r = pair(tmp_path, build_records(), build_records()[:4])
    assert "\033[31m" in format_text(r, color=True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert diff_module._use_color()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not diff_module._use_color()


def test_markdown_output(tmp_path, capsys):
    a = write_version(tmp_path / "a", build_records())
    b = write_version(tmp_path / "b", with_values(0, kind="title"))
    assert main(["diff", str(a), str(b), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### quoteprov diff:")
    assert "| 5 \u2192 5 | 0 | 0 | 1 | 0 | 4 | 0 |" in out
    assert "| `kind` | `\"quotation\"` | `\"title\"` |" in out


def test_html_format_calls_the_report_module(tmp_path, capsys, monkeypatch):
    import types

    a = write_version(tmp_path / "a", build_records())
    calls = []
    fake = types.ModuleType("quoteprov.reporting")

    def render_diff_html(result, out_dir, sources=None, records=None):
        calls.append((result, out_dir))
        assert set(sources) == {"tiny"} and len(list(records)) == 5  # the new version, for unchanged records
        return Path(out_dir) / "diff.html"

    fake.render_diff_html = render_diff_html
    monkeypatch.setitem(sys.modules, "quoteprov.reporting", fake)
    assert main(["diff", str(a), str(a), "--format", "html", "--out", str(tmp_path / "r")]) == 0
    assert isinstance(calls[0][0], DiffResult) and calls[0][1] == tmp_path / "r"
    assert capsys.readouterr().out.strip() == str(tmp_path / "r" / "diff.html")
    monkeypatch.setitem(sys.modules, "quoteprov.reporting", None)  # the module is not there
    assert main(["diff", str(a), str(a), "--format", "html"]) == 2
    assert "render_diff_html" in capsys.readouterr().err


def test_bad_records_line_names_file_and_line(tmp_path, capsys):
    a = write_version(tmp_path / "a", build_records())
    b = write_version(tmp_path / "b", build_records())
    with open(b / "data" / "quotations.jsonl", "a", encoding="utf-8") as f:
        f.write("{not json\n")
    assert main(["diff", str(a), str(b)]) == 2
    assert f"{b / 'data' / 'quotations.jsonl'}:6: not valid JSON" in capsys.readouterr().err


def test_folder_without_records_is_an_error(tmp_path, capsys):
    assert main(["diff", str(tmp_path), str(tmp_path)]) == 2
    assert "a folder without data/quotations.jsonl" in capsys.readouterr().err


def test_python_api_is_the_package_function(tmp_path):
    a = write_version(tmp_path / "a", build_records())
    assert isinstance(quoteprov.diff(a, a), DiffResult)
    importlib.import_module("quoteprov.versions")  # a package of another name: the function stays
    assert isinstance(quoteprov.diff(a, a), DiffResult) and callable(quoteprov.diff)


def test_to_json_round_trips_through_json(tmp_path):
    r = pair(tmp_path, build_records(), with_values(3, footnote=5)[1:])
    data = json.loads(json.dumps(r.to_json()))
    assert data["summary"]["removed"] == 1 and data["changed"][0]["fields"] == {"footnote": [2, 5]}
    assert data["removed"][0]["id"] == build_records()[0]["id"]


# -- source edits ---------------------------------------------------------------------------

def test_source_edit_summary_kinds():
    changes, maps = compare_sources({"s": "one two three\nfour\n"}, {"s": "one 2 three\nfour five\n", "t": "x"})
    by_id = {c.id: c for c in changes}
    assert by_id["t"].status == "added"
    ops = [(e.op, e.old_text, e.new_text, e.paragraph) for e in by_id["s"].edits]
    assert ops == [("replace", "two", "2", 0), ("insert", "", " five", 1)]
    assert maps["s"].start(len("one two ")) == len("one 2 ")
    assert maps["s"].start(len("one t")) is None  # an edited character has no new place


# -- CHANGELOG ----------------------------------------------------------------------------------

def test_changelog_from_previous_tag(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    assert main(["changelog", "--version", "0.2.0"]) == 0
    entry = capsys.readouterr().out
    text = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog") and entry in text
    assert entry.startswith("## 0.2.0 (") and "Compared with `v0.1.0`: 5 \u2192 4 quotation records" in entry
    assert "speaker \"G. T. Miasnikov\" \u2192 \"Workers' Group\"" in entry
    # run again: the entry of the same version is replaced, not repeated
    changelog(version="0.2.0", repo=repo, date="2030-01-01")
    text = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.count("## 0.2.0") == 1 and "## 0.2.0 (2030-01-01)" in text


def test_changelog_dry_run_and_since(repo, capsys):
    assert main(["changelog", "--repo", str(repo), "--since", "HEAD", "--dry-run"]) == 0
    assert "No changes to the records." in capsys.readouterr().out
    assert not (repo / "CHANGELOG.md").exists()


def test_changelog_keeps_older_entries():
    old = "# Changelog\n\nIntro.\n\n## 0.1.0 (2026-01-01)\n\nFirst.\n"
    new = update_changelog(old, "## 0.2.0 (2026-02-01)\n\nSecond.\n")
    assert new.index("## 0.2.0") < new.index("## 0.1.0") and "Intro." in new and "First." in new


def test_changelog_without_a_tag(tmp_path, capsys):
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q")
    assert main(["changelog", "--repo", str(root)]) == 2
    err = capsys.readouterr().err
    assert "no release tag yet" in err and "quoteprov release" in err and "Traceback" not in err


# -- property: counts match what was done ---------------------------------------------------------

def synthetic(i: int) -> dict:
    text = f"words number {i} of the test"
    return Record(id=f"syn:{i:010x}:1", source_id="syn", text=text, start=i * 50, end=i * 50 + len(text),
                  paragraph=i, kind="quotation", speaker=f"Speaker {i % 3}").to_dict()


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 25), data=st.data())
def test_counts_match_random_edits(tmp_path_factory, n, data):
    old = [synthetic(i) for i in range(n)]
    fate = data.draw(st.lists(st.sampled_from(["keep", "remove", "speaker", "footnote"]), min_size=n, max_size=n))
    extra = data.draw(st.integers(0, 5))
    new = []
    for rec, what in zip(old, fate):
        if what == "remove":
            continue
        rec = json.loads(json.dumps(rec))
        if what == "speaker":
            rec["speaker"] = "Someone else"
        elif what == "footnote":
            rec["footnote"] = 42
        new.append(rec)
    new += [synthetic(n + j) for j in range(extra)]
    if data.draw(st.booleans()):
        new.reverse()  # order does not matter
    folder = tmp_path_factory.mktemp("v")
    write_jsonl(folder / "old.jsonl", old)
    write_jsonl(folder / "new.jsonl", new)
    r = diff(folder / "old.jsonl", folder / "new.jsonl")
    assert r.summary["removed"] == fate.count("remove") and r.summary["added"] == extra
    assert r.summary["changed"] == fate.count("speaker") + fate.count("footnote")
    assert r.summary["unchanged"] == fate.count("keep") and r.summary["reanchored"] == 0
    for c in r.changed:
        assert list(c.fields) in (["speaker"], ["footnote"]) and c.matched_by == "id"


@pytest.mark.parametrize("field,value,kind", [("text", ["a", "list"], "a list"), ("source_id", ["tiny"], "a list"),
                                              ("start", "3", "a string"), ("end", True, "true or false"),
                                              ("text", {"a": 1}, "an object")])
@pytest.mark.parametrize("which", ["old", "new"])
def test_a_field_records_align_by_of_another_type_is_a_clear_error(tmp_path, capsys, field, value, kind, which):
    # (issue 15) a list in `text` or `source_id` made the alignment hash it: a traceback
    bad = build_records()
    bad[1] = {**bad[1], field: value, "id": bad[1]["id"] + "x"}  # its line differs: it is parsed
    versions = {"old": build_records(), "new": build_records()}
    versions[which] = bad
    a = write_version(tmp_path / "old", versions["old"])
    b = write_version(tmp_path / "new", versions["new"])
    assert main(["diff", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("quoteprov diff: error: ") and "Traceback" not in err
    assert f"quotations.jsonl:2: {field} must be " in err and f"got {kind}" in err
    with pytest.raises(QuoteprovError, match=f"{field} must be"):
        diff(a, b)
