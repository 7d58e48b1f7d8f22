"""Highlighting long texts: the marks are exactly the analyzer's, and a long transcript is scanned,
not analyzed whole, for each hit (issue 12, item 7)."""
import pytest
from hypothesis import given, settings, strategies as st

from archive import highlight
from archive.budget import Budget
from archive.index import analysis

# Pieces of text that each take a different path through the matcher: plain ASCII words, accents
# and capitals that fold, Khmer words (clusters written in a different order, `្ដ` for `្ត`, Khmer
# digits), characters the analyzer drops (soft hyphen, zero-width joiner) or reads as a space.
PIECES = ["the", "camp", "The", "CAMP", "refugee", "refugees", "river", "don't", "x_y", "2017", "a",
          "café", "Café", "naïve", "cafe", "ហ៊ុន", "សែន", "ហ៊ុនសែន", "ម្ដាយ", "ម្តាយ", "ខ្ញុំ", "២០១៧",
          "ре́ка", "река", "refu\u00adgee", "ca\u200dmp", "\u200b", " ", " ", "  ", ", ", ". ", "\n", "-"]
WORDS = ["the", "camp", "refugee", "river", "cafe", "naïve", "don't", "2017", "ហ៊ុន", "សែន", "ហ៊ុនសែន",
         "ម្តាយ", "ខ្ញុំ", "river", "река", "x_y", "a"]

texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
phrases = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3), min_size=1, max_size=4)


@settings(max_examples=400, deadline=None)
@given(text=texts, wanted=phrases)
def test_the_matcher_marks_exactly_what_the_analyzer_finds(text, wanted):
    assert highlight.matcher(wanted).spans(text) == analysis.spans(text, wanted)


@settings(max_examples=100, deadline=None)
@given(text=texts, extra=st.lists(st.sampled_from(WORDS), min_size=highlight.ALTERNATIVES + 1,
                                  max_size=highlight.ALTERNATIVES + 5))
def test_many_expanded_words_are_marked_exactly_too(text, extra):
    """A `word*` stands for up to 50 words: past ALTERNATIVES the matcher looks words up in a set."""
    wanted = [[w] for w in extra] + [[f"word{i}"] for i in range(highlight.ALTERNATIVES)]
    assert highlight.matcher(wanted).spans(text) == analysis.spans(text, wanted)


def test_a_phrase_that_overlaps_itself_is_marked_whole():
    text = "bathe the the the end"
    assert highlight.matcher([["the", "the"]]).spans(text) == analysis.spans(text, [["the", "the"]]) == [(6, 17)]


def transcript(paragraphs: int, khmer: bool = False) -> list[str]:
    """An interview of about 150 words a paragraph; the word `kite` only near the end."""
    out = []
    for i in range(paragraphs):
        words = ["the", "camp", "was", "near", "the", "river", "and", "we", "walked", "at", "night"] * 14
        if khmer:
            words.append("ខ្ញុំដើរទៅភូមិ")
        if i == paragraphs - 3:
            words[40:41] = ["kite"]
        out.append(("NARRATOR: " if i % 4 == 0 else "") + " ".join(words) + ".")
    return out


@pytest.fixture
def analyzed(monkeypatch):
    """Counts the characters `analysis.spans` is asked to analyze."""
    seen = []
    real = analysis.spans

    def counting(text, wanted):
        seen.append(len(text))
        return real(text, wanted)
    monkeypatch.setattr(analysis, "spans", counting)
    return seen


def test_a_snippet_of_a_long_english_transcript_analyzes_nothing(analyzed):
    paras = transcript(140)  # about 20,000 words
    marked, number = highlight.snippet(paras, [["kite"]])
    assert number == 138 and "<mark>kite</mark>" in marked
    marked, number = highlight.snippet(paras, [["camp", "was"]])
    assert number == 1 and "<mark>camp was</mark>" in marked
    assert analyzed == []


def test_a_snippet_of_a_long_khmer_transcript_analyzes_a_few_paragraphs(analyzed):
    paras = transcript(140, khmer=True)
    marked, number = highlight.snippet(paras, [["ខ្ញុំ"], ["river"]], width=5000)
    assert number == 1 and "<mark>ខ្ញុំ</mark>" in marked and "<mark>river</mark>" in marked
    assert 0 < len(analyzed) <= highlight.ANALYZED_PER_SNIPPET
    analyzed.clear()
    marked, number = highlight.snippet(paras, [["ម្តាយ"]])  # its letters are in no paragraph
    assert number is None and analyzed == []


def test_a_transcript_without_blank_lines_is_analyzed_in_a_few_pieces(analyzed):
    one = " ".join(transcript(140, khmer=True))  # one paragraph of 20,000 words
    marked, number = highlight.snippet([one], [["ខ្ញុំ"]])
    assert number == 1 and "<mark>ខ្ញុំ</mark>" in marked
    assert len(analyzed) <= highlight.ANALYZED_PER_SNIPPET
    assert max(analyzed) <= 3 * highlight.PIECE_CHARS < len(one) // 10


def test_marks_stop_when_the_budget_is_spent():
    paras = transcript(10)
    spent = Budget(0)
    marked = highlight.mark_paragraphs(paras, [["river"]], spent)
    assert spent.cut and not any("<mark>" in p for p in marked)
    budget = Budget(None)
    marked = highlight.mark_paragraphs(paras, [["river"]], budget)
    assert not budget.cut and all(p.count("<mark>river</mark>") == 14 for p in marked)


def test_the_record_page_says_when_its_marks_were_cut(app, client, save):
    record = save(title="A long interview", text="\n\n".join(transcript(140)))
    page = client.get(f"/records/{record['id']}", query_string={"q": "river"}).get_data(as_text=True)
    assert page.count("<mark>river</mark>") == 140 * 14 and 'class="hint partial"' not in page
    app.config["SEARCH_SECONDS"] = 0
    page = client.get(f"/records/{record['id']}", query_string={"q": "river"}).get_data(as_text=True)
    assert "<mark>" not in page and 'class="hint partial"' in page and "The time ran out" in page
