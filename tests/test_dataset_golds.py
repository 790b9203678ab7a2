"""The published records of every gold-annotated stretch of a dataset source equal the gold.

A gold's text is a verbatim substring of a dataset source (the seed is its own source, Russell's
part opens `russell-1920-bolshevism`, the Ransome and Dorr excerpts are chapters of the books
imported with `quoteprov add`); its reviewed values reach the published records through
`dataset/corrections.jsonl` (`tests/gold/gold_corrections.py` writes those lines). Everything
expected here is read from the golds, offsets shifted by where their text stands in the source:
no count of today's data.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("gold_corrections", ROOT / "tests" / "gold" / "gold_corrections.py")
gc = importlib.util.module_from_spec(_spec)
sys.modules["gold_corrections"] = gc  # its dataclass looks its module up while it is made
_spec.loader.exec_module(gc)

REGIONS = gc.gold_regions()
RECORDS = gc.published()
OPENING_MARKS = "\"'\u201c\u2018\u00ab"


def test_gold_annotated_sources_are_found():
    # without this the parametrized check could vanish unnoticed; every region is a source of the manifest
    assert REGIONS, "no gold's text is a verbatim substring of a dataset source"
    manifest = {e["id"] for e in json.loads((ROOT / "dataset" / "sources" / "manifest.json").read_text(encoding="utf-8"))}
    assert {r.source_id for r in REGIONS} <= manifest


def lost_opening_mark(text: str, start: int) -> bool:
    """No quotation mark opens the span: the print lost it, so no mark-pairing finds the span
    (and a correction changes a record, it cannot make one)."""
    before = text[:start].rstrip(" ")
    return not before or before[-1] not in OPENING_MARKS


@pytest.mark.parametrize("region", REGIONS, ids=lambda r: f"{r.gold.name}->{r.source_id}")
def test_published_records_equal_the_gold(region):
    entry = next(e for e in json.loads((ROOT / "dataset" / "sources" / "manifest.json").read_text(encoding="utf-8"))
                 if e["id"] == region.source_id)
    text = gc.read_text(ROOT / "dataset" / "sources" / entry["file"])
    by_span = {(r["start"], r["end"]): r for r in gc.region_records(region, RECORDS)}
    gold_spans = {(row["start"], row["end"]) for row in region.rows}
    assert not set(by_span) - gold_spans, f"records of no gold row: {sorted(set(by_span) - gold_spans)}"
    compared = 0
    for row in region.rows:
        where = f"{region.gold.name}:{row['line']}"
        assert text[row["start"]:row["end"]] == row["text"], f"{where}: the shifted offsets miss the words"
        rec = by_span.get((row["start"], row["end"]))
        if rec is None:
            assert row.get("optional") or lost_opening_mark(text, row["start"]), f"{where}: no record of {row['text']!r}"
            continue
        want = gc.wanted(row, by_span, region.rows)
        got = {f: rec[f] for f in gc.FIELDS}
        assert got == want, f"{where} ({rec['id']}): published {got}, gold {want}"
        assert rec["paragraph"] == row["paragraph"], where
        compared += 1
    # the missing rows are the exception: nearly every gold row has its record
    assert compared >= 0.95 * sum(1 for row in region.rows if not row.get("optional"))
