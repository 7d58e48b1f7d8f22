"""What a query may cost: edit distances, expansions, and the time budget inside the index.

Measured (docs/search.md, "Query cost in Whoosh"): a `word~N` builds an automaton that grows steeply
with N, `*a*` scans every word of every field, Whoosh ORs every word a pattern stands for, and it
expands the same query again at every step of a search. So, before anything runs:

- `affordable` rewrites the parsed query: `word~N` searches at most MAX_EDITS edits away, keeping at
  least its first letter and never more than all but one (a prefix as long as the word made
  Whoosh raise IndexError); a fuzzy one-letter word is searched as itself;
- `expand` replaces every `word*`, `*word*`, `word~` (and range) by the index words it stands for,
  chosen once per search: at most EXPANSIONS_PER_TERM each and EXPANSIONS_PER_QUERY in all, shared
  fairly between the query's patterns (closest and commonest first), looking at the clock as it
  scans the word lists;
- `matching_docs` finds a query's documents as sets, word by word, looking at the clock between
  words: Whoosh matches an OR of 250 chosen words as one tree of matchers, visited for every
  document, which cannot stop part-way (`*e*` took 3.5 s of it at 50,000 records);
- `DeadlineCollector` stops ranking when the request's `Budget` is spent;
- `Lane` lets few costly searches (patterns, fuzzy words, phrases) run at once. Searches are threads
  of one process, and Python runs one thread at a time: four costly searches at once would leave a
  plain word search a fifth of the interpreter, and the steps of a costly search that cannot stop
  (matching a phrase's positions) five times as long. A costly search waits for the lane at most
  LANE_WAIT of its time, then answers that it found nothing in time (had it run with the time
  left, the steps that cannot stop would have run beside the one in the lane). While plain
  searches run, the costly one in the lane naps each time it looks at the clock.
"""
from __future__ import annotations

import bisect
import re
import threading
import time
from contextlib import contextmanager

from whoosh import collectors, query as Q
from whoosh.reading import TermNotFound
from whoosh.support.levenshtein import distance

from . import phrases, speedups
from .analysis import GRAM_JOINER

MAX_EDITS = 2
EXPANSIONS_PER_TERM = 50  # as Lucene's maxExpansions
EXPANSIONS_PER_QUERY = 250
EXPANDED_FIRST = {"text": 0, "title": 1, "summary": 2}  # fields whose patterns are expanded first
EXPANSION_SHARE = 0.5  # of a search's time left, what choosing the words of its patterns may take
SCAN_MOST = 5000  # matching words looked at per pattern before choosing the commonest
CHECK_EVERY = 512  # words scanned between looks at the clock
RANK_CHECK_EVERY = 16  # documents matched (a phrase) or ranked between looks at the clock (each
# costs far more than a look; a costly search gives way to plain ones when it looks, see Lane)
GRAM = GRAM_JOINER.encode()
MATCH_SHARE = 0.5  # of the time left after the expansion, what finding the documents may take
COSTLY_AT_ONCE = 1  # costly searches run side by side (the rest wait in the lane)
GIVE_WAY_NAP = 0.002  # seconds a costly search naps while plain searches run
GIVE_WAY_SHARE = 0.5  # of its time, how much a costly search may spend napping
LANE_WAIT = 0.9  # of a costly search's time, how long it may wait for the lane (then it answers
# that it found nothing in time: under a stream of costly searches, they take turns, never all run)


def affordable(query):
    """The parsed query with every fuzzy term made affordable (see the module's docstring)."""
    def fix(q):
        if not isinstance(q, Q.FuzzyTerm):
            return q
        if len(q.text) < 2:
            return Q.Term(q.fieldname, q.text, boost=q.boost)
        q.maxdist = max(0, min(int(q.maxdist), MAX_EDITS))
        q.prefixlength = max(1, min(int(q.prefixlength), len(q.text) - 1))
        return q
    return query.accept(fix)


def _expandable(q) -> bool:
    if isinstance(q, Q.Prefix):
        return q.text != ""  # `*` alone is Every, cheap
    if isinstance(q, Q.Wildcard):
        return q.text != "*"
    return isinstance(q, Q.MultiTerm) and not isinstance(q, Expanded)


class Expanded(Q.MultiTerm):
    """A `word*`, `*word*` or `word~` whose index words were chosen once, for the whole search."""

    def __init__(self, original, btexts):
        self.original = original
        self.fieldname = original.fieldname
        self.text = getattr(original, "text", "")
        self.boost = original.boost
        self.constantscore = getattr(original, "constantscore", True)
        self.btexts = tuple(btexts)

    def _btexts(self, ixreader):
        return iter(self.btexts)

    def words(self) -> list[str]:
        return [b.decode("utf-8") if isinstance(b, bytes) else b for b in self.btexts]

    def __eq__(self, other):
        return (other.__class__ is self.__class__ and other.original == self.original
                and other.btexts == self.btexts)

    def __hash__(self):
        return hash(self.original) ^ hash(self.btexts)

    def __repr__(self):
        return f"Expanded({self.original!r}, {len(self.btexts)} words)"

    def __str__(self):
        return str(self.original)


def expand(query, reader, budget) -> tuple[object, bool]:
    """The query with its patterns replaced by the words they stand for, and whether any pattern
    stood for more words than it was given."""
    leaves = [q for q in query.leaves() if _expandable(q)]
    if not leaves:
        return query, False
    share = max(1, min(EXPANSIONS_PER_TERM, EXPANSIONS_PER_QUERY // len(leaves)))
    # The fields a record page marks first: when the time runs out, the words chosen in time are
    # those of the text, so the page still has something to mark.
    chosen = {}
    for q in sorted(leaves, key=lambda q: EXPANDED_FIRST.get(q.fieldname, len(EXPANDED_FIRST))):
        words, more = [], False
        if q.fieldname in reader.schema and not budget.over():
            words, more = _choose(q, reader, share, budget)
        chosen[id(q)] = (words, more)
    narrowed = any(more for _, more in chosen.values())

    def swap(q):  # `accept` hands over the very leaves `leaves()` gave
        if not _expandable(q):
            return q
        return Expanded(q, chosen.get(id(q), ([], False))[0])
    return query.accept(swap), narrowed


def _choose(q, reader, share: int, budget) -> tuple[list[bytes], bool]:
    """The `share` best words of a pattern (closest, then commonest), and whether there were more.

    Each segment's word list gives its words' document counts as it is read: looking each word up
    afterwards, in every segment, cost more than the scan (`soak*` over 200 words in 10 segments:
    2,000 lookups a search)."""
    found: dict[bytes, int | None] = {}  # word -> documents holding it, in the segments read
    for i, item in enumerate(_candidates(q, reader)):
        if i % CHECK_EVERY == 0 and budget.over():
            break
        if item is None or GRAM in item[0]:  # a common gram ("of the") is no word
            continue
        btext, docs = item
        if btext in found:
            if docs is not None:
                found[btext] = (found[btext] or 0) + docs
        elif len(found) < SCAN_MOST:
            found[btext] = docs
        else:
            break
    if len(found) <= share:
        return list(found), False
    name = q.fieldname
    commonness = {b: -(docs if docs is not None else reader.doc_frequency(name, b))
                  for b, docs in found.items()}
    if isinstance(q, Q.FuzzyTerm):
        text = q.text
        key = (lambda b: (distance(b.decode("utf-8"), text), commonness[b]))
    else:
        key = (lambda b: (0, commonness[b]))
    return sorted(found, key=key)[:share], True


def _candidates(q, reader):
    """The words a pattern matches with the documents holding each in one segment (a word comes
    once for each segment holding it), and None for each word looked at that does not match (so the
    caller can look at the clock during a long scan). Each segment's words are read unmerged:
    faster than Whoosh's merge of them."""
    name = q.fieldname
    leaves = [leaf for leaf, _ in reader.leaf_readers() if name in leaf.indexed_field_names()]
    if isinstance(q, Q.FuzzyTerm):
        text, most = q.text, q.maxdist
        shortest, longest = len(text) - most, len(text) + most
        for leaf in leaves:
            for btext, info in leaf.iter_prefix(name, text[:q.prefixlength]):
                word = btext.decode("utf-8")
                ok = shortest <= len(word) <= longest and distance(word, text, limit=most) <= most
                yield (btext, info.doc_frequency()) if ok else None
    elif isinstance(q, Q.Prefix):  # `word*`
        for leaf in leaves:
            for btext, info in leaf.iter_prefix(name, q.text):
                yield btext, info.doc_frequency()
    elif isinstance(q, Q.PatternQuery):  # `*word*`: scan, checking time
        field = reader.schema[name]
        pattern = re.compile(q._get_pattern())
        start = q._find_prefix(q.text)
        for leaf in leaves:
            for btext, info in leaf.iter_prefix(name, start) if start else leaf.iter_field(name):
                yield (btext, info.doc_frequency()) if pattern.match(field.from_bytes(btext)) else None
    else:
        yield from ((btext, None) for btext in q._btexts(reader))


def matching_docs(query, searcher, budget) -> frozenset:
    """The documents `searcher` (one segment's) finds for `query`, taking ORs, ANDs and AND NOTs apart
    into sets and chosen words one by one, and stopping when the budget is spent (then a subset, and
    the budget says it was cut). Any other query is left to Whoosh."""
    if isinstance(query, Expanded):
        query = Q.Or([Q.Term(query.fieldname, word) for word in query.btexts if word])
    if isinstance(query, (Q.Or, Q.DisjunctionMax)) and not getattr(query, "minmatch", 0):
        found: set[int] = set()
        for i, sub in enumerate(query.subqueries):
            if i and budget.over():  # the first word is always looked up: an answer has something
                break
            found.update(matching_docs(sub, searcher, budget))
        return frozenset(found)
    if isinstance(query, Q.AndNot):  # Whoosh's AndNotMatcher keeps the first document of `a` when
        # `b` holds it and a document before it: `a -b` found records holding b
        found = matching_docs(query.a, searcher, budget)
        return found - matching_docs(query.b, searcher, budget) if found else found
    if isinstance(query, Q.And):
        common = None
        for sub in query.subqueries:
            docs = matching_docs(sub, searcher, budget)
            common = docs if common is None else common & docs
            if not common:
                break
        return frozenset(common or ())
    if isinstance(query, Q.Term):
        return _term_docs(query, searcher.reader(), budget)
    if phrases.exact(query, searcher):
        return phrases.postings(query, searcher.reader(), budget)[0]
    return _watching(query, searcher, budget)


def _term_docs(query, reader, budget) -> frozenset:
    """A word's documents in a segment, a block of postings at a time, looking at the clock between
    blocks (the first is always read)."""
    postings = speedups.term_postings(reader, query.fieldname, query.text)
    if postings is None:
        return frozenset()
    found: set[int] = set()
    for ids, _ in speedups.posting_blocks(postings[1]):
        found.update(ids)
        if budget.over():
            break
    if reader.has_deletions():
        found.difference_update(reader.deleted_docs_set)
    return frozenset(found)


def _watching(query, searcher, budget) -> frozenset:
    """Whoosh's documents for a query it matches itself (a phrase: reading positions), looking at
    the clock between them."""
    found = []
    try:
        matcher = query.matcher(searcher)
    except TermNotFound:
        return frozenset()
    while matcher.is_active():
        found.append(matcher.id())
        if len(found) % RANK_CHECK_EVERY == 0 and budget.over():
            break
        matcher.next()
    return frozenset(found)


def holding(searcher, docnums):
    """The searcher's segments (leaf searcher, offset) holding any of these documents: every segment
    costs a matcher per field and word even when nothing in it matches, and after a few saves most
    segments are small ones that hold none of a query's documents."""
    ordered = sorted(docnums)
    for leaf, offset in searcher.leaf_searchers():
        first = bisect.bisect_left(ordered, offset)
        if first < len(ordered) and ordered[first] < offset + leaf.reader().doc_count_all():
            yield leaf, offset


class DeadlineCollector(collectors.FilterCollector):
    """Ranks only the allowed documents, and stops when the budget is spent (keeping what it has).

    Whoosh's TimeLimitCollector cannot serve: it uses SIGALRM, which fails outside the main thread,
    and wrapped around a filtering collector it ranks documents the filter should have left out.
    """

    def __init__(self, child, allow, budget):
        super().__init__(child, allow=allow)
        self.budget = budget

    def run(self):
        """Whoosh's `Collector.run`, skipping the segments where no allowed document lives
        (`holding`)."""
        if self._allow is None:
            return super().run()
        try:
            for subsearcher, offset in holding(self.top_searcher, self._allow):
                self.set_subsearcher(subsearcher, offset)
                self.collect_matches()
        finally:
            self.finish()

    def collect_matches(self):
        child, allow, offset = self.child, self._allow, self.offset
        if self.budget.over():
            return
        for i, sub_docnum in enumerate(child.matches()):
            if i % RANK_CHECK_EVERY == RANK_CHECK_EVERY - 1 and self.budget.over():
                return
            if offset + sub_docnum in allow:
                child.collect(sub_docnum)


def costly(query) -> bool:
    """Whether a parsed query holds a pattern, a fuzzy word or a phrase: what may take long."""
    return any(isinstance(q, (Q.MultiTerm, Q.Phrase, Q.Sequence, Q.Ordered)) for q in _nodes(query))


def _nodes(query):
    yield query
    for child in query.children():
        yield from _nodes(child)


class Lane:
    """At most COSTLY_AT_ONCE costly searches at a time, and costly searches giving way to plain
    ones (see the module's docstring)."""

    def __init__(self, width: int = COSTLY_AT_ONCE):
        self._slots = threading.BoundedSemaphore(width)
        self._inside = threading.local()  # this thread's search is in the lane (or has waited its
        # turn), and how many plain searches (or requests) it has under way
        self._plain = 0  # plain searches and requests under way, in all threads
        self._count = threading.Lock()

    def _add_plain(self, n: int) -> None:
        self._inside.plain = getattr(self._inside, "plain", 0) + n
        with self._count:
            self._plain += n

    @contextmanager
    def plain(self):
        """Count the block as plain work under way (a request of a server, from its start: the
        costly search in the lane naps for it too), until it enters the lane with a costly search."""
        self._add_plain(1)
        try:
            yield
        finally:
            self._add_plain(-1)

    @contextmanager
    def enter(self, query, budget):
        """Run the block in the lane if `query` is costly; waits at most LANE_WAIT of the budget's
        time left (without a deadline, until the lane is free), and gives way to plain searches
        whenever it looks at the clock. Gives whether the search may run: False when its wait ran
        out (the budget is then cut: the caller answers at once that it found nothing in time).
        A search already in the lane (its snippets around the index's part, a suggestion's
        searches) does not wait again."""
        if getattr(self._inside, "entered", False):
            yield True
            return
        if not costly(query):
            with self.plain():
                yield True
            return
        own = getattr(self._inside, "plain", 0)  # this thread's request: no longer plain
        self._add_plain(-own)
        left = budget.left()
        held = self._slots.acquire(timeout=None if left is None else left * LANE_WAIT)
        if not held:
            budget.cut = True
        self._inside.entered = True
        left = budget.left()
        self._inside.nap_left = None if left is None else GIVE_WAY_SHARE * left
        checkpoint, budget.checkpoint = budget.checkpoint, self._give_way
        try:
            yield held
        finally:
            budget.checkpoint = checkpoint
            self._inside.entered = False
            if held:
                self._slots.release()
            self._add_plain(own)

    def _give_way(self, budget) -> None:
        """While plain searches run, a costly one naps (its request's time still running, the
        stage napping given its nap back): one process runs one thread at a time, and the plain
        search should not wait for the costly one's share. It naps for at most GIVE_WAY_SHARE of its
        time, so that a stream of requests never starves it."""
        allowance = getattr(self._inside, "nap_left", None)
        if not allowance or not self._plain:
            return
        started = time.monotonic()
        while self._plain > 0 and time.monotonic() - started < allowance:
            time.sleep(GIVE_WAY_NAP)
        napped = time.monotonic() - started
        self._inside.nap_left = allowance - napped
        budget.paused(napped)  # the stage napping keeps its share: the request's time runs on
