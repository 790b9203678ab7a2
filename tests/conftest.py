"""Shared helpers for the tests: run the raw extractor on a made-up text."""
from __future__ import annotations

from pathlib import Path

import pytest

from quoteprov.pipeline import extract
from quoteprov.source import make_source

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = ROOT / "dataset" / "sources" / "avrich-1984-miasnikov-2.txt"
SEED_GOLD = ROOT / "tests" / "gold" / "avrich-1984-miasnikov-2.gold.jsonl"
RUSSELL = ROOT / "tests" / "fixtures" / "russell-1920-part.txt"
RUSSELL_GOLD = ROOT / "tests" / "gold" / "russell-1920-part.gold.jsonl"


def run(text: str, author: str | None = None) -> list:
    """Records of the raw extractor for `text` (one paragraph per line)."""
    return extract(make_source(text, "t", {"author": author} if author else {}))


def by_text(records: list, words: str):
    """The one record whose text contains `words`."""
    found = [r for r in records if words in r.text]
    assert len(found) == 1, f"{words!r}: {[r.text for r in records]}"
    return found[0]


@pytest.fixture
def extract_text():
    return run
