"""A batch of record lines (in a worker, or in-process for small files and pipes): the fast
lane first, the careful path for any line it does not clear."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Callable, Iterable

from ..corrections import CORRECTABLE
from ..jsonl import BOM, MAX_LINE, key_column, parse_line
from ..schema import load_schema
from ..speedups import c_clean
from .context import Context
from .lane import STRUCT_ERRORS, clean, id_key, lane_pair, may_hide_duplicates, struct_decoder
from .messages import Rejected, fast_decoder, fast_valid, schema_problems
from .problems import ERROR
from .record import check_provenance


@dataclass
class ChunkResult:
    """What a batch of lines yields: its problems (line numbers relative to the batch), a
    compact summary of each record for the in-order checks, and the records corrections aim at."""

    lines: int = 0
    records: int = 0
    problems: list[tuple[int, int, str, str, str, str]] = field(default_factory=list)
    # (line, id, id_key or None, source_id, start, end, nested_in)
    seq: list[tuple[int, str, str | None, Any, Any, Any, Any]] = field(default_factory=list)
    captured: dict[str, tuple[int, str, dict[str, Any], list[str]]] = field(default_factory=dict)


_CHECK_FAILURES = (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError)


def check_lines(batches: Iterable[list[bytes | int]], ctx: Context, first_is_file_start: bool,
                max_line: int = MAX_LINE) -> ChunkResult:
    """Check record lines given in batches (`jsonl.iter_batches`); line numbers in the result
    count from 1 at the first line given."""
    res = ChunkResult()
    decode = fast_decoder("quotations")
    fast = struct_decoder("quotations")
    lanes = ctx._lanes
    seq, corrected = res.seq, ctx.correction_ids
    problems = res.problems
    names: set[tuple[str, str, str]] = set()  # unknown names already reported in this batch
    n = 0
    data: Any  # bytes, or the length of a line too long to keep (an int)
    for data in chain.from_iterable(batches):
        n += 1
        if type(data) is int:
            res.records += 1
            problems.append((n, 1, ERROR, "line-too-long", "",
                             f"line of {data:,} bytes is longer than the limit of {max_line:,}; "
                             "a record must fit on one line"))
            continue
        if data and not data.isspace():  # (isspace stops at the first other byte; strip copies)
            res.records += 1
        rec: Any = None
        valid = False
        if data and data[-1] != 13 and not (first_is_file_start and n == 1 and data.startswith(BOM)):
            if fast is not None:
                try:
                    rec = fast(data)
                except STRUCT_ERRORS:
                    pass
                else:
                    sid = rec.source_id
                    got = lanes[sid] if sid in lanes else lanes.setdefault(sid, lane_pair(ctx, sid))
                    if got is not None and rec.id not in corrected:
                        # the C twin of `clean` when compiled (three times faster); None: it is unsure
                        verdict = None if c_clean is None else c_clean(rec, data, got[1])
                        if verdict if verdict is not None else clean(rec, data, got[0]):
                            seq.append((n, rec.id, id_key(sid, rec.text), sid, rec.start, rec.end, rec.nested_in))
                            continue
            try:
                rec = decode(data)
                valid = not may_hide_duplicates(data, rec)
            except Rejected:
                pass
        if not valid:
            rec, valid = _careful(data, n, first_is_file_start, problems)
            if rec is None:
                continue
        if valid:
            out: list[tuple[str, str, tuple[Any, ...], str, str]] = []
            try:
                check_provenance(rec, ctx, out, names)
            except _CHECK_FAILURES:
                # a value the happy path let through in a shape the checks cannot use (a
                # 30-digit number orjson read as a float, say): explain the line carefully
                out = []
                rec, valid = _careful(data, n, first_is_file_start, problems, force=True)
                if rec is None:
                    continue
                try:
                    check_provenance(rec, ctx, out, names)
                except _CHECK_FAILURES as exc:  # pragma: no cover - defensive
                    problems.append((n, 1, ERROR, "unchecked", "", f"provenance could not be checked: {exc}"))
            for severity, code, path, fld, message in out:
                problems.append((n, key_column(data, path), severity, code, fld, message))
        _summarize(n, rec, valid, ctx, res)
    res.lines = n
    return res


def _summarize(n: int, rec: dict[str, Any], valid: bool, ctx: Context, res: ChunkResult) -> None:
    """The record's summary for the in-order checks; a schema-invalid record takes part with
    whatever fields have the right type, so that its id still counts as taken."""
    g: Callable[[str], Any] = rec.get
    rid, sid, text, start, end, nested = g("id"), g("source_id"), g("text"), g("start"), g("end"), g("nested_in")
    if not valid:
        if not isinstance(rid, str):
            return
        sid = sid if isinstance(sid, str) else None
        if type(start) is not int or type(end) is not int:
            start = end = None
        nested = nested if isinstance(nested, str) else None
    key = id_key(sid, text) if valid or (sid is not None and isinstance(text, str)) else None
    res.seq.append((n, rid, key, sid, start, end, nested))
    if rid in ctx.correction_ids:
        noted: list[Any] = [c.get("field") for c in g("corrections") or () if isinstance(c, dict)] \
            if isinstance(g("corrections"), list) else []
        values = {k: g(k) for k in CORRECTABLE}
        values["evidence"] = g("evidence")  # where a corrected speaker's evidence was put
        res.captured.setdefault(rid, (n, sid, values, noted))


_SUBSTITUTED = frozenset({"nan", "number-too-large", "number-format"})
_NUMBER_AT: dict[str, Callable[[tuple[Any, ...]], bool]] = {}


def number_at(name: str) -> Callable[[tuple[Any, ...]], bool]:
    """Whether the schema `name` wants a number that need not be an integer at an instance path
    (`("confidence", "speaker")`): there `1.0` is written right, elsewhere it must be `1`."""
    fn = _NUMBER_AT.get(name)
    if fn is None:
        schema = load_schema(name)

        def fn(path: tuple[Any, ...]) -> bool:
            node: Any = schema
            for part in path:
                if not isinstance(node, dict):
                    return False
                node = node.get("items") if isinstance(part, int) else (node.get("properties") or {}).get(part)
            kinds = node.get("type") if isinstance(node, dict) else None
            return kinds == "number" or (isinstance(kinds, list) and "number" in kinds)
        _NUMBER_AT[name] = fn
    return fn


def _careful(data: bytes, n: int, first_is_file_start: bool, problems: list[Any],
             force: bool = False) -> tuple[Any, bool]:
    """The careful path: exact lexical diagnosis, then every schema error of the record.
    Returns (the object when it is one, whether it is schema-valid)."""
    rec, lexical = parse_line(data, n if first_is_file_start else 2, number_at=number_at("quotations"))
    if rec is None and not lexical:  # the line is JSON `null`
        problems.append((n, 1, ERROR, "not-object", "", "expected a JSON object (one record per line), got null"))
        return None, False
    for p in lexical:
        if force and p.code not in _SUBSTITUTED:
            continue  # already reported when the line first took the careful path
        problems.append((n, p.column, ERROR, p.code, p.field, p.message))
    if rec is None or any(p.code in _SUBSTITUTED for p in lexical):
        # a value the parser had to replace (NaN, a 30-digit number) would only cause
        # misleading follow-on errors: the lexical problem is the one to fix
        return None, False
    if not isinstance(rec, dict):
        got = {list: "a list", str: "a string", bool: "true or false"}.get(type(rec), "a number")
        problems.append((n, 1, ERROR, "not-object", "", f"expected a JSON object (one record per line), got {got}"))
        return None, False
    if force or fast_valid("quotations")(rec):
        return rec, True
    for path, fld, message in schema_problems("quotations", rec):
        problems.append((n, key_column(data, path), ERROR, "schema", fld or "(record)", message))
    return rec, False


# ---------------------------------------------------------------------------------------------
# in-order checks over the whole file (runs in the parent)
