"""What a token is by its tags and its place in the parse alone (no memory of the text, no
index): the shapes `who` reads before it asks who a token stands for."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy's own types (it ships them); imported for the checker only
    from spacy.tokens import Doc, Token

from .. import cues
from ..entities import is_person_noun


def one_of_people(tok: "Token") -> bool:
    """"one of the leaders", "one of the Bolsheviki": one of people the text names or describes
    ("one of them" names no one)."""
    if tok.lower_ != "one" or tok.tag_ not in ("CD", "NN", "PRP"):
        return False
    of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    obj = next((g for g in of.children if g.dep_ == "pobj"), None) if of is not None else None
    return obj is not None and (obj.tag_ in ("NNP", "NNPS") or (obj.tag_ == "NNS" and is_person_noun(obj.lower_)))


def capitalised_subject(tok: "Token") -> bool:
    """'"..." said Little, coldly': a name that is also an English word may be tagged an
    adjective, but a capitalised subject inside its sentence is a name."""
    return tok.dep_ == "nsubj" and tok.tag_ in ("JJ", "JJR", "JJS", "VBN") and tok.is_alpha \
        and tok.text[:1].isupper() and not tok.text.isupper() and not tok.is_sent_start \
        and tok.i > 0 and tok.doc[tok.i - 1].text not in ('"', "\u201c", "'", "\u2018")


def voice_owner(tok: "Token") -> "Token | None":
    """The named person whose voice `tok` is: "Hamidullah's voice", "the clear voice of Inspector
    Ratcliffe"; None for any other word, or a voice of no one named ("a voice from the back")."""
    if tok.lower_ not in ("voice", "voices"):
        return None
    for c in tok.children:
        if c.dep_ == "poss" and c.tag_ in ("NNP", "NNPS"):
            return c
        if c.dep_ == "prep" and c.lower_ == "of":
            named = next((g for g in c.children if g.dep_ == "pobj" and g.tag_ in ("NNP", "NNPS")), None)
            if named is not None:
                return named
    return None


def glued_hyphen(doc: "Doc", k: int) -> bool:
    """doc[k] is the hyphen of a hyphened title the tokenizer split ("Lieutenant-Commander")."""
    return doc[k].text == "-" and k > 0 and not doc[k].whitespace_ and not doc[k - 1].whitespace_ \
        and doc[k - 1].tag_ in ("NNP", "NNPS")


def honorific(tok: "Token") -> bool:
    """A title before a name: a short capitalised abbreviation ("Mr.", "Mrs.", "Dr.", "Gen.")."""
    return tok.tag_ == "NNP" and tok.text.endswith(".") and 2 <= len(tok.text) <= 5 and tok.text[0].isupper() \
        and tok.text[:-1].isalpha()


def plural_mention(tok: "Token") -> bool:
    """A mention of more than one: a plural noun or pronoun, or names joined by `and`."""
    return tok.tag_ in ("NNS", "NNPS") or tok.lower_ in cues.PLURAL_PRONOUNS or any(
        c.dep_ == "conj" and c.tag_ in ("NNP", "NNPS", "NN", "NNS") for c in tok.children)


def plural_noun(t: "Token") -> bool:
    """A plural common noun, also where the tagger took a lower-case word for a name
    ("workingmen" as NNP): English writes no name in lower case."""
    return t.tag_ == "NNS" or (t.tag_ in ("NNP", "NNPS") and t.text.islower() and t.text.endswith(("s", "men")))


def dangling_modifiers(noun: "Token") -> bool:
    """'With increasing frequency delegates from the trenches put': modifiers right after a
    preposition that hangs elsewhere are that preposition's object, which the parser gave the noun."""
    mods = [c for c in noun.lefts if c.dep_ in ("compound", "amod", "nmod")]
    first = mods[0].left_edge if mods else None
    before = first.doc[first.i - 1] if first is not None and first.i > 0 else None
    return before is not None and before.dep_ == "prep" and before.tag_ == "IN" and before.head.i != noun.i \
        and noun.head.i != before.i  # not "with Russian delegates": the noun is the object


def medium(prep: "Token") -> bool:
    """'said a clever woman writer in one of the newspapers': `in` a document or publication is
    where the words were said or written, not who the writer is."""
    if prep.lower_ != "in":
        return False
    for g in prep.children:
        if g.dep_ == "pobj" and g.lower_ == "one":  # in one of the newspapers
            g = next((o for c in g.children if c.dep_ == "prep" and c.lower_ == "of"
                      for o in c.children if o.dep_ == "pobj"), g)
        if g.dep_ == "pobj" and cues.is_document_noun(g.lower_):
            return True
    return False


def one_or_other(tok: "Token") -> bool:
    """'"...," said one.', '"...?" said the other.', 'said another', 'said one of them': the
    subject of a reporting verb that stands for one of several people ("one", tagged a number)."""
    v = tok.head
    after = tok.doc[tok.right_edge.i + 1] if tok.right_edge.i + 1 < len(tok.doc) else None
    if v.lower_ not in cues.REPORTING_VERBS or v.dep_ != "ROOT" or not (after is None or after.is_punct):
        return False  # not "asked one wondering labourer": the word alone (or "one of them"), ending its clause
    # '"...," replied the other' (the parser may take the subject after its verb for an object)
    inverted = tok.dep_ in ("nsubj", "dobj") and v.i < tok.i and all(t.tag_ == "DT" for t in tok.doc[v.i + 1:tok.i])
    if not inverted and (tok.dep_ != "nsubj" or any(c.dep_ == "dobj" for c in v.children)):
        return False  # not "as one addresses a total stranger": a speech tag has no object
    kids = list(tok.children)
    if tok.lower_ == "one" and tok.tag_ in ("CD", "NN", "PRP"):
        return not kids or (len(kids) == 1 and kids[0].lower_ == "of" and [g.lower_ for g in kids[0].children] == ["them"])
    if tok.lower_ == "another":
        return not kids
    return tok.lower_ == "other" and any(c.dep_ == "det" and c.lower_ == "the" for c in kids)


RELATIVE_WORDS = 6  # "who had been a nurse": a short clause says which one; a long one tells a story


def identifying_clause(c: "Token") -> bool:
    """A relative clause with "who" right after its noun, without a comma, and short ('the lady
    who had been a nurse'): it says which person the noun is, so the noun is no bare "the lady"
    (the last woman spoken of). A noun that says only man or woman is named with it ("lady who
    had been a nurse"); another noun alone, as the genre's golds name "the hotel commissionaire
    who stood beside me" (`who.description`)."""
    sub = list(c.subtree)
    return c.dep_ == "relcl" and sub[0].lower_ == "who" and sub[0].i == c.head.i + 1 \
        and len(sub) <= RELATIVE_WORDS and not any(t.is_quote or t.is_punct for t in sub)


# words that count or share out what their "of" names ("the number of delegates", "most of them")
QUANTITY = frozenset("number majority minority most many some few all hundreds thousands dozens millions scores "
                     "part rest handful".split())


def counted_rights(tok: "Token") -> list["Token"]:
    """'The number of delegates from the front': the parser hangs the phrase that describes the
    people counted on the count; the words after `tok` that its counting noun governs."""
    of = tok.head if tok.dep_ == "pobj" else None
    count = of.head if of is not None and of.lower_ == "of" and of.dep_ == "prep" else None
    if count is None or count.lower_ not in QUANTITY:
        return []
    return [c for c in count.rights if c.i > tok.i]


def relative_antecedent(rel: "Token") -> "Token | None":
    """The noun a relative pronoun stands for: the head of its relative clause ('Miss Steele, who
    said'), or, after "and" or "but", the noun of the relative clause it is coordinated with
    ('broken by Miss Steele, who seemed disposed for talk, and who now said, "..."': the parser
    hangs the second clause's verb anywhere, here on the sentence's own verb)."""
    head = rel.head
    for _ in range(4):
        if head.dep_ == "relcl":
            return head.head
        head = head.head
    if rel.i > 0 and rel.nbor(-1).lower_ in ("and", "but"):
        for t in reversed(rel.doc[rel.sent.start:rel.i - 1]):
            if t.lower_ == rel.lower_ and t.head.dep_ == "relcl":
                return t.head.head
    return None


def existential(t: "Token") -> bool:
    """t is who a sentence opening "There was a ..." brings on ("There was a Japanese girl in the
    regiment"); not "there was no cousin returned" or "There is the devil to pay"."""
    return t.dep_ == "attr" and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in t.children) and any(
        c.dep_ == "expl" and c.i == t.sent.start for c in t.head.children)
