"""Stage 1: read a source text into a `Source` (text, paragraphs, note paragraphs, notes).

This is the only stage that reads files. Offsets everywhere in quoteprov are code-point
offsets into `Source.text`, which is the file decoded as UTF-8 with newlines untouched.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import QuoteprovError

# A paragraph that *begins* with a footnote marker is a note, not body text:
# "[12] See ...", "(59) Ibid.", "59. Ibid.", "59 Ibid.", "¹² Ibid.", "{3} ...".
_NOTE_START = re.compile(
    r"^\s*(?:\[(\d{1,4})\]|\{(\d{1,4})\}|\((\d{1,4})\)|(\d{1,4})[.)]?(?=\s+\S)"
    r"|([\u00b9\u00b2\u00b3\u2070-\u2079]+))\s*"
)
# A heading that opens a notes section ("NOTES", "Footnotes:", "Endnotes").
_NOTES_HEADING = re.compile(r"^\s*(?:foot|end)?notes\s*:?\s*$", re.IGNORECASE)
_OPENING_MARKS = "\"\u201c\u201e\u00ab'\u2018"
_SUPERSCRIPTS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789")


@dataclass(frozen=True)
class NoteSection:
    """One run of note paragraphs (a notes section, or notes printed together): books that
    number notes per chapter restart at 1 in each, so a note is found by its section."""

    first: int  # index of the section's first paragraph (its heading, or its first note)
    last: int  # index of its last note paragraph
    notes: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """A source text with its paragraph structure.

    `paragraphs` holds (start, end) of every line (end excludes the newline); `note_paragraphs`
    the indexes of lines that are footnote text or a notes heading; `notes` maps a note number
    to the note's text, so a record's footnote can be followed to the note that documents it.
    """

    id: str
    text: str
    paragraphs: tuple[tuple[int, int], ...]
    note_paragraphs: frozenset[int] = frozenset()
    notes: dict[int, str] = field(default_factory=dict)  # the first note of each number
    metadata: dict[str, Any] = field(default_factory=dict)
    note_sections: tuple[NoteSection, ...] = ()  # every note, by section, in text order

    def note(self, number: int, paragraph: int) -> str | None:
        """The text of note `number` as referred to from `paragraph`: from the first notes
        section after the paragraph that has that number (chapter-end and end notes), else the
        nearest one before it, else `notes`."""
        after = [sec for sec in self.note_sections if sec.first > paragraph and number in sec.notes]
        if after:
            return after[0].notes[number]
        before = [sec for sec in self.note_sections if sec.last < paragraph and number in sec.notes]
        return before[-1].notes[number] if before else self.notes.get(number)

    def paragraph_of(self, offset: int) -> int:
        """Index of the paragraph that contains `offset` (binary search)."""
        lo, hi = 0, len(self.paragraphs) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.paragraphs[mid][0] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def is_body(self, paragraph: int) -> bool:
        return paragraph not in self.note_paragraphs


def split_paragraphs(text: str) -> tuple[tuple[int, int], ...]:
    """One paragraph per line; the newline (\\n, \\r\\n or \\r) is not part of it."""
    spans = []
    if "\r" not in text:  # the usual case, by str.split: ten times faster than the regex below
        pos = 0
        for line in text.split("\n"):
            spans.append((pos, pos + len(line)))
            pos += len(line) + 1
        if len(spans) > 1 and text.endswith("\n"):
            spans.pop()  # no paragraph after the last newline
        return tuple(spans)
    for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        if m.start() == len(text) and m.start() > 0:
            break
        body = m.group().rstrip("\r\n")
        spans.append((m.start(), m.start() + len(body)))
        if m.end() == len(text):
            break
    return tuple(spans) or ((0, 0),)


def note_start(line: str) -> tuple[int, int] | None:
    """(note number, length of the marker prefix) when `line` begins with a note marker."""
    m = _NOTE_START.match(line)
    if not m:
        return None
    digits = next(g for g in m.groups() if g)
    return int(digits.translate(_SUPERSCRIPTS)), m.end()


def find_notes(text: str, paragraphs: tuple[tuple[int, int], ...]) -> tuple[frozenset[int], dict[int, str]]:
    """Note paragraphs and note texts (the first note of each number); see `find_note_sections`."""
    note_pars, sections = find_note_sections(text, paragraphs)
    notes: dict[int, str] = {}
    for sec in sections:
        for k, v in sec.notes.items():
            notes.setdefault(k, v)
    return note_pars, notes


def find_note_sections(text: str, paragraphs: tuple[tuple[int, int], ...]) -> tuple[frozenset[int], tuple[NoteSection, ...]]:
    """Note paragraphs and note texts.

    A line that starts with a bracketed marker (`[1] ...`, `{1}`) or a superscript is a note
    wherever it stands. A bare number or `(59)` at the start of a line is ambiguous in prose
    (a numbered list, a year), so it counts only inside a notes section (after a "Notes"
    heading), where the rest of the section is notes too.
    """
    note_pars: set[int] = set()
    sections: list[NoteSection] = []
    notes: dict[int, str] = {}  # of the current section
    first = last = -1
    in_section = False
    last_note: int | None = None

    body_seen = False  # a body paragraph since the last note paragraph

    def close() -> None:
        nonlocal notes
        if notes:
            sections.append(NoteSection(first, last, notes))
        notes = {}

    for i, (s, e) in enumerate(paragraphs):
        line = text[s:e]
        if _NOTES_HEADING.match(line):
            close()
            first = i
            body_seen = False
            in_section = True
            note_pars.add(i)
            continue
        start = note_start(line)
        strong = bool(start) and line.lstrip()[:1] in "[{\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
        if start and (strong or in_section):
            number, prefix = start
            if number in notes or (body_seen and notes):
                # a number seen again, or notes after body text: a new section
                close()
            if not notes and not (first >= 0 and not body_seen and in_section):
                first = i
            body_seen = False
            note_pars.add(i)
            notes[number] = line[prefix:].strip()
            last = i
            last_note = number
            in_section = True
        elif last_note is not None and i - 1 in note_pars and line.strip() and line.lstrip()[:1] in _OPENING_MARKS:
            # a quotation that a note carries on over several paragraphs (each opens with a
            # mark, by the usual convention) is still the note
            note_pars.add(i)
            if last_note in notes:
                notes[last_note] += "\n" + line.strip()
                last = i
        elif in_section and line.strip() and not start:
            # a continuation line of the previous note, or the body resuming: a notes section
            # ends at the first line that is neither a note nor blank (Gutenberg-style texts
            # print notes between chapters).
            in_section = False
            body_seen = True
        elif line.strip() and i not in note_pars:
            body_seen = True
    close()
    return frozenset(note_pars), tuple(sections)


def make_source(text: str, source_id: str, metadata: dict[str, Any] | None = None) -> Source:
    """Build a `Source` from text already in memory (pure)."""
    paragraphs = split_paragraphs(text)
    note_pars, sections = find_note_sections(text, paragraphs)
    notes: dict[int, str] = {}
    for sec in sections:
        for k, v in sec.notes.items():
            notes.setdefault(k, v)
    return Source(source_id, text, paragraphs, note_pars, notes, dict(metadata or {}), sections)


def read_text(path: str | Path) -> str:
    """Read a UTF-8 file with newlines untouched; a decoding error names the byte offset."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QuoteprovError(
            f"{path}: not UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
            f"({exc.reason}); convert the file to UTF-8 first"
        ) from None
    if text.startswith("\ufeff"):
        raise QuoteprovError(f"{path}: starts with a byte-order mark; save it as UTF-8 without BOM")
    return text


def read_source(path: str | Path, source_id: str | None = None, metadata: dict[str, Any] | None = None) -> Source:
    """Read one source file."""
    path = Path(path)
    return make_source(read_text(path), source_id or path.stem, metadata)


MANIFEST = "manifest.json"
MANIFEST_FIELDS = ("id", "file", "title", "author", "year", "publication", "origin", "rights")


def read_manifest(sources_dir: str | Path) -> list[dict[str, Any]]:
    """The manifest of a sources folder: a JSON list of entries, one per source file."""
    path = Path(sources_dir) / MANIFEST
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuoteprovError(f"{path}: no manifest; every source needs an entry there") from None
    except json.JSONDecodeError as exc:
        raise QuoteprovError(f"{path}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
    if not isinstance(entries, list):
        raise QuoteprovError(f"{path}: expected a JSON list of source entries")
    for n, entry in enumerate(entries):
        missing = [k for k in MANIFEST_FIELDS if k not in entry]
        if missing:
            raise QuoteprovError(f"{path}: entry {n} lacks {', '.join(missing)}")
    return entries


class OutsideSources(QuoteprovError):
    """A manifest names a file outside its sources folder (or not a plain file): never read."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # what follows the file's name in a message: "is outside ..."


_LIVE_THERE = "source files live in sources/"
_SOURCES = "the sources folder"


def unsafe_name(name: Any, inside: str = _SOURCES) -> str | None:
    """Why a file name taken from a contributed file may not be read, judged from the name
    alone, or None (the reason reads after the name: `"../x.txt" is outside the sources folder`).

    The rule for every path a dataset's own files name (a manifest's `file`, a card's
    `data_files`), for every reader (build, validate, report, diff from a folder or a git
    revision, load): a relative path with no `..` part. Such a file comes with a contribution,
    and whatever it names is read and shown to reviewers (`diff`) or published (`build`), so it
    must not reach `/proc/self/environ` or `../../secret.txt`.
    """
    if not isinstance(name, str) or not name.strip():
        return "is not a file name"
    if "\0" in name:
        return "contains a NUL character"
    if Path(name).is_absolute() or name.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", name):
        return f"is an absolute path, outside {inside}"
    if ".." in re.split(r"[\\/]", name):
        return f"is outside {inside}"
    return None


def confined(folder: str | Path, name: Any, inside: str = _SOURCES) -> tuple[Path | None, str | None]:
    """(resolved path, None) when `name` is a file inside `folder` or missing there; else
    (None, why): besides the name rule (`unsafe_name`), the resolved path (symbolic links
    followed) must lie inside the folder, and if it exists be a regular file (not a FIFO that
    would hang the reader, a device, or a folder)."""
    why = unsafe_name(name, inside)
    if why is not None:
        return None, why
    folder = Path(folder)
    target = (folder / name).resolve()
    if folder.resolve() not in target.parents:
        return None, f"is outside {inside} (a symbolic link leads out of it)"
    if target.exists() and not target.is_file():
        return None, "is not a regular file"
    return target, None


def unsafe_source_name(file: Any) -> str | None:
    """`unsafe_name` for a manifest's `file`, with the advice for sources."""
    why = unsafe_name(file)
    return None if why is None else f"{why}; {_LIVE_THERE}" if "outside" in why else why


def source_path(sources_dir: str | Path, file: Any) -> Path:
    """The resolved path of a manifest's `file` inside `sources_dir` (see `confined`), or
    OutsideSources, never read."""
    sources_dir = Path(sources_dir)
    target, why = confined(sources_dir, file)
    if target is not None:
        return target
    why = f"{why}; {_LIVE_THERE}" if why and "outside" in why else why
    raise OutsideSources(f"{sources_dir / MANIFEST}: {json.dumps(file, ensure_ascii=False)} {why}", str(why))


def dataset_file_problems(folder: str | Path) -> list[tuple[Path, str, str]]:
    """(path, code, message) for every file of a dataset folder that must not be published:
    a symbolic link that leads out of the folder (`symlink-outside`: the Hub upload follows it
    and would publish what it points at) and a Python file (`script`: `datasets` takes
    `<folder>.py` for a loading script, and the Hub would serve code with the data). Hidden
    entries are skipped, as `publish` skips them."""
    folder = Path(folder)
    root = folder.resolve()
    out: list[tuple[Path, str, str]] = []
    for dirpath, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        here = Path(dirpath)
        for name in sorted(files) + [d for d in dirs if (here / d).is_symlink()]:
            if name.startswith("."):
                continue
            p = here / name
            if p.is_symlink():
                target = p.resolve()
                if target != root and root not in target.parents:
                    out.append((p, "symlink-outside", "a symbolic link that leads out of the dataset folder; "
                                "publishing would upload what it points at; put the file itself here or remove it"))
                    continue
            if name.endswith(".py"):
                out.append((p, "script", "a Python file in the dataset folder: `datasets` would take it for a "
                            "loading script and the Hub would serve it with the data; quoteprov datasets have "
                            "none; remove it"))
    return out


def read_sources(sources_dir: str | Path) -> list[Source]:
    """Every source of a dataset's sources folder, in manifest order."""
    sources_dir = Path(sources_dir)
    out = []
    for entry in read_manifest(sources_dir):
        file = source_path(sources_dir, entry["file"])
        if not file.exists():
            raise QuoteprovError(f"{sources_dir / MANIFEST}: {entry['id']}: file {entry['file']} not found")
        out.append(read_source(file, entry["id"], entry))
    return out


def read_registry(path: str | Path) -> list[dict[str, Any]]:
    """A source's entity registry (data): a JSON list of {name, aliases, kind}."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise QuoteprovError(f"{path}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
