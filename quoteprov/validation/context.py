"""The dataset context a record is checked against: sources (with their paragraphs and
footnote markers), registries, entities and corrections, read once before the records."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..markers import find_markers
from ..records import MarkerSpan
from ..source import Source

if TYPE_CHECKING:
    from .lane import Lane


SourceInfo = tuple[Source, list[int], list[MarkerSpan], list[int]]


def source_info(source: Source) -> SourceInfo:
    """What the checks need of a source: paragraph starts (for `Source.paragraph_of` with the C
    bisect) and the footnote markers the builder finds, with their starts (for
    `markers.footnote_after` with the C bisect; a test keeps both equal to the originals)."""
    markers = find_markers(source)
    return source, [s for s, _ in source.paragraphs], markers, [m.start for m in markers]


def first_marker_after(markers: list[MarkerSpan], starts: list[int], offset: int,
                       paragraph_end: int) -> MarkerSpan | None:
    """`markers.footnote_after`: the first marker at or after `offset`, before `paragraph_end`."""
    i = bisect_left(starts, offset)
    if i < len(markers) and starts[i] < paragraph_end:
        return markers[i]
    return None


@dataclass
class Context:
    """What records are checked against: source texts, registries, entities, corrections.

    Everything in it is read once, before the records; markers are recomputed per source on
    first use (in each worker), as the builder computes them.
    """

    sources: dict[str, Source] = field(default_factory=dict)
    registry_names: dict[str, frozenset[str]] = field(default_factory=dict)
    registry_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    registry_file: dict[str, str] = field(default_factory=dict)
    registry_broken: set[str] = field(default_factory=set)  # sources whose registry cannot be read
    entity_names: dict[str, str] | None = None  # data/entities.jsonl (name -> kind), when there is one
    entities_file: str = "data/entities.jsonl"
    corrected: frozenset[tuple[str, str]] | None = None  # (id, field) of corrections.jsonl
    correction_ids: frozenset[str] = frozenset()
    has_sources: bool = False  # provenance can be checked
    listed: frozenset[str] = frozenset()  # ids in the manifest, readable or not
    _info: dict[str, SourceInfo] = field(default_factory=dict)
    # the fast lane of each source, (Lane, its flat tuple for C) or None, made once per process
    # (check_lines runs once per 1 MB batch: rebuilding them there cost a few % of the time)
    _lanes: dict[str, tuple[Lane, tuple[Any, ...]] | None] = field(default_factory=dict)

    def info(self, source_id: str) -> SourceInfo | None:
        """(source, paragraph starts, footnote markers, their starts) of a source, on first use."""
        got = self._info.get(source_id)
        if got is None:
            source = self.sources.get(source_id)
            if source is None:
                return None
            got = self._info[source_id] = source_info(source)
        return got


# ---------------------------------------------------------------------------------------------
