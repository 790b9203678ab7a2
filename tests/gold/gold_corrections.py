"""Write the reviewed values of the golds into dataset/corrections.jsonl.

Usage (after `python build.py`, from the repository root)::

    python tests/gold/gold_corrections.py [--check]

A gold (`tests/gold/<id>.gold.jsonl`) annotates a text (`tests/gold/README.md` says where it
lives). Where that text is a verbatim substring of a dataset source — the seed is its own
source; Russell's part is the first 315 lines of `russell-1920-bolshevism`; the Ransome and
Dorr excerpts are whole chapters of the books imported with `quoteprov add` — the gold's
offsets are shifted by where the text starts in the source, and every field of a published
record of that span (`kind`, `speaker`, `recipient`, `footnote`, `nested_in`) that differs from
the gold's preferred value (the first of its list) becomes one correction line, with `expect`
(the extractor's value, so a later change of the extractor is reported, not overwritten) and,
for a speaker or recipient, the nearest mention of the name in the paragraph as `evidence`
(none: the value is `inferred`).

Lines this script wrote before (their reason starts with `REASON_PREFIX`) are replaced; any
other line (a reviewer's own correction) is kept, and one that disagrees with a gold is
reported. A gold row that has no record of its span (the extractor did not find it, and a
correction changes a record, it cannot make one) and a record of the region that is no gold
row are reported too. `--check` writes nothing and exits 1 if the file would change.

The same derivation is what `tests/test_dataset_golds.py` checks on the published data.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "dataset"
GOLD_DIR = ROOT / "tests" / "gold"
TEXT_DIRS = (DATASET / "sources", ROOT / "tests" / "fixtures", ROOT / "tests" / "fixtures" / "genre")
FIELDS = ("kind", "speaker", "recipient", "footnote", "nested_in")
REASON_PREFIX = "Reviewed gold "


@dataclass(frozen=True)
class GoldRegion:
    """A gold laid on a dataset source: its rows with offsets into the source."""

    gold: Path
    source_id: str
    start: int  # where the gold's text starts in the source
    end: int
    rows: tuple[dict, ...]  # offsets, paragraph and `line` (of the gold file) in source terms


def read_text(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def gold_regions(dataset: Path = DATASET) -> list[GoldRegion]:
    """Every gold whose text is a verbatim substring (once) of a source of `dataset`."""
    manifest = json.loads((dataset / "sources" / "manifest.json").read_text(encoding="utf-8"))
    texts = {e["id"]: read_text(dataset / "sources" / e["file"]) for e in manifest}
    out = []
    for gold in sorted(GOLD_DIR.glob("*.gold.jsonl")):
        gid = gold.name[: -len(".gold.jsonl")]
        path = next((d / f"{gid}.txt" for d in TEXT_DIRS if (d / f"{gid}.txt").is_file()), None)
        if path is None:
            continue
        excerpt = read_text(path)
        hits = [(sid, t.find(excerpt)) for sid, t in texts.items() if t.count(excerpt) == 1]
        if not hits:
            continue
        sid, off = hits[0]
        lines_before = texts[sid].count("\n", 0, off)
        rows = []
        for n, line in enumerate(gold.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                r = json.loads(line)
                rows.append({**r, "start": r["start"] + off, "end": r["end"] + off,
                             "paragraph": r["paragraph"] + lines_before, "line": n})
        out.append(GoldRegion(gold, sid, off, off + len(excerpt), tuple(rows)))
    return out


def published(dataset: Path = DATASET) -> list[dict]:
    with open(dataset / "data" / "quotations.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def region_records(region: GoldRegion, records: list[dict]) -> list[dict]:
    return [r for r in records if r["source_id"] == region.source_id and region.start <= r["start"] < region.end]


def wanted(row: dict, by_span: dict[tuple[int, int], dict], rows: tuple[dict, ...]) -> dict:
    """The gold's preferred value of each field, `nested_in` as the id of the enclosing record.
    A row nested in an optional gold row that has no record (a block without marks the source
    does not set off) is nested in nothing that is published: null."""
    out = {f: row[f][0] for f in ("kind", "speaker", "recipient", "footnote")}
    outer = row.get("nested_in")
    out["nested_in"] = None
    if outer is not None:
        inside = lambda s, e: s <= row["start"] and row["end"] <= e and (s, e) != (row["start"], row["end"])  # noqa: E731
        enclosing = [r for (s, e), r in by_span.items() if r["text"] == outer and inside(s, e)]
        gold_outer = [g for g in rows if g["text"] == outer and inside(g["start"], g["end"])]
        if len(enclosing) == 1:
            out["nested_in"] = enclosing[0]["id"]
        elif not (gold_outer and all(g.get("optional") and (g["start"], g["end"]) not in by_span for g in gold_outer)):
            out["nested_in"] = "<no single enclosing record>"
    return out


def raw_value(record: dict, field: str):
    """The extractor's value of `field`: the `raw` of a correction of it, else the value."""
    for c in record["corrections"]:
        if c["field"] == field:  # a raw value is written as a string (one Arrow type); a footnote is a number
            return int(c["raw"]) if field == "footnote" and c["raw"] is not None else c["raw"]
    return record[field]


def evidence(text: str, paragraph_start: int, paragraph_end: int, name: str, span: tuple[int, int]):
    """The mention of `name` in the paragraph nearest the span, outside it if there is one."""
    found, i = [], text.find(name, paragraph_start, paragraph_end)
    while i != -1:
        found.append(i)
        i = text.find(name, i + 1, paragraph_end)
    if not found:
        return None
    outside = [i for i in found if i + len(name) <= span[0] or i >= span[1]] or found
    best = min(outside, key=lambda i: min(abs(i - span[0]), abs(i - span[1])))
    return [best, best + len(name)]


def derive(dataset: Path = DATASET) -> tuple[list[dict], list[str]]:
    """The correction lines the golds call for, and what cannot be corrected (messages)."""
    records = published(dataset)
    manifest = {e["id"]: e for e in json.loads((dataset / "sources" / "manifest.json").read_text(encoding="utf-8"))}
    lines, notes = [], []
    for region in gold_regions(dataset):
        text = read_text(dataset / "sources" / manifest[region.source_id]["file"])
        line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        by_span = {(r["start"], r["end"]): r for r in region_records(region, records)}
        gold_spans = {(row["start"], row["end"]) for row in region.rows}
        rel = region.gold.relative_to(ROOT)
        for span in sorted(set(by_span) - gold_spans):
            notes.append(f"{rel}: record {by_span[span]['id']} ({span[0]}-{span[1]}) is no gold row")
        for row in region.rows:
            rec = by_span.get((row["start"], row["end"]))
            if rec is None:
                if not row.get("optional"):
                    notes.append(f"{rel}:{row['line']}: no record of {row['text'][:50]!r} ({row['start']}-{row['end']})")
                continue
            want = wanted(row, by_span, region.rows)
            p = row["paragraph"]
            p_end = line_starts[p + 1] - 1 if p + 1 < len(line_starts) else len(text)
            for field in FIELDS:
                raw = raw_value(rec, field)
                if raw == want[field]:
                    continue
                entry = {"id": rec["id"], "field": field, "value": want[field], "expect": raw}
                if field in ("speaker", "recipient") and want[field]:
                    ev = evidence(text, line_starts[p], p_end, want[field], (row["start"], row["end"]))
                    if ev:
                        entry["evidence"], entry["evidence_text"] = ev, text[ev[0]:ev[1]]
                entry["reason"] = (f"{REASON_PREFIX}{rel}:{row['line']} (judgement calls in tests/gold/README.md): "
                                   f"{field} {json.dumps(want[field], ensure_ascii=False)}")
                lines.append(entry)
    return lines, notes


def main(argv: list[str]) -> int:
    path = DATASET / "corrections.jsonl"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not json.loads(line)["reason"].startswith(REASON_PREFIX)]
    own = {(d["id"], d["field"]): d for d in map(json.loads, kept)}
    derived, notes = derive()
    new = []
    for entry in derived:
        mine = own.get((entry["id"], entry["field"]))
        if mine is None:
            new.append(json.dumps(entry, ensure_ascii=False))
        elif mine["value"] != entry["value"]:
            notes.append(f"corrections.jsonl: {entry['id']} {entry['field']} is {mine['value']!r} by a reviewer's "
                         f"correction, {entry['value']!r} by the gold")
    for n in notes:
        print(n, file=sys.stderr)
    text = "".join(line + "\n" for line in kept + new)
    if "--check" in argv:
        return int(text != path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {len(kept)} reviewer lines kept, {len(new)} gold lines written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
