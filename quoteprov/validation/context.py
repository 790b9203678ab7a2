"""The dataset context a record is checked against: sources (with their paragraphs and
footnote markers), registries, entities and corrections, read once before the records."""
from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from ..markers import find_markers
from ..records import MarkerSpan
from ..source import Source, make_source, read_text

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


class SourceFiles(Mapping[str, Source]):
    """The readable sources of a dataset by id, read again from their files when asked for and
    kept only while they fit in `budget` characters (the last used first). A corpus of any size
    is checked in bounded memory: records come source by source, so each is read about once.
    Pickled (to validate's workers) as the list of files alone."""

    BUDGET = 16_000_000  # characters kept (a few books; a small dataset stays whole)
    KEEP = 4  # SourceInfo (markers, paragraph starts) kept, for the sources checked last

    def __init__(self, budget: int = BUDGET) -> None:
        self.budget = budget
        self._files: dict[str, tuple[Path, dict[str, Any]]] = {}
        self._kept: OrderedDict[str, Source] = OrderedDict()
        self._chars = 0

    def add(self, source: Source, path: Path, entry: dict[str, Any]) -> None:
        """A source just read from `path` (its manifest `entry`)."""
        self._files[source.id] = (path, entry)
        self._keep(source)

    def _keep(self, source: Source) -> None:
        self._kept[source.id] = source
        self._chars += len(source.text)
        while self._chars > self.budget and len(self._kept) > 1:
            _, old = self._kept.popitem(last=False)
            self._chars -= len(old.text)

    def __getitem__(self, sid: str) -> Source:
        got = self._kept.get(sid)
        if got is not None:
            self._kept.move_to_end(sid)
            return got
        path, entry = self._files[sid]  # KeyError: not a readable source
        source = make_source(read_text(path), sid, entry)
        self._keep(source)
        return source

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def __contains__(self, sid: object) -> bool:
        return sid in self._files

    def __getstate__(self) -> dict[str, Any]:
        return {"budget": self.budget, "_files": self._files, "_kept": OrderedDict(), "_chars": 0}


@dataclass
class Context:
    """What records are checked against: source texts, registries, entities, corrections.

    Everything in it is read once, before the records; markers are recomputed per source on
    first use (in each worker), as the builder computes them.
    """

    sources: Mapping[str, Source] = field(default_factory=dict)  # a dict, or SourceFiles
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
        """(source, paragraph starts, footnote markers, their starts) of a source, on first use;
        kept for the last few sources used (records come source by source)."""
        got = self._info.get(source_id)
        if got is None:
            source = self.sources.get(source_id)
            if source is None:
                return None
            got = self._info[source_id] = source_info(source)
            while len(self._info) > SourceFiles.KEEP:
                del self._info[next(iter(self._info))]
        return got


# ---------------------------------------------------------------------------------------------
