"""Nothing outside the dataset is read, shown or uploaded because a contributed file names it.

A manifest, a card or a symbolic link comes with a contribution; `diff` (shown to reviewers),
`publish` (uploaded to the Hub) and `load` must refuse what leads out of the dataset folder,
say so, and never read it. Nothing here reaches the network (publish runs against a fake API).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import quoteprov  # noqa: E402
from quoteprov.cli import main  # noqa: E402
from quoteprov.errors import QuoteprovError  # noqa: E402
from quoteprov.hub import publish, upload_files  # noqa: E402

from conftest import ROOT  # noqa: E402
from test_card import tiny  # noqa: E402,F401  (the hand-made folder with its Hub files)
from test_diff import build_records, git, write_version  # noqa: E402
from test_hub import FakeApi  # noqa: E402

SECRET = "TOKEN=hf_not_a_real_token_but_secret_0123456789"
REFUSED = "names a file outside the dataset"


@pytest.fixture()
def secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file outside every dataset, and the same words in this process's environment (which
    /proc/self/environ shows)."""
    path = tmp_path / "secret.txt"
    path.write_text(SECRET + "\n", encoding="utf-8")
    monkeypatch.setenv("QUOTEPROV_TEST_SECRET", SECRET)
    return path


def _evil_entries(entries: list[dict]) -> list[dict]:
    """The manifest with its first source repointed above the repository (so that a diff that
    read it would show the file's words as an edit of that source), and two entries added."""
    first = entries[0]
    return [{**first, "file": "../../../secret.txt"}, *entries[1:],
            {**first, "id": "leak-proc", "file": "/proc/self/environ"},
            {**first, "id": "leak-link", "file": "link.txt"}]


@pytest.fixture()
def repo(tmp_path: Path, secret: Path) -> Path:
    """A repository whose dataset is committed (HEAD~1), then a commit whose manifest names a
    file above the repository, a file of /proc and a symbolic link out of the folder (HEAD);
    the working tree has the same entries."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.email", "test@example.invalid")
    git(root, "config", "user.name", "test")
    write_version(root / "dataset", build_records())
    git(root, "add", "dataset")
    git(root, "commit", "-q", "-m", "v1")
    manifest = root / "dataset" / "sources" / "manifest.json"
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps(_evil_entries(entries), indent=1), encoding="utf-8")
    (root / "dataset" / "sources" / "link.txt").symlink_to(secret)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "contribution")
    return root


@pytest.mark.parametrize("argv", [["HEAD~1"], ["HEAD~1", "HEAD"], ["HEAD", "dataset"]])
@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_diff_never_reads_a_file_the_manifest_places_outside(repo: Path, argv: list[str], fmt: str,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    out_dir = repo.parent / "html"
    extra = ["--out", str(out_dir)] if fmt == "html" else []
    assert main(["diff", *argv, "--format", fmt, *extra]) == 0
    out, err = capsys.readouterr()
    shown = out + err
    if fmt == "html":
        shown += "".join(p.read_text(encoding="utf-8") for p in out_dir.rglob("*.html"))
    assert "hf_not_a_real_token" not in shown
    assert REFUSED in shown
    for name in ("../../../secret.txt", "/proc/self/environ", "link.txt"):
        assert name in shown
    if fmt == "json":
        problems = json.loads(out)["problems"]
        # three refused entries in each version that has them (HEAD and the working tree)
        assert len(problems) == (6 if argv[0] == "HEAD" else 3), problems


def test_diff_api_reports_refused_files_as_problems(repo: Path) -> None:
    r = quoteprov.diff("HEAD~1", "HEAD", repo=repo)
    assert len(r.problems) == 3 and all(REFUSED in p for p in r.problems)
    assert '"../../../secret.txt"' in r.problems[0] and r.problems[0].startswith("HEAD: ")
    assert all(SECRET not in text for text in r.new_version.sources.values())


# -- publish and validate: symbolic links out of the folder, Python files ----------------------

def test_publish_refuses_a_symlink_out_of_the_folder_and_sends_nothing(tiny: Path, secret: Path,  # noqa: F811
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tiny / "sources" / "notes.txt").symlink_to(secret)
    api = FakeApi()
    with pytest.raises(QuoteprovError, match="symlink-outside") as info:
        publish("someone/x", tiny, api=api, token="hf_test")
    assert info.value.exit_status == 2 and api.calls == []
    assert main(["publish", "someone/x", "--dataset", str(tiny), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "notes.txt" in err and "symbolic link" in err and "Traceback" not in err


def test_publish_refuses_a_python_file(tiny: Path) -> None:  # noqa: F811
    (tiny / "tiny.py").write_text("import os\n", encoding="utf-8")
    api = FakeApi()
    with pytest.raises(QuoteprovError, match=r"\[script\]") as info:
        publish("someone/x", tiny, api=api, token="hf_test")
    assert info.value.exit_status == 2 and api.calls == []


def test_a_symlink_inside_the_folder_is_published(tiny: Path) -> None:  # noqa: F811
    (tiny / "sources" / "alias.txt").symlink_to(tiny / "sources" / "manifest.json")
    assert "sources/alias.txt" in [u.path_in_repo for u in upload_files(tiny)]


def test_validate_reports_symlinks_out_and_scripts(tmp_path: Path, secret: Path) -> None:
    ds = tmp_path / "ds"
    shutil.copytree(ROOT / "dataset", ds)
    (ds / "data" / "extra.jsonl").symlink_to(secret)
    (ds / "ds.py").write_text("print('hello')\n", encoding="utf-8")
    (ds / "sources" / "loader.py").write_text("", encoding="utf-8")
    report = quoteprov.validate(ds, jobs=1)
    got = sorted((Path(p.path).name, p.code) for p in report.problems if p.code in ("symlink-outside", "script"))
    assert got == [("ds.py", "script"), ("extra.jsonl", "symlink-outside"), ("loader.py", "script")]
    assert not report.ok
    assert all(SECRET not in p.message for p in report.problems)


# -- load --------------------------------------------------------------------------------------

@pytest.fixture()
def built(tmp_path: Path) -> Path:
    ds = tmp_path / "ds"
    shutil.copytree(ROOT / "dataset", ds)
    return ds


def _edit_card(ds: Path, old: str, new: str) -> None:
    card = ds / "README.md"
    text = card.read_text(encoding="utf-8")
    assert old in text
    card.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("path", ["../outside.parquet", "/proc/self/environ", "data/../../outside.parquet",
                                  "link.parquet", "../*.parquet"])
def test_load_refuses_data_files_outside_the_folder(built: Path, path: str, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(built / "data" / "quotations.parquet", built.parent / "outside.parquet")
    (built / "link.parquet").symlink_to(built.parent / "outside.parquet")
    _edit_card(built, "path: data/quotations.parquet", f"path: {path}")
    assert main(["load", "--dataset", str(built)]) == 2
    err = capsys.readouterr().err
    assert "outside" in err and "not loaded" in err and "Traceback" not in err


def test_load_broken_card_yaml_is_a_clear_error(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit_card(built, "pretty_name:", "pretty_name: [unclosed\nx:")
    assert main(["load", "--dataset", str(built)]) == 2
    err = capsys.readouterr().err
    assert "YAML header does not parse" in err and "Traceback" not in err


@pytest.mark.parametrize("old,new", [("  - name: id\n", "  - nme: id\n"),  # KeyError in `datasets`
                                     ("  - name: id\n    dtype: string\n", "  - id\n")])  # AttributeError
def test_load_card_features_of_the_wrong_shape_are_a_clear_error(built: Path, capsys: pytest.CaptureFixture[str],
                                                                 old: str, new: str) -> None:
    # both found by benchmarks/fuzz.py: card features of the wrong shape raised inside `datasets`
    _edit_card(built, old, new)
    assert main(["load", "--dataset", str(built)]) == 2
    err = capsys.readouterr().err
    assert "cannot load" in err and "Traceback" not in err


def test_load_refuses_a_loading_script(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (built / f"{built.name}.py").write_text("raise SystemExit('ran')\n", encoding="utf-8")
    assert main(["load", "--dataset", str(built)]) == 2
    err = capsys.readouterr().err
    assert "loading script" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_special_file_inside_sources_is_refused_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A FIFO would hang the reader (and /proc files are special too): only regular files are read."""
    ds = tmp_path / "ds"
    shutil.copytree(ROOT / "dataset", ds)
    os.mkfifo(ds / "sources" / "pipe.txt")
    manifest = json.loads((ds / "sources" / "manifest.json").read_text(encoding="utf-8"))
    (ds / "sources" / "manifest.json").write_text(json.dumps(manifest + [{**manifest[0], "id": "pipe", "file": "pipe.txt"}]),
                                                  encoding="utf-8")
    assert main(["build", "--dataset", str(ds), "-q"]) == 2  # refused before any extraction
    assert '"pipe.txt" is not a regular file' in capsys.readouterr().err
    report = quoteprov.validate(ds, jobs=1)
    # the pipe's entry is the manifest's last (its index is the number of entries before it)
    assert [(p.code, p.field) for p in report.problems if "pipe.txt" in p.message] == [
        ("outside-dataset", f"{len(manifest)}.file")]
