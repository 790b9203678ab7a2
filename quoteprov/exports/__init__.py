"""`quoteprov export`: the dataset in the formats its users work with.

- `tei`: TEI P5 XML, one `<TEI>` per source in a `<teiCorpus>`, checked against the RELAX NG
  schema of the subset it uses (`tei_subset.rng`, shipped beside this module);
- `web-annotation`: W3C Web Annotation JSON-LD, one Annotation per record (context shipped in
  the package: no network);
- `prov`: PROV-O as Turtle (`prov-turtle`, alias `prov`) or JSON-LD (`prov-jsonld`), with rdflib;
- `csv`: one row per record, nested fields flattened to dotted column names.

Every exporter is a pure function of the dataset's tables and source texts, returning text.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..defaults import EXPORT_FORMATS as FORMATS
from ..errors import QuoteprovError


def load_dataset_tables(dataset: str | Path) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """The four tables of a built dataset folder and its source texts by id."""
    from ..card import read_tables
    from ..source import read_sources

    dataset = Path(dataset)
    if not (dataset / "data" / "quotations.jsonl").is_file():
        raise QuoteprovError(f"{dataset}: no data/quotations.jsonl (run `quoteprov build --dataset {dataset}` first)")
    tables = read_tables(dataset)
    texts = {s.id: s.text for s in read_sources(dataset / "sources")}
    return tables, texts


def render(fmt: str, tables: dict[str, list[dict[str, Any]]], texts: dict[str, str]) -> str:
    """The export in format `fmt` as text."""
    if fmt == "tei":
        from .tei import to_tei

        return to_tei(tables, texts)
    if fmt == "web-annotation":
        from .web_annotation import to_web_annotation_text

        return to_web_annotation_text(tables, texts)
    if fmt in ("prov", "prov-turtle", "prov-jsonld"):
        from .prov import to_prov

        return to_prov(tables, "json-ld" if fmt == "prov-jsonld" else "turtle")
    if fmt == "csv":
        from .csv_rows import to_csv

        return to_csv(tables["quotations"])
    raise QuoteprovError(f"--format: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def export(fmt: str, dataset: str | Path | None = None, out: str | Path | None = None) -> str:
    """Export a built dataset folder (default: this repository's `dataset/`) in `fmt`; write it
    to `out` (atomically) when given, and return the text."""
    from ..build_cmd import DEFAULT_DATASET
    from ..store import write_text

    tables, texts = load_dataset_tables(dataset or DEFAULT_DATASET)
    text = render(fmt, tables, texts)
    if out is not None:
        write_text(out, text)
    return text
