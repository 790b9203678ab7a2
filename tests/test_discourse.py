

def test_a_description_is_headed_by_its_noun_not_the_phrase_after_it():
    from quoteprov.discourse import head_noun
    # the noun says whether a he or a she may stand for the person; the phrase says which one
    assert [head_noun(d) for d in ("gentleman in the white waistcoat", "delegates from the front",
                                   "lady who had been a nurse", "grandfather in common", "old woman",
                                   "voice of the girl whom he had followed", "elder of the two gentlemen")] \
        == ["gentleman", "delegates", "lady", "grandfather", "woman", "girl", "gentlemen"]
