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


def _paragraph_spans_by_scanning(text: str, lo: int, hi: int, markers: list) -> list:
    """The pairing as it was before the per-family index (issue 15, item 9): the innermost open
    mark of a family found by scanning the stack, which is quadratic on marks-only text. Kept
    here as the definition the fast version must agree with."""
    from quoteprov.markers import footnote_after
    from quoteprov.spans import _REVERSED_PAIRS, DOUBLE, MARKS, MAX_SINGLE, SINGLE, _role

    stack: list = []
    found: list = []
    for i in range(lo, hi):
        ch = text[i]
        if ch not in MARKS:
            continue
        role = _role(text, i, lo, hi)
        if role is None:
            continue
        family = MARKS[ch][0]
        open_at = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == family), None)
        if open_at is not None and (stack[open_at][2], ch) in _REVERSED_PAIRS:
            role = "close"
        if role == "either":
            role = "close" if open_at is not None else "open"
        if role == "open":
            stack.append((family, i, ch))
            continue
        if open_at is None:
            continue
        _, pos, mark = stack[open_at]
        del stack[open_at:]
        if family == SINGLE and i - pos > MAX_SINGLE:
            continue
        if i > pos + 1:
            found.append((pos + 1, i, mark, ch))
    for _, pos, mark in [x for x in stack if x[0] == DOUBLE][:1]:
        marker = footnote_after(markers, pos + 1, hi)
        end = marker.start if marker else hi
        while end > pos + 1 and text[end - 1].isspace():
            end -= 1
        if end > pos + 1:
            found.append((pos + 1, end, mark, None))
    return found


def test_pairing_with_the_family_index_equals_the_stack_scan() -> None:
    """The O(1) lookup of a family's innermost open mark pairs exactly as the scan did, on
    random paragraphs of marks of every style, words, apostrophes and markers."""
    import random

    from quoteprov.markers import find_markers
    from quoteprov.source import make_source
    from quoteprov.spans import paragraph_spans

    rng = random.Random(15)
    pieces = ['"', "\u201c", "\u201d", "\u201e", "\u00ab", "\u00bb", "'", "\u2018", "\u2019", "\u201a", "\u2039",
              "\u203a", " ", " ", "word", "Il'ich", "(12)", ".", ",", "\u2014", "a", "1921"]
    for _ in range(600):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 120)))
        source = make_source(text, "t")
        markers = find_markers(source)
        lo, hi = source.paragraphs[0]
        assert paragraph_spans(text, lo, hi, markers) == _paragraph_spans_by_scanning(text, lo, hi, markers), text
