"""Citations parsed from a note's text, by rules (annotation guide, section 5a).

Why rules and not a library: `refextract` 1.1.7 (the maintained reference extractor) was tried
on footnotes of this genre. It is built for the reference lists of physics papers: it gave
`Vol I.` as the author of "Vide Blackstone's Commentaries, Vol I., p. 257.", left the pages,
place and publisher of a footnote in an unparsed `misc` string, has no notion of `Ibid.` or
`op. cit.`, gives no offsets, and pulls in PDF and network dependencies. Footnotes of
histories follow a few printed conventions (a lead word such as `See`/`Vide`, an author, a
title in italics or quotation marks, `vol.`, `p.`, a place and a year, `Ibid.`), which rules
read with every field's exact span, and a field the rules do not find stays empty.

Every field is a `Field` (start, end, text) with offsets into the *source*, so a reader can
check it like any other value of the dataset. A citation that resolves (`Ibid.`, `op. cit.`,
`loc. cit.`, a short form) carries the fields of the full citation it refers to (their spans
are in that citation's note) with its own pages or volume where it gives them, and is marked
`resolved` with the id of the note it resolved to. A note with no recognisable title (a
comment, a bare name) has no citation: it is never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

from .records import Span

FIELDS = ("author", "title", "periodical", "volume", "issue", "place", "publisher", "date", "pages",
          "archive", "fond", "opis", "delo")
FORMS = ("full", "ibid", "op-cit", "loc-cit", "short")
# fields an Ibid./op. cit. may give itself (they override the work's); the rest is the work's
LOCATORS = ("volume", "issue", "pages")


# a citation field is a span of the source like any evidence: `source[start:end] == text`
Field = Span


@dataclass(frozen=True)
class Citation:
    start: int  # the citation's stretch of the note, offsets into the source
    end: int
    text: str
    form: str  # full | ibid | op-cit | loc-cit | short
    fields: dict[str, Field | None] = field(default_factory=dict)
    resolved: bool = False  # fields taken from the full citation it refers to
    resolved_to: str | None = None  # id of the note that holds that full citation

    def get(self, name: str) -> str | None:
        f = self.fields.get(name)
        return f.text if f else None

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "form": self.form,
                "resolved": self.resolved, "resolved_to": self.resolved_to,
                **{k: (f.to_dict() if (f := self.fields.get(k)) else None) for k in FIELDS}}


# -- the printed conventions (closed classes of English and Latin citation practice) ---------

# words that introduce a citation and belong to no field
_LEAD = re.compile(r"(?:(?:See|Vide|Cf\.|Compare|Consult|Quoted\s+(?:in|by|from)|Cited\s+in|In|Also|also|see|vide|cf\.)"
                   r"(?:\s+also)?[\s,:]+)+")
_IBID = re.compile(r"(?:Ibid(?:em)?|Id(?:em)?)\b\.?", re.IGNORECASE)
_OPCIT = re.compile(r"\bop\.\s?cit\b\.?", re.IGNORECASE)
_LOCCIT = re.compile(r"\bloc\.\s?cit\b\.?", re.IGNORECASE)
_ITALIC = re.compile(r"_([^_\n]+?)_")
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d\n]{2,200}?)[\"\u201d]")
_VOLUME = re.compile(r"\b(?:[Vv]ol(?:ume)?s?\.?|[Tt]ome|[Tt]\.|Bd\.)\s?([IVXLCDM]+\b|[ivxlcdm]+\b|\d+\b)")
_ISSUE = re.compile(r"\b(?:[Nn]o\.|[Nn]os\.|[Nn]umber|[Ii]ssue|#)\s?(\d+(?:[-\u2013]\d+)?|[IVXLC]+)\b")
_PAGES = re.compile(r"\b(?:pp?\.|[Pp]ages?|[Pp]ag\.|S\.)\s?(\d+(?:\s?(?:[-\u2013]+|,\s?|\s?and\s)\s?\d+)*(?:\s?ff?\.)?)")
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
          r"|Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)")
_DATE = re.compile(rf"(?:\b\d{{1,2}}(?:st|nd|rd|th)?\s{_MONTH},?\s|{_MONTH}\s\d{{1,2}},?\s|{_MONTH},?\s)?\b(1[4-9]\d\d|20[0-2]\d)\b")
# "(London: Allen & Unwin, 1920)": place, publisher, year
_IMPRINT = re.compile(r"\(([A-Z][\w .'\-]+?):\s?([^,():]+?),\s?(?:[^()]*?\s)?(1[4-9]\d\d|20[0-2]\d)\)")
_PUBLISHED = re.compile(r"\bpublished\s+by\s+(?:Messrs\.\s+)?([A-Z][^,.;()]*?)(?=\s+in\s|\s*[,.;()]|$)")
# "London, 1887": a capitalised place name right before the year, after the title
_PLACE_YEAR = re.compile(r"(?<![\w'])([A-Z][a-z]+(?:[- ][A-Z][a-z]+)?),\s(?=(?:\d{1,2}\s)?(?:[A-Z][a-z]+\.?\s)?(?:1[4-9]\d\d|20[0-2]\d)\b)")
# the author after `by`/`par`: capitalised words, with the particles of names (l', de, van, von)
_BY = re.compile(r"(?:,\s|\s)(?:by|par|von)\s+((?:(?:l['\u2019]|d['\u2019]|de\s|du\s|van\s|von\s)?"
                 r"[A-Z][\w'\u2019\-]*\.?\s?){1,5})")
_ARCHIVE = re.compile(r"\b([A-Z][A-Za-z]{1,9}[A-Z])[,\s]+(?=f\.|fond\b)")
_FOND = re.compile(r"(?:\bf\.|\bfond)\s?((?:[A-Z]{1,2}-?)?\d+[\w\-]*)")
_OPIS = re.compile(r"(?:\bop\.|\bopis['\u2019]?)\s?(\d+[\w\-]*)")
_DELO = re.compile(r"(?:\bd\.|\bdelo)\s?(\d+[\w\-]*)")
# a name: initials and capitalised words ("A. Toubeau", "V. Schoelcher", "Pfeffel")
_NAME = re.compile(r"(?:(?:[A-Z]\.\s?){1,3}|(?:[A-Z][a-z\u00e0-\u00ff'\u2019\-]+\s)){0,3}[A-Z][a-z\u00e0-\u00ff'\u2019\-]+")
_POSSESSIVE = re.compile(r"((?:(?:[A-Z]\.\s?){1,3})?[A-Z][a-z\u00e0-\u00ff\-]+)['\u2019]s\s")
_LOCATOR_AHEAD = re.compile(r"\s?[,.:]?\s?(?:[Vv]ol|[Tt]ome|pp?\.|[Pp]age|[Cc]hap|[Bb]ook|[Ss]ec|[Aa]rt)")
_TITLE_WORDS = re.compile(r"[A-Z][\w'\u2019\-]*(?:\s(?:(?:of|the|and|on|in|de|des|du|la|le|et|for|to|a)\s)*[A-Z][\w'\u2019\-]*)*")
_NEXT_WORK = re.compile(r"\s+(?:See|Vide|Cf\.|Compare|Consult|Ibid|Idem|Id\.|[\"\u201c_][A-Z])")
_PAGE_AHEAD = re.compile(r"\s?[,.:]?\s?(?:[Vv]ol|pp?\.|[Pp]age)")
_ABBREV = {"vol", "vols", "no", "nos", "p", "pp", "ed", "eds", "chap", "ch", "cf", "op", "cit", "loc", "ibid", "id",
           "trans", "art", "sec", "mr", "mrs", "dr", "st", "messrs", "ff", "f", "d", "tr", "comp", "abbr"}


def _segments(text: str) -> list[tuple[int, int]]:
    """Where one citation may stop and the next begin: at `;` outside brackets and quotes, and
    at a sentence end followed by a lead word or Ibid. (a second work in the same note)."""
    out, depth, quote, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
            if not depth and not quote and _NEXT_WORK.match(text, i + 1):
                out.append((start, i + 1))
                start = i + 1
        elif ch == "-" and text.startswith("--", i) and not depth and not quote and \
                re.match(r"--[A-Z]", text[i:]) and i > start:
            # "...nothing."--Spirit of Laws: the dash sets off the work a quotation is from
            out.append((start, i))
            start = i + 2
        elif ch in "\"\u201c\u201d":
            quote = (not quote) if ch == '"' else ch == "\u201c"
        elif ch == ";" and not depth and not quote:
            out.append((start, i))
            start = i + 1
        elif ch == "." and not depth and not quote:
            word = re.search(r"(\w+)$", text[start:i])
            rest = text[i + 1:]
            closed = word is None and i > start and text[i - 1] in ")\"\u201d_"
            if (closed or word and word.group(1).lower() not in _ABBREV and len(word.group(1)) > 1) and \
                    _NEXT_WORK.match(rest):
                out.append((start, i + 1))
                start = i + 1
    out.append((start, len(text)))
    spans = []
    for a, b in out:
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg.rstrip())
        if seg.strip():
            spans.append((a + lead, a + trail))
    return spans


def _f(base: int, seg_start: int, m: re.Match[str] | None, group: int = 1) -> Field | None:
    if m is None or m.group(group) is None:
        return None
    s, e = m.span(group)
    return Field(base + seg_start + s, base + seg_start + e, m.group(group))


def _strip_field(fl: Field | None, chars: str = " ,.:;") -> Field | None:
    if fl is None:
        return None
    t = fl.text
    lead = len(t) - len(t.lstrip(chars))
    t2 = t.strip(chars)
    if not t2:
        return None
    return Field(fl.start + lead, fl.start + lead + len(t2), t2)


def _outside(m: re.Match[str], taken: list[tuple[int, int]]) -> bool:
    return all(m.end() <= a or m.start() >= b for a, b in taken)


def _is_name(text: str) -> bool:
    t = text.strip(" ,:")
    return bool(t) and len(t.split()) <= 5 and bool(_NAME.fullmatch(t)) and not _IBID.fullmatch(t)


def _locators(seg: str, fields: dict[str, Field | None], F: Callable[..., Field | None], after: int,
              taken: list[tuple[int, int]]) -> None:
    """The imprint, volume, issue, pages, date and archival file of a full citation, into
    `fields` (`after`: where the title ends; `taken`: the spans title and periodical hold)."""
    imprint = _IMPRINT.search(seg)
    if imprint:
        fields["place"], fields["publisher"] = _strip_field(F(imprint, 1)), _strip_field(F(imprint, 2))
    else:
        pub = _PUBLISHED.search(seg)
        fields["publisher"] = _strip_field(F(pub)) if pub else None
        pl = _PLACE_YEAR.search(seg, after)
        if pl and _outside(pl, taken):
            fields["place"] = F(pl)
    for name, rx in (("volume", _VOLUME), ("issue", _ISSUE), ("pages", _PAGES)):
        m = next((m for m in rx.finditer(seg) if _outside(m, taken)), None)
        fields[name] = F(m)
    dates = [m for m in _DATE.finditer(seg) if _outside(m, taken)]
    if dates:
        fields["date"] = _strip_field(F(dates[0], 0))
    arch = _ARCHIVE.search(seg)
    fields["archive"] = F(arch) if arch and _FOND.search(seg) else None
    fields["fond"] = F(_FOND.search(seg))
    fields["opis"] = F(_OPIS.search(seg)) if fields["fond"] else None
    fields["delo"] = F(_DELO.search(seg)) if fields["fond"] else None


def parse_segment(seg: str, base: int, seg_start: int) -> Citation | None:
    """One stretch of a note as a citation, or None when it names no work (no title, no archive
    file, no Ibid./op. cit.): the note keeps its text and nothing is guessed."""
    lead = _LEAD.match(seg)
    body0 = lead.end() if lead else 0
    absolute = (base + seg_start, base + seg_start + len(seg))

    def F(m: re.Match[str] | None, g: int = 1) -> Field | None:
        return _f(base, seg_start, m, g)

    fields: dict[str, Field | None] = {k: None for k in FIELDS}

    ib = _IBID.match(seg, body0)
    if ib and (ib.end() == len(seg) or seg[ib.end()] in " ,.;:"):
        fields["pages"] = F(_PAGES.search(seg, ib.end()))
        fields["volume"] = F(_VOLUME.search(seg, ib.end()))
        return Citation(*absolute, seg, "ibid", fields)
    for rx, form in ((_OPCIT, "op-cit"), (_LOCCIT, "loc-cit")):
        m = rx.search(seg)
        if m:
            who = seg[body0:m.start()].rstrip(" ,")
            if not _is_name(who):
                return None
            fields["author"] = Field(base + seg_start + body0, base + seg_start + body0 + len(who), who)
            fields["pages"] = F(_PAGES.search(seg, m.end()))
            fields["volume"] = F(_VOLUME.search(seg, m.end()))
            return Citation(*absolute, seg, form, fields)

    taken: list[tuple[int, int]] = []
    italics = [m for m in _ITALIC.finditer(seg) if _title_ok(seg, m, body0, bool(lead))]
    quoted = [m for m in _QUOTED.finditer(seg) if _title_ok(seg, m, body0, bool(lead))]
    title_m = periodical_m = None
    if quoted:
        title_m = quoted[0]
        periodical_m = next((m for m in _ITALIC.finditer(seg) if m.start() > title_m.end()
                             and re.search(r"\b(?:in|In)\s*$", seg[title_m.end():m.start()])), None)
    elif italics:
        title_m = italics[0]
    title = _strip_field(F(title_m)) if title_m else None
    if title_m:
        taken.append(title_m.span())
    if periodical_m:
        fields["periodical"] = _strip_field(F(periodical_m))
        taken.append(periodical_m.span())

    author = None
    if title is not None and title_m is not None:
        inner = title_m.group(1)
        # "_Kropotkin: In Russian and French Prisons._": an author's name inside the italics
        m = re.match(r"([^:]{2,40}):\s+(\S.*)", inner)
        if m and _is_name(m.group(1)):
            s0 = title_m.start(1)
            author = Field(base + seg_start + s0, base + seg_start + s0 + len(m.group(1)), m.group(1))
            title = _strip_field(Field(base + seg_start + s0 + m.start(2), base + seg_start + s0 + m.end(2), m.group(2)))
        before = seg[body0:title_m.start()]
        art = re.fullmatch(r"([A-Z][^,;:]{1,60}),\s*(?:article|s\.v\.|under)\s*", before)
        if art and fields["periodical"] is None:
            # "Encyclopedia, article "Empire."": the work the article is in
            fields["periodical"] = Field(base + seg_start + body0, base + seg_start + body0 + art.end(1), art.group(1))
        if author is None and not art:
            pm = _POSSESSIVE.search(before)
            if pm and before[pm.end():].strip() == "":
                author = _f(base, seg_start + body0, pm)
            elif _is_name(before) and before.rstrip().endswith((",", ":")):
                stripped = before.rstrip(" ,:")
                author = Field(base + seg_start + body0, base + seg_start + body0 + len(stripped), stripped)
    else:
        # no marked title: "Blackstone's Commentaries, Vol I., p. 257" -- a possessive author and
        # a capitalised title followed by a locator; without both, this is no citation
        pm = _POSSESSIVE.match(seg, body0)
        if pm:
            tm = _TITLE_WORDS.match(seg, pm.end())
            if tm and _LOCATOR_AHEAD.match(seg, tm.end()):
                author, title = F(pm), F(tm, 0)
                taken.append(tm.span())
        else:
            tm = _TITLE_WORDS.match(seg, body0)
            # (two words at least: one capitalised word before a page is a surname, a short form)
            if tm and _PAGE_AHEAD.match(seg, tm.end()) and not _IBID.fullmatch(tm.group()) and len(tm.group().split()) > 1:
                title = F(tm, 0)
                taken.append(tm.span())
    if title is None and not _FOND.search(seg):
        return None  # no title and no archival file: a comment, not a citation
    if author is None and title is not None:
        bm = _BY.search(seg, title_m.end() if title_m else 0)
        if bm and _outside(bm, taken) and not re.search(r"(?:published|edited|printed)\s*$", seg[:bm.start() + 1]):
            author = _strip_field(F(bm))
    fields["author"], fields["title"] = author, title

    _locators(seg, fields, F, title_m.end() if title_m else 0, taken)
    return Citation(*absolute, seg, "full", fields)


_AFTER_TITLE = re.compile(r"[\s,.;:]*(?:$|\(|[Vv]ols?\b|[Tt]ome\b|pp?\.|[Pp]ages?\b|[Cc]hap|by\b|par\b|in\b|ed\.|trans|"
                          r"published|edited|translated|two\b|three\b|[Nn]o\.|[A-Z][a-z]+(?:[- ][A-Z][a-z]+)?,\s(?:\d|[A-Z][a-z]+\s\d)|\d|--)")
_BEFORE_TITLE = re.compile(r"(?:['\u2019]s|\b(?:article|entitled|Entitled|in|In|of|my\s+book|book|work|pamphlet|essay"
                           r"|[Ss]ee|[Vv]ide|[Cf]f\.|[Cc]onsult|[Cc]ompare)),?\s*$")


def _title_ok(seg: str, m: re.Match[str], body0: int, lead: bool) -> bool:
    """A quoted or italic stretch is a title (not a quotation, a phrase or an emphasis) when it
    is short and stands where a title stands: after a lead word (`See`, `Vide`), an author
    (`Burgh's`, `Pfeffel,`) or `article`/`entitled`/`in`, and before the end of the citation, a
    locator, `by`, a bracket, a place and year. A stretch with nothing before it and nothing
    after it (a note that is one quotation) is not taken for a title."""
    if len(m.group(1).split()) > 15:
        return False
    before = seg[body0:m.start()]
    after = seg[m.end():]
    if not _AFTER_TITLE.match(after):
        return False
    if before.strip() == "":
        return lead or bool(after.strip(" .,;:"))
    if _BEFORE_TITLE.search(before):
        return True
    head = before.rstrip()
    return head.endswith((",", ":")) and _is_name(head)


def parse_note(text: str, base: int) -> list[Citation]:
    """The citations of one note (text at source offset `base`), before resolution."""
    out = []
    for a, b in _segments(text):
        c = parse_segment(text[a:b], base, a)
        if c is not None:
            out.append(c)
    return out


def _surname(f: Field | None) -> str | None:
    if f is None:
        return None
    words = re.findall(r"[A-Z][\w\u00e0-\u00ff'\u2019\-]+", f.text)
    return words[-1].lower() if words else None


_SHORT = re.compile(r"((?:[A-Z]\.\s?){0,3}[A-Z][a-z\u00e0-\u00ff'\u2019\-]+)(?:,\s[^,]{1,60}?)?,\s(?=pp?\.|[Vv]ol)")


def short_form(seg: str, base: int, seg_start: int) -> Citation | None:
    """`Avrich, p. 12` or `Avrich, Kronstadt, p. 12`: a surname (and short title) and a locator."""
    if _OPCIT.search(seg) or _LOCCIT.search(seg):
        return None  # op. cit. / loc. cit. have their own form
    lead = _LEAD.match(seg)
    body0 = lead.end() if lead else 0
    m = _SHORT.match(seg, body0)
    if not m:
        return None
    fields: dict[str, Field | None] = {k: None for k in FIELDS}
    fields["author"] = _f(base, seg_start, m)
    fields["pages"] = _f(base, seg_start, _PAGES.search(seg, m.end()))
    fields["volume"] = _f(base, seg_start, _VOLUME.search(seg, m.end()))
    return Citation(base + seg_start, base + seg_start + len(seg), seg, "short", fields)


def resolve(notes: Iterable[tuple[str, str, int]]) -> list[list[Citation]]:
    """Citations of a source's notes in reading order, with Ibid., op. cit., loc. cit. and short
    forms resolved (guide 5a). `notes` gives (note id, note text, its source offset).

    `Ibid.` takes the work of the previous citation; `op. cit.`, `loc. cit.` and a short form
    take the last full citation whose author has that surname. What cannot be resolved keeps its
    form with `resolved: false` and only the fields it prints.
    """
    out: list[list[Citation]] = []
    last: tuple[Citation, str] | None = None  # the previous citation (resolved), its note id
    by_author: dict[str, tuple[Citation, str]] = {}
    titles: list[tuple[Citation, str]] = []
    for note_id, text, base in notes:
        cites: list[Citation] = []
        for a, b in _segments(text):
            seg = text[a:b]
            sf = short_form(seg, base, a)
            c = sf if sf is not None and _surname(sf.fields["author"]) in by_author else parse_segment(seg, base, a)
            if c is None:
                c = short_form(seg, base, a)
                if c is None or _surname(c.fields["author"]) not in by_author:
                    continue  # a name and a page that match no work cited before: a comment
            if c.form == "full":
                # a title that an earlier full citation's title begins with, and nothing else
                # of a work (`_Theses_` after `_Theses presented to the Second Congress..._`): a
                # short title, which names that work
                short = _short_title(c, titles)
                if short is not None:
                    c = _inherit(replace(c, form="short"), *short)
                    last = (c, short[1])
                    cites.append(c)
                    continue
                if c.fields["title"] is not None:
                    titles.append((c, note_id))
                sn = _surname(c.fields["author"])
                if sn:
                    by_author[sn] = (c, note_id)
                last = (c, note_id)
            elif c.form == "ibid":
                if last is not None:
                    c = _inherit(c, *last)
                    last = (c, last[1])
            else:
                hit = by_author.get(_surname(c.fields["author"]) or "")
                if hit is not None:
                    c = _inherit(c, *hit)
                    last = (c, hit[1])
            cites.append(c)
        out.append(cites)
    return out


def _short_title(c: Citation, titles: list[tuple[Citation, str]]) -> tuple[Citation, str] | None:
    t = c.get("title")
    if not t or any(c.fields.get(k) for k in FIELDS if k not in ("title",) + LOCATORS):
        return None
    for work, nid in reversed(titles):
        full = work.get("title") or ""
        if len(full) > len(t) and full.startswith(t) and not full[len(t)].isalnum():
            return work, nid
    return None


def _inherit(c: Citation, work: Citation, note_id: str) -> Citation:
    fields = {k: work.fields.get(k) for k in FIELDS}
    for k in LOCATORS:
        if c.fields.get(k) is not None:
            fields[k] = c.fields[k]
    return replace(c, fields=fields, resolved=True, resolved_to=work.resolved_to or note_id)
