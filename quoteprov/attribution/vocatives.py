"""Whether a name inside a quotation is the one spoken to ("Oh! Mr. Bennet, you are wanted",
"do you think so, Emma?"), not one spoken of: set off by pauses, with at most two words such as
`oh` or `my dear` before it. English usage, no text's."""
from __future__ import annotations

import re

# words that may stand between a pause and the name of the one spoken to ("Oh! dear, Miss
# Woodhouse", "my dear Emma", "Thank you, Mr. Weston"): English usage, no text's
_VOCATIVE_OPENERS = frozenset("o oh ah dear my good poor yes no well why now come thank you and but".split())
_PAUSE = re.compile(r"[,;:!?.()\u2014\u2013]|--")
_PAUSE_AFTER = re.compile(r"\s*(?:[,;:!?.)\u2014\u2013]|--)")


def is_vocative(text: str, a: int, b: int, q0: int, q1: int) -> bool:
    """Whether the name at [a, b) inside the quotation [q0, q1) is set off as the one spoken to:
    a pause (or the quotation's edge) after it, and before it a pause with at most two
    vocative words between ("Oh! Mr. Bennet, you are wanted", "do you think so, Emma?"), not
    a name spoken of ("the Communist Party has decided", "ask Mr. Knightley")."""
    if b < q1 and text[b:q1].strip() and not _PAUSE_AFTER.match(text, b, q1):
        return False
    lo = max(q0, a - 40)
    head = _PAUSE.split(text[lo:a])
    if len(head) == 1 and lo > q0:
        return False  # no pause within reach
    words = re.findall(r"[^\W\d_]+", head[-1])
    return len(words) <= 2 and all(w.lower() in _VOCATIVE_OPENERS for w in words)
