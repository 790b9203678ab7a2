"""The input checks that `build` and `validate` share: what a contributor writes (the manifest,
the source texts, the registries, the corrections) is checked once, by the same code, so that
build refuses exactly what validate rejects and never writes data its own validate rejects.

The checks themselves are validate's (`validation.load_context`: JSON Schemas `schema/manifest`,
`registry` and `correction`, then the checks across files); this module adds what both need on
top: the shape of a source text (hard-wrapped, CRLF), correction evidence that follows its
words when the source is edited, the advice on an unknown speaker or recipient, and
`check_inputs`, the entry point of build.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .entities import person_noun
from .errors import QuoteprovError

if TYPE_CHECKING:  # validate imports this module; the reverse import happens at call time
    from .corrections import CorrectionEntry
    from .validation import Context, Problem

SOURCE_FORMAT = "source-format"
ADD_ADVICE = "re-import it with `quoteprov add FILE`, which writes one paragraph per line with LF endings"
EVIDENCE_REACH = 1000  # characters: how far correction evidence may have moved with an edit


class InvalidInput(QuoteprovError):
    """Input that build refuses: the problems, in validate's format; nothing was written."""

    def __init__(self, problems: "tuple[Problem, ...]", what: str = "nothing written") -> None:
        self.problems = problems
        errors = sum(p.severity == "error" for p in problems)
        lines = [p.format() for p in problems]
        super().__init__("\n".join(lines + [f"{errors} error{'s' * (errors != 1)} in the input; {what} "
                                            "(`quoteprov validate` explains the same problems)"]))


# ---------------------------------------------------------------------------------------------
# the shape of a source text


_SENTENCE_END = re.compile(r"""[.!?:;)\]"'\u201d\u2019\u00bb*_-]\s*$|^\s*$""")
_END_MARKS = frozenset(""".!?:;)]"'\u201d\u2019\u00bb*_-""")


def ends_sentence(line: str) -> bool:
    """`_SENTENCE_END.search(line)` (a line without a line break) from its last character: the
    regex tries every position of a line, and a book's paragraphs made that 5 s per 50 MB
    (a test keeps the two equal)."""
    last = line.rstrip()
    return not last or last[-1] in _END_MARKS


def source_shape(text: str) -> list[str]:
    """Warnings about a source text the extractor would misread: CRLF line endings, or a
    hard-wrapped text (a paragraph broken over short lines), whose quotations are cut at every
    line break because a line is a paragraph. Pure; a few passes over the text."""
    out = []
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    if crlf or lone_cr:
        what = f"{crlf:,} CRLF line ending{'s' * (crlf != 1)}" if crlf else f"{lone_cr:,} CR line endings"
        out.append(f"has {what}; offsets count the CR characters and other tools will disagree: {ADD_ADVICE}")
    lines = [x.rstrip("\r") for x in text.split("\n")]
    lines = [x for x in lines if x.strip()]
    if len(lines) >= 20:
        lengths = sorted(len(x) for x in lines)
        p90, median = lengths[int(0.9 * (len(lengths) - 1))], lengths[len(lengths) // 2]
        # a line that ends mid-sentence: not after sentence punctuation or a closing mark
        mid = sum(1 for x in lines if not ends_sentence(x)) / len(lines)
        if p90 <= 100 and median >= 0.6 * p90 and mid >= 0.4:
            out.append(f"looks hard-wrapped: {mid:.0%} of its {len(lines):,} lines end mid-sentence and 90% are at "
                       f"most {p90} characters long; a line is a paragraph, so every quotation that runs over a "
                       f"line break is cut in two (unclosed): {ADD_ADVICE}")
    return out


# ---------------------------------------------------------------------------------------------
# correction evidence that follows its words


def locate_evidence(text: str, start: int, end: int, words: str) -> tuple[int, int] | None:
    """Where the evidence words `words`, once at [start, end), stand in `text` now: [start, end)
    itself when they are still there, else their nearest occurrence within EVIDENCE_REACH
    characters of `start` (an edit before them moved them), else None (they are gone: the
    correction must be reviewed, never applied to other words). Two occurrences at the same
    distance are ambiguous: None."""
    if 0 <= start < end <= len(text) and text[start:end] == words:
        return start, end
    if not words:
        return None
    after = text.find(words, max(0, start), start + EVIDENCE_REACH + len(words))
    before = text.rfind(words, max(0, start - EVIDENCE_REACH), max(0, start) + len(words) - 1)
    cands = [p for p in (after, before) if p >= 0]
    if not cands:
        return None
    dist = sorted((abs(p - start), p) for p in set(cands))
    if len(dist) > 1 and dist[0][0] == dist[1][0]:
        return None
    p = dist[0][1]
    return p, p + len(words)


def evidence_words(c: "CorrectionEntry", previous: dict[tuple[str, str], str]) -> str | None:
    """The words a correction's evidence must read: its own `evidence_text`, else the words the
    last build took at its offsets (`previous`), else None (not checkable)."""
    return c.evidence_text if c.evidence_text is not None else previous.get((c.id, c.field))


def previous_evidence(quotations: Path, ids: set[str]) -> dict[tuple[str, str], str]:
    """(record id, field) -> the evidence words of a corrected speaker or recipient, as the last
    build wrote them in data/quotations.jsonl (unreadable lines are skipped: validate reports
    them; this only lets a correction without `evidence_text` follow an edit of the source)."""
    out: dict[tuple[str, str], str] = {}
    if not ids or not quotations.is_file():
        return out
    try:
        f = open(quotations, "rb")
    except OSError:
        return out
    with f:
        for line in f:
            if not any(i.encode("utf-8", "replace") in line for i in ids):
                continue
            try:
                rec = json.loads(line)
                for role in ("speaker", "recipient"):
                    ev = rec["evidence"][role]
                    if rec["id"] in ids and rec["method"][role] == "correction" and isinstance(ev, dict) \
                            and isinstance(ev.get("text"), str):
                        out[(rec["id"], role)] = ev["text"]
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
    return out


# ---------------------------------------------------------------------------------------------
# advice on an unknown speaker or recipient


# Words that join the parts of a name and stay lower case in it (English and the particles of
# European names); a name's other words are capitalised.
_JOINERS = frozenset("of the and for on in to at a an de du des da di del della von van der den le la los las "
                     "y e al el bin ibn ben".split())
# The head noun of a name says its kind (general English nouns for bodies and writings).
_GROUP_HEADS = frozenset("""assembly congress committee council party group union soviet soviets government
    opposition conference bureau commission league army navy club society federation international
    executive presidium parliament senate duma court ministry cabinet board delegation faction
    organisation organization movement front association fraternity brotherhood guard guards cheka
    police church academy university company corporation bank""".split())
_DOCUMENT_HEADS = frozenset("""manifesto resolution appeal letter declaration decree programme program platform
    theses thesis statement charter constitution treaty memorandum report pamphlet speech article
    proclamation petition circular telegram note order act law""".split())
_PUBLICATION_HEADS = frozenset("""review journal times gazette news herald tribune bulletin magazine press post
    chronicle courier mercury quarterly monthly weekly daily""".split())


def name_kind(name: str) -> str | None:
    """The kind of entity `name` names when it reads as a name ("Constituent Assembly": group;
    "Karl Radek": person; "Workers' Group manifesto": document), None when it reads as a common
    noun or a description rather than a name ("men", "sane and sincere person", "the
    delegates"): no capitalised word, or a capitalised word but a lower-case head that names no
    kind of body or writing. Pure, general rules of English capitalisation."""
    words = [w.strip(".,;:'\u2019\"()") for w in name.split()]
    words = [w for w in words if w]
    content = [w for w in words if w.lower() not in _JOINERS or w[:1].isupper()]
    if not content or not any(w[:1].isupper() for w in content):
        return None
    head = content[-1].lower()
    if head.endswith(("'s", "\u2019s")):
        head = head[:-2]
    if all(w[:1].isupper() or not w[:1].isalpha() for w in content):
        if head in _GROUP_HEADS:
            return "group"
        if head in _PUBLICATION_HEADS:
            return "publication"
        if head in _DOCUMENT_HEADS:
            return "document"
        return "person"
    if head in _DOCUMENT_HEADS:
        return "document"
    if head in _GROUP_HEADS:
        return "group"
    return None


def entity_advice(name: str, role: str, record_id: str, registry_file: str, builder_kind: str | None) -> str:
    """The message of an `unknown-entity` warning: a likely wrong value (a common noun, a
    plural, a phrase that is not a name) is to be fixed with a correction of the record; a
    likely name is a missing registry entry, with the kind its head noun suggests. Never
    proposes registering a common noun as a person."""
    kind = name_kind(name)
    words = name.lower().replace("\u2019", "'").split()
    described = person_noun(words[-1].strip(".,;:'\"()")) if kind is None and words else None
    if described == "person":
        # the guide allows a description for one person the text never names ("the hotel
        # commissionaire"); it is wrong only when the text does name them. A plural ("men",
        # "the soldiers") is far more often a wrong speaker: the advice below
        entry = json.dumps({"name": name, "aliases": [], "kind": described}, ensure_ascii=False)
        fix = json.dumps({"id": record_id, "field": role, "value": "NAME THE TEXT GIVES", "expect": name,
                          "reason": "..."}, ensure_ascii=False)
        return (f"{json.dumps(name, ensure_ascii=False)} is a description of a {described}, not a name: right "
                f"when the text never names them (then add {entry} to {registry_file}); if the text does name "
                f"them, correct the record in corrections.jsonl with {fix}")
    if kind is None:
        fix = json.dumps({"id": record_id, "field": role, "value": "NAME THE TEXT GIVES", "expect": name,
                          "reason": "..."}, ensure_ascii=False)
        return (f"{json.dumps(name, ensure_ascii=False)} does not read as a name (no capitalised word, or a "
                f"common noun or description): probably a wrong {role}; correct the record with a line in "
                f"corrections.jsonl such as {fix} (\"value\": null if the text does not say); if it really "
                f"stands for a body the text never names, register it in {registry_file} with \"kind\": \"group\"")
    if kind == "person" and builder_kind and builder_kind != "person":
        kind = builder_kind  # the builder knew better (a registry of another source, say)
    entry = json.dumps({"name": name, "aliases": [], "kind": kind}, ensure_ascii=False)
    return (f"{json.dumps(name, ensure_ascii=False)} is not in the entity registry; if it is right, add {entry} to "
            f"{registry_file} (kind: person, group, document or publication); if it is wrong, correct in "
            f"corrections.jsonl every record that has it (this warning is given once per name and file, at "
            f"the first)")


# ---------------------------------------------------------------------------------------------
# the entry point of build


@dataclass(frozen=True)
class InputReport:
    """The inputs of a dataset folder as checked: problems (validate's), and what build uses."""

    problems: "tuple[Problem, ...]"
    context: "Context"
    corrections: "tuple[CorrectionEntry, ...]"

    @property
    def errors(self) -> "tuple[Problem, ...]":
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> "tuple[Problem, ...]":
        return tuple(p for p in self.problems if p.severity != "error")


def check_inputs(dataset: str | Path) -> InputReport:
    """Check what a contributor writes in a dataset folder with validate's own checks: the
    manifest and source files, the registries, the corrections (schema, and the checks across
    files), and that `data/` can be written. Never raises for bad input."""
    from .validation import ERROR, Sink, load_context

    dataset = Path(dataset)
    sink = Sink(False, None)
    cwd = Path.cwd()

    def shown(p: Path) -> str:
        try:
            return str(p.resolve().relative_to(cwd))
        except (ValueError, OSError):
            return str(p)

    if not dataset.is_dir():
        sink.add(str(dataset), 1, 1, ERROR, "not-dataset", "", "no such folder")
        from .validation import Context
        return InputReport(tuple(sink.problems), Context(), ())
    ctx, entries = load_context(dataset, sink, shown, entities=False)
    data = dataset / "data"
    if data.exists() and not data.is_dir():
        sink.add(shown(data), 1, 1, ERROR, "not-dataset", "", "is a file; data/ must be a folder (remove the file)")
    problems = sorted(sink.problems, key=lambda q: (q.path, q.line, q.column))
    return InputReport(tuple(problems), ctx, tuple(entries))


def check_output(path: str | Path, entity_names: dict[str, str], inputs: InputReport, dataset: str | Path,
                 jobs: int = 1) -> "tuple[Problem, ...]":
    """Validate's checks of the records file build is about to publish (`path`, the very bytes
    it will move into place), against the checked inputs and the entities of this build
    (name -> kind): provenance, ids, order, nesting, names, and every correction matched and
    applied. Problems are reported at `dataset/data/quotations.jsonl`. The file is read a
    batch at a time (in `jobs` processes when it is large, as validate does). An error here
    means build would write what validate rejects, so build writes nothing."""
    from dataclasses import replace

    from .validation import MAX_LINE, Sink, check_applied, check_records

    sink = Sink(False, None)
    ctx = replace(inputs.context, entity_names=dict(entity_names), _lanes={})
    dataset = Path(dataset)
    _, captured = check_records(None, Path(path), str(dataset / "data" / "quotations.jsonl"), ctx, sink, jobs,
                                MAX_LINE)
    check_applied(list(inputs.corrections), captured, ctx.sources, str(dataset / "corrections.jsonl"), sink)
    return tuple(sorted(sink.problems, key=lambda q: (q.path, q.line, q.column)))
