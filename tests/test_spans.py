"""Quoted spans: every mark style of the guide, apostrophes, nesting, block and interrupted quotes."""
from conftest import by_text, run

from quoteprov.markers import find_markers
from quoteprov.source import make_source
from quoteprov.spans import find_spans


def spans(text: str) -> list[str]:
    s = make_source(text, "t")
    return [text[q.start:q.end] for q in find_spans(s, find_markers(s))]


def test_every_double_mark_style():
    text = 'He said \u201cone thing\u201d, \u201ezwei Dinge\u201c, \u00abtrois choses\u00bb and "four things".'
    assert spans(text) == ["one thing", "zwei Dinge", "trois choses", "four things"]


def test_single_marks_inside_double_marks_are_a_nested_quotation():
    recs = run('She wrote: "We reject \'so-called reforms\' and \u2018half measures\u2019 entirely."')
    outer = by_text(recs, "We reject")
    inner = [r for r in recs if r.nested_in == outer.id]
    assert [r.text for r in inner] == ["so-called reforms", "half measures"]


def test_apostrophes_and_transliteration_marks_are_not_marks():
    assert spans("Il'ich met Daia Grigor'evna in Erevan' and Dzhul'fa; don't worry, the workers' state held.") == []


def test_stray_ocr_marks_do_not_open_quotations():
    assert spans("We face the danger of' the transformation. He cut'his hair.") == []


def test_inner_quotes_turned_into_double_marks_by_ocr_are_nested():
    text = 'They use such words as "freedom" and "order" merely as "decoration," he said."'
    recs = run('"They use such words as "freedom" and "order" merely as "decoration," he said.')
    outer = recs[0]
    assert outer.text.startswith("They use such words")
    nested = [r.text for r in recs if r.nested_in == outer.id]
    assert nested == ["freedom", "order", "decoration,"]
    assert text  # the OCR'd form above is what transcriptions print


def test_block_quotation_that_never_closes_ends_before_the_marker():
    text = 'Later he declared,\n"We see how the leaders distrust us, and fear us. (12)\nNext paragraph.'
    recs = run(text)
    r = by_text(recs, "We see")
    assert r.text == "We see how the leaders distrust us, and fear us."
    assert r.unclosed and r.paragraph == 1 and r.footnote == 12


def test_unclosed_quotation_without_marker_ends_at_paragraph_end_without_trailing_space():
    recs = run('He wrote that "the end is near   \nAnother line.')
    assert by_text(recs, "end is near").text == "the end is near"


def test_interrupted_quotation_gives_one_record_per_span():
    recs = run('"The time for talk has passed," the manifesto declared, "and the time for action is here."')
    assert [r.text for r in recs] == ["The time for talk has passed,", "and the time for action is here."]


def test_text_is_exactly_the_source_between_the_marks():
    text = 'It was "rubbish ." And "window-dressing " (3)'
    s = make_source(text, "t")
    for r in run(text):
        assert text[r.start:r.end] == r.text
    assert spans(text) == ["rubbish .", "window-dressing "]
    assert s.paragraphs == ((0, len(text)),)


def test_quotes_in_note_paragraphs_are_not_records():
    text = 'Body with a marker.[1]\n[1] See the article "On the role of the Party," in Theses.\n"And a note goes on," it says.'
    assert run(text) == []
