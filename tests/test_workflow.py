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


# -- release -------------------------------------------------------------------------------------

def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A git repository laid out like this project: pyproject.toml, CITATION.cff, the package's
    __init__.py, CHANGELOG.md and a built dataset/, committed, with no tag yet."""
    root = tmp_path / "proj"
    shutil.copytree(ROOT / "dataset", root / "dataset")
    for name in ("pyproject.toml", "CITATION.cff", "CHANGELOG.md"):
        shutil.copy(ROOT / name, root / name)
    (root / "quoteprov").mkdir()
    shutil.copy(ROOT / "quoteprov" / "__init__.py", root / "quoteprov" / "__init__.py")
    _git(root, "init", "-q")
    _git(root, "config", "user.email", "test@example.invalid")
    _git(root, "config", "user.name", "test")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "initial")
    return root


def _version_in(root: Path) -> set[str]:
    import re

    from quoteprov.release import VERSION_FILES

    found = set()
    for name, pattern in VERSION_FILES:
        found.add(pattern.search((root / name).read_text(encoding="utf-8")).group(2))
    header = (root / "dataset" / "README.md").read_text(encoding="utf-8").split("---\n", 2)[1]
    found.add(re.search(r"(?m)^version: '?([^'\n]+)'?$", header).group(1))
    found.add(json.loads((root / "dataset" / "datapackage.json").read_text(encoding="utf-8"))["version"])
    return found


def test_changelog_without_a_tag_says_how_to_make_the_first_release(project: Path, capsys) -> None:
    assert main(["changelog", "--repo", str(project)]) == 2
    assert main(["build", "--dataset", str(project / "dataset"), "--changelog", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("quoteprov release") == 2 and "Traceback" not in err


def test_first_release_tags_the_current_version_then_bump_moves_it_everywhere(project: Path, capsys) -> None:
    from quoteprov.release import current_version

    first = current_version(project)
    head = _git(project, "rev-parse", "HEAD")
    assert main(["release", "--repo", str(project), "--dry-run"]) == 0
    assert _git(project, "tag") == "" and "would tag HEAD v" + first in capsys.readouterr().out
    assert main(["release", "--repo", str(project)]) == 0
    assert _git(project, "tag").split() == [f"v{first}"]
    assert _git(project, "rev-parse", "HEAD") == head  # nothing to change: the version was already set
    # the changelog now has a base
    assert main(["changelog", "--repo", str(project), "--dry-run"]) == 0
    # again without a version: refused; the same version: refused before anything is written
    assert main(["release", "--repo", str(project)]) == 2
    assert main(["release", "--repo", str(project), "--version", first]) == 2
    assert "exists already" in capsys.readouterr().err
    # a correction, committed, then a minor release
    rows = [json.loads(line) for line in (project / "dataset" / "data" / "quotations.jsonl").open(encoding="utf-8")]
    target = next(r for r in rows if not r["corrections"])
    with (project / "dataset" / "corrections.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps({"id": target["id"], "field": "kind", "value": "title" if target["kind"] != "title"
                            else "term", "reason": "test"}) + "\n")
    quoteprov.build(project / "dataset")
    _git(project, "commit", "-q", "-am", "a correction")
    major, minor, _ = map(int, first.split("."))
    new = f"{major}.{minor + 1}.0"
    assert main(["release", "--repo", str(project), "--bump", "minor"]) == 0
    assert _git(project, "tag").split() == sorted([f"v{first}", f"v{new}"])
    assert _version_in(project) == {new}
    assert _git(project, "status", "--porcelain", "--untracked-files=no") == ""
    assert _git(project, "rev-list", "-n1", f"v{new}") == _git(project, "rev-parse", "HEAD")
    log = (project / "CHANGELOG.md").read_text(encoding="utf-8")
    assert log.index(f"## {new} (") < log.index(f"## {first} ")
    assert target["id"] in log  # the changed record is listed
    assert quoteprov.validate(project / "dataset", jobs=1).ok


def test_release_refuses_a_dirty_tree_and_a_lower_version(project: Path, capsys) -> None:
    assert main(["release", "--repo", str(project)]) == 0
    (project / "CITATION.cff").write_text("edited\n", encoding="utf-8")
    assert main(["release", "--repo", str(project), "--bump", "patch"]) == 2
    assert "uncommitted changes" in capsys.readouterr().err
    _git(project, "checkout", "--", "CITATION.cff")
    assert main(["release", "--repo", str(project), "--version", "0.0.1"]) == 2
    assert main(["release", "--repo", str(project), "--version", "one"]) == 2
    assert "not above the last release" in capsys.readouterr().err
    assert len(_git(project, "tag").split()) == 1
