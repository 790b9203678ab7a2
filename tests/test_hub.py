"""`quoteprov load` / `publish`: the folder as `datasets` loads it, and the Hub request sequence.

Nothing here reaches the network: `datasets` and `huggingface_hub` are put offline, and the
upload is checked against a fake `HfApi` and against a stand-in HTTP server on 127.0.0.1.
Neither proves that an upload to the real Hub works; they check what quoteprov sends.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import datasets  # noqa: E402
import pandas as pd  # noqa: E402

import quoteprov  # noqa: E402
from quoteprov import __version__  # noqa: E402
from quoteprov.card import CARD, parquet_path, write_hub_files  # noqa: E402
from quoteprov.cli import main  # noqa: E402
from quoteprov.errors import QuoteprovError  # noqa: E402
from quoteprov.features import FEATURES  # noqa: E402
from quoteprov.hub import CheckFailed, plan_publish, publish, upload_files  # noqa: E402
from quoteprov.store import read_jsonl, write_jsonl  # noqa: E402

from test_card import REAL, tiny  # noqa: E402,F401  (the hand-made folder, Hub files written)

REPO = "someone/miasnikov-quotations"
TAG = f"v{__version__}"


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test here may reach the network: the flags as `datasets` and the Hub client read them
    at call time (the environment variables above count only if they were imported after)."""
    import huggingface_hub.constants

    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh `datasets` cache, also for calls that do not pass cache_dir (the CLI)."""
    path = tmp_path / "hf-cache"
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", path)
    return path


# -- load ------------------------------------------------------------------------------------

def test_load_dataset_on_the_folder_gives_the_declared_features(tiny: Path, cache: Path) -> None:
    """Exactly what a Hub user runs, on the local folder: the card's default config."""
    ds = datasets.load_dataset(str(tiny), cache_dir=str(cache))
    assert list(ds) == ["train"]
    train = ds["train"]
    assert train.num_rows == 6
    assert train.features == FEATURES["quotations"]
    assert train.to_list() == read_jsonl(tiny / "data/quotations.jsonl")


@pytest.mark.parametrize("config,rows", [("sources", 1), ("entities", 5)])
def test_load_dataset_other_configs(tiny: Path, cache: Path, config: str, rows: int) -> None:
    ds = datasets.load_dataset(str(tiny), config, split="train", cache_dir=str(cache))
    assert ds.num_rows == rows
    assert ds.features == FEATURES[config]
    assert ds.to_list() == read_jsonl(tiny / f"data/{config}.jsonl")


def test_load_values(tiny: Path, cache: Path) -> None:
    ds = quoteprov.load(tiny, cache_dir=cache)
    by_text = {r["text"]: r for r in ds}
    outer = by_text["Miasnikov must be answered, not 'silenced' by decree."]
    assert (outer["speaker"], outer["recipient"], outer["footnote"]) == ("Vladimir Lenin", "Grigory Zinoviev", 13)
    assert outer["evidence"]["marker"] == {"start": outer["evidence"]["marker"]["start"],
                                           "end": outer["evidence"]["marker"]["start"] + 4, "text": "(18)",
                                           "printed": 18, "number": 13, "repaired": True}
    assert outer["corrections"] == [{"field": "speaker", "raw": "Lenin", "reason": "canonical name: the fullest form"}]
    assert by_text["silenced"]["nested_in"] == outer["id"]
    # a corrected speaker has confidence 1; the values come back as floats, nulls as None
    assert outer["confidence"] == {"speaker": 1.0, "recipient": 0.93}
    assert by_text["We are the opposition."]["confidence"] == {"speaker": 0.97, "recipient": 0.41}
    assert by_text["silenced"]["confidence"] == {"speaker": None, "recipient": None}
    title = by_text["Internationale"]
    assert title["speaker"] is None and title["evidence"]["speaker"] is None and title["kind"] == "title"
    text = (tiny / "sources/tiny-1921.txt").read_text(encoding="utf-8")
    assert all(text[r["start"]:r["end"]] == r["text"] for r in ds)


def test_load_split_none_gives_a_dataset_dict(tiny: Path, cache: Path) -> None:
    dd = quoteprov.load(tiny, "sources", split=None, cache_dir=cache)
    assert isinstance(dd, datasets.DatasetDict) and dd["train"][0]["id"] == "tiny-1921"


def test_load_empty_config_gives_an_empty_typed_dataset(tiny: Path, cache: Path) -> None:
    write_jsonl(tiny / "data/entities.jsonl", [])
    write_hub_files(tiny)
    ds = quoteprov.load(tiny, "entities", cache_dir=cache)
    assert ds.num_rows == 0 and ds.features == FEATURES["entities"]


def test_load_with_a_stale_card_fails_clearly(tiny: Path, cache: Path) -> None:
    rows = read_jsonl(tiny / "data/quotations.jsonl")
    from quoteprov.card import arrow_table, parquet_bytes
    from quoteprov.store import write_bytes

    # Parquet rewritten with one row fewer, card left as it was: datasets checks the row count
    write_bytes(tiny / parquet_path("quotations"), parquet_bytes(arrow_table("quotations", rows[:-1])))
    with pytest.raises(QuoteprovError, match="cannot load config 'quotations'"):
        quoteprov.load(tiny, cache_dir=cache)


def test_load_damaged_parquet_fails_clearly(tiny: Path, cache: Path) -> None:
    (tiny / parquet_path("sources")).write_bytes(b"not parquet at all")
    with pytest.raises(QuoteprovError, match="cannot load config 'sources'"):
        quoteprov.load(tiny, "sources", cache_dir=cache)


def test_load_errors(tmp_path: Path, tiny: Path) -> None:
    with pytest.raises(QuoteprovError, match="no such dataset folder"):
        quoteprov.load(tmp_path / "nowhere")
    (tmp_path / "bare").mkdir()
    with pytest.raises(QuoteprovError, match="no dataset card"):
        quoteprov.load(tmp_path / "bare")
    with pytest.raises(QuoteprovError, match="unknown config 'speakers'"):
        quoteprov.load(tiny, "speakers")


def test_to_pandas_round_trip(tiny: Path, cache: Path) -> None:
    df = quoteprov.to_pandas(tiny, cache_dir=cache)
    rows = read_jsonl(tiny / "data/quotations.jsonl")
    assert len(df) == len(rows)
    assert str(df["footnote"].dtype) == "Int64"  # nullable integers, not 12.0 / NaN
    assert df["footnote"].tolist() == [r["footnote"] for r in rows]
    back = datasets.Dataset.from_pandas(df, features=FEATURES["quotations"], preserve_index=False)
    assert back.to_list() == rows
    ents = quoteprov.to_pandas(tiny, "entities", cache_dir=cache)
    assert isinstance(ents, pd.DataFrame) and ents["aliases"].map(list).tolist()[0] == ["Kollontai"]


def test_cli_load_prints_a_summary(tiny: Path, capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    assert main(["load", "--dataset", str(tiny), "--head", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"quotations (default config) from {tiny}: 6 rows, split train"
    assert any(cache.iterdir())  # loaded through datasets' cache, i.e. by load_dataset
    assert "footnote int64" in out[1] and "evidence struct{speaker, cue, recipient, marker}" in out[1]
    assert out[2] == "kind: quotation 3, term 2, title 1"
    assert json.loads(out[-1])["id"] == read_jsonl(tiny / "data/quotations.jsonl")[0]["id"]
    assert main(["load", "--dataset", str(tiny), "--config", "sources"]) == 0
    assert "tiny-1921: Test Author, A Made-Up Paragraph" in capsys.readouterr().out


def test_cli_load_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "--dataset", str(tmp_path / "nowhere")]) == 2
    assert "no such dataset folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["load", "--config", "speakers"])
    assert exc.value.code == 2


# -- publish: checks and dry run ------------------------------------------------------------

def test_publish_dry_run_lists_every_file_and_the_header(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", REPO, "--dry-run", "--dataset", str(tiny)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("dry run: nothing was sent\n")
    expected = sorted(p.relative_to(tiny).as_posix() for p in tiny.rglob("*") if p.is_file())
    for rel in expected:
        assert f"-> hf://datasets/{REPO}/{rel} (" in out
    assert f"would upload {len(expected)} files" in out
    assert f"would tag that commit {TAG}" in out
    header = out.split("card header:\n---\n", 1)[1].split("\n---\n", 1)[0]
    assert header + "\n" == (tiny / CARD).read_text(encoding="utf-8").split("---\n", 2)[1]
    assert "checked: valid: 0 errors" in out


def test_publish_dry_run_on_the_real_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The project's own dataset (whatever the extractor gives today) passes the dry run."""
    folder = tmp_path / "dataset"
    shutil.copytree(REAL, folder, ignore=shutil.ignore_patterns("*.parquet", "README.md", "datapackage.json"))
    write_hub_files(folder)
    assert main(["publish", REPO, "--dry-run", "--dataset", str(folder)]) == 0
    assert "hf://datasets/someone/miasnikov-quotations/data/quotations.parquet" in capsys.readouterr().out


def test_upload_files_skips_hidden_and_temporary_files(tiny: Path) -> None:
    (tiny / ".cache").mkdir()
    (tiny / ".cache" / "x").write_text("x")
    (tiny / "data" / ".quotations.jsonl.abc.tmp").write_text("x")
    names = [u.path_in_repo for u in upload_files(tiny)]
    assert names == sorted(names) and not any(n.startswith(".") or n.endswith(".tmp") for n in names)
    assert "sources/manifest.json" in names and "data/quotations.parquet" in names


def test_publish_refuses_invalid_records(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = read_jsonl(tiny / "data/quotations.jsonl")
    write_jsonl(tiny / "data/quotations.jsonl", [{**rows[0], "footnote": "twelve"}, *rows[1:]])
    with pytest.raises(QuoteprovError, match="data/quotations.jsonl: a row does not fit the declared features"):
        write_hub_files(tiny)
    assert main(["publish", REPO, "--dry-run", "--dataset", str(tiny)]) == 1
    err = capsys.readouterr().err
    assert "not published" in err and "footnote" in err


def test_publish_refuses_a_stale_card(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = read_jsonl(tiny / "data/quotations.jsonl")
    write_jsonl(tiny / "data/quotations.jsonl", rows[:-1])
    # the note that documented the dropped record no longer names it (else validate stops first)
    notes = read_jsonl(tiny / "data/notes.jsonl")
    write_jsonl(tiny / "data/notes.jsonl", [{**n, "quotations": [q for q in n["quotations"] if q != rows[-1]["id"]]}
                                            for n in notes])
    with pytest.raises(CheckFailed) as exc:
        plan_publish(REPO, tiny)
    assert f"{CARD}: out of date with the JSON Lines" in str(exc.value)
    assert exc.value.exit_status == 1


@pytest.mark.parametrize("argv,message", [
    (["publish", "not-a-repo-id", "--dry-run"], "is not a Hub repository id"),
    (["publish", REPO, "--revision", "bad tag", "--dry-run"], "is not a usable tag name"),
])
def test_publish_bad_arguments(tiny: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main([*argv, "--dataset", str(tiny)]) == 2
    assert message in capsys.readouterr().err


def test_publish_without_token_sends_nothing(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    api = FakeApi()
    with pytest.raises(QuoteprovError, match="no Hugging Face token"):
        publish(REPO, tiny, api=api)
    assert api.calls == []


# -- publish: the request sequence, against stand-ins ----------------------------------------

class FakeApi:
    """Records the HfApi calls quoteprov makes, and answers like the Hub would."""

    def __init__(self, tags: tuple[str, ...] = (), fail_upload: Exception | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.tags, self.fail_upload = tags, fail_upload

    def create_repo(self, repo_id: str, **kw: Any) -> str:
        self.calls.append(("create_repo", {"repo_id": repo_id, **kw}))
        return f"https://huggingface.co/datasets/{repo_id}"

    def list_repo_refs(self, repo_id: str, **kw: Any) -> Any:
        self.calls.append(("list_repo_refs", {"repo_id": repo_id, **kw}))
        return SimpleNamespace(tags=[SimpleNamespace(name=t) for t in self.tags], branches=[])

    def upload_folder(self, **kw: Any) -> Any:
        self.calls.append(("upload_folder", kw))
        if self.fail_upload:
            raise self.fail_upload
        return SimpleNamespace(oid="c0ffee" * 6 + "abcd", commit_url="https://example.invalid/commit/1")

    def create_tag(self, repo_id: str, **kw: Any) -> None:
        self.calls.append(("create_tag", {"repo_id": repo_id, **kw}))


def test_publish_call_sequence(tiny: Path) -> None:
    api = FakeApi()
    result = publish(REPO, tiny, api=api, token="hf_test", private=True)
    assert [c[0] for c in api.calls] == ["create_repo", "list_repo_refs", "upload_folder", "create_tag"]
    create, _, upload, tag = (c[1] for c in api.calls)
    assert create["repo_type"] == "dataset" and create["private"] is True and create["exist_ok"] is True
    assert upload["repo_type"] == "dataset" and upload["folder_path"] == str(tiny)
    assert upload["allow_patterns"] == [u.path_in_repo for u in upload_files(tiny)]
    assert tag == {"repo_id": REPO, "tag": TAG, "tag_message": f"quoteprov dataset {__version__}",
                   "revision": "c0ffee" * 6 + "abcd", "repo_type": "dataset", "token": "hf_test"}
    assert result.commit_url == "https://example.invalid/commit/1"


def test_publish_refuses_an_existing_tag_before_uploading(tiny: Path) -> None:
    api = FakeApi(tags=(TAG,))
    with pytest.raises(QuoteprovError, match=f"tag {TAG} exists already"):
        publish(REPO, tiny, api=api, token="hf_test")
    assert [c[0] for c in api.calls] == ["create_repo", "list_repo_refs"]
    api = FakeApi(tags=(TAG,))
    publish(REPO, tiny, revision="v0.1.0-fix1", api=api, token="hf_test")
    assert api.calls[-1][1]["tag"] == "v0.1.0-fix1"


@pytest.mark.parametrize("error", [ConnectionError("[Errno 111] Connection refused"),
                                   ValueError("Invalid metadata in README.md.")])
def test_publish_upload_failure_is_reported_and_nothing_tagged(tiny: Path, error: Exception) -> None:
    api = FakeApi(fail_upload=error)
    with pytest.raises(QuoteprovError, match=re.escape(f"could not upload the files: {error}")):
        publish(REPO, tiny, api=api, token="hf_test")
    assert "create_tag" not in [c[0] for c in api.calls]


class _StandIn(BaseHTTPRequestHandler):
    """Answers the Hub endpoints that HfApi calls during create_repo/upload_folder/create_tag."""

    def _reply(self, obj: Any, code: int = 200) -> None:
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        self.server.requests.append((self.command, self.path.split("?")[0], body))  # type: ignore[attr-defined]
        return body

    def do_GET(self) -> None:  # noqa: N802
        self._record()
        if self.path.endswith("/refs"):
            return self._reply({"branches": [], "converts": [], "tags": []})
        if "/tree/" in self.path:
            return self._reply([])
        return self._reply({"error": "not in the stand-in"}, 404)

    def do_POST(self) -> None:  # noqa: N802
        body = self._record()
        base = f"http://127.0.0.1:{self.server.server_port}/datasets/{REPO}"
        if self.path == "/api/repos/create":
            return self._reply({"url": base})
        if self.path == "/api/validate-yaml":
            return self._reply({"errors": [], "warnings": []})
        if "/preupload/" in self.path:
            files = json.loads(body)["files"]
            return self._reply({"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                                          for f in files]})
        if "/commit/" in self.path:
            return self._reply({"commitUrl": f"{base}/commit/{'a' * 40}", "commitOid": "a" * 40})
        if "/tag/" in self.path:
            return self._reply({})
        return self._reply({"error": "not in the stand-in"}, 404)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def stand_in() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_publish_request_sequence_against_a_local_stand_in(tiny: Path, stand_in: ThreadingHTTPServer,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants
    from huggingface_hub import HfApi

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)  # only 127.0.0.1 is reachable
    api = HfApi(endpoint=f"http://127.0.0.1:{stand_in.server_port}", token="hf_test")
    publish(REPO, tiny, api=api, token="hf_test")
    reqs = stand_in.requests  # type: ignore[attr-defined]
    route = [(m, p) for m, p, _ in reqs]
    assert route[0] == ("POST", "/api/repos/create")
    assert route[1] == ("GET", f"/api/datasets/{REPO}/refs")
    assert ("POST", "/api/validate-yaml") in route  # the Hub checks the card before the commit
    commit = route.index(("POST", f"/api/datasets/{REPO}/commit/main"))
    assert route[-1] == ("POST", f"/api/datasets/{REPO}/tag/{'a' * 40}")
    assert commit == len(route) - 2
    assert json.loads(reqs[0][2]) == {"name": "miasnikov-quotations", "organization": "someone",
                                      "visibility": "public", "type": "dataset"}
    validated = json.loads(next(b for m, p, b in reqs if p == "/api/validate-yaml"))
    assert validated == {"content": (tiny / CARD).read_text(encoding="utf-8"), "repoType": "dataset"}
    lines = [json.loads(x) for x in reqs[commit][2].decode().splitlines()]
    sent = {x["value"]["path"]: base64.b64decode(x["value"]["content"]) for x in lines if x["key"] == "file"}
    assert sent == {u.path_in_repo: u.local.read_bytes() for u in upload_files(tiny)}
    assert json.loads(reqs[-1][2]) == {"tag": TAG, "message": f"quoteprov dataset {__version__}"}


@pytest.mark.parametrize("command", ["load", "publish"])
def test_cli_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "--dataset DIR" in capsys.readouterr().out


def test_cli_publish_without_token(tiny: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    assert main(["publish", REPO, "--dataset", str(tiny)]) == 2
    assert "no Hugging Face token: set HF_TOKEN" in capsys.readouterr().err
