"""`quoteprov diff` and `quoteprov changelog`: what changed between two versions of the dataset.

Where things are:

- `read`: a version (records file, dataset folder, git revision) and reading only the lines
  that differ between two;
- `edits`: what changed in a source text, and the map of old offsets to new;
- `align`: comparing two records, aligning the differing ones, schema changes;
- `compare`: `compare_versions` and `diff` (how records align is in its docstring);
- `result`: `DiffResult` and its parts;
- `formats`: text, JSON, Markdown (html is `quoteprov.reporting`'s);
- `changelog`: CHANGELOG.md entries. The command line is in `quoteprov.cli`.
"""
from __future__ import annotations

from .align import field_changes
from .changelog import CHANGELOG_HEADER, changelog, changelog_entry, update_changelog
from .compare import compare_versions, diff
from .edits import OffsetMap, SourceChange, TextEdit, compare_sources, text_opcodes
from .formats import FORMATS, dumps_json, format_markdown, format_text, readable, render, summary_line
from .read import (
                   DEFAULT_DATASET_PATH,
                   FileBlob,
                   GitBlob,
                   Version,
                   git_toplevel,
                   iter_records,
                   latest_tag,
                   path_version,
                   resolve_version,
                   working_tree,
)
from .result import Change, DiffResult, Reanchor, SchemaChange

__all__ = ["CHANGELOG_HEADER", "DEFAULT_DATASET_PATH", "FORMATS", "Change", "DiffResult", "FileBlob", "GitBlob",
           "OffsetMap", "Reanchor", "SchemaChange", "SourceChange", "TextEdit", "Version", "changelog",
           "changelog_entry", "compare_sources", "compare_versions", "diff", "dumps_json", "field_changes",
           "format_markdown", "format_text", "git_toplevel", "iter_records", "latest_tag", "path_version", "readable",
           "render", "resolve_version", "summary_line", "text_opcodes", "update_changelog", "working_tree"]
