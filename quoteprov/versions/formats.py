"""A diff's output formats: text (coloured on a terminal), JSON, Markdown; html is the report's."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from ..defaults import DIFF_FORMATS as FORMATS  # noqa: F401 - re-exported (versions.FORMATS)
from ..errors import QuoteprovError
from .read import iter_records, loads, orjson
from .result import SHOWN_DECIMALS, Change, DiffResult

# -- output ---------------------------------------------------------------------------------

def readable(v: Any, decimals: int = SHOWN_DECIMALS) -> Any:
    """`v` with every float rounded for reading (0.30000000000000004 reads 0.3)."""
    if type(v) is float:
        return round(v, decimals)
    if type(v) is dict:
        return {k: readable(x, decimals) for k, x in v.items()}
    if type(v) is list:
        return [readable(x, decimals) for x in v]
    return v


def shown_value(v: Any, width: int = 80, decimals: int = SHOWN_DECIMALS) -> str:
    s = json.dumps(readable(v, decimals), ensure_ascii=False)
    return s if len(s) <= width else s[:width - 1] + "\u2026"


def pair(old: Any, new: Any, width: int = 80) -> tuple[str, str]:
    """Old and new values for reading: long strings are cut around their first difference, so
    a corrected word stays visible; floats are shown with SHOWN_DECIMALS decimals, or with all
    of theirs when that would hide the difference."""
    if type(old) is float and type(new) is float and round(old, SHOWN_DECIMALS) == round(new, SHOWN_DECIMALS):
        return shown_value(old, width, 17), shown_value(new, width, 17)
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) + 2 > width:
        p = next((i for i, (x, y) in enumerate(zip(old, new)) if x != y), min(len(old), len(new)))
        cut = max(0, p - width // 3)
        if cut:
            return shown_value("\u2026" + old[cut:], width), shown_value("\u2026" + new[cut:], width)
    return shown_value(old, width), shown_value(new, width)


def shown_fields(change: Change) -> list[tuple[str, Any, Any]]:
    """The fields a reader needs: `selectors.quote.exact` repeats `text`, so it is left out when
    it changed the same way (the JSON keeps every field)."""
    text = change.fields.get("text")
    return [(p, o, n) for p, (o, n) in change.fields.items()
            if not (p == "selectors.quote.exact" and text == [o, n])]


def summary_line(result: DiffResult) -> str:
    s = result.summary
    minor = s.get("confidence_only", 0)
    parts = [f"{s['added']} added", f"{s['removed']} removed",
             f"{s['changed']} changed" + (f" ({minor} only in confidence)" if minor else ""),
             f"{s['reanchored']} re-anchored", f"{s['unchanged']} unchanged"]
    return ", ".join(parts)


def _record_line(rec: dict[str, Any]) -> str:
    bits = [f"{k}={shown_value(rec.get(k), 40)}" for k in ("speaker", "recipient", "footnote", "kind") if rec.get(k) is not None]
    return f"{rec.get('id')} {shown_value(rec.get('text'), 70)}" + ("  " + " ".join(bits) if bits else "")


def _shift_groups(result: DiffResult) -> list[tuple[str, int, int]]:
    groups: dict[tuple[str, int], int] = {}
    for r in result.reanchored:
        key = (str(r.new.get("source_id")), r.shift)
        groups[key] = groups.get(key, 0) + 1
    return [(sid, shift, n) for (sid, shift), n in sorted(groups.items())]


def format_text(result: DiffResult, color: bool = False) -> str:
    """Readable text: the summary first, then one block per changed record."""
    def paint(code: str, s: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    s = result.summary
    out = [paint("1", f"{result.old_label} ({s['old_records']} records) -> {result.new_label} ({s['new_records']} records)"),
           summary_line(result)]
    out += [paint("31", f"problem: {p}") for p in result.problems]
    for src in result.sources:
        out.append(f"source {src.id}: {src.summary}")
    if result.schema.added or result.schema.removed:
        out.append("schema: " + ", ".join([f"+{p}" for p in result.schema.added] + [f"-{p}" for p in result.schema.removed]))
    for sid, shift, n in _shift_groups(result):
        out.append(f"re-anchored: {n} record{'s' if n != 1 else ''} of {sid} moved by {shift:+d}")
    if not s["differences"]:
        out.append("no differences")
    from ..notes import notes_diff_lines

    out += notes_diff_lines(result.notes)
    for c in result.changed:
        how = "" if c.matched_by == "id" else f" (matched by {c.matched_by})"
        if c.confidence_only:  # a minor change: the values stand, their probability moved
            how += " (only the confidence moved)"
        out += ["", paint("2" if c.confidence_only else "33", f"~ {c.id}{how}") + f" {shown_value(c.new.get('text'), 70)}"]
        out += [f"    {p}: {' -> '.join(pair(o, n))}" for p, o, n in shown_fields(c)]
        if c.shift:
            out.append(f"    (also re-anchored by {c.shift:+d})")
    if result.added:
        out.append("")
        out += [paint("32", "+ " + _record_line(r)) for r in result.added]
    if result.removed:
        out.append("")
        out += [paint("31", "- " + _record_line(r)) for r in result.removed]
    return "\n".join(out) + "\n"


def bullets(result: DiffResult) -> list[str]:
    """Markdown bullets for what is not a record: source edits, schema, re-anchoring."""
    out = [f"- Source `{src.id}`: {src.summary}" for src in result.sources]
    n = result.notes
    if n["added"] or n["removed"] or n["changed"]:
        out.append(f"- Notes: {len(n['added'])} added, {len(n['removed'])} removed, {len(n['changed'])} changed"
                   + "".join(f"; `{c['id']}` ({', '.join(c['fields'])})" for c in n["changed"][:20]))
    if result.schema.added or result.schema.removed:
        out.append("- Schema: " + ", ".join([f"added `{p}`" for p in result.schema.added]
                                            + [f"removed `{p}`" for p in result.schema.removed]))
    out += [f"- {n} record{'s' if n != 1 else ''} of `{sid}` re-anchored by {shift:+d} (source text edited)"
            for sid, shift, n in _shift_groups(result)]
    return out


MARKDOWN_ROWS = 300  # a pull-request comment has a size limit; the JSON has everything


def _md(v: Any) -> str:
    return _code(shown_value(v, 60))


def _code(s: str) -> str:
    return "`" + s.replace("`", "'").replace("|", "\\|") + "`"


def format_markdown(result: DiffResult) -> str:
    """A pull-request comment: a summary table, then collapsible sections per kind of change."""
    s = result.summary
    out = [f"### quoteprov diff: `{result.old_label}` \u2192 `{result.new_label}`", "",
           "| records | added | removed | changed | re-anchored | unchanged | sources changed |",
           "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
           f"| {s['old_records']} \u2192 {s['new_records']} | {s['added']} | {s['removed']} | {s['changed']} | "
           f"{s['reanchored']} | {s['unchanged']} | {s['sources_changed']} |", ""]
    out += [f"- **Problem:** {_code(p)}" for p in result.problems]
    if not s["differences"]:
        out.append("No differences.")
    out += [b.replace("|", "\\|") for b in bullets(result)]

    def section(title: str, header: str, rows: list[str]) -> None:
        if not rows:
            return
        more = len(rows) - MARKDOWN_ROWS
        out.extend(["", f"<details><summary>{title}</summary>", "", header, *rows[:MARKDOWN_ROWS]])
        if more > 0:
            out.append(f"\n\u2026 and {more} more rows (see `quoteprov diff --format json`)")
        out.extend(["", "</details>"])

    minor = s.get("confidence_only", 0)
    section(f"Changed ({s['changed']}{f', {minor} of them only in confidence' if minor else ''})",
            "| id | field | old | new |\n| --- | --- | --- | --- |",
            [f"| `{c.id}` | `{p}` | {' | '.join(map(_code, pair(o, n, 60)))} |" for c in result.changed
             for p, o, n in shown_fields(c)])
    rec_header = "| id | text | speaker | recipient | footnote | kind |\n| --- | --- | --- | --- | --- | --- |"

    def rec_rows(recs: list[dict]) -> list[str]:
        return [f"| `{r.get('id')}` | {_md(r.get('text'))} | {_md(r.get('speaker'))} | {_md(r.get('recipient'))} | "
                f"{_md(r.get('footnote'))} | {_md(r.get('kind'))} |" for r in recs]

    section(f"Added ({s['added']})", rec_header, rec_rows(result.added))
    section(f"Removed ({s['removed']})", rec_header, rec_rows(result.removed))
    return "\n".join(out) + "\n"


def dumps_json(result: DiffResult) -> str:
    if loads is json.loads:  # pragma: no cover - without orjson
        return json.dumps(result.to_json(), ensure_ascii=False, indent=1) + "\n"
    return orjson.dumps(result.to_json(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")




def _use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def render(result: DiffResult, fmt: str, out_dir: str | Path | None = None) -> str:
    """The result in one of FORMATS (html is written to `out_dir`; the return names the file)."""
    if fmt == "json":
        return dumps_json(result)
    if fmt == "markdown":
        return format_markdown(result)
    if fmt == "html":
        try:
            from ..reporting import render_diff_html  # written by the report module
        except ImportError as exc:
            missing = f" ({exc.name} is not installed: pip install 'quoteprov[report]')" \
                if exc.name and not exc.name.startswith("quoteprov") else ", which this version does not have"
            raise QuoteprovError(f"--format html needs quoteprov.reporting.render_diff_html{missing}; "
                                 "use --format text, json or markdown") from None
        new = result.new_version
        if new is None:
            return f"{render_diff_html(result, Path(out_dir or 'report'))}\n"
        page = render_diff_html(result, Path(out_dir or "report"), sources=new.sources if new.has_sources else None,
                                records=iter_records(new.records))
        return f"{page}\n"
    return format_text(result, color=_use_color())
