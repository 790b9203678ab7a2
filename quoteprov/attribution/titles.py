"""Descriptions that stand for people named or described elsewhere: "the count" is the last Count
the text named, "her mother" the Mrs. of her family name, "the officer" the one last described in
full, "said one" one of the people last described together. Pure functions over the rules' context."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import cues
from ..discourse import Who
from ..entities import HONORIFICS, is_person_noun, names_people, singulars
from ..records import Span
from .context import Ctx, clean, outside, span_of
from .token_shapes import plural_noun

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Token


def lower_title(ctx: Ctx, tok: "Token", off: int) -> Who | None:
    """'"Have another brandy," the count said.': a title written as a common noun, with "the"
    and nothing else, is the last person the text named under that title ("Count
    Mippipopolous"), as the capitalised "said the Major" is (`NameIndex.titled`)."""
    title = tok.text.capitalize()
    if not tok.is_lower or title not in HONORIFICS or any(c.dep_ != "det" for c in tok.children) \
            or [c.lower_ for c in tok.lefts] != ["the"]:
        return None
    name = ctx.names.titled(title, off + tok.idx, capitalised=False)
    if name is None:
        return None
    det = next(tok.lefts)
    return Who(name, span_of(ctx, off, [det, tok]), "resolved", "person")


# a parent or spouse bears the family name under the title of his or her sex
_KIN_TITLES = {"mother": "Mrs", "father": "Mr", "wife": "Mrs", "husband": "Mr"}


def parent_or_spouse(ctx: Ctx, tok: "Token", off: int, who_of: Callable[[Ctx, "Token", int], Who | None]) -> Who | None:
    """'"..." said her mother': the mother (father, wife, husband) of the one the possessive
    stands for is the person the text writes "Mrs." ("Mr.") with that one's family name
    ("Elizabeth Bennet" -> "Mrs. Bennet"; the first so written). `who_of` reads the
    possessive (`who.who_of`, passed in: that module calls this one)."""
    title = _KIN_TITLES.get(tok.lower_)
    poss = next((c for c in tok.children if c.dep_ == "poss"), None)
    if title is None or poss is None or not outside(ctx, poss, off):
        return None
    owner = who_of(ctx, poss, off)
    if owner is None or owner.kind != "person" or " " not in owner.name:
        return None  # a given name alone ("her mother" of "Lizzy") tells no family name
    family = owner.name.split()[-1]
    if not family[:1].isupper():
        return None
    written = re.search(rf"\b{title}\.?\s+{re.escape(family)}\b", ctx.text)
    if written is None or written.group() == owner.name:
        return None
    name = ctx.names.canonical_proper(clean(written.group()), ctx.known)
    return Who(name, span_of(ctx, off, [poss, tok]), "resolved", "person")


REMEMBERED_CHARS = 5_000  # how far back "the officer" looks for the fuller description of him
# the nouns that say only that someone is a man or a woman: "the woman" tells no more than "she"
GENERIC_PERSON = frozenset("man woman girl boy lady gentleman lad".split())


def same_person(ctx: Ctx, tok: "Token", toks: list["Token"], name: str, off: int) -> str:
    """A bare definite description ("replied the officer") is the person last described more
    fully with the same head noun ("the second officer in command"), if that was recent; a
    fuller description is remembered for the next bare one."""
    start = off + tok.idx
    bare = len(toks) == 1 and any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children)
    if bare:
        seen = ctx.d.descriptions.get(tok.lower_)
        if seen is not None and 0 < start - seen[0] <= REMEMBERED_CHARS:
            return seen[1]
        if tok.lower_ in GENERIC_PERSON:
            # "'Wounded men!' exclaimed the woman" after "She was a street car conductor": a bare
            # "the woman" is the woman last spoken of, as a "she" would be
            ante = ctx.d.resolve("person", start, cues.noun_gender(tok.lower_), ctx.names.gender)
            if ante is not None and ante.kind == "person" and ante.name:
                return ante.name
    elif len(toks) > 1:
        ctx.d.descriptions[tok.lower_] = (start, name)
    return name


def one_of_them(ctx: Ctx, tok: "Token", off: int, describe: Callable[[Ctx, "Token", int], Who]) -> Who | None:
    """'Two workmen, arguing, were walking in front of me. "...," said one. "...?" said the
    other.' ('said another', 'said one of them'): one of the people last described together
    (`describe`: `who.description`), named by that description as the guide names one the text
    does not; nobody when no such group is in view in the paragraph, or the group has a name."""
    start = off + tok.idx
    # the parser may join the sentence that brings them on to the quotation's ("...me. "...," said one.")
    here = [t for t in tok.sent if t.i < tok.i and t.dep_ in ("nsubj", "nsubjpass") and plural_noun(t)
            and names_people(t.lower_) and outside(ctx, t, off)]
    group = describe(ctx, here[-1], off) if here else ctx.d.resolve("plural", start)
    if group is None or not group.name[:1].islower() or not names_people(group.name.split()[-1]) \
            or group.mention.start < ctx.source.paragraphs[ctx.source.paragraph_of(start)][0]:
        return None  # "The men obeyed, and the two were left alone": a paragraph later, "the other" is one of the two
    if tok.lower_ == "one":
        name = f"one of the {group.name}"
    else:  # "the other workman", "another workman"
        one = next((w for w in singulars(group.name.split()[-1]) if is_person_noun(w)), None)
        name = f"{tok.lower_} {one}" if one else f"{tok.lower_} of the {group.name}"
    return Who(name, Span(start, start + len(tok.text), tok.text), "resolved", "person")
