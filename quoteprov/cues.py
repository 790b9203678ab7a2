"""Closed word classes of English that attribution relies on (general English, no source's names).

Reporting verbs are matched by their inflected forms, generated here from the base forms, so
that the pipeline needs no lemmatizer.
"""
from __future__ import annotations

import re

# verbs that report speech, writing or a stated view; `add` as in "he added"
_REPORTING = """
say tell declare write state assert insist argue claim maintain add note remark observe
announce proclaim exclaim cry shout reply answer respond retort explain complain protest warn
urge demand ask inquire wonder recall recount relate report describe acknowledge admit concede
confess deny affirm aver contend charge accuse denounce condemn brand call term dub label hail
praise pledge promise vow swear suggest propose predict prophesy conclude agree object
lament deplore boast recollect remember reflect comment opine put quote cite summarize emphasize
stress repeat reiterate mention telegraph cable testify confide whisper scream
regard consider believe think feel hold reason plead appeal challenge threaten assure inform
question
advise instruct order command decree resolve vote address characterize dismiss mock ridicule
murmur mutter blurt stammer stutter falter gasp sob shriek yell bawl growl sneer hiss grumble
mumble rejoin interpose enquire interrupt interject enunciate pant echo admonish
""".split()

# the verbs whose past is not regular (all of their forms but -s and -ing)
_IRREGULAR = {
    "say": ["said"], "tell": ["told"], "write": ["wrote", "written"], "think": ["thought"],
    "feel": ["felt"], "hold": ["held"], "swear": ["swore", "sworn"], "put": ["put"],
    "speak": ["spoke", "spoken"], "send": ["sent"],
}
# verbs of more than one syllable stressed on the last, which double their final consonant
# (admit -> admitted); verbs of one syllable ending in one vowel and one consonant do it too
# (dub -> dubbed), which `_doubles` sees from the spelling
_DOUBLING = frozenset("admit commit omit permit submit refer prefer confer aver".split())
# a final -l after one vowel is doubled in British spelling and not in American (labelled, labeled)
_BRITISH_L = frozenset("label cancel signal".split())
_VOWELS = "aeiou"


def _doubles(base: str) -> bool:
    """Whether the final consonant is doubled before -ed and -ing."""
    if base in _DOUBLING:
        return True
    groups = sum(1 for i, c in enumerate(base) if c in _VOWELS and (i == 0 or base[i - 1] not in _VOWELS))
    return (groups == 1 and len(base) >= 3 and base[-1] not in _VOWELS + "wxy" and base[-2] in _VOWELS
            and base[-3] not in _VOWELS)


def _forms(base: str) -> set[str]:
    """The base form and its inflections: -s, -ing, and the past (regular, or `_IRREGULAR`)."""
    e_final = base.endswith("e") and not base.endswith("ee")  # quote (not agree)
    y_final = base.endswith("y") and base[-2] not in _VOWELS  # deny (not say)
    if base.endswith(("s", "sh", "ch", "x", "z")) or base.endswith("o") and base[-2] not in _VOWELS:
        third = base + "es"  # stress -> stresses, echo -> echoes
    elif y_final:
        third = base[:-1] + "ies"  # deny -> denies
    else:
        third = base + "s"
    if e_final:
        ing, ed = base[:-1] + "ing", base + "d"  # quoting, quoted
    elif y_final:
        ing, ed = base + "ing", base[:-1] + "ied"  # denying, denied
    elif base.endswith("ee"):
        ing, ed = base + "ing", base + "d"  # agreeing, agreed
    elif _doubles(base):
        ing, ed = base + base[-1] + "ing", base + base[-1] + "ed"  # dubbing, dubbed
    else:
        ing, ed = base + "ing", base + "ed"
    out = {base, third, ing, *_IRREGULAR.get(base, [ed])}
    if base in _BRITISH_L:
        out |= {base + "led", base + "ling"}
    return out


REPORTING_VERBS: frozenset[str] = frozenset(f for b in _REPORTING + ["speak"] for f in _forms(b))
# verbs by which a body issues a document ("The Soviet passed a resolution expressing ..."): the
# body speaks the document's words; one who only reads or receives it does not
# a gesture a writer puts where a speech tag would be ("Kamenev laughed." before his words): its
# past and present, the tenses of narration
GESTURE_VERBS: frozenset[str] = frozenset(f for b in "laugh smile nod shrug sigh grin chuckle frown hesitate pause smirk giggle".split()
                                          for f in _forms(b) if f != b and not f.endswith("ing"))
# one turns to whom one speaks to ("turned to the Mensheviki and shouted")
TURNING_VERBS: frozenset[str] = frozenset(_forms("turn"))
ISSUING_VERBS: frozenset[str] = frozenset(f for b in ("pass", "adopt", "issue", "send", "publish", "sign", "draft",
                                                      "write", "address", "carry", "approve") for f in _forms(b))
# right after a closing quotation mark, a short subject and a reporting verb ('"...?" Bill asked',
# '" said the old man', '," Mr. Pell replied'): the words are reported, and the cue is theirs
CUE_AFTER = re.compile(r"[\s,;]*(?:[A-Za-z][\w.'\u2019-]*\s+){0,3}(?:" + "|".join(
    sorted(REPORTING_VERBS, key=len, reverse=True)) + r")\b")

# any verb in the past as a quotation's tag, which `CUE_AFTER` does not list ('"Goodness!"
# William interjected.', '"Yes!" pursued Mr. Emerson, smiling'): a name, he/she/I or "the" and a
# noun (up to three words) and the verb, or the verb and then its subject, then a pause or an
# adverb. It only keeps the tag in the quotation's sentence for the parser, which decides.
_PAST = r"(?:[a-z]+ed|began|broke|spoke|went\s+on|put\s+in|broke\s+in|burst\s+out)"
_TAG_SUBJECT = r"(?:[A-Z][\w.'\u2019-]*(?:[ \t]+[A-Z][\w.'\u2019-]*){0,2}|he|she|I|they|we|the[ \t]+\w+)"
TAG_AFTER = re.compile(rf"[ \t]*(?:{_TAG_SUBJECT}[ \t]+{_PAST}|{_PAST}[ \t]+{_TAG_SUBJECT})"
                       r"(?:[ \t]*[,.;:!]|[ \t]+[a-z]+ly\b|[ \t]+(?:in|as|and)\b)")


def tag_follows(text: str, pos: int, end: int) -> bool:
    """Whether a speech tag starts at `pos` (right after a closing mark): a reporting verb
    (`CUE_AFTER`) or any verb in a tag's place (`TAG_AFTER`), read up to `end`."""
    return bool(CUE_AFTER.match(text, pos, end) or TAG_AFTER.match(text, pos, end))

# verbs by which hearers answer, as one, words said to them ("to which the audience responded")
RESPONDING_VERBS: frozenset[str] = frozenset(
    f for b in "respond answer reply cheer applaud roar laugh".split() for f in _forms(b))

# verbs of a speaker going on: "he continued" in a new paragraph is still the last speaker
CONTINUING_VERBS = frozenset({"went", "goes", "going"} | {f for b in "continue add resume repeat pursue persist proceed".split()
                                                         for f in _forms(b)})

_ANSWERS = "answer|reply|response|rejoinder|retort"
# '"...," was Marilla's dry response': the possessor answers, by name
# ('"...," was all Lady Vane's reply')
# ('"...," was Helen s answer': an apostrophe a text lost, set as a space; '"...," was the firm
# reply of Mr. Limbkins': the one named after "of"; '"...?" came Tibby's voice')
_REPLY_NOUNS = (rf"(?:{_ANSWERS}|remark|comment|exclamation|observation|assurance|voice|question|contribution|"
                r"explanation|greeting|suggestion|verdict|excuse|objection|reproach|words|order|warning|advice|"
                r"command|cry|call|shout|salutation|message|appeal|demand|slogan|declaration|reasoning|language|"
                r"apostrophe|exhortation|speech|argument|protest|entreaty|request|inquiry|enquiry|plea|lament|"
                r"confession|promise|rebuke|compliment|farewell|admonition|instruction)")
# words spoken as the object of a reporting verb ("called anxious admonitions", "shouted a
# warning"): the verb still tells who is talking, unlike "declared a hunger strike"
SPEECH_NOUNS = frozenset(re.findall(r"[a-z]+", _REPLY_NOUNS)) - {"voice", "language", "reasoning"}


def speech_noun(word: str) -> bool:
    """A noun of words spoken, singular or plural ("admonitions"; the parser keeps no lemmas)."""
    w = word.lower()
    return w in SPEECH_NOUNS or (w.endswith("s") and w[:-1] in SPEECH_NOUNS)


# the possessor: a name, or "the" and a noun ('"Oui, Madame," was the croupier's polite reply')
# ('"...!" was the call addressed by the workmen of the city to the Soviet': "by" and a description;
# '"...," came the reply from the Right': the side it came from)
_WAS = r"[\s,\"'\u201d\u2019]*(?:--|\u2014|\u2013)?\s*(?:was|were|came)\s+(?:all\s+|only\s+)?"
REPLY_BY = re.compile(rf"{_WAS}(?:(?:((?:[A-Z][\w.]*\s+){{0,3}}[A-Z]\w*)|"
                      rf"the\s+([a-z]+))(?:['\u2019]| )s\s+(?:[a-z]+\s+){{0,2}}{_REPLY_NOUNS}\b|(?:the|a)\s+(?:[a-z]+\s+){{0,2}}"
                      rf"{_REPLY_NOUNS}\s+(?:of|from|(?:(?:addressed|issued|sent|raised|made)\s+)?by)\s+"
                      rf"(?:((?:[A-Z][\w.]*\s+){{0,3}}[A-Z]\w*)|the\s+((?:[\w'\u2019-]+\s+){{0,4}}[\w'\u2019-]+)))")
# '"Take the power!"--is what the workman of the city wanted to say to the Soviet': the one
# who meant the words ("what X said", "what X wanted to say")
WHAT_SAID = re.compile(r"[\s,\"'\u201d\u2019]*(?:--|\u2014|\u2013)?\s*(?:is|was|were|are)\s+(?:just\s+|exactly\s+)?what\s+"
                       r"(?:((?:[A-Z][\w.]*\s+){0,3}[A-Z]\w*)|the\s+((?:[\w-]+\s+){0,2}?[a-z]+))\s+"
                       r"(?:[a-z]+\s+){0,3}?(?:say|said|says|meant|means|wrote|writes|cried|shouted|demanded)\b")
# after such a cue, the one the words were said to: "were his last words to me", "to the Soviet"
REPLY_TO = re.compile(r"(?:\s+[a-z]+ly)?\s+to\s+(?:(me|us)\b|(?:the\s+)?((?:[A-Z][\w.'\u2019-]*\s+(?:and\s+(?:the\s+)?)?){0,4}"
                      r"[A-Z][\w'\u2019-]*)|the\s+([a-z]+)\b(?!\s+[a-z]+\b))")
# 'and Elizabeth's reply was, "..."', 'Mary's declaration was, "..."', 'his answer was: "..."': the
# same words, the possessor before the quotation (the text up to its opening mark)
REPLY_BEFORE = re.compile(rf"(?:((?:[A-Z][\w.]*\s+){{0,3}}[A-Z]\w*)(?:['\u2019]| )s|\b([Mm]y|[Hh]is|[Hh]er|[Tt]heir))\s+"
                          rf"(?:[a-z]+\s+){{0,2}}{_REPLY_NOUNS}\s+(?:was|were)\s*[,:]?\s*[\"'\u201c\u2018]$")
# '"...," was his answer', 'was all that he permitted himself' is not; 'was my reply': the pronoun's own
REPLY_OWNED = re.compile(rf"{_WAS}(my|his|her|their)\s+"
                         rf"(?:[a-z]+\s+){{0,2}}{_REPLY_NOUNS}\b")
# '"...," was the answer', 'came the reply': an answer to the one asked before, not named there
REPLY_AFTER = re.compile(r"[\s,\"'\u201d\u2019]*(?:was|came)\s+(?:the|his|her|their)\s+(?:[a-z]+\s+){0,2}"
                         rf"(?:{_ANSWERS})\b")

# verbs that put a question, told as a clause ("I asked him how he liked it"): words quoted next
# with no cue of their own are the answer
ASKING_VERBS: frozenset[str] = frozenset(f for b in "ask inquire enquire question".split() for f in _forms(b))
# verbs that answer: the one who answers a question is the one it was put to
ANSWERING_VERBS: frozenset[str] = frozenset(f for b in "answer reply respond rejoin retort".split() for f in _forms(b))
# what opens an indirect question ("how he liked it", "whether he would stay")
INDIRECT_QUESTION_OPENERS: frozenset[str] = frozenset(
    "how what when where why who whom whose which whether if".split())

# days and months: capitalised, and no part of a name they stand before ("On Wednesday Diana came")
CALENDAR_WORDS = frozenset("""Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
May June July August September October November December""".split())

# nouns of a manner of speaking: "in a low voice", "with an indignant look", "in a kinder tone"
MANNER_NOUNS = frozenset("""voice voices tone tones manner look looks air smile glance grin frown sigh laugh whisper
murmur accent gesture shrug nod grumble growl sneer undertone undertones whispers tremor""".split())

_ABSTRACT = re.compile(r"(?:ness|ity|ance|ence|tion|sion|ment|tude|ism)$")


def manner_noun(word: str, bare: bool = False) -> bool:
    """A noun of how something is said: a voice, tone or look ("in a low voice", "with an
    indignant look"), or, without an article (`bare`), an abstract noun by its suffix ("with mock
    sadness", "in astonishment", "with great emphasis"); not a thing a person has ("the man with
    the black beard", "a man with a third-class ticket taking possession of ...")."""
    w = word.lower()
    return w in MANNER_NOUNS or (bare and len(w) > 6 and _ABSTRACT.search(w) is not None)


# verbs whose `to`-object or indirect object is the addressee
ADDRESSING_VERBS: frozenset[str] = frozenset(
    f for b in "say tell write declare explain complain protest appeal address report reply answer "
               "speak announce telegraph cable confide whisper shout cry assure inform advise "
               "instruct order promise pledge swear confess admit preach put express".split() for f in _forms(b))
# verbs whose direct object is the addressee (told X, assured X, asked X)
OBJECT_ADDRESSEE_VERBS: frozenset[str] = frozenset(
    f for b in "tell assure inform advise instruct order ask urge warn remind address answer admonish".split()
    for f in _forms(b))

# verbs whose subject takes words in, not gives them: "Everywhere I heard the same story: ..."
HEARING_VERBS = frozenset("hear hears heard hearing overhear overhears overheard overhearing".split())

# nouns of communication: "a letter to X", "in his manifesto", "Marx's address to ..."
COMMUNICATION_NOUNS = frozenset("""
letter letters note message telegram cable memorandum memo appeal address speech declaration
manifesto proclamation platform program programme resolution report statement article essay
pamphlet book memoir memoirs diary petition leaflet broadside editorial interview lecture sermon
testimony confession circular decree order reply answer contention remark words slogan slogans
preface introduction thesis theses treatise manuscript journal newspaper review
exhortation motto maxim watchword inscription inscriptions placard banner
""".split())

# verbs of opinion: they report a view, more weakly than verbs of saying; a quotation they
# govern is preferably attributed to a verb of saying nearby
OPINION_VERBS = frozenset(f for b in "regard consider believe think feel hold reason wonder".split()
                          for f in _forms(b))
# verbs that talk about a word: '"proletariat" means "proletariat"'
MEANING_VERBS = frozenset("mean means meant signify signifies signified denote denotes denoted".split())
# common nouns that denote people (general English): a description with one of these heads can
# be a speaker ("an obviously hungry working man ... remarked")
PERSON_NOUNS = frozenset("""
man men woman women person people one someone somebody anyone worker workers peasant peasants
official officials representative representatives delegate delegates leader leaders friend friends
comrade comrades soldier soldiers student students writer author speaker member members
historian observer critic critics minister commissar ambassador consul colleague colleagues
associate associates interrogator interrogators prisoner prisoners guard guards visitor stranger
boy girl child children father mother wife husband son daughter brother sister priest teacher
doctor engineer journalist correspondent reporter chairman president secretary spokesman
""".split())

# nouns that name a deliberative body addressed by speeches
ASSEMBLY_NOUNS = frozenset("""
congress conference convention assembly parliament senate council soviet session plenum meeting
synod diet duma rally convocation committee
""".split())

# words that introduce a term rather than reported words
TERM_LEADS = ("so-called", "so called", "such words as", "such terms as", "words such as",
              "terms such as", "the word", "the words", "the term", "the terms", "the phrase",
              "the expression", "the slogan", "the label", "the name", "the epithet", "the notion of",
              "the concept of", "known as", "called", "dubbed", "termed", "labelled", "labeled",
              "styled", "word", "term")

# leads that make a term even of a capitalised phrase (which would otherwise pass for a title)
STRONG_TERM_LEADS = ("so-called", "so called", "such words as", "such terms as", "the slogan", "the term",
                     "the word", "the words", "the phrase", "the label", "the epithet")

# nouns that introduce a title: "the song 'X'", "the stanza of the 'X'"
TITLE_LEADS = frozenset("""
book novel poem song hymn anthem stanza verse chapter article essay pamphlet journal newspaper
magazine review paper play opera film series entitled titled called column
""".split())

PERSON_PRONOUNS = frozenset("he him his she her hers himself herself".split())


def pronoun_gender(word: str) -> int:
    """+1 for he/him/his/himself, -1 for she/her/hers/herself, else 0 (the pronoun a speaker or
    antecedent is named by; a "his" remembered for someone is a he as much as a "he" is)."""
    w = word.lower()
    return 1 if w in ("he", "him", "his", "himself") else -1 if w in ("she", "her", "hers", "herself") else 0

# nouns for a man or a woman in English ("said the girl", "his mother answered"); with the
# suffixes below (-man, -ess) they give a description the gender a he/she would
MALE_NOUNS = frozenset("man boy lad gentleman father husband son brother uncle nephew grandfather king prince duke "
                       "lord sir master monk fellow chap youth bridegroom widower squire waiter host landlord "
                       "bachelor grandson stepfather papa daddy".split())
FEMALE_NOUNS = frozenset("woman girl lady mother wife daughter sister aunt niece grandmother queen maid maiden "
                         "widow bride nun lass madam dame matron spinster granddaughter stepmother mamma mama "
                         "mummy housewife".split())


def noun_gender(word: str) -> int:
    """+1 for a noun naming a man ("the gentleman", "the policeman"), -1 for a woman ("the
    girl", "the duchess"), else 0 ("the doctor", "the stranger")."""
    w = word.lower()
    if w in MALE_NOUNS:
        return 1
    if w in FEMALE_NOUNS:
        return -1
    if w.endswith(("woman", "women", "maid", "maids")):
        return -1  # housemaid, milkmaid
    if w.endswith(("man", "men")) and len(w) > 4 and not w.endswith(("human", "german")):
        return 1  # policeman, chairman, footman; not German
    if w.endswith("ess") and w not in ("business", "address", "witness", "access", "process", "success"):
        return -1  # duchess, hostess, governess
    return 0


# verbs that link a subject to a description: "He was a 'bourgeois specialist'" reports no words
COPULAS = frozenset("be is was are were been being am seem seems seemed become becomes became remain remains "
                    "remained".split())
PLURAL_PRONOUNS = frozenset("they them their theirs themselves".split())
THING_PRONOUNS = frozenset("it its itself".split())
FIRST_PERSON = frozenset("i me my mine myself".split())
# the narrator's "we": a party's memoir speaks for it ("we retorted", "they told us"), when the
# source's metadata says whom it stands for (`we`)
FIRST_PLURAL = frozenset("we us our ours ourselves".split())
# no one at all: never what a later he, she or they stands for ("nobody felt certain ... she said")
NEGATIVE_PRONOUNS = frozenset("nobody none nothing".split())


def is_document_noun(word: str) -> bool:
    """`letter`, `letters`, `resolutions`: a noun of communication, singular or plural."""
    return word in COMMUNICATION_NOUNS or (word.endswith("s") and word[:-1] in COMMUNICATION_NOUNS)
