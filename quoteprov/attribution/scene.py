"""What the scene around a quotation says of a candidate: whether the rules make it speak there
and in the whole text; and where a mention opens a sentence. Features of the ranker
(`features.speaker_features`), computed from the rules' reading alone, as at extraction."""
from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from functools import partial

from .candidates import TextIndex, memo, same_name

SCENE_QUOTES = 10  # quotations either side in which a speaker the rules name is "in the scene"
# where a mention opens a sentence: after its end (or a colon), or at the paragraph's start, with
# an article or a joining word before it ("The Admiral", "And Mrs. Allen")
_OPENS_AFTER = re.compile(r"[.!?:;][\"'\u201d\u2019)\]]*\s+(?:(?:[Tt]he|[Aa]n?|And|But|Then|So)\s+)?$")
_OPENS_PARAGRAPH = re.compile(r"\s*[\"'\u201c\u2018]?(?:(?:[Tt]he|[Aa]n?|And|But|Then|So)\s+)?$")


def opens_sentence(text: str, lo: int, start: int) -> bool:
    """Whether the mention at `start` of the paragraph starting at `lo` opens a sentence: the
    place of its subject."""
    head = text[max(lo, start - 40):start]
    return bool(_OPENS_AFTER.search(head) or (start - lo <= 40 and _OPENS_PARAGRAPH.fullmatch(head)))


def explicit_turns(idx: TextIndex, name: str) -> list[int]:
    """The quotations (by index) the rules give explicitly to `name` ("said Mary"): a character
    the text makes speak; a name never made to speak (a composer, a town, a word capitalised at
    a sentence's start) is seldom the one a "she said" stands for."""
    said = memo(idx, ("explicit_speakers",), lambda: _explicit_by_name(idx))
    # by the names the rules wrote (a few dozen), not by their hundreds of quotations
    return sorted(j for n, js in said.items() if same_name(name, n) for j in js)


def _explicit_by_name(idx: TextIndex) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for j, q in enumerate(idx.quotes):
        if not q.nested and q.speaker and q.speaker_basis == "explicit":
            out.setdefault(q.speaker, []).append(j)
    return out


def spoken_features(f: dict[str, float], idx: TextIndex, i: int, name: str) -> None:
    """How often the rules make the candidate speak in the whole text, and in the quotations
    around quotation i (not i itself: its own rule is `rule_explicit`), written into row f."""
    turns = memo(idx, ("explicit_turns", name), partial(explicit_turns, idx, name))  # ascending
    f["spoke_explicit"] = math.log1p(len(turns))
    # by bisection: a talkative character has hundreds of turns, read for every candidate row
    near = bisect_right(turns, i + SCENE_QUOTES) - bisect_left(turns, i - SCENE_QUOTES)
    k = bisect_left(turns, i)
    f["spoke_near"] = float(near - (k < len(turns) and turns[k] == i))
