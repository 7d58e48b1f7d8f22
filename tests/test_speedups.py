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


def test_short_posting_lists_kept_inline_read_merge_and_score_as_blocks_do(tmp_path):
    """Words of few documents are kept in their entry (`INLINE_BELOW`): reading them, merging
    segments and ranking give what Whoosh's blocks give, for fields with and without positions."""
    import random

    from whoosh import fields, index, qparser
    from whoosh.codec.whoosh3 import W3Codec

    schema = fields.Schema(id=fields.ID(stored=True), tag=fields.ID, text=fields.TEXT)
    rnd = random.Random(7)
    words = [f"w{i}" for i in range(60)]
    docs = [{"id": f"d{n}", "tag": f"t{n % 12}",
             "text": " ".join(rnd.choices(words, weights=[1 / (k + 1) for k in range(60)], k=40))}
            for n in range(40)]

    def build(folder, codec):
        folder.mkdir()
        ix = index.create_in(str(folder), schema)
        for part in (docs[:25], docs[25:]):
            writer = ix.writer(**({"codec": codec} if codec else {}))
            for doc in part:
                writer.add_document(**doc)
            writer.commit(merge=False)
        return ix

    def postings(ix):
        with ix.reader() as r:
            return {(f, t): list(r.postings(f, t).items_as("positions")) if f == "text"
                    else list(r.postings(f, t).all_ids()) for f, t in r.all_terms()}

    def ranked(ix):
        with ix.searcher() as s:
            out = []
            for text in ["w3", "w40 OR w2", '"w0 w1"', "tag:t3 w5"]:
                query = qparser.QueryParser("text", schema).parse(text)
                out.append([(h["id"], round(h.score, 6)) for h in s.search(query, limit=None)])
            return out

    inline, blocks = build(tmp_path / "inline", None), build(tmp_path / "blocks", W3Codec(inlinelimit=1))
    with inline.reader() as r:
        first = r.leaf_readers()[0][0]  # a segment's own entries (a MultiReader sums them)
        assert first.term_info("tag", "t3").is_inlined() and not first.term_info("text", "w0").is_inlined()
    assert postings(inline) == postings(blocks) and ranked(inline) == ranked(blocks)
    before = postings(blocks)
    inline.optimize()  # a merge reads the inline lists and writes them again
    blocks.optimize()
    assert len(inline.reader().leaf_readers()) == 1
    assert postings(inline) == postings(blocks) == before and ranked(inline) == ranked(blocks)
