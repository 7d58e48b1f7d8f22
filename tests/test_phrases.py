"""Phrases of common words (issue 12, item 4): common grams make them fast and keep them exact.

The oracle is the highlighter's `analysis.spans`, which reads a text without grams: a record
matches a phrase exactly when the phrase's words stand next to each other in its text.
"""
import random

import pytest
from hypothesis import given, settings, strategies as st

from archive.access import SYSTEM
from archive.budget import unlimited
from archive.index import Index, analysis, limits, query, writing
from archive.index.schema import SCHEMA

COMMON = ["the", "of", "and", "a", "in", "was", "we", "i", "le", "de", "l"]
OTHER = ["camp", "border", "refugee", "river", "night", "soldiers", "mother", "came", "said"]
KHMER = ["ខ្ញុំ", "ភូមិ", "ទន្លេ"]
PUNCTUATION = [" ", " ", " ", ", ", ". ", "\n\n", "'", " — "]


def random_text(rnd: random.Random, words: int) -> str:
    out = []
    for _ in range(words):
        pool = rnd.choice([COMMON, COMMON, OTHER, OTHER, KHMER])
        out.append(rnd.choice(pool) + rnd.choice(PUNCTUATION))
    return "".join(out)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """An index of 60 records of common and other words, and their texts."""
    writing.setup()
    path = tmp_path_factory.mktemp("phrases") / "index"
    path.mkdir()
    ix = writing.storage(path).create_index(SCHEMA)
    rnd = random.Random(12)
    texts = {f"r{i:02d}": random_text(rnd, rnd.randint(5, 60)) for i in range(60)}
    writer = ix.writer()
    for record_id, text in texts.items():
        writer.add_document(id=record_id, doctype="record", title="Untitled", text=text, access="public")
    writing.commit(writer)
    index = Index(path)
    yield index, texts
    index.close()


def matching(index, phrase: list[str]) -> set[str]:
    q = 'text:"' + " ".join(phrase) + '"'
    return set(index.search(q, SYSTEM, per_page=100).ids)


@settings(max_examples=300, deadline=None)
@given(phrase=st.lists(st.sampled_from(COMMON + OTHER + KHMER), min_size=1, max_size=4))
def test_a_phrase_finds_exactly_the_texts_where_its_words_stand_together(corpus, phrase):
    index, texts = corpus
    expected = {record_id for record_id, text in texts.items() if analysis.spans(text, [phrase])}
    assert matching(index, phrase) == expected


@pytest.mark.parametrize("phrase", [["of", "the"], ["the", "camp"], ["camp", "of", "the"], ["we", "came"],
                                    ["the", "refugee", "camp"], ["l", "de"], ["of"]])
def test_phrases_of_common_words_are_searched_as_grams(phrase):
    words = [t.text for t in analysis.TEXT_ANALYZER(" ".join(phrase), mode="query")]
    if len(phrase) > 1:
        assert any(analysis.GRAM_JOINER in w for w in words)
        assert words[-1] != phrase[-1] or phrase[-1] not in analysis.COMMON_WORDS
    assert analysis.GRAM_JOINER not in "".join(t.text for t in analysis.ANALYZER(" ".join(phrase)))


def test_grams_stand_at_the_first_words_position():
    tokens = [(t.text, t.pos) for t in analysis.TEXT_ANALYZER("Near the border ខ្ញុំ and camp",
                                                                 positions=True)]
    assert tokens[:5] == [("near", 0), ("near the", 0), ("the", 1), ("the border", 1), ("border", 2)]
    assert ("border ខ្ញុំ", 2) not in tokens and ("and camp", 4) in tokens


def test_patterns_and_suggestions_never_give_a_gram(corpus):
    index, _ = corpus
    for pattern in ("the*", "of*", "th*", "l*", "the~", "ofthe~2"):
        parsed, _ = query.parse(pattern)
        with index.searcher() as s:
            expanded, _ = limits.expand(parsed, s.reader(), unlimited())
        words = query.expanded_terms(expanded, most=500)
        assert not any(analysis.GRAM_JOINER in w for w in words), pattern
        assert words or pattern == "ofthe~2"  # "of the" is one edit away, and no word
    assert analysis.GRAM_JOINER not in (index.suggest("ofthe", SYSTEM) or "")
