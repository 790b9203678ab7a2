"""`quoteprov report` and `render_diff_html`: the static HTML viewer.

Two kinds of tests:

- on the HTML itself (parsed with the standard library): the markup tree, escaping, footnote
  links, corrections, the diff marks, the command line. They use the hand-made dataset in
  tests/fixtures/report/dataset (schema-valid records with known speakers, a nested term, an
  evidence span that crosses the end of a quotation, a block quotation over two lines), so they
  do not depend on the extractor;
- in headless Chromium (the Debian package, driven by Playwright): the seed dataset built into
  a temporary folder, and the fixture. They check properties that hold whatever the extractor
  finds. They skip only outside CI when Chromium or Playwright is missing; with CI set, that is a
  failure.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import struct
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import pytest
from hypothesis import given, settings, strategies as st

import quoteprov
from quoteprov.build_cmd import build
from quoteprov.cli import main
from quoteprov.records import selector_context
from quoteprov.reporting import markup_tree, render_diff_html, report
from quoteprov.schema import schema_errors
from quoteprov.store import read_jsonl, write_jsonl

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "dataset"
RECORDS = read_jsonl(FIXTURE / "data" / "quotations.jsonl")
TEXT = (FIXTURE / "sources" / "ciliga-test.txt").read_text(encoding="utf-8")
PAGE = "sources/ciliga-test.html"


# ---------------------------------------------------------------------------------------------
# a tiny DOM from the standard library's parser, to check the structure of the pages

VOID = {"meta", "br", "input", "link", "img", "hr"}


class El:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "El | None") -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[El | str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator["El"]:
        for c in self.children:
            if isinstance(c, El):
                yield c
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list["El"]:
        return [e for e in self.iter() if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
                and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def ancestors(self) -> Iterator["El"]:
        e = self.parent
        while e is not None:
            yield e
            e = e.parent


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = El("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = El(tag, dict(attrs), self.cur)
        self.cur.children.append(el)
        if tag not in VOID:
            self.cur = el

    def handle_endtag(self, tag: str) -> None:
        e: El | None = self.cur
        while e is not None and e.tag != tag:
            e = e.parent
        assert e is not None, f"</{tag}> closes nothing"
        assert e is self.cur, f"</{tag}> closes <{self.cur.tag}> too: the markup crosses"
        self.cur = e.parent or self.root

    def handle_data(self, data: str) -> None:
        self.cur.children.append(data)


def parse(html: str) -> El:
    b = _Builder()
    b.feed(html)
    b.close()
    assert b.cur is b.root, f"<{b.cur.tag}> is never closed"
    return b.root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    assert report(FIXTURE, out) == out / "index.html"
    return out


@pytest.fixture(scope="module")
def dom(site: Path) -> El:
    return parse((site / PAGE).read_text(encoding="utf-8"))


def quotes(dom: El) -> list[El]:
    main_ = dom.find_all("main")[0]
    return [e for e in main_.iter() if "q" in e.classes]


# ---------------------------------------------------------------------------------------------
# the markup tree


def _check_tree(node: Any, length: int, cover: dict[Any, set[int]]) -> None:
    pos = node.start
    for child in node.children:
        assert node.start <= child.start <= child.end <= node.end
        assert child.start >= pos, "children overlap"
        pos = child.end
        cover.setdefault(child.payload, set()).update(range(child.start, child.end))
        _check_tree(child, length, cover)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(st.just(n), st.lists(
    st.tuples(st.integers(0, n), st.integers(0, n), st.integers(0, 2)), max_size=25))))
def test_markup_tree_never_crosses_and_covers_every_range(case: tuple[int, list[tuple[int, int, int]]]) -> None:
    length, raw = case
    ranges = [(min(a, b), max(a, b), layer, (i, layer)) for i, (a, b, layer) in enumerate(raw)]
    root = markup_tree(length, ranges)
    cover: dict[Any, set[int]] = {}
    _check_tree(root, length, cover)
    for s, e, _layer, payload in ranges:
        # every range is present, split or not, and its pieces cover exactly its code points
        assert cover.get(payload, set()) == set(range(s, e))


def test_markup_tree_keeps_earlier_layers_whole() -> None:
    # a quotation [2, 8) and an evidence span [5, 12) that runs past its end: the quotation stays
    # one element, the evidence is cut at 8
    root = markup_tree(20, [(0, 20, 0, "p"), (2, 8, 1, "q"), (5, 12, 2, "ev")])
    (p,) = root.children
    q, ev_after = p.children
    assert (q.start, q.end, q.payload) == (2, 8, "q")
    assert [(c.start, c.end, c.payload) for c in q.children] == [(5, 8, "ev")]
    assert (ev_after.start, ev_after.end, ev_after.payload) == (8, 12, "ev")


# ---------------------------------------------------------------------------------------------
# the page of a source (hand-made fixture)


def test_fixture_records_are_schema_valid_and_match_the_text() -> None:
    for r in RECORDS:
        assert schema_errors("quotations", r) == []
        assert TEXT[r["start"]:r["end"]] == r["text"]


def test_every_record_is_a_highlighted_element_with_its_id(dom: El) -> None:
    qs = quotes(dom)
    assert {e.attrs["data-id"] for e in qs} == {r["id"] for r in RECORDS}
    anchors = [e for e in qs if e.attrs.get("id")]
    assert len(anchors) == len(RECORDS), "exactly one anchor (and tab stop) per record"
    assert all(e.attrs.get("tabindex") == "0" and e.attrs.get("aria-describedby") for e in anchors)
    for e in qs:  # the highlighted words are the record's words (or a piece of them)
        rec = next(r for r in RECORDS if r["id"] == e.attrs["data-id"])
        assert e.text() in rec["text"]


def test_nested_quotation_is_inside_its_parent(dom: El) -> None:
    by_id = {e.attrs["data-id"]: e for e in quotes(dom) if e.attrs.get("id")}
    nested = [r for r in RECORDS if r["nested_in"]]
    assert nested
    for r in nested:
        assert by_id[r["nested_in"]] in by_id[r["id"]].ancestors()


def test_evidence_crossing_a_quotation_is_split_at_its_end(dom: El) -> None:
    cue = next(r for r in RECORDS if r["text"] == "a sham.")["evidence"]["cue"]
    parent = next(r for r in RECORDS if r["text"].startswith("the word"))
    assert cue["start"] < parent["end"] < cue["end"]  # the fixture's crossing span
    pieces = [e for e in dom.find_all("span", cls="ev-cue") if e.text() in cue["text"] and e.text()]
    assert "".join(p.text() for p in pieces) == cue["text"]
    inside = [p for p in pieces if any(a.attrs.get("data-id") == parent["id"] for a in p.ancestors())]
    assert [p.text() for p in inside] == ["lie"]


def test_block_quotation_over_two_lines_is_split_per_paragraph(dom: El) -> None:
    rec = next(r for r in RECORDS if "\n" in r["text"])
    pieces = [e for e in quotes(dom) if e.attrs["data-id"] == rec["id"]]
    assert [p.text() for p in pieces] == rec["text"].split("\n")
    assert [p.parent.tag for p in pieces] == ["p", "p"] and pieces[0].parent is not pieces[1].parent
    assert pieces[0].attrs.get("id") and not pieces[1].attrs.get("id")


def test_text_and_values_never_become_markup(site: Path, dom: El) -> None:
    html = (site / PAGE).read_text(encoding="utf-8")
    assert not dom.find_all("main")[0].find_all("b"), "<b> of the source text became an element"
    assert not [b for b in dom.find_all("b") if "bread" in b.text()]
    assert "<b>bread</b>" in dom.find_all("main")[0].text()
    assert "&lt;b&gt;bread&lt;/b&gt;" in html
    assert dom.find_all("title")[0].text().startswith("Made-up test text <with markup> & ampersand")
    assert len(dom.find_all("script")) == 1


def test_page_is_self_contained(site: Path) -> None:
    for page in [site / "index.html", site / PAGE]:
        html = page.read_text(encoding="utf-8")
        d = parse(html)
        assert not re.search(r"https?://|//[a-z]", html, re.I), "a network address in the page"
        assert not [e for e in d.iter() if e.tag in ("link", "img", "iframe") or (e.tag == "script" and "src" in e.attrs)]
        # the inline script is the one allowed by the Content-Security-Policy's hash
        csp = next(e.attrs["content"] for e in d.find_all("meta") if e.attrs.get("http-equiv") == "Content-Security-Policy")
        assert "default-src 'none'" in csp
        script = d.find_all("script")[0].text()
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        assert f"script-src 'sha256-{digest}'" in csp


def test_speakers_have_labels_colours_and_counts(site: Path, dom: El) -> None:
    buttons = dom.find_all("button", cls="spk")
    names = {b.find_all("span", cls="spk-name")[0].text(): b for b in buttons}
    assert set(names) == {"Ante Ciliga", "G. T. Miasnikov", "V. I. Lenin", "no speaker"}
    for name, b in names.items():
        n = sum(1 for r in RECORDS if (r["speaker"] or "no speaker") == name)
        assert b.find_all("span", cls="count")[0].text() == str(n)
    css = dom.find_all("style")[0].text()
    colours = {k: re.search(r"\.s-%s \{ --bg: (#[0-9a-f]{6})" % b.attrs["data-sk"], css) for k, b in names.items()
               if k != "no speaker"}
    assert all(colours.values()) and len({m.group(1) for m in colours.values()}) == 3
    for e in quotes(dom):  # the label drawn before a span is the speaker's number: readable without colour
        rec = next(r for r in RECORDS if r["id"] == e.attrs["data-id"])
        label = "" if rec["speaker"] is None else names[rec["speaker"]].attrs["data-sk"]
        if (rec["confidence"]["speaker"] or 1) < 0.5:  # an uncertain speaker: "?" after its number
            label += "?"
        assert e.attrs["data-label"] == label
        assert f"k-{rec['kind']}" in e.classes


def test_card_shows_values_evidence_corrections_and_id(dom: El) -> None:
    rec = next(r for r in RECORDS if r["corrections"])
    e = next(q for q in quotes(dom) if q.attrs["data-id"] == rec["id"] and q.attrs.get("id"))
    card = dom.find_all("div", id=e.attrs["aria-describedby"])[0]
    text = card.text()
    for value in (rec["kind"], rec["speaker"], rec["recipient"], str(rec["footnote"]), rec["id"],
                  rec["corrections"][0]["reason"], rec["corrections"][0]["raw"]):
        assert value in text
    for role in ("speaker", "cue", "recipient", "marker"):
        assert rec["evidence"][role]["text"] in text
    assert "corrected" in text and "corrected" in e.classes
    # evidence is underlined in the text, marked with the records it backs
    n = e.attrs["data-n"]
    for role in ("speaker", "cue", "recipient"):
        assert any(n in el.attrs["data-ns"].split() for el in dom.find_all(cls=f"ev-{role}") if el.attrs.get("data-ns"))


def test_card_shows_the_confidence_beside_each_value(dom: El) -> None:
    """"Name · 0.93" on the Speaker and Recipient lines; below 0.5 the card says "uncertain" and
    the span in the text is marked (a "?" after its label, see above); no confidence, no figure."""
    seen = {"high": 0, "low": 0, "none": 0}
    for rec in RECORDS:
        e = next(q for q in quotes(dom) if q.attrs["data-id"] == rec["id"] and q.attrs.get("id"))
        card = dom.find_all("div", id=e.attrs["aria-describedby"])[0]
        lines = {dt.text(): dd for dt, dd in zip(card.find_all("dt"), card.find_all("dd"))}
        for role in ("speaker", "recipient"):
            p, line = rec["confidence"][role], lines[role.capitalize()]
            shown = line.find_all("span", cls="conf")
            if p is None:
                assert shown == [] and "·" not in line.text()
                seen["none"] += rec[role] is not None
                continue
            assert f"{rec[role]} · {p:g}" in " ".join(line.text().split())
            low = p < 0.5
            assert ("low" in shown[0].classes) is low and bool(line.find_all(cls="unsure")) is low
            assert ("uncertain" in line.text()) is low
            seen["low" if low else "high"] += 1
        assert ("unsure" in e.classes) is ((rec["confidence"]["speaker"] or 1) < 0.5)
    assert all(seen.values()), f"the fixture lacks a case: {seen}"


def test_footnote_markers_link_to_the_records_they_document(dom: El) -> None:
    anchors = {e.attrs["data-id"]: e.attrs["id"] for e in quotes(dom) if e.attrs.get("id")}
    for number in {r["footnote"] for r in RECORDS if r["footnote"]}:
        markers = dom.find_all("a", cls="ev-marker", href=f"#note-{number}")
        assert markers, f"marker of note {number} is not a link"
        note = dom.find_all("li", id=f"note-{number}")[0]
        links = {a.attrs["href"] for a in note.find_all("a")}
        assert links == {"#" + anchors[r["id"]] for r in RECORDS if r["footnote"] == number}


def test_index_lists_sources_with_counts(site: Path) -> None:
    d = parse((site / "index.html").read_text(encoding="utf-8"))
    row = next(tr for tr in d.find_all("tr") if tr.find_all("a"))
    assert row.find_all("a")[0].attrs["href"] == PAGE and (site / PAGE).exists()
    cells = [td.text() for td in row.find_all("td")]
    assert str(len(RECORDS)) in cells
    assert cells[2:5] == [str(sum(r["kind"] == k for r in RECORDS)) for k in ("quotation", "term", "title")]


def test_stale_source_text_is_reported(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    shutil.copytree(FIXTURE, ds)
    path = ds / "sources" / "ciliga-test.txt"
    path.write_text("Preface. " + TEXT, encoding="utf-8")
    report(ds, tmp_path / "out")
    html = (tmp_path / "out" / PAGE).read_text(encoding="utf-8")
    assert "source text changed since the data was built" in html
    assert "differs from the record" in html


def test_record_outside_the_text_is_listed_as_a_problem(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    shutil.copytree(FIXTURE, ds)
    bad = dict(RECORDS[0], id="ciliga-test:ffffffffff:1", start=len(TEXT) + 5, end=len(TEXT) + 9)
    write_jsonl(ds / "data" / "quotations.jsonl", RECORDS + [bad])
    report(ds, tmp_path / "out")
    d = parse((tmp_path / "out" / PAGE).read_text(encoding="utf-8"))
    problems = d.find_all("section", cls="problems")[0]
    (el,) = [e for e in problems.iter() if e.attrs.get("data-id") == bad["id"]]
    assert el.text() == f"“{bad['text']}”" and el.attrs["tabindex"] == "0"
    assert "lie outside the source text" in dom_card(d, bad["id"], anywhere=True)
    assert bad["id"] not in {e.attrs["data-id"] for e in quotes(d)}


def test_records_of_an_unknown_source_are_listed(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    shutil.copytree(FIXTURE, ds)
    write_jsonl(ds / "data" / "quotations.jsonl", RECORDS + [dict(RECORDS[0], source_id="lost-source")])
    report(ds, tmp_path / "out")
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "lost-source" in html and "Records without a source text" in html


# ---------------------------------------------------------------------------------------------
# command line and Python API


def test_cli_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--dataset", str(FIXTURE), "--out", str(tmp_path / "r")]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {tmp_path / 'r' / 'index.html'}"
    assert (tmp_path / "r" / PAGE).exists()
    # the Python API of the same name (callable whether `quoteprov.report` is bound to the function
    # or, once imported, to the module)
    assert quoteprov.report(dataset=FIXTURE, out=tmp_path / "api") == tmp_path / "api" / "index.html"
    assert (tmp_path / "api" / PAGE).read_bytes() == (tmp_path / "r" / PAGE).read_bytes()


def test_cli_report_without_data_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ds = tmp_path / "ds"
    shutil.copytree(FIXTURE / "sources", ds / "sources")
    assert main(["report", "--dataset", str(ds), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "quotations.jsonl: no such file" in err and "quoteprov build" in err and "Traceback" not in err
    assert main(["report", "--dataset", str(tmp_path / "nowhere")]) == 2
    assert "not a dataset folder" in capsys.readouterr().err
    (ds / "data").mkdir()
    (ds / "data" / "quotations.jsonl").write_text("{not json\n", encoding="utf-8")
    assert main(["report", "--dataset", str(ds), "--out", str(tmp_path / "r")]) == 2
    assert "not valid JSON Lines" in capsys.readouterr().err


def test_cli_report_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["report", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--out DIR" in out and "--dataset DIR" in out


# ---------------------------------------------------------------------------------------------
# the diff view


def _shifted(rec: dict[str, Any], text: str, by: int) -> dict[str, Any]:
    """The record as it is after `by` characters were inserted at the top of its source."""
    r = json.loads(json.dumps(rec))
    r["start"] += by
    r["end"] += by
    for ev in r["evidence"].values():
        if ev:
            ev["start"] += by
            ev["end"] += by
    r["selectors"]["position"].update(start=r["start"], end=r["end"])
    r["selectors"]["quote"]["prefix"], r["selectors"]["quote"]["suffix"] = selector_context(text, r["start"], r["end"])
    return r


def _new_version(tmp_path: Path) -> tuple[Path, str]:
    """The fixture with a sentence (itself quoting "new") inserted at the top, Lenin's quotation
    re-attributed, the title removed and the new quotation added."""
    lead = 'A "new" preface. '
    text = lead + TEXT
    new = [_shifted(r, text, len(lead)) for r in RECORDS if r["kind"] != "title"]
    lenin = next(r for r in new if r["speaker"] == "V. I. Lenin")
    lenin["speaker"] = "Lenin's secretary <i>"
    added = _shifted(RECORDS[0], text, 0)
    added.update(id="ciliga-test:0123456789:1", text="new", start=3, end=6, speaker=None, footnote=None, kind="term",
                 evidence={"speaker": None, "cue": None, "recipient": None, "marker": None}, corrections=[])
    added["selectors"]["position"].update(start=3, end=6)
    added["selectors"]["quote"].update(exact="new", prefix='A "', suffix='" preface. ' + TEXT[:22])
    assert schema_errors("quotations", added) == []
    ds = tmp_path / "new"
    shutil.copytree(FIXTURE, ds)
    (ds / "sources" / "ciliga-test.txt").write_text(text, encoding="utf-8")
    write_jsonl(ds / "data" / "quotations.jsonl", sorted(new + [added], key=lambda r: (r["start"], -r["end"])))
    return ds, text


def _field(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _check_diff_page(out: Path, result: Any, get: Any) -> El:
    d = parse((out / PAGE).read_text(encoding="utf-8"))
    marked = {e.attrs["data-id"]: e.attrs.get("data-status") for e in quotes(d)}
    for r in get(result, "added"):
        assert marked[r["id"]] == "added"
    for name in ("changed", "reanchored"):
        for c in get(result, name):
            assert marked[get(c, "id")] == name
    removed = d.find_all("section", id="removed")[0].text()
    for r in get(result, "removed"):
        assert r["id"] in removed and r["text"] in removed
    return d


def test_diff_page_marks_each_kind_of_change(tmp_path: Path) -> None:
    """With the real `quoteprov.diff`: every added, changed and re-anchored record is marked in
    the new text; removed ones are listed; the re-attribution is shown old -> new, escaped."""
    from quoteprov.versions import diff

    new_ds, _ = _new_version(tmp_path)
    result = diff(FIXTURE, new_ds)
    assert result.added and result.removed and result.changed and result.reanchored
    out = tmp_path / "html"
    assert render_diff_html(result, out, sources=new_ds) == out / "index.html"
    d = _check_diff_page(out, result, _field)
    # unchanged records come from the dataset folder given as sources: every new record is shown
    assert {e.attrs["data-id"] for e in quotes(d)} == {r["id"] for r in read_jsonl(new_ds / "data" / "quotations.jsonl")}
    html = (out / PAGE).read_text(encoding="utf-8")
    assert "Lenin&#39;s secretary &lt;i&gt;" in html
    assert not [e for e in d.find_all("i") if "secretary" in e.text()]
    index = parse((out / "index.html").read_text(encoding="utf-8")).text()
    assert "ciliga-test" in index and "inserted" in index  # the source edit's summary


def test_cli_diff_format_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`quoteprov diff OLD NEW --format html` (wired in diff.py) writes these pages."""
    from quoteprov.versions import diff

    new_ds, _ = _new_version(tmp_path)
    out = tmp_path / "html"
    assert main(["diff", str(FIXTURE), str(new_ds), "--format", "html", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out / "index.html")
    d = _check_diff_page(out, diff(FIXTURE, new_ds), _field)
    assert d.find_all("h1")[0].text() == "Made-up test text <with markup> & ampersand"
    assert {e.attrs["data-id"] for e in quotes(d)} == {r["id"] for r in read_jsonl(new_ds / "data" / "quotations.jsonl")}


def test_diff_page_from_duck_typed_and_json_results(tmp_path: Path) -> None:
    """A hand-made result object, and the JSON form (`--format json`), render the same marks."""
    new_ds, text = _new_version(tmp_path)
    new = {r["id"]: r for r in read_jsonl(new_ds / "data" / "quotations.jsonl")}
    old = {r["id"]: r for r in RECORDS}
    added = [new["ciliga-test:0123456789:1"]]
    removed = [r for r in RECORDS if r["kind"] == "title"]
    lenin = next(r for r in RECORDS if r["speaker"] == "V. I. Lenin")["id"]
    changed = [SimpleNamespace(id=lenin, old=old[lenin], new=new[lenin],
                               fields={"speaker": ["V. I. Lenin", new[lenin]["speaker"]], "start": [old[lenin]["start"], new[lenin]["start"]]})]
    moved = [SimpleNamespace(id=i, old=old[i], new=new[i]) for i in new if i in old and i != lenin]
    result = SimpleNamespace(added=added, removed=removed, changed=changed, reanchored=moved, sources=[],
                             summary={"added": 1, "removed": 1, "changed": 1, "reanchored": len(moved)})
    out = tmp_path / "a"
    render_diff_html(result, out, sources={"ciliga-test": text}, records=new.values())
    d = _check_diff_page(out, result, _field)
    card = dom_card(d, lenin)
    assert "V. I. Lenin" in card and "Lenin's secretary <i>" in card and "→" in card
    # the JSON form: changed entries carry only id and fields; the records come from `records`
    as_json = {"added": added, "removed": removed, "summary": result.summary, "sources": [],
               "changed": [{"id": lenin, "fields": changed[0].fields}],
               "reanchored": [{"id": m.id, "shift": 17, "fields": {}} for m in moved]}
    out2 = tmp_path / "b"
    render_diff_html(as_json, out2, sources={"ciliga-test": text}, records=new.values())
    _check_diff_page(out2, as_json, _field)
    # without the new records, only the changes are highlighted, and the index says so
    out3 = tmp_path / "c"
    render_diff_html(result, out3, sources={"ciliga-test": text})
    d3 = _check_diff_page(out3, result, _field)
    assert len({e.attrs["data-id"] for e in quotes(d3)}) == 1 + 1 + len(moved)
    assert "unchanged records were not given" in (out3 / "index.html").read_text(encoding="utf-8")


def test_diff_of_a_source_without_text_lists_its_records(tmp_path: Path) -> None:
    rec = dict(RECORDS[0], source_id="gone")
    result = SimpleNamespace(added=[rec], removed=[dict(RECORDS[1], source_id="gone")], changed=[], reanchored=[],
                             sources=[{"id": "gone", "status": "removed", "summary": "source removed"}], summary={})
    render_diff_html(result, tmp_path, sources={})
    html = (tmp_path / "sources" / "gone.html").read_text(encoding="utf-8")
    assert "source text was not given" in html and rec["id"] in html and RECORDS[1]["id"] in html


def dom_card(d: El, record_id: str, anywhere: bool = False) -> str:
    """The text of a record's card (the element described by its highlighted span)."""
    spans = [e for e in d.iter() if "q" in e.classes and e.attrs.get("data-id")] if anywhere else quotes(d)
    e = next(q for q in spans if q.attrs["data-id"] == record_id and (anywhere or q.attrs.get("id")))
    return d.find_all("div", id=e.attrs["aria-describedby"])[0].text()


# ---------------------------------------------------------------------------------------------
# in the browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def _require_browser(chromium: Path) -> None:
    """Skip when Chromium or Playwright is missing, except in CI, where that is a failure."""
    problem = None
    if not chromium.exists():
        problem = f"no Chromium at {chromium} (apt-get install chromium chromium-driver)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing (pip install -e '.[test]')"
    if problem:
        if _in_ci():
            pytest.fail(f"CI is set and the browser tests cannot run: {problem}")
        pytest.skip(problem)


@pytest.mark.parametrize("ci", ["true", ""])
def test_missing_browser_fails_in_ci_and_skips_elsewhere(ci: str, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception if ci else pytest.skip.Exception, match="no Chromium"):
        _require_browser(tmp_path / "chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_browser(CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Opened:
    """A page opened in the browser, with what it requested and any script error."""

    def __init__(self, browser: Any, path: Path, width: int = 1280, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)

    def close(self) -> None:
        assert self.errors == [], self.errors
        assert self.requests == [self.url], f"the page loaded something: {self.requests}"
        self.context.close()


@pytest.fixture
def opened(browser: Any) -> Iterator[Any]:
    pages: list[Opened] = []

    def open_(path: Path, **kw: Any) -> Opened:
        pages.append(Opened(browser, path, **kw))
        return pages[-1]

    yield open_
    for p in pages:
        p.close()


def _built_from_these_sources(ds: Path) -> bool:
    """True when the dataset's data files were built from its current source texts."""
    try:
        rows = {r["id"]: r for r in read_jsonl(ds / "data" / "sources.jsonl")}
        texts = {s["id"]: (ds / "sources" / s["file"]).read_bytes()
                 for s in json.loads((ds / "sources" / "manifest.json").read_text(encoding="utf-8"))}
    except (OSError, ValueError, KeyError):
        return False
    return bool(texts) and all(sid in rows and rows[sid].get("sha256") == hashlib.sha256(t).hexdigest()
                               for sid, t in texts.items())


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The seed dataset and its report: the repository's dataset/ read as it is when its data
    was built from its current sources, else built from its sources into a temporary folder."""
    tmp = tmp_path_factory.mktemp("seed")
    ds = project = Path(__file__).resolve().parent.parent / "dataset"
    if not _built_from_these_sources(ds):
        ds = tmp / "dataset"
        shutil.copytree(project, ds, ignore=shutil.ignore_patterns("data"))
        build(ds)
    records = read_jsonl(ds / "data" / "quotations.jsonl")
    assert records, "the seed has quotations"
    sources = json.loads((ds / "sources" / "manifest.json").read_text(encoding="utf-8"))
    report(ds, tmp / "report")
    return tmp / "report" / "sources" / f"{sources[0]['id']}.html", [r for r in records if r["source_id"] == sources[0]["id"]]


def _hover(page: Any, n: int) -> None:
    """Move the mouse onto a point of record n's span that is not covered by a nested span."""
    point = page.evaluate("""n => {
        const el = document.getElementById('r-' + n);
        el.scrollIntoView({block: 'center', behavior: 'instant'});
        for (const r of el.getClientRects()) {
            for (let x = r.left + 2; x < r.right; x += 4) {
                const y = (r.top + r.bottom) / 2, hit = document.elementFromPoint(x, y);
                if (hit && hit.closest('.q[data-n]') === el) return [x, y];
            }
        }
        return null; }""", n)
    assert point, f"record {n} has no visible point of its own"
    page.mouse.move(point[0], point[1])


def _tip(page: Any) -> str:
    page.wait_for_selector("#tip:not([hidden])", timeout=5000)
    return page.inner_text("#tip")


def _assert_card_of(tip: str, rec: dict[str, Any]) -> None:
    """The card shown is this record's: its id, and its speaker on the Speaker line."""
    assert rec["id"] in tip, tip
    assert re.search(r"Speaker\s+(\d+\s+)?" + re.escape(rec["speaker"] or "none"), tip), tip


def _state(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("""() => [...document.querySelectorAll('main .q[data-n]')].map(e => ({
        id: e.dataset.id, n: e.dataset.n, sk: e.dataset.sk, kind: e.dataset.kind, off: e.classList.contains('off'),
        bg: getComputedStyle(e).backgroundColor, image: getComputedStyle(e).backgroundImage}))""")


def test_browser_seed_every_record_is_highlighted(opened: Any, seed: tuple[Path, list[dict]]) -> None:
    path, records = seed
    page = opened(path).page
    state = _state(page)
    assert {s["id"] for s in state} == {r["id"] for r in records}
    assert all(not s["off"] and (s["bg"] != "rgba(0, 0, 0, 0)" or s["image"] != "none") for s in state)
    assert page.evaluate("document.querySelectorAll('main .q[id][tabindex=\"0\"]').length") == len(records)


def test_browser_seed_hover_shows_the_speaker(opened: Any, seed: tuple[Path, list[dict]]) -> None:
    path, records = seed
    page = opened(path).page
    ns = {s["id"]: int(s["n"]) for s in _state(page)}
    attributed = [r for r in records if r["speaker"]]
    for rec in (attributed[:2] or []) + [records[0], records[-1]]:
        _hover(page, ns[rec["id"]])
        _assert_card_of(_tip(page), rec)
        page.mouse.move(0, 0)
        page.wait_for_selector("#tip[hidden]", state="attached", timeout=5000)


def test_browser_seed_speaker_filter_hides_the_others(opened: Any, seed: tuple[Path, list[dict]]) -> None:
    path, records = seed
    page = opened(path).page
    buttons = page.locator(".spk")
    assert buttons.count() == len({r["speaker"] for r in records})
    first = buttons.nth(0)
    sk = first.get_attribute("data-sk")
    first.click()
    assert first.get_attribute("aria-pressed") == "true"
    state = _state(page)
    for s in state:
        assert s["off"] == (s["sk"] != sk)
        if s["off"]:
            assert s["bg"] == "rgba(0, 0, 0, 0)" and s["image"] == "none"
    shown = len({s["n"] for s in state if not s["off"]})
    assert page.inner_text("#shown") in (f"Showing {shown} of {len(records)}.", f"Showing all {len(records)}.")
    page.click("#spk-all")
    assert not any(s["off"] for s in _state(page))


def test_browser_seed_screenshot_is_not_blank(opened: Any, seed: tuple[Path, list[dict]], tmp_path: Path) -> None:
    path, _ = seed
    page = opened(path).page
    png = page.screenshot(path=str(tmp_path / "shot.png"))
    width, height, pixels = decode_png(png)
    assert (width, height) == (1280, 900)
    sample = Counter(pixels[i:i + 3] for i in range(0, len(pixels), 3 * 7))
    ink = 1 - sample.most_common(1)[0][1] / sum(sample.values())  # share of pixels unlike the background
    assert len(sample) > 50, "the screenshot has hardly any colours: blank?"
    assert ink > 0.05, f"only {ink:.1%} of the screenshot differs from the background"


def test_browser_fixture_filters_hover_and_keyboard(opened: Any, site: Path) -> None:
    page = opened(site / PAGE).page
    # hovering shows the speaker, and a nested span shows its own card
    lenin = next(r for r in RECORDS if r["speaker"] == "V. I. Lenin")
    n = {s["id"]: int(s["n"]) for s in _state(page)}
    _hover(page, n[lenin["id"]])
    _assert_card_of(_tip(page), lenin)
    # its evidence lights up in the text
    lit = page.evaluate("[...document.querySelectorAll('main .ev-active')].map(e => e.textContent)")
    assert sorted(lit) == sorted(e["text"] for e in lenin["evidence"].values() if e)
    # the confidence beside the speaker, and a low one marked as uncertain, in words and in red
    unsure = next(r for r in RECORDS if (r["confidence"]["speaker"] or 1) < 0.5)
    _hover(page, n[unsure["id"]])
    _tip(page)
    page.wait_for_function("id => document.getElementById('tip').textContent.includes(id)", arg=unsure["id"])
    tip = " ".join(_tip(page).split())
    assert f"{unsure['speaker']} · {unsure['confidence']['speaker']:g}" in tip and "uncertain" in tip.lower(), tip
    colours = page.evaluate("""() => [...document.querySelectorAll('#tip .conf')].map(
        e => [e.classList.contains('low'), getComputedStyle(e).color])""")
    assert colours and all(low for low, _ in colours)
    sure = next(r for r in RECORDS if (r["confidence"]["speaker"] or 0) >= 0.5 and not r["nested_in"])
    _hover(page, n[sure["id"]])
    _tip(page)
    page.wait_for_function("id => document.getElementById('tip').textContent.includes(id)", arg=sure["id"])
    tip = " ".join(_tip(page).split())
    assert f"{sure['speaker']} · {sure['confidence']['speaker']:g}" in tip and "uncertain" not in tip.lower(), tip
    plain = page.evaluate("getComputedStyle(document.querySelector('#tip .conf:not(.low)')).color")
    assert plain != colours[0][1], "a low confidence looks like any other"
    assert page.evaluate(f"getComputedStyle(document.getElementById('r-{n[unsure['id']]}')).outlineStyle") == "dashed"
    nested = next(r for r in RECORDS if r["nested_in"])
    _hover(page, n[nested["id"]])
    assert nested["id"] in _tip(page) and "term" in _tip(page).lower()
    # the speaker filter: Miasnikov only; then Miasnikov and Lenin
    page.click(".spk:has-text('G. T. Miasnikov')")
    state = {s["id"]: s for s in _state(page)}
    for r in RECORDS:
        assert state[r["id"]]["off"] == (r["speaker"] != "G. T. Miasnikov")
    page.click(".spk:has-text('V. I. Lenin')")
    state = {s["id"]: s for s in _state(page)}
    for r in RECORDS:
        assert state[r["id"]]["off"] == (r["speaker"] not in ("G. T. Miasnikov", "V. I. Lenin"))
    # a hidden span is no longer a tab stop
    assert page.evaluate(f"document.getElementById('r-{n[nested['id']]}').tabIndex") == -1
    page.click("#spk-all")
    # the kind filter
    page.uncheck(".kind-filter[value='term']")
    state = {s["id"]: s for s in _state(page)}
    for r in RECORDS:
        assert state[r["id"]]["off"] == (r["kind"] == "term")
    page.check(".kind-filter[value='term']")
    # keyboard: Tab reaches the spans, focus opens the card, Escape closes it
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('q')"):
            break
    focused = page.evaluate("document.activeElement.dataset.id")
    assert focused in {r["id"] for r in RECORDS}, "Tab never reached a quoted span"
    assert focused in _tip(page)
    page.keyboard.press("Escape")
    assert page.locator("#tip").is_hidden()
    # a footnote marker is a link to its note, which links back to the records
    page.click("a.ev-marker[href='#note-2']")
    assert page.evaluate("location.hash") == "#note-2"
    page.click("#note-2 a >> nth=0")
    assert page.evaluate("document.activeElement.dataset.id") in {r["id"] for r in RECORDS if r["footnote"] == 2}


def test_browser_phone_width(opened: Any, site: Path, seed: tuple[Path, list[dict]]) -> None:
    for path in (site / PAGE, seed[0], site / "index.html"):
        page = opened(path, width=375, height=740).page
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, f"{path.name} scrolls sideways"
    page = opened(site / PAGE, width=375, height=740).page
    # the filters come first, then the text
    assert page.evaluate("document.querySelector('.spk').getBoundingClientRect().top") < \
        page.evaluate("document.querySelector('main').getBoundingClientRect().top")
    page.focus(".q[id]")
    _tip(page)
    box = page.locator("#tip").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 740


def test_browser_script_in_a_quotation_renders_as_text(opened: Any, tmp_path: Path) -> None:
    """A source quoting `<script>`: built with the real builder, the quotation shows the tag as
    words and nothing runs."""
    ds = tmp_path / "ds"
    (ds / "sources").mkdir(parents=True)
    payload = "<script>window.__pwned = 1</script> & <img src=x onerror=\"window.__pwned = 2\">"
    (ds / "sources" / "xss.txt").write_text(
        f'The censor wrote to the editor: "{payload} is not allowed here." Nobody agreed.\n', encoding="utf-8")
    entry = {"id": "xss", "file": "xss.txt", "title": "<script>window.__pwned = 3</script>", "author": "A <b>",
             "year": 2026, "publication": "tests", "origin": "tests", "rights": "CC0"}
    (ds / "sources" / "manifest.json").write_text(json.dumps([entry]), encoding="utf-8")
    build(ds)
    records = read_jsonl(ds / "data" / "quotations.jsonl")
    rec = next(r for r in records if "<script>" in r["text"])
    report(ds, tmp_path / "out")
    html = (tmp_path / "out" / "sources" / "xss.html").read_text(encoding="utf-8")
    assert html.count("<script") == 1 and "<img" not in html
    for path in (tmp_path / "out" / "index.html", tmp_path / "out" / "sources" / "xss.html"):
        page = opened(path).page
        assert page.evaluate("window.__pwned") is None
        assert page.evaluate("document.querySelectorAll('script').length") == 1
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        assert "<script>window.__pwned = 3</script>" in page.inner_text("body")
    shown = page.inner_text(f"main .q[data-id='{rec['id']}']")
    assert "<script>window.__pwned = 1</script>" in shown and shown in rec["text"]


# ---------------------------------------------------------------------------------------------
# PNG decoding (standard library), for the screenshot check


def decode_png(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray()
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        if channels == 3:
            out += line
        else:
            for i in range(0, stride, 4):
                out += line[i:i + 3]
    return width, height, bytes(out)


def test_browser_card_shows_the_note_and_its_citations(opened: Any, tmp_path: Path) -> None:
    """A quotation whose footnote has a note: hovering shows the note's text and the works it
    cites (built dataset with the Russell fixture's notes, tests/notes_support.py)."""
    from notes_support import RUSSELL_ENTRY, built_dataset, rows

    folder = built_dataset()
    report(folder, tmp_path / "report")
    notes = {q: n for n in rows(folder, "notes") for q in n["quotations"]}
    cited = [q for q, n in notes.items() if n["citations"] and q.startswith(RUSSELL_ENTRY["id"] + ":")]
    assert cited, "the fixture has a quotation documented by a note that cites a work"
    page = opened(tmp_path / "report" / "sources" / f"{RUSSELL_ENTRY['id']}.html").page
    ns = {s["id"]: int(s["n"]) for s in _state(page)}
    qid = cited[0]
    _hover(page, ns[qid])
    tip = _tip(page)
    note = notes[qid]
    assert qid in tip
    assert " ".join(note["text"].split()[:8]) in " ".join(tip.split())
    for c in note["citations"]:
        assert c["title"]["text"] in tip


def test_the_command_line_default_out_is_the_library_default():
    # the parser does not import quoteprov.reporting (jinja2), so it names the folder itself
    from quoteprov.cli import parser
    from quoteprov.reporting import DEFAULT_OUT

    assert parser().parse_args(["report"]).out == DEFAULT_OUT
