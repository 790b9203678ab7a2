"""W3C Web Annotation (JSON-LD): one Annotation per record.

The target is the source with the record's `TextQuoteSelector` and `TextPositionSelector`
(code-point offsets, as the Web Annotation model defines them); the bodies say what the record
claims: its kind (`tagging`), its speaker and recipient (`identifying`, with a `role`), and the
note that documents it (`linking`: footnote number, note text, the works it cites). Terms the W3C
context lacks (`role`, `footnote`, ...) are defined in a second, inline context under the
quoteprov namespace, so they survive expansion.

The W3C context `http://www.w3.org/ns/anno.jsonld` is shipped as `anno.jsonld` beside this
module, and `document_loader` serves it to pyld: expanding never touches the network (any other
remote document is refused).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
NS = "https://quoteprov.invalid/ns#"
LOCAL_CONTEXT = {"qp": NS, "role": "qp:role", "footnote": "qp:footnote", "recordId": "qp:recordId",
                 "cites": "qp:cites", "basis": "qp:basis", "method": "qp:method"}
CONTEXT = [ANNO_CONTEXT, LOCAL_CONTEXT]


def record_iri(record_id: str) -> str:
    return f"urn:quoteprov:record:{record_id}"


def source_iri(source_id: str) -> str:
    return f"urn:quoteprov:source:{source_id}"


@lru_cache(maxsize=1)
def anno_context() -> dict[str, Any]:
    return json.loads((Path(__file__).with_name("anno.jsonld")).read_text(encoding="utf-8"))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader that serves the shipped W3C context and nothing else."""
    from pyld.jsonld import JsonLdError

    if url.rstrip("/") in (ANNO_CONTEXT, ANNO_CONTEXT.replace("http:", "https:")):
        return {"contextUrl": None, "documentUrl": url, "document": anno_context()}
    raise JsonLdError(f"no network: {url} is not shipped with quoteprov", "jsonld.LoadDocumentError",
                      {"url": url}, code="loading document failed")


def annotation(rec: dict[str, Any], note: dict[str, Any] | None = None) -> dict[str, Any]:
    sel = rec["selectors"]
    bodies: list[dict[str, Any]] = [{"type": "TextualBody", "purpose": "tagging", "value": rec["kind"]}]
    for role in ("speaker", "recipient"):
        if rec.get(role) is not None:
            bodies.append({"type": "TextualBody", "purpose": "identifying", "role": role, "value": rec[role],
                           "basis": rec["basis"][role], "method": rec["method"][role]})
    if rec.get("footnote") is not None:
        body: dict[str, Any] = {"type": "TextualBody", "purpose": "linking", "role": "footnote",
                                "footnote": rec["footnote"]}
        if note is not None:
            body["value"] = note["text"]
            body["cites"] = [" ".join(c[k]["text"] for k in ("author", "title") if c.get(k)) for c in note["citations"]]
        bodies.append(body)
    return {
        "@context": CONTEXT,
        "id": record_iri(rec["id"]),
        "type": "Annotation",
        "motivation": "identifying" if rec["kind"] == "quotation" else "classifying",
        "recordId": rec["id"],
        "body": bodies,
        "target": {
            "type": "SpecificResource",
            "source": source_iri(rec["source_id"]),
            "selector": [
                {"type": "TextQuoteSelector", "exact": sel["quote"]["exact"], "prefix": sel["quote"]["prefix"],
                 "suffix": sel["quote"]["suffix"]},
                {"type": "TextPositionSelector", "start": sel["position"]["start"], "end": sel["position"]["end"]},
            ],
        },
    }


def note_of(tables: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """record id -> the note that documents it."""
    return {qid: n for n in tables.get("notes", []) for qid in n["quotations"]}


def to_web_annotations(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    notes = note_of(tables)
    return [annotation(r, notes.get(r["id"])) for r in tables["quotations"]]


def to_web_annotation_text(tables: dict[str, list[dict[str, Any]]], texts: dict[str, str] | None = None) -> str:
    return json.dumps(to_web_annotations(tables), ensure_ascii=False, indent=1) + "\n"


def expand(doc: Any) -> list[dict[str, Any]]:
    """pyld expansion with the shipped context (no network)."""
    from pyld import jsonld

    return jsonld.expand(doc, {"documentLoader": document_loader})


def offsets_from_annotations(doc: Any) -> dict[str, tuple[str, int | None, int | None, str | None]]:
    """Back from the export to records: record id -> (source id, start, end, exact), read from
    the *expanded* JSON-LD (so it holds for any equivalent serialisation)."""
    oa = "http://www.w3.org/ns/oa#"
    out = {}
    for node in expand(doc):
        rid = node[NS + "recordId"][0]["@value"]
        target = node[oa + "hasTarget"][0]
        source = target[oa + "hasSource"][0]["@id"].removeprefix("urn:quoteprov:source:")
        start = end = None
        exact = None
        for sel in target[oa + "hasSelector"]:
            if oa + "TextPositionSelector" in sel["@type"]:
                start = int(sel[oa + "start"][0]["@value"])
                end = int(sel[oa + "end"][0]["@value"])
            if oa + "TextQuoteSelector" in sel["@type"]:
                exact = sel[oa + "exact"][0]["@value"]
        out[rid] = (source, start, end, exact)
    return out
