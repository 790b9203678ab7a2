"""The catalogue of rules: every value a record's `method` can hold, defined once, with what it means.

A record names, for each of `span`, `kind`, `speaker`, `recipient` and `footnote`, the rule that
produced the value, so that an error in the data points at the rule that made it. This module
lists those names; the README's table of methods is generated from it (`python -m
quoteprov.methods README.md`), and `tests/test_methods.py` keeps the README, the published data
and the string literals of the rule modules equal to it. A new rule gets its entry here.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

SPAN, KIND, SPEAKER, RECIPIENT, FOOTNOTE = "span", "kind", "speaker", "recipient", "footnote"
FIELDS = (SPAN, KIND, SPEAKER, RECIPIENT, FOOTNOTE)


@dataclass(frozen=True)
class Method:
    """One rule name: the `method` fields it can appear in, where the rule lives, what it says."""

    name: str
    fields: tuple[str, ...]
    module: str
    description: str


_ATTR = "attribution/rules.py"
_BOTH = (KIND, SPEAKER)  # a speaker rule also names the kind it decided: a quotation
_KIND_SPEAKER_RULES = (
    ("document-author", "the quotation is from a document whose author is named beside it (\"Marx's address\")"),
    ("cue-subject", "the subject of a reporting verb or noun next to the quotation (\"Lenin declared\")"),
    ("according-to", "the person after \"according to\" beside the quotation"),
    ("in-the-words-of", "the person after \"in the words of\" beside the quotation"),
    ("document-noun", "a document named beside the quotation, without a named author (\"the resolution\")"),
    ("subject-of-governing-verb", "a named person who is the active subject of the verb that governs the quotation"),
    ("colon-clause-subject", "the subject of the clause that a colon before the quotation ends"),
)

METHODS: tuple[Method, ...] = (
    # span: how the quoted stretch was found (spans.py)
    Method("marks-paired", (SPAN,), "spans.py", "an opening and a closing quotation mark of the same family"),
    Method("marks-unclosed", (SPAN,), "spans.py",
           "an opening mark never closed: the span runs to the end of its paragraph (`unclosed`)"),
    Method("block-indent", (SPAN,), "spans.py",
           "a block quotation set off by indentation, without marks (the manifest entry's `blocks`)"),
    # kind: why a span is not a quotation (term, title) or how a quotation was recognised
    Method("term-lead", (KIND,), _ATTR, "a term introduced as such (\"the so-called\", \"known as\"): a name, not words said"),
    Method("title-case", (KIND,), _ATTR, "words in title case, as the title of a work is written"),
    Method("word-as-word", (KIND,), _ATTR, "a short span that the sentence talks about as a word (\"the word 'soviet'\")"),
    Method("nested-short", (KIND,), _ATTR, "a short span inside another quotation: a term within the quoted words"),
    Method("noun-modifier", (KIND,), _ATTR, "a short span that modifies a noun (\"the 'left' opposition\"): a term"),
    Method("short-no-cue", (KIND,), "attribution/rules.py, discourse.py",
           "a short span with no reporting cue and no speaker: a term"),
    Method("cue-unresolved", (KIND,), _ATTR, "a reporting cue whose speaker the text does not name (\"he said\")"),
    Method("no-words", (KIND,), "attribution/__init__.py",
           "a span without a letter or digit (\"...\", \"--\"): nothing to attribute, never parsed"),
    Method("sentence-length", (KIND,), _ATTR, "a span long enough to be a sentence, with no speaker found: words said"),
    Method("question-or-exclamation", (KIND,), _ATTR,
           "a short span of two words or more ending in ? or !, with no speaker found: words said"),
    Method("turn-of-talk", (KIND,), _ATTR,
           "a short span with no speaker found that is its paragraph's whole text: a turn of talk, words said"),
    *(Method(name, _BOTH, _ATTR, what) for name, what in _KIND_SPEAKER_RULES),
    *(Method(f"{name}-label", (KIND,), _ATTR,
             f"as `{name}`, of a span that is not a quotation (a label its speaker gave)")
      for name, _ in _KIND_SPEAKER_RULES),
    Method("running-speaker", _BOTH, _ATTR,
           "the speaker of the paragraph's last attributed quotation, within a few sentences (inferred)"),
    Method("introduction-subject", _BOTH, _ATTR,
           "the subject of a paragraph ending in a colon, comma or dash (\"Emma continued:\"), of the next one's "
           "quotation"),
    Method("introduction-again", _BOTH, _ATTR,
           "a paragraph that only says the same one goes on (\"Again:\"): the last one quoted or introduced"),
    Method("continued-quotation", _BOTH, _ATTR,
           "the speaker of a quotation left open at the end of the paragraph before (the ranker keeps it)"),
    Method("reply-possessor", _BOTH, _ATTR,
           "the one whose answer the quotation is (\"'...,' was Marilla's dry response\", \"was his answer\")"),
    Method("reply-of-addressed", _BOTH, _ATTR,
           "an answer (\"'...,' was the answer\"): the one the last speaker addressed (inferred)"),
    Method("reply-of-asked", _BOTH, _ATTR,
           "uncued words after a question told as a clause (\"I asked him how he liked it.\"): the one asked (inferred)"),
    # recipient
    Method("cue-addressee", (RECIPIENT,), _ATTR, "the object of the reporting cue (\"told X\", \"wrote to X\")"),
    Method("letter-to", (RECIPIENT,), _ATTR, "the addressee of a letter named beside the cue (\"in a letter to X\")"),
    Method("writing-to", (RECIPIENT,), _ATTR, "the addressee of a participle of writing on the speaker (\"X, writing to Y\")"),
    Method("turned-to", (RECIPIENT,), _ATTR,
           "the person a verb joined to the cue is directed to (\"said X, turning to Y\", \"showed it to Y and said\")"),
    Method("document-addressee", (RECIPIENT,), _ATTR, "the addressee of the document the quotation is from"),
    Method("quote-names-addressee", (RECIPIENT,), _ATTR,
           "the quoted words name their addressees (an appeal \"to the workers of all lands\")"),
    Method("running-recipient", (RECIPIENT,), _ATTR, "the recipient of the running speaker's quotation, carried over"),
    Method("narrator-dialogue", (RECIPIENT,), _ATTR, "in a dialogue with the narrator, the narrator is spoken to"),
    Method("narrator-interlocutor", (RECIPIENT,), _ATTR,
           "the narrator speaks to the one who spoke last in the conversation, lately (inferred)"),
    Method("speaker-addressee", (RECIPIENT,), _ATTR, "whom this speaker addressed before in the paragraph (inferred)"),
    Method("reply-to-asker", (RECIPIENT,), _ATTR, "an answer is made to the one who asked (inferred)"),
    Method("reply-to", (RECIPIENT,), _ATTR,
           "the one a reply cue says the words were for (\"'...,' were his last words to me\", \"was her order to the coachman\")"),
    Method("answer-to-addresser", (RECIPIENT,), _ATTR,
           "words said by the one the last quotation was addressed to answer its speaker (inferred)"),
    Method("assembly-setting", (RECIPIENT,), _ATTR, "the assembly the speaker addressed (\"at the congress\")"),
    Method("audience-responds", (RECIPIENT,), _ATTR,
           "the audience that answers the words in their sentence heard them (\"to which the audience responded\")"),
    # the ranker (attribution/decide.py): a candidate chosen over the rules' proposal
    Method("ranked-mention", (SPEAKER, RECIPIENT), "attribution/decide.py",
           "the attribution ranker chose a person mentioned near the quotation"),
    Method("ranked-turn", (SPEAKER, RECIPIENT), "attribution/decide.py",
           "the attribution ranker chose by the turns of a dialogue (inferred)"),
    Method("ranked-narrator", (SPEAKER, RECIPIENT), "attribution/decide.py",
           "the attribution ranker chose the narrator (the author speaking as \"I\")"),
    Method("ranked-rule", (SPEAKER, RECIPIENT), "attribution/decide.py",
           "the attribution ranker chose what the rules proposed for the other field (their speaker as the addressee)"),
    # footnote
    Method("marker-next", (FOOTNOTE,), "pipeline.py, markers.py",
           "the first footnote marker after the quotation in its paragraph, as printed"),
    Method("marker-repaired", (FOOTNOTE,), "pipeline.py, markers.py",
           "that marker, its misprinted number repaired from the sequence of notes (inferred)"),
    # reviewed
    Method("correction", (KIND, SPEAKER, RECIPIENT, FOOTNOTE), "corrections.py",
           "a reviewed correction in corrections.jsonl set the value"),
)
BY_NAME: dict[str, Method] = {m.name: m for m in METHODS}

README_START = "<!-- methods: generated by `python -m quoteprov.methods README.md`; do not edit -->"
README_END = "<!-- /methods -->"


def markdown_table() -> str:
    """The README's table of methods, in catalogue order."""
    rows = ["| method | fields | what it means | rule in |", "|---|---|---|---|"]
    for m in METHODS:
        what = m.description.replace("|", "\\|")
        rows.append(f"| `{m.name}` | {', '.join(m.fields)} | {what} | `quoteprov/{m.module.replace(', ', '`, `quoteprov/')}` |")
    return "\n".join(rows) + "\n"


def readme_with_table(text: str) -> str:
    """`text` (the README) with the generated table between its markers."""
    block = f"{README_START}\n{markdown_table()}{README_END}"
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.S)
    if not pattern.search(text):
        raise ValueError(f"no {README_START!r} ... {README_END!r} block in the README")
    return pattern.sub(lambda _: block, text, count=1)


def main(argv: list[str]) -> int:
    """`python -m quoteprov.methods README.md`: rewrite the table of methods in the README."""
    if len(argv) != 1:
        print("usage: python -m quoteprov.methods README.md", file=sys.stderr)
        return 2
    path = Path(argv[0])
    from .store import write_text

    write_text(path, readme_with_table(path.read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
