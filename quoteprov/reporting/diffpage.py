"""A diff as the report's pages (`quoteprov diff --format html`): added, re-attributed and
re-anchored quotations marked in the new text, removed ones listed."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import QuoteprovError
from ..source import Source, make_source, read_manifest, read_sources
from ..store import read_jsonl
from ..versions import readable
from .site import render_pages
from .views import build_page, speaker_legend


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a DiffResult (object with attributes) or of its JSON form (a dict)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _as_record(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return dict(obj)
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return None


def _offsets(obj: Any) -> tuple[Any, Any] | None:
    rec = _as_record(obj)
    if rec is not None:
        return rec.get("start"), rec.get("end")
    if isinstance(obj, (list, tuple)) and len(obj) == 2:
        return obj[0], obj[1]
    return None


def _diff_sources(sources: Any) -> dict[str, Source]:
    """Source texts of the new version: a dataset or sources folder, {id: Source or text}, a list
    of Source, or None for this repository's dataset."""
    if sources is None:
        from ..build_cmd import DEFAULT_DATASET
        sources = DEFAULT_DATASET
    if isinstance(sources, (str, Path)):
        p = Path(sources)
        if (p / "sources" / "manifest.json").exists():
            p = p / "sources"
        if not (p / "manifest.json").exists():
            raise QuoteprovError(f"{sources}: no sources/manifest.json or manifest.json here")
        return {s.id: s for s in read_sources(p)}
    if isinstance(sources, Mapping):
        return {str(k): v if isinstance(v, Source) else make_source(str(v), str(k)) for k, v in sources.items()}
    return {s.id: s for s in sources}


def _new_dataset_folder(result: Any) -> Path | None:
    """The new version's dataset folder when the diff's label names one on disk (a folder, or a
    records file inside its data/), else None (this repository's dataset)."""
    label = _get(result, "new_label") or _get(result, "new")
    if not isinstance(label, str) or not label:
        return None
    p = Path(label)
    for folder in (p, p.parent.parent):
        if (folder / "sources" / "manifest.json").is_file():
            return folder
    return None


def _titles(folder: Path | None) -> dict[str, dict[str, Any]]:
    """Title, author etc. by source id, for sources given as bare texts: from the manifest of the
    new version's folder, else of this repository's dataset (display only)."""
    from ..build_cmd import DEFAULT_DATASET

    for f in (folder, DEFAULT_DATASET):
        if f is not None and (f / "sources" / "manifest.json").is_file():
            try:
                return {str(e["id"]): e for e in read_manifest(f / "sources")}
            except QuoteprovError:
                continue
    return {}


def _dataset_records(sources: Any) -> list[dict[str, Any]]:
    """The records beside the source texts, when `sources` names a dataset folder (or is None)."""
    if sources is None:
        from ..build_cmd import DEFAULT_DATASET
        sources = DEFAULT_DATASET
    if not isinstance(sources, (str, Path)):
        return []
    path = Path(sources) / "data" / "quotations.jsonl"
    try:
        return read_jsonl(path) if path.exists() else []
    except ValueError:
        return []


def _changed_records(result: Any) -> list[dict[str, Any]]:
    out = [_as_record(r) for r in _get(result, "added") or ()]
    out += [_as_record(_get(c, "new")) for n in ("changed", "reanchored") for c in _get(result, n) or ()]
    return [r for r in out if r is not None]


def render_diff_html(result: Any, out_dir: str | Path, sources: Any = None,
                     records: Iterable[Mapping[str, Any]] | None = None) -> Path:
    """Render a diff (a `quoteprov.versions.DiffResult`, or its JSON form) as the report's pages.

    The new version's text carries the added, changed (re-attributed) and re-anchored
    quotations, each marked and labelled; removed quotations are listed in a panel of their
    source's page, since their words may be gone. `sources` gives the new version's texts: a
    dataset or sources folder, {source id: text or Source}, a list of Source, or None for the
    folder that the result's new label names (else this repository's dataset). `records` gives the new version's full records, so that unchanged
    quotations are shown too; without it they are taken from the dataset folder named by
    `sources` only if that folder holds every added and changed record as the diff has it (so
    it is the new version). Returns the path of `index.html`.
    """
    out = Path(out_dir)
    folder = _new_dataset_folder(result)
    if sources is None:
        sources = folder
    texts = _diff_sources(sources)
    titles = _titles(folder)
    info: dict[str, dict[str, Any]] = {}
    new_records: dict[str, dict[str, Any]] = {}
    if records is None:
        candidates = {str(r.get("id")): r for r in _dataset_records(sources)}
        if all(candidates.get(str(r.get("id"))) == r for r in _changed_records(result)):
            records = candidates.values()
    for r in records or ():
        new_records[str(r.get("id"))] = dict(r)
    # a record both moved and changed is shown as changed, with its move noted
    for name in ("reanchored", "changed", "added"):
        for entry in _get(result, name) or ():
            if name == "added":
                rec, rid = _as_record(entry), None
            else:
                rid = _get(entry, "id")
                rec = _as_record(_get(entry, "new")) or new_records.get(str(rid))
            if rec is None:
                continue
            rid = str(rid or rec.get("id"))
            rec.setdefault("id", rid)
            new_records[rid] = rec
            slot = info.setdefault(rid, {"status": name, "changes": [], "moved": None})
            slot["status"] = name
            if name == "changed":
                for path, pair in sorted((_get(entry, "fields") or {}).items()):
                    old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
                    slot["changes"].append({"field": path, "old": readable(old), "new": readable(new)})
            if name in ("changed", "reanchored"):
                old, new = _offsets(_get(entry, "old")), (rec.get("start"), rec.get("end"))
                if old and tuple(old) != new:
                    slot["moved"] = {"old": old, "new": new}
    removed: dict[str, list[dict[str, Any]]] = {}
    for entry in _get(result, "removed") or ():
        rec = _as_record(entry)
        if rec is not None:
            removed.setdefault(str(rec.get("source_id")), []).append(rec)
    by_source: dict[str, list[dict[str, Any]]] = {}
    for r in new_records.values():
        by_source.setdefault(str(r.get("source_id")), []).append(r)
    legend = speaker_legend(list(new_records.values()) + [r for rs in removed.values() for r in rs])
    pages = []
    missing = []
    for sid in sorted(set(by_source) | set(removed)):
        src = texts.get(sid)
        problems = []
        if src is None:
            # no text for this source (it was removed, or not given): the panel still lists it all
            src = make_source("", sid)
            if by_source.get(sid):
                missing.append(sid)
                problems.append("the new version's source text was not given: quotations are listed, not shown in place")
        pages.append(build_page(src, by_source.get(sid, []), legend, None if src.metadata else titles.get(sid), problems,
                                {"records": info, "removed": removed.get(sid, [])}))
    changes = []
    for sc in _get(result, "sources") or ():
        d = sc.to_json() if hasattr(sc, "to_json") else sc
        if isinstance(d, Mapping):
            changes.append({"id": d.get("id"), "status": d.get("status"), "summary": d.get("summary")})
        else:
            changes.append({"id": None, "status": None, "summary": str(d)})
    # files a manifest places outside the dataset: refused by the diff, never read; said here too
    changes += [{"id": None, "status": "problem", "summary": str(p)} for p in _get(result, "problems") or ()]
    old_label, new_label = _get(result, "old_label") or _get(result, "old"), _get(result, "new_label") or _get(result, "new")
    title = f"quoteprov diff: {old_label} → {new_label}" if isinstance(old_label, str) and isinstance(new_label, str) \
        else "quoteprov diff"
    index = {"orphans": [], "summary": _get(result, "summary"), "source_changes": changes, "dataset": None,
             "unchanged_shown": bool(records)}
    return render_pages(pages, index, out, legend, title, diff_mode=True)
