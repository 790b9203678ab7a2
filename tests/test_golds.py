"""Every hand-annotated gold in tests/gold/ is consistent with its source text.

The golds are the ground truth the extractor and the attribution ranker are
measured and trained against, so a row whose offsets drift from its text, or a
list left empty, silently corrupts every figure computed from it. The checks are
generic: a gold added later is checked without touching this file, as long as
its text is where the other sources live (see ``source_for``).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "tests" / "gold"
KINDS = {"quotation", "term", "title"}
LIST_FIELDS = ("kind", "speaker", "recipient", "footnote")

# Where the text of a gold may live, in order: the seed's published sources,
# then the test fixtures (Russell's part), then the genre fixtures.
SOURCE_DIRS = (
    ROOT / "dataset" / "sources",
    ROOT / "tests" / "fixtures",
    ROOT / "tests" / "fixtures" / "genre",
)


def source_for(source_id: str) -> Path | None:
    for d in SOURCE_DIRS:
        p = d / f"{source_id}.txt"
        if p.is_file():
            return p
    return None


def _golds() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.gold.jsonl"))


def _with_text() -> list[Path]:
    return [g for g in _golds() if source_for(g.name[: -len(".gold.jsonl")])]


def _load(gold: Path) -> tuple[str, list[dict]]:
    source_id = gold.name[: -len(".gold.jsonl")]
    path = source_for(source_id)
    assert path is not None
    # The offsets are code points into the file as written (guide section 1):
    # read it without newline translation so a CR would show as a mismatch.
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    rows = []
    with open(gold, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                row = json.loads(line)
                row["_line"] = n
                rows.append(row)
    return text, rows


def test_the_golds_have_their_texts():
    # Without this the parametrized checks below could all vanish unnoticed.
    assert _with_text(), "no gold in tests/gold has its source text in the repository"


@pytest.mark.parametrize("gold", _with_text(), ids=lambda p: p.name)
def test_gold_rows_match_their_source(gold: Path):
    text, rows = _load(gold)
    assert rows, f"{gold.name} is empty"
    line_starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            line_starts.append(i + 1)
    for row in rows:
        where = f"{gold.name}:{row['_line']}"
        start, end = row["start"], row["end"]
        assert isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text), where
        assert text[start:end] == row["text"], f"{where}: text differs from the source slice"
        # the paragraph is the 0-based line that holds the span, and a span stays within it
        paragraph = row["paragraph"]
        assert 0 <= paragraph < len(line_starts), where
        line_end = line_starts[paragraph + 1] - 1 if paragraph + 1 < len(line_starts) else len(text)
        assert line_starts[paragraph] <= start and end <= line_end, f"{where}: not inside paragraph {paragraph}"


@pytest.mark.parametrize("gold", _with_text(), ids=lambda p: p.name)
def test_gold_rows_are_sorted_and_well_formed(gold: Path):
    _, rows = _load(gold)
    keys = [(r["start"], -r["end"]) for r in rows]
    assert keys == sorted(keys), f"{gold.name}: rows are not sorted by start (outer row first)"
    assert len(set(keys)) == len(keys), f"{gold.name}: two rows for the same span"
    for row in rows:
        where = f"{gold.name}:{row['_line']}"
        for field in LIST_FIELDS:
            assert isinstance(row.get(field), list) and row[field], f"{where}: {field} must be a non-empty list"
        assert set(row["kind"]) <= KINDS, f"{where}: unknown kind {row['kind']}"
        assert len(set(map(json.dumps, row["speaker"]))) == len(row["speaker"]), f"{where}: repeated speaker value"
        for value in row["footnote"]:
            assert value is None or (isinstance(value, int) and value > 0), f"{where}: footnote {value!r}"
        for field in ("speaker", "recipient"):
            for value in row[field]:
                assert value is None or (isinstance(value, str) and value.strip()), f"{where}: {field} {value!r}"
        assert "optional" not in row or row["optional"] is True, f"{where}: optional is true or absent"


@pytest.mark.parametrize("gold", _with_text(), ids=lambda p: p.name)
def test_nested_rows_name_an_enclosing_row(gold: Path):
    _, rows = _load(gold)
    for row in rows:
        outer = row.get("nested_in")
        if outer is None:
            continue
        where = f"{gold.name}:{row['_line']}"
        enclosing = [
            r for r in rows
            if r is not row and r["text"] == outer and r["start"] <= row["start"] and row["end"] <= r["end"]
        ]
        assert enclosing, f"{where}: nested_in names no row that encloses it"
