"""The `confidence` of a speaker and a recipient, from the attribution to the record.

The extractor's attribution (`SpanAttribution`) gives each value a probability; the record
writes it beside `basis`, rounded to three decimals, null where the value is null; a reviewed
correction sets it to 1 (or null with the value). The other consumers (schema, validate, diff,
report, card) are tested in their own files.
"""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from quoteprov import pipeline
from quoteprov.attribution import SpanAttribution
from quoteprov.corrections import apply_corrections, parse_corrections
from quoteprov.records import Attribution, Record
from quoteprov.schema import schema_errors
from quoteprov.source import make_source
from quoteprov.store import dumps

TEXT = 'Trotsky told the Congress, "The party is always right."(1) Someone wrote "a sham."(2)\n'


def _record(**kw) -> Record:
    s = TEXT.index("The party")
    e = TEXT.index('."(1)') + 1
    base = dict(id="t:0123456789:1", source_id="t", text=TEXT[s:e], start=s, end=e, paragraph=0, kind="quotation",
                speaker="Trotsky", recipient="the Congress")
    return Record(**{**base, **kw})


def test_record_writes_confidence_after_basis_rounded_and_null_without_value() -> None:
    d = _record(confidence={"speaker": 0.92849, "recipient": np.float32(0.3)}).to_dict()
    keys = list(d)
    assert keys[keys.index("basis") + 1] == "confidence"
    assert d["confidence"] == {"speaker": 0.928, "recipient": 0.3}
    assert type(d["confidence"]["recipient"]) is float  # a NumPy scalar from a model is written as JSON
    assert '"confidence": {"speaker": 0.928, "recipient": 0.3}' in dumps(d)
    # no value, no confidence, whatever the attribution said; nothing estimated: null
    d = _record(recipient=None, confidence={"speaker": None, "recipient": 0.7}).to_dict()
    assert d["confidence"] == {"speaker": None, "recipient": None}
    assert _record().to_dict()["confidence"] == {"speaker": None, "recipient": None}
    assert schema_errors("quotations", d) == []


def test_a_nan_confidence_is_refused_before_anything_is_written() -> None:
    with pytest.raises(ValueError, match="NaN"):
        _record(confidence={"speaker": float("nan")}).to_dict()


def test_the_schema_holds_a_confidence_to_a_probability() -> None:
    d = _record().to_dict()
    for bad, where in ((1.2, "confidence.speaker"), (-0.1, "confidence.speaker"), ("0.9", "confidence.speaker"),
                       (True, "confidence.speaker")):
        errs = schema_errors("quotations", {**d, "confidence": {"speaker": bad, "recipient": None}})
        assert errs and errs[0].startswith(where + ":"), errs
    assert schema_errors("quotations", {**d, "confidence": {"speaker": 1, "recipient": 0}}) == []
    missing = {k: v for k, v in d.items() if k != "confidence"}
    assert schema_errors("quotations", missing) == ["(record): 'confidence' is a required property"]


def test_extract_passes_the_attributions_confidence_to_the_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """The interface the attribution model fills: `Attribution.confidence` of the speaker and
    recipient of each `SpanAttribution` becomes the record's `confidence`."""
    real = pipeline.attribute

    def attribute(source, spans, registry, use_model=True):
        out = real(source, spans, registry, use_model)
        return [replace(a, speaker=replace(a.speaker, confidence=0.8766 if a.speaker.value else None),
                        recipient=replace(a.recipient, confidence=0.25 if a.recipient.value else None))
                for a in out]

    source = make_source(TEXT, "t")
    monkeypatch.setattr(pipeline, "attribute", attribute)
    records = pipeline.extract(source)
    assert any(r.speaker for r in records)
    for r in records:
        d = r.to_dict()
        assert d["confidence"] == {"speaker": 0.877 if r.speaker else None, "recipient": 0.25 if r.recipient else None}
        assert schema_errors("quotations", d) == []


def test_attribution_confidence_defaults_to_none() -> None:
    a = Attribution("Trotsky", "cue-subject", "explicit")
    assert a.confidence is None
    assert SpanAttribution("quotation", "x", a, Attribution()).speaker.confidence is None


def _correct(record: Record, **entry) -> Record:
    line = json.dumps({"id": record.id, "reason": "checked against the text", **entry})
    out, report = apply_corrections([record], parse_corrections(line), {"t": TEXT})
    assert report.applied == 1
    return out[0]


def test_a_reviewed_correction_sets_the_confidence_to_one() -> None:
    r = _record(confidence={"speaker": 0.31, "recipient": 0.42})
    got = _correct(r, field="speaker", value="Leon Trotsky", evidence=[0, 7])
    assert got.to_dict()["confidence"] == {"speaker": 1.0, "recipient": 0.42}  # the other value keeps its own
    assert got.method["speaker"] == "correction" and got.basis["speaker"] == "explicit"
    # without evidence the basis says the text does not state it; the confidence is still a person's check
    got = _correct(r, field="recipient", value="Tenth Congress")
    assert got.to_dict()["confidence"] == {"speaker": 0.31, "recipient": 1.0} and got.basis["recipient"] == "inferred"


def test_a_correction_that_removes_the_value_removes_its_confidence() -> None:
    r = _record(confidence={"speaker": 0.31, "recipient": 0.42})
    got = _correct(r, field="recipient", value=None)
    assert got.recipient is None and got.to_dict()["confidence"] == {"speaker": 0.31, "recipient": None}


def test_other_corrections_leave_the_confidence() -> None:
    r = _record(confidence={"speaker": 0.31, "recipient": 0.42})
    for entry in ({"field": "kind", "value": "term"}, {"field": "footnote", "value": 7}):
        assert _correct(r, **entry).to_dict()["confidence"] == {"speaker": 0.31, "recipient": 0.42}


# the calibration model that gives the attribution its confidence (quoteprov/attribution/confidence.py)

def _calibrator_dict(coef: dict[str, float], intercept: float = 0.0) -> dict:
    from quoteprov.attribution.confidence import INPUTS, ROW_INPUTS

    names = list(INPUTS + ROW_INPUTS)
    return {"inputs": names, "mean": [0.0] * len(names), "scale": [1.0] * len(names),
            "coef": [coef.get(n, 0.0) for n in names], "intercept": intercept,
            "curve": {"x": [0.0, 0.5, 1.0], "y": [0.1, 0.5, 0.9]}}


def test_the_calibration_model_is_a_logistic_regression_then_its_curve() -> None:
    from quoteprov.attribution.confidence import calibrator, inputs

    cal = calibrator(_calibrator_dict({"logit_share": 1.0, "kept_rule": 2.0}, intercept=-1.0))
    assert cal is not None
    # two candidates and nobody; the rules proposed the chosen one
    x = inputs([0.6, 0.2, 0.2], 0, 0, "explicit", "rule", [], [])
    assert x["logit_share"] == pytest.approx(np.log(0.6 / 0.4)) and x["kept_rule"] == 1.0
    assert x["overrode_rule"] == 0.0 and x["basis_explicit"] == 1.0 and x["origin_rule"] == 1.0
    assert x["log_margin"] == pytest.approx(np.log(0.6 / 0.2), rel=1e-4) and x["log_cands"] == pytest.approx(np.log(3))
    p = 1 / (1 + np.exp(-(np.log(1.5) + 2.0 - 1.0)))
    assert cal.score(x) == pytest.approx(p)
    assert cal(x) == pytest.approx(np.interp(p, [0.0, 0.5, 1.0], [0.1, 0.5, 0.9]))
    # the same share, the rules overridden: less trusted by this model
    assert cal(inputs([0.6, 0.2, 0.2], 0, 1, "explicit", "rule", [], [])) < cal(x)


def test_the_calibration_model_reads_only_known_inputs_and_is_none_when_absent() -> None:
    from quoteprov.attribution.confidence import calibrator

    assert calibrator(None) is None and calibrator({}) is None
    bad = _calibrator_dict({})
    bad["inputs"][0] = "something_else"
    with pytest.raises(ValueError, match="unknown inputs"):
        calibrator(bad)
    short = _calibrator_dict({})
    short["coef"] = short["coef"][:-1]
    with pytest.raises(ValueError, match="differ in length"):
        calibrator(short)


def test_the_row_inputs_are_read_by_feature_name() -> None:
    from quoteprov.attribution.confidence import inputs
    from quoteprov.attribution.features import SPEAKER_FEATURES

    row = [0.0] * len(SPEAKER_FEATURES)
    row[SPEAKER_FEATURES.index("verb_next_to")] = 1.0
    row[SPEAKER_FEATURES.index("t_dialogue")] = 0.25
    x = inputs([0.5, 0.5], 0, None, "inferred", "turn", row, SPEAKER_FEATURES)
    assert x["verb_next_to"] == 1.0 and x["t_dialogue"] == 0.25 and x["no_rule"] == 1.0
