"""Records in flight (frozen dataclasses), stable ids, ordering and JSON-ready dicts.

A `Record` carries the ten common fields of the annotation guide plus what lets a reader check
them: evidence spans, the rule (`method`) and the basis (`explicit`, `resolved`, `inferred`) of
each value, the confidence of its speaker and recipient, W3C Web Annotation selectors, and the
corrections applied to it.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

from .speedups import ascii_words

KINDS = ("quotation", "term", "title")
# the ten common fields of the guide, in the order records are written
COMMON_FIELDS = ("id", "source_id", "text", "start", "end", "paragraph", "kind",
                 "nested_in", "speaker", "recipient", "footnote")
SELECTOR_CONTEXT = 32  # characters of prefix/suffix in the TextQuoteSelector
CONFIDENT = ("speaker", "recipient")  # the values that carry a confidence
CONFIDENCE_DIGITS = 3  # a probability is written with at most this many decimals (byte-stable)
LOW_CONFIDENCE = 0.5  # below this a value is more likely wrong than right: shown as uncertain


@dataclass(frozen=True)
class Span:
    """A stretch of the source that justifies a value: `source[start:end] == text`."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class MarkerSpan:
    """A footnote marker as printed, and the number it stands for."""

    start: int
    end: int
    text: str  # as printed, e.g. "(81)", "group.70" -> ".70"
    printed: int  # the number printed
    number: int  # the number the sequence requires (== printed unless repaired)

    @property
    def repaired(self) -> bool:
        return self.printed != self.number

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text,
                "printed": self.printed, "number": self.number, "repaired": self.repaired}


@dataclass(frozen=True)
class Attribution:
    """One attributed value with its evidence, the rule that found it and its basis."""

    value: Any = None
    method: str | None = None
    basis: str | None = None  # explicit | resolved | inferred (a guess) | None when no value
    # the probability that `value` is right (the attribution model's, calibrated); None when
    # nothing estimated it (a rule without a model) or when there is no value
    confidence: float | None = None


@dataclass(frozen=True)
class Correction:
    field: str
    raw: Any  # the extractor's value before the correction
    reason: str


@dataclass(frozen=True)
class Record:
    id: str
    source_id: str
    text: str
    start: int
    end: int
    paragraph: int
    kind: str
    nested_in: str | None = None
    speaker: str | None = None
    recipient: str | None = None
    footnote: int | None = None
    unclosed: bool = False
    speaker_span: Span | None = None
    cue_span: Span | None = None
    recipient_span: Span | None = None
    marker: MarkerSpan | None = None
    method: dict[str, str | None] = field(default_factory=dict)
    basis: dict[str, str | None] = field(default_factory=dict)
    confidence: dict[str, float | None] = field(default_factory=dict)  # keys: CONFIDENT
    prefix: str = ""
    suffix: str = ""
    corrections: tuple[Correction, ...] = ()

    def with_(self, **changes: Any) -> "Record":
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready record (field order fixed, so output is byte-stable)."""
        d: dict[str, Any] = {k: getattr(self, k) for k in COMMON_FIELDS}
        d["unclosed"] = self.unclosed
        d["evidence"] = {
            "speaker": self.speaker_span.to_dict() if self.speaker_span else None,
            "cue": self.cue_span.to_dict() if self.cue_span else None,
            "recipient": self.recipient_span.to_dict() if self.recipient_span else None,
            "marker": self.marker.to_dict() if self.marker else None,
        }
        d["method"] = {k: self.method.get(k) for k in ("span", "kind", "speaker", "recipient", "footnote")}
        d["basis"] = {k: self.basis.get(k) for k in ("speaker", "recipient", "footnote")}
        # no value, no confidence: the probability is that of a value being right
        d["confidence"] = {k: None if getattr(self, k) is None else round_confidence(self.confidence.get(k))
                           for k in CONFIDENT}
        d["selectors"] = {
            "quote": {"type": "TextQuoteSelector", "exact": self.text,
                      "prefix": self.prefix, "suffix": self.suffix},
            "position": {"type": "TextPositionSelector", "start": self.start, "end": self.end},
        }
        d["corrections"] = [{"field": c.field, "raw": _raw(c.raw), "reason": c.reason}
                            for c in self.corrections]
        return d


def round_confidence(p: Any) -> float | None:
    """A probability as written: a plain float (a model may give a NumPy scalar) with at most
    CONFIDENCE_DIGITS decimals, so that a rebuild writes the same bytes; None stays None. Not
    clamped: a value outside [0, 1] is a bug the schema check of the build reports. NaN, which
    that check cannot see (it compares false with both bounds) and JSON cannot hold, is refused
    here, before anything is written."""
    if p is None:
        return None
    p = float(p)
    if p != p:
        raise ValueError("a confidence is NaN: the attribution model gave no probability")
    return round(p, CONFIDENCE_DIGITS)


def _raw(value: Any) -> str | None:
    # one string type for the corrected value keeps the Parquet/Arrow column uniform
    return None if value is None else str(value)


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
                         "\u00ab": '"', "\u00bb": '"'})


def normalize_words(text: str) -> str:
    """The quoted words as the stable id sees them: NFC, lower case, one space, no edge punctuation."""
    if not text.isascii():  # ASCII is already NFC and has no typographic quotes
        text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    # split/join collapses the same runs as re.sub(r"\s+", " ") (both go by str.isspace) and
    # drops the edge spaces the strip would remove anyway; four times faster than the regex
    return " ".join(text.lower().split()).strip(" \"'.,;:!?()[]-")


def words_digest(text: str) -> str:
    """The middle part of a stable id: 10 hex digits of the SHA-1 of the normalised words."""
    words = ascii_words(text)  # the C twin of normalize_words for ASCII text (validate runs this per record)
    if words is None:
        words = normalize_words(text).encode("utf-8")
    return hashlib.sha1(words).hexdigest()[:10]


def make_id(source_id: str, text: str, occurrence: int) -> str:
    """Stable id: the source, a digest of the normalised quoted words, and their occurrence number
    (1 for the first time these words are quoted in the source), so that an edit elsewhere in
    the source leaves the id unchanged."""
    return f"{source_id}:{words_digest(text)}:{occurrence}"


def assign_ids(source_id: str, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """Ids for spans given in document order (start, end, text)."""
    seen: dict[str, int] = {}
    out = []
    for _, _, text in spans:
        key = normalize_words(text)
        seen[key] = seen.get(key, 0) + 1
        out.append(make_id(source_id, text, seen[key]))
    return out


def sort_key(d: dict[str, Any] | Record) -> tuple[str, int, int]:
    """Records are ordered by source, then start, then *longer first*, so an enclosing quotation
    comes before the quotations nested in it."""
    get: Callable[[str], Any] = d.get if isinstance(d, dict) else lambda k: getattr(d, k)
    return (get("source_id"), get("start"), -get("end"))


def selector_context(text: str, start: int, end: int, width: int = SELECTOR_CONTEXT) -> tuple[str, str]:
    """Prefix and suffix for a TextQuoteSelector."""
    return text[max(0, start - width):start], text[end:end + width]
