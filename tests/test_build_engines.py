"""The build is one map over sources run three ways (cache, worker processes, Ray): every way
writes the same bytes as a build from scratch in one process. Small sources keep it quick."""
import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, copy_inputs

from quoteprov.build_cmd import build
from quoteprov.importer import add

SEED_DATASET = ROOT / "dataset"
RAW = ROOT / "tests" / "fixtures" / "gutenberg-raw-russell-part.txt"
SEED_ID = json.loads((SEED_DATASET / "sources" / "manifest.json").read_text(encoding="utf-8"))[0]["id"]
OUTPUTS = ("data/quotations.jsonl", "data/sources.jsonl", "data/entities.jsonl", "data/quotations.parquet",
           "data/sources.parquet", "data/entities.parquet", "README.md", "datapackage.json")


def _small_dataset(path: Path) -> Path:
    """The seed with its registry and corrections, a raw Gutenberg excerpt added with `add`,
    and a third source cut from the seed (so one source can change without the others)."""
    seed = json.loads((SEED_DATASET / "sources" / "manifest.json").read_text(encoding="utf-8"))[0]
    copy_inputs(path, ids={seed["id"]})  # the seed, its registry and the corrections naming it
    add(RAW, id="russell-1920-excerpt", title="The Practice and Theory of Bolshevism (excerpt)",
        author="Bertrand Russell", year=1920, publication="London: Allen & Unwin, 1920",
        origin="Project Gutenberg ebook 17350", rights="Public domain", dataset=path)
    lines = (path / "sources" / seed["file"]).read_text(encoding="utf-8").split("\n")
    (path / "sources" / "third.txt").write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    manifest = json.loads((path / "sources" / "manifest.json").read_text(encoding="utf-8"))
    manifest.append({**manifest[0], "id": "third", "file": "third.txt", "title": "First paragraphs"})
    (path / "sources" / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return path


def _outputs(path: Path) -> dict[str, bytes]:
    return {name: (path / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A build from scratch in one process, without the cache."""
    ds = _small_dataset(tmp_path_factory.mktemp("scratch"))
    build(ds, jobs=1, cache=False)
    assert not (ds / ".cache").exists()
    return ds, _outputs(ds)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("data", ".cache", "README.md", "datapackage.json"))
    return dst


def test_three_sources_build_with_blocks_and_notes(scratch):
    ds, out = scratch
    rows = [json.loads(x) for x in out["data/quotations.jsonl"].decode().splitlines()]
    assert {r["source_id"] for r in rows} == {SEED_ID, "russell-1920-excerpt", "third"}
    assert any(r["method"]["span"] == "block-indent" for r in rows)
    sources = [json.loads(x) for x in out["data/sources.jsonl"].decode().splitlines()]
    assert [n["number"] for n in sources[1]["notes"]] == [4]


def test_incremental_build_reextracts_only_the_changed_source_and_equals_scratch(scratch, tmp_path):
    _, _ = scratch
    ds = _copy(scratch[0], tmp_path / "inc")
    said: list[str] = []
    build(ds, said.append, jobs=1)
    first = [m for m in said if m.startswith(("cached", "extracted"))]
    assert len(first) == 3 and all(m.startswith("extracted") for m in first)
    assert _outputs(ds) == scratch[1]
    said.clear()
    build(ds, said.append, jobs=1)
    assert [m.split()[0] for m in said if m.startswith(("cached", "extracted"))] == ["cached"] * 3
    assert _outputs(ds) == scratch[1]
    # one source changes: only it is extracted again, and the output is a scratch build's
    third = ds / "sources" / "third.txt"
    third.write_text(third.read_text(encoding="utf-8") + 'He wrote that it was "a new paragraph."\n', encoding="utf-8")
    said.clear()
    build(ds, said.append, jobs=1)
    assert [m.split()[:2] for m in said if m.startswith(("cached", "extracted"))] == [
        ["cached", SEED_ID], ["cached", "russell-1920-excerpt"], ["extracted", "third"]]
    # its parses were kept to be read back the next time (tests/test_parse_memo.py)
    assert sorted(p.stem for p in (ds / ".cache").glob("*.parses")) == sorted([SEED_ID, "russell-1920-excerpt", "third"])
    fresh = _copy(ds, tmp_path / "fresh")
    build(fresh, jobs=1, cache=False)
    assert _outputs(ds) == _outputs(fresh) != scratch[1]
    # a correction is applied to the cached records: nothing is extracted again, and the output is
    # a scratch build's (a record of the third source, from the data)
    rows = [json.loads(x) for x in (ds / "data" / "quotations.jsonl").read_text(encoding="utf-8").splitlines()]
    target = next(r for r in rows if r["source_id"] == "third")
    flipped = "term" if target["kind"] != "term" else "quotation"
    with open(ds / "corrections.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({"id": target["id"], "field": "kind", "value": flipped, "expect": target["kind"],
                            "reason": "test"}) + "\n")
    before = build(fresh, jobs=1, cache=False).corrections_applied
    said.clear()
    summary = build(ds, said.append, jobs=1)
    assert [m.split()[0] for m in said if m.startswith(("cached", "extracted"))] == ["cached"] * 3
    assert summary.corrections_applied == before + 1 and not summary.corrections_unmatched
    shutil.copy(ds / "corrections.jsonl", fresh / "corrections.jsonl")
    build(fresh, jobs=1, cache=False)
    assert _outputs(ds) == _outputs(fresh)


def test_jobs_2_writes_what_jobs_1_writes(scratch, tmp_path):
    ds = _copy(scratch[0], tmp_path / "jobs2")
    build(ds, jobs=2, cache=False)
    assert _outputs(ds) == scratch[1]


def test_ray_engine_writes_what_the_local_build_writes(scratch, tmp_path):
    pytest.importorskip("ray")
    ds = _copy(scratch[0], tmp_path / "ray")
    build(ds, jobs=2, engine="ray", cache=False)
    assert _outputs(ds) == scratch[1]


def test_a_hard_wrapped_source_is_a_warning_with_the_add_command(tmp_path):
    ds = _copy(_small_dataset(tmp_path / "src"), tmp_path / "wrapped")
    raw = RAW.read_bytes().decode("latin-1").replace("\r\n", "\n")
    (ds / "sources" / "third.txt").write_text(raw, encoding="utf-8")
    summary = build(ds, jobs=1, cache=False)
    warnings = [w for w in summary.warnings if "source-format" in w]
    assert len(warnings) == 1 and "third" in warnings[0] and "quoteprov add" in warnings[0]


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_otherwise():
    import io

    from quoteprov.buildmap import Progress, SourceResult, SourceTask
    from quoteprov.corrections import CorrectionReport

    tasks = [SourceTask(f"s{i}", f"s{i}.txt", {}, [], (), 2_000_000, "k") for i in range(2)]
    result = SourceResult("s0", (), CorrectionReport(0, (), (), ()), (), 0, 0, "", False)
    bar = io.StringIO()
    p = Progress(tasks, stream=bar, bar=True)
    for t in tasks:
        p.step(t, result)
    p.done()
    assert bar.getvalue().count("\r") == 2 and "2/2 sources" in bar.getvalue() and "4.0/4.0 MB" in bar.getvalue()
    assert "ETA" in bar.getvalue() and bar.getvalue().endswith("\n")
    lines: list[str] = []
    p = Progress(tasks, bar=False, say=lines.append)
    p.step(tasks[0], result)
    assert lines == ["extracted s0 (2.00 MB, 0 records) [1/2]"]
