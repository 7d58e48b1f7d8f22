"""`archive.index.speedups`: Whoosh's own answers, reached with less work (docs/search.md)."""
from hypothesis import given, settings, strategies as st
from whoosh.matching import ListMatcher
from whoosh.matching.combo import ArrayUnionMatcher

from archive.index import speedups, writing

writing.setup()


class WhooshUnion(ArrayUnionMatcher):
    """Whoosh's ArrayUnionMatcher as it was before `speedups.apply()`."""


for _name, _method in speedups.WHOOSH_UNION.items():
    setattr(WhooshUnion, _name, _method)

postings = st.lists(st.dictionaries(st.integers(0, 299), st.sampled_from([0.0, 0.5, 1.0, 2.5]), max_size=40),
                    min_size=1, max_size=4)


def matchers(lists):
    return [ListMatcher(sorted(p), [p[d] for d in sorted(p)]) for p in lists]


def walk(matcher, skips):
    """Documents and scores as a collector reads them: id, score, next, now and then skip_to."""
    seen = []
    while matcher.is_active() and len(seen) < 400:
        seen.append((matcher.id(), matcher.score()))
        if skips and matcher.id() in skips:
            matcher.skip_to(matcher.id() + skips[matcher.id()])
        else:
            matcher.next()
    return seen


@settings(max_examples=300, deadline=None)
@given(postings, st.sampled_from([1, 7, 64, 2048]), st.booleans(),
       st.dictionaries(st.integers(0, 299), st.integers(1, 80), max_size=5))
def test_or_of_fields_gives_whoosh_s_documents_and_scores(lists, partsize, scored, skips):
    def both():
        return (ArrayUnionMatcher(matchers(lists), 300, scored=scored, partsize=partsize),
                WhooshUnion(matchers(lists), 300, scored=scored, partsize=partsize))
    ours, theirs = both()
    assert list(ours.all_ids()) == list(theirs.all_ids())
    ours, theirs = both()
    assert walk(ours, skips) == walk(theirs, skips)
    ours, theirs = both()
    assert ours.skip_to_quality(0.7) == theirs.skip_to_quality(0.7)
    assert walk(ours, {}) == walk(theirs, {})
