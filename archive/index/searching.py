"""The `Index`: one index folder, opened once per process and shared by its threads.

It owns opening and closing the folder, the searcher, the one door for writes (`transaction`), the
marker (which database state the index reflects), and answering searches: record ids best first,
an exact total, facet counts, the words a `word*` or `word~` expanded to, and spelling suggestions.
It never reads the database: searches return record ids that the caller resolves against the store.

Searches run side by side: each borrows a searcher of its own from a small pool (`pool`), and the
facet table of a commit is shared by the searches that read it (`facets`).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import query as Q, sorting
from whoosh.index import TOC
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from ..access import Viewer
from ..budget import Budget, unlimited
from ..clock import today
from . import limits, merging, parallel, query as queries, ranking, schema, suggest as suggestions, writing
from .facets import FacetTable, SegmentValues, commit_key, segment_id
from .pool import SearcherPool
from .query import Filters

RANKED_AT_LEAST = 100  # hits ranked at once: the next pages of a search cost nothing
TABLES_KEPT = 2  # facet tables of the latest commits (a search may still read the one before)


@dataclass
class Results:
    ids: list[str]
    total: int
    page: int
    per_page: int
    scores: dict[str, float] = field(default_factory=dict)
    hint: str | None = None  # a word about how the query was read
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # name -> (value, count)
    terms: list[str] = field(default_factory=list)  # words a prefix or fuzzy query expanded to
    suggestion: str | None = None
    partial: bool = False  # the time ran out: hits, facets or expansions may be incomplete
    narrowed: bool = False  # a `word*` or `word~` stood for more words than were searched


def _today() -> int:
    """Today as YYYYMMDD, from the same clock as the store's embargo check."""
    return int(today().replace("-", ""))


class Index:
    """One Whoosh index folder: a process keeps one of these and shares it between threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._ix = None
        self._searchers = SearcherPool(self._open_searcher, self.path)
        self._tables: OrderedDict[tuple, FacetTable] = OrderedDict()  # commit -> its facet table
        self._segments: dict[str, SegmentValues] = {}  # segment id -> its values, read once
        self._tables_lock = threading.Lock()
        # Whoosh's write lock is a file lock, which does not keep this process's threads apart.
        # A write that also holds a database transaction takes this lock first (records.writing).
        self.write_lock = threading.RLock()
        self._merger: merging.Merger | None = None  # the server's background merges
        self.lane = limits.Lane()  # costly searches, few at a time

    # --- opening -----------------------------------------------------------------------------
    @staticmethod
    def exists(path: str | Path) -> bool:
        path = Path(path)
        return path.is_dir() and any(path.glob("_MAIN_*.toc"))

    def create(self) -> "Index":
        """Create an empty index at the path (replacing nothing that exists)."""
        if not self.exists(self.path):
            self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
            writing.storage(self.path).create_index(schema.SCHEMA)
        return self

    @property
    def ix(self):
        if self._ix is None:
            # Read with this code's schema, not the one pickled in the folder: an index written by
            # another version may name an analyzer that cannot be loaded any more; its marker's
            # INDEX_VERSION then tells `ensure_index` to rebuild it.
            self._ix = writing.storage(self.path).open_index(schema=schema.SCHEMA)
        return self._ix

    def _open_searcher(self, stale=None):
        """A searcher of the latest commit. The segment readers of a `stale` searcher of this folder
        whose segments are unchanged (same deletions) are taken over rather than opened again: after
        a save, only the new segment and the one that lost the old marker are opened. (Whoosh's own
        `reader(reuse=…)` adds merged-away segments back and keeps stale deletions.)"""
        ix = self.ix
        old = {}
        if stale is not None:
            old = {leaf.segment().segment_id(): leaf for leaf, _ in stale.reader().leaf_readers()
                   if isinstance(leaf, SegmentReader)}
        for attempt in range(10):
            readers, taken, opened = [], [], []
            try:
                toc = TOC.read(ix.storage, ix.indexname, schema=schema.SCHEMA)
                for segment in toc.segments:
                    leaf = old.get(segment.segment_id())
                    if leaf is not None and set(leaf.segment().deleted_docs()) == set(segment.deleted_docs()):
                        taken.append(segment.segment_id())
                    else:
                        leaf = SegmentReader(ix.storage, schema.SCHEMA, segment, generation=toc.generation)
                        opened.append(leaf)
                    readers.append(leaf)
            except FileNotFoundError:  # a commit deleted a file as it was opened: read the new one
                for leaf in opened:
                    leaf.close()
                if attempt == 9:
                    raise
                continue
            break
        for kept in taken:
            old.pop(kept)._gen = toc.generation  # a reader of this commit now
        for leaf in old.values():  # not taken over: merged away, or with new deletions
            leaf.close()
        if not readers:
            reader = EmptyReader(schema.SCHEMA)
        elif len(readers) == 1:
            reader = readers[0]
        else:
            reader = MultiReader(readers, generation=toc.generation)
        return Searcher(reader, fromindex=ix)

    def close(self) -> None:
        """Close the searchers (those in use when they are given back); the index reopens on use."""
        if self._merger is not None:
            self._merger.stop()
            self._merger = None
        self._searchers.close()
        with self._tables_lock:
            self._tables.clear()
            self._segments = {}
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    # --- writing: the one door -----------------------------------------------------------------
    @contextmanager
    def transaction(self, procs: int = 1):
        """`with index.transaction() as tx: tx.put(doc); tx.remove(id); tx.set_marker(seq, archive)`.

        The changes commit together when the block ends, or not at all when it raises. Waits up to
        `writing.INDEX_TIMEOUT` for another process's writer. With `procs` > 1 (a bulk write), the
        documents put are indexed by that many worker processes while this one holds the lock
        (`parallel`). :raise IndexBusy: :raise parallel.WorkerFailed:
        """
        with self.write_lock:
            writer = writing.open_writer(self.ix)
            builders = None
            try:
                builders = parallel.Builders(self.path, procs) if procs > 1 else None
                yield writing.Transaction(writer, builders)
            except BaseException:
                if builders:
                    builders.cancel()
                writer.cancel()
                raise
            writing.commit_with(writer, builders)

    # --- reading -----------------------------------------------------------------------------
    @contextmanager
    def searcher(self):
        """A searcher of the latest commit, this caller's alone until the block ends."""
        with self._searchers.borrow() as s:
            yield s

    def refresh(self) -> None:
        """Open a searcher of the latest commit now, so the next search does not (after writes)."""
        with self.searcher():
            pass

    def written(self) -> None:
        """After a write, once its locks are given back: open a searcher of the new commit, and merge
        segments when there are too many (in the background thread when there is one, else now)."""
        self.refresh()
        if self._merger is not None:
            self._merger.nudge()
        elif merging.merge(self):
            self.refresh()

    def merge_in_background(self) -> None:
        """Merge segments in a thread of this process after every write (a server's start-up)."""
        if self._merger is None:
            self._merger = merging.Merger(self)
            self._merger.nudge()

    def taking_turns(self, text: str, budget: Budget):
        """A context in which a costly search (`limits.costly`) of `text` takes its turn in the lane,
        for what the caller does around the index's part (a page's snippets and cues)."""
        query = queries.parse(text)[0] if (text or "").strip() else Q.Every()
        return self.lane.enter(query, budget)

    def warm_in_background(self, viewer: Viewer) -> threading.Thread:
        """Read, in a thread, what every search needs first (each document's facet values and date
        bounds, the documents `viewer` may see, and their facet counts), so that after a server's
        start the first search does not pay for it (2 s at 50,000 records)."""
        def warm():
            with self.searcher() as s:
                visible = self._visible(s, viewer)
                self._table(s).count(visible, within=visible)
        thread = threading.Thread(target=warm, name="warm-index", daemon=True)
        thread.start()
        return thread

    def marker(self) -> tuple[int | None, str | None, str | None]:
        """The database change number and archive id this index reflects, and the INDEX_VERSION
        it was built with (None for each when there is no marker)."""
        with self.searcher() as s:
            fields_ = s.document(id=schema.MARKER_ID) or {}
        return fields_.get("seq"), fields_.get("archive"), fields_.get("version")

    def stored_seqs(self) -> dict[str, int]:
        """Id and change number of every record document in the index."""
        with self.searcher() as s:
            return {f["id"]: f.get("seq") for f in s.all_stored_fields()
                    if f.get("id") != schema.MARKER_ID}

    def doc_count(self) -> int:
        with self.searcher() as s:
            return s.doc_count() - (1 if s.document_number(id=schema.MARKER_ID) is not None else 0)

    # --- searching ---------------------------------------------------------------------------
    @staticmethod
    def access_filter(viewer: Viewer):
        """Only records this viewer may see (and never the marker)."""
        parts = [Q.Term("doctype", "record")]
        if not viewer.sees_everything:
            parts.append(Q.Or([Q.Term("access", level) for level in viewer.levels]))
            parts.append(Q.NumericRange("embargo", None, _today()))
        return Q.And(parts)

    @staticmethod
    def _level_fields(s, viewer: Viewer) -> tuple[str, ...]:
        """The fields of hidden passages this viewer may search that hold anything in this commit
        (none for anonymous visitors, and none at all while no record has a redaction)."""
        levels = [level for level in schema.LEVEL_FIELDS if level in viewer.levels]
        if not levels:
            return ()
        reader = s.reader()
        # an archivist reads the private text, which holds the restricted passages too
        name = schema.LEVEL_FIELDS[levels[-1]]
        return (name,) if reader.field_length(name) else ()

    def _table(self, s) -> FacetTable:
        """The facet table of the commit this searcher reads (made by its first search)."""
        key = commit_key(s)
        with self._tables_lock:  # made once: the searches of a new commit wait for it together
            table = self._tables.get(key)
            if table is None:
                table = self._tables[key] = FacetTable(s, self._segments)
                while len(self._tables) > TABLES_KEPT:
                    self._tables.popitem(last=False)
                live = {segment for _, segments in self._tables for segment in segments}
                for gone in set(self._segments) - live:  # merged away
                    del self._segments[gone]
            return table

    @staticmethod
    def _visibility_key(viewer: Viewer) -> tuple:
        return ("all",) if viewer.sees_everything else (tuple(viewer.levels), _today())

    def _visible(self, s, viewer: Viewer) -> frozenset:
        table = self._table(s)
        return table.remember(table.visible, self._visibility_key(viewer),
                              lambda: self._docs(s, self.access_filter(viewer)))

    @staticmethod
    def _expanded(s, table, query, budget) -> tuple[object, bool]:
        """The query with its patterns' words chosen (once per commit), in at most a share of the
        time left: matching the chosen words cannot stop part-way, so it needs the rest."""
        return table.remember(table.expanded, repr(query), lambda: limits.expand(
            query, s.reader(), budget.part(limits.EXPANSION_SHARE)), budget)

    def _docs(self, s, query, budget: Budget | None = None) -> frozenset:
        """The document numbers matching a query, segment by segment: a segment's matches are kept
        (`SegmentValues.docs`), so after a save only the new segment is searched. With a budget,
        only those found in time (`limits.matching_docs`)."""
        budget = budget or unlimited()
        found: set[int] = set()
        for leaf_searcher, offset in s.leaf_searchers():
            key = segment_id(leaf_searcher.reader())
            part = self._segments.get(key) if key else None
            local = part.docs(query, leaf_searcher, budget) if part else \
                limits.matching_docs(query, leaf_searcher, budget)
            found.update(local if offset == 0 else [d + offset for d in local])
        return frozenset(found)

    def search(self, text: str, viewer: Viewer, page: int = 1, per_page: int = 20,
               sort: str = "relevance", filters: Filters | None = None, facets: bool = False,
               facet_limit: int | None = None, budget: Budget | None = None) -> Results:
        """Record ids matching a query and filters, best first, limited to what the viewer may see.

        The total is exact (counted from the matching document set, not `len(results)`, which
        undercounts some range queries); facet counts come from the same set. With a `budget`,
        each step stops early when it is spent and the results say they are partial.
        """
        budget = budget or unlimited()
        text = (text or "").strip()
        query, hint = queries.parse(text) if text else (Q.Every(), None)
        if queries.is_empty(query):
            query, hint = Q.Every(), hint or "Nothing to search for in the query; showing everything."
        if isinstance(query, Q.Every) and sort == "relevance":
            sort = "date"  # nothing to rank by: oldest first
        page = max(1, page)
        narrowing = filters.query() if filters else None
        with self.lane.enter(query, budget) as turn, self.searcher() as s:
            if not turn:  # its time went in waiting for the costly searches before it
                return Results([], 0, page, per_page, {}, hint, {}, [], partial=True)
            query = queries.widened(query, self._level_fields(s, viewer))
            table = self._table(s)
            query, narrowed = self._expanded(s, table, query, budget)
            visible = self._visible(s, viewer)
            dates_key = (filters.date_from, filters.date_to) if filters and filters.has_dates else None
            if dates_key:
                visible = visible & table.overlapping(*dates_key)
            full = Q.And([query, narrowing]) if narrowing else query
            key = (repr(full), self._visibility_key(viewer), dates_key)
            scored: dict[int, float] = {}  # the matches' scores, when finding them ranked them
            matched = table.remember(table.matches, key, lambda: visible.intersection(self._matches(
                s, query, narrowing, sort, scored, budget.part(limits.MATCH_SHARE))), budget)
            chosen_ids, scores = [], {}
            wanted = page * per_page
            if matched and (page - 1) * per_page < len(matched):
                limit = max(wanted, RANKED_AT_LEAST)
                ranked = table.remember(table.ranked, (key, sort, limit), lambda: ranking.best(
                    scored, matched, limit) if scored else self._rank(
                    s, table, query, matched, sort, limit, budget), budget)
                for docnum, score in ranked[(page - 1) * per_page: wanted]:  # only the page named
                    record_id = s.stored_fields(docnum)["id"]
                    chosen_ids.append(record_id)
                    if score is not None:
                        scores[record_id] = score
            facet_counts = {}
            if facets:
                facet_counts = table.remember(table.facets, (key, facet_limit), lambda: self._facet_counts(
                    s, table, query, filters, visible, matched, facet_limit, budget), budget)
        terms = queries.expanded_terms(query) if matched else []
        return Results(chosen_ids, len(matched), page, per_page, scores, hint, facet_counts, terms,
                       partial=budget.cut, narrowed=narrowed)

    def _matches(self, s, query, narrowing, sort, scored: dict, budget) -> frozenset:
        """The documents matching the query and the filters. Ranked by relevance, a query of words
        is scored as its matches are found (`ranking`), its scores left in `scored`."""
        if sort == "relevance" and ranking.can_rank(ranked := queries.with_proximity(query, s)):
            scored.update(ranking.scores(s, ranked, budget))
            found = frozenset(scored)
            return found & self._docs(s, narrowing, budget) if narrowing and found else found
        return self._docs(s, Q.And([query, narrowing]) if narrowing else query, budget)

    def _rank(self, s, table, query, matched, sort, limit, budget) -> list[tuple[int, float | None]]:
        """The first `limit` matched documents in order, with their scores when ranked by relevance."""
        sortedby = {"date": lambda: sorting.FunctionFacet(table.date_key(newest_first=False)),
                    "-date": lambda: sorting.FunctionFacet(table.date_key(newest_first=True)),
                    "title": lambda: "title_sort"}.get(sort, lambda: None)()
        ranked = queries.with_proximity(query, s) if sortedby is None else query
        if sortedby is None and ranking.can_rank(ranked):
            return ranking.best(ranking.scores(s, ranked, budget, matched), matched, limit)
        collector = limits.DeadlineCollector(s.collector(limit=limit, sortedby=sortedby), set(matched),
                                             budget)
        s.search_with_collector(ranked, collector)
        # with a sort, the score is a sort key, not a relevance
        return [(h.docnum, h.score if sortedby is None else None) for h in collector.results()]

    def _facet_counts(self, s, table, query, filters, visible, matched, limit, budget) -> dict:
        chosen = [name for name, values in (filters.values if filters else {}).items() if values]
        counts = table.count(matched, limit, tuple(n for n in schema.FACET_FIELDS if n not in chosen),
                             budget, within=visible)
        for name in chosen:
            if budget.over():
                break
            # A facet in use counts as if its own filter were off, so its other values
            # show what choosing them as well (either value) would add.
            others = Filters({k: v for k, v in filters.values.items() if k != name})
            rest = others.query()
            wider = visible.intersection(self._docs(s, Q.And([query, rest]) if rest else query, budget))
            counts.update(table.count(wider, limit, (name,), within=visible))
        return counts

    def matching_ids(self, text: str, viewer: Viewer, filters: Filters | None = None,
                     sort: str = "relevance") -> list[str]:
        """Every matching record id in order (for exports of a search): one ranking of all hits."""
        first = self.search(text, viewer, per_page=1, sort=sort, filters=filters)
        if first.total <= 1:
            return first.ids
        return self.search(text, viewer, per_page=first.total, sort=sort, filters=filters).ids

    def expanded_terms(self, text: str, budget: Budget | None = None,
                       viewer: Viewer | None = None) -> list[str]:
        """The index words a query's `word*` and `word~` stand for (to mark them on a record page),
        among those this viewer may read."""
        budget = budget or unlimited()
        query, _ = queries.parse(text)
        with self.lane.enter(query, budget) as turn, self.searcher() as s:
            if not turn:
                return []
            if viewer is not None:
                query = queries.widened(query, self._level_fields(s, viewer))
            table = self._table(s)
            expanded, _ = self._expanded(s, table, query, budget)
        return queries.expanded_terms(expanded)

    def suggest(self, text: str, viewer: Viewer, budget: Budget | None = None) -> str | None:
        """A spelling of the query whose words the viewer's records contain ("Did you mean …")."""
        budget = budget or unlimited()
        with self.searcher() as s:
            return suggestions.suggest(s, self._visible(s, viewer), text, budget)

    def unseen_words(self, words: list[str], viewer: Viewer) -> frozenset:
        """The words (lower case) that no record the viewer may see holds."""
        with self.searcher() as s:
            return suggestions.unseen(s, self._visible(s, viewer), words)
