"""The word lists attribution relies on (`cues`, `entities`, `discourse`): every form real English,
no word listed twice, and the small functions that read them.

"Real English" is judged by lemminflect's lexicon (its data ships inside the package): a verb
form must have a verb lemma there, a noun a lemma of any part of speech; the inflections
`cues._forms` generates must be the ones lemminflect gives for the base.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from quoteprov import cues, discourse, entities
from quoteprov.records import Span
from quoteprov.source import make_source

lemminflect = pytest.importorskip("lemminflect")  # in the test extra

PACKAGE = Path(cues.__file__).parent
LEXICONS = ("cues.py", "entities.py", "discourse.py")
# words of the lists that are not English words, each with why it is there
NOT_ENGLISH = {
    "programme", "organisation", "labelled",  # British spellings lemminflect (American) lacks
    "duma", "plenum",  # in English dictionaries (a Russian assembly; a full meeting), not in lemminflect's
}


def _split_strings(module: str) -> list[tuple[int, list[str]]]:
    """(line, words) of every string literal the module splits into words (`"a b c".split()`)."""
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "split"
                and not node.args and isinstance(node.func.value, ast.Constant)):
            out.append((node.lineno, node.func.value.value.split()))
    return out


def _is_verb_form(word: str) -> bool:
    return bool(lemminflect.getAllLemmas(word, upos="VERB")) or bool(lemminflect.getAllInflections(word, upos="VERB"))


def _is_word(word: str) -> bool:
    return any(lemminflect.getAllLemmas(word, upos=pos) or lemminflect.getAllInflections(word, upos=pos)
               for pos in ("NOUN", "VERB", "ADJ", "ADV", "PROPN"))


@pytest.mark.parametrize("module", LEXICONS)
def test_no_word_is_listed_twice(module):
    for line, words in _split_strings(module):
        dupes = sorted({w for w in words if words.count(w) > 1})
        assert dupes == [], f"{module}:{line}: listed twice: {dupes}"
    # the reporting verbs are a string split at module level, checked the same way
    assert len(cues._REPORTING) == len(set(cues._REPORTING)), "a reporting verb is listed twice"


def test_a_word_names_one_kind():
    seen: dict[str, str] = {}
    for kind, words in entities.KIND_WORDS.items():
        for w in words.split():
            assert w not in seen, f"entities.KIND_WORDS: {w!r} is listed under {seen[w]} and {kind}"
            seen[w] = kind


@pytest.mark.parametrize("base", sorted(set(cues._REPORTING) | {"speak", "preach", "remind", "nod", "grin", "turn"}))
def test_generated_inflections_are_the_english_ones(base):
    got = cues._forms(base)
    table = lemminflect.getAllInflections(base, upos="VERB")
    assert table, f"{base!r} is not an English verb"
    english = {base} | {f for forms in table.values() for f in forms}
    assert got <= english, f"{base}: not English: {sorted(got - english)}"
    for tag in ("VBD", "VBG", "VBZ"):  # the usual form of each is generated (dub: dubbed, not dubed)
        assert table[tag][0] in got, f"{base}: {tag} {table[tag][0]!r} missing from {sorted(got)}"


@pytest.mark.parametrize("name", ["REPORTING_VERBS", "ADDRESSING_VERBS", "OBJECT_ADDRESSEE_VERBS", "OPINION_VERBS",
                                  "MEANING_VERBS", "CONTINUING_VERBS", "ISSUING_VERBS", "GESTURE_VERBS", "TURNING_VERBS"])
def test_every_verb_form_is_english(name):
    bad = sorted(w for w in getattr(cues, name) if not _is_verb_form(w))
    assert bad == [], f"cues.{name}: not English verb forms: {bad}"


@pytest.mark.parametrize("words", [
    cues.COMMUNICATION_NOUNS, cues.PERSON_NOUNS, cues.ASSEMBLY_NOUNS, cues.TITLE_LEADS,
    frozenset(w for ws in entities.KIND_WORDS.values() for w in ws.split()),
], ids=["communication", "person", "assembly", "title-leads", "kind-words"])
def test_every_content_word_is_english(words):
    bad = sorted(w for w in words if w not in NOT_ENGLISH and not _is_word(w))
    assert bad == [], f"not English words: {bad}"


def test_known_bugs_stay_fixed():
    # the forms a naive suffixing produced (issue 14)
    for wrong in ("dubed", "denys", "stresss", "holded", "telled", "sayed", "admited", "cryed", "quotd"):
        assert wrong not in cues.REPORTING_VERBS
    for right in ("dubbed", "denies", "stresses", "held", "told", "said", "admitted", "cried", "quoted", "agreed"):
        assert right in cues.REPORTING_VERBS


# --- behaviour -------------------------------------------------------------------------------

def test_document_nouns_singular_and_plural():
    assert cues.is_document_noun("letter") and cues.is_document_noun("letters")
    assert cues.is_document_noun("theses") and cues.is_document_noun("resolutions")
    assert not cues.is_document_noun("man") and not cues.is_document_noun("congress")


@pytest.mark.parametrize("name,label,kind", [
    ("the Central Committee", None, "group"), ("Workers' Opposition", None, "group"),
    ("the Communist Manifesto", None, "document"), ("Daily Gazette", None, "publication"),
    ("The New York Times", None, "publication"), ("Alexandra Kollontai", "PERSON", "person"),
    ("Acme", "ORG", "group"), ("Acme", "NORP", "group"), ("Something", "WORK_OF_ART", "publication"),
    ("Somebody", None, "person"), ("the Anarchists", None, "group"), ("Parisians", None, "group"),
    ("the Trotskyites", None, "group"), ("Holmes", None, "person"),
])
def test_kind_of_a_name_by_its_head_word_then_its_label(name, label, kind):
    assert entities.kind_of(name, label) == kind


def test_leading_function_words_are_stripped_not_names():
    assert entities.strip_leading_stop(["When", "The", "Party", "Congress"]) == ["Party", "Congress"]
    assert entities.strip_leading_stop(["According", "to", "Lenin"]) == ["Lenin"]
    assert entities.strip_leading_stop(["Lenin", "said"]) == ["Lenin", "said"]
    assert entities.strip_leading_stop(["The", "the"]) == []


def test_name_index_expands_a_surname_to_its_only_fuller_form():
    text = "Alexandra Kollontai spoke first. Then Kollontai wrote again. In Paris Miasnikov waited."
    idx = entities.name_index(text, [{"name": "Vladimir Lenin", "aliases": ["Lenin", "Ilyich"]}])
    assert idx.canonical_proper("Kollontai") == "Alexandra Kollontai"
    assert idx.canonical_proper("Ilyich") == "Vladimir Lenin"  # the registry first
    assert idx.canonical_proper("Miasnikov") == "Miasnikov"  # "Paris Miasnikov" follows a preposition
    assert idx.canonical_proper("Nobody") == "Nobody"


def test_names_are_read_in_prose_lines_only():
    # a heading line and the paragraph under it are two lines: no name runs over the break; a
    # line of capitals only (a heading, a table of contents) is not read for names at all; an
    # adverb capitalised because it opens a sentence is no part of the name after it
    text = ("They fought.\nCHAPTER VII\nTO THE FRONT WITH ORLOVA\nWomen of all ranks came. The women said so.\n"
            "XXI VASIN, THE MYSTERY MAN      199\nThe commander, a charming man, came. Instantly Vasin's anger rose "
            "and Vasin left instantly. Each Commissar spoke. She read the _Evening Gazette_ daily.")
    idx = entities.name_index(text)
    assert idx.canonical_description("women", text.index("The women")) is None
    assert idx.canonical_description("man", text.index("a charming")) is None
    assert idx.canonical_proper("Vasin") == "Vasin"  # no "Instantly Vasin" to expand to
    assert idx.canonical_proper("Commissar") == "Commissar"  # "Each" is a determiner
    assert "Evening Gazette" in idx.fuller_forms and "Evening Gazette_" not in idx.fuller_forms


def test_a_description_resolves_to_the_latest_name_with_its_head():
    text = "The Workers' Group Manifesto appeared. The Party Manifesto followed. Then the manifesto was read."
    idx = entities.name_index(text)
    # the head as the mention has it, capitalised where the name has it so
    assert idx.canonical_description("manifesto", text.index("Then")) == "Party Manifesto"
    assert idx.canonical_description("manifesto", 0) == "Workers' Group Manifesto"  # none before: the first after
    lower = entities.name_index("The Workers' Group manifesto appeared. Then the manifesto was read.")
    assert lower.canonical_description("manifesto", 40) is None  # a name ends at its last capital
    assert idx.canonical_description("congress", 10) is None


def test_rough_sentences_split_at_end_punctuation_before_a_capital():
    text = 'He spoke. "Go!" she said. Then 3 men left... and one stayed.'
    parts = [text[a:b] for a, b in discourse.rough_sentences(text, 0, len(text))]
    assert "".join(parts) == text
    assert parts[0] == "He spoke. " and parts[1].startswith('"Go!')
    assert discourse.rough_sentences(text, 5, 5) == [(5, 5)]


def test_rough_sentences_keep_a_title_with_its_name_and_a_cue_with_its_quotation():
    text = 'He met Mrs. Ford there. "Is it late?" Bill asked. "No." It was dark.'
    parts = [text[a:b] for a, b in discourse.rough_sentences(text, 0, len(text))]
    assert "".join(parts) == text
    assert parts == ['He met Mrs. Ford there. ', '"Is it late?" Bill asked. ', '"No." ', 'It was dark.']


def test_author_from_the_manifest_or_a_title_page_line():
    assert discourse.author_of(make_source("Some text.\n", "x", {"author": "A. Writer"})) == "A. Writer"
    assert discourse.author_of(make_source("MEMOIRS\nJohn Smith\nChapter one begins.\n", "x")) == "John Smith"
    assert discourse.author_of(make_source("It was a cold day in the city.\n", "x")) is None


def test_the_most_salient_earlier_mention_resolves_a_pronoun():
    def who(name: str, start: int, kind: str = "person") -> discourse.Who:
        return discourse.Who(name, Span(start, start + len(name), name), "explicit", kind)

    d = discourse.Discourse()
    d.remember(who("Tomsk", 3, "place"), 2)
    d.remember(who("Radek", 10), 0)
    d.sentence_no += 1
    d.remember(who("Bukharin", 40), 2)  # an object of the next sentence: counts as a sentence older
    assert d.resolve("person", 60).name == "Radek"  # the subject wins over the later object
    d.remember(who("Zinoviev", 50), 0)
    assert d.resolve("person", 60).name == "Zinoviev"
    assert d.resolve("person", 45).name == "Radek"  # only mentions before the pronoun
    assert d.resolve("thing", 60) is None  # places never, persons not for "it"
    assert who("X", 0).inferred().basis == "inferred"


def test_a_possessive_is_not_taken_for_a_sentence_subject():
    # "..., Miss Orlova's head one way": the subject is the head, not Miss Orlova
    text = "We slept in one berth, Miss Orlova\u2019s head one way and mine the other."
    assert [m.group(1) for m in discourse.SUBJECT_NAME.finditer(text)] == ["We"]  # a stop word, dropped later
    assert discourse.SUBJECT_NAME.search("At the congress, Bukharin rose to speak.").group(1) == "Bukharin"


def test_the_person_nouns_are_general_english_from_wordnet() -> None:
    # the shipped list (training/make_person_nouns.py) loads, and reads English morphology:
    # singulars of people are persons, their plurals groups, words for things are neither
    from quoteprov.entities import person_noun

    assert [person_noun(w) for w in ("commissionaire", "nephew", "sentry", "leather-worker")] == ["person"] * 4
    assert [person_noun(w) for w in ("delegates", "workmen", "women", "crowd", "congress")] == ["group"] * 5
    assert [person_noun(w) for w in ("answer", "banner", "mistakes", "stops", "train")] == [None] * 5


def test_a_name_never_used_as_a_place_is_not_one():
    text = ("Vardelin spoke first. Later Vardelin took the map. We went to Moscow.\n"
            "In Moscow the snow fell. Moscow was cold.\n")
    names = ["Vardelin", "Vardelin", "Moscow", "Moscow", "Moscow"]
    got = entities.unplaced_names(text, names)
    assert "Vardelin" in got and "Moscow" not in got
    assert entities.unplaced_names("Vardelin spoke.", ["Vardelin"]) == frozenset()  # once is not enough


def test_a_names_gender_from_its_title_or_the_pronouns_after_it():
    text = "Ivanov came in and he sat down. Ivanov laughed, and he left. Vera said she would stay. Vera wept and she left."
    import re
    occ = [(m.group(), m.end()) for m in re.finditer(r"Ivanov|Vera", text)]
    votes = entities.gender_votes(text, occ)
    assert votes == {"Ivanov": 1, "Vera": -1}
    assert entities.title_gender("Mrs. Vane") == -1 and entities.title_gender("Mr. Holt") == 1
    assert entities.title_gender("Holt") == 0


def test_a_full_name_takes_its_own_or_its_given_names_gender_not_its_familys():
    # the surname's vote is the family's: "Price" is mostly her brother William here
    text = ("William Price came in and he sat down. William Price laughed, and he left. "
            "Price said he would stay. Price wept and he left. Fanny said she would go. "
            "Fanny wept and she left. Then Fanny Price arrived.")
    import re
    occ = [(m.group(), m.end()) for m in re.finditer(r"(?:William |Fanny )?Price|Fanny(?! Price)", text)]
    votes = entities.gender_votes(text, occ)
    assert entities.voted_gender(votes, "Fanny Price") == -1
    assert entities.voted_gender(votes, "William Price") == 1
    # a name the text calls both he and she is left undecided, whatever its surname says
    split = {"Edmund": 0, "Bertram": -1}
    assert entities.voted_gender(split, "Edmund Bertram") == 0
    assert entities.voted_gender({"Bertram": -1}, "Maria Bertram") == -1


def test_a_given_name_of_one_sex_decides_where_the_texts_pronouns_do_not():
    import re
    # a man courting a woman is followed by "her" as often as by "his": the text's votes split,
    # and the name itself says he is a man (first_names.txt)
    text = "Ralph looked at her. Ralph gave her the book. Ralph took his hat. Ralph asked her again. Ralph shook his head."
    occ = [(m.group(), m.end()) for m in re.finditer("Ralph", text)]
    assert entities.gender_votes(text, occ)["Ralph"] == 1
    # the text's own clear votes win over the list
    text = "Alice came in and he sat down. Alice laughed, and he left. Alice said he would stay."
    occ = [(m.group(), m.end()) for m in re.finditer("Alice", text)]
    assert entities.gender_votes(text, occ)["Alice"] == 1
    # a word the text writes after a title as a surname is no given name ("Mrs. Abbott")
    text = "Mrs. Abbott came in. Abbott laughed. Abbott went out."
    occ = [(m.group(), m.end()) for m in re.finditer(r"(?<!Mrs\. )Abbott", text)]
    assert entities.voted_gender(entities.gender_votes(text, occ), "Abbott") == 0
    assert entities.given_name_genders("Abbott laughed.", ["Abbott"], {}) == {"Abbott": 1}


def test_she_said_is_not_a_man_the_text_calls_both_he_and_she():
    from conftest import by_text, rules
    text = ("Ralph looked at her. Ralph gave her the book. Ralph took his hat. Ralph asked her again. "
            "Ralph shook his head.\n"
            "Joan looked away. In the course of his life, Ralph had saved three hundred pounds.\n"
            '"I think you would be foolish to risk your money on poor old Charles," she observed.')
    assert by_text(rules(text, {"author": "Ann Ward"}), "I think you would").speaker != "Ralph"
    # a name that opens a sentence only skimmed (no quotation near it) is that sentence's subject,
    # whom the she stands for, when the text capitalises it in mid-sentence too ("Incredible!" is no one)
    text = "Ralph came to see Joan at the door.\n" + text
    assert by_text(rules(text, {"author": "Ann Ward"}), "I think you would").speaker == "Joan"
