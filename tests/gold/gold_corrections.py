"""Write the reviewed values of the golds into dataset/corrections.jsonl.

Usage (after `python build.py`, from the repository root)::

    python tests/gold/gold_corrections.py [--check]

A gold (`tests/gold/<id>.gold.jsonl`) annotates a text (`tests/gold/README.md` says where it
lives). Where that text is a verbatim substring of a dataset source — the seed is its own
source, and so is Trotsky's book; Russell's part is the first 315 lines of `russell-1920-bolshevism`; the Ransome and
Dorr excerpts are whole chapters of the books imported with `quoteprov add` — the gold's
offsets are shifted by where the text starts in the source, and every field of a published
record of that span (`kind`, `speaker`, `recipient`, `footnote`, `nested_in`) that differs from
the gold's preferred value (the first of its list) becomes one correction line, with `expect`
(the extractor's value, so a later change of the extractor is reported, not overwritten) and,
for a speaker or recipient, a mention of the entity as `evidence` (see `evidence`; none when the
text near the quotation never names it: the value is then `inferred`).

Lines this script wrote before (their reason starts with `REASON_PREFIX`) are replaced; any
other line (a reviewer's own correction) is kept, and one that disagrees with a gold is
reported. A gold row that has no record of its span (the extractor did not find it, and a
correction changes a record, it cannot make one) and a record of the region that is no gold
row are reported too. `--check` writes nothing and exits 1 if the file would change.

The same derivation is what `tests/test_dataset_golds.py` checks on the published data.
"""
from __future__ import annotations

import json
import re
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


PREPOSITIONS = frozenset("of with in at on from to by for".split())
FIRST_PERSON = ("I", "me", "my", "myself")
# the pronoun that can stand for the speaker (subject) or the hearer (object) of a quotation, by
# the entity's kind and, for a person, its grammatical gender (+1 he, -1 she)
PRONOUNS = {("speaker", 1): ("he",), ("speaker", -1): ("she",), ("speaker", 0): ("they", "it"),
            ("recipient", 1): ("him",), ("recipient", -1): ("her",), ("recipient", 0): ("them",)}
PRONOUN_REACH = 40  # characters at most between a quotation and the pronoun of its reporting clause


def registry_forms(dataset: Path, source_id: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Canonical name -> the forms the source's registry gives it (the name and its aliases),
    and canonical name -> its kind."""
    path = dataset / "registry" / f"{source_id}.json"
    if not path.is_file():
        return {}, {}
    entries = json.loads(path.read_text(encoding="utf-8"))
    return ({e["name"]: [e["name"], *e.get("aliases", [])] for e in entries},
            {e["name"]: e.get("kind", "person") for e in entries})


def name_forms(value: str, registry: dict[str, list[str]], author: str | None) -> list[tuple[int, str]]:
    """The words that name `value` in a text, best first, as (tier, words): tier 0 the name and the
    registry's aliases of it; tier 1 a shorter form: the head of the name (a person's surname,
    `Virubova` for `Anna Virubova`; `interpreter` for `interpreter of Rheta Childe Dorr`; `note`
    for `Chicherin's note`), and the narrator's `I`/`me`/`my` for the author."""
    forms = [(0, f) for f in registry.get(value, [value])]
    forms += [(0, f) for name, fs in registry.items() if value in fs and name != value for f in fs]
    words = value.split()
    if value == author:
        forms += [(1, w) for w in FIRST_PERSON]
    if len(words) > 1:
        # the head: before the first preposition ("women of the Battalion of Death", "man with a
        # ticket", "Council of ... Delegates"), else the last word (a surname, "old general")
        k = next((i for i, w in enumerate(words) if i and w in PREPOSITIONS), len(words))
        if words[k - 1].lower() != "one":
            forms.append((1, words[k - 1]))
    seen, out = set(), []
    for tier, f in forms:
        f = f.removeprefix("the ")
        if f and f not in seen:
            seen.add(f)
            out.append((tier, f))
    return out


def pattern_of(form: str) -> re.Pattern[str]:
    """A form as a whole word, as printed (a lower-case form also with a capital, as it opens a sentence)."""
    p = re.escape(form)
    if form[:1].islower():
        p = f"[{form[0]}{form[0].upper()}]" + re.escape(form[1:])
    return re.compile(rf"(?<![\w'\u2019-]){p}(?![\w-])")


def gender_of(text: str, value: str, forms: list[tuple[int, str]]) -> int:
    """+1 (he) or -1 (she) for a person the text refers to so (its title, else the he/she after its
    mentions, by a clear majority: `candidates.name_genders`), else 0."""
    from quoteprov.attribution.candidates import Mention, name_genders

    names = [Mention(m.start(), m.end(), value, "name") for t, f in forms if f not in FIRST_PERSON
             for m in pattern_of(f).finditer(text)]
    return name_genders(text, names).get(value, 0) if names else 0


def mention_forms(text: str, value: str, role: str, registry: dict[str, list[str]], kinds: dict[str, str],
                  author: str | None) -> list[tuple[int, str]]:
    """`name_forms`, then tier 2: the pronoun that can stand for the entity as the quotation's
    speaker or hearer (`"...," she said`, `he said to her`): he/she, him/her for a person of a
    known gender, they/it, them/it for a body or a writing."""
    from quoteprov.entities import kind_of

    forms = name_forms(value, registry, author)
    if value == author:
        return forms
    canonical = next((n for n, fs in registry.items() if value in fs), value)
    kind = kinds.get(canonical) or kind_of(value)
    gender = gender_of(text, value, forms) if kind == "person" else 0
    if kind != "person" or gender:
        forms += [(2, w) for w in PRONOUNS[(role, gender)]]
    return forms


_MARKS = " \t\"'\u201c\u201d\u2018\u2019,:;.!?\u2014-"


def next_to(text: str, pronoun: tuple[int, int], span: tuple[int, int], role: str) -> bool:
    """Whether a pronoun is the quotation's own reporting clause: right after it (`"...," he
    said`; the hearer after the verb: `"...," he said to her`) or right before it (`she asked,
    "...`; `he said to her: "...`), within PRONOUN_REACH characters and the same sentence."""
    after = pronoun[0] >= span[1]
    gap = text[span[1]:pronoun[0]] if after else text[pronoun[1]:span[0]]
    if len(gap) > PRONOUN_REACH:
        return False
    core = gap.strip(_MARKS)
    if re.search(r"[.!?;]", core):
        return False
    words = len(core.split())
    if role == "speaker":
        return words == 0 if after else words <= 3
    return words <= 4 if after else words == 0


def evidence(text: str, where: list[tuple[int, int]], forms: list[tuple[int, str]], span: tuple[int, int],
             quoted: list[tuple[int, int]], role: str = "speaker"):
    """The mention of the entity nearest the quotation `span`: in the first stretch of `where`
    (its paragraph, then the one before) that has one, outside every quoted speech (`quoted`),
    the fullest form first (`mention_forms`; a pronoun only in the quotation's own reporting
    clause, `next_to`). None when the text does not name it there."""
    for n, (lo, hi) in enumerate(where):
        for tier in (0, 1, 2):
            if tier == 2 and n:
                break  # a pronoun only next to the quotation, in its paragraph
            found = []
            for t, f in forms:
                if t != tier:
                    continue
                for m in pattern_of(f).finditer(text, lo, hi):
                    a, b = m.start(), m.end()
                    if tier == 2 and not next_to(text, (a, b), span, role):
                        continue
                    if not any(qa <= a < qb for qa, qb in quoted):
                        found.append((a, b))
            if found:
                best = min(found, key=lambda ab: (min(abs(ab[0] - span[1]), abs(ab[1] - span[0])), -(ab[1] - ab[0])))
                return [best[0], best[1]]
    return None


def derive(dataset: Path = DATASET) -> tuple[list[dict], list[str]]:
    """The correction lines the golds call for, and what cannot be corrected (messages)."""
    records = published(dataset)
    manifest = {e["id"]: e for e in json.loads((dataset / "sources" / "manifest.json").read_text(encoding="utf-8"))}
    lines, notes = [], []
    for region in gold_regions(dataset):
        text = read_text(dataset / "sources" / manifest[region.source_id]["file"])
        line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        by_span = {(r["start"], r["end"]): r for r in region_records(region, records)}
        registry, kinds = registry_forms(dataset, region.source_id)
        author = manifest[region.source_id].get("author")
        # quoted speech, where a name is no evidence (a quoted term or title is: "the "Red Guard,"")
        quoted = sorted((r["start"], r["end"]) for r in records
                        if r["source_id"] == region.source_id and r["nested_in"] is None and r["kind"] == "quotation")
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
            where = [(line_starts[p], p_end)] + ([(line_starts[p - 1], line_starts[p] - 1)] if p else [])
            for field in FIELDS:
                raw = raw_value(rec, field)
                if raw == want[field]:
                    continue
                entry = {"id": rec["id"], "field": field, "value": want[field], "expect": raw}
                if field in ("speaker", "recipient") and want[field]:
                    ev = evidence(text, where, mention_forms(text, want[field], field, registry, kinds, author),
                                  (row["start"], row["end"]), quoted, field)
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
