"""Exact phrases, a block of postings at a time (docs/search.md, "Ranking many matches").

Whoosh's phrase matcher walks the documents holding every word of a phrase one at a time, and for
each asks each word's matcher for its positions (twenty calls a document); ranking the phrase then
read its words' postings again. Here the words' postings are read with their positions and weights
a block at a time, and give both the phrase's documents (`limits.matching_docs`) and its words'
weights in them (`ranking._phrase`). A sloppy phrase (`"…"~N`, the proximity boost) is Whoosh's.
"""
from __future__ import annotations

from whoosh import query as Q

from . import speedups

CHECK_EVERY = 16  # documents whose positions are compared between looks at the clock


def _positions(searcher, query) -> bool:
    field = searcher.schema[query.fieldname] if query.fieldname in searcher.schema else None
    return field is not None and bool(field.format) and field.format.supports("positions")


def exact(query, searcher) -> bool:
    """Whether `postings` finds this query's documents: a phrase of words standing next to
    each other, in a field that keeps positions."""
    return isinstance(query, Q.Phrase) and query.slop == 1 and len(query.words) > 1 and \
        _positions(searcher, query)


def postings(query, reader, budget) -> tuple[frozenset, dict[str, dict[int, float]]]:
    """An exact phrase's documents in a segment, and each of its words' weight in them. The words'
    postings are read with their positions a block at a time (the rarest word first, the others
    kept only where it stands), then the positions of the documents holding every word compared:
    the words must stand at positions p, p+1, p+2 …, as Whoosh's phrase matcher wants them. Looks at
    the clock between blocks, and between documents whose positions it compares (in a long
    transcript a common word stands hundreds of times)."""
    lists = {}
    for word in dict.fromkeys(query.words):
        looked_up = speedups.term_postings(reader, query.fieldname, word)
        if looked_up is None:
            return frozenset(), {}
        lists[word] = looked_up[1]
    held: dict[str, dict[int, bytes]] = {}
    weights: dict[str, dict[int, float]] = {}
    candidates: set[int] | None = None
    for word in sorted(lists, key=lambda w: reader.doc_frequency(query.fieldname, w)):
        values: dict[int, bytes] = {}
        weighed: dict[int, float] = {}
        for ids, block_weights, block in speedups.posting_blocks(lists[word], values=True):
            if candidates is None:
                values.update(zip(ids, block))
                weighed.update(zip(ids, block_weights))
            else:
                for d, w, v in zip(ids, block_weights, block):
                    if d in candidates:
                        values[d], weighed[d] = v, w
            if budget.over():
                break
        held[word], weights[word] = values, weighed
        candidates = set(values) if candidates is None else candidates & values.keys()
        if not candidates:
            return frozenset(), {}
    decode = reader.schema[query.fieldname].format.decode_positions
    found = set()
    for i, docnum in enumerate(candidates, 1):
        if i % CHECK_EVERY == 0 and budget.over():  # long transcripts: many positions each
            break
        starts = set(decode(held[query.words[0]][docnum]))
        for offset, word in enumerate(query.words[1:], 1):
            at = set(decode(held[word][docnum]))
            starts = {p for p in starts if p + offset in at}
            if not starts:
                break
        if starts:
            found.add(docnum)
    if reader.has_deletions():
        found.difference_update(reader.deleted_docs_set)
    return frozenset(found), weights
