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


def pdnc_names() -> list[str]:
    return sorted(p.name for p in PDNC.iterdir() if (p / "quotation_info.csv").exists()) if PDNC.exists() else []


def _authors() -> dict[str, str]:
    out: dict[str, str] = {}
    idx = PDNC / "PDNC-Novel-Index.csv"
    if idx.exists():
        for row in csv.DictReader(idx.open(encoding="utf-8")):
            out[row["Folder Name"]] = row.get("Narrative Person", "")
    return out


def load_pdnc(name: str) -> Text:
    folder = PDNC / name
    text = unwrap((folder / "novel_text.txt").read_text(encoding="utf-8"))
    aliases: dict[str, tuple[str, ...]] = {}
    for row in csv.DictReader((folder / "character_info.csv").open(encoding="utf-8")):
        names = {row["Main Name"]}
        try:
            names |= set(ast.literal_eval(row["Aliases"]))
        except (ValueError, SyntaxError):
            pass
        aliases[row["Main Name"]] = tuple(sorted(names))
    quotes = []
    for row in csv.DictReader((folder / "quotation_info.csv").open(encoding="utf-8")):
        try:
            spans = tuple(tuple(s) for s in ast.literal_eval(row["quoteByteSpans"]))
            addressees = tuple(ast.literal_eval(row["addressees"])) if row["addressees"].startswith("[") else ()
        except (ValueError, SyntaxError):
            continue
        sp = row["speaker"]
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
