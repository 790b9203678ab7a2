"""The files a dataset repository needs beside the JSON Lines: Parquet, the card, datapackage.json.

All three are derived from the JSON Lines files that `build` has just written (never from the
extractor's objects), so they cannot disagree with them, and all three are byte-for-byte
deterministic: the same JSON Lines give the same bytes (no timestamps, fixed key order, Parquet
written with a fixed schema and settings).
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import __version__
from .errors import QuoteprovError
from .features import CONFIGS, FEATURES, field_docs
from .records import CONFIDENT, LOW_CONFIDENCE
from .schema import load_schema
from .store import iter_jsonl, write_bytes

LICENSE = {"id": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/",
           "title": "Creative Commons Attribution 4.0 International (the annotations only)"}
# The Hub's licence field takes one id; `other` + name/link/details is its way to say "this,
# but not for everything in the repository" (the source texts are not ours to license).
LICENSE_NAME = "cc-by-4.0-annotations-only"
LICENSE_DETAILS = ("The annotations (data/, this card, datapackage.json) are CC BY 4.0. The source texts "
                   "in sources/ and the words quoted from them are not licensed by this project: rights "
                   "stay with their holders.")
DEFAULT_LANGUAGE = "en"
WHAT = {"quotations": "one quoted span of a source, with speaker, recipient, footnote and evidence",
        "sources": "one source text: bibliographic data, rights, checksum, notes",
        "entities": "one speaker or recipient: canonical name, aliases, kind, sources",
        "notes": "one note of a source: number, text, offsets, the quotations it documents, the works it cites"}
CARD = "README.md"
DATAPACKAGE = "datapackage.json"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def jsonl_path(config: str) -> str:
    return f"data/{config}.jsonl"


def parquet_path(config: str) -> str:
    return f"data/{config}.parquet"


def read_tables(dataset: str | Path) -> dict[str, list[dict[str, Any]]]:
    """The rows of the JSON Lines files of a built dataset folder (`notes.jsonl` may be absent)."""
    return {config: list(_rows(Path(dataset), config)) for config in CONFIGS}


# -- Parquet -------------------------------------------------------------------------------

def arrow_table(config: str, rows: list[dict[str, Any]]) -> pa.Table:
    """The rows as an Arrow table with exactly the declared features' schema.

    The schema carries the features in its `huggingface` metadata, so `datasets` reads the
    Parquet file back with the same features even without the card.
    """
    try:
        return pa.Table.from_pylist(rows, schema=FEATURES[config].arrow_schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, KeyError, TypeError) as exc:
        # only rows that fail the schema get here (build checks them first; validate explains)
        raise QuoteprovError(f"{jsonl_path(config)}: a row does not fit the declared features ({exc}); "
                             f"run `quoteprov validate` for details") from exc


def parquet_bytes(table: pa.Table) -> bytes:
    """`table` as a Parquet file, with fixed settings (`scan_table` with one batch)."""
    return _write_parquet(table.schema, [table] if table.num_rows else [])


def _write_parquet(schema: pa.Schema, tables: Iterable[pa.Table]) -> bytes:
    """Tables of `schema` as one Parquet file, a row group each, with fixed settings.

    pyarrow stores no timestamp (`created_by` names its version), so the bytes are a function
    of the rows and the pinned pyarrow alone. An empty table is written with no row group at
    all: `datasets` takes its batch size from the first row group, and a 0-row group makes it
    fail ("BatchSize must be greater than 0") where no group gives an empty split.
    """
    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, schema, compression="zstd", compression_level=9,
                          use_dictionary=True, write_statistics=True, version="2.6") as writer:
        for table in tables:
            writer.write_table(table)
    return sink.getvalue().to_pybytes()


# -- one pass over each table ----------------------------------------------------------------
#
# The card, datapackage.json and the Parquet files are made in one pass over each JSON Lines
# file, BATCH rows at a time: what the card says is folded into counters (`Tally`, `Facts`),
# and the rows are never all in memory (a corpus of hundreds of books has millions of records;
# a build's memory must not grow with it). Up to BATCH rows a table is one row group, as one
# `pa.Table` of all the rows would be.

BATCH = 10_000


class Tally:
    """What the card says of the quotations config, a row at a time."""

    def __init__(self) -> None:
        self.records = self.quotations = self.with_speaker = self.with_recipient = self.with_footnote = 0
        self.nested = self.unclosed = self.corrections = self.corrected = self.repaired = 0
        self.kinds: Counter[str] = Counter()
        self.speakers: Counter[str] = Counter()
        self.by_field: Counter[str] = Counter()
        self.basis: Counter[str] = Counter()
        self.methods: Counter[str] = Counter()
        self.per_source: Counter[str] = Counter()
        self.confidence: dict[str, Counter[str]] = {role: Counter() for role in CONFIDENT}

    def add(self, r: dict[str, Any]) -> None:
        self.records += 1
        self.kinds[r["kind"]] += 1
        self.per_source[r["source_id"]] += 1
        if r["kind"] == "quotation":
            self.quotations += 1
            self.with_speaker += r["speaker"] is not None
            self.with_recipient += r["recipient"] is not None
            self.with_footnote += r["footnote"] is not None
        if r["speaker"] is not None:
            self.speakers[r["speaker"]] += 1
            if r["method"]["speaker"]:
                self.methods[r["method"]["speaker"]] += 1
        if r["basis"]["speaker"]:
            self.basis[r["basis"]["speaker"]] += 1
        self.nested += r["nested_in"] is not None
        self.unclosed += bool(r["unclosed"])
        self.corrections += len(r["corrections"])
        self.corrected += bool(r["corrections"])
        self.by_field.update(c["field"] for c in r["corrections"])
        self.repaired += bool(r["evidence"]["marker"] and r["evidence"]["marker"]["repaired"])
        for role, n in self.confidence.items():
            conf = r["confidence"][role]
            if r[role] is None:
                continue
            n["given"] += 1
            if conf is not None:
                n["rated"] += 1
                n["low"] += conf < LOW_CONFIDENCE
                n["reviewed"] += r["method"][role] == "correction" and conf == 1

    def confidence_facts(self, role: str) -> dict[str, Any]:
        """How many `role` values carry a confidence, how many of those are low, how many a
        reviewed correction set (confidence 1)."""
        n = self.confidence[role]
        return {"role": role, **{k: n[k] for k in ("given", "rated", "low", "reviewed")}}


@dataclass
class Facts:
    """Everything the card and datapackage.json say of a dataset's tables: counts, Arrow sizes,
    the quotations' `Tally`, and the source rows (one per source) without their notes."""

    rows: dict[str, int] = field(default_factory=dict)
    nbytes: dict[str, int] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    notes: int = 0
    tally: Tally = field(default_factory=Tally)

    def add(self, config: str, row: dict[str, Any]) -> None:
        if config == "quotations":
            self.tally.add(row)
        elif config == "sources":
            self.notes += len(row["notes"])
            self.sources.append({k: v for k, v in row.items() if k != "notes"})


def scan_table(config: str, rows: Iterable[dict[str, Any]], facts: Facts) -> bytes:
    """One pass over a table's rows: each folded into `facts` (with the count and the Arrow
    size), the Parquet file's bytes returned."""
    schema = FEATURES[config].arrow_schema
    facts.rows[config] = facts.nbytes[config] = 0

    def tables() -> Iterator[pa.Table]:
        it = iter(rows)
        while batch := list(islice(it, BATCH)):
            for row in batch:
                facts.add(config, row)
            table = arrow_table(config, batch)
            facts.rows[config] += len(batch)
            facts.nbytes[config] += table.nbytes
            yield table

    return _write_parquet(schema, tables())


# -- facts for the card --------------------------------------------------------------------

def _citation(source: dict[str, Any]) -> str:
    year = f" {source['year']}." if source.get("year") is not None else ""
    return f"{source['author']}.{year} “{source['title']}.” {source['publication']}."


def size_category(n: int) -> str:
    """The Hub's size bucket for n rows."""
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                         (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if n < limit:
            return label
    return "10M<n<100M"


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def _bibtex(pretty_name: str, version: str, sources: list[dict[str, Any]]) -> str:
    key = "quoteprov_" + "_".join(s["id"].replace("-", "_").replace(".", "_") for s in sources[:1]) + "_" + version.replace(".", "_")
    about = "; ".join(_citation(s) for s in sources)
    lines = ["@misc{" + key + ",",
             "  title        = {" + pretty_name + "},",
             "  author       = {{quoteprov contributors}},",
             "  version      = {" + version + "},",
             "  howpublished = {Hugging Face dataset},",
             "  note         = {Quotation, speaker, recipient and footnote annotations of " + about + "}",
             "}"]
    return "\n".join(lines)


def pretty_name(sources: list[dict[str, Any]]) -> str:
    if len(sources) == 1:
        s = sources[0]
        year = f" ({s['year']})" if s.get("year") is not None else ""
        return f"Quotations in {s['author']}, {s['title']}{year}"
    return f"Quotations in {len(sources)} historical texts"


def card_header(facts: Facts, version: str = __version__, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """The card's YAML metadata (Hub `DatasetCardData` fields + `configs` + `dataset_info`)."""
    return {
        "pretty_name": pretty_name(facts.sources),
        "version": version,
        "license": "other",
        "license_name": LICENSE_NAME,
        "license_link": LICENSE["url"],
        "license_details": LICENSE_DETAILS,
        "language": [language],
        "annotations_creators": ["machine-generated", "expert-generated"],
        "language_creators": ["found"],
        "multilinguality": ["monolingual"],
        "source_datasets": ["original"],
        "task_categories": ["token-classification", "text-classification"],
        "size_categories": [size_category(facts.rows["quotations"])],
        "tags": ["quotation-attribution", "provenance", "footnotes", "historical-texts",
                 "digital-humanities", "web-annotation"],
        "configs": [{"config_name": c, "data_files": [{"split": "train", "path": parquet_path(c)}],
                     **({"default": True} if c == "quotations" else {})} for c in CONFIGS],
        "dataset_info": [_info(c, facts) for c in CONFIGS],
    }


def _info(config: str, facts: Facts) -> dict[str, Any]:
    # num_examples is what `datasets` checks on load (a stale card fails loudly); num_bytes is
    # the Arrow size, the Hub's measure, summed over the batches of `scan_table`
    nbytes = facts.nbytes[config]
    return {"config_name": config, "features": FEATURES[config]._to_yaml_list(),
            "splits": [{"name": "train", "num_bytes": nbytes, "num_examples": facts.rows[config]}],
            "dataset_size": nbytes}


def header_yaml(header: dict[str, Any]) -> str:
    return yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=100_000, default_flow_style=False)


def _count(n: int, noun: str) -> str:
    # "1 record", "2 records": the card is read by people, not parsed
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _cell(value: str) -> str:
    # a Markdown table cell: no pipes, no line breaks
    return value.replace("|", "\\|").replace("\n", " ")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)
    env.filters["cell"] = _cell
    env.filters["count"] = _count
    return env


def card_context(facts: Facts, version: str = __version__, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """Everything the card template shows, from the facts of one pass over the rows."""
    t = facts.tally
    header = card_header(facts, version, language)
    configs = [{"name": c, "default": c == "quotations", "rows": facts.rows[c], "parquet": parquet_path(c),
                "jsonl": jsonl_path(c), "what": WHAT[c], "fields": field_docs(load_schema(c), FEATURES[c])}
               for c in CONFIGS]
    sources = [{**s, "citation": _citation(s), "records": t.per_source.get(s["id"], 0)} for s in facts.sources]
    return {
        "header_yaml": header_yaml(header),
        "pretty_name": header["pretty_name"],
        "version": version,
        "configs": configs,
        "records": t.records,
        "by_kind": sorted(t.kinds.items()),
        "quotations": t.quotations,
        "with_speaker": t.with_speaker,
        "with_recipient": t.with_recipient,
        "with_footnote": t.with_footnote,
        "speakers": _ranked(t.speakers),
        "nested": t.nested,
        "unclosed": t.unclosed,
        "corrections": t.corrections,
        "corrected_records": t.corrected,
        "corrections_by_field": _ranked(t.by_field),
        "speaker_basis": _ranked(t.basis),
        "speaker_methods": _ranked(t.methods),
        "confidence": [t.confidence_facts(role) for role in CONFIDENT],
        "low_confidence": LOW_CONFIDENCE,
        "repaired": t.repaired,
        "notes": facts.notes,
        "entities": facts.rows["entities"],
        "sources": sources,
        "license": LICENSE,
        "bibtex": _bibtex(header["pretty_name"], version, facts.sources),
    }


def render_card(facts: Facts, version: str = __version__, language: str = DEFAULT_LANGUAGE) -> str:
    """The dataset card (README.md) for these facts."""
    return _environment().get_template("card.md.j2").render(**card_context(facts, version, language))


# -- Frictionless data package -------------------------------------------------------------

_FRICTIONLESS_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
                       "object": "object", "array": "array"}


def _frictionless_field(name: str, node: dict[str, Any], required: bool) -> dict[str, Any]:
    """A Table Schema field for one top-level schema property.

    Frictionless checks nested objects and arrays only as such (Table Schema has no way to type
    their members); `quoteprov validate` and the JSON Schema check the rest.
    """
    if "enum" in node:
        values = [v for v in node["enum"] if v is not None]
        nullable, jtype = None in node["enum"], "string"
    else:
        t = node["type"]
        ts = [t] if isinstance(t, str) else list(t)
        nullable = "null" in ts
        jtype = next(x for x in ts if x != "null")
        values = None
    field: dict[str, Any] = {"name": name, "type": _FRICTIONLESS_TYPES[jtype]}
    if node.get("description"):
        field["description"] = node["description"]
    constraints: dict[str, Any] = {}
    if required and not nullable:
        constraints["required"] = True
    if values:
        constraints["enum"] = values
    for key in ("minimum", "maximum", "minLength", "pattern"):
        if key in node:
            constraints[key] = node[key]
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(config: str) -> dict[str, Any]:
    schema = load_schema(config)
    required = set(schema.get("required", []))
    fields = [_frictionless_field(k, v, k in required) for k, v in schema["properties"].items()]
    key = {"quotations": ["id"], "sources": ["id"], "entities": ["name"], "notes": ["id"]}[config]
    return {"fields": fields, "primaryKey": key}


def _file_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file, read a block at a time."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
            size += len(block)
    return size, h.hexdigest()


def datapackage(dataset: str | Path, facts: Facts, version: str = __version__) -> dict[str, Any]:
    """A Frictionless Data Package descriptor for the JSON Lines files of `dataset`.

    The resources are the JSON Lines (not the Parquet) files: they are the dataset's primary
    form and every Frictionless reader handles them; hash and size let an archive check them.
    A file without rows is left out (the description says which).
    """
    dataset = Path(dataset)
    resources = []
    for config in CONFIGS:
        if not facts.rows[config]:
            continue  # Frictionless cannot read an empty JSON Lines file (no row, no header)
        size, digest = _file_digest(dataset / jsonl_path(config))
        resources.append({
            "name": config, "type": "table", "path": jsonl_path(config), "scheme": "file",
            "format": "jsonl", "mediatype": "application/jsonl", "encoding": "utf-8",
            "title": config.capitalize(), "description": WHAT[config],
            "bytes": size, "hash": "sha256:" + digest,
            "schema": table_schema(config),
        })
    sources = [{"title": _citation(s), "path": f"sources/{s['file']}",
                "description": f"{s['origin']} Rights: {s['rights']}"} for s in facts.sources]
    return {
        "name": "quoteprov-quotations",
        "title": pretty_name(facts.sources),
        "description": ("Quoted spans of historical prose with speaker, recipient and footnote, each backed by "
                        "code-point offsets into the source text. " + LICENSE_DETAILS
                        + "".join(f" {jsonl_path(c)} is empty in this version and not listed." for c in CONFIGS
                                  if not facts.rows[c])),
        "version": version,
        "licenses": [{"name": LICENSE["id"], "path": LICENSE["url"], "title": LICENSE["title"]}],
        "sources": sources,
        "contributors": [{"title": "quoteprov contributors", "role": "author"}],
        "keywords": ["quotations", "attribution", "footnotes", "provenance"],
        "resources": resources,
    }


# -- called by build -----------------------------------------------------------------------

def hub_files(dataset: str | Path, tables: dict[str, list[dict[str, Any]]] | None = None,
              version: str | None = None, facts: Facts | None = None) -> dict[str, bytes]:
    """The derived files of a dataset folder, path in the folder -> bytes, from its JSON Lines
    (`version`: the dataset version the card and datapackage.json state, default this package's).
    The files are read a batch of rows at a time (`scan_table`); `tables` gives rows instead.
    `facts`, when given, receives what the pass gathered (build reports its counts from it)."""
    version = version or __version__
    facts = Facts() if facts is None else facts
    out = {parquet_path(c): scan_table(c, tables[c] if tables is not None else _rows(Path(dataset), c), facts)
           for c in CONFIGS}
    out[CARD] = render_card(facts, version).encode("utf-8")
    out[DATAPACKAGE] = (json.dumps(datapackage(dataset, facts, version), ensure_ascii=False, indent=2)
                        + "\n").encode("utf-8")
    return out


def _rows(dataset: Path, config: str) -> Iterator[dict[str, Any]]:
    """The rows of one JSON Lines file of a built folder, lazily (`read_tables`'s rules)."""
    path = dataset / jsonl_path(config)
    if config == "notes" and not path.is_file():
        return iter(())  # a folder built before notes were data: no notes, nothing stale
    if not path.is_file():
        raise QuoteprovError(f"{path}: no such file (run `quoteprov build --dataset {dataset}` first)")
    return iter_jsonl(path)


def write_hub_files(dataset: str | Path, version: str | None = None, facts: Facts | None = None) -> list[str]:
    """Write the Parquet files, the card and datapackage.json from the dataset's JSON Lines.

    Returns the paths written, relative to the folder (`build` calls this on its scratch folder
    before the new generation is swapped in, see `store.generation`); `facts` as in `hub_files`.
    """
    dataset = Path(dataset)
    written = []
    for name, data in hub_files(dataset, version=version, facts=facts).items():
        write_bytes(dataset / name, data)
        written.append(name)
    return written


def stale_files(dataset: str | Path) -> list[str]:
    """The derived files that are missing or differ from what the JSON Lines give now."""
    dataset = Path(dataset)
    return [name for name, data in hub_files(dataset).items()
            if not (dataset / name).is_file() or (dataset / name).read_bytes() != data]


# -- the card against the Hub's metadata rules ------------------------------------------------

def _known(resource: str) -> set[str]:
    # the lists `datasets` ships for the Hub's metadata fields (size buckets, language codes)
    import datasets.utils

    path = Path(datasets.utils.__file__).parent / "resources" / resource
    data = json.loads(path.read_text(encoding="utf-8"))
    return set(data) if isinstance(data, (list, dict)) else set()


def card_problems(dataset: str | Path) -> list[str]:
    """What is wrong with the card's metadata, checked locally the way the Hub reads it.

    `DatasetCard` parses the YAML into `DatasetCardData` (strict: a malformed header is an
    error); `datasets` parses `configs` and `dataset_info` from it as `load_dataset` would;
    the tagging fields are checked against the vocabularies `datasets` ships. (The Hub's own
    `/api/validate-yaml` cannot be reached from here.)
    """
    from datasets.info import DatasetInfosDict
    from datasets.utils.metadata import MetadataConfigs, known_task_ids
    from huggingface_hub import DatasetCard

    dataset = Path(dataset)
    try:
        card = DatasetCard((dataset / CARD).read_text(encoding="utf-8"), ignore_metadata_errors=False)
    except (ValueError, yaml.YAMLError) as exc:
        return [f"metadata does not parse: {exc}"]
    data = card.data.to_dict()
    problems = []
    if not data.get("pretty_name"):
        problems.append("pretty_name: missing")
    if data.get("license") == "other" and not (data.get("license_name") and data.get("license_link")):
        problems.append("license: `other` needs license_name and license_link")
    for field_, known in (("size_categories", _known("size_categories.json")),
                          ("language", _known("languages.json")),
                          ("task_categories", set(known_task_ids))):
        values = data.get(field_) or []
        values = [values] if isinstance(values, str) else values
        if not values:
            problems.append(f"{field_}: missing")
        problems += [f"{field_}: unknown value {v!r}" for v in values if v not in known]
    try:
        configs = MetadataConfigs.from_dataset_card_data(card.data)
        infos = DatasetInfosDict.from_dataset_card_data(card.data)
    except (ValueError, TypeError, KeyError) as exc:
        return problems + [f"configs/dataset_info: {exc}"]
    if sorted(configs) != sorted(CONFIGS):
        problems.append(f"configs: {sorted(configs)}, expected {sorted(CONFIGS)}")
    defaults = [name for name, c in configs.items() if c.get("default")]
    if defaults != ["quotations"]:
        problems.append(f"configs: default is {defaults}, expected ['quotations']")
    for name, c in configs.items():
        for entry in c.get("data_files", []):
            if not (dataset / entry["path"]).is_file():
                problems.append(f"configs.{name}.data_files: {entry['path']} does not exist")
    for name in CONFIGS:
        info = infos.get(name)
        if info is None or info.features != FEATURES[name]:
            problems.append(f"dataset_info.{name}.features: differ from quoteprov.features.FEATURES[{name!r}]")
    return problems
