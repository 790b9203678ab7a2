"""Features of (quotation, candidate) pairs, for the speaker and the recipient rankers.

The rules' reading is one group of features among others (the rule proposed this candidate;
which rule; on what basis); the rest say where the candidate is named relative to the quotation,
whether a reporting verb stands between, who spoke the quotations before it (turn-taking),
whether the quotation or the one before names the candidate (a vocative), and what kind of
entity it is. Every candidate list ends with `nobody`, so the ranker can abstain.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import partial

from ..entities import kind_of
from .candidates import (
    HONORIFICS,
    Mention,
    Quote,
    TextIndex,
    blank,
    gender_of,
    memo,
    quoted_names,
    same_name,
    window_mentions,
)
from .descriptions import companions, described, description_features
from .reporting import REPORTING_RE, reporting_between
from .scene import opens_sentence, spoken_features
from .turns import next_quotes, prev_quotes, recent_cast

NOBODY = "\u2205"  # the candidate "no one the text names"
FAR = 2000.0
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019]?\s+[A-Z]")
# what may stand before a mention that opens its sentence ("Kamenev laughed. \"You need not...\"":
# the one doing something in the sentence before a quotation is often its speaker)
_HE_SHE = re.compile(r"\b(?:(he)|(she))\b", re.IGNORECASE)
PRONOUN_REACH = 30  # characters after (or before) a quotation in which "he said" / "she said" stands
_ADDRESS_BEFORE = re.compile(r"\b(?:to|told|tell|tells|asked|ask|asks|answered|assured|informed|addressing|"
                             r"addressed|warned|reminded|begged|urged|implored)\s+(?:the\s+)?$", re.IGNORECASE)

# method names of the rules, grouped: the ranker learns how far to trust each family
RULE_FAMILIES = ("cue", "according", "running", "introduction", "continued", "reply", "narrator", "document", "colon",
                 "assembly", "other")

SPEAKER_FEATURES = (
    "nobody", "rule_pick", "rule_explicit", "rule_resolved", "rule_inferred",
    *(f"rule_{f}" for f in RULE_FAMILIES),
    "in_par", "before_dist", "after_dist", "verb_between_before", "verb_between_after", "verb_next_to",
    "quote_between_before", "sentence_between_before", "sentence_between_after",
    "n_par", "n_prev_par", "n_next_par", "n_pronoun", "is_narrator",
    "prev1", "prev2", "prev3", "prev1_same_par", "prev1_prev_par", "prev_pars_gap",
    "voc_in_quote", "voc_in_prev", "addressed_before",
    "kind_person", "kind_group", "kind_document", "kind_publication", "honorific",
    "rank_dist", "n_cands", "q_words", "q_term", "q_title", "q_par_start", "q_par_end", "q_quotes_in_par",
    "q_first_in_par", "q_rule_none", "q_text_outside", "t_dialogue", "t_rule_rate",
    "gender", "pron_agree_after", "pron_agree_before", "salience",
    "description", "addressed_prev_par",
    "next1", "next2", "next1_new_par", "next_rule_explicit", "prev1_to",
    "desc_agree", "desc_role", "opens_sentence_before", "desc_company",
    "spoke_explicit", "spoke_near",
)
RECIPIENT_FEATURES = SPEAKER_FEATURES + ("is_speaker", "speaker_prev1", "rule_rec_pick",
                                         "rule_rec_explicit", "rule_rec_inferred")


@dataclass(frozen=True)
class Candidate:
    name: str | None                    # None for nobody
    evidence: tuple[int, int] | None    # the mention that justifies it
    origin: str                         # rule | mention | turn | narrator | nobody
    how: str = ""                       # name | pronoun | narrator | rule basis
    # the rules' own words for a rule's candidate that the list writes as the fuller name of
    # the same person (the rules' "Ben" of `said Ben`, candidate "Ben Hacket")
    said: str | None = None


def is_rules(c: Candidate, value: str | None) -> bool:
    """Whether candidate c is the rules' `value`: by its name, or by the rules' own words for it
    (`Candidate.said`). By name alone, a given name the list wrote in full was no longer the
    rules' proposal: `said Ben` lost its weight against turn-taking (measured: 1,556 of PDNC's
    rules' speakers)."""
    return same_name(c.name, value) or (c.said is not None and same_name(c.said, value))


def family(method: str | None) -> str:
    m = (method or "").lower()
    for f in RULE_FAMILIES[:-1]:
        if f in m:
            return f
    return "other"


def group_names(names: list[str]) -> dict[str, str]:
    """Each name to the fullest name of its entity among `names`."""
    out: dict[str, str] = {}
    reps: list[str] = []
    for n in sorted(set(names), key=lambda s: (-len(s.split()), s)):
        rep = next((r for r in reps if same_name(r, n)), None)
        if rep is None:
            reps.append(n)
            rep = n
        out[n] = rep
    return out


def _words(s: str) -> int:
    return len(re.findall(r"\w+", s))


def _vocatives(name: str, quote: str, before: str, given: dict[str, str]) -> tuple[float, float]:
    """Whether the name is spoken in the quotation, and in the one before."""
    return float(_named_in(name, quote, given)), float(bool(before) and _named_in(name, before, given))


def _named_in(name: str, text: str, given: dict[str, str]) -> bool:
    """Whether `text` names the candidate: by its last word, by the given name the text uses
    for it alone (`given_names`: "Bill" for Bill Gorton, the way friends speak to him), or by
    its title and given name."""
    parts = [w for w in name.split() if w.rstrip(".") not in HONORIFICS]
    words = {parts[-1], *(parts[:1] if parts and given.get(parts[0]) == name else [])} if parts else set()
    full = name.split()
    if len(full) >= 3 and full[0].rstrip(".") in HONORIFICS:
        words.add(f"{full[0]} {full[1]}")  # "Sir Harry!" to Sir Harry Otway: his title and given name
    return any(re.search(r"\b" + re.escape(w) + r"\b", text) for w in words)


def candidates(idx: TextIndex, i: int, prev: list[str | None],
               prev_to: str | None = None) -> tuple[list[Candidate], dict[str, list[Mention]]]:
    """The speaker candidates of quote i: names in view, the rules' pick, the last speakers and
    the one the last quotation was decided to be spoken to (`prev_to`)."""
    q = idx.quotes[i]
    prev_to = _answers(prev_to)
    mentions = memo(idx, ("window", i), lambda: window_mentions(idx, q))
    # names spoken in this quotation and the one before: in a conversation the one spoken to
    # answers, and is often named nowhere else near (a third of PDNC's speakers of "he said"
    # were no candidate at all)
    spoken = memo(idx, ("spoken", i), lambda: [m for x in [q, *prev_quotes(idx, i, 1)] for m in quoted_names(idx, x)])
    g_after, g_before = memo(idx, ("genders", i), lambda: adjacent_genders(idx, q))
    cast = memo(idx, ("cast", i), lambda: recent_cast(idx, q, g_after or g_before))
    ahead = [x for x in memo(idx, ("next", i), lambda: next_quotes(idx, i)) if x.speaker]
    # "said the old gentleman": the names the epithet keeps company with, however far back named
    desc = memo(idx, ("described", i), lambda: described(idx, q))  # read again by speaker_features
    company = memo(idx, ("companions", i), lambda: companions(idx, q, desc[3]))
    names = [m.key for m in mentions] + [n for n in [*prev[-3:], prev_to] if n] + ([q.speaker] if q.speaker else []) \
        + ([q.recipient] if q.recipient else []) + [m.key for m in spoken] + [m.key for m in cast] \
        + [x.speaker for x in ahead if x.speaker is not None] + [m.key for m in company]
    # "Bill" is "Bill Gorton" where the text writes that name and no other "Bill X"
    rep = {n: idx.given.get(r, r) for n, r in group_names(names).items()}
    for v in (q.speaker, q.recipient):  # the rules' "Mike said" as Mike Campbell: one candidate
        if v and len(v.split()) > 1 and v.split()[0].rstrip(".") not in HONORIFICS and v.split()[0] in rep:
            rep[v.split()[0]] = rep[v]
    by: dict[str, list[Mention]] = {}
    for m in mentions:
        by.setdefault(rep[m.key], []).append(m)
    out: list[Candidate] = []
    seen: set[str] = set()
    if q.speaker:
        out.append(Candidate(rep[q.speaker], q.speaker_span, "rule", q.speaker_basis or "", q.speaker))
        seen.add(rep[q.speaker])
    for name, ms in by.items():
        if name in seen:
            continue
        seen.add(name)
        best = min(ms, key=lambda m: m.start - q.end if m.start >= q.end else abs(q.start - m.end))
        origin = "narrator" if best.how == "narrator" else "mention"
        out.append(Candidate(name, (best.start, best.end), origin, best.how))
    for n in prev[-3:][::-1]:
        if n and rep[n] not in seen:
            seen.add(rep[n])
            out.append(Candidate(rep[n], None, "turn", "inferred"))
    if q.recipient and rep[q.recipient] not in seen:
        out.append(Candidate(rep[q.recipient], q.recipient_span, "rule", q.recipient_basis or "", q.recipient))
        seen.add(rep[q.recipient])
    if prev_to and rep[prev_to] not in seen:  # after the rules' recipient: their evidence, not a turn
        seen.add(rep[prev_to])
        out.append(Candidate(rep[prev_to], None, "turn", "inferred"))
    for m, how in [(m, "vocative") for m in spoken] + [(m, "cast") for m in cast] + [(m, "company") for m in company]:
        if rep[m.key] not in seen:
            seen.add(rep[m.key])
            out.append(Candidate(rep[m.key], (m.start, m.end), "mention", how))
    for x in ahead:  # who the rules found speaking next: in a dialogue, one of the two turns
        if x.speaker is not None and rep[x.speaker] not in seen:
            seen.add(rep[x.speaker])
            out.append(Candidate(rep[x.speaker], x.speaker_span, "mention", "next"))
    out.append(Candidate(None, None, "nobody"))
    return out, by


def quote_context(idx: TextIndex, i: int) -> dict[str, float]:
    q = idx.quotes[i]
    lo, hi = idx.paragraphs[q.paragraph]
    same = idx.outer_by_par.get(q.paragraph, [])
    if q.paragraph not in idx.inside_by_par:  # once per paragraph (setdefault would sum every time)
        idx.inside_by_par[q.paragraph] = sum(x.end - x.start for x in same)
    inside = idx.inside_by_par[q.paragraph]
    qtext = idx.text[q.start:q.end]
    return {
        "q_words": float(_words(qtext)), "q_term": float(q.kind == "term"), "q_title": float(q.kind == "title"),
        "q_par_start": float(blank(idx.text, lo, q.start, " \"'\u201c\u2018_")),
        "q_par_end": float(blank(idx.text, q.end, hi, " \"'\u201d\u2019.,!?_")),
        "q_quotes_in_par": float(len(same)), "q_first_in_par": float(bool(same) and same[0].start == q.start),
        "q_rule_none": float(q.speaker is None),
        "q_text_outside": float(max(0, (hi - lo) - inside - 2 * len(same))),
        **text_context(idx),
    }


def text_context(idx: TextIndex) -> dict[str, float]:
    """What kind of text this is: the share of quotations that open their paragraph (dialogue
    in a novel; rare in scholarship) and the share the rules found a speaker for. The two
    tell the ranker how far to trust turn-taking and the rules on this text."""
    if idx.stats is None:
        outer = [q for q in idx.quotes if not q.nested]
        n = len(outer) or 1
        opening = sum(1 for q in outer if blank(idx.text, idx.paragraphs[q.paragraph][0], q.start, " \"'\u201c\u2018_"))
        idx.stats = {"t_dialogue": opening / n, "t_rule_rate": sum(1 for q in outer if q.speaker) / n}
    return idx.stats


def adjacent_genders(idx: TextIndex, q: Quote) -> tuple[int, int]:
    """The gender of a he/she just after the quotation and just before it (0 for none): in
    `"...," she said` the speaker is a woman, whoever was named last."""
    nxt = bisect_left(idx.starts, q.end)
    stop = min(q.end + PRONOUN_REACH, idx.starts[nxt] if nxt < len(idx.starts) else len(idx.text))
    after = _HE_SHE.search(idx.text, q.end, max(q.end, stop))
    lo = max(q.start - PRONOUN_REACH, idx.paragraphs[q.paragraph][0])
    before = list(_HE_SHE.finditer(idx.text, lo, q.start))
    g = lambda m: 0 if m is None else (1 if m.group(1) else -1)  # noqa: E731
    return g(after), g(before[-1] if before else None)


def _mention_features(f: dict[str, float], idx: TextIndex, q: Quote, ms: list[Mention]) -> None:
    """Where and how the candidate is mentioned around quotation q (its nearest mention before
    and after it in the paragraph, what stands between), written into row f."""
    text = idx.text
    lo, hi = idx.paragraphs[q.paragraph]
    par = [m for m in ms if lo <= m.start < hi]
    f["in_par"] = float(bool(par))
    f["n_par"] = float(len(par))
    f["n_prev_par"] = float(sum(1 for m in ms if m.start < lo))
    f["n_next_par"] = float(sum(1 for m in ms if m.start >= hi))
    f["n_pronoun"] = float(sum(1 for m in par if m.how == "pronoun"))
    f["is_narrator"] = float(any(m.how == "narrator" for m in ms))
    before = [m for m in par if m.end <= q.start]
    after = [m for m in par if m.start >= q.end]
    if before:
        m = max(before, key=lambda m: m.end)
        gap = text[m.end:q.start]
        f["before_dist"] = float(q.start - m.end)
        f["verb_between_before"] = float(reporting_between(text, m.end, q.start))
        f["quote_between_before"] = float(bisect_left(idx.starts, q.start) > bisect_left(idx.starts, m.end))
        f["sentence_between_before"] = float(bool(_SENTENCE_END.search(gap)))
        f["addressed_before"] = float(bool(_ADDRESS_BEFORE.search(text[max(0, m.start - 30):m.start])))
        f["opens_sentence_before"] = float(opens_sentence(text, lo, m.start))
    if after:
        m = min(after, key=lambda m: m.start)
        gap = text[q.end:m.start]
        f["after_dist"] = float(m.start - q.end)
        f["verb_between_after"] = float(reporting_between(text, q.end, m.start))
        f["sentence_between_after"] = float(bool(_SENTENCE_END.search(gap)))
        tail = text[m.end:m.end + 25]
        f["verb_next_to"] = float(bool(REPORTING_RE.match(tail.lstrip(" ,")))) if m.start - q.end < 30 else 0.0


def _addressed_in(idx: TextIndex, ms: list[Mention], p: int) -> bool:
    """Whether the candidate is spoken to in paragraph p ("I asked the hotel commissionaire"):
    in a conversation the one addressed answers next."""
    lo, hi = idx.paragraphs[p] if 0 <= p < len(idx.paragraphs) else (0, 0)
    return any(lo <= m.start < hi and _ADDRESS_BEFORE.search(idx.text[max(0, m.start - 30):m.start]) for m in ms)


def _answers(prev_to: str | None) -> str | None:
    """The last one spoken to, if a person: he answers in a conversation; an audience ("the
    delegates") or a document addressed does not take the next turn."""
    if not prev_to or kind_of(prev_to) != "person":
        return None
    # a description in the plural is a body of people ("delegates", "the workers of all lands")
    plural = prev_to[:1].islower() and prev_to.split()[-1].endswith("s")
    return None if plural else prev_to


def _turn_features(f: dict[str, float], name: str, last: list[str | None], prev_to: str | None,
                   ahead: list[Quote]) -> None:
    """Who spoke the last three turns, who was spoken to last, who the rules found speaking next."""
    f["prev1"] = float(same_name(name, last[0]))
    f["prev2"] = float(same_name(name, last[1]))
    f["prev3"] = float(same_name(name, last[2]))
    f["prev1_to"] = float(same_name(name, prev_to))
    for n, x in enumerate(ahead, 1):
        if same_name(name, x.speaker):
            f[f"next{n}"] = 1.0
            f["next_rule_explicit"] = max(f["next_rule_explicit"], float(x.speaker_basis == "explicit"))


def speaker_features(idx: TextIndex, i: int, cands: list[Candidate], by: dict[str, list[Mention]],
                     prev: list[str | None], prev_to: str | None = None) -> list[list[float]]:
    """One row of SPEAKER_FEATURES per candidate. `prev_to` is the one the last quotation was
    decided to be spoken to: in PDNC's novels he speaks next in 86% of implicit turns, and
    where no other clue says so (he did not speak two turns back) in one in eight."""
    prev_to = _answers(prev_to)
    q = idx.quotes[i]
    text = idx.text
    qtext = text[q.start:q.end]
    ctx = memo(idx, ("context", i), lambda: quote_context(idx, i))
    pq = memo(idx, ("prev", i), lambda: prev_quotes(idx, i))
    prev_text = text[pq[0].start:pq[0].end] if pq else ""
    last = prev[::-1] + [None, None, None]
    fam = family(q.speaker_method)
    g_after, g_before = memo(idx, ("genders", i), lambda: adjacent_genders(idx, q))
    desc = memo(idx, ("described", i), lambda: described(idx, q))
    ahead = memo(idx, ("next", i), lambda: next_quotes(idx, i))
    rows: list[dict[str, float]] = []
    for c in cands:
        f = dict.fromkeys(SPEAKER_FEATURES, 0.0)
        f.update(ctx)
        f["before_dist"] = f["after_dist"] = FAR
        f["prev_pars_gap"] = float(q.paragraph - pq[0].paragraph) if pq else 9.0
        f["prev1_same_par"] = float(bool(pq) and pq[0].paragraph == q.paragraph)
        f["prev1_prev_par"] = float(bool(pq) and pq[0].paragraph == q.paragraph - 1)
        f["next1_new_par"] = float(bool(ahead) and ahead[0].paragraph != q.paragraph)
        if c.name is None:
            f["nobody"] = 1.0
            rows.append(f)
            continue
        if c.origin == "rule" and is_rules(c, q.speaker):
            f["rule_pick"] = 1.0
            f[f"rule_{fam}"] = 1.0
            f["rule_explicit"] = float(q.speaker_basis == "explicit")
            f["rule_resolved"] = float(q.speaker_basis == "resolved")
            f["rule_inferred"] = float(q.speaker_basis == "inferred")
        _mention_features(f, idx, q, by.get(c.name, []))
        _turn_features(f, c.name, last, prev_to, ahead)
        spoken_features(f, idx, i, c.name)
        f["voc_in_quote"], f["voc_in_prev"] = memo(idx, ("named", i, c.name),
                                                   partial(_vocatives, c.name, qtext, prev_text, idx.given))
        k = kind_of(c.name)
        f[f"kind_{k}"] = 1.0 if f"kind_{k}" in f else 0.0
        f["honorific"] = float(c.name.split()[0].rstrip(".") in HONORIFICS)
        g = gender_of(idx, c.name)
        f["gender"] = float(g)
        f["pron_agree_after"] = float(g * g_after)
        f["pron_agree_before"] = float(g * g_before)
        f["salience"] = math.log1p(idx.counts.get(c.name.split()[-1], 0))
        f["description"] = float(c.name[:1].islower())
        description_features(f, c.name, g, desc)
        f["addressed_prev_par"] = float(_addressed_in(idx, by.get(c.name, []), q.paragraph - 1))
        rows.append(f)
    # rank by distance among the named candidates
    dists = sorted({min(r["before_dist"], r["after_dist"]) for r in rows if not r["nobody"]})
    for r in rows:
        r["n_cands"] = float(len(cands) - 1)
        r["rank_dist"] = float(dists.index(min(r["before_dist"], r["after_dist"]))) if not r["nobody"] else 99.0
    return [[r[k] for k in SPEAKER_FEATURES] for r in rows]


def recipient_features(idx: TextIndex, i: int, cands: list[Candidate], by: dict[str, list[Mention]],
                       prev: list[str | None], speaker: str | None,
                       base: list[list[float]] | None = None, prev_to: str | None = None) -> list[list[float]]:
    """One row of RECIPIENT_FEATURES per candidate: the speaker's features (`base`, when the
    caller has them already: they are the same rows) plus who speaks."""
    q = idx.quotes[i]
    if base is None:
        base = speaker_features(idx, i, cands, by, prev, prev_to)
    last = prev[-1] if prev else None
    out = []
    for c, row in zip(cands, base):
        extra = [0.0] * 5
        if c.name is not None:
            extra[0] = float(same_name(c.name, speaker))
            extra[1] = float(same_name(c.name, last))
            if is_rules(c, q.recipient):
                extra[2] = 1.0
                extra[3] = float(q.recipient_basis == "explicit")
                extra[4] = float(q.recipient_basis == "inferred")
        out.append(row + extra)
    return out
