"""Descriptions that are titles of named people: "the count" is the last Count the text named,
"her mother" the Mrs. of her family name. Pure functions over the rules' context."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..discourse import Who
from ..entities import HONORIFICS
from .context import Ctx, clean, outside, span_of

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
