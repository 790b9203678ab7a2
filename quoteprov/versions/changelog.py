"""CHANGELOG.md: one entry per dataset version, from the diff against the previous tag."""
from __future__ import annotations

import re
from pathlib import Path

from .compare import diff
from .formats import bullets, pair, shown_fields, shown_value, summary_line
from .read import DEFAULT_DATASET_PATH, latest_tag
from .result import DiffResult

CHANGELOG_HEADER = ("# Changelog\n\nChanges to the quoteprov **dataset** (the records in `dataset/data/`), one entry\n"
                    "per dataset version, written by `quoteprov changelog` from `quoteprov diff` against the\n"
                    "previous tag.\n")
CHANGELOG_ITEMS = 50  # records listed per section; the rest is counted


def changelog_entry(result: DiffResult, version: str, date: str) -> str:
    """The Markdown entry for one dataset version."""
    s = result.summary
    out = [f"## {version} ({date})", "",
           f"Compared with `{result.old_label}`: {s['old_records']} \u2192 {s['new_records']} quotation records; "
           f"{summary_line(result)}.", "", *bullets(result)]

    def section(title: str, items: list[str]) -> None:
        if items:
            out.extend(["", f"### {title}", "", *items[:CHANGELOG_ITEMS]])
            if len(items) > CHANGELOG_ITEMS:
                out.append(f"- \u2026 and {len(items) - CHANGELOG_ITEMS} more")

    section("Added", [f"- `{r.get('id')}` {shown_value(r.get('text'), 70)}" for r in result.added])
    section("Removed", [f"- `{r.get('id')}` {shown_value(r.get('text'), 70)}" for r in result.removed])
    arrow = " \u2192 "
    section("Changed", [f"- `{c.id}`{' (only the confidence moved)' if c.confidence_only else ''}: " + "; ".join(f"{p} {arrow.join(pair(o, n, 40))}" for p, o, n in shown_fields(c))
                        for c in result.changed])
    if not s["differences"]:
        out.append("No changes to the records.")
    return "\n".join(out).rstrip() + "\n"


def update_changelog(text: str, entry: str) -> str:
    """`text` with `entry` in place of the entry of the same version, or first among the entries."""
    heading = entry.split("\n", 1)[0]
    version = heading.split(" (", 1)[0]
    blocks = re.split(r"(?m)^(?=## )", text or CHANGELOG_HEADER)
    head, entries = blocks[0], blocks[1:]
    kept = [b for b in entries if b.split("\n", 1)[0].split(" (", 1)[0] != version]
    return head.rstrip("\n") + "\n\n" + "\n".join([entry] + [b.rstrip("\n") + "\n" for b in kept])


def changelog(since: str | None = None, version: str | None = None, repo: str | Path = ".",
              path: str | Path | None = None, dataset_path: str = DEFAULT_DATASET_PATH,
              date: str | None = None, write: bool = True) -> str:
    """Write (or replace) the CHANGELOG entry of dataset version `version` from the diff of the
    working tree's dataset against `since` (default: the latest tag). Returns the entry."""
    from datetime import date as _date

    from ..store import write_text
    from .read import git_toplevel

    since = since or latest_tag(repo)
    result = diff(since, None, repo, dataset_path)
    entry = changelog_entry(result, version or "Unreleased", date or _date.today().isoformat())
    if write:
        top = git_toplevel(repo) or Path(repo)
        target = Path(path) if path is not None else top / "CHANGELOG.md"
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        write_text(target, update_changelog(old, entry))
    return entry
