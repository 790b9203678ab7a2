"""A dataset with notes for the tests of notes and exports: the seed and Russell's book plus the
Russell fixture (which prints `[n]` notes under FOOTNOTES headings), built once per test process."""
from __future__ import annotations

import json
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUSSELL = ROOT / "tests" / "fixtures" / "russell-1920-part.txt"
NOTES_SOURCES = {"avrich-1984-miasnikov-2", "russell-1920-bolshevism"}
RUSSELL_ENTRY = {"id": "russell-1920-part", "file": "russell-1920-part.txt",
                 "title": "The Practice and Theory of Bolshevism", "author": "Bertrand Russell", "year": 1920,
                 "publication": "London: George Allen & Unwin", "origin": "Project Gutenberg 17350 (first 315 lines)",
                 "rights": "public domain"}


@lru_cache(maxsize=1)
def built_dataset() -> Path:
    from quoteprov.build_cmd import build

    from conftest import copy_inputs

    folder = Path(tempfile.mkdtemp(prefix="quoteprov-notes-")) / "dataset"
    # the seed and Russell's book (the sources these tests were written on), not every book of
    # the dataset: the notes tests need notes, not a long build
    copy_inputs(folder, ids=NOTES_SOURCES)
    shutil.copy(RUSSELL, folder / "sources" / RUSSELL.name)
    manifest = json.loads((folder / "sources" / "manifest.json").read_text(encoding="utf-8"))
    manifest.append(RUSSELL_ENTRY)
    (folder / "sources" / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    build(folder)
    return folder


def rows(folder: Path, config: str) -> list[dict]:
    return [json.loads(line) for line in (folder / "data" / f"{config}.jsonl").read_text(encoding="utf-8").splitlines()]
