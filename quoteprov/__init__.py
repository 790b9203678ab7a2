"""quoteprov: quotation and claim-provenance datasets from historical and scholarly prose.

Every command of the `quoteprov` CLI is also a function here of the same name:
`extract`, `build`, `add`, `score`, `validate`, `diff`, `load`, `to_pandas`, `publish`, `report`,
`export`, `release`.
They are imported lazily so that `import quoteprov` stays cheap (spaCy loads only on use).
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "extract": "quoteprov.pipeline",
    "build": "quoteprov.build_cmd",
    "add": "quoteprov.importer",
    "prepare": "quoteprov.importer",
    "score": "quoteprov.evaluate",
    "score_files": "quoteprov.evaluate",
    "read_source": "quoteprov.source",
    "make_source": "quoteprov.source",
    "validate": "quoteprov.validation",
    "diff": "quoteprov.versions",
    "load": "quoteprov.hub",
    "to_pandas": "quoteprov.hub",
    "publish": "quoteprov.hub",
    "report": "quoteprov.reporting",
    "release": "quoteprov.release",
    "refresh": "quoteprov.refresh",
    "export": "quoteprov.exports",
    "QuoteprovError": "quoteprov.errors",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'quoteprov' has no attribute {name!r}")
