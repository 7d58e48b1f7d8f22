"""`archive.index.ranking`: Whoosh's matches and BM25F scores, read a posting list at a time."""
import math
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from whoosh import index as whoosh_index, query as Q

from archive.budget import Budget, unlimited
from archive.index import limits, ranking, schema, writing

writing.setup()

WORDS = ["mother", "camp", "river", "rice", "night", "soldiers", "village", "family", "food", "rare"]
PEOPLE = ["p-1", "p-2", "p-3"]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    """The archive's schema, three segments of 200 documents (so posting lists span several
    blocks, common words in most documents, short lists kept inline) and deletions."""
    rnd = random.Random(7)
    ix = whoosh_index.create_in(str(tmp_path_factory.mktemp("ranking")), schema.SCHEMA)
    for segment in range(3):
        with ix.writer() as w:
            w.merge = False
            for i in range(200):
                words = rnd.choices(WORDS, weights=[30, 25, 20, 15, 10, 8, 6, 4, 2, 0.3], k=rnd.randint(3, 60))
                w.add_document(id=f"r{segment}-{i}", text=" ".join(words), title=" ".join(words[:rnd.randint(1, 4)]),
                               person_id=rnd.choice(PEOPLE))
    with ix.writer() as w:
        w.merge = False
        for i in range(0, 600, 37):
            w.delete_by_term("id", f"r{i // 200}-{i % 200}")
    with ix.searcher() as s:
        assert len(s.reader().leaf_readers()) == 3 and s.reader().has_deletions()
        yield s


def pattern(words, boost):
    """A pattern whose words were chosen (as `limits.expand` leaves it)."""
    return limits.Expanded(Q.Prefix("text", "x", boost=boost), [w.encode() for w in words])


leaves = (st.builds(Q.Term, st.sampled_from(["text", "title"]), st.sampled_from(WORDS),
                    boost=st.sampled_from([1.0, 1.0, 2.5]))
          | st.builds(Q.Term, st.just("person_id"), st.sampled_from(PEOPLE))
          | st.builds(pattern, st.lists(st.sampled_from(WORDS), min_size=1, max_size=3, unique=True),
                      st.sampled_from([1.0, 2.0]))
          | st.builds(Q.Phrase, st.sampled_from(["text", "title"]), st.lists(st.sampled_from(WORDS[:6]), min_size=2,
                                                                              max_size=3),
                      slop=st.sampled_from([1, 1, 4]), boost=st.sampled_from([1.0, 2.0])))
queries = st.recursive(leaves, lambda inner: st.one_of(
    st.builds(Q.And, st.lists(inner, min_size=2, max_size=3), boost=st.sampled_from([1.0, 0.5])),
    st.builds(Q.Or, st.lists(inner, min_size=2, max_size=3), boost=st.sampled_from([1.0, 2.0])),
    st.builds(Q.AndMaybe, inner, inner),
    st.builds(Q.AndNot, inner, inner)), max_leaves=6)


def reference(searcher, query) -> dict[int, float]:
    """Document -> score, from Whoosh's own score of each word alone, summed as Whoosh's matchers
    mean to sum them (its AND NOT and AND MAYBE matchers get a segment's first document wrong:
    see the last test), a pattern's words as an OR."""
    if isinstance(query, (Q.Term, Q.Phrase)):
        return {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
    if isinstance(query, limits.Expanded):  # ranked as the OR of its words
        return reference(searcher, Q.Or([Q.Term(query.fieldname, w.decode()) for w in query.btexts],
                                        boost=query.boost))
    if isinstance(query, Q.AndNot):
        a, b = reference(searcher, query.a), reference(searcher, query.b)
        return {d: score for d, score in a.items() if d not in b}
    if isinstance(query, Q.AndMaybe):
        a, b = reference(searcher, query.a), reference(searcher, query.b)
        return {d: score + b.get(d, 0.0) for d, score in a.items()}
    parts = [reference(searcher, q) for q in query.subqueries]
    docs = set.intersection(*map(set, parts)) if isinstance(query, Q.And) else set().union(*parts)
    return {d: query.boost * sum(part[d] for part in parts if d in part) for d in docs}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, seed=st.integers(0, 1000))
def test_matches_and_scores_are_whoosh_s(searcher, query, seed):
    """The documents scored are the query's matches, each with the score Whoosh gives; the first
    ten of an allowed set are the best, at equal scores in document order."""
    assert ranking.can_rank(query)
    scored = ranking.scores(searcher, query, unlimited())
    live = {d: s for d, s in scored.items() if not searcher.reader().is_deleted(d)}
    expected = reference(searcher, query)
    assert live.keys() == expected.keys()
    assert all(math.isclose(live[d], expected[d], rel_tol=1e-9) for d in expected)

    allowed = set(random.Random(seed).sample(sorted(live), len(live) // 2))
    first = ranking.best(scored, allowed, 10)
    wanted = sorted(allowed, key=lambda d: (-expected[d], d))[:10]
    assert len(first) == len(wanted) and all(d in allowed for d, _ in first)
    for (d, score), other in zip(first, wanted):
        assert math.isclose(score, expected[other], rel_tol=1e-9)  # the same scores, best first
        assert d == other or math.isclose(expected[d], expected[other], rel_tol=1e-9)  # near ties may swap


def test_plain_words_rank_as_whoosh_ranks_every_match(searcher):
    """The shape of a plain search (an AND of words, each an OR of fields): the first page is
    Whoosh's ranking of every match, scores and order. (Whoosh's own first page, `limit=20`, left
    out the best document here: its collector skips documents it wrongly takes for worse.)"""
    query = Q.And([Q.Or([Q.Term(name, word) for name in ("title", "text")]) for word in ("camp", "rice")])
    scored = ranking.scores(searcher, query, unlimited())
    allowed = {d for d in scored if not searcher.reader().is_deleted(d)}
    every = sorted(((hit.docnum, hit.score) for hit in searcher.search(query, limit=None)),
                   key=lambda hit: (-hit[1], hit[0]))
    assert len(allowed) > 100 and len(every) == len(allowed)
    assert [(d, round(score, 9)) for d, score in every[:20]] == [
        (d, round(score, 9)) for d, score in ranking.best(scored, allowed, 20)]


def test_what_it_cannot_rank_is_left_to_whoosh():
    for query in (Q.Prefix("text", "moth"), Q.Not(Q.Term("text", "camp")),
                  Q.Or([Q.Term("text", "camp"), Q.Term("text", "rice")], scale=0.5), Q.Every(),
                  Q.AndMaybe(Q.Term("text", "camp"), Q.Prefix("text", "moth"))):
        assert not ranking.can_rank(query)


def test_out_of_time_it_ranks_what_it_read(searcher):
    """With the budget spent, the first block of each posting list is read (an answer has something)
    and the budget says the answer was cut."""
    budget = Budget(0)
    query = Q.Or([Q.Term("text", word) for word in WORDS])
    scored = ranking.scores(searcher, query, budget)
    everything = ranking.scores(searcher, query, unlimited())
    assert budget.cut and scored and set(scored) <= set(everything)
    assert all(scored[d] <= everything[d] + 1e-9 for d in scored)


def test_a_word_left_out_leaves_out_every_record_holding_it(searcher):
    """Whoosh's AND NOT keeps a segment's first match of its first part when the second part holds
    it and an earlier document (`r2-8` has "mother" in its title and person p-1)."""
    query = Q.AndNot(Q.Term("title", "mother"), Q.Term("person_id", "p-1"))
    first = searcher.document_number(id="r2-8")
    assert first in {hit.docnum for hit in searcher.search(query, limit=None)}  # Whoosh's answer
    assert first not in ranking.scores(searcher, query, unlimited())
    assert first not in {offset + d for leaf, offset in searcher.leaf_searchers()
                         for d in limits.matching_docs(query, leaf, unlimited())}


def test_a_word_s_documents_read_a_block_at_a_time_are_whoosh_s(searcher):
    """`limits.matching_docs` reads a word's postings a block at a time (deleted documents left out)
    and an exact phrase's positions a block at a time (a sloppy one through Whoosh's matcher),
    looking at the clock: the documents are Whoosh's."""
    queries_ = [Q.Term(name, word) for name in ("text", "title") for word in WORDS]
    queries_ += [Q.Term("person_id", "p-2"), Q.Term("text", "absent"), Q.Term("nowhere", "x"),
                 Q.Phrase("text", ["mother", "camp"]), Q.Phrase("text", ["rare", "rare"]),
                 Q.Phrase("text", ["camp", "mother", "camp"]), Q.Phrase("title", ["river", "rice", "absent"]),
                 Q.Phrase("text", ["mother", "camp"], slop=3)]
    for query in queries_:
        for leaf, _ in searcher.leaf_searchers():
            assert limits.matching_docs(query, leaf, unlimited()) == frozenset(query.docs(leaf)), query
