"""The JSON Schemas of the dataset files, loaded once, and a check that explains failures."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

# quoteprov/schema is a link to the top-level schema/ folder, so that an installed package (a wheel,
# the pre-commit hook's environment) carries the same files
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SCHEMAS = {"quotations": "quotation.schema.json", "sources": "source.schema.json",
           "entities": "entity.schema.json", "notes": "note.schema.json",
           # the files a contributor writes, checked by build and validate alike (inputs.py)
           "manifest": "manifest.schema.json", "registry": "registry.schema.json",
           "corrections": "correction.schema.json"}


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """The schema for `quotations`, `sources` or `entities`."""
    return json.loads((SCHEMA_DIR / SCHEMAS[name]).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def describe(error: Any) -> str:
    """`path: message` for one jsonschema error, the path written as in the instance
    (`evidence.marker.number`), so a contributor can find the value."""
    path = ".".join(str(p) for p in error.absolute_path) or "(record)"
    return f"{path}: {error.message}"


def schema_errors(name: str, instance: Any) -> list[str]:
    """Every schema error of one instance, in a stable order."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [describe(e) for e in errors]
