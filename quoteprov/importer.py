"""`quoteprov add`: turn a raw book (a Project Gutenberg file, say) into a dataset source.

A raw book is bytes in some 8-bit encoding, hard-wrapped at ~70 columns, with CRLF line ends,
a Gutenberg header and licence around it, block quotations set off by indentation and notes
printed in sections (`FOOTNOTES:`, `[Footnote 1: ...]`, `[1] ...`). The extractor wants one
paragraph per line, UTF-8, notes as `[n] text` paragraphs after a notes heading. `prepare` does
that conversion as a pure function of the bytes; `add` writes the text and its manifest entry.

What `prepare` writes (the form `source.py` reads, and the one the notes tooling builds on):

- one paragraph per line, LF line ends, UTF-8;
- a block quotation (every line of the paragraph indented past the body) keeps its first
  line's indentation and its words, the wrapped lines joined by one space; its paragraph index
  is listed in the manifest entry's `"blocks"`;
- the notes of a stretch of text are gathered, in the order printed, into a section that
  starts with a line `NOTES` and has one line `[n] note text` per note; the section stands
  where the book's own notes section stood, or (for notes printed inline, `[Footnote n: ...]`)
  just before the next heading, or at the end. Numbering is kept as printed, so notes that
  restart at 1 in each chapter give one `NOTES` section per chapter.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import QuoteprovError
from .source import _NOTES_HEADING, MANIFEST, MANIFEST_FIELDS, note_start

# --- encodings -------------------------------------------------------------------------------

_DECLARED = re.compile(rb"^Character set encoding:\s*([A-Za-z0-9_.:-]+)", re.MULTILINE)
_ALIASES = {"iso-8859-1": "latin-1", "iso8859-1": "latin-1", "latin1": "latin-1", "ascii": "utf-8",
            "us-ascii": "utf-8", "utf8": "utf-8", "windows-1252": "cp1252", "cp-1252": "cp1252"}


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str, str]:
    """(text, encoding used, why) for the raw bytes.

    Told an encoding, use it (an error names the byte). Otherwise try the three candidates a
    Project Gutenberg or hand-typed English text is in, in a fixed order that settles them:
    strict UTF-8 first (8-bit text that is valid UTF-8 by chance is vanishingly rare); then,
    when the bytes 0x80-0x9F occur, Windows-1252 (in Latin-1 those bytes are C1 control codes,
    which no real text contains, while in Windows-1252 they are curly quotes and dashes);
    otherwise Latin-1, which decodes any byte. A Gutenberg header's own `Character set
    encoding:` line is reported beside the guess. A statistical detector (charset-normalizer)
    is not needed for these three and would add guesswork where this rule is exact.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte-order mark is not text
        if encoding is None:
            encoding = "utf-8"
    if encoding:
        name = _ALIASES.get(encoding.lower(), encoding)
        try:
            return data.decode(name), name, "as told"
        except LookupError:
            raise QuoteprovError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise QuoteprovError(f"not {encoding}: byte 0x{data[exc.start]:02x} at byte offset {exc.start}") from None
    m = _DECLARED.search(data[:20000])
    declared = m.group(1).decode("ascii").lower() if m else None
    note = f" (the header declares {declared})" if declared else ""
    try:
        return data.decode("utf-8"), "utf-8", "valid UTF-8" + note
    except UnicodeDecodeError:
        pass
    if any(0x80 <= b <= 0x9F for b in data):
        try:
            return data.decode("cp1252"), "cp1252", "not UTF-8; bytes 0x80-0x9F present" + note
        except UnicodeDecodeError:
            pass  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are undefined in Windows-1252
    return data.decode("latin-1"), "latin-1", "not UTF-8; no bytes 0x80-0x9F" + note


# --- Gutenberg header and licence --------------------------------------------------------------

_START = re.compile(r"^\*{3}\s*START OF (?:THIS|THE) PROJECT GUTENBERG E-?BOOK.*$", re.IGNORECASE | re.MULTILINE)
_END = re.compile(r"^\*{3}\s*END OF (?:THIS|THE) PROJECT GUTENBERG E-?BOOK.*$", re.IGNORECASE | re.MULTILINE)
# older files: the licence ("small print") stands before the text and ends with this line
_SMALL_PRINT_END = re.compile(r"^\*END\*THE SMALL PRINT!.*$", re.IGNORECASE | re.MULTILINE)
_END_OF_LINE = re.compile(r"^\s*End of (?:the |this )?Project Gutenberg", re.IGNORECASE | re.MULTILINE)
_PRODUCED_BY = re.compile(r"^\s*(?:Produced|Prepared|Transcribed|E-?text prepared) by\b", re.IGNORECASE)


def strip_gutenberg(text: str) -> tuple[str, bool]:
    """The book between Project Gutenberg's start and end lines, and whether they were found."""
    found = False
    m = _START.search(text) or _SMALL_PRINT_END.search(text)
    if m:
        text, found = text[m.end():], True
    m = _END.search(text)
    if m:
        text, found = text[:m.start()], True
    ends = list(_END_OF_LINE.finditer(text))
    m = ends[-1] if ends else None  # the last "End of the Project Gutenberg EBook of ..." line closes the book
    if m is not None and found and len(text) - m.start() < 2000:
        text = text[:m.start()]
    return text, found


# --- paragraphs ---------------------------------------------------------------------------------

_BOX = re.compile(r"^\s*(?:[+|].*[+|]|[+|]-+[+|]?)\s*$")
_FOOTNOTE_OPEN = re.compile(r"^\s*\[(?:Footnote|Note)\s+(\d{1,4})\s*:\s*", re.IGNORECASE)
_HEADING_WORDS = re.compile(r"^(?:CHAPTER|PART|BOOK|SECTION|APPENDIX)\b|^[IVXLC]+\.?$", re.IGNORECASE)
BLOCK_MIN_INDENT = 2  # columns past the body's indentation that set a block off
BLOCK_MIN_WORDS = 8  # fewer words: a signature, a date line, a centred title, not a quotation
_SENTENCE_END = set(".!?:;\"'\u201d\u2019)]")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _raw_paragraphs(text: str) -> list[list[str]]:
    """Runs of non-blank lines (a blank line separates paragraphs in a hard-wrapped text)."""
    out: list[list[str]] = []
    cur: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            cur.append(line.rstrip().expandtabs(8))
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def _join(lines: list[str]) -> tuple[str, int]:
    """The wrapped lines of one paragraph as one line (words untouched), and how many joins."""
    out = lines[0].rstrip()
    for line in lines[1:]:
        piece = line.strip()
        # a dash at the end of a line joins without a space (`--` is Gutenberg's em dash)
        out += piece if out.endswith(("--", "\u2014")) else " " + piece
    return out, len(lines) - 1


def _is_heading(line: str) -> bool:
    """A chapter or part heading: short, no closing punctuation, capitals or `CHAPTER n`."""
    s = line.strip()
    if not s or len(s) > 80 or s[-1] in ".,;:!?\"'\u201d":
        return False
    letters = [c for c in s if c.isalpha()]
    return bool(_HEADING_WORDS.match(s)) or (bool(letters) and all(c.isupper() for c in letters))


def _is_table(lines: list[str]) -> bool:
    # columns: runs of spaces inside a line (a table of contents, a list of figures)
    return any(re.search(r"\S {3,}\S", ln.strip()) for ln in lines)


@dataclass(frozen=True)
class Prepared:
    """A raw book made into a source text, and what was done to it."""

    text: str
    encoding: str
    encoding_reason: str
    blocks: tuple[int, ...]  # paragraph (line) indexes of block quotations set off by indentation
    paragraphs: int
    notes: int
    note_sections: int
    lines_joined: int
    crlf: int  # CRLF line ends turned into LF
    gutenberg: bool  # the Project Gutenberg header and licence were found and stripped
    dropped: tuple[str, ...] = field(default_factory=tuple)  # what else was left out, and why

    def lines(self) -> list[str]:
        out = [f"encoding: {self.encoding} ({self.encoding_reason})",
               "Project Gutenberg header and licence: " + ("stripped" if self.gutenberg else "not found"),
               f"line ends: {self.crlf} CRLF turned into LF" if self.crlf else "line ends: LF",
               f"paragraphs: {self.paragraphs} ({self.lines_joined} wrapped lines joined)",
               f"block quotations set off by indentation: {len(self.blocks)}",
               f"notes: {self.notes} in {self.note_sections} notes section(s)"]
        out += [f"left out: {d}" for d in self.dropped]
        return out


def prepare(data: bytes, encoding: str | None = None) -> Prepared:
    """Convert a raw book's bytes into a source text (pure)."""
    text, used, why = decode(data, encoding)
    crlf = text.count("\r\n")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, gutenberg = strip_gutenberg(text)
    paras = _raw_paragraphs(text)
    dropped: list[str] = []
    # the body's indentation: the commonest indentation of a line (0 in most books; some
    # indent every line by a few columns)
    counts: dict[int, int] = {}
    for p in paras:
        for ln in p:
            counts[_indent(ln)] = counts.get(_indent(ln), 0) + 1
    body_indent = max(counts, key=lambda k: (counts[k], -k)) if counts else 0

    out: list[str] = []  # output paragraphs
    blocks: list[int] = []
    pending: list[tuple[int, str]] = []  # notes waiting for their section
    in_notes = False  # inside the book's own notes section
    joined = n_notes = n_sections = 0

    def flush() -> None:
        nonlocal n_sections
        if pending:
            out.append("NOTES")
            out.extend(f"[{n}] {t}" for n, t in pending)
            n_sections += 1
            pending.clear()

    for k, lines in enumerate(paras):
        if k < 3 and _PRODUCED_BY.match(lines[0]) and gutenberg:
            dropped.append("the Gutenberg producers' credit line")
            continue
        if all(_BOX.match(ln) for ln in lines):
            dropped.append(f"a transcriber's box of {len(lines)} lines")
            continue
        line, j = _join(lines)
        head = line.strip()
        if _NOTES_HEADING.match(head):
            in_notes = True  # the heading itself is replaced by the section's own
            continue
        fm = _FOOTNOTE_OPEN.match(head)
        if fm:
            body = head[fm.end():]
            body = body[:-1].rstrip() if body.endswith("]") else body
            pending.append((int(fm.group(1)), body))
            n_notes += 1
            joined += j
            continue
        ns = note_start(head)
        strong = bool(ns) and head[:1] in "[{"
        if ns and (strong or in_notes):
            pending.append((ns[0], head[ns[1]:].strip()))
            n_notes += 1
            joined += j
            in_notes = True
            continue
        if in_notes and pending and not _is_heading(head) and not any(_indent(ln) > body_indent for ln in lines[:1]):
            # a further paragraph of the last note (notes sections print them flush, like it)
            if len(head) > 0 and head[0].islower():
                n, t = pending[-1]
                pending[-1] = (n, t + " " + head)
                joined += j + 1
                continue
        if in_notes or (pending and _is_heading(head)):
            flush()
            in_notes = False
        joined += j
        indented = all(_indent(ln) >= body_indent + BLOCK_MIN_INDENT for ln in lines)
        # a block quotation is prose: it ends as a sentence does (an imprint, an address or a
        # list set off the same way does not)
        if (indented and len(lines) >= 2 and len(head.split()) >= BLOCK_MIN_WORDS
                and head.rstrip("_*")[-1:] in _SENTENCE_END and not _is_table(lines) and not _is_heading(head)):
            blocks.append(len(out))
            line = lines[0][:_indent(lines[0])] + head
        else:
            line = head
        out.append(line)
    flush()
    body = "\n".join(out) + "\n" if out else ""
    return Prepared(body, used, why, tuple(blocks), len(out), n_notes, n_sections, joined, crlf,
                    gutenberg, tuple(dict.fromkeys(dropped)))


# --- the command ----------------------------------------------------------------------------------

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class AddSummary:
    source_id: str
    file: str
    prepared: Prepared
    manifest: str

    def lines(self) -> list[str]:
        return ([f"added {self.source_id}: {self.file}"] + self.prepared.lines()
                + [f"wrote {self.file}", f"wrote {self.manifest}"])


def add(file: str | Path, id: str, title: str, author: str, year: int | None, publication: str,
        origin: str, rights: str, dataset: str | Path | None = None, encoding: str | None = None,
        replace: bool = False, progress: Callable[[str], None] | None = None) -> AddSummary:
    """Import a raw text as source `id` of `dataset`: write `sources/<id>.txt` and its manifest
    entry (with `"blocks"`). An id already in the manifest is refused unless `replace`."""
    from .build_cmd import DEFAULT_DATASET
    from .store import write_text

    if not _ID.match(id):
        raise QuoteprovError(f"--id {id!r}: use lower-case letters, digits, '.', '_' and '-' (e.g. russell-1920)")
    for name, value in (("title", title), ("author", author), ("publication", publication),
                        ("origin", origin), ("rights", rights)):
        if not str(value or "").strip():
            raise QuoteprovError(f"--{name} is required and may not be empty")
    path = Path(file)
    if not path.is_file():
        raise QuoteprovError(f"{path}: no such file")
    prepared = prepare(path.read_bytes(), encoding)
    if not prepared.text.strip():
        raise QuoteprovError(f"{path}: no text left after removing the Gutenberg header and licence")
    sources = Path(dataset if dataset is not None else DEFAULT_DATASET) / "sources"
    manifest_path = sources / MANIFEST
    entries: list[dict[str, Any]] = []
    if manifest_path.exists():
        try:
            entries = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise QuoteprovError(f"{manifest_path}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
        if not isinstance(entries, list):
            raise QuoteprovError(f"{manifest_path}: expected a JSON list of source entries")
    at = next((i for i, e in enumerate(entries) if isinstance(e, dict) and e.get("id") == id), None)
    if at is not None and not replace:
        raise QuoteprovError(f"{manifest_path}: source {id!r} exists already (use --replace to import it again)")
    entry: dict[str, Any] = {"id": id, "file": f"{id}.txt", "title": title, "author": author, "year": year,
             "publication": publication, "origin": origin, "rights": rights,
             "blocks": list(prepared.blocks)}
    assert all(k in entry for k in MANIFEST_FIELDS)
    if at is None:
        entries.append(entry)
    else:
        entries[at] = entry
    write_text(sources / entry["file"], prepared.text)
    write_text(manifest_path, json.dumps(entries, ensure_ascii=False, indent=2) + "\n")
    return AddSummary(id, str(sources / entry["file"]), prepared, str(manifest_path))


# --- a warning for build ----------------------------------------------------------------------------

def looks_hard_wrapped(text: str) -> bool:
    """True when a source reads like a hard-wrapped file: most lines are of a similar width
    under 80 columns and blank lines separate runs of them (one paragraph per line gives long
    lines of every width)."""
    lines = text.split("\n")
    filled = [ln for ln in lines if ln.strip()]
    if len(filled) < 20:
        return False
    short = sum(1 for ln in filled if 40 <= len(ln.rstrip()) <= 80)
    return short / len(filled) > 0.6 and max(len(ln) for ln in filled) <= 100


def add_command_hint(source_id: str, file: str) -> str:
    return (f"source {source_id} ({file}) looks hard-wrapped (lines of similar width under 80 columns): "
            f"import the raw file with `quoteprov add RAW_FILE --id {source_id} --replace --title ... "
            f"--author ... --year ... --publication ... --origin ... --rights ...`")
