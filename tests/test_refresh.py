"""`quoteprov refresh`: after the extractor changes, a reviewed correction whose `expect` is out
of date is brought up to date (or dropped when the extractor now gives its value), its value
never touched, and build then accepts it."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from quoteprov.cli import main

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "hub" / "tiny"


@pytest.fixture
def ds(tmp_path: Path) -> Path:
    dest = tmp_path / "ds"
    shutil.copytree(TINY, dest)
    return dest


def _records(ds: Path) -> list[dict]:
    return [json.loads(x) for x in (ds / "data" / "quotations.jsonl").read_text(encoding="utf-8").splitlines()]


def test_an_out_of_date_expect_is_refreshed_and_build_accepts_it(ds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--dataset", str(ds), "-q"]) == 0
    rec = next(r for r in _records(ds) if r["kind"] == "quotation")
    raw = rec["speaker"]
    corrections = ds / "corrections.jsonl"
    # the fixture's own corrections are left as they are by a refresh when up to date: keep only those
    main(["refresh", "--dataset", str(ds)])
    assert main(["build", "--dataset", str(ds), "-q"]) == 0
    before = corrections.read_text(encoding="utf-8") if corrections.exists() else ""
    # as if the extractor used to give another value: the correction's expect is out of date
    stale = {"id": rec["id"], "field": "speaker", "value": "Somebody Reviewed", "expect": "An Older Guess",
             "reason": "the text says so"}
    # and one the extractor now satisfies by itself
    satisfied = {"id": rec["id"], "field": "kind", "value": rec["kind"], "expect": "term", "reason": "a quotation"}
    corrections.write_text(before + json.dumps(stale) + "\n" + json.dumps(satisfied) + "\n", encoding="utf-8")
    assert main(["build", "--dataset", str(ds), "-q"]) == 2  # refused: the expect no longer holds

    capsys.readouterr()
    assert main(["refresh", "--dataset", str(ds), "--dry-run"]) == 0
    assert "An Older Guess" in capsys.readouterr().out
    assert "An Older Guess" in corrections.read_text(encoding="utf-8")  # a dry run writes nothing

    assert main(["refresh", "--dataset", str(ds)]) == 0
    out = capsys.readouterr().out
    assert "changed 1 expect values, dropped 1" in out
    lines = [json.loads(x) for x in corrections.read_text(encoding="utf-8").splitlines()]
    assert lines[: len(before.splitlines())] == [json.loads(x) for x in before.splitlines()]  # the rest untouched
    assert lines[-1] == {**stale, "expect": raw}
    assert main(["build", "--dataset", str(ds), "-q"]) == 0
    assert next(r for r in _records(ds) if r["id"] == rec["id"])["speaker"] == "Somebody Reviewed"
