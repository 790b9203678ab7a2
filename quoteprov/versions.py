"""Versions of the dataset for `quoteprov diff`: a records file, a dataset folder, or a git revision.

A version is read without loading every record: `diff` only parses the lines that differ
between two versions (see `diff.py`), so a version hands out its records file as a stream of
byte chunks, from disk or from `git cat-file` (git revisions are read with git itself, never
checked out). Source texts are small and are read whole, through the sources manifest.
"""
from __future__ import annotations

import json
import re
import subprocess
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator

from .errors import QuoteprovError
from .source import MANIFEST, OutsideSources, read_manifest, read_text, source_path, split_paragraphs, unsafe_source_name

RECORDS = "data/quotations.jsonl"  # inside a dataset folder
CHUNK = 1 << 24  # 16 MiB: big enough that the per-chunk Python work is negligible
DEFAULT_DATASET_PATH = "dataset"  # the dataset folder inside the repository


@dataclass(frozen=True)
class FileBlob:
    """A records file on disk."""

    path: Path

    @property
    def name(self) -> str:
        return str(self.path)

    def line_batches(self) -> Iterator[list[bytes]]:
        # a 1 MiB buffer: with the default 8 KiB one, readlines spends a quarter more time
        # joining lines that straddle buffer refills
        with open(self.path, "rb", buffering=1 << 20) as f:
            yield from _readlines(f)


@dataclass(frozen=True)
class GitBlob:
    """A file of a git revision, streamed from `git cat-file` (no checkout, no temporary copy)."""

    repo: Path
    rev: str
    path: str

    @property
    def name(self) -> str:
        return f"{self.rev}:{self.path}"

    def line_batches(self) -> Iterator[list[bytes]]:
        proc = subprocess.Popen(["git", "-C", str(self.repo), "cat-file", "blob", f"{self.rev}:{self.path}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        try:
            yield from _readlines(proc.stdout)
        finally:
            proc.stdout.close()
            err = proc.stderr.read().decode("utf-8", "replace").strip()
            proc.stderr.close()
            if proc.wait() != 0 and err:
                raise QuoteprovError(f"{self.name}: git cannot read it: {err}")


def _readlines(f: BinaryIO) -> Iterator[list[bytes]]:
    # readlines(hint) splits in C and needs no carry-over between chunks: about twice as fast
    # as read() + split(); lines keep their newline (the last may lack one)
    while lines := f.readlines(CHUNK):
        yield lines


Blob = FileBlob | GitBlob


@dataclass(frozen=True)
class Version:
    """One side of a diff: where its records are, and its source texts by source id."""

    label: str
    records: Blob
    sources: dict[str, str] = field(default_factory=dict)
    # False when the version has no sources folder: offsets cannot be checked against text then
    has_sources: bool = False
    # files its manifest names that were refused, never read (outside the dataset, not a file)
    problems: tuple[str, ...] = ()


# -- git ------------------------------------------------------------------------------------

def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True)
    except FileNotFoundError:
        raise QuoteprovError("git is not installed; only files and folders can be compared") from None


def git_toplevel(repo: str | Path) -> Path | None:
    """The root of the git work tree that holds `repo`, or None when it is not in one."""
    p = _git(Path(repo), "rev-parse", "--show-toplevel")
    return Path(p.stdout.decode().strip()) if p.returncode == 0 else None


def resolve_commit(repo: str | Path, rev: str) -> str | None:
    """The full commit id that `rev` names in `repo`, or None."""
    if rev.startswith("-"):  # never let a revision be read as an option of git
        return None
    p = _git(Path(repo), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    return p.stdout.decode().strip() if p.returncode == 0 else None


def git_object_type(repo: Path, rev: str, path: str) -> str | None:
    """`blob`, `tree` or None when `path` does not exist at `rev`."""
    p = _git(repo, "cat-file", "-t", f"{rev}:{path}")
    return p.stdout.decode().strip() if p.returncode == 0 else None


def git_read(repo: Path, rev: str, path: str) -> bytes:
    p = _git(repo, "cat-file", "blob", f"{rev}:{path}")
    if p.returncode != 0:
        raise QuoteprovError(f"{rev}:{path}: git cannot read it: {p.stderr.decode('utf-8', 'replace').strip()}")
    return p.stdout


def latest_tag(repo: str | Path) -> str:
    """The most recent tag reachable from HEAD (`git describe --tags --abbrev=0`)."""
    top = git_toplevel(repo)
    if top is None:
        raise QuoteprovError(f"{Path(repo).resolve()}: not a git repository, so there is no previous tag to compare with")
    p = _git(top, "describe", "--tags", "--abbrev=0")
    if p.returncode != 0:
        raise QuoteprovError(f"{top}: no release tag yet, so there is no previous version to compare with; "
                             "make the first release with `quoteprov release` (it tags the version the "
                             "files state), or name the base with --since REV")
    return p.stdout.decode().strip()


# -- sources --------------------------------------------------------------------------------

def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QuoteprovError(f"{name}: not UTF-8 at byte offset {exc.start}") from None


def _manifest_entries(raw: bytes, name: str) -> list[dict]:
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise QuoteprovError(f"{name}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "id" in e and "file" in e for e in entries):
        raise QuoteprovError(f"{name}: expected a JSON list of source entries with id and file")
    return entries


def _refused(manifest: str, entry: dict, reason: str) -> str:
    return (f"{manifest}: the manifest names a file outside the dataset, not read: source "
            f"{json.dumps(entry.get('id'), ensure_ascii=False)}: file "
            f"{json.dumps(entry.get('file'), ensure_ascii=False)} {reason}")


def folder_sources(sources_dir: Path) -> tuple[dict[str, str], list[str]]:
    """Source texts of a sources folder on disk, by id (through the manifest), and the files
    refused by the confinement rule of `source.source_path` (never read: a diff is shown to
    reviewers, so a manifest must not make it print `/proc/self/environ`)."""
    out, problems = {}, []
    for entry in read_manifest(sources_dir):
        try:
            file = source_path(sources_dir, entry["file"])
        except OutsideSources as exc:
            problems.append(_refused(str(sources_dir / MANIFEST), entry, exc.reason))
            continue
        if not file.exists():
            raise QuoteprovError(f"{sources_dir / MANIFEST}: {entry['id']}: file {entry['file']} not found")
        out[entry["id"]] = read_text(file)
    return out, problems


def _git_entry_mode(repo: Path, rev: str, path: str) -> str | None:
    """The tree mode of `path` at `rev` (100644 file, 120000 symbolic link, ...), or None."""
    p = _git(repo, "ls-tree", "-z", rev, "--", path)
    if p.returncode != 0 or not p.stdout:
        return None
    return p.stdout.split(b" ", 1)[0].decode()


def git_sources(repo: Path, rev: str, sources_dir: str) -> tuple[dict[str, str], list[str]]:
    """Source texts of a sources folder at a git revision, by id, and the refused files: the
    same name rule as on disk, and only plain files of the tree (a symbolic link's target is
    not followed, a submodule not entered)."""
    name = f"{rev}:{sources_dir}/{MANIFEST}"
    out, problems = {}, []
    for entry in _manifest_entries(git_read(repo, rev, f"{sources_dir}/{MANIFEST}"), name):
        why = unsafe_source_name(entry["file"])
        path = f"{sources_dir}/{entry['file']}" if why is None else ""
        if why is None and _git_entry_mode(repo, rev, path) not in (None, "100644", "100755"):
            why = "is not a plain file in the tree (a symbolic link?); source files live in sources/"
        if why is not None:
            problems.append(_refused(name, entry, why))
            continue
        out[entry["id"]] = _decode(git_read(repo, rev, path), f"{rev}:{path}")
    return out, problems


# -- resolving what the user named ----------------------------------------------------------

def _records_file_sources(path: Path) -> Path | None:
    """The sources folder that belongs with a records file: `dataset/sources` for
    `dataset/data/quotations.jsonl`, or a `sources` folder beside the file."""
    for candidate in (path.parent.parent / "sources", path.parent / "sources"):
        if (candidate / MANIFEST).exists():
            return candidate
    return None


def path_version(path: Path, label: str | None = None) -> Version:
    """A version on disk: a records file, a dataset folder (with `data/` and `sources/`), or a
    data folder that holds `quotations.jsonl`."""
    label = label or str(path)
    if path.is_dir():
        from .store import settle

        settle(path)  # an interrupted build's swap is finished (or undone) before anything is read
        if (path / RECORDS).is_file():
            records, sources_dir = path / RECORDS, path / "sources"
        elif (path / "quotations.jsonl").is_file():
            records, sources_dir = path / "quotations.jsonl", path.parent / "sources"
        else:
            raise QuoteprovError(f"{path}: a folder without {RECORDS} or quotations.jsonl; "
                                 "name a dataset folder or a records file")
        has = (sources_dir / MANIFEST).exists()
    else:
        records = path
        found = _records_file_sources(path)
        has, sources_dir = found is not None, found or path
    sources, problems = folder_sources(sources_dir) if has else ({}, [])
    return Version(label, FileBlob(records), sources, has, tuple(f"{label}: {p}" for p in problems))


def git_version(repo: Path, rev: str, spec: str, path: str) -> Version:
    """A version at a git revision: `path` is a dataset folder or a records file in that tree."""
    path = path.strip("/") or "."
    kind = git_object_type(repo, rev, path)
    if kind == "tree":
        base = "" if path == "." else f"{path}/"
        if git_object_type(repo, rev, base + RECORDS) == "blob":
            records, sources_dir = base + RECORDS, base + "sources"
        elif git_object_type(repo, rev, base + "quotations.jsonl") == "blob":
            records = base + "quotations.jsonl"
            sources_dir = str(Path(path).parent / "sources")
        else:
            raise QuoteprovError(f"{spec}: {path}/ at {rev} holds no {RECORDS}")
    elif kind == "blob":
        records = path
        sources_dir = str(Path(path).parent.parent / "sources")
    else:
        raise QuoteprovError(f"{spec}: {rev} has no {path} (is the dataset folder elsewhere? see --dataset-path)")
    has = git_object_type(repo, rev, f"{sources_dir}/{MANIFEST}") == "blob"
    sources, problems = git_sources(repo, rev, sources_dir) if has else ({}, [])
    return Version(spec, GitBlob(repo, rev, records), sources, has, tuple(f"{spec}: {p}" for p in problems))


def resolve_version(spec: str | Path, repo: str | Path = ".", dataset_path: str = DEFAULT_DATASET_PATH) -> Version:
    """What OLD or NEW names: an existing path wins; otherwise a git revision of `repo`
    (`HEAD~1`, a tag, a commit), read at `dataset_path`, or `REV:PATH` for another path in it."""
    path = Path(spec)
    if path.exists():
        return path_version(path, str(spec))
    spec = str(spec)
    top = git_toplevel(repo)
    if top is None:
        raise QuoteprovError(f"{spec}: no such file or folder, and {repo} is not a git repository "
                             "in which it could be a revision")
    rev, sep, inner = spec.partition(":")
    commit = resolve_commit(top, rev if sep else spec)
    if commit is None:
        raise QuoteprovError(f"{spec}: neither a file or folder nor a revision of the git repository {top}")
    return git_version(top, commit, spec, inner if sep else dataset_path)


def working_tree(repo: str | Path = ".", dataset_path: str = DEFAULT_DATASET_PATH) -> Version:
    """The dataset folder of the work tree of `repo` (what `quoteprov diff REV` compares with)."""
    top = git_toplevel(repo)
    root = top if top is not None else Path(repo)
    folder = root / dataset_path
    if not folder.exists():
        raise QuoteprovError(f"{folder}: no dataset folder in the working tree; name NEW explicitly")
    return path_version(folder, "working tree")


# -- what changed in a source text ----------------------------------------------------------

SNIPPET = 60  # characters of edited text quoted in a summary
_WORD_DIFF_LIMIT = 4_000_000  # tokens(a) * tokens(b) above which a changed run of lines is one replace


@dataclass(frozen=True)
class TextEdit:
    """One edit of a source text: `old[old_start:old_end]` became `new[new_start:new_end]`."""

    op: str  # insert | delete | replace
    old_start: int
    old_end: int
    new_start: int
    new_end: int
    paragraph: int  # paragraph (line) of the old text where the edit starts
    old_text: str
    new_text: str

    def describe(self) -> str:
        where = f"at offset {self.old_start} in paragraph {self.paragraph}"
        if self.op == "insert":
            return f"inserted {_chars(len(self.new_text))} {where}: {_snip(self.new_text)}"
        if self.op == "delete":
            return f"deleted {_chars(len(self.old_text))} {where}: {_snip(self.old_text)}"
        return (f"replaced {_chars(len(self.old_text))} {where} with {_chars(len(self.new_text))}: "
                f"{_snip(self.old_text)} -> {_snip(self.new_text)}")

    def to_json(self) -> dict:
        return {"op": self.op, "old_start": self.old_start, "old_end": self.old_end,
                "new_start": self.new_start, "new_end": self.new_end, "paragraph": self.paragraph,
                "old_text": self.old_text, "new_text": self.new_text}


def _chars(n: int) -> str:
    return f"{n} character" + ("" if n == 1 else "s")


def _snip(s: str) -> str:
    return json.dumps(s if len(s) <= SNIPPET else s[:SNIPPET - 1] + "\u2026", ensure_ascii=False)


Opcode = tuple[str, int, int, int, int]
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _line_starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def text_opcodes(a: str, b: str) -> list[Opcode]:
    """difflib opcodes in character offsets, computed lines first and then words inside each
    changed run of lines: a character-level SequenceMatcher over a whole book would be quadratic,
    and a paragraph is where edits happen (a corrected word, a sentence added)."""
    from difflib import SequenceMatcher

    al, bl = a.splitlines(keepends=True), b.splitlines(keepends=True)
    sa, sb = _line_starts(al), _line_starts(bl)
    out: list[Opcode] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, al, bl, autojunk=False).get_opcodes():
        a1, a2, b1, b2 = sa[i1], sa[i2], sb[j1], sb[j2]
        if tag == "equal":
            out.append(("equal", a1, a2, b1, b2))
            continue
        # words, not characters: "goverment" -> "government" reads as one replaced word
        ta, tb = _TOKEN.findall(a[a1:a2]), _TOKEN.findall(b[b1:b2])
        if len(ta) * len(tb) > _WORD_DIFF_LIMIT:
            out.append((tag, a1, a2, b1, b2))
        else:
            oa, ob = _line_starts(ta), _line_starts(tb)
            sm = SequenceMatcher(None, ta, tb, autojunk=False)
            out.extend((t, a1 + oa[x1], a1 + oa[x2], b1 + ob[y1], b1 + ob[y2]) for t, x1, x2, y1, y2 in sm.get_opcodes())
    return _merge(out)


def _merge(ops: list[Opcode], min_equal: int = 3) -> list[Opcode]:
    """Join neighbouring edits, absorbing equal runs shorter than `min_equal` characters between
    two edits (a character diff of a rewritten phrase otherwise reads as dozens of tiny edits)."""
    out: list[Opcode] = []
    for i, (tag, a1, a2, b1, b2) in enumerate(ops):
        if a1 == a2 and b1 == b2:
            continue
        inner = 0 < i < len(ops) - 1
        if tag == "equal" and not (inner and a2 - a1 < min_equal):
            if out and out[-1][0] == "equal":
                out[-1] = ("equal", out[-1][1], a2, out[-1][3], b2)
            else:
                out.append((tag, a1, a2, b1, b2))
            continue
        if out and out[-1][0] != "equal":
            _, p1, _, q1, _ = out[-1]
            out[-1] = ("edit", p1, a2, q1, b2)
        else:
            out.append(("edit", a1, a2, b1, b2))
    return [(("insert" if a1 == a2 else "delete" if b1 == b2 else "replace") if t == "edit" else t, a1, a2, b1, b2)
            for t, a1, a2, b1, b2 in out]


@dataclass(frozen=True)
class OffsetMap:
    """Maps offsets of an old source text to the new one through its edits. A character that
    survived the edit maps to where it now stands; an edited character maps to None."""

    equal: tuple[tuple[int, int, int], ...]  # (old start, old end, new start) of unchanged runs
    old_len: int
    new_len: int

    @classmethod
    def from_opcodes(cls, ops: list[Opcode], old_len: int, new_len: int) -> "OffsetMap":
        return cls(tuple((a1, a2, b1) for t, a1, a2, b1, _ in ops if t == "equal"), old_len, new_len)

    def char(self, c: int) -> int | None:
        if c >= self.old_len:
            return self.new_len + (c - self.old_len) if c == self.old_len else None
        k = bisect_right(self.equal, (c, float("inf"))) - 1
        if k >= 0:
            a1, a2, b1 = self.equal[k]
            if a1 <= c < a2:
                return b1 + c - a1
        return None

    def start(self, s: int) -> int | None:
        """Where a span that began at `s` begins now (its first character moved with the text)."""
        return self.char(s)

    def end(self, e: int) -> int | None:
        """Where a span that ended at `e` (exclusive) ends now: one past its last character."""
        if e <= 0:
            return self.char(e)
        last = self.char(e - 1)
        return None if last is None else last + 1


def paragraph_starts(text: str) -> list[int]:
    """Start offsets of the paragraphs (lines) of a text, as the source reader splits them."""
    return [start for start, _ in split_paragraphs(text)]


def paragraph_at(starts: list[int], offset: int) -> int:
    """0-based paragraph index of `offset` (binary search over `paragraph_starts`)."""
    return max(0, bisect_right(starts, offset) - 1)


@dataclass(frozen=True)
class SourceChange:
    """A source text that was added, removed or edited between two versions."""

    id: str
    status: str  # added | removed | changed
    old_chars: int
    new_chars: int
    edits: tuple[TextEdit, ...] = ()

    @property
    def summary(self) -> str:
        if self.status != "changed":
            return f"source {self.status} ({_chars(self.new_chars if self.status == 'added' else self.old_chars)})"
        ins = sum(len(e.new_text) for e in self.edits)
        dels = sum(len(e.old_text) for e in self.edits)
        head = f"{len(self.edits)} edit{'' if len(self.edits) == 1 else 's'} (+{ins} -{dels} characters)"
        return head + ": " + "; ".join(e.describe() for e in self.edits[:3]) + ("; ..." if len(self.edits) > 3 else "")

    def to_json(self) -> dict:
        return {"id": self.id, "status": self.status, "summary": self.summary, "old_chars": self.old_chars,
                "new_chars": self.new_chars, "edits": [e.to_json() for e in self.edits]}


def compare_sources(old: dict[str, str], new: dict[str, str]) -> tuple[list[SourceChange], dict[str, OffsetMap]]:
    """Source changes between two versions, and an offset map for each source in both."""
    changes: list[SourceChange] = []
    maps: dict[str, OffsetMap] = {}
    for sid in list(old) + [s for s in new if s not in old]:
        a, b = old.get(sid), new.get(sid)
        if a is None or b is None:
            changes.append(SourceChange(sid, "added" if a is None else "removed", len(a or ""), len(b or "")))
            continue
        if a == b:
            maps[sid] = OffsetMap(((0, len(a), 0),), len(a), len(b))
            continue
        ops = text_opcodes(a, b)
        maps[sid] = OffsetMap.from_opcodes(ops, len(a), len(b))
        starts = paragraph_starts(a)
        edits = tuple(TextEdit(t, a1, a2, b1, b2, paragraph_at(starts, a1), a[a1:a2], b[b1:b2])
                      for t, a1, a2, b1, b2 in ops if t != "equal")
        changes.append(SourceChange(sid, "changed", len(a), len(b), edits))
    return changes, maps
