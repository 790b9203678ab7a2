"""The contributor's path: commands work on the current folder's dataset/, and a contribution
made as the README says keeps the README's test command green."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import quoteprov
from quoteprov.cli import main

from conftest import ROOT


@pytest.fixture()
def own_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_build) -> Path:
    """A user's own folder with a dataset/ in it (a copy of this project's), as the current folder."""
    here = tmp_path / "mine"
    shutil.copytree(ROOT / "dataset", here / "dataset", ignore=shutil.ignore_patterns(".cache"))
    shutil.copytree(real_build[0] / ".cache", here / "dataset" / ".cache")  # extracted once per session
    monkeypatch.chdir(here)
    return here


def _tree(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_build_report_publish_default_to_the_current_folders_dataset(own_repo: Path, capsys) -> None:
    project = _tree(ROOT / "dataset")
    (own_repo / "dataset" / "corrections.jsonl").write_text("", encoding="utf-8")  # make it differ
    assert main(["build"]) == 0  # not -q: quiet prints nothing on success
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
def project(tmp_path: Path, real_build) -> Path:
    """A git repository laid out like this project: pyproject.toml, CITATION.cff, the package's
    __init__.py, CHANGELOG.md and a built dataset/, committed, with no tag yet."""
    root = tmp_path / "proj"
    shutil.copytree(ROOT / "dataset", root / "dataset", ignore=shutil.ignore_patterns(".cache"))
    shutil.copytree(real_build[0] / ".cache", root / "dataset" / ".cache")  # git-ignored by its own .gitignore
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


# -- a contribution as the README describes it keeps the README's test command green ---------------

CONTRIBUTED_TEXT = (
    "Minutes of a meeting of the mill committee, written for this test in the style of a report.\n"
    'The chairman opened the meeting. "We have called you here to decide the question of the mill," '
    "he declared to the delegates. (1)\n"
    'A delegate named Petrov replied, "The mill belongs to those who work in it." (2)\n'
    "The resolution spoke of \"workers' control\" and was adopted by a show of hands.\n"
    "NOTES\n"
    "[1] Minutes of the committee, p. 3.\n"
    "[2] Ibid., p. 4.\n"
)
# the tests that read the project's own dataset/ (its records, card, corrections)
DATASET_TESTS = [
    "tests/test_build.py::test_published_dataset_matches_the_gold_on_every_record",
    "tests/test_build.py::test_build_is_deterministic_and_matches_the_committed_data",
    "tests/test_build.py::test_build_refuses_corrections_that_no_longer_match",
    "tests/test_build.py::test_records_load_with_the_right_types_in_pandas_and_datasets",
    "tests/test_build.py::test_build_can_write_the_changelog_entry_from_the_diff_against_the_last_tag",
    "tests/test_card.py::test_real_dataset_gives_a_clean_card",
    "tests/test_card.py::test_citation_cff_follows_the_project_version",
    "tests/test_hub.py::test_publish_dry_run_on_the_real_records",
    "tests/test_validate.py::test_the_project_dataset_validates_clean",
]


def contribute(ds: Path) -> dict:
    """Add a source and a correction the way README's "Contributing" says: the text in sources/,
    its manifest entry, its registry, `quoteprov build`, then one correction line and a rebuild."""
    (ds / "sources" / "mill-committee-1921.txt").write_text(CONTRIBUTED_TEXT, encoding="utf-8")
    manifest = json.loads((ds / "sources" / "manifest.json").read_text(encoding="utf-8"))
    manifest.append({"id": "mill-committee-1921", "file": "mill-committee-1921.txt",
                     "title": "Minutes of the mill committee", "author": "A test contributor", "year": 1921,
                     "publication": "written for the quoteprov tests", "origin": "typed by hand",
                     "rights": "public domain (written for the tests)"})
    (ds / "sources" / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
    (ds / "registry" / "mill-committee-1921.json").write_text(
        json.dumps([{"name": "Petrov", "aliases": [], "kind": "person"}]), encoding="utf-8")
    quoteprov.build(ds)
    rows = [json.loads(x) for x in (ds / "data" / "quotations.jsonl").read_text(encoding="utf-8").splitlines()]
    mine = [r for r in rows if r["source_id"] == "mill-committee-1921"]
    assert len(mine) >= 3
    target = next(r for r in mine if r["text"] == "workers' control")
    value = "term" if target["kind"] == "quotation" else "quotation"
    entry = {"id": target["id"], "field": "kind", "value": value, "expect": target["kind"],
             "reason": "a reviewer's reading of the resolution's words (test contribution)"}
    with (ds / "corrections.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")
    summary = quoteprov.build(ds)
    assert not summary.corrections_unmatched
    return entry


def test_a_contributed_source_and_correction_keep_the_tests_green(tmp_path: Path, real_build) -> None:
    clone = tmp_path / "clone"
    for name in ("tests", "dataset"):
        shutil.copytree(ROOT / name, clone / name, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    # a contributor's warm cache: only the contributed source is extracted (here and in the tests run below)
    shutil.copytree(real_build[0] / ".cache", clone / "dataset" / ".cache")
    for name in ("pyproject.toml", "CITATION.cff", "README.md"):
        shutil.copy(ROOT / name, clone / name)
    entry = contribute(clone / "dataset")
    report = quoteprov.validate(clone / "dataset", jobs=1)
    assert [p.format() for p in report.problems if p.severity == "error"] == []
    rows = [json.loads(x) for x in (clone / "dataset" / "data" / "quotations.jsonl").read_text().splitlines()]
    assert next(r for r in rows if r["id"] == entry["id"])["kind"] == entry["value"]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                           *DATASET_TESTS], cwd=clone, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert f"{len(DATASET_TESTS)} passed" in proc.stdout
