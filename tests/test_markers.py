"""Footnote markers: printed forms, prose numbers, misprints repaired, notes kept."""
from conftest import run
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteprov import markers
from quoteprov.markers import find_markers
from quoteprov.source import make_source, read_text


def numbers(text: str) -> list[tuple[str, int, int]]:
    return [(m.text, m.printed, m.number) for m in find_markers(make_source(text, "t"))]


def test_all_printed_forms_count():
    text = ("One (59) two.(60) three group.61 four Erevan'.62 five [63] six {64} seven"
            ' "quoted."65 eight memoirs.66')
    assert [n for _, _, n in numbers(text)] == [59, 60, 61, 62, 63, 64, 65, 66]
    assert numbers(text)[2] == ("61", 61, 61)


def test_superscript_markers():
    assert numbers("First claim.\u00b9 Second claim.\u00b2 Third.\u00b9\u2070") == [
        ("\u00b9", 1, 1), ("\u00b2", 2, 2), ("\u00b9\u2070", 10, 10)]


def test_numbers_of_the_prose_are_not_markers():
    text = ("In 1907 some 300 members met (1917), and after World War 2, on November 27, 1929, "
            "in1946 they left. 3.5 percent. Page 12.")
    assert numbers(text) == []


def test_misprinted_number_is_repaired_from_the_sequence_and_keeps_its_printed_form():
    text = "a (81) b\nc (82) d\ne (81) f (84) g (85)"
    got = numbers(text)
    assert got == [("(81)", 81, 81), ("(82)", 82, 82), ("(81)", 81, 83), ("(84)", 84, 84), ("(85)", 85, 85)]
    recs = run('He said "this is our way." (82)\nHe added "and ours alone." (81) Then (84).')
    assert [r.footnote for r in recs] == [82, 83]
    assert recs[1].marker.printed == 81 and recs[1].marker.repaired and recs[1].basis["footnote"] == "inferred"


def test_a_missing_number_is_not_invented():
    assert [n for _, _, n in numbers("a (60) b (61) c (63) d (64)")] == [60, 61, 63, 64]


def test_footnote_is_the_first_marker_at_or_after_the_quotation_in_its_paragraph():
    recs = run('He called it "a shame" and "a crime." (7) More (8)\nShe said "nothing."\nThen (9).')
    assert [(r.text, r.footnote) for r in recs] == [("a shame", 7), ("a crime.", 7), ("nothing.", None)]
    assert recs[0].marker.text == "(7)" and recs[0].marker.start == recs[1].marker.start


def test_note_paragraphs_are_kept_with_their_text():
    text = "Body text.[1] More.[2]\nFOOTNOTES:\n[1] See the article.\n[2] Ibid., p. 3.\nBody again."
    s = make_source(text, "t")
    assert s.notes == {1: "See the article.", 2: "Ibid., p. 3."}
    assert s.note_paragraphs == {1, 2, 3}
    assert [m.number for m in find_markers(s)] == [1, 2]


def test_a_file_that_is_not_utf8_is_refused_with_the_byte_offset(tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes("caf\u00e9 au lait".encode("latin-1"))
    try:
        read_text(p)
    except Exception as exc:  # noqa: BLE001 - the message is what we test
        assert "byte offset 3" in str(exc) and "0xe9" in str(exc)
    else:
        raise AssertionError("no error")


MARKER_TEXT = st.text(alphabet=st.sampled_from(list("([{)]} 0123456789.,;:!?'\"\u2019\u201dab\nZ\u00b9\u0663\uff13")),
                      max_size=60)


@settings(max_examples=500)
@given(MARKER_TEXT)
def test_marker_finders_find_what_the_regexes_find(text: str) -> None:
    """`_bracketed` and `_glued` try the patterns only where str.find points; the matches must
    be those of the plain regex scan, in ASCII text and in any other."""
    def spans(matches, group):
        return [(m.start(), m.end(), m.group(group)) for m in matches]

    for t in (text, text.encode("ascii", "replace").decode()):
        assert spans(markers._bracketed(t), 1) == spans(markers._BRACKETED.finditer(t), 1)
        assert spans(markers._glued(t), 2) == spans(markers._GLUED.finditer(t), 2)


@settings(max_examples=500)
@given(MARKER_TEXT)
def test_candidates_are_the_matches_of_the_three_forms(text: str) -> None:
    """`candidates` (with its shortcut for ASCII text without digits) gives every match of the
    three printed forms, by the plain regex scans."""
    for t in (text, text.encode("ascii", "replace").decode(), text.replace("1", "").replace("9", "")):
        want = sorted([(m.start(), m.end(), int(m.group(1)), True) for m in markers._BRACKETED.finditer(t)]
                      + [(m.start(), m.end(), int(m.group().translate(markers._SUP_TABLE)), True)
                         for m in markers._SUPERSCRIPT.finditer(t)]
                      + [(m.start(2), m.end(2), int(m.group(2)), False) for m in markers._GLUED.finditer(t)],
                      key=lambda c: c[0])
        got = [(c.start, c.end, c.printed, c.strong) for c in markers.candidates(t, 0, len(t))]
        assert got == want
