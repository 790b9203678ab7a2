"""The one place that writes files: JSON Lines and text, atomically.

Every file is written to a temporary file in the same folder and renamed over the target, so a
crash or an invalid record leaves the previous file intact; and the files one build publishes
together are swapped in as one generation (`generation`, `settle`, below).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator


def dumps(obj: Any) -> str:
    """One JSON line: UTF-8 characters kept, key order as given, no trailing spaces."""
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "), allow_nan=False)


@contextmanager
def atomic_open(path: str | Path, mode: str = "w") -> Iterator[Any]:
    """Open a temporary sibling of `path`; on success fsync and rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8", "newline": "\n"}
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates the file 0600; a dataset file should be readable like any other
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as JSON Lines atomically; returns the count."""
    n = 0
    with atomic_open(path) as f:
        for row in rows:
            f.write(dumps(row) + "\n")
            n += 1
    return n


def write_text(path: str | Path, text: str) -> None:
    with atomic_open(path) as f:
        f.write(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_open(path, "wb") as f:
        f.write(data)


def copy_bytes(src: BinaryIO, dst: BinaryIO, length: int) -> None:
    """Copy `length` bytes from `src`'s position to `dst`, a block at a time."""
    while length > 0:
        block = src.read(min(length, 1 << 20))
        if not block:
            raise OSError(f"{getattr(src, 'name', 'file')}: ended {length} bytes early")
        dst.write(block)
        length -= len(block)


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSON Lines file written by this module (trusted input; `validate` checks others)."""
    return list(iter_jsonl(path))


def iter_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """`read_jsonl` a row at a time (a corpus's records need not fit in memory). msgspec
    decodes the lines this module writes to the same values as `json.loads`, a third faster
    (the rows of a corpus are read three times by build); a line it refuses (NaN, a huge number) is read by `json.loads`."""
    import msgspec

    decode = msgspec.json.decode
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                try:
                    yield decode(line)
                except msgspec.DecodeError:
                    yield json.loads(line)


# -- one generation of a built dataset ---------------------------------------------------------
#
# A build publishes several paths of the dataset folder: `data/` (JSON Lines and Parquet), the
# card `README.md` and `datapackage.json`. Each must match the others, so they are replaced as
# one *generation*, never one by one. POSIX cannot rename three paths at once (and a symlinked
# generation folder would break `git cat-file REV:dataset/data/...` and the Hub upload), so the
# swap is a journaled two-phase rename, recovered by the next process that opens the folder
# (the way SQLite readers roll back a hot journal):
#
#   1. the whole new generation is written into the hidden sibling `.generation.new/` (fsynced);
#      a crash here leaves the old generation untouched, and the leftover is deleted later;
#   2. COMMIT: one rename, `.generation.new/` -> `.generation.ready/`; from this instant the new
#      generation is the dataset's, whatever happens next;
#   3. each old path is moved into `.generation.old/`, then each new one out of `.ready/` into
#      place; then both folders are removed.
#
# `settle()` runs first in every build and in the readers (validate, load, publish, report,
# diff): it rolls a committed swap forward (step 3 is idempotent: each path is in exactly one
# of three places) and deletes an uncommitted one. So a reader sees the old set or the new set,
# and no temporary file outlives the next command. A lock on the folder (flock on its
# directory) keeps two builds, or a build and a reader's recovery, from swapping at once.

GENERATION = ("data", "README.md", "datapackage.json")  # what one build publishes together
STAGE, READY, OLD = ".generation.new", ".generation.ready", ".generation.old"


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (the swap itself is still journaled)
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _fsync_dir(path: Path) -> None:
    # a rename is durable only once its folder is synced; some file systems refuse (then the
    # rename is still atomic, only its durability across a power cut is weaker)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as f:
                os.fsync(f.fileno())
        _fsync_dir(Path(dirpath))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _roll_forward(folder: Path) -> None:
    ready, old = folder / READY, folder / OLD
    old.mkdir(exist_ok=True)
    for name in GENERATION:
        new = ready / name
        if not (new.exists() or new.is_symlink()):
            continue  # already in place (or this generation has no such path)
        here = folder / name
        if here.exists() or here.is_symlink():
            os.rename(here, old / name)  # old/name cannot exist: old/ is emptied before a commit
        os.rename(new, here)
    _fsync_dir(folder)


def _stray_temporaries(folder: Path) -> list[Path]:
    """Temporary files of `atomic_open` that a killed process left in the folder or data/."""
    out = []
    for d in (folder, folder / "data"):
        if d.is_dir() and not d.is_symlink():
            out += [p for p in d.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp") and p.is_file()]
    return out


def settle(folder: str | Path) -> str | None:
    """Finish or undo a build that was interrupted in `folder`; returns what was done, or None.

    A committed generation (`.generation.ready/`) is moved into place; an uncommitted one
    (`.generation.new/`) and the temporary files of an interrupted write are deleted.
    """
    folder = Path(folder)
    if not folder.is_dir() or not any((folder / n).exists() for n in (STAGE, READY, OLD)) \
            and not _stray_temporaries(folder):
        return None  # the common case: nothing to do, no lock taken
    with _locked(folder):
        return _settle_locked(folder)


def _settle_locked(folder: Path) -> str | None:
    done = []
    if (folder / READY).exists():
        _roll_forward(folder)
        done.append("finished the swap of an interrupted build")
    for name in (READY, OLD, STAGE):
        if (folder / name).exists() or (folder / name).is_symlink():
            _remove(folder / name)
            if name == STAGE:
                done.append("removed the unfinished generation of an interrupted build")
    for p in _stray_temporaries(folder):
        p.unlink()
        done.append(f"removed {p.name}")
    _fsync_dir(folder)
    return "; ".join(done) or None


@contextmanager
def generation(folder: str | Path) -> Iterator[Path]:
    """Write a new generation of `folder`'s built files and publish it as one.

    Yields the staging folder: write `data/...`, `README.md`, `datapackage.json` into it as
    into the dataset folder. On a clean exit the staged paths replace the dataset's (see the
    comment above); on an exception nothing of the dataset changes and the stage is deleted.
    The folder is locked meanwhile: the body must not call `settle` on it (or run a reader
    that does, such as `validate`), which would wait for this lock.
    """
    folder = Path(folder)
    with _locked(folder):
        _settle_locked(folder)
        stage = folder / STAGE
        stage.mkdir()
        try:
            yield stage
            _fsync_tree(stage)
        except BaseException:
            _remove(stage)
            raise
        os.rename(stage, folder / READY)  # the commit point
        _fsync_dir(folder)
        _roll_forward(folder)
        _remove(folder / READY)
        _remove(folder / OLD)
        _fsync_dir(folder)
