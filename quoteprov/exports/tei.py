"""TEI P5: each source a `<TEI>` in a `<teiCorpus>`; every paragraph a `<p>`, every record in
it a `<said who toWhom>` (a quotation with a speaker), a `<quote>` (without one) or a `<q
type="term|title">`, with `@source` pointing at the `<note>` of its footnote; notes are `<note
n>` elements where the source prints them, each with a `<bibl>` per citation; speakers and
recipients are declared in `<listPerson>`, `<listOrg>` (groups) and `<listBibl>` (documents,
publications) of the header.

Checked against `tei_subset.rng` (RELAX NG, beside this module): the elements and attributes
used here with TEI P5's names and nesting. The tei_all schema a public repository offers
(TEIC/TEI-Simple) is version 2.7.0 of 2014, older than `@toWhom`; no package provides a later
one, so the subset is what is checked.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
RNG = Path(__file__).with_name("tei_subset.rng")
_BIBL: tuple[tuple[str, str, dict[str, str]], ...] = (("author", "author", {}), ("title", "title", {"level": "a"}), ("periodical", "title", {"level": "j"}),
         ("volume", "biblScope", {"unit": "volume"}), ("issue", "biblScope", {"unit": "issue"}),
         ("pages", "biblScope", {"unit": "page"}), ("place", "pubPlace", {}), ("publisher", "publisher", {}),
         ("date", "date", {}), ("archive", "idno", {"type": "archive"}), ("fond", "idno", {"type": "fond"}),
         ("opis", "idno", {"type": "opis"}), ("delo", "idno", {"type": "delo"}))
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_id(prefix: str, value: str) -> str:
    """An NCName from any id: `q-avrich-1984-...` (the record ids hold colons)."""
    return prefix + "-" + re.sub(r"[^A-Za-z0-9._-]", "-", value)


def _t(s: str) -> str:
    return _XML_BAD.sub("\ufffd", s)


def _el(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    from lxml import etree

    e = etree.SubElement(parent, f"{{{TEI_NS}}}{tag}")
    for k, v in attrs.items():
        e.set(XML_ID if k == "xml_id" else k, v)
    if text is not None:
        e.text = _t(text)
    return e


def _append_text(parent: Any, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + _t(text)
    else:
        parent.text = (parent.text or "") + _t(text)


def _record_element(parent: Any, r: dict[str, Any], ids: dict[str, str], note_ids: dict[str, str], piece: int) -> Any:
    attrs: dict[str, str] = {"xml_id": xml_id("q", r["id"]) + (f"-{piece}" if piece else "")}
    if piece:
        attrs["prev"] = "#" + xml_id("q", r["id"]) + (f"-{piece - 1}" if piece > 1 else "")
    if r["id"] in note_ids:
        attrs["source"] = "#" + note_ids[r["id"]]
    if r["kind"] == "quotation" and r.get("speaker"):
        attrs["who"] = "#" + ids[r["speaker"]]
        if r.get("recipient"):
            attrs["toWhom"] = "#" + ids[r["recipient"]]
        return _el(parent, "said", **attrs)
    if r["kind"] == "quotation":
        return _el(parent, "quote", **attrs)
    return _el(parent, "q", type=r["kind"], **attrs)


def _fill(parent: Any, text: str, lo: int, hi: int, recs: list[tuple[int, int, dict[str, Any], int]],
          ids: dict[str, str], note_ids: dict[str, str]) -> None:
    """The text [lo, hi) into `parent`, with the records (clipped, nested, sorted) as elements."""
    pos = lo
    i = 0
    while i < len(recs):
        s, e, r, piece = recs[i]
        inner = []
        j = i + 1
        while j < len(recs) and recs[j][0] < e:
            if recs[j][1] <= e:
                inner.append(recs[j])
            j += 1  # a record crossing this one's end cannot be nested in XML: left unmarked
        _append_text(parent, text[pos:s])
        el = _record_element(parent, r, ids, note_ids, piece)
        _fill(el, text, s, e, inner, ids, note_ids)
        pos = e
        i = j
    _append_text(parent, text[pos:hi])


def _bibl(parent: Any, c: dict[str, Any]) -> None:
    attrs = {"type": c["form"]}
    if c.get("resolved_to"):
        attrs["corresp"] = "#" + xml_id("note", c["resolved_to"])
    b = _el(parent, "bibl", **attrs)
    for key, tag, extra in _BIBL:
        if c.get(key):
            _el(b, tag, c[key]["text"], **extra)


def source_tei(src: dict[str, Any], text: str, records: list[dict[str, Any]], notes: list[dict[str, Any]],
               kinds: dict[str, str]) -> Any:
    from lxml import etree

    from ..source import make_source

    tei = etree.Element(f"{{{TEI_NS}}}TEI", nsmap={None: TEI_NS})
    tei.set(XML_ID, xml_id("src", src["id"]))
    header = _el(tei, "teiHeader")
    fd = _el(header, "fileDesc")
    ts = _el(fd, "titleStmt")
    _el(ts, "title", src["title"])
    _el(ts, "author", src["author"])
    _el(_el(fd, "publicationStmt"), "p", "Quotations, speakers, recipients and notes by quoteprov; annotations CC BY 4.0. "
        + f"Source rights: {src['rights']}")
    bibl = _el(_el(fd, "sourceDesc"), "bibl")
    _el(bibl, "author", src["author"])
    _el(bibl, "title", src["title"])
    _el(bibl, "publisher", src["publication"])
    if src.get("year") is not None:
        _el(bibl, "date", str(src["year"]))
    names = sorted({r[k] for r in records for k in ("speaker", "recipient") if r.get(k)})
    # per source: the same person in two sources of a corpus is declared in each TEI, and an
    # xml:id must be unique in the whole document
    ids = {n: xml_id({"group": "org", "document": "doc", "publication": "doc"}.get(kinds.get(n, ""), "pers")
                     + "-" + src["id"], n) for n in names}
    partic = _el(_el(header, "profileDesc"), "particDesc")
    people = [n for n in names if kinds.get(n, "person") == "person"]
    groups = [n for n in names if kinds.get(n) == "group"]
    docs = [n for n in names if kinds.get(n) in ("document", "publication")]
    if people:
        lp = _el(partic, "listPerson")
        for n in people:
            _el(_el(lp, "person", xml_id=ids[n]), "persName", n)
    if groups:
        lo = _el(partic, "listOrg")
        for n in groups:
            _el(_el(lo, "org", xml_id=ids[n]), "orgName", n)
    if docs:
        lb = _el(partic, "listBibl")
        for n in docs:
            _el(_el(lb, "bibl", xml_id=ids[n]), "title", n)
    body = _el(_el(tei, "text"), "body")
    source = make_source(text, src["id"])
    note_at = {n["paragraph"]: n for n in notes}
    covered = {source.paragraph_of(k) for n in notes for k in (n["start"], n["end"])}
    note_ids = {qid: xml_id("note", n["id"]) for n in notes for qid in n["quotations"]}
    by_par: dict[int, list[tuple[int, int, dict[str, Any], int]]] = {}
    for r in records:
        first = source.paragraph_of(r["start"])
        last = source.paragraph_of(max(r["start"], r["end"] - 1))
        for k, p in enumerate(range(first, last + 1)):
            ps, pe = source.paragraphs[p]
            by_par.setdefault(p, []).append((max(r["start"], ps), min(r["end"], pe), r, k))
    skip_until = -1
    for i, (ps, pe) in enumerate(source.paragraphs):
        if i <= skip_until:
            continue
        if i in note_at:
            n = note_at[i]
            note = _el(body, "note", n["text"], n=str(n["number"]), type="footnote", xml_id=xml_id("note", n["id"]))
            for c in n["citations"]:
                _bibl(note, c)
            skip_until = source.paragraph_of(max(n["start"], n["end"] - 1))
            continue
        if not text[ps:pe].strip():
            continue
        p = _el(body, "p", **({"rend": "notes-heading"} if i in source.note_paragraphs and i not in covered else {}))
        recs = sorted(by_par.get(i, []), key=lambda x: (x[0], -x[1]))
        _fill(p, text, ps, pe, recs, ids, note_ids)
    return tei


def to_tei_tree(tables: dict[str, list[dict[str, Any]]], texts: dict[str, str]) -> Any:
    from lxml import etree

    corpus = etree.Element(f"{{{TEI_NS}}}teiCorpus", nsmap={None: TEI_NS})
    header = _el(corpus, "teiHeader")
    fd = _el(header, "fileDesc")
    _el(_el(fd, "titleStmt"), "title", "quoteprov: quotations and notes")
    _el(_el(fd, "publicationStmt"), "p", "Exported by quoteprov")
    _el(_el(fd, "sourceDesc"), "p", f"{len(tables['sources'])} source(s)")
    kinds = {e["name"]: e["kind"] for e in tables.get("entities", [])}
    for s in tables["sources"]:
        recs = [r for r in tables["quotations"] if r["source_id"] == s["id"]]
        notes = [n for n in tables.get("notes", []) if n["source_id"] == s["id"]]
        corpus.append(source_tei(s, texts[s["id"]], recs, notes, kinds))
    return corpus


def to_tei(tables: dict[str, list[dict[str, Any]]], texts: dict[str, str]) -> str:
    from lxml import etree

    tree = to_tei_tree(tables, texts)
    problems = tei_problems(tree)
    if problems:
        from ..errors import QuoteprovError

        raise QuoteprovError("the TEI export does not validate against tei_subset.rng: " + "; ".join(problems[:5]))
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=False).decode("utf-8") + "\n"


@lru_cache(maxsize=1)
def relaxng() -> Any:
    from lxml import etree

    return etree.RelaxNG(etree.parse(str(RNG)))


def tei_problems(tree: Any) -> list[str]:
    """RELAX NG errors of a TEI tree (empty when valid)."""
    schema = relaxng()
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
