"""What changed in a source text: the edits, and the map of old offsets to new ones."""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass

from ..source import split_paragraphs

SNIPPET = 60  # characters of edited text quoted in a summary
_WORD_DIFF_LIMIT = 4_000_000  # tokens(a) * tokens(b) above which a changed run of lines is one replace


@dataclass(frozen=True)
class TextEdit:
    """One edit of a source text: `old[old_start:old_end]` became `new[new_start:new_end]`."""

    op: str  # insert | delete | replace
    old_start: int
    old_end: int
    new_start: int
    new_end: int
    paragraph: int  # paragraph (line) of the old text where the edit starts
    old_text: str
    new_text: str

    def describe(self) -> str:
        where = f"at offset {self.old_start} in paragraph {self.paragraph}"
        if self.op == "insert":
            return f"inserted {_chars(len(self.new_text))} {where}: {_snip(self.new_text)}"
        if self.op == "delete":
            return f"deleted {_chars(len(self.old_text))} {where}: {_snip(self.old_text)}"
        return (f"replaced {_chars(len(self.old_text))} {where} with {_chars(len(self.new_text))}: "
                f"{_snip(self.old_text)} -> {_snip(self.new_text)}")

    def to_json(self) -> dict:
        return {"op": self.op, "old_start": self.old_start, "old_end": self.old_end,
                "new_start": self.new_start, "new_end": self.new_end, "paragraph": self.paragraph,
                "old_text": self.old_text, "new_text": self.new_text}


def _chars(n: int) -> str:
    return f"{n} character" + ("" if n == 1 else "s")


def _snip(s: str) -> str:
    return json.dumps(s if len(s) <= SNIPPET else s[:SNIPPET - 1] + "\u2026", ensure_ascii=False)


Opcode = tuple[str, int, int, int, int]
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _line_starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def text_opcodes(a: str, b: str) -> list[Opcode]:
    """difflib opcodes in character offsets, computed lines first and then words inside each
    changed run of lines: a character-level SequenceMatcher over a whole book would be quadratic,
    and a paragraph is where edits happen (a corrected word, a sentence added)."""
    from difflib import SequenceMatcher

    al, bl = a.splitlines(keepends=True), b.splitlines(keepends=True)
    sa, sb = _line_starts(al), _line_starts(bl)
    out: list[Opcode] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, al, bl, autojunk=False).get_opcodes():
        a1, a2, b1, b2 = sa[i1], sa[i2], sb[j1], sb[j2]
        if tag == "equal":
            out.append(("equal", a1, a2, b1, b2))
            continue
        # words, not characters: "goverment" -> "government" reads as one replaced word
        ta, tb = _TOKEN.findall(a[a1:a2]), _TOKEN.findall(b[b1:b2])
        if len(ta) * len(tb) > _WORD_DIFF_LIMIT:
            out.append((tag, a1, a2, b1, b2))
        else:
            oa, ob = _line_starts(ta), _line_starts(tb)
            sm = SequenceMatcher(None, ta, tb, autojunk=False)
            out.extend((t, a1 + oa[x1], a1 + oa[x2], b1 + ob[y1], b1 + ob[y2]) for t, x1, x2, y1, y2 in sm.get_opcodes())
    return _merge(out)


def _merge(ops: list[Opcode], min_equal: int = 3) -> list[Opcode]:
    """Join neighbouring edits, absorbing equal runs shorter than `min_equal` characters between
    two edits (a character diff of a rewritten phrase otherwise reads as dozens of tiny edits)."""
    out: list[Opcode] = []
    for i, (tag, a1, a2, b1, b2) in enumerate(ops):
        if a1 == a2 and b1 == b2:
            continue
        inner = 0 < i < len(ops) - 1
        if tag == "equal" and not (inner and a2 - a1 < min_equal):
            if out and out[-1][0] == "equal":
                out[-1] = ("equal", out[-1][1], a2, out[-1][3], b2)
            else:
                out.append((tag, a1, a2, b1, b2))
            continue
        if out and out[-1][0] != "equal":
            _, p1, _, q1, _ = out[-1]
            out[-1] = ("edit", p1, a2, q1, b2)
        else:
            out.append(("edit", a1, a2, b1, b2))
    return [(("insert" if a1 == a2 else "delete" if b1 == b2 else "replace") if t == "edit" else t, a1, a2, b1, b2)
            for t, a1, a2, b1, b2 in out]


@dataclass(frozen=True)
class OffsetMap:
    """Maps offsets of an old source text to the new one through its edits. A character that
    survived the edit maps to where it now stands; an edited character maps to None."""

    equal: tuple[tuple[int, int, int], ...]  # (old start, old end, new start) of unchanged runs
    old_len: int
    new_len: int

    @classmethod
    def from_opcodes(cls, ops: list[Opcode], old_len: int, new_len: int) -> "OffsetMap":
        return cls(tuple((a1, a2, b1) for t, a1, a2, b1, _ in ops if t == "equal"), old_len, new_len)

    def char(self, c: int) -> int | None:
        if c >= self.old_len:
            return self.new_len + (c - self.old_len) if c == self.old_len else None
        k = bisect_right(self.equal, (c, float("inf"))) - 1
        if k >= 0:
            a1, a2, b1 = self.equal[k]
            if a1 <= c < a2:
                return b1 + c - a1
        return None

    def start(self, s: int) -> int | None:
        """Where a span that began at `s` begins now (its first character moved with the text)."""
        return self.char(s)

    def end(self, e: int) -> int | None:
        """Where a span that ended at `e` (exclusive) ends now: one past its last character."""
        if e <= 0:
            return self.char(e)
        last = self.char(e - 1)
        return None if last is None else last + 1


def paragraph_starts(text: str) -> list[int]:
    """Start offsets of the paragraphs (lines) of a text, as the source reader splits them."""
    return [start for start, _ in split_paragraphs(text)]


def paragraph_at(starts: list[int], offset: int) -> int:
    """0-based paragraph index of `offset` (binary search over `paragraph_starts`)."""
    return max(0, bisect_right(starts, offset) - 1)


@dataclass(frozen=True)
class SourceChange:
    """A source text that was added, removed or edited between two versions."""

    id: str
    status: str  # added | removed | changed
    old_chars: int
    new_chars: int
    edits: tuple[TextEdit, ...] = ()

    @property
    def summary(self) -> str:
        if self.status != "changed":
            return f"source {self.status} ({_chars(self.new_chars if self.status == 'added' else self.old_chars)})"
        ins = sum(len(e.new_text) for e in self.edits)
        dels = sum(len(e.old_text) for e in self.edits)
        head = f"{len(self.edits)} edit{'' if len(self.edits) == 1 else 's'} (+{ins} -{dels} characters)"
        return head + ": " + "; ".join(e.describe() for e in self.edits[:3]) + ("; ..." if len(self.edits) > 3 else "")

    def to_json(self) -> dict:
        return {"id": self.id, "status": self.status, "summary": self.summary, "old_chars": self.old_chars,
                "new_chars": self.new_chars, "edits": [e.to_json() for e in self.edits]}


def compare_sources(old: dict[str, str], new: dict[str, str]) -> tuple[list[SourceChange], dict[str, OffsetMap]]:
    """Source changes between two versions, and an offset map for each source in both."""
    changes: list[SourceChange] = []
    maps: dict[str, OffsetMap] = {}
    for sid in list(old) + [s for s in new if s not in old]:
        a, b = old.get(sid), new.get(sid)
        if a is None or b is None:
            changes.append(SourceChange(sid, "added" if a is None else "removed", len(a or ""), len(b or "")))
            continue
        if a == b:
            maps[sid] = OffsetMap(((0, len(a), 0),), len(a), len(b))
            continue
        ops = text_opcodes(a, b)
        maps[sid] = OffsetMap.from_opcodes(ops, len(a), len(b))
        starts = paragraph_starts(a)
        edits = tuple(TextEdit(t, a1, a2, b1, b2, paragraph_at(starts, a1), a[a1:a2], b[b1:b2])
                      for t, a1, a2, b1, b2 in ops if t != "equal")
        changes.append(SourceChange(sid, "changed", len(a), len(b), edits))
    return changes, maps
