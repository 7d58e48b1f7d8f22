"""Ranking by relevance a posting list at a time, for queries of words (docs/search.md, "Ranking
many matches").

Whoosh ranks a document at a time: for each document it walks a tree of matchers (an AND of the
query's words, each an OR of the fields it is searched in) and asks every matcher that holds the
document for its score. That is some twenty method calls a document: two words found in nearly
every record of 50,000 took 1.2 s to rank, past the answer's share of the time, although only the
first page was wanted.

Here each word's posting list in each field is read a block at a time and its BM25F scores added
into a dict, from the numbers Whoosh's own scorer uses (idf, average field length, B, K1) in the
same formula, so a document's score is Whoosh's (the same terms, added in a different order: equal
to the last bit or two). The tree is summed as Whoosh's matchers sum it: an OR adds the scores of
its parts that hold the document, an AND those of all its parts (and only where all hold it), AND
MAYBE its first part plus the second where that holds it, AND NOT its first part where the second
does not hold it. A pattern (`word*`, `word~`, once its words are chosen: `limits.Expanded`) ranks
as the OR of its words. (Whoosh gave each document a pattern matched the same score in segments of
up to 5,000 documents, and summed the words' scores in larger ones.) A phrase scores as Whoosh's
phrase matcher scores it, the sum of its words' scores, in the documents where Whoosh's matcher
finds the phrase (`limits.matching_docs`, positions read once). The documents scored are the
query's matches, so one reading gives the search both its matches and their ranking (Whoosh read
every posting list twice, and a phrase's positions twice). Queries with anything else (a NOT
alone, coordination) are left to Whoosh's collector.
"""
from __future__ import annotations

import heapq

from whoosh import query as Q
from whoosh.scoring import BM25F

from . import limits, phrases, speedups


def can_rank(query) -> bool:
    """Whether `scores` can rank this query: a tree of words (and the words a pattern stands for),
    phrases, ANDs, ORs, AND MAYBE and AND NOT."""
    if isinstance(query, (Q.Term, limits.Expanded, Q.Phrase)):
        return True
    if isinstance(query, Q.AndNot):
        return can_rank(query.a)
    if isinstance(query, Q.AndMaybe):
        return can_rank(query.a) and can_rank(query.b)
    if isinstance(query, Q.Or) and (query.scale or getattr(query, "minmatch", 0)):
        return False
    if type(query) in (Q.And, Q.Or):
        return bool(query.subqueries) and all(can_rank(q) for q in query.subqueries)
    return False


def scores(searcher, query, budget, allowed: set[int] | None = None) -> dict[int, float]:
    """Every document matching `query` (`can_rank`) -> its score, by document number; the keys are
    the query's matches, deleted documents included (the visible set never holds one). With
    `allowed`, segments holding none of those are skipped (`limits.holding`). When the budget runs out, what was read
    by then (the budget says the answer was cut)."""
    found: dict[int, float] = {}
    clock = _Clock(budget)
    leaves = searcher.leaf_searchers() if allowed is None else limits.holding(searcher, allowed)
    for leaf, offset in leaves:
        part = _scores(query, leaf, clock)
        found.update(part.items() if offset == 0 else ((d + offset, v) for d, v in part.items()))
        if clock.over:
            break
    return found


def best(scored: dict[int, float], allowed, limit: int) -> list[tuple[int, float]]:
    """The `limit` best allowed documents as (document number, score), best first and, at equal
    scores, in document order, as Whoosh's collector gives them."""
    ranked = heapq.nlargest(limit, ((score, -docnum) for docnum, score in scored.items()
                                    if docnum in allowed))
    return [(-negated, score) for score, negated in ranked]


class _Clock:
    def __init__(self, budget):
        self.budget, self.over = budget, False

    def tick(self) -> bool:
        """After each block read: whether the time is up (a look at the clock costs far less than a
        block)."""
        self.over = self.over or self.budget.over()
        return self.over


def _scores(query, leaf, clock) -> dict[int, float]:
    """Document number (in the segment) -> score, for the documents of the segment matching `query`."""
    if isinstance(query, limits.Expanded):  # the OR of its words
        query = Q.Or([Q.Term(query.fieldname, word) for word in query.btexts if word], boost=query.boost)
    if isinstance(query, Q.Term):
        found = _term(query, leaf, clock)
    elif isinstance(query, Q.Phrase):
        found = _phrase(query, leaf, clock)
    elif isinstance(query, Q.AndNot):
        found = _scores(query.a, leaf, clock)
        if found:
            for docnum in limits.matching_docs(query.b, leaf, clock.budget):
                found.pop(docnum, None)
    elif isinstance(query, Q.AndMaybe):
        found = _scores(query.a, leaf, clock)
        if found:
            for docnum, score in _scores(query.b, leaf, clock).items():
                if docnum in found:
                    found[docnum] += score
    elif isinstance(query, Q.And):
        parts = [_scores(q, leaf, clock) for q in query.subqueries]
        parts.sort(key=len)
        found = parts[0]
        for part in parts[1:]:
            found = {d: s + part[d] for d, s in found.items() if d in part}
    else:  # Or
        found = {}
        for i, q in enumerate(query.subqueries):
            if i and clock.over:  # the first part is always read: an answer has something
                break
            for docnum, score in _scores(q, leaf, clock).items():
                found[docnum] = found.get(docnum, 0.0) + score
    boost = query.boost
    if boost != 1.0 and not isinstance(query, Q.Term):
        found = {d: s * boost for d, s in found.items()}
    return found


def _phrase(query, leaf, clock) -> dict[int, float]:
    """Whoosh's phrase matcher scores a document as the AND of the phrase's words (each as often as
    it stands in the phrase): the sum of their scores, where the phrase holds. An exact phrase's
    words are weighed from the postings that found it (`phrases.postings`), not read again."""
    found: dict[int, float] = {}
    if phrases.exact(query, leaf):
        where, weights = phrases.postings(query, leaf.reader(), clock.budget)
        ids = list(where)
        for word in query.words if ids else ():
            score = _scorer(leaf, query.fieldname, word, 1.0)
            for docnum, value in zip(ids, score(ids, [weights[word][d] for d in ids])):
                found[docnum] = found.get(docnum, 0.0) + value
        return found
    where = limits.matching_docs(query, leaf, clock.budget)
    if where:
        for word in query.words:
            for docnum, score in _term(Q.Term(query.fieldname, word), leaf, clock).items():
                if docnum in where:
                    found[docnum] = found.get(docnum, 0.0) + score
    return found


def _term(query, leaf, clock) -> dict[int, float]:
    found: dict[int, float] = {}
    postings = speedups.term_postings(leaf.reader(), query.fieldname, query.text)
    if postings is None:
        return found
    text, matcher = postings
    score = _scorer(leaf, query.fieldname, text, query.boost)
    for ids, weights in speedups.posting_blocks(matcher):  # the first block even when the time is up
        found.update(zip(ids, score(ids, weights)))
        if clock.tick():
            break
    return found


def _scorer(leaf, fieldname: str, text, boost: float):
    """A function giving a block of a word's postings (document numbers, weights) their scores, as
    Whoosh's BM25F scorer gives them (times the boost)."""
    bm25 = _bm25(leaf, fieldname, text)
    if bm25 is None:  # a field without lengths: the weight is the score
        return lambda ids, weights: [w * boost for w in weights]
    idf, avgfl, B, K1 = bm25
    lengths = speedups.field_lengths(leaf.reader(), fieldname)
    # bm25() of whoosh.scoring, its length part worked out once for each of the 256 stored lengths
    norm = [K1 * ((1 - B) + B * fl / avgfl) if fl is not None else None for fl in speedups.LENGTHS]
    k1_1 = K1 + 1

    def score(ids, weights) -> list[float]:
        block = [idf * ((tf * k1_1) / (tf + norm[lengths[d]])) for d, tf in zip(ids, weights)]
        return block if boost == 1.0 else [value * boost for value in block]
    return score


def _bm25(leaf, fieldname: str, text: bytes) -> tuple[float, float, float, float] | None:
    """What Whoosh's BM25F scorer of the word in a segment scores with (idf and average length
    from the whole index, as `BM25FScorer` takes them), without its own lookups of the word; None
    for a field Whoosh scores by weight alone."""
    weighting: BM25F = leaf.weighting  # Whoosh's default, which the archive's searchers use
    if not leaf.schema[fieldname].scorable:
        return None
    parent = leaf.get_parent()
    return (parent.idf(fieldname, text), parent.avg_field_length(fieldname) or 1,
            weighting._field_B.get(fieldname, weighting.B), weighting.K1)
