"""The analyzer and the spans that highlighting is built on."""
from archive.index import analysis


def test_spans_cover_exactly_the_matched_words():
    text = "Mr. Kem Sokha, President of the CNRP; Kem was arrested. Sokha Kem."
    assert [text[a:b] for a, b in analysis.spans(text, [["kem", "sokha"]])] == ["Kem Sokha"]
    assert [text[a:b] for a, b in analysis.spans(text, [["Kem"]])] == ["Kem", "Kem", "Kem"]


def test_spans_fold_case_and_accents_and_merge():
    text = "António Guterres, Antonio GUTERRES"
    found = [text[a:b] for a, b in analysis.spans(text, [["antonio"], ["antonio", "guterres"]])]
    assert found == ["António Guterres", "Antonio GUTERRES"]


def test_no_phrases_no_spans():
    assert analysis.spans("anything", []) == []
    assert analysis.spans("anything", [["?!"]]) == []
