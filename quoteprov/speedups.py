"""The fast lane's byte-level helpers: the C module `_speedups` when it was compiled at install
time, else these pure-Python twins, which define what the C code must return (the tests run
both on the same inputs). The ranker's tree walk `tree_raw` (None when not compiled) has its
twin beside the trees it walks, `attribution.model.py_tree_raw` (it needs numpy)."""
from __future__ import annotations

import re

_ESCAPE = re.compile(rb"\\(.)", re.S)  # a JSON escape: backslash pairs are consumed left to right


def py_delimiters(data: bytes) -> int:
    """The `"` bytes of a JSON text that are not escaped (that open or close a string)."""
    quotes = data.count(b'"')
    if b"\\" in data:  # (`in` with one byte is a memchr; the escapes are rare)
        quotes -= _ESCAPE.findall(data).count(b'"')
    return quotes


def py_ascii_words(text: str) -> bytes | None:
    """No shortcut: `records.words_digest` then normalises the words itself (the C version
    returns `normalize_words(text).encode()` for an ASCII text)."""
    return None


try:
    from . import _speedups
    from ._speedups import ascii_words, delimiters
    from ._speedups import clean as c_clean  # validate.clean's twin, used by check_lines
    # looked up alone: a module compiled before the ranker's walk was added (an install not redone
    # since) keeps the validator's helpers and the ranker falls back to numpy
    tree_raw = getattr(_speedups, "tree_raw", None)
except ImportError:  # pragma: no cover - no C compiler where quoteprov was installed
    ascii_words = py_ascii_words
    c_clean = None
    delimiters = py_delimiters
    tree_raw = None

COMPILED = delimiters is not py_delimiters
