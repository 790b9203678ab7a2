"""Features against the schema; Parquet, card and datapackage.json written from the JSON Lines."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import frictionless  # the test extra installs it
import pyarrow.parquet as pq
import pytest
import yaml
from datasets import Features, List, Value
from huggingface_hub import DatasetCard, DatasetCardData

from quoteprov import __version__
from quoteprov.card import (CARD, DATAPACKAGE, card_problems, hub_files, parquet_path, read_tables, size_category,
                            stale_files, write_hub_files)
from quoteprov.features import CONFIGS, FEATURES, compare
from quoteprov.schema import load_schema
from quoteprov.store import read_jsonl, write_jsonl

TINY = Path(__file__).parent / "fixtures" / "hub" / "tiny"
REAL = Path(__file__).resolve().parent.parent / "dataset"


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    """A copy of the hand-made fixture folder with its Hub files written."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    write_hub_files(folder)
    return folder


def _header(folder: Path) -> dict:
    return yaml.safe_load((folder / CARD).read_text(encoding="utf-8").split("---\n", 2)[1])


# -- features and schema -------------------------------------------------------------------

@pytest.mark.parametrize("config", CONFIGS)
def test_every_schema_property_has_a_feature_and_back(config: str) -> None:
    assert compare(load_schema(config), FEATURES[config]) == []


def test_compare_reports_each_kind_of_disagreement() -> None:
    schema = load_schema("quotations")
    f = dict(FEATURES["quotations"])
    f.pop("footnote")
    f["extra"] = Value("string")
    f["start"] = Value("string")
    f["evidence"] = {**f["evidence"], "marker": {k: v for k, v in f["evidence"]["marker"].items() if k != "repaired"}}
    f["corrections"] = List({"field": Value("string"), "raw": Value("string"), "reason": Value("int64")})
    problems = compare(schema, Features(f))
    assert "footnote: in the schema, not in the features" in problems
    assert "extra: in the features, not in the schema" in problems
    assert any(p.startswith("start: schema needs Value('int64')") for p in problems)
    assert "evidence.marker.repaired: in the schema, not in the features" in problems
    assert any(p.startswith("corrections[].reason: schema needs Value('string')") for p in problems)
    assert len(problems) == 5


def test_footnote_is_nullable_int64_and_nested_values_are_structs() -> None:
    q = FEATURES["quotations"]
    assert q["footnote"] == Value("int64") and q["kind"] == Value("string")
    assert set(q["evidence"]) == {"speaker", "cue", "recipient", "marker"}
    assert isinstance(q["corrections"], List) and isinstance(q["corrections"].feature, dict)
    assert set(q["selectors"]["quote"]) == {"type", "exact", "prefix", "suffix"}


# -- Parquet -------------------------------------------------------------------------------

@pytest.mark.parametrize("config", CONFIGS)
def test_parquet_equals_json_lines(tiny: Path, config: str) -> None:
    rows = read_jsonl(tiny / f"data/{config}.jsonl")
    table = pq.read_table(tiny / parquet_path(config))
    assert table.schema.remove_metadata() == FEATURES[config].arrow_schema.remove_metadata()
    assert table.to_pylist() == rows
    assert len(rows) > 0


def test_parquet_carries_the_features_for_datasets(tiny: Path) -> None:
    meta = pq.read_schema(tiny / parquet_path("quotations")).metadata[b"huggingface"]
    assert Features.from_dict(json.loads(meta)["info"]["features"]) == FEATURES["quotations"]


def test_empty_table_is_written_without_row_groups(tiny: Path) -> None:
    write_jsonl(tiny / "data/entities.jsonl", [])
    write_hub_files(tiny)
    meta = pq.read_metadata(tiny / parquet_path("entities"))
    assert (meta.num_rows, meta.num_row_groups) == (0, 0)
    assert pq.read_schema(tiny / parquet_path("entities")).remove_metadata() == \
        FEATURES["entities"].arrow_schema.remove_metadata()


# -- determinism ---------------------------------------------------------------------------

def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_hub_files_are_byte_identical_when_rewritten(tiny: Path) -> None:
    before = _snapshot(tiny)
    write_hub_files(tiny)
    assert _snapshot(tiny) == before
    assert stale_files(tiny) == []


def test_build_twice_gives_byte_identical_files(tmp_path: Path) -> None:
    from quoteprov.build_cmd import build

    folder = tmp_path / "ds"
    shutil.copytree(TINY / "sources", folder / "sources")
    first = build(folder)
    wrote = {Path(f).name for f in first.files}
    assert {"quotations.parquet", "sources.parquet", "entities.parquet", CARD, DATAPACKAGE} <= wrote
    snap = _snapshot(folder)
    build(folder)
    assert _snapshot(folder) == snap
    assert stale_files(folder) == []


def test_stale_files_names_what_no_longer_matches(tiny: Path) -> None:
    rows = read_jsonl(tiny / "data/quotations.jsonl")
    write_jsonl(tiny / "data/quotations.jsonl", [{**rows[0], "speaker": "Someone Else"}, *rows[1:]])
    assert stale_files(tiny) == [parquet_path("quotations"), CARD, DATAPACKAGE]
    (tiny / parquet_path("sources")).unlink()
    assert parquet_path("sources") in stale_files(tiny)


# -- card ----------------------------------------------------------------------------------

def test_card_metadata_passes_dataset_card_data(tiny: Path) -> None:
    card = DatasetCard((tiny / CARD).read_text(encoding="utf-8"), ignore_metadata_errors=False)
    assert isinstance(card.data, DatasetCardData)
    assert card_problems(tiny) == []
    data = card.data.to_dict()
    assert data["license"] == "other" and data["license_name"] and data["license_link"]
    assert "not licensed" in data["license_details"]
    assert data["size_categories"] == ["n<1K"] and data["language"] == ["en"]
    assert data["version"] == __version__


def test_card_configs_point_at_the_parquet_files(tiny: Path) -> None:
    h = _header(tiny)
    configs = {c["config_name"]: c for c in h["configs"]}
    assert list(configs) == list(CONFIGS)
    assert configs["quotations"].get("default") is True
    assert not any(c.get("default") for n, c in configs.items() if n != "quotations")
    for name, c in configs.items():
        assert c["data_files"] == [{"split": "train", "path": parquet_path(name)}]
        assert (tiny / parquet_path(name)).is_file()
    info = {i["config_name"]: i for i in h["dataset_info"]}
    assert info["quotations"]["splits"][0]["num_examples"] == 6
    assert info["entities"]["splits"][0]["num_examples"] == 5
    footnote = next(f for f in info["quotations"]["features"] if f["name"] == "footnote")
    assert footnote == {"name": "footnote", "dtype": "int64"}
    evidence = next(f for f in info["quotations"]["features"] if f["name"] == "evidence")
    assert [f["name"] for f in evidence["struct"]] == ["speaker", "cue", "recipient", "marker"]


def test_card_body_reports_counts_from_the_data(tiny: Path) -> None:
    text = (tiny / CARD).read_text(encoding="utf-8")
    assert "## Records: 6 quoted spans" in text
    assert "| `quotation` | 3 |" in text and "| `term` | 2 |" in text and "| `title` | 1 |" in text
    assert "Reviewed corrections applied: **1**, on 1 record (speaker 1)" in text
    assert "1 record is nested inside another quoted span; 0 records have no closing" in text
    assert "the printed number is a misprint: 2 (" in text
    assert "Test Author. 2026. “A Made-Up Paragraph about the Workers' Opposition.”" in text
    assert "| `evidence.marker.printed` | int64 | no |" in text
    assert "| `footnote` | int64 | yes |" in text
    assert "@misc{quoteprov_tiny_1921_" in text and f"version      = {{{__version__}}}" in text
    assert "are **not** licensed by this project" in text


def test_confidence_is_a_float64_pair_documented_in_the_card(tiny: Path) -> None:
    q = FEATURES["quotations"]
    assert q["confidence"] == {"speaker": Value("float64"), "recipient": Value("float64")}
    text = (tiny / CARD).read_text(encoding="utf-8")
    assert "| `confidence` | struct | no |" in text
    assert "| `confidence.speaker` | float64 | yes | probability that speaker is right" in text
    assert "| `confidence.recipient` | float64 | yes |" in text
    rows = read_jsonl(tiny / "data/quotations.jsonl")
    for role in ("speaker", "recipient"):
        given = [r for r in rows if r[role] is not None]
        rated = [r["confidence"][role] for r in given if r["confidence"][role] is not None]
        low = sum(p < 0.5 for p in rated)
        assert f"{role} {len(rated)} of {len(given)} ({low} below 0.5" in text
    table = pq.read_table(tiny / parquet_path("quotations"))
    assert table.column("confidence").to_pylist() == [r["confidence"] for r in rows]
    package = json.loads((tiny / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["confidence"]["type"] == "object" and fields["confidence"]["constraints"] == {"required": True}


def test_card_problems_finds_a_broken_header(tiny: Path) -> None:
    text = (tiny / CARD).read_text(encoding="utf-8")
    broken = text.replace("- n<1K", "- tiny").replace("- token-classification", "- quotation-mining")
    (tiny / CARD).write_text(broken, encoding="utf-8")
    (tiny / parquet_path("sources")).unlink()
    problems = card_problems(tiny)
    assert "size_categories: unknown value 'tiny'" in problems
    assert "task_categories: unknown value 'quotation-mining'" in problems
    assert "configs.sources.data_files: data/sources.parquet does not exist" in problems


def test_card_problems_finds_features_that_differ(tiny: Path) -> None:
    text = (tiny / CARD).read_text(encoding="utf-8")
    (tiny / CARD).write_text(text.replace("  - name: footnote\n    dtype: int64", "  - name: footnote\n    dtype: float64"),
                             encoding="utf-8")
    assert card_problems(tiny) == ["dataset_info.quotations.features: differ from quoteprov.features.FEATURES['quotations']"]


def test_card_problems_on_unparsable_yaml(tiny: Path) -> None:
    (tiny / CARD).write_text("---\npretty_name: [unclosed\n---\n# x\n", encoding="utf-8")
    [problem] = card_problems(tiny)
    assert problem.startswith("metadata does not parse")


@pytest.mark.parametrize("n,label", [(0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"), (250_000, "100K<n<1M")])
def test_size_category(n: int, label: str) -> None:
    assert size_category(n) == label


def test_read_tables_names_the_missing_file(tmp_path: Path) -> None:
    from quoteprov.errors import QuoteprovError

    with pytest.raises(QuoteprovError, match="quotations.jsonl: no such file"):
        read_tables(tmp_path)


# -- datapackage.json ----------------------------------------------------------------------

def test_datapackage_validates_with_frictionless(tiny: Path) -> None:
    report = frictionless.validate(str(tiny / DATAPACKAGE))
    assert report.valid, report.flatten(["type", "note"])
    pkg = json.loads((tiny / DATAPACKAGE).read_text(encoding="utf-8"))
    assert [r["name"] for r in pkg["resources"]] == list(CONFIGS)
    assert pkg["version"] == __version__
    assert pkg["licenses"][0]["name"] == "CC-BY-4.0"
    assert pkg["sources"][0]["path"] == "sources/tiny-1921.txt"
    fields = {f["name"]: f for f in pkg["resources"][0]["schema"]["fields"]}
    assert set(fields) == set(load_schema("quotations")["properties"])
    assert fields["kind"]["constraints"]["enum"] == ["quotation", "term", "title"]
    assert "required" not in fields["footnote"].get("constraints", {})


def test_frictionless_catches_bad_values_and_changed_files(tiny: Path) -> None:
    rows = read_jsonl(tiny / "data/quotations.jsonl")
    write_jsonl(tiny / "data/quotations.jsonl", [{**rows[0], "kind": "rumour"}, *rows[1:]])
    # the old descriptor: the file's hash no longer matches
    report = frictionless.validate(str(tiny / DATAPACKAGE))
    assert not report.valid and "hash-count" in {e[0] for e in report.flatten(["type"])}
    # a descriptor written for the new file: the enum constraint fails
    write_hub_files(tiny)
    report = frictionless.validate(str(tiny / DATAPACKAGE))
    assert not report.valid and "constraint-error" in {e[0] for e in report.flatten(["type"])}


def test_empty_table_is_left_out_of_the_datapackage(tiny: Path) -> None:
    write_jsonl(tiny / "data/entities.jsonl", [])
    write_hub_files(tiny)
    pkg = json.loads((tiny / DATAPACKAGE).read_text(encoding="utf-8"))
    assert [r["name"] for r in pkg["resources"]] == [c for c in CONFIGS if c != "entities"]
    assert "data/entities.jsonl is empty" in pkg["description"]
    assert frictionless.validate(str(tiny / DATAPACKAGE)).valid


def test_real_dataset_gives_a_clean_card(tmp_path: Path) -> None:
    """The project's own records (whatever the extractor gives today) make a valid card."""
    folder = tmp_path / "real"
    shutil.copytree(REAL / "sources", folder / "sources")
    shutil.copytree(REAL / "data", folder / "data", ignore=shutil.ignore_patterns("*.parquet"))
    files = hub_files(folder)
    assert set(files) == {parquet_path(c) for c in CONFIGS} | {CARD, DATAPACKAGE}
    write_hub_files(folder)
    assert card_problems(folder) == []


def test_citation_cff_follows_the_project_version() -> None:
    cff = yaml.safe_load((REAL.parent / "CITATION.cff").read_text(encoding="utf-8"))
    assert {"cff-version", "message", "title", "authors", "version", "license"} <= set(cff)
    assert cff["version"] == __version__
    assert cff["type"] == "dataset" and cff["license"] == "CC-BY-4.0"
