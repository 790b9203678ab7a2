"""Who "I" is: the author a source's metadata names, a narrator given by name, or, in a text
told in the first person with no metadata, the name the other speakers call the narrator by."""
from conftest import by_text, run

from quoteprov.attribution.narrator import cited_documents, narrator_of, outermost
from quoteprov.discourse import author_of
from quoteprov.markers import find_markers
from quoteprov.source import make_source
from quoteprov.spans import find_spans

# a first-person story: the narrator never names himself; the others call him Tom
STORY = (
    "I came down to the harbour early and found my friends at the inn.\n"
    '"Good morning, Tom," Mary said. "You are late again."\n'
    '"The train was slow," I said.\n'
    '"Sit down, Tom," Paul said. "We have ordered the fish."\n'
    "I sat down beside them and looked at the boats. My coat was wet through.\n"
    '"Tom, have you heard from your brother?" Mary asked.\n'
    '"Not since May," I said.\n'
    '"Never mind, Tom. He will write," said Paul.\n'
    "I drank my coffee and watched the rain on the glass.\n"
    '"Shall we walk, Tom?" asked Mary.\n'
    '"If it clears," I said.\n'
    '"Then it is settled, Tom," said Paul, and he paid.\n'
)


def narrator(text: str) -> str | None:
    src = make_source(text, "t")
    return narrator_of(src, outermost(find_spans(src, find_markers(src))))


def test_the_narrator_of_a_first_person_story_is_the_name_the_others_call_him():
    r = by_text(run(STORY), "Not since May")
    assert r.speaker == "Tom" and r.speaker_span.text == "I"


def test_a_given_name_and_a_surname_spoken_under_a_title_are_one_narrators_full_name():
    # friends call him Tom, the porter and the landlady "Mr. Hale": he is Tom Hale
    polite = "".join(f'"Your bag, Mr. Hale," the porter said, "is {w}."\n'
                     for w in ("here", "heavy", "wet", "ready", "late"))
    assert narrator(STORY + polite) == "Tom Hale"


def test_a_name_also_spoken_under_a_title_is_a_surname_and_takes_no_other():
    # "Watson" and once "Dr. Watson": a surname already, not a given name to join to "Mr. Hale"
    story = STORY.replace("Tom", "Watson").replace('"Sit down, Watson,"', '"Sit down, Dr. Watson,"')
    polite = "".join(f'"Your bag, Mr. Hale," the porter said, "is {w}."\n'
                     for w in ("here", "heavy", "wet", "ready", "late"))
    assert narrator(story + polite) == "Watson"


def test_the_authors_name_from_the_metadata_wins():
    # the guide: a first-person narrator is the source's author, when the metadata names one
    r = by_text(run(STORY, "Jane Author"), "Not since May")
    assert r.speaker == "Jane Author"


def test_a_narrator_given_by_name_wins_over_the_author():
    src = make_source(STORY, "t", {"author": "Jane Author", "narrator": "Thomas Hale"})
    assert narrator_of(src, []) == "Thomas Hale"


def test_a_story_told_in_the_third_person_has_no_narrator_named_from_its_dialogue():
    # Tom is called by name as often, but nobody says "I" outside the quotation marks
    third = STORY.replace('," I said', '," Tom said').replace("I came", "Tom came").replace(
        "my friends", "his friends").replace("I sat", "Tom sat").replace("My coat", "His coat").replace(
        "I drank my", "Tom drank his")
    assert narrator(STORY) == "Tom"
    assert narrator(third) is None


def test_the_title_page_names_the_author_not_the_title_a_translator_or_a_dedication():
    assert author_of(make_source("The Harbour\nby Jane Author\nTranslated by C. J. Smith\nChapter one.\n", "x")) \
        == "Jane Author"
    assert author_of(make_source("Persuasion\nby\nJane Author\nChapter one.\n", "x")) == "Jane Author"
    assert author_of(make_source("Oliver Crane\nA story.\nIt was cold.\n", "x")) is None
    assert author_of(make_source("A NIGHTMARE\nTo Edmund Bentley\nIt was cold.\n", "x")) is None


# a memoir that cites in full a statement another man signed: inside it, "I" is the signer
MEMOIR = (
    "General Petrov wrote down what had happened that night. I cite his statement in full.\n"
    "*       *       *       *       *\n"
    "At ten o'clock I was called to the Minister. He was pale and tired.\n"
    '"General," said he, "the troops will not obey me."\n'
    '"That is true," I answered, "and I cannot make them."\n'
    "I left him in his study and went back to my quarters.\n"
    "Commanding the Second Division,\n"
    "Major-General Petrov.\n"
    "*       *       *       *       *\n"
    'So ended his career. "It was bound to end so," I said to my friends.\n'
)


def cited(text: str) -> dict[int, str]:
    src = make_source(text, "t")
    return cited_documents(src.text, src.paragraphs, outermost(find_spans(src, find_markers(src))))


def test_inside_a_document_cited_in_full_i_is_its_signer():
    records = run(MEMOIR, author="Jane Doe")
    answer = by_text(records, "That is true")
    assert answer.speaker == "General Petrov"  # the fullest form the text wrote before the statement
    assert by_text(records, "the troops will not obey").speaker != "Jane Doe"
    assert by_text(records, "bound to end").speaker == "Jane Doe"  # after it, the narrator again
    assert cited(MEMOIR) == {k: "General Petrov" for k in range(2, 8)}


def test_a_signature_needs_a_closing_formula_or_a_rule_after_it():
    # a heading with a name over a section told by the narrator is no signature
    text = ("I met many men in Moscow:\nI saw him often that winter.\nPETROV\n"
            "He was the commander of the division and I liked him.\n")
    assert cited(text) == {}
    # nor is a line of verse whose last word is a name the text never wrote
    verse = ("He sang this song:\nI had a pot of honey,\nIt had a label on,\nSaying HUNNY.\n*   *   *\n")
    assert cited(verse) == {}
