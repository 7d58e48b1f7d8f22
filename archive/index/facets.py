"""Per searcher: each document's facet values and date bounds, and the searches already answered.

It owns counting facets and finding date overlaps without Whoosh's `groupedby` or range queries:
counting facets is a pass over the matching document numbers against values read once per segment,
and a date range is a pass over a dict of integers (docs/search.md, "Making Whoosh fast"). It also
keeps, for one commit of the index, the matches, first ranked hits and facets of recent queries.

A table belongs to one commit (generation and segments), not to one searcher: every searcher of
that commit numbers the documents alike, so the searches running side by side share it. Its caches
are guarded by a lock held only to look up and store, never while a value is computed.
"""
from __future__ import annotations

import threading
from collections import Counter
from itertools import chain

from . import limits
from .schema import BOUND_FIELDS, FACET_FIELDS, FACETS

QUERY_CACHE = 64  # queries whose matches and first hits each searcher keeps
TOTALS_KEPT = 8  # visible sets (access levels, date filters) whose facet counts each searcher keeps
NO_VALUE = 2 ** 62  # a column's stand-in for "no value" is the largest integer
EARLIEST_DAY, LATEST_DAY = -(2 ** 62), 2 ** 62


class Codes:
    """Every (facet field, value) met in this process, numbered: a document's facet values are kept
    as small integers, so that counting the facets of a set of documents is one pass over them."""

    def __init__(self):
        self.pairs: list[tuple[str, str]] = []  # code -> (field, value); only ever appended to
        self._numbers: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def number(self, name: str, value: str) -> int:
        code = self._numbers.get((name, value))
        if code is None:
            with self._lock:
                code = self._numbers.get((name, value))
                if code is None:
                    code = self._numbers[(name, value)] = len(self.pairs)
                    self.pairs.append((name, value))
        return code


CODES = Codes()


class SegmentValues:
    """One segment's facet values and date bounds per (segment-local) document number, and the
    documents recent queries matched in it.

    Segments never change their documents (deletions only mark them), so this is read once per
    segment: after a save, only the new small segment is read. The same holds for a query's
    matches: a save adds a segment and marks deletions in others, so the matches of the segments
    it left alone are kept (less what they have since deleted) and a search after a save looks
    only at the new segment (docs/search.md, "Saves under load").
    """

    def __init__(self, leaf):
        self._docs: dict = {}  # query -> frozenset of local document numbers matching it
        self._deleted: tuple[int, frozenset] = (0, frozenset())  # deletions seen, by their count
        self._lock = threading.Lock()
        self.codes: dict[int, list[int]] = {}  # document -> the codes of its facet values
        fields_ = set(leaf.indexed_field_names())
        for name in FACETS:
            if name in fields_:
                for term in leaf.field_terms(name):
                    code = CODES.number(name, term)
                    for docnum in leaf.postings(name, term).all_ids():
                        self.codes.setdefault(docnum, []).append(code)
        self.bounds: dict[str, dict[int, int]] = {}
        for name in BOUND_FIELDS:
            per_doc_bound: dict[int, int] = {}
            for docnum, value in enumerate(leaf.column_reader(name)):  # sortable: one column read
                if value is not None and abs(value) < NO_VALUE:
                    per_doc_bound[docnum] = value
            self.bounds[name] = per_doc_bound

    def docs(self, query, searcher, budget) -> frozenset:
        """The live local document numbers of this segment matching a query (`searcher` reads only
        this segment). A segment's deletions only ever grow (a merge makes a new segment), so the
        matches found before a deletion, less the deleted, are the matches after it. (A search still
        reading an older commit may so miss a document deleted since: one gone from the database.)"""
        with self._lock:
            found = self._docs.pop(query, None)
            if found is not None:
                self._docs[query] = found  # now the newest
        if found is None:
            found = limits.matching_docs(query, searcher, budget)
            if not budget.over():  # what was found as the time ran out may be a part: not kept
                with self._lock:
                    self._docs[query] = found
                    while len(self._docs) > QUERY_CACHE:
                        del self._docs[next(iter(self._docs))]
        reader = searcher.reader()
        if not reader.has_deletions():
            return found
        return found - self._deletions(reader)

    def _deletions(self, reader) -> frozenset:
        count = reader.doc_count_all() - reader.doc_count()
        seen, deleted = self._deleted
        if seen != count:
            deleted = frozenset(reader.segment().deleted_docs())
            self._deleted = (count, deleted)
        return deleted


def segment_id(leaf) -> str | None:
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    return segment.segment_id() if segment is not None else None


def commit_key(searcher) -> tuple:
    """What identifies the commit a searcher reads: its generation and its segments."""
    reader = searcher.reader()
    return reader.generation(), tuple(segment_id(leaf) for leaf, _ in reader.leaf_readers())


class FacetTable:
    """Each document's facet values and date bounds for one commit, and its query caches."""

    def __init__(self, searcher, segments: dict[str, SegmentValues]):
        self.codes: dict[int, list[int]] = {}  # document -> the codes of its facet values (`CODES`)
        self.bounds: dict[str, dict[int, int]] = {name: {} for name in BOUND_FIELDS}
        for leaf, offset in searcher.reader().leaf_readers():
            key = segment_id(leaf)
            part = segments.get(key) if key else None
            if part is None:
                part = SegmentValues(leaf)
                if key:
                    segments[key] = part
            self.codes.update(part.codes.items() if offset == 0 else
                              ((offset + d, c) for d, c in part.codes.items()))
            for name, per_doc_bound in part.bounds.items():
                self.bounds[name].update((offset + d, v) for d, v in per_doc_bound.items())
        self.visible: dict[tuple, frozenset] = {}  # access key -> visible document numbers
        self.ranges: dict[tuple, frozenset] = {}  # (from, to) -> overlapping document numbers
        # A query's matching documents and its ranked first hits, kept while this searcher lives
        # (until the next save): paging, changing facets and sorting reuse them.
        self.matches: dict[tuple, frozenset] = {}
        self.ranked: dict[tuple, list[tuple[int, float | None]]] = {}  # (document, score)
        self.facets: dict[tuple, dict] = {}
        self.expanded: dict[str, tuple] = {}  # a query -> the query with its patterns expanded
        self.totals: dict[frozenset, Counter] = {}  # a visible set -> its facet values' counts
        self._lock = threading.Lock()

    def remember(self, cache: dict, key, make, budget=None, most: int = QUERY_CACHE):
        """The cached value of `key`, made (and the oldest dropped) when missing.

        A value made after the budget ran out may be incomplete: it is returned, not kept. Two
        searches may make the same value at once; both get a correct one.
        """
        with self._lock:
            if key in cache:
                value = cache.pop(key)
                cache[key] = value  # now the newest
                return value
        value = make()
        if budget is not None and budget.cut:
            return value
        with self._lock:
            cache[key] = value
            while len(cache) > most:
                del cache[next(iter(cache))]
        return value

    def overlapping(self, lo: int | None, hi: int | None) -> frozenset:
        """Documents whose date or period overlaps [lo, hi] (either end may be open)."""
        return self.remember(self.ranges, (lo, hi), lambda: self._overlapping(lo, hi))

    def _overlapping(self, lo: int | None, hi: int | None) -> frozenset:
        lo = EARLIEST_DAY if lo is None else lo
        hi = LATEST_DAY if hi is None else hi
        found = set()
        for start_name, end_name in (("date_lo", "date_hi"), ("period_lo", "period_hi")):
            ends = self.bounds[end_name]
            for docnum, start in self.bounds[start_name].items():
                if start <= hi and ends.get(docnum, start) >= lo:
                    found.add(docnum)
        return frozenset(found)

    def count(self, docnums, limit: int | None = None, only: tuple[str, ...] = FACET_FIELDS,
              budget=None, within: frozenset | None = None) -> dict[str, list[tuple[str, int]]]:
        """Per facet (by its `/search.json` name), the values of these documents, commonest first
        (none when the budget has run out).

        `within`: a set the documents are drawn from (those the viewer may see). When they are most
        of it, as for a common word, its counts (kept) less those of the rest are counted instead."""
        if budget is not None and budget.over():
            return {}
        if within is not None and len(docnums) > len(within) // 2:
            whole = self.remember(self.totals, within, lambda: self._counts(within), most=TOTALS_KEPT)
            counted = whole - self._counts(within - docnums)
        else:
            counted = self._counts(docnums)
        per_field: dict[str, dict[str, int]] = {name: {} for name in only}
        pairs = CODES.pairs
        for code, count in counted.items():
            name, value = pairs[code]
            if name in per_field:
                per_field[name][value] = count
        result = {}
        for name, counts in per_field.items():
            ranked = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))
            result[FACETS[name]] = ranked[:limit] if limit else ranked
        return result

    def _counts(self, docnums) -> Counter:
        """How many of the documents hold each facet value (by its code): one Counter over a chain,
        counted in C, not a Counter.update per document."""
        get = self.codes.get
        return Counter(chain.from_iterable(get(docnum, ()) for docnum in docnums))

    def date_key(self, newest_first: bool):
        """A sort key by the record's date, else the start of its period; undated records last."""
        dates, periods = self.bounds["date_lo"], self.bounds["period_lo"]

        def key(_searcher, docnum: int):
            day = dates.get(docnum, periods.get(docnum))
            return (1, 0) if day is None else (0, -day if newest_first else day)
        return key
