"""Shared helpers for the tests: run the raw extractor on a made-up text."""
from __future__ import annotations

from pathlib import Path

import pytest

from quoteprov.pipeline import extract
from quoteprov.source import make_source

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = ROOT / "dataset" / "sources" / "avrich-1984-miasnikov-2.txt"
SEED_GOLD = ROOT / "tests" / "gold" / "avrich-1984-miasnikov-2.gold.jsonl"
RUSSELL = ROOT / "tests" / "fixtures" / "russell-1920-part.txt"
RUSSELL_GOLD = ROOT / "tests" / "gold" / "russell-1920-part.gold.jsonl"


def run(text: str, author: str | None = None) -> list:
    """Records of the raw extractor for `text` (one paragraph per line)."""
    return extract(make_source(text, "t", {"author": author} if author else {}))


def rules(text: str, meta: dict | None = None) -> list:
    """Records of the rules alone (no ranker) for `text` (one paragraph per line), with the
    source metadata `meta`: what a rule test checks."""
    return extract(make_source(text, "t", meta or {}), use_model=False)


def by_text(records: list, words: str):
    """The one record whose text contains `words`."""
    found = [r for r in records if words in r.text]
    assert len(found) == 1, f"{words!r}: {[r.text for r in records]}"
    return found[0]


@pytest.fixture
def extract_text():
    return run


# -- copies of the project's dataset for the tests that build it -----------------------------------

DATASET = ROOT / "dataset"
CACHE = ".cache"  # quoteprov.build_cmd.CACHE_DIR


def copy_inputs(dst: Path, ids=None, cache_from: Path | None = None) -> Path:
    """The project dataset's inputs in `dst`: the sources `ids` (all when None) with their
    manifest entries and registries, and the corrections naming them. `cache_from`, a dataset
    folder, lends its per-source cache: the cache is keyed by everything a source's extracted
    records depend on, so a cached build writes what a build from scratch writes
    (tests/test_build_engines.py), and the whole dataset is extracted once per test session."""
    import json
    import shutil

    manifest = json.loads((DATASET / "sources" / "manifest.json").read_text(encoding="utf-8"))
    keep = [e for e in manifest if ids is None or e["id"] in ids]
    (dst / "sources").mkdir(parents=True)
    (dst / "registry").mkdir()
    for e in keep:
        shutil.copy(DATASET / "sources" / e["file"], dst / "sources" / e["file"])
        reg = DATASET / "registry" / f"{e['id']}.json"
        if reg.exists():
            shutil.copy(reg, dst / "registry" / reg.name)
    (dst / "sources" / "manifest.json").write_text(json.dumps(keep, indent=2, ensure_ascii=False) + "\n",
                                                   encoding="utf-8")
    names = {e["id"] for e in keep}
    lines = (DATASET / "corrections.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (dst / "corrections.jsonl").write_text(
        "".join(x for x in lines if x.strip() and json.loads(x)["id"].rsplit(":", 2)[0] in names), encoding="utf-8")
    if cache_from is not None and (cache_from / CACHE).is_dir():
        shutil.copytree(cache_from / CACHE, dst / CACHE)
    return dst


@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    """The project's dataset built once per session (from the checkout's cache when it has one,
    so a developer's warm cache is used; a fresh clone extracts everything): (folder, summary)."""
    from quoteprov.build_cmd import build

    folder = copy_inputs(tmp_path_factory.mktemp("real") / "dataset", cache_from=DATASET)
    return folder, build(folder)
