"""The `datasets.Features` of the three dataset files, written out once.

They spell out in Hub terms what schema/*.json says in JSON Schema terms, and
tests/test_card.py checks that both name the same fields at every level of nesting. They are
written by hand rather than generated so that each Hub type is a decision one can read:

- every JSON `integer` is `int64` (offsets into long sources; footnote numbers);
- every JSON `number` is `float64` (the `confidence` probabilities: written with three
  decimals, which a float32 would not give back exactly);
- `kind`, `basis.*` and the entity `kind` are plain strings, not `ClassLabel`: a ClassLabel
  stores integers, so a reader of the Parquet file without the card would see 0/1/2 instead of
  the words the schema and the JSON Lines use;
- nullable values (`footnote`, `speaker`, an evidence span) need nothing special: every Arrow
  field can hold null.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .defaults import CONFIGS as CONFIGS  # re-exported: the Hub configurations


def __getattr__(name: str) -> Any:
    # FEATURES is built on first use: importing `datasets` takes a second or two, and every
    # `quoteprov` command imports this module (for CONFIGS) when the CLI is set up
    if name == "FEATURES":
        return _features()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=1)
def _features() -> dict[str, Any]:
    from datasets import Features, List, Value

    string, int64, float64, bool_ = Value("string"), Value("int64"), Value("float64"), Value("bool")

    def span() -> dict[str, Value]:
        # an evidence span: the source text at [start, end)
        return {"start": int64, "end": int64, "text": string}

    quotations = Features({
        "id": string,
        "source_id": string,
        "text": string,
        "start": int64,
        "end": int64,
        "paragraph": int64,
        "kind": string,
        "nested_in": string,
        "speaker": string,
        "recipient": string,
        "footnote": int64,
        "unclosed": bool_,
        "evidence": {
            "speaker": span(),
            "cue": span(),
            "recipient": span(),
            "marker": {"start": int64, "end": int64, "text": string, "printed": int64, "number": int64,
                       "repaired": bool_},
        },
        "method": {"span": string, "kind": string, "speaker": string, "recipient": string, "footnote": string},
        "basis": {"speaker": string, "recipient": string, "footnote": string},
        "confidence": {"speaker": float64, "recipient": float64},
        "selectors": {
            "quote": {"type": string, "exact": string, "prefix": string, "suffix": string},
            "position": {"type": string, "start": int64, "end": int64},
        },
        "corrections": List({"field": string, "raw": string, "reason": string}),
    })
    sources = Features({
        "id": string,
        "file": string,
        "title": string,
        "author": string,
        "year": int64,
        "publication": string,
        "origin": string,
        "rights": string,
        "sha256": string,
        "characters": int64,
        "paragraphs": int64,
        "notes": List({"number": int64, "text": string}),
    })
    entities = Features({
        "name": string,
        "aliases": List(string),
        "kind": string,
        "sources": List(string),
    })
    cite_fields = ("author", "title", "periodical", "volume", "issue", "place", "publisher", "date", "pages",
                   "archive", "fond", "opis", "delo")
    notes = Features({
        "id": string,
        "source_id": string,
        "section": int64,
        "number": int64,
        "text": string,
        "start": int64,
        "end": int64,
        "paragraph": int64,
        "quotations": List(string),
        "citations": List({"start": int64, "end": int64, "text": string, "form": string, "resolved": bool_,
                           "resolved_to": string, **{k: span() for k in cite_fields}}),
    })
    return {"quotations": quotations, "sources": sources, "entities": entities, "notes": notes}


# -- features against the JSON Schema ------------------------------------------------------

# JSON Schema type -> the Value dtype that holds it
_DTYPES = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}


@dataclass(frozen=True)
class FieldDoc:
    """One field at any depth, for the card's field table: `evidence.marker.printed`."""

    path: str
    dtype: str  # Hub type as the card shows it: string, int64, bool, struct, list<string>, list<struct>
    nullable: bool
    description: str


def _types(node: dict[str, Any]) -> tuple[set[str], bool]:
    """The JSON types a schema node allows (without null), and whether null is allowed."""
    if "const" in node:
        return {_json_type(node["const"])}, False
    if "enum" in node:
        return {_json_type(v) for v in node["enum"] if v is not None}, None in node["enum"]
    t = node.get("type", [])
    ts = set([t] if isinstance(t, str) else t)
    return ts - {"null"}, "null" in ts


def _json_type(value: Any) -> str:
    return {str: "string", bool: "boolean", int: "integer", float: "number"}.get(type(value), type(value).__name__)


def compare(node: dict[str, Any], feature: Any, path: str = "") -> list[str]:
    """Every disagreement between a schema node and a feature, each as `path: problem`.

    Walks objects property by property (both ways: a schema property without a feature and a
    feature without a schema property are both errors) and arrays through their items.
    """
    from datasets import List, Value

    where = path or "(record)"
    types, _ = _types(node)
    if types == {"object"} or "properties" in node:
        if not isinstance(feature, dict):
            return [f"{where}: schema has an object, features have {feature!r}"]
        props = node.get("properties", {})
        out = [f"{path}.{k}".lstrip(".") + ": in the schema, not in the features" for k in props if k not in feature]
        out += [f"{path}.{k}".lstrip(".") + ": in the features, not in the schema" for k in feature if k not in props]
        for k in props:
            if k in feature:
                out += compare(props[k], feature[k], f"{path}.{k}".lstrip("."))
        return out
    if types == {"array"}:
        if not isinstance(feature, List):
            return [f"{where}: schema has an array, features have {feature!r}"]
        return compare(node.get("items", {}), feature.feature, path + "[]")
    if len(types) != 1 or next(iter(types)) not in _DTYPES:
        return [f"{where}: schema type {sorted(types)} has no feature type"]
    want = _DTYPES[next(iter(types))]
    if not isinstance(feature, Value) or feature.dtype != want:
        return [f"{where}: schema needs Value({want!r}), features have {feature!r}"]
    return []


def _dtype(feature: Any) -> str:
    from datasets import List

    if isinstance(feature, dict):
        return "struct"
    if isinstance(feature, List):
        inner = feature.feature
        return f"list<{'struct' if isinstance(inner, dict) else inner.dtype}>"
    return feature.dtype


def field_docs(node: dict[str, Any], feature: Any, path: str = "") -> list[FieldDoc]:
    """The fields of a schema/feature pair, depth first, in schema order (for the card)."""
    from datasets import List

    out: list[FieldDoc] = []
    sub = node.get("items", {}) if isinstance(feature, List) else node
    inner = feature.feature if isinstance(feature, List) else feature
    if isinstance(inner, dict):
        for k, child in sub.get("properties", {}).items():
            p = f"{path}.{k}" if path else k
            cf = inner[k]
            out.append(FieldDoc(p, _dtype(cf), _types(child)[1], child.get("description", "")))
            out += field_docs(child, cf, p + ("[]" if isinstance(cf, List) else ""))
    return out
