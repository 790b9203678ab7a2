"""Versions of the dataset for `quoteprov diff`: a records file, a dataset folder, or a git revision.

A version is read without loading every record: `diff` only parses the lines that differ
between two versions (`Side`, `differing`), so a version hands out its records file as a stream of
byte chunks, from disk or from `git cat-file` (git revisions are read with git itself, never
checked out). Source texts are small and are read whole, through the sources manifest.
"""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from ..defaults import DEFAULT_DATASET_PATH
from ..errors import QuoteprovError
from ..source import (
    MANIFEST,
    OutsideSources,
    read_manifest,
    read_text,
    source_path,
    unsafe_source_name,
)

RECORDS = "data/quotations.jsonl"  # inside a dataset folder
CHUNK = 1 << 24  # 16 MiB: big enough that the per-chunk Python work is negligible


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


def _readlines(f: IO[bytes]) -> Iterator[list[bytes]]:
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
        from ..store import settle

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


try:  # orjson parses the differing lines several times faster; json is the fallback
    import orjson

    loads: Callable[[bytes], Any] = orjson.loads
    JSONError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - orjson is a declared dependency
    loads, JSONError = json.loads, json.JSONDecodeError


Row = tuple[int, dict[str, Any]]  # (line number, record)
PENDING_BYTES = 256 << 20  # unmatched lines kept in memory; past this only line numbers are kept
_BLANK = frozenset(map(hash, (b"", b"\n", b"\r\n")))


def _parse(line: bytes, name: str, lineno: int) -> dict[str, Any]:
    try:
        rec = loads(line)
    except JSONError as exc:
        raise QuoteprovError(f"{name}:{lineno}: not valid JSON: {exc}") from None
    if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
        raise QuoteprovError(f"{name}:{lineno}: expected a record (a JSON object with a string id)")
    for key, kind in _ALIGNED_BY:
        value = rec.get(key)
        if value is not None and not _is(value, kind):
            raise QuoteprovError(f"{name}:{lineno}: {key} must be {_KIND_NAMES[kind]}, got {_json_kind(value)}; "
                                 f"records are aligned by it (`quoteprov validate` explains the file)")
    return rec


# the fields records are aligned by (hashed, compared, normalised): another type cannot be diffed
_ALIGNED_BY = (("source_id", str), ("text", str), ("start", int), ("end", int))
_KIND_NAMES = {str: "a string", int: "an integer"}


def _is(value: Any, kind: type) -> bool:
    return type(value) is kind  # (JSON true is not the integer 1)


def _json_kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true or false", float: "a number",
            int: "an integer"}.get(type(value), type(value).__name__)


@dataclass
class Side:
    """The lines of one version not (yet) seen in the other: hash -> (line number, line or None)."""

    blob: Blob
    pending: dict[int, tuple[int, bytes | None]] = field(default_factory=dict)
    records: int = 0
    lines: int = 0
    kept: int = 0  # bytes held in `pending`

    def add(self, hashes: list[int], lines: list[bytes], unmatched: set[int]) -> None:
        base = self.lines
        if unmatched:
            # the index is built in C; Python only loops over the few unmatched lines
            where = dict(zip(hashes, range(len(hashes))))
            for h in unmatched:
                i = where[h]
                keep = self.kept < PENDING_BYTES
                self.pending[h] = (base + i + 1, lines[i] if keep else None)
                self.kept += len(lines[i]) if keep else 0
        self.lines += len(lines)

    def rows(self) -> list[Row]:
        """Parse the unmatched lines, re-reading the file only for those not kept in memory."""
        missing = {n for n, line in self.pending.values() if line is None}
        found: dict[int, bytes] = {}
        if missing:
            n = 0
            for lines in self.blob.line_batches():
                for i in range(len(lines)):
                    if n + i + 1 in missing:
                        found[n + i + 1] = lines[i]
                n += len(lines)
        texts = ((n, line if line is not None else found[n]) for n, line in self.pending.values())
        out = [(n, _parse(line, self.blob.name, n)) for n, line in texts if line.strip()]
        out.sort(key=lambda row: row[0])
        return out


def differing(old: Blob, new: Blob) -> tuple[Side, Side]:
    """Read both versions once, side by side, batch by batch, and keep the lines that do not
    appear in the other version. Versions of a dataset list their records in the same order, so
    almost every line finds its twin in the other side's batch (a set intersection, in C) and
    only the few that differ, or straddle a batch boundary, are held. Lines are compared by their
    64-bit SipHash (Python's bytes hash): a collision among millions of lines has odds near 1e-7."""
    a, b = Side(old), Side(new)
    batches_a, batches_b = old.line_batches(), new.line_batches()
    while True:
        la, lb = next(batches_a, None), next(batches_b, None)
        if la is None and lb is None:
            break
        ha, hb = list(map(hash, la or ())), list(map(hash, lb or ()))
        sa, sb = set(ha) - _BLANK, set(hb) - _BLANK
        both = sa & sb
        sa -= both
        sb -= both
        for mine, theirs in ((sa, b), (sb, a)):  # twins among the other side's held lines
            seen = mine & theirs.pending.keys()
            for h in seen:
                theirs.kept -= len(theirs.pending.pop(h)[1] or b"")
            mine -= seen
        for side, lines, hashes, unmatched in ((a, la, ha, sa), (b, lb, hb, sb)):
            if lines:
                side.add(hashes, lines, unmatched)
                side.records += len(lines) - lines.count(b"\n") - lines.count(b"\r\n")
    return a, b


def iter_records(blob: Blob) -> Iterable[dict[str, Any]]:
    """Every record of a version (for output that shows them all; the diff itself never needs to)."""
    n = 0
    for lines in blob.line_batches():
        for i, line in enumerate(lines):
            if line.strip():
                yield _parse(line, blob.name, n + i + 1)
        n += len(lines)


def shared_records(side: Side, other: Side) -> Iterable[dict]:
    """The records of `side` that the other version has too (only for confirming a schema change)."""
    n = 0
    for lines in side.blob.line_batches():
        for i, line in enumerate(lines):
            h = hash(line)
            if h not in side.pending and h not in _BLANK:
                yield _parse(line, side.blob.name, n + i + 1)
        n += len(lines)
