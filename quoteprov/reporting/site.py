"""Rendering with the templates (autoescaping always on), and `report`: the site of a dataset."""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any, Mapping

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..errors import QuoteprovError
from ..records import KINDS, LOW_CONFIDENCE
from ..source import Source, read_sources
from ..store import read_jsonl, write_text
from .views import ROLES, STATUSES, Page, SpeakerEntry, build_page, speaker_legend

DEFAULT_OUT = Path("report")




def _environment() -> Environment:
    # autoescape is on for every template, whatever its name: no value can become markup
    env = Environment(loader=PackageLoader("quoteprov", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(ROLES=ROLES, STATUSES=STATUSES, KINDS=KINDS, LOW_CONFIDENCE=LOW_CONFIDENCE)
    return env


def render_pages(pages: list[Page], index: Mapping[str, Any], out: Path, legend: Mapping[str | None, SpeakerEntry],
                 title: str, diff_mode: bool = False) -> Path:
    """Write index.html and one page per source under `out`; returns the index's path."""
    env = _environment()
    script = env.get_template("report_script.js.j2").render()
    # the page's Content-Security-Policy allows this script only, by its hash
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    common = {"legend": list(legend.values()), "site_title": title, "diff_mode": diff_mode,
              "script": Markup(script), "script_hash": f"sha256-{digest}"}
    source_tpl = env.get_template("report_source.html.j2")
    for page in pages:
        write_text(out / "sources" / page.filename, source_tpl.render(page=page, **common))
    index_path = out / "index.html"
    write_text(index_path, env.get_template("report_index.html.j2").render(pages=pages, **index, **common))
    return index_path


def _load_dataset(dataset: Path) -> tuple[list[Source], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    from ..store import settle

    settle(dataset)  # an interrupted build's swap is finished (or undone) before anything is read
    data = dataset / "data"
    path = data / "quotations.jsonl"
    if not (dataset / "sources").is_dir():
        raise QuoteprovError(f"{dataset}: not a dataset folder (no sources/ folder); run the command in the "
                             "folder that holds dataset/, or pass --dataset DIR")
    if not path.exists():
        raise QuoteprovError(f"{path}: no such file; run `quoteprov build --dataset {dataset}` first")
    try:
        records = read_jsonl(path)
        meta = {row["id"]: row for row in read_jsonl(data / "sources.jsonl")} if (data / "sources.jsonl").exists() else {}
    except ValueError as exc:
        raise QuoteprovError(f"{path.parent}: not valid JSON Lines ({exc}); run `quoteprov validate`") from None
    bad = next((i for i, r in enumerate(records, 1) if not isinstance(r, dict)), None)
    if bad:
        raise QuoteprovError(f"{path}:{bad}: expected a JSON object")
    return read_sources(dataset / "sources"), meta, records


def report(dataset: str | Path | None = None, out: str | Path = DEFAULT_OUT) -> Path:
    """Write the static site for `dataset` into `out`: `index.html` and `sources/<id>.html`.

    Returns the path of `index.html`. Reads `data/quotations.jsonl`, `data/sources.jsonl` and
    the source texts; writes nothing else (existing files of `out` other than the pages are left).
    """
    from ..build_cmd import DEFAULT_DATASET

    dataset = Path(dataset) if dataset is not None else DEFAULT_DATASET
    out = Path(out)
    sources, meta, records = _load_dataset(dataset)
    notes_path = dataset / "data" / "notes.jsonl"
    try:
        notes_of = {q: n for n in (read_jsonl(notes_path) if notes_path.exists() else []) for q in n.get("quotations", ())}
    except (ValueError, AttributeError, TypeError) as exc:
        raise QuoteprovError(f"{notes_path}: not valid notes ({exc}); run `quoteprov validate`") from None
    legend = speaker_legend(records)
    by_source: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_source.setdefault(str(r.get("source_id")), []).append(r)
    pages = []
    for s in sources:
        problems = []
        row = meta.get(s.id)
        if row is None:
            problems.append("not in data/sources.jsonl: the data was built before this source was added")
        elif row.get("sha256") and row["sha256"] != hashlib.sha256(s.text.encode("utf-8")).hexdigest():
            problems.append("the source text changed since the data was built (sha256 differs): "
                            "offsets may point at the wrong words; rebuild with `quoteprov build`")
        pages.append(build_page(s, by_source.pop(s.id, []), legend, row, problems, notes_of=notes_of))
    orphans = sorted(by_source)  # records whose source text is not in the manifest
    index = {"orphans": [(sid, len(by_source[sid])) for sid in orphans], "summary": None,
             "source_changes": [], "dataset": dataset.resolve().name, "unchanged_shown": True}
    return render_pages(pages, index, out, legend, "quoteprov report")
