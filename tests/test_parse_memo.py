"""The parse memo of the incremental build (`syntax.remembering`): a source extracted again
parses only the texts it has not seen, and what it reads back is what parsing gives."""
from __future__ import annotations

from typing import Any

import pytest

from quoteprov import syntax

TEXTS = ['"We shall not give up the factories," said the delegate to the congress.',
         'Lenin answered him: "The workers will decide."',
         'In Petrograd, according to the paper, the strike was "complete and peaceful."']
NEW = 'The commissioner told Mr. Smith that he "would see to it."'


def _annotations(doc: Any) -> list[tuple[Any, ...]]:
    return [(t.text, t.idx, t.whitespace_, t.tag_, t.dep_, t.head.i, t.ent_type_, t.ent_iob_, t.is_sent_start)
            for t in doc]


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The texts handed to the parser itself, call by call."""
    calls: list[list[str]] = []
    real = syntax._parse

    def spy(texts: Any) -> Any:
        texts = list(texts)
        calls.append(texts)
        return real(texts)

    monkeypatch.setattr(syntax, "_parse", spy)
    return calls


def test_a_remembered_parse_is_the_parse_and_only_new_texts_are_parsed(parsed: list[list[str]]) -> None:
    plain = [_annotations(d) for d in syntax.parse(TEXTS + [NEW])]
    with syntax.remembering(b"") as memo:
        syntax.parse(TEXTS)
        first = memo()
    parsed.clear()
    with syntax.remembering(first) as memo:
        again = syntax.parse(TEXTS + [NEW])
        second = memo()
    assert [t for call in parsed for t in call] == [NEW]  # the others were read back
    assert [_annotations(d) for d in again] == plain
    # the new memo holds what this extraction used, no more
    with syntax.remembering(second) as memo:
        syntax.parse([NEW])
        assert len(syntax._load(memo())) == 1
    assert len(syntax._load(second)) == len(TEXTS) + 1


def test_a_text_parses_the_same_whatever_is_batched_with_it() -> None:
    together = [_annotations(d) for d in syntax.parse(TEXTS + [NEW])]
    alone = [_annotations(syntax.parse([t])[0]) for t in TEXTS + [NEW]]
    assert together == alone


@pytest.mark.parametrize("memo", [b"not a memo", b"", None])
def test_a_damaged_or_missing_memo_is_parsing_from_scratch(memo: bytes | None, parsed: list[list[str]]) -> None:
    with syntax.remembering(memo):
        docs = syntax.parse(TEXTS)
    assert parsed == [TEXTS]
    assert [_annotations(d) for d in docs] == [_annotations(d) for d in syntax.parse(TEXTS)]


def test_a_memo_of_another_model_or_tokenizer_is_not_used(monkeypatch: pytest.MonkeyPatch,
                                                          parsed: list[list[str]]) -> None:
    with syntax.remembering(b"") as memo:
        syntax.parse(TEXTS)
        made = memo()
    monkeypatch.setattr(syntax, "parse_version", lambda: "another spaCy")
    parsed.clear()
    with syntax.remembering(made):
        syntax.parse(TEXTS)
    assert parsed == [TEXTS]
