"""The catalogue of rules (`quoteprov/methods.py`) against the README, the published data and the
code that produces `method` values."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from quoteprov.build_cmd import DEFAULT_DATASET
from quoteprov.methods import BY_NAME, FIELDS, METHODS, README_END, README_START, markdown_table, readme_with_table

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "quoteprov"
# the modules that write `method` values (the rules, the ranker, spans, footnotes, corrections)
PRODUCERS = sorted({*(PACKAGE / "attribution").glob("*.py"), PACKAGE / "discourse.py", PACKAGE / "spans.py",
                    PACKAGE / "pipeline.py", PACKAGE / "markers.py", PACKAGE / "corrections.py"})
KEBAB = re.compile(r"^[a-z]+(?:-[a-z]+)+$")  # every rule name but `correction` has this shape
# kebab-case literals of those modules that are not `method` values (each with what it is)
NOT_METHODS = {
    "rules-first",  # attribution/decide.py: the name of the ranker's policy, stored in the model file
}


def _literals(path: Path) -> set[str]:
    """The string constants of a module that look like rule names (docstrings are sentences)."""
    return {n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and KEBAB.match(n.value)}


def test_catalogue_is_well_formed():
    assert len(BY_NAME) == len(METHODS), "a method is defined twice"
    for m in METHODS:
        assert m.fields and set(m.fields) <= set(FIELDS), m
        assert m.description and "\n" not in m.description and len(m.description) < 120, m
        for module in m.module.split(", "):
            assert (PACKAGE / module).is_file(), (m.name, module)


def test_readme_table_is_generated_from_the_catalogue():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count(README_START) == 1 and text.count(README_END) == 1
    assert readme_with_table(text) == text, "run `python -m quoteprov.methods README.md`"
    block = text.split(README_START, 1)[1].split(README_END, 1)[0]
    assert block.strip("\n") + "\n" == markdown_table()
    assert all(f"| `{m.name}` |" in block for m in METHODS)


def test_every_method_in_the_published_data_is_catalogued_for_its_field():
    seen: set[tuple[str, str]] = set()
    with open(DEFAULT_DATASET / "data" / "quotations.jsonl", encoding="utf-8") as f:
        for line in f:
            for fld, value in json.loads(line)["method"].items():
                if value is not None:
                    seen.add((fld, value))
    assert seen, "no method values in the data"
    missing = sorted((fld, v) for fld, v in seen if v not in BY_NAME or fld not in BY_NAME[v].fields)
    assert missing == [], f"method values the catalogue lacks (field, value): {missing}"


def test_every_rule_name_in_the_code_is_catalogued():
    found = {name: path.relative_to(PACKAGE) for path in PRODUCERS for name in _literals(path)}
    missing = sorted(f"{name} ({where})" for name, where in found.items() if name not in BY_NAME | dict.fromkeys(NOT_METHODS))
    assert missing == [], f"add these to quoteprov/methods.py (or to NOT_METHODS here if they are not methods): {missing}"


def test_every_catalogued_method_is_produced_by_the_code():
    # a literal in a producing module, or a name the code composes: `<speaker rule>-label`, and
    # `ranked-<origin>` for the ranker's candidate origins (attribution/features.py)
    literals = set().union(*(_literals(p) for p in PRODUCERS)) | {"correction"}
    origins = {n.value for n in ast.walk(ast.parse((PACKAGE / "attribution" / "features.py").read_text()))
               if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    corrections = (PACKAGE / "corrections.py").read_text()
    assert '"correction"' in corrections
    for m in METHODS:
        if m.name.endswith("-label"):
            base = m.name.removesuffix("-label")
            assert base in literals and "speaker" in BY_NAME[base].fields, m.name
        elif m.name.startswith("ranked-"):
            assert m.name.removeprefix("ranked-") in origins, m.name
        else:
            assert m.name in literals, f"{m.name}: no module writes it; remove it from the catalogue"
