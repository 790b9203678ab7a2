"""Annotated quotations to train and evaluate attribution on: PDNC novels and the genre golds.

Every corpus comes out in one shape, `Text`: a `Source` (one paragraph per line, as the
extractor reads) and `GoldQuote`s (spans with acceptable speakers and recipients). PDNC's
novels are hard-wrapped; a single newline inside a paragraph becomes a space, which keeps
every offset of PDNC's annotations valid. The PDNC folder is read from `../shared/pdnc` (its
annotations are research data without a licence: they train and evaluate, and are never
copied into the published dataset).
"""
from __future__ import annotations

import ast
import csv
import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quoteprov.source import Source, make_source

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PDNC = SHARED / "pdnc"
GOLD = ROOT / "tests" / "gold"
CACHE = ROOT / "training" / "cache"


@dataclass(frozen=True)
class GoldQuote:
    spans: tuple[tuple[int, int], ...]
    speakers: tuple[str | None, ...]      # acceptable values, preferred first
    recipients: tuple[str | None, ...]    # acceptable values (a PDNC quote's addressees are all right)
    kind: tuple[str, ...] = ("quotation",)
    qtype: str = ""                       # PDNC quoteType: Explicit | Anaphoric | Implicit
    aliases: tuple[tuple[str, ...], ...] = ()  # per speaker value, its other names (PDNC)
    recipient_aliases: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Text:
    name: str
    group: str   # "pdnc" or "genre"
    source: Source
    quotes: tuple[GoldQuote, ...]


def unwrap(text: str) -> str:
    """Hard-wrapped prose to one paragraph per line without moving any offset."""
    text = text.replace("\r", " ")
    return re.sub(r"(?<=[^\n])\n(?=[^\n])", " ", text)


def drop_blank_lines(text: str) -> tuple[str, Callable[[int], int]]:
    """One paragraph per line with the blank lines between paragraphs removed, and the map of
    an old offset to the new one. Why: a blank line is an empty paragraph to the extractor, so
    in a text set out with blank lines "the paragraph before" a quotation is always empty (the
    introduction `Emma exclaimed,` of the next paragraph's quotation was never read) and every
    paragraph-distance feature is doubled, unlike the texts `quoteprov import` writes."""
    cuts: list[int] = []     # old offsets at which a removed run of characters ends
    removed: list[int] = []  # characters removed up to and including that run
    parts: list[str] = []
    pos = total = 0
    for m in re.finditer(r"\n[ \t]*(?=\n)", text):
        parts.append(text[pos:m.start()])
        pos = m.end()
        total += m.end() - m.start()
        cuts.append(m.end())
        removed.append(total)
    parts.append(text[pos:])

    def new_offset(old: int) -> int:
        k = bisect_right(cuts, old)
        return old - (removed[k - 1] if k else 0)
    return "".join(parts), new_offset


def pdnc_names() -> list[str]:
    return sorted(p.name for p in PDNC.iterdir() if (p / "quotation_info.csv").exists()) if PDNC.exists() else []


def _authors() -> dict[str, str]:
    out: dict[str, str] = {}
    idx = PDNC / "PDNC-Novel-Index.csv"
    if idx.exists():
        for row in csv.DictReader(idx.open(encoding="utf-8")):
            out[row["Folder Name"]] = row.get("Narrative Person", "")
    return out


def character_aliases(path: Path) -> dict[str, tuple[str, ...]]:
    """Every name PDNC's character list gives a character (its main name and each alias) -> all
    of that character's names. Why every alias and not the main name only: 1,738 of PDNC's
    32,687 quotations write their speaker with an alias ("Henry" for the character listed as
    "Mr. Wilcox", "Lucy" for "Miss Honeychurch"), and keyed by main name alone those quotations
    accepted only the one alias, so a right "Mr. Wilcox" was scored, and trained, as wrong. An
    alias two characters share stays its own only name (none of the speakers does)."""
    by_main: dict[str, set[str]] = {}
    for row in csv.DictReader(path.open(encoding="utf-8")):
        names = {row["Main Name"].strip()}
        try:
            names |= {a.strip() for a in ast.literal_eval(row["Aliases"])}
        except (ValueError, SyntaxError):
            pass
        by_main[row["Main Name"].strip()] = names
    owners: dict[str, set[str]] = {}
    for main, names in by_main.items():
        for a in names:
            owners.setdefault(a, set()).add(main)
    out = {main: tuple(sorted(names)) for main, names in by_main.items()}
    for a, mains in owners.items():
        if a not in out and len(mains) == 1:
            out[a] = out[next(iter(mains))]
    return out


def load_pdnc(name: str) -> Text:
    folder = PDNC / name
    text, new_offset = drop_blank_lines(unwrap((folder / "novel_text.txt").read_text(encoding="utf-8")))
    aliases = character_aliases(folder / "character_info.csv")
    quotes = []
    for row in csv.DictReader((folder / "quotation_info.csv").open(encoding="utf-8")):
        try:
            spans = tuple((new_offset(a), new_offset(b)) for a, b in ast.literal_eval(row["quoteByteSpans"]))
            addressees = tuple(ast.literal_eval(row["addressees"])) if row["addressees"].startswith("[") else ()
        except (ValueError, SyntaxError):
            continue
        sp = row["speaker"].strip()
        addressees = tuple(a.strip() for a in addressees)
        quotes.append(GoldQuote(spans, (sp,), tuple(addressees) or (None,), ("quotation",), row["quoteType"],
                                (aliases.get(sp, (sp,)),),
                                tuple(aliases.get(a, (a,)) for a in addressees)))
    person = _authors().get(name, "")
    # first-person novels: the narrator is a character; PDNC names them, we do not know the name
    meta = {"id": name, "narrative_person": person}
    quotes.sort(key=lambda q: q.spans[0])
    return Text(name, "pdnc", make_source(text, name, meta), tuple(quotes))


def genre_golds() -> list[tuple[str, Path, Path]]:
    """(source id, text path, gold path) of every genre gold whose text is in the repository."""
    out = []
    for gold in sorted(GOLD.glob("*.gold.jsonl")):
        sid = gold.name[: -len(".gold.jsonl")]
        for cand in (ROOT / "dataset" / "sources" / f"{sid}.txt", ROOT / "tests" / "fixtures" / f"{sid}.txt",
                     ROOT / "tests" / "fixtures" / "genre" / f"{sid}.txt"):
            if cand.exists():
                out.append((sid, cand, gold))
                break
    return out


def _metadata(sid: str, path: Path) -> dict:
    for man in (ROOT / "dataset" / "sources" / "manifest.json",):
        for e in json.loads(man.read_text(encoding="utf-8")):
            if e.get("id") == sid:
                return e
    side = path.with_suffix(".json")
    if side.exists():
        return json.loads(side.read_text(encoding="utf-8"))
    if sid.startswith("russell-1920"):
        return {"id": sid, "author": "Bertrand Russell", "title": "The Practice and Theory of Bolshevism", "year": 1920}
    return {"id": sid}


def load_genre(sid: str, path: Path, gold: Path) -> Text:
    text = path.read_text(encoding="utf-8")
    quotes = []
    for line in gold.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        g = json.loads(line)
        quotes.append(GoldQuote(((g["start"], g["end"]),), tuple(g["speaker"]), tuple(g["recipient"]),
                                tuple(g["kind"]), "optional" if g.get("optional") else ""))
    return Text(sid, "genre", make_source(text, sid, _metadata(sid, path)), tuple(quotes))


def all_texts(pdnc: bool = True, genre: bool = True) -> list[Text]:
    out = [load_genre(*g) for g in genre_golds()] if genre else []
    if pdnc:
        out += [load_pdnc(n) for n in pdnc_names()]
    return out
