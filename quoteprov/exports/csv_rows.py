"""CSV for spreadsheets: one row per record, nested fields flattened (`evidence.speaker.start`),
lists as JSON text (`corrections`)."""
from __future__ import annotations

import csv
import io
import json
from typing import Any


def flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        elif isinstance(v, list):
            out[key] = json.dumps(v, ensure_ascii=False)
        else:
            out[key] = v
    return out


def columns(rows: list[dict[str, Any]]) -> list[str]:
    """Every flattened column, in first-seen order (a null evidence span still has columns,
    taken from the schema's shape in another row)."""
    seen: dict[str, None] = {}
    for r in rows:
        for k in flatten(r):
            seen.setdefault(k, None)
    # a null nested value (no speaker evidence) shows as empty cells under the nested columns
    return [c for c in seen if not any(o.startswith(c + ".") for o in seen)]


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    cols = columns(rows)
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        flat = flatten(r)
        w.writerow({c: ("" if flat.get(c) is None else flat[c]) for c in cols})
    # (a row's null parent such as `evidence.speaker` is not a column; its children are empty)
    return buf.getvalue()
