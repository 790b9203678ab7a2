"""PROV-O (Turtle or JSON-LD, by rdflib): each quotation an entity `prov:wasQuotedFrom` and
`prov:wasDerivedFrom` its source, `prov:wasAttributedTo` its speaker (a `prov:Person`,
`prov:Organization` or `prov:Agent`), and `prov:hadPrimarySource` each work that the note of its
footnote cites (one node per work, shared by every note that cites it, Ibid. included)."""
from __future__ import annotations

import hashlib
import re
from typing import Any

NS = "https://quoteprov.invalid/ns#"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "x"


def work_key(c: dict[str, Any]) -> str:
    """The same work cited twice (in full, then Ibid.) is one node: author + title + periodical."""
    parts = [(c.get(k) or {}).get("text", "") for k in ("author", "title", "periodical")]
    return hashlib.sha1("\x1f".join(p.lower() for p in parts).encode("utf-8")).hexdigest()[:12]


def graph(tables: dict[str, list[dict[str, Any]]]) -> Any:
    from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, PROV

    qp = Namespace(NS)
    g = Graph()
    g.bind("prov", PROV)
    g.bind("dcterms", DCTERMS)
    g.bind("qp", qp)
    kinds = {e["name"]: e["kind"] for e in tables.get("entities", [])}
    agent_class = {"person": PROV.Person, "group": PROV.Organization}

    def agent(name: str) -> URIRef:
        a = URIRef(f"urn:quoteprov:agent:{_slug(name)}")
        g.add((a, RDF.type, PROV.Agent))
        g.add((a, RDF.type, agent_class.get(kinds.get(name, ""), PROV.Agent)))
        g.add((a, RDFS.label, Literal(name)))
        return a

    for s in tables["sources"]:
        src = URIRef(f"urn:quoteprov:source:{s['id']}")
        g.add((src, RDF.type, PROV.Entity))
        g.add((src, DCTERMS.title, Literal(s["title"])))
        g.add((src, DCTERMS.creator, Literal(s["author"])))
        if s.get("year") is not None:
            g.add((src, DCTERMS.date, Literal(str(s["year"]), datatype=XSD.gYear)))
    notes = {qid: n for n in tables.get("notes", []) for qid in n["quotations"]}
    for r in tables["quotations"]:
        q = URIRef(f"urn:quoteprov:record:{r['id']}")
        src = URIRef(f"urn:quoteprov:source:{r['source_id']}")
        g.add((q, RDF.type, PROV.Entity))
        g.add((q, qp.kind, Literal(r["kind"])))
        g.add((q, PROV.value, Literal(r["text"])))
        g.add((q, qp.start, Literal(r["start"], datatype=XSD.nonNegativeInteger)))
        g.add((q, qp.end, Literal(r["end"], datatype=XSD.nonNegativeInteger)))
        g.add((q, PROV.wasQuotedFrom, src))
        g.add((q, PROV.wasDerivedFrom, src))
        if r.get("speaker"):
            g.add((q, PROV.wasAttributedTo, agent(r["speaker"])))
        if r.get("recipient"):
            g.add((q, qp.recipient, agent(r["recipient"])))
        if r.get("footnote") is not None:
            g.add((q, qp.footnote, Literal(r["footnote"], datatype=XSD.integer)))
        note = notes.get(r["id"])
        if note is not None:
            g.add((q, qp.note, URIRef(f"urn:quoteprov:note:{note['id']}")))
            for c in note["citations"]:
                w = URIRef(f"urn:quoteprov:work:{work_key(c)}")
                g.add((q, PROV.hadPrimarySource, w))
                g.add((w, RDF.type, PROV.Entity))
                for k, pred in (("title", DCTERMS.title), ("author", DCTERMS.creator), ("date", DCTERMS.date),
                                ("publisher", DCTERMS.publisher), ("periodical", DCTERMS.isPartOf)):
                    if c.get(k):
                        g.add((w, pred, Literal(c[k]["text"])))
                g.add((w, DCTERMS.bibliographicCitation, Literal(c["text"])))
    for n in tables.get("notes", []):
        nn = URIRef(f"urn:quoteprov:note:{n['id']}")
        g.add((nn, RDF.type, PROV.Entity))
        g.add((nn, PROV.value, Literal(n["text"])))
        g.add((nn, PROV.wasQuotedFrom, URIRef(f"urn:quoteprov:source:{n['source_id']}")))
    return g


def to_prov(tables: dict[str, list[dict[str, Any]]], fmt: str = "turtle") -> str:
    g = graph(tables)
    if fmt == "json-ld":
        return g.serialize(format="json-ld", indent=1)
    return g.serialize(format="turtle")
