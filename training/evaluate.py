"""Attribution accuracy of records against a `Text`'s gold quotes (PDNC and genre alike).

A gold quote is matched to the record whose span overlaps its first span most (PDNC splits a
quotation interrupted by "said he" into pieces; the first piece carries the attribution).
Names match as the project's scorer matches them (`quoteprov.evaluate.name_ok`), against every
alias PDNC lists for the character.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from typing import Any, Iterable

from quoteprov.evaluate import name_ok

from .corpora import GoldQuote, Text


def match(text: Text, records: list[dict[str, Any]]) -> list[tuple[GoldQuote, dict[str, Any] | None]]:
    recs = sorted((r for r in records if r.get("nested_in") is None), key=lambda r: r["start"])
    starts = [r["start"] for r in recs]
    out = []
    for q in text.quotes:
        a, b = q.spans[0]
        best, best_ov = None, 0
        k = max(0, bisect_left(starts, a) - 3)
        while k < len(recs) and recs[k]["start"] < b:
            r = recs[k]
            ov = min(b, r["end"]) - max(a, r["start"])
            if ov > best_ov:
                best, best_ov = r, ov
            k += 1
        out.append((q, best))
    return out


@lru_cache(maxsize=None)
def _ok(pred: str | None, acceptable: tuple[str | None, ...]) -> bool:
    return name_ok(pred, list(acceptable))


def speaker_ok(q: GoldQuote, pred: str | None) -> bool:
    if q.aliases:
        return pred is not None and any(_ok(pred, al) for al in q.aliases)
    return _ok(pred, q.speakers)


def recipient_ok(q: GoldQuote, pred: str | None) -> bool:
    if q.recipient_aliases:
        return pred is not None and any(_ok(pred, al) for al in q.recipient_aliases)
    return _ok(pred, q.recipients)


def scores(pairs: Iterable[tuple[GoldQuote, dict[str, Any] | None]], field_key: str = "speaker") -> dict[str, Any]:
    """speaker accuracy (by PDNC quote type), recipient accuracy, recall and precision."""
    c: Counter[str] = Counter()
    for q, r in pairs:
        if q.qtype == "optional" or q.kind[0] != "quotation":
            continue
        sp = r.get("speaker") if r else None
        rc = r.get("recipient") if r else None
        ok = speaker_ok(q, sp)
        c["n"] += 1
        c["found"] += r is not None
        c["speaker_ok"] += ok
        if q.qtype:
            c[f"n_{q.qtype}"] += 1
            c[f"ok_{q.qtype}"] += ok
        gold_has_rec = any(x is not None for x in q.recipients[:1])
        rok = recipient_ok(q, rc)
        c["recipient_ok"] += rok
        if gold_has_rec:
            c["rec_gold"] += 1
            c["rec_hit"] += rc is not None and rok
        if rc is not None:
            c["rec_pred"] += 1
            c["rec_pred_ok"] += rok
    n = c["n"] or 1
    out: dict[str, Any] = {"quotes": c["n"], "matched": round(c["found"] / n, 3),
                           "speaker": round(c["speaker_ok"] / n, 3),
                           "recipient": round(c["recipient_ok"] / n, 3),
                           "recipient_recall": round(c["rec_hit"] / c["rec_gold"], 3) if c["rec_gold"] else None,
                           "recipient_precision": round(c["rec_pred_ok"] / c["rec_pred"], 3) if c["rec_pred"] else None}
    for t in ("Explicit", "Anaphoric", "Implicit"):
        if c[f"n_{t}"]:
            out[f"speaker_{t.lower()}"] = round(c[f"ok_{t}"] / c[f"n_{t}"], 3)
    return out
