"""The attribution ranker: the shipped model file, its evaluator, and what it gives every record."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from quoteprov.attribution import attribute_rules
from quoteprov.attribution.features import RECIPIENT_FEATURES, SPEAKER_FEATURES, group_names, same_name
from quoteprov.attribution.model import MODEL_FILE, _trees, lightgbm_to_flat, load
from quoteprov.pipeline import extract
from quoteprov.source import make_source, read_source

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "dataset" / "sources" / "avrich-1984-miasnikov-2.txt"


def test_the_model_ships_as_json_data_matching_the_code():
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))  # plain JSON: loading it runs no code
    assert data["format"] == "quoteprov-ranker/1"
    assert data["rankers"]["speaker"]["features"] == list(SPEAKER_FEATURES)
    assert data["rankers"]["recipient"]["features"] == list(RECIPIENT_FEATURES)
    for ranker in data["rankers"].values():
        cal = ranker["calibration"]
        assert cal["x"] == sorted(cal["x"]) and cal["y"] == sorted(cal["y"])  # monotone: more share, more trust
        assert all(0.0 <= y <= 1.0 for y in cal["y"])
    assert load() is not None


def test_a_model_of_other_features_is_refused_not_misread(tmp_path):
    # the trees address features by position: a model trained before a feature was added would
    # read the wrong columns, so loading it fails with a message that says what to do
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["rankers"]["speaker"]["features"] = data["rankers"]["speaker"]["features"][:-1]
    old = tmp_path / "ranker.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RuntimeError, match="other features.*train_ranker"):
        load(str(old))


def test_flat_trees_evaluate_as_written():
    # one split on feature 1 at 0.5: left leaf -1, right leaf +2; a second tree that is one leaf
    model = _trees({"features": ["a", "b"], "bias": 0.0, "trees": [
        {"feature": [1], "threshold": [0.5], "left": [~0], "right": [~1], "leaf": [-1.0, 2.0]},
        {"feature": [0], "threshold": [float("inf")], "left": [~0], "right": [~0], "leaf": [0.5]}]})
    raw = model.raw(np.array([[0.0, 0.0], [0.0, 1.0]]))
    assert raw.tolist() == [-0.5, 2.5]


def test_lightgbm_dump_is_evaluated_exactly():
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(0)
    X = rng.random((400, 5))
    y = (X[:, 0] + X[:, 3] > 1).astype(float)
    booster = lgb.train({"objective": "binary", "verbose": -1, "num_leaves": 7, "deterministic": True,
                         "num_threads": 1, "seed": 1}, lgb.Dataset(X, y), 20)
    ours = _trees({"features": list("abcde"), "trees": lightgbm_to_flat(booster.dump_model())})
    assert np.allclose(ours.prob(X), booster.predict(X), atol=1e-12)


def test_names_of_one_entity_group_under_the_fullest():
    assert same_name("Knightley", "Mr. Knightley") and same_name("Trotsky", "Leon Trotsky")
    assert not same_name("Mr. Weston", "Mrs. Weston")
    assert group_names(["Fischer", "Ruth Fischer", "Maslow"]) == {
        "Fischer": "Ruth Fischer", "Ruth Fischer": "Ruth Fischer", "Maslow": "Maslow"}


@pytest.fixture(scope="module")
def seed_records():
    return [r.to_dict() for r in extract(read_source(SEED, "avrich-1984-miasnikov-2"))]


def test_every_attributed_value_has_evidence_and_an_honest_confidence(seed_records):
    text = SEED.read_text(encoding="utf-8")
    for r in seed_records:
        for field in ("speaker", "recipient"):
            conf = r["confidence"][field]
            if r[field] is None:
                assert conf is None
                continue
            ev = r["evidence"][field]
            assert ev is not None and text[ev["start"]:ev["end"]] == ev["text"], r
            if r["nested_in"] is None:
                assert conf is not None and 0.0 <= conf <= 1.0
            if r["basis"][field] == "inferred" and conf is not None:
                assert conf < 1.0  # a guess is never certain


def test_the_ranker_abstains_rather_than_naming_someone_absent():
    # no one is named anywhere: nobody may be given as the speaker
    src = make_source('It was late.\n"Nothing can be done now," came a voice from the back.\n', "t")
    recs = extract(src)
    assert recs and all(r.speaker is None and r.confidence["speaker"] is None for r in recs)


def test_a_named_speaker_with_a_cue_wins_over_other_names():
    src = make_source('Petrov and Ivanova met in Kiev. "We must leave at once," said Ivanova, looking at '
                      'Petrov.\n"Not before the congress," Petrov replied.\n', "t")
    by = {r.text: r for r in extract(src)}
    assert by["We must leave at once,"].speaker == "Ivanova"
    assert by["Not before the congress,"].speaker == "Petrov"


def test_the_rules_alone_remain_available():
    src = make_source('"Enough of this retreat," declared the manifesto.\n', "t")
    from quoteprov.spans import find_spans
    from quoteprov.markers import find_markers
    spans = find_spans(src, find_markers(src))
    (a,) = attribute_rules(src, spans, [])
    assert a.speaker.value == "manifesto" and a.speaker.confidence is None


def test_extract_author_makes_the_narrator_the_speaker(tmp_path):
    f = tmp_path / "memoir.txt"
    f.write_text('I met him in the corridor of the Smolny.\n"Where are the delegates?" I asked him.\n',
                 encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "quoteprov.cli", "extract", str(f), "--author", "Jane Doe"],
                         capture_output=True, text=True, check=True).stdout
    rec = json.loads(out.splitlines()[0])
    assert rec["speaker"] == "Jane Doe" and rec["evidence"]["speaker"]["text"] == "I"
    plain = subprocess.run([sys.executable, "-m", "quoteprov.cli", "extract", str(f)],
                           capture_output=True, text=True, check=True).stdout
    assert json.loads(plain.splitlines()[0])["speaker"] != "Jane Doe"


def test_extract_we_names_the_party_a_memoir_speaks_for(tmp_path):
    f = tmp_path / "memoir.txt"
    f.write_text('The Mensheviki were angry.\n"Your committee is an insurrection," the Mensheviki told us.\n',
                 encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "quoteprov.cli", "extract", str(f), "--author", "Jane Doe",
                          "--we", "Bolsheviki"], capture_output=True, text=True, check=True).stdout
    rec = json.loads(out.splitlines()[0])
    assert rec["recipient"] == "Bolsheviki" and rec["evidence"]["recipient"]["text"] == "us"


def _walk(t: tuple[np.ndarray, ...], x: np.ndarray) -> float:
    """One tree walked node by node, as it is written in the file."""
    feat, thr, left, right, leaf = t
    k = 0
    while k >= 0:
        k = int(left[k] if x[feat[k]] <= thr[k] else right[k])
    return float(leaf[~k])


def test_the_vectorised_evaluator_is_the_tree_walk_exactly():
    # every tree of the shipped model, walked one row at a time and summed tree after tree,
    # must give bit-for-bit what the table evaluation gives (the dataset depends on it): the C
    # walk when it is compiled and its numpy twin
    from quoteprov.attribution.model import py_tree_raw

    rng = np.random.default_rng(3)
    for model in (load().speaker, load().recipient):
        X = rng.random((60, len(model.features))) * 4 - 1
        X[rng.random(X.shape) < 0.4] = 0.0
        X[rng.random(X.shape) < 0.2] = 1.0
        X[rng.random(X.shape) < 0.02] = np.nan
        expected = []
        for x in X:
            s = model.bias
            for t in model.trees:
                s += _walk(t, x)
            expected.append(s)
        assert model.raw(X).tolist() == expected
        assert model.raw(X[:1]).tolist() == expected[:1]
        assert py_tree_raw(X, model.table, model.bias).tolist() == expected


def test_the_c_tree_walk_refuses_tables_that_point_outside_themselves():
    from quoteprov.speedups import tree_raw

    if tree_raw is None:
        pytest.skip("no compiled C helpers here")
    feat, thr, left, right, leaf, _ = load().speaker.table
    X = np.zeros((2, len(load().speaker.features)))
    out = np.empty(2)
    bad = feat.copy()
    bad[0, 0] = X.shape[1]  # a feature the rows do not have
    with pytest.raises(ValueError):
        tree_raw(X, bad, thr, left, right, leaf, out, 0.0)
    loop = left.copy()
    loop[0, 0] = 0  # a node that is its own child
    with pytest.raises(ValueError):
        tree_raw(X, feat, thr, loop, loop, leaf, out, 0.0)
    with pytest.raises(TypeError):
        tree_raw(X.astype(np.float32), feat, thr, left, right, leaf, out, 0.0)


def _index(text: str):
    """The candidates' index of a text whose quotations are every double-quoted stretch."""
    import re

    from quoteprov.attribution.candidates import Quote, index_text

    src = make_source(text, "t")
    quotes = []
    for m in re.finditer(r'"([^"]+)"', text):
        p = next(k for k, (a, b) in enumerate(src.paragraphs) if a <= m.start() < b)
        quotes.append(Quote(m.start(1), m.end(1), p, False, "quotation"))
    return index_text(src.text, src.paragraphs, quotes, None), quotes


def test_he_and_she_stand_for_the_last_person_of_their_gender_across_paragraphs():
    # "she said" two paragraphs after the woman is named, with a man named in between: the
    # pronoun is a mention of the woman (the title tells the gender), not of the man
    text = ('Mrs. Harlow came into the room where Mr. Pell was waiting. Mr. Pell rose.\n'
            '"You are late," he said.\n'
            '"The roads were bad," she said.\n')
    idx, quotes = _index(text)
    assert _pronoun_keys(idx, quotes[0], quotes[0].end, quotes[0].end + 13) == {"Mr. Pell"}
    assert _pronoun_keys(idx, quotes[1], quotes[1].end, quotes[1].end + 13) == {"Mrs. Harlow"}


def _pronoun_keys(idx, q, lo: int, hi: int) -> set[str]:
    """Whom the he/she mentions in [lo, hi) among quotation q's candidates' mentions stand for."""
    from quoteprov.attribution.candidates import window_mentions

    return {m.key for m in window_mentions(idx, q) if m.how == "pronoun" and lo <= m.start < hi}


def test_a_name_takes_the_gender_of_the_pronouns_that_follow_it():
    from quoteprov.attribution.candidates import Mention, name_genders

    text = "Ardent came in; she sat. Ardent laughed as she spoke. Later Ardent said she would go. Borin nodded."
    names = [Mention(m.start(), m.end(), m.group(), "name") for m in __import__("re").finditer(r"Ardent|Borin", text)]
    genders = name_genders(text, names)
    assert genders.get("Ardent") == -1
    assert "Borin" not in genders  # no pronoun after it: unknown, not guessed


def test_gender_agreement_is_a_feature_of_each_candidate():
    from quoteprov.attribution.features import candidates, speaker_features

    text = ('Mrs. Harlow came into the room where Mr. Pell was waiting.\n'
            '"The roads were bad," she said.\n')
    idx, _ = _index(text)
    cands, by = candidates(idx, 0, [])
    rows = speaker_features(idx, 0, cands, by, [])
    agree = {c.name: r[SPEAKER_FEATURES.index("pron_agree_after")] for c, r in zip(cands, rows) if c.name}
    assert agree == {"Mrs. Harlow": 1.0, "Mr. Pell": -1.0}


def test_a_description_tells_the_ranker_its_gender_and_the_name_the_text_gave_its_role():
    # "the doctor" was named by his title pages before; "the girl" is no he
    import dataclasses

    from quoteprov.attribution.features import candidates, speaker_features

    text = ('Dr. Vardell and Mr. Pell walked up the hill with Mrs. Harlow; Mrs. Harlow was tired.\n'
            '"We shall rest at the top," said the doctor.\n'
            '"I am not tired at all," said the girl.\n')
    idx, _ = _index(text)
    # the rules' reading: a description each
    idx.quotes[:] = [dataclasses.replace(q, speaker=d, speaker_method="cue-subject", speaker_basis="explicit")
                     for q, d in zip(idx.quotes, ("doctor", "girl"))]
    for i, want in ((0, {"desc_role": "Dr. Vardell"}), (1, {"desc_agree": "Mrs. Harlow"})):
        cands, by = candidates(idx, i, [])
        rows = speaker_features(idx, i, cands, by, [])
        for feature, name in want.items():
            top = {c.name for c, r in zip(cands, rows) if c.name and r[SPEAKER_FEATURES.index(feature)] == 1.0}
            assert top == {name}, (feature, top)


def test_a_given_name_alone_is_the_full_name_the_text_writes_it_in():
    from collections import Counter

    from quoteprov.attribution.fuller import given_names

    names = Counter({"Bill Gorton": 3, "Mr. Gorton": 1, "John Andrew": 4, "John Beaver": 3, "Tom Grant": 2,
                     "Louisa Grant": 2, "Margaret Oniton": 1, "Robert Cole": 9, "Robert Vane": 1})
    given = given_names(names)
    assert given["Bill"] == "Bill Gorton"  # "Mr. Gorton" may be Bill himself
    assert given["Robert"] == "Robert Cole"  # one full name used far more than the other
    assert "John" not in given  # two men named John
    assert "Tom" not in given  # a family: "Grant" alone would stand for Louisa as well
    assert "Margaret" not in given  # written once: perhaps a misreading


def test_english_nouns_for_a_man_or_a_woman():
    from quoteprov.cues import noun_gender

    assert [noun_gender(w) for w in ("girl", "duchess", "policeman", "gentleman")] == [-1, -1, 1, 1]
    assert [noun_gender(w) for w in ("doctor", "stranger", "witness", "human", "German")] == [0] * 5


def test_a_candidate_name_is_the_name_not_the_words_glued_to_it():
    # a capitalised adverb that opens a sentence is no part of the name after it (the text writes
    # it in lower case elsewhere), and a name set in italics (_..._) keeps its first word
    text = ('Then Orlov spoke to Orlov\'s men, to Vasin and to the Gazette, and Orlov wrote in the Gazette.\n'
            '"We stay," a soldier said.\n'
            '"Why?" Instantly Orlov\'s anger rose; he answered instantly. Read the _New Gazette Herald._ "Good," it said.\n')
    idx, quotes = _index(text)
    from quoteprov.attribution.candidates import window_mentions

    keys = {m.key for q in quotes for m in window_mentions(idx, q) if m.how == "name"}
    assert "Orlov" in keys and "Instantly Orlov" not in keys
    assert "New Gazette Herald" in keys and "Gazette Herald" not in keys


def test_a_name_spoken_in_the_quotation_or_the_one_before_is_a_candidate():
    # "Oh! Mr. Pell, ..." names the one spoken to, who answers next, and nobody names him outside
    from quoteprov.attribution.features import candidates

    text = ('The rain went on all evening.\n'
            '"Oh! Mr. Pell, you are wanted at once."\n'
            '"I am coming."\n')
    idx, quotes = _index(text)
    for i in (0, 1):
        cands, _ = candidates(idx, i, [])
        spoken = [c for c in cands if c.name == "Mr. Pell"]
        assert spoken and spoken[0].how == "vocative" and spoken[0].evidence == (quotes[0].start + 4, quotes[0].start + 12)


def test_the_persons_named_most_lately_are_candidates_of_a_he_or_she():
    # the man who answers was named many paragraphs back; of the people named lately only the
    # men are candidates of "he replied"
    from quoteprov.attribution.features import candidates
    from quoteprov.attribution.turns import CAST_PARAGRAPHS

    filler = "The clock ticked.\n" * 5
    text = ('Mr. Pell and Mrs. Harlow sat in the garden; Mr. Pell spoke first, and Mrs. Harlow listened.\n'
            + filler + '"Is it late?" she asked.\n' + filler + '"Not yet," he replied.\n')
    idx, quotes = _index(text)
    assert quotes[1].paragraph - 0 <= CAST_PARAGRAPHS
    names = {c.name: c.how for c in candidates(idx, 1, [])[0] if c.name}
    assert names.get("Mr. Pell") == "cast" and "Mrs. Harlow" not in names


def test_a_ranked_value_takes_the_registry_canonical_name():
    from quoteprov.attribution import canonical
    from quoteprov.attribution.rules import SpanAttribution
    from quoteprov.records import Attribution

    registry = [{"name": "Anna Orlova", "aliases": ["Mme. Orlova"], "kind": "person"}]
    got = canonical([SpanAttribution("quotation", "cue", Attribution("Mme. Orlova", "ranked-mention", "explicit", 0.6),
                                     Attribution("Someone", "ranked-mention", "explicit", 0.4))], registry)[0]
    assert (got.speaker.value, got.speaker.basis, got.speaker.confidence) == ("Anna Orlova", "resolved", 0.6)
    assert got.recipient.value == "Someone"  # not in the registry: as it was


def test_the_shipped_confidence_model_is_numbers_over_known_inputs_with_cross_fitted_reliability():
    from quoteprov.attribution.confidence import calibrator

    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    for name, ranker in data["rankers"].items():
        conf = ranker["confidence"]
        assert calibrator(conf) is not None  # known inputs, lengths agree
        curve = conf["curve"]
        assert curve["x"] == sorted(curve["x"]) and curve["y"] == sorted(curve["y"])
        assert all(0.0 <= y <= 1.0 for y in curve["y"])
        rel = data["reliability"][name]
        # measured on decisions the calibration scoring them was not fitted on
        assert rel["cross_fitted"] is True and set(rel["by_group"]) <= {"pdnc", "genre"}
        assert sum(g["decisions"] for g in rel["by_group"].values()) == rel["decisions"]
        assert load()[name].confidence_model is not None


def test_running_the_model_imports_no_learning_library():
    code = ("import sys; from quoteprov.attribution.model import load; m = load(); import numpy as np; "
            "m.speaker.confidence(np.array([0.7, 0.2, 0.1]), 0, 0, 'explicit', 'rule', [0.0] * len(m.speaker.features)); "
            "assert not {'sklearn', 'lightgbm'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_a_confidence_model_the_share_curve_of_the_basis_gives_the_confidence():
    model = _trees({"features": ["a"], "trees": [], "calibration": {"x": [0.0, 1.0], "y": [0.0, 1.0]},
                    "calibration_by_basis": {"explicit": {"x": [0.0, 1.0], "y": [0.5, 1.0]}}})
    assert model.confidence_model is None
    p = np.array([0.6, 0.3, 0.1])
    assert model.confidence(p, 0, None, "explicit", "mention", [0.0]) == pytest.approx(0.5 + 0.5 * 0.6)
    assert model.confidence(p, 1, None, "inferred", "turn", [0.0]) == pytest.approx(0.3)


def test_the_confidence_model_changes_the_confidence_only(tmp_path, monkeypatch):
    import quoteprov.attribution.model as model_mod

    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    for ranker in data["rankers"].values():
        del ranker["confidence"]
    plain = tmp_path / "ranker.json"
    plain.write_text(json.dumps(data), encoding="utf-8")
    with_model = [r.to_dict() for r in extract(read_source(SEED, "avrich-1984-miasnikov-2"))]
    monkeypatch.setattr(model_mod, "MODEL_FILE", plain)
    model_mod.load.cache_clear()
    try:
        without = [r.to_dict() for r in extract(read_source(SEED, "avrich-1984-miasnikov-2"))]
    finally:
        model_mod.load.cache_clear()
    strip = ("confidence",)
    assert [{k: v for k, v in r.items() if k not in strip} for r in with_model] == \
        [{k: v for k, v in r.items() if k not in strip} for r in without]
    assert [r["confidence"] for r in with_model] != [r["confidence"] for r in without]


def _decisions(n: int, seed: int) -> list[dict]:
    """Held-out decisions as train_ranker writes them: right more often the larger the share."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        probs = rng.random(int(rng.integers(2, 6)))
        k = int(np.argmax(probs))
        share = float(probs[k] / probs.sum())
        for field in ("speaker", "recipient"):
            out.append({"text": f"t{i % 5}", "group": "genre" if i % 5 == 0 else "pdnc", "fold": i % 5,
                        "quote": i, "field": field, "share": share, "ok": bool(rng.random() < share),
                        "basis": ("explicit", "resolved", "inferred")[i % 3], "k": k,
                        "prefer": k if i % 2 else None, "origin": "mention", "how": "name", "qtype": "",
                        "probs": probs.tolist(), "row": [float(rng.random() < 0.5)] * len(RECIPIENT_FEATURES)})
    return out


def test_refitting_the_confidence_leaves_the_trees_and_is_deterministic(tmp_path):
    pytest.importorskip("sklearn")
    from training import confidence_fit

    decisions = tmp_path / "heldout.jsonl"
    decisions.write_text("".join(json.dumps(d) + "\n" for d in _decisions(400, 5)), encoding="utf-8")
    original = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    outs = []
    for run in range(2):
        path = tmp_path / f"ranker{run}.json"
        path.write_text(MODEL_FILE.read_text(encoding="utf-8"), encoding="utf-8")
        assert confidence_fit.main([str(decisions), "--model", str(path)]) == 0
        outs.append(path.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
    refit = json.loads(outs[0])
    for name in ("speaker", "recipient"):
        for key in ("trees", "features", "calibration", "calibration_by_basis"):
            assert refit["rankers"][name][key] == original["rankers"][name][key]
        rel = refit["reliability"][name]
        assert rel["cross_fitted"] and rel["decisions"] == 400
        assert set(rel["by_group"]) == {"pdnc", "genre"}


def test_cross_fitted_confidence_of_a_fold_does_not_depend_on_its_own_outcomes():
    pytest.importorskip("sklearn")
    from training.confidence_fit import crossfit

    decisions = _decisions(300, 7)
    conf, _, ds = crossfit(decisions, "speaker", 1.0)
    flipped = [dict(d, ok=not d["ok"]) if d["fold"] == 0 else d for d in decisions]
    conf2, _, _ = crossfit(flipped, "speaker", 1.0)
    fold0 = np.asarray([d["fold"] == 0 for d in ds])
    assert np.array_equal(conf[fold0], conf2[fold0])  # fold 0 is scored by a model fitted without it
    assert not np.array_equal(conf[~fold0], conf2[~fold0])


def test_the_confidence_curve_does_not_trust_what_its_regression_learned_by_heart():
    # outcomes that are pure chance and every input noise: a regression fitted on 120 decisions
    # scores its own training decisions apart, and a curve read on those scores would promise
    # some of them far better than even; read on scores of regressions that did not see them
    # (each fold's by a regression fitted without it), the curve stays near the rate right
    pytest.importorskip("sklearn")
    from quoteprov.attribution.confidence import INPUTS, ROW_INPUTS, calibrator
    from training.confidence_fit import fit

    rng = np.random.default_rng(3)
    n = len(INPUTS + ROW_INPUTS)
    X, y, w = rng.normal(size=(120, n)), (rng.random(120) < 0.5).astype(float), np.ones(120)
    fold = np.arange(120) % 4
    fresh = rng.normal(size=(400, n))
    spread = {}
    for name, folds in (("own", None), ("held out", fold)):
        model = fit(X, y, w, folds)
        cal = calibrator(model)
        assert cal is not None
        values = [cal(dict(zip(cal.names, x))) for x in fresh]
        spread[name] = max(values) - min(values)
    assert spread["held out"] < spread["own"] / 2


def test_the_training_cache_holds_the_rules_records_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the ranker learns to correct the rules: trained on records an installed model had decided,
    # the next model depended on which model file was installed
    from training import cache_rules
    from training.corpora import Text

    monkeypatch.setattr(cache_rules, "CACHE", tmp_path)
    src = make_source('Ivanov came in.\n"Where are you?" Bill asked.\n"Here," he said.\n"Come on."\n', "t")
    cache_rules.cache_one(Text("t", "genre", src, ()))
    recs = [json.loads(x) for x in (tmp_path / "t.jsonl").read_text(encoding="utf-8").splitlines()]
    assert recs == [r.to_dict() for r in extract(src, use_model=False)]
    assert not any(str(r["method"]["speaker"]).startswith("ranked-") for r in recs)
    assert (tmp_path / "t.parses").stat().st_size > 0  # the parse memo, for the next run


def test_only_a_name_set_off_as_the_one_spoken_to_is_a_vocative():
    from quoteprov.attribution.candidates import is_vocative

    def voc(quote: str, name: str) -> bool:
        a = quote.index(name)
        return is_vocative(quote, a, a + len(name), 0, len(quote))

    assert voc("Oh! Mr. Bennet, you are wanted", "Mr. Bennet")
    assert voc("do you think so, Emma?", "Emma")
    assert voc("Thank you, Mr. Weston.", "Mr. Weston")
    assert voc("my dear Emma, unless one could", "Emma")
    assert not voc("Mr. Knightley I declare!--I must speak to him", "Mr. Knightley")
    assert not voc("resolved to join the Communist Party.", "Communist Party")
    assert not voc("ask Mr. Knightley about it", "Mr. Knightley")


def test_a_name_read_with_the_word_opening_its_sentence_does_not_expand_a_short_name():
    # "Old Mike came in" (the text writes "old" in lower case, never "Old" mid-sentence): the
    # parser's "Old Mike" is not Mike's full name
    from quoteprov.entities import name_index

    text = "Old Mike came in. The old man sat down by Mike and Bill Gorton.\n"
    idx = name_index(text)
    assert idx.canonical_proper("Mike", frozenset({"Old Mike"})) == "Mike"
    assert idx.canonical_proper("Gorton", frozenset({"Bill Gorton"})) == "Bill Gorton"


def test_blank_lines_between_paragraphs_are_dropped_with_every_offset_mapped() -> None:
    from training.corpora import drop_blank_lines

    text = 'First "quoted" words.\n\nSecond paragraph, "more".\n  \n\nThird.\n'
    new, at = drop_blank_lines(text)
    assert new == 'First "quoted" words.\nSecond paragraph, "more".\nThird.\n'
    for word in ("quoted", "more", "Third"):
        a = text.index(word)
        assert new[at(a):at(a + len(word))] == word


def test_a_given_name_the_rules_expanded_is_one_candidate_with_its_full_name():
    # the rules read "Mike said" as Mike Campbell (a person the parser knows by that name); the
    # mention "Mike" beside the quotation is the same candidate, not a rival the ranker could pick
    import dataclasses

    from quoteprov.attribution.features import candidates
    text = 'Bill and Mike Campbell came in late, and Bill looked at Mike.\n"I owe everybody money," said Mike.\n'
    idx, quotes = _index(text)
    idx.quotes[0] = dataclasses.replace(idx.quotes[0], speaker="Mike Campbell", speaker_method="cue-subject",
                                        speaker_basis="resolved")
    cands, _ = candidates(idx, 0, [])
    names = [c.name for c in cands if c.name]
    assert "Mike Campbell" in names and "Mike" not in names


def test_the_recipient_guard_keeps_only_a_likely_addressee():
    from types import SimpleNamespace

    from quoteprov.attribution.decide import guarded
    from quoteprov.attribution.features import Candidate
    from quoteprov.records import Attribution

    q = SimpleNamespace(paragraph=0, start=1, kind="quotation")
    petrov, by_turn = Candidate("Petrov", (0, 6), "mention", "name"), Candidate("Petrov", (0, 6), "turn", "inferred")
    nobody = Candidate(None, None, "nobody")
    p = np.array([0.6, 0.3])

    def models(curve: float):
        return SimpleNamespace(recipient=SimpleNamespace(calibrate=lambda share, basis: curve))

    assert guarded(models(0.9), q, [petrov, nobody], p, 0, Attribution(), "Anna") == 0
    assert guarded(models(0.9), q, [petrov, nobody], p, 1, Attribution(), "Anna") == 1  # nobody stays nobody
    assert guarded(models(0.3), q, [petrov, nobody], p, 0, Attribution(), "Anna") == 1  # unlikely, no rule
    assert guarded(models(0.3), q, [petrov, nobody], p, 0,
                   Attribution("Petrov", "cue-addressee", "explicit"), "Anna") == 0  # the rules found him
    assert guarded(models(0.9), q, [petrov, nobody], p, 0, Attribution(), "Petrov") == 1  # not to himself
    assert guarded(models(0.9), q, [by_turn, nobody], p, 0, Attribution(), "Anna") == 0
    # "the last speaker is spoken to" after the talk paused: not given, however likely
    assert guarded(models(0.9), q, [by_turn, nobody], p, 0, Attribution(), "Anna", paused=True) == 1
    assert guarded(models(0.9), q, [petrov, nobody], p, 0, Attribution(), "Anna", paused=True) == 0


def test_words_told_after_the_talk_paused():
    import re
    from types import SimpleNamespace

    from quoteprov.attribution.candidates import after_pause

    text = ('"We must go," said Anna.\n'
            'Petrov shook his head. "Not yet," he said.\n'
            'The hall was silent for a long time.\n'
            'Then Rykov spoke: "I agree," he said, "with every word."\n'
            '"So do I," said Anna.\n')
    paragraphs = tuple((m.start(), m.end()) for m in re.finditer(r"[^\n]+", text))
    quotes = [SimpleNamespace(start=m.start() + 1, paragraph=next(k for k, (a, b) in enumerate(paragraphs) if a <= m.start() < b))
              for m in re.finditer(r'"[^"]*"', text)]
    idx = SimpleNamespace(text=text, paragraphs=paragraphs, quotes=quotes)
    assert [after_pause(idx, i) for i in range(len(quotes))] == [False, False, True, True, False]  # type: ignore[arg-type]


def test_a_person_described_not_named_is_a_candidate():
    # the tax-collector and the nephew are never named: each is a candidate of the dialogue,
    # with the words that describe him as its evidence; "the one thing" and "the people" describe no one
    from quoteprov.attribution.candidates import window_mentions
    from quoteprov.attribution.features import candidates

    text = ('The tax-collector came to the house. The nephew said he had five thousand roubles. '
            'The one thing the people wanted was bread.\n'
            '"Very well," said the tax-collector, "fetch it."\n'
            '"And now put your coat on."\n'
            '"But you said it would be all right!"\n')
    idx, quotes = _index(text)
    described = {m.key for m in window_mentions(idx, quotes[2]) if m.how == "description"}
    assert described == {"tax-collector", "nephew"}
    cands = {c.name: c for c in candidates(idx, 2, ["tax-collector", "tax-collector"])[0] if c.name}
    assert {"tax-collector", "nephew"} <= set(cands)
    ev = cands["nephew"].evidence  # his nearest mention: "he" in "The nephew said he had"
    assert ev is not None and text[ev[0]:ev[1]] in ("nephew", "he") and ev[1] <= text.index("five")


def test_a_he_after_a_description_may_stand_for_it_and_for_the_last_name():
    # "He grinned" follows "the commander" and Mr. Pell alike: both are mentions of the he, and
    # the ranker weighs them; a name met after the description takes the pronoun alone
    text = ('Mr. Pell took the women to the fortress. They went to the commander and begged to see '
            'their men. He grinned at them, and said: "They are finishing their dinner."\n'
            'The commander left. Mr. Pell came back. He said: "We may go in now."\n')
    idx, quotes = _index(text)
    for q, keys in zip(quotes, ({"commander", "Mr. Pell"}, {"Mr. Pell"})):
        assert _pronoun_keys(idx, q, idx.paragraphs[q.paragraph][0], q.start) == keys


def _girl_scenes() -> list[str]:
    """Six days of a story in which "the girl" is met beside Nancy, and Oliver everywhere."""
    scenes = []
    for k in range(6):
        scenes += [f'On day {k} young Oliver walked to the market.', 'Then Nancy came down the lane with a basket.',
                   '"Good morning," said the girl, and smiled at him.', 'The stalls were full of apples.',
                   'The rain began to fall.', 'At noon Mr. Brownlow passed by the shop, and Oliver bowed.',
                   'The evening was cold.', 'At night the lamps were lit, and Oliver slept.']
    return scenes


def test_an_epithet_keeps_company_with_the_name_it_stands_for():
    # "the girl" is met scene after scene near Nancy, and no more often near the hero than anywhere
    from quoteprov.attribution.descriptions import company

    idx, _ = _index("\n".join(_girl_scenes()) + "\n")
    keeps = company(idx, "girl")
    assert keeps["Nancy"] > keeps.get("Brownlow", -9.0) and keeps["Nancy"] > keeps["Oliver"]


def test_a_given_name_is_the_full_name_written_only_inside_a_quotation_or_the_narrators():
    # "She's going to marry Mike Campbell": the text writes the full name only in dialogue, where
    # the rules read it; and the narrator's name comes from the metadata. "Mike" and "Jake" alone
    # are those men, one candidate each, not a second person under the given name
    from collections import Counter

    from quoteprov.attribution.fuller import given_names, written_in_full

    ruled = Counter({"Mike Campbell": 1, "Mike": 1})  # the rules' names of the quotations, by use
    given = given_names(Counter({"Mike": 4, "Bill Gorton": 2}) + written_in_full(ruled, "Jake Barnes"))
    assert given["Mike"] == "Mike Campbell" and given["Jake"] == "Jake Barnes"


def test_a_title_alone_is_the_one_person_the_text_names_under_it():
    # "said Mademoiselle" in a novel that writes "Mademoiselle Reisz" as often as the bare title:
    # her, one candidate with the rules' "Mademoiselle Reisz"; but not "the General" of a novel
    # that names a General Perovski once and says "the General" two hundred times, nor "Mr" of two men
    from collections import Counter

    from quoteprov.attribution.fuller import titled_names

    keys = Counter({"Mademoiselle Reisz": 30, "Mademoiselle Duvigne": 1, "General Perovski": 2,
                    "Mr. Pell": 5, "Mr. Harlow": 4})
    titled = titled_names(keys, Counter({"Mademoiselle": 42, "General": 200, "Mr": 2}))
    assert titled["Mademoiselle"] == "Mademoiselle Reisz"
    assert "General" not in titled and "Mr" not in titled and "Mr." not in titled


def test_the_ranker_reads_who_the_rules_make_speak():
    from dataclasses import replace

    from quoteprov.attribution.scene import explicit_turns, spoken_features

    text = ('"Shall we walk?" said Lucy.\n'
            '"If you like," said Mr. Beebe.\n'
            'The melody of Mozart came from the house. Mr. Beebe came to the rescue.\n'
            '"We shall all walk," he said.\n'
            '"Yes," said Lucy. "Let us go."\n')
    idx, quotes = _index(text)
    # the rules' explicit speakers, as the index holds them ("said Lucy"; a resolved "he" is not one)
    said = {0: "Lucy", 1: "Mr. Beebe", 3: "Lucy"}
    idx.quotes[:] = [replace(q, speaker=said[k], speaker_basis="explicit") if k in said else q
                     for k, q in enumerate(idx.quotes)]
    assert explicit_turns(idx, "Lucy") == [0, 3]
    assert explicit_turns(idx, "Beebe") == [1]
    assert explicit_turns(idx, "Mozart") == []  # named, never made to speak
    # in the scene: the other quotations the rules give the candidate, not this one's own
    row: dict[str, float] = {}
    spoken_features(row, idx, 3, "Lucy")
    assert row["spoke_near"] == 1.0 and row["spoke_explicit"] > 0
    spoken_features(row, idx, 2, "Mozart")
    assert row == {"spoke_explicit": 0.0, "spoke_near": 0.0}


def test_the_name_an_epithet_keeps_company_with_is_a_candidate_however_far_back_it_was_written():
    # "said the girl" pages after Nancy was last named: the text names no one near the words,
    # yet the epithet's company says whom it stands for
    from dataclasses import replace

    from quoteprov.attribution.features import candidates

    scenes = _girl_scenes() + ['The wind blew over the roofs of the town.'] * 30 + ['"Good night," said the girl.']
    text = "\n".join(scenes) + "\n"
    idx, quotes = _index(text)
    last = len(quotes) - 1
    idx.quotes[last] = replace(idx.quotes[last], speaker="girl", speaker_basis="explicit")
    cands = {c.name: c for c in candidates(idx, last, [])[0] if c.name}
    assert "Nancy" in cands and "Brownlow" not in " ".join(cands)
    ev = cands["Nancy"].evidence
    assert ev is not None and text[ev[0]:ev[1]] == "Nancy" and ev[1] < quotes[last].start
    # without the epithet (a quotation the rules give no one) no such candidate
    idx.quotes[last] = replace(idx.quotes[last], speaker=None, speaker_basis=None)
    idx.memos.clear()
    assert "Nancy" not in {c.name for c in candidates(idx, last, [])[0]}


def test_a_title_of_kin_with_a_given_name_is_the_full_name_the_text_writes():
    # "Uncle Reggie" and "Reggie" are Reggie St Cloud, his fullest name, in the rules and among candidates
    from collections import Counter

    from quoteprov.attribution.fuller import given_names

    given = given_names(Counter({"Reggie St Cloud": 3, "Uncle Reggie": 2, "Lady Catherine": 4, "Catherine Bennet": 3}))
    assert given["Uncle Reggie"] == given["Reggie"] == "Reggie St Cloud"
    assert "Lady Catherine" not in given  # a title of rank is no kin: her ladyship is not Kitty
    text = ('Tony met Reggie St Cloud at the club. Uncle Reggie laughed.\n"It is late," said Reggie St Cloud.\n'
            '"I know," said Tony.\n"Go home," said Reggie.\n"Go home," said Uncle Reggie.\n')
    speakers = [r.speaker for r in extract(make_source(text, "t"), use_model=False)]
    assert speakers == ["Reggie St Cloud", "Tony", "Reggie St Cloud", "Reggie St Cloud"]


def test_a_title_with_a_given_name_spoken_to_names_the_one_with_that_full_name():
    from quoteprov.attribution.features import _named_in

    assert _named_in("Sir Harry Otway", '"Sir Harry!" she exclaimed', {})
    assert _named_in("Sir Harry Otway", "Good day, Otway", {})
    assert not _named_in("Sir Harry Otway", "Harry the dog barked", {})
