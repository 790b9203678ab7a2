"""`quoteprov score`: measure records against a hand-made gold file.

Gold rows: paragraph, start, end, text, and lists of acceptable values for kind, speaker,
recipient and footnote (null allowed); `optional: true` marks a row the guide arguably does not
require (it counts only when found). The metrics are those of the project's evaluation script:
span precision/recall/F1 (a match is an overlap of 0.8 or the same words in the same
paragraph), kind/speaker/recipient/footnote accuracy over matched spans (speaker and recipient
over quotations only), exact records, and the recall/precision of non-null recipient and
footnote values.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from .source import read_text

_EDGE = " \t\n\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e,.;:!?()"


def norm_text(s: str | None) -> str:
    s = (s or "").replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", s).strip(_EDGE)


def norm_name(s: Any) -> str | None:
    if s is None:
        return None
    if isinstance(s, dict):
        s = s.get("name") or s.get("canonical") or s.get("id")
    s = unicodedata.normalize("NFKD", str(s))
    s = "".join(c for c in s if not unicodedata.combining(c)).replace("\u2019", "'").lower()
    s = re.sub(r"\s+", " ", re.sub(r"[^\w' ]+", " ", s)).strip()
    s = re.sub(r"^(the) ", "", s)
    return s or None


def name_ok(pred: Any, acceptable: list[Any]) -> bool:
    """Same name after normalisation, or the same surname (last token of 4+ letters, names of at
    most 4 tokens): `Ruth Fischer` matches `Fischer`."""
    p = norm_name(pred)
    for a in acceptable:
        na = norm_name(a)
        if p is None or na is None:
            if p is None and na is None:
                return True
            continue
        if p == na:
            return True
        pt, at = p.split(), na.split()
        if pt[-1] == at[-1] and len(at[-1]) >= 4 and len(at) <= 4 and len(pt) <= 4:
            return True
    return False


def footnote_ok(pred: Any, acceptable: list[Any]) -> bool:
    if isinstance(pred, dict):
        pred = pred.get("number")
    try:
        pred = None if pred in (None, "") else int(pred)
    except (TypeError, ValueError):
        return False
    return pred in acceptable


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _match(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching in gold order, best overlap first."""
    used: set[int] = set()
    matches = []
    for gi, g in enumerate(gold):
        best, best_j = 0.0, None
        gt = norm_text(g["text"])
        for pj, p in enumerate(pred):
            if pj in used:
                continue
            try:
                ov = _overlap((g["start"], g["end"]), (int(p["start"]), int(p["end"])))
            except (KeyError, TypeError, ValueError):
                ov = 0.0
            if gt and norm_text(p.get("text")) == gt and p.get("paragraph") in (None, g["paragraph"]):
                ov = max(ov, 0.9)
            if ov > best:
                best, best_j = ov, pj
        if best_j is not None and best >= 0.8:
            used.add(best_j)
            matches.append((gi, best_j))
    return matches


def _plain(value: Any, field: str) -> Any:
    if isinstance(value, dict):
        return value.get("number") if field == "footnote" else value.get("name")
    return value


def score(gold: list[dict[str, Any]], pred: list[dict[str, Any]], source: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(metrics, errors) of predicted records against gold rows."""
    matches = _match(gold, pred)
    matched_g = {gi for gi, _ in matches}
    keep = [gi for gi, g in enumerate(gold) if gi in matched_g or not g.get("optional")]
    remap = {gi: i for i, gi in enumerate(keep)}
    gold = [gold[gi] for gi in keep]
    matches = [(remap[gi], pj) for gi, pj in matches]
    matched_g = {gi for gi, _ in matches}
    m = len(matches)
    res: dict[str, Any] = {"gold": len(gold), "pred": len(pred), "matched": m}
    pr = m / len(pred) if pred else 0.0
    rc = m / len(gold) if gold else 0.0
    res.update(span_precision=pr, span_recall=rc, span_f1=2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    errors: list[dict[str, Any]] = []
    ok = {"kind": 0, "speaker": 0, "recipient": 0, "footnote": 0}
    n_quotations = exact = 0
    nonnull = {f: [0, 0, 0, 0] for f in ("recipient", "footnote")}  # gold_nn, hit, pred_nn, pred_ok
    for gi, pj in matches:
        g, p = gold[gi], pred[pj]
        is_q = g["kind"][0] == "quotation"
        good = {"kind": p.get("kind") in g["kind"],
                "footnote": footnote_ok(p.get("footnote"), g["footnote"]),
                "speaker": name_ok(p.get("speaker"), g["speaker"]) if is_q else True,
                "recipient": name_ok(p.get("recipient"), g["recipient"]) if is_q else True}
        for f in ("recipient", "footnote"):
            if f == "recipient" and not is_q:
                continue
            pv = _plain(p.get(f), f)
            c = nonnull[f]
            if g[f][0] is not None:
                c[0] += 1
                c[1] += bool(good[f] and pv not in (None, ""))
            if pv not in (None, ""):
                c[2] += 1
                c[3] += bool(good[f])
        ok["kind"] += good["kind"]
        ok["footnote"] += good["footnote"]
        if is_q:
            n_quotations += 1
            ok["speaker"] += good["speaker"]
            ok["recipient"] += good["recipient"]
        if all(good.values()):
            exact += 1
        else:
            errors.append({"text": g["text"][:70], "paragraph": g["paragraph"],
                           **{f: None if good[f] else (p.get(f), g[f]) for f in ("kind", "speaker", "recipient", "footnote")}})
    errors += [{"missed": g["text"][:70], "paragraph": g["paragraph"]} for gi, g in enumerate(gold) if gi not in matched_g]
    matched_p = {pj for _, pj in matches}
    errors += [{"spurious": str(p.get("text"))[:70], "paragraph": p.get("paragraph")}
               for pj, p in enumerate(pred) if pj not in matched_p]
    res["kind_acc"] = ok["kind"] / m if m else 0.0
    res["speaker_acc"] = ok["speaker"] / n_quotations if n_quotations else 0.0
    res["recipient_acc"] = ok["recipient"] / n_quotations if n_quotations else 0.0
    res["footnote_acc"] = ok["footnote"] / m if m else 0.0
    res["record_acc"] = exact / len(gold) if gold else 0.0
    for f, (g_nn, hit, p_nn, p_ok) in nonnull.items():
        res[f"{f}_recall"] = hit / g_nn if g_nn else 1.0
        res[f"{f}_precision"] = p_ok / p_nn if p_nn else (1.0 if not g_nn else 0.0)
    if source is not None:
        res["offset_errors"] = sum(1 for p in pred if source[int(p.get("start", 0)):int(p.get("end", 0))] != p.get("text"))
    return res, errors


def score_files(gold: str | Path, records: str | Path, source: str | Path | None = None,
                source_id: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`score` over files; with `source_id` only that source's records are scored."""
    gold_rows = _read_rows(gold, {"text": str, "start": int, "end": int, "paragraph": int, "kind": list,
                                  "speaker": list, "recipient": list, "footnote": list})
    pred = _read_rows(records, {"start": int, "end": int})
    if source_id:
        pred = [p for p in pred if p.get("source_id") == source_id]
    text = read_text(source) if source else None
    return score(gold_rows, pred, text)


def _read_rows(path: str | Path, required: dict[str, type]) -> list[dict[str, Any]]:
    """The rows of a gold or records file, each a JSON object with the fields scoring reads;
    anything else is a `QuoteprovError` naming the line (exit 2, no traceback)."""
    from .errors import QuoteprovError

    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise QuoteprovError(f"{path}:{n}: not a JSON Lines file of records ({exc})") from None
                if not isinstance(row, dict):
                    raise QuoteprovError(f"{path}:{n}: expected a JSON object")
                for key, kind in required.items():
                    if not isinstance(row.get(key), kind) or isinstance(row.get(key), bool):
                        raise QuoteprovError(f"{path}:{n}: expected {key!r} ({kind.__name__}) in every row")
                rows.append(row)
    except UnicodeDecodeError as exc:
        raise QuoteprovError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return rows
