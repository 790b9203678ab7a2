"""The contributor's path: commands work on the current folder's dataset/, and a contribution
made as the README says keeps the README's test command green."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import quoteprov
from quoteprov.cli import main

from conftest import ROOT


@pytest.fixture()
def own_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's own folder with a dataset/ in it (a copy of this project's), as the current folder."""
    here = tmp_path / "mine"
    shutil.copytree(ROOT / "dataset", here / "dataset")
    monkeypatch.chdir(here)
    return here


def _tree(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_build_report_publish_default_to_the_current_folders_dataset(own_repo: Path, capsys) -> None:
    project = _tree(ROOT / "dataset")
    (own_repo / "dataset" / "corrections.jsonl").write_text("", encoding="utf-8")  # make it differ
    assert main(["build", "-q"]) == 0
    out = capsys.readouterr().out
    assert "wrote dataset/data/quotations.jsonl" in out and "corrections applied: 0" in out
    assert _tree(ROOT / "dataset") == project  # the installed package's dataset is left alone
    assert main(["report", "--out", "site"]) == 0
    assert (own_repo / "site" / "index.html").is_file()
    assert main(["publish", "someone/mine", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"{Path('dataset') / 'README.md'} -> hf://datasets/someone/mine/README.md" in out
    assert main(["load"]) == 0


@pytest.mark.parametrize("argv", [["build"], ["report"], ["publish", "someone/x", "--dry-run"], ["load"]])
def test_no_dataset_here_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, argv) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--dataset DIR" in err and "dataset" in err and "Traceback" not in err
    assert not (tmp_path / "dataset").exists()
