"""The full name a name written short stands for, in the ranker's candidates: a given name alone
("Bill") the full name the text writes it in ("Bill Gorton"), a title alone ("Mademoiselle") the one
person the text names under it. The rules expand names in `entities.NameIndex.canonical_proper`
with the parser's persons; these read the names as written, the rules' full names and the
narrator's, so that one person is one candidate under one name."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..entities import BARE_TITLE_RATIO, HONORIFICS, KIN_TITLES, inner_title

DOMINANT = 4  # times more often than any other full name of the same given name, to stand for it


def given_names(keys: Counter[str], gender: dict[str, int] | None = None) -> dict[str, str]:
    """A given name used alone ("Bill") to the full name the text writes it in ("Bill Gorton"):
    the guide's canonical name is the fullest form the source gives. Only where one full name
    starts with it, or one is used DOMINANT times more than the others ("Robert Cohn", once
    "Robert Prentiss"), and at least twice, and no one else bears its surname; not "John"
    between "John Andrew" and "John Beaver", nor a title. Never where the text calls the one
    "he" and the other "she" (`gender`, from `name_genders`): a man's name followed by a word
    that makes it his wife's is another person."""
    gender = gender or {}
    fuller: dict[str, Counter[str]] = {}
    firsts: dict[str, set[str]] = {}  # surname -> the first words written before it
    for k, n in keys.items():
        w = k.split()
        if len(w) >= 2 and w[0].rstrip(".") not in HONORIFICS:  # "Mr. Campbell" may be Mike Campbell
            firsts.setdefault(w[-1], set()).add(w[0])
            if w[0].isalpha():
                fuller.setdefault(w[0], Counter())[k] += n
    out = {}
    for first, forms in fuller.items():
        (top, n), *rest = forms.most_common(2)
        # once may be a misreading ("Margaret Oniton"); and a family's surname would make "Tom"
        # one with "Thomas Gradgrind" and "Louisa Gradgrind" wherever names match by surname
        if n >= 2 and (not rest or n >= DOMINANT * rest[0][1]) and firsts[top.split()[-1]] == {first}:
            if gender.get(first, 0) * gender.get(top, 0) < 0:
                continue
            out[first] = top
    for k in keys:  # "Uncle Reggie": the title of kin with the given name is that full name too
        w = k.split()
        if len(w) == 2 and w[0] in KIN_TITLES and w[1] in out:
            out[k] = out[w[1]]
    return out


def written_in_full(ruled: Iterable[str], author: str | None) -> Counter[str]:
    """The full names among the rules' names of the quotations (`ruled`) and the narrator's:
    names the text writes in full somewhere, if only inside a quotation ("She's going to marry
    Mike Campbell"), which the mentions outside the quotations may never show; each counts as two
    mentions, so that `given_names` may make "Mike" (told apart by no other "Mike ...") that person."""
    full = {n for n in ruled if _full_name(n)}
    if author and _full_name(author):
        full.add(author)
    return Counter({n: 2 for n in full})


def _full_name(name: str) -> bool:
    words = name.split()
    return 2 <= len(words) <= 3 and all(w[:1].isupper() for w in words) and words[0].rstrip(".") not in HONORIFICS


def titled_names(keys: Counter[str], bare: Counter[str]) -> dict[str, str]:
    """A title used alone as a name ("said Mademoiselle") to the full name the text writes under it
    ("Mademoiselle Reisz"), as `given_names` does a given name: one full name, or one used DOMINANT
    times more than the others, at least twice; and, as `NameIndex.titled`, used by name at least
    a third as often as alone (BARE_TITLE_RATIO): not "the General" of a novel that names a
    General Perovski once. `keys` counts names as written and as the rules gave them, `bare`
    titles written alone."""
    forms: dict[str, Counter[str]] = {}
    for k, n in keys.items():
        w = k.split()
        if len(w) >= 2 and w[0].rstrip(".") in HONORIFICS and w[1][:1].isupper() and not inner_title(k):
            forms.setdefault(w[0].rstrip("."), Counter())[k] += n
    out: dict[str, str] = {}
    for title, written in forms.items():
        (top, n), *rest = written.most_common(2)
        if n >= 2 and (not rest or n >= DOMINANT * rest[0][1]) and n * BARE_TITLE_RATIO >= bare.get(title, 0):
            out[title] = out[title + "."] = top
    return out
