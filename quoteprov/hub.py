"""`quoteprov load` and `quoteprov publish`: the dataset folder as a Hugging Face dataset.

`load` reads a built dataset folder exactly as the Hub would serve it (`datasets.load_dataset`
on the folder, which follows the card's `configs` to the Parquet files), never from the
network. `publish` checks the folder, then creates the Hub repository, uploads the folder in
one commit and tags that commit with the dataset version, so `revision="v0.1.0"` always names
the data that version 0.1.0 of the card describes.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from . import __version__
from .errors import QuoteprovError
from .features import CONFIGS

# card.py and `datasets` are imported where they are used: the CLI imports this module for
# every command, and they cost a second or two to import

_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$")


def _default_dataset() -> Path:
    from .build_cmd import DEFAULT_DATASET

    return DEFAULT_DATASET


class CheckFailed(QuoteprovError):
    """The dataset folder is not fit to publish (invalid records, stale card, ...)."""

    exit_status = 1


def dataset_folder(path: str | Path | None) -> Path:
    from .card import CARD

    folder = Path(path) if path is not None else _default_dataset()
    if not folder.is_dir():
        raise QuoteprovError(f"{folder}: no such dataset folder; run the command in the folder that holds "
                             "dataset/, or pass --dataset DIR")
    from .store import settle

    settle(folder)  # an interrupted build's swap is finished (or undone) before anything is read
    if not (folder / CARD).is_file():
        raise QuoteprovError(f"{folder / CARD}: no dataset card (run `quoteprov build --dataset {folder}` first)")
    return folder


def _config(config: str) -> str:
    if config not in CONFIGS:
        raise QuoteprovError(f"--config: unknown config {config!r} (choose from {', '.join(CONFIGS)})")
    return config


@contextmanager
def _offline() -> Iterator[None]:
    """Forbid network access by `datasets` and `huggingface_hub` for the duration.

    A local folder needs none, but `datasets` resolves some names on the Hub when they are not
    a folder, and on a machine without network that would hang on retries instead of failing.
    The flags are read when a call is made, so they are set on the loaded modules and restored
    afterwards (a caller's own Hub access later in the process is not affected).
    """
    import datasets.config
    import huggingface_hub.constants

    saved = (datasets.config.HF_HUB_OFFLINE, huggingface_hub.constants.HF_HUB_OFFLINE)
    datasets.config.HF_HUB_OFFLINE = huggingface_hub.constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        datasets.config.HF_HUB_OFFLINE, huggingface_hub.constants.HF_HUB_OFFLINE = saved


# -- load ------------------------------------------------------------------------------------

def _data_file_paths(configs: Any) -> Iterator[Any]:
    """Every path a card's `configs` names, in any of the forms `datasets` accepts (a string,
    a list of strings, a list of {split, path} with a string or a list)."""
    for c in configs if isinstance(configs, list) else [configs]:
        files = c.get("data_files") if isinstance(c, dict) else None
        for item in files if isinstance(files, list) else [files] if files is not None else []:
            paths = item.get("path") if isinstance(item, dict) else item
            yield from paths if isinstance(paths, list) else [paths]


def guard_card(folder: Path) -> None:
    """Refuse, before `datasets` sees it, a folder it would mishandle: a Python file at its top
    (`datasets` takes `<folder>.py` for a loading script and fails with a traceback), a card
    whose YAML does not parse, and `data_files` that lead out of the folder (a card comes with
    a contribution; `load` must not read `../../elsewhere.parquet` or `/proc/...`)."""
    import yaml

    from .card import CARD
    from .source import confined

    scripts = sorted(p.name for p in folder.glob("*.py"))
    if scripts:
        raise QuoteprovError(f"{folder}: holds {', '.join(scripts)}: `datasets` would take it for a loading "
                             "script; a quoteprov dataset has none (remove it, then load)")
    text = (folder / CARD).read_text(encoding="utf-8", errors="replace")
    header = text.split("---\n", 2)[1] if text.startswith("---\n") and text.count("---\n") >= 2 else ""
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 2}" if mark is not None else ""  # +1 for 0-based, +1 for the opening ---
        problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
        raise QuoteprovError(f"{folder / CARD}{where}: the card's YAML header does not parse ({problem}); "
                             f"rebuild it with `quoteprov build --dataset {folder}`") from None
    if not isinstance(meta, dict):
        raise QuoteprovError(f"{folder / CARD}: the card's YAML header is not a mapping; "
                             f"rebuild it with `quoteprov build --dataset {folder}`")
    for p in _data_file_paths(meta.get("configs") or []):
        if isinstance(p, str) and any(ch in p for ch in "*?["):
            # a pattern: its name must stay inside, and so must every file it matches
            from .source import unsafe_name

            if unsafe_name(p, "the dataset folder") or any(
                    not confined(folder, q.relative_to(folder).as_posix(), "the dataset folder")[0]
                    for q in folder.glob(p)):
                raise QuoteprovError(f"{folder / CARD}: configs.data_files {json.dumps(p)} reaches outside the "
                                     "dataset folder; not loaded")
            continue
        _, why = confined(folder, p, "the dataset folder")
        if why:
            raise QuoteprovError(f"{folder / CARD}: configs.data_files {json.dumps(p, ensure_ascii=False)} {why}; "
                                 "not loaded")


def load(path: str | Path | None = None, config: str = "quotations", split: str | None = "train",
         cache_dir: str | Path | None = None) -> Any:
    """The `config` of the dataset folder at `path` as a `datasets.Dataset` (a `DatasetDict`
    when `split` is None), loaded with `datasets.load_dataset` as the Hub would load it.

    `cache_dir` is where `datasets` keeps its Arrow copy (default: its usual cache).
    """
    import datasets
    import pyarrow.parquet as pq

    from .card import parquet_path
    from .features import FEATURES

    folder = dataset_folder(path)
    _config(config)
    guard_card(folder)
    parquet = folder / parquet_path(config)
    if not parquet.is_file():
        raise QuoteprovError(f"{parquet}: no such file (run `quoteprov build --dataset {folder}` first)")
    try:
        if pq.read_metadata(parquet).num_rows == 0:
            # `datasets` refuses an empty split ("corresponds to no data"); an empty table with
            # the declared features is what the caller asked for
            empty = datasets.Dataset.from_dict({k: [] for k in FEATURES[config]}, features=FEATURES[config])
            return empty if split else datasets.DatasetDict({"train": empty})
        with _offline():
            return datasets.load_dataset(str(folder), config, split=split,
                                         cache_dir=str(cache_dir) if cache_dir else None)
    except (ValueError, OSError, KeyError, TypeError, AttributeError, IndexError,
            datasets.exceptions.DatasetsError) as exc:
        # a stale card (its row counts disagree with the files), a damaged Parquet file, an
        # unknown split, card metadata of the wrong shape (a feature without `name` is a
        # KeyError deep inside `datasets`, a feature that is a string an AttributeError: both
        # found by benchmarks/fuzz.py): the folder needs `quoteprov build`, not a traceback
        raise QuoteprovError(f"{folder}: cannot load config {config!r} ({type(exc).__name__}: {exc}); "
                             f"rebuild it with `quoteprov build --dataset {folder}`") from exc


def to_pandas(path: str | Path | None = None, config: str = "quotations", cache_dir: str | Path | None = None) -> Any:
    """The `config` of the dataset folder at `path` as a pandas DataFrame (nested fields as dicts).

    Integer and boolean columns use pandas' nullable dtypes (`Int64`, `boolean`): with the
    default conversion a `footnote` column with one null would turn into floats (12.0, NaN).
    """
    import pandas as pd
    import pyarrow as pa

    table = load(path, config, "train", cache_dir).with_format("arrow")[:]
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get)


def _type_name(feature: Any) -> str:
    from datasets import List

    if isinstance(feature, dict):
        return "struct{" + ", ".join(feature) + "}"
    if isinstance(feature, List):
        return f"list<{_type_name(feature.feature)}>"
    return feature.dtype


def summary(ds: Any, config: str, folder: Path) -> list[str]:
    """A few lines that tell what was loaded: rows, columns with types, and the main counts."""
    lines = [f"{config}{' (default config)' if config == 'quotations' else ''} from {folder}: "
             f"{ds.num_rows} rows, split train",
             "columns: " + ", ".join(f"{k} {_type_name(v)}" for k, v in ds.features.items())]
    if config == "quotations" and ds.num_rows:
        kinds = Counter(ds["kind"])
        lines.append("kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        speakers = Counter(s for s in ds["speaker"] if s is not None)
        top = sorted(speakers.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        lines.append(f"speakers: {len(speakers)}" + (" (" + ", ".join(f"{k} {n}" for k, n in top) + ")" if top else ""))
        lines.append(f"with footnote: {sum(f is not None for f in ds['footnote'])}")
    elif config == "sources":
        lines += [f"{s['id']}: {s['author']}, {s['title']}" for s in ds]
    elif config == "entities" and ds.num_rows:
        lines.append("kind: " + ", ".join(f"{k} {n}" for k, n in sorted(Counter(ds["kind"]).items())))
    return lines


# -- publish ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    """One local file and where it goes in the Hub repository."""

    local: Path
    path_in_repo: str
    size: int


@dataclass(frozen=True)
class PublishPlan:
    """What `publish` does (or, with --dry-run, would do)."""

    repo_id: str
    tag: str
    version: str
    private: bool
    folder: Path
    files: tuple[Upload, ...]
    header: str  # the card's YAML header, as uploaded
    checked: str  # what the checks covered

    def lines(self, dry_run: bool) -> list[str]:
        would = "would " if dry_run else ""
        total = sum(f.size for f in self.files)
        out = [f"checked: {self.checked}",
               f"{would}create (if missing) {'private' if self.private else 'public'} dataset repository "
               f"{self.repo_id}",
               f"{would}upload {len(self.files)} files ({total:,} bytes) in one commit \"quoteprov dataset "
               f"{self.version}\" to its main branch (files on the Hub not listed here are deleted):"]
        out += [f"  {f.local} -> hf://datasets/{self.repo_id}/{f.path_in_repo} ({f.size:,} bytes)" for f in self.files]
        out.append(f"{would}tag that commit {self.tag} (load it with revision=\"{self.tag}\")")
        out += ["card header:", "---", *self.header.rstrip("\n").split("\n"), "---"]
        return out


@dataclass(frozen=True)
class Published:
    plan: PublishPlan
    commit_url: str | None  # None for a dry run


def upload_files(folder: Path) -> tuple[Upload, ...]:
    """Every file of the dataset folder that belongs on the Hub, in a stable order.

    Hidden files and the temporary files of an interrupted write are left out; nothing else
    is, so the Hub holds what the folder holds (sources and manifest included: the offsets are
    useless without the text they point into).
    """
    out = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if not p.is_file() or any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if p.name.endswith(".tmp"):
            continue
        out.append(Upload(p, rel.as_posix(), p.stat().st_size))
    return tuple(out)


def refuse_unsafe_files(folder: Path) -> None:
    """Stop before anything is checked or sent when the folder holds what must never be
    uploaded: a symbolic link out of it (the upload would follow it) or a Python file."""
    from .source import dataset_file_problems

    found = dataset_file_problems(folder)
    if found:
        lines = "\n  ".join(f"{p}: [{code}] {msg}" for p, code, msg in found)
        raise QuoteprovError(f"{folder}: not published, nothing was sent; {len(found)} file(s) must not be "
                             f"uploaded:\n  {lines}")


def _record_problems(folder: Path) -> tuple[list[str], str]:
    """Every error `quoteprov validate` finds in the folder, and its one-line summary.

    Falls back to a JSON Schema check of every record when the validate module is not part of
    this installation.
    """
    try:
        from .validation import validate as full_validate
    except ModuleNotFoundError as exc:
        if exc.name != "quoteprov.validation":
            raise  # a broken install, not a missing command
        full_validate = None  # type: ignore[assignment]
    if full_validate is not None:
        report = full_validate(folder, jobs=1)
        errors = [p.format() for p in report.problems if p.severity == "error" or report.strict]
        return (errors or ([] if report.ok else [report.summary()])), report.summary()
    from .card import read_tables
    from .schema import schema_errors

    tables = read_tables(folder)
    problems = []
    for config in CONFIGS:
        for i, row in enumerate(tables[config], 1):
            problems += [f"data/{config}.jsonl line {i}: {e}" for e in schema_errors(config, row)]
    return problems, f"{sum(map(len, tables.values()))} rows schema-checked"


def check_for_publish(folder: Path) -> str:
    """Raise CheckFailed unless the folder is valid and its derived files are up to date;
    return what was checked, for the plan."""
    from .card import CARD, DATAPACKAGE, card_problems, stale_files

    problems, validated = _record_problems(folder)
    if not problems:  # derived files of invalid records cannot be rebuilt to compare against
        problems += [f"{name}: out of date with the JSON Lines (run `quoteprov build --dataset {folder}`)"
                     for name in stale_files(folder)]
        problems += [f"{CARD}: {p}" for p in card_problems(folder)]
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise CheckFailed(f"{folder}: not published, {len(problems)} problem(s):\n  {shown}{more}")
    return f"{validated}; Parquet, {CARD} and {DATAPACKAGE} up to date; card metadata valid"


def plan_publish(repo_id: str, dataset: str | Path | None = None, revision: str | None = None,
                 private: bool = False) -> PublishPlan:
    """Check the folder and work out the upload, without any network access."""
    if not _REPO_ID.match(repo_id):
        raise QuoteprovError(f"REPO_ID: {repo_id!r} is not a Hub repository id (namespace/name)")
    tag = revision or f"v{__version__}"
    if not _TAG.match(tag):
        raise QuoteprovError(f"--revision: {tag!r} is not a usable tag name")
    from .card import CARD

    folder = dataset_folder(dataset)
    refuse_unsafe_files(folder)
    checked = check_for_publish(folder)
    text = (folder / CARD).read_text(encoding="utf-8")
    header = text.split("---\n", 2)[1]
    return PublishPlan(repo_id, tag, __version__, private, folder, upload_files(folder), header, checked)


def publish(repo_id: str, dataset: str | Path | None = None, revision: str | None = None, dry_run: bool = False,
            private: bool = False, api: Any = None, token: str | None = None,
            progress: Callable[[str], None] | None = None) -> Published:
    """Publish the dataset folder to the Hub dataset repository `repo_id`.

    Order: check the folder (records, freshness of Parquet/card/datapackage, card metadata);
    then create the repository if missing, refuse if the tag already exists (a version is
    published once), upload the folder in one commit, tag that commit. With `dry_run` it stops
    after the checks. `api` is an `HfApi`-like object (default: a real `HfApi`); `token`
    defaults to `HF_TOKEN` or the token saved by `hf auth login`.
    """
    say = progress or (lambda msg: None)
    plan = plan_publish(repo_id, dataset, revision, private)
    if dry_run:
        return Published(plan, None)
    import huggingface_hub.errors
    from huggingface_hub import HfApi, get_token

    # the HTTP client's base error (connection refused, timeouts), where this version has one
    HTTPError = getattr(huggingface_hub.errors, "HTTPError", OSError)

    token = token or get_token()
    if not token:
        raise QuoteprovError("no Hugging Face token: set HF_TOKEN or run `hf auth login` (nothing was sent)")
    api = api if api is not None else HfApi(token=token)
    step = "create the repository"
    try:
        say(f"creating (if missing) dataset repository {repo_id}")
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True, token=token)
        step = "list the tags"
        tags = {t.name for t in api.list_repo_refs(repo_id, repo_type="dataset", token=token).tags}
        if plan.tag in tags:
            raise QuoteprovError(f"{repo_id}: tag {plan.tag} exists already; a version is published once "
                                 f"(raise the version, or pass another --revision); nothing was uploaded")
        step = "upload the files"
        say(f"uploading {len(plan.files)} files")
        commit = api.upload_folder(repo_id=repo_id, folder_path=str(plan.folder), repo_type="dataset",
                                   allow_patterns=[f.path_in_repo for f in plan.files], delete_patterns=["*"],
                                   commit_message=f"quoteprov dataset {plan.version}", token=token)
        step = f"tag the commit {plan.tag}"
        say(f"tagging {plan.tag}")
        api.create_tag(repo_id, tag=plan.tag, tag_message=f"quoteprov dataset {plan.version}",
                       revision=commit.oid, repo_type="dataset", token=token)
    except (OSError, HTTPError, ValueError) as exc:
        # OSError covers HfHubHTTPError and connection failures; ValueError is what the Hub's
        # metadata check (`/api/validate-yaml`, run by upload_folder) raises for a rejected card
        raise QuoteprovError(f"{repo_id}: could not {step}: {exc}") from exc
    return Published(plan, getattr(commit, "commit_url", None))
