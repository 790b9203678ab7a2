"""`quoteprov export`: every format parsed back with its standard tool and checked against the
records it came from."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from notes_support import built_dataset, rows
from quoteprov.exports import export, render
from quoteprov.exports.tei import TEI_NS, relaxng, xml_id

lxml_etree = pytest.importorskip("lxml.etree")


@pytest.fixture(scope="module")
def folder():
    return built_dataset()


@pytest.fixture(scope="module")
def records(folder):
    return rows(folder, "quotations")


@pytest.fixture(scope="module")
def notes(folder):
    return rows(folder, "notes")


def test_tei_is_valid_and_holds_every_record(folder, records, notes, tmp_path):
    out = tmp_path / "corpus.xml"
    export("tei", folder, out)
    tree = lxml_etree.parse(str(out))
    assert relaxng().validate(tree), relaxng().error_log
    ns = {"t": TEI_NS}
    sources = rows(folder, "sources")
    assert len(tree.findall("t:TEI", ns)) == len(sources)
    # every record is an element whose text is the record's words (the first piece when a
    # record runs over lines), of the element its kind and speaker call for
    for r in records:
        el = tree.find(f".//*[@{{http://www.w3.org/XML/1998/namespace}}id='{xml_id('q', r['id'])}']")
        assert el is not None, r["id"]
        words = "".join(el.itertext())
        assert r["text"].startswith(words) and words
        tag = lxml_etree.QName(el).localname
        if r["kind"] == "quotation":
            assert tag == ("said" if r["speaker"] else "quote")
        else:
            assert (tag, el.get("type")) == ("q", r["kind"])
        if r["speaker"] and r["kind"] == "quotation":
            who = tree.find(f".//*[@{{http://www.w3.org/XML/1998/namespace}}id='{el.get('who')[1:]}']")
            assert who is not None and "".join(who.itertext()) == r["speaker"]
    tei_notes = tree.findall(".//t:note", ns)
    assert len(tei_notes) == len(notes)
    assert len(tree.findall(".//t:note/t:bibl", ns)) == sum(len(n["citations"]) for n in notes)
    linked = {q: n for n in notes for q in n["quotations"]}
    for q, n in linked.items():
        el = tree.find(f".//*[@{{http://www.w3.org/XML/1998/namespace}}id='{xml_id('q', q)}']")
        assert el.get("source") == "#" + xml_id("note", n["id"])


def test_tei_schema_rejects_what_is_not_the_subset(folder):
    text = export("tei", folder)
    tree = lxml_etree.fromstring(text.encode("utf-8"))
    said = tree.find(f".//{{{TEI_NS}}}said")
    said.set("speaker", "x")  # not a TEI attribute of <said>
    assert not relaxng().validate(tree)


def test_web_annotation_expands_offline_and_round_trips_to_the_offsets(folder, records):
    from quoteprov.exports.web_annotation import expand, offsets_from_annotations

    doc = json.loads(export("web-annotation", folder))
    expanded = expand(doc)
    assert len(expanded) == len(records)
    assert all("http://www.w3.org/ns/oa#Annotation" in node["@type"] for node in expanded)
    back = offsets_from_annotations(doc)
    assert back == {r["id"]: (r["source_id"], r["start"], r["end"], r["text"]) for r in records}
    speakers = sum(1 for a in doc for b in a["body"] if b.get("role") == "speaker")
    assert speakers == sum(r["speaker"] is not None for r in records)


def test_web_annotation_loader_refuses_the_network():
    from pyld.jsonld import JsonLdError

    from quoteprov.exports.web_annotation import document_loader

    with pytest.raises(JsonLdError):
        document_loader("https://example.org/other-context.jsonld")


@pytest.mark.parametrize("fmt,rdf_format", [("prov", "turtle"), ("prov-jsonld", "json-ld")])
def test_prov_parses_with_rdflib_and_counts_match(folder, records, notes, fmt, rdf_format):
    from rdflib import Graph, URIRef
    from rdflib.namespace import PROV

    g = Graph().parse(data=export(fmt, folder), format=rdf_format)
    quoted = set(g.subjects(PROV.wasQuotedFrom, None))
    assert {URIRef(f"urn:quoteprov:record:{r['id']}") for r in records} <= quoted
    assert len(set(g.subject_objects(PROV.wasAttributedTo))) == sum(r["speaker"] is not None for r in records)
    cited = {q for n in notes if n["citations"] for q in n["quotations"]}
    with_source = {str(s).removeprefix("urn:quoteprov:record:") for s in g.subjects(PROV.hadPrimarySource, None)}
    assert with_source == cited


def test_csv_one_row_per_record_with_flattened_fields(folder, records):
    text = export("csv", folder)
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(records)
    assert {"evidence.speaker.start", "selectors.position.start", "method.speaker"} <= set(table[0])
    for row, r in zip(table, records):
        assert row["id"] == r["id"] and row["text"] == r["text"] and int(row["start"]) == r["start"]
        assert row["speaker"] == (r["speaker"] or "")
        sp = r["evidence"]["speaker"]
        assert row["evidence.speaker.start"] == ("" if sp is None else str(sp["start"]))


def test_export_command(folder, tmp_path):
    out = tmp_path / "x.ttl"
    ok = subprocess.run([sys.executable, "-m", "quoteprov.cli", "export", "--format", "prov", "--dataset", str(folder),
                         "--out", str(out)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert out.read_text(encoding="utf-8").startswith("@prefix")
    bad = subprocess.run([sys.executable, "-m", "quoteprov.cli", "export", "--format", "tei", "--dataset",
                          str(tmp_path / "nothing")], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "quoteprov build" in bad.stderr
    from quoteprov.errors import QuoteprovError

    with pytest.raises(QuoteprovError, match="unknown format"):
        render("yaml", {}, {})
