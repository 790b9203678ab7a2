"""`quoteprov add` on a raw Project Gutenberg file: an excerpt of Russell 1920 (ebook 17350) put
back into the form Gutenberg distributes it in (header, transcriber's box, lines wrapped at 70
columns, an indented block quotation, a footnote and its FOOTNOTES section, the end line and
the licence; Latin-1, CRLF) by `tests/fixtures/make_gutenberg_raw.py` from the project's
development text, whose words it keeps unchanged."""
import json
import re

import pytest
from conftest import ROOT

from quoteprov.cli import main
from quoteprov.importer import add, decode, prepare
from quoteprov.pipeline import extract
from quoteprov.source import read_manifest, read_source

RAW = ROOT / "tests" / "fixtures" / "gutenberg-raw-russell-part.txt"
META = dict(title="The Practice and Theory of Bolshevism", author="Bertrand Russell", year=1920,
            publication="London: George Allen & Unwin, 1920", origin="Project Gutenberg ebook 17350",
            rights="Public domain")


def _raw_book() -> str:
    """The raw file's book part, read independently of the importer: between the start and end
    lines, without the transcriber's box, the producers' credit and the notes heading."""
    text = RAW.read_bytes().decode("latin-1").replace("\r\n", "\n")
    text = text.split("*** START OF", 1)[1].split("\n", 1)[1]
    text = text.split("*** END OF", 1)[0]
    text = text[:text.rindex("End of the Project Gutenberg")]
    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    keep = [p for p in paras if not p.strip().startswith(("+", "|", "Produced by")) and p.strip() != "FOOTNOTES:"]
    return "\n\n".join(keep)


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    ds = tmp_path_factory.mktemp("ds")
    summary = add(RAW, id="russell-1920-part", dataset=ds, **META)
    return ds, summary


def test_the_fixture_is_what_a_raw_gutenberg_file_is():
    data = RAW.read_bytes()
    assert b"\r\n" in data and b"*** START OF" in data and b"Project Gutenberg-tm" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # Latin-1, not UTF-8


def test_add_strips_the_licence_and_keeps_every_word_in_order(added):
    ds, summary = added
    out = (ds / "sources" / "russell-1920-part.txt").read_bytes().decode("utf-8")
    assert "\r" not in out and "Gutenberg" not in out and "START OF" not in out
    words = [w for w in out.split() if w != "NOTES"]
    assert words == _raw_book().split()
    assert "rôle" in out  # decoded as Latin-1
    p = summary.prepared
    assert p.encoding == "latin-1" and p.gutenberg and p.crlf > 0 and p.lines_joined > 0


def test_add_joins_wrapped_lines_into_one_paragraph_per_line(added):
    ds, _ = added
    out = (ds / "sources" / "russell-1920-part.txt").read_text(encoding="utf-8").split("\n")
    raw_paragraphs = [p for p in re.split(r"\n\s*\n", _raw_book()) if p.strip()]
    # every paragraph of the raw book is one line of the output (its lines joined by spaces)
    joined = {" ".join(p.split()) for p in raw_paragraphs}
    assert {" ".join(line.split()) for line in out if line.strip() and line != "NOTES"} <= joined | {
        " ".join(line.split()) for line in out if line.startswith("[")}
    assert max(len(line) for line in out) > 500  # the long paragraphs are no longer wrapped


def test_block_quotation_kept_as_its_own_paragraph_and_listed_in_the_manifest(added):
    ds, summary = added
    entry = read_manifest(ds / "sources")[0]
    raw_blocks = [p for p in re.split(r"\n\s*\n", _raw_book())
                  if all(line.startswith("    ") for line in p.split("\n") if line.strip())
                  and len(p.strip().split("\n")) > 1]  # several indented lines of prose
    assert len(entry["blocks"]) == len(raw_blocks) == len(summary.prepared.blocks) >= 1
    lines = (ds / "sources" / "russell-1920-part.txt").read_text(encoding="utf-8").split("\n")
    for b, raw in zip(entry["blocks"], raw_blocks):
        assert lines[b].startswith(" ")  # the indentation is kept
        assert lines[b].split() == raw.split()  # and the words, unchanged


def test_block_quotation_becomes_a_record_attributed_like_any_other(added):
    ds, _ = added
    entry = read_manifest(ds / "sources")[0]
    source = read_source(ds / "sources" / entry["file"], entry["id"], entry)
    records = extract(source)
    blocks = [r for r in records if r.method["span"] == "block-indent"]
    assert [r.paragraph for r in blocks] == entry["blocks"]
    for r in blocks:
        lo, hi = source.paragraphs[r.paragraph]
        assert r.text == source.text[lo:hi].strip() and source.text[r.start:r.end] == r.text
        assert not r.unclosed and r.kind in ("quotation", "term", "title")
        # quotations marked inside the block are nested in it
        inner = [x for x in records if r.start <= x.start and x.end <= r.end and x is not r]
        assert inner and all(x.nested_in for x in inner)
        assert {x.nested_in for x in inner if x.nested_in == r.id}


def test_notes_section_is_read_as_notes_by_the_source_reader(added):
    ds, summary = added
    entry = read_manifest(ds / "sources")[0]
    source = read_source(ds / "sources" / entry["file"], entry["id"], entry)
    assert summary.prepared.notes == 1
    assert source.notes[4].startswith("In _Theses_")
    body = next(i for i, (s, e) in enumerate(source.paragraphs) if "moribund.[4]" in source.text[s:e])
    assert source.is_body(body) and source.note(4, body) == source.notes[4]
    records = extract(source)
    # nothing quoted inside the note (its carried-on quotation paragraphs included) is a record
    assert all(source.is_body(r.paragraph) for r in records)
    note_lines = [i for i in source.note_paragraphs if source.text[slice(*source.paragraphs[i])].startswith('"')]
    assert note_lines


def test_footnote_blocks_numbered_per_chapter_give_one_notes_section_per_chapter(tmp_path):
    raw = ("CHAPTER I\r\n\r\nHe said it was \"enough\" and left.[1] Then\r\nhe came back.[2]\r\n\r\n"
           "[Footnote 1: The first note of the first\r\nchapter.]\r\n\r\n[Footnote 2: Its second note.]\r\n\r\n"
           "CHAPTER II\r\n\r\nShe wrote \"never again\" in\r\nher diary.[1]\r\n\r\n"
           "[Footnote 1: The first note of the\r\nsecond chapter.]\r\n")
    p = prepare(raw.encode("cp1252"))
    assert p.notes == 3 and p.note_sections == 2
    from quoteprov.source import make_source
    s = make_source(p.text, "t")
    lines = p.text.split("\n")
    assert "[1] The first note of the first chapter." in lines and "[1] The first note of the second chapter." in lines
    first_body = next(i for i, line in enumerate(lines) if "enough" in line)
    second_body = next(i for i, line in enumerate(lines) if "never again" in line)
    assert s.note(1, first_body) == "The first note of the first chapter."
    assert s.note(1, second_body) == "The first note of the second chapter."
    assert [len(sec.notes) for sec in s.note_sections] == [2, 1]
    assert lines.index("CHAPTER II") > lines.index("[2] Its second note.")  # notes stay in their chapter


def test_encoding_detection_and_a_told_encoding():
    assert decode("caf\u00e9 \u201cyes\u201d".encode("utf-8"))[1] == "utf-8"
    text, enc, _ = decode("caf\u00e9 \u201cyes\u201d".encode("cp1252"))
    assert enc == "cp1252" and text == "caf\u00e9 \u201cyes\u201d"
    assert decode("caf\u00e9".encode("latin-1"))[1] == "latin-1"
    assert decode("caf\u00e9".encode("latin-1"), "iso-8859-1")[:2] == ("caf\u00e9", "latin-1")


def test_cli_add_prints_what_it_did_and_refuses_a_second_import(tmp_path, capsys):
    args = ["add", str(RAW), "--id", "r", "--dataset", str(tmp_path)] + [
        x for k, v in META.items() for x in (f"--{k}", str(v))]
    assert main(args) == 0
    out = capsys.readouterr().out
    for word in ("encoding: latin-1", "block quotations", "notes: 1", "wrapped lines joined", "stripped"):
        assert word in out
    assert main(args) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(args + ["--replace"]) == 0
    assert len(json.loads((tmp_path / "sources" / "manifest.json").read_text())) == 1
    assert main(["add", str(tmp_path / "missing.txt"), "--id", "x"] + args[4:]) == 2
