"""The search index: Whoosh, derived from the database. The only module that imports whoosh.

It owns the index schema, turning a record into a document (`to_document`), the index's marker of
the database state it reflects, one cached searcher per process, queries, and rebuilding into a new
folder that is then swapped in. It never reads the database itself: `records.py` hands it documents,
and searches return record ids that the caller resolves against the database.

The index is opened without mmap (SEARCH.md: with mmap, every searcher open and every commit copies
whole segments into private memory). Searches share one cached searcher under a lock, because a
searcher without mmap reads its files by seek-and-read, which threads must not interleave.
"""
from __future__ import annotations

import re
import secrets
import shutil
import threading
from collections import Counter, OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import whoosh.codec.base
import whoosh.filedb.compound
import whoosh.filedb.filestore
import whoosh.util
import whoosh.writing
from whoosh import fields, query as Q, sorting
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser, PlusMinusPlugin

from . import analysis
from .access import Viewer
from .clock import today

INDEX_TIMEOUT = 10.0  # whoosh's default 0 fails at once if another writer holds the lock
MARKER_ID = "__marker__"
# Raise when SCHEMA or the analyzer changes: an index built with another version is then rebuilt
# from the database at start-up (the analyzer is pickled into the index, so an old one would stay).
INDEX_VERSION = "3"
WRITER_MEMORY_MB = 32



def _unpredictable_name(size: int = 28) -> str:
    """A segment or temporary file name from the OS's random source.

    Whoosh draws these names from the `random` module, which anything in the process may seed
    (Hypothesis seeds it for every example): two writers then choose the same segment name and the
    second commit fails. The OS source cannot be seeded.
    """
    return "".join(secrets.choice(whoosh.util.IDCHARS) for _ in range(size))


for _module in (whoosh.util, whoosh.writing, whoosh.codec.base, whoosh.filedb.compound,
                whoosh.filedb.filestore):
    _module.random_name = _unpredictable_name

# The fields a plain word searches, and the fields `field:value` may name.
TEXT_FIELDS = ("title", "summary", "text", "person", "event", "place", "subject")


def _schema() -> fields.Schema:
    text = analysis.ANALYZER
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        doctype=fields.ID(),  # "record", or "marker" for the marker document
        seq=fields.NUMERIC(stored=True, bits=64),
        archive=fields.ID(stored=True),
        version=fields.ID(stored=True),  # INDEX_VERSION of the marker document
        title=fields.TEXT(analyzer=text, field_boost=3.0, phrase=True, multitoken_query="phrase"),
        summary=fields.TEXT(analyzer=text, field_boost=2.0, phrase=True, multitoken_query="phrase"),
        text=fields.TEXT(analyzer=text, phrase=True, chars=True, multitoken_query="phrase"),
        person=fields.TEXT(analyzer=text, field_boost=1.5, multitoken_query="phrase"),  # names and all their variants
        event=fields.TEXT(analyzer=text, field_boost=1.5, multitoken_query="phrase"),
        place=fields.TEXT(analyzer=text, field_boost=1.5, multitoken_query="phrase"),
        subject=fields.TEXT(analyzer=text, field_boost=1.5, multitoken_query="phrase"),
        person_id=fields.KEYWORD(commas=True),
        event_id=fields.KEYWORD(commas=True),
        place_id=fields.KEYWORD(commas=True),
        subject_key=fields.KEYWORD(commas=True, lowercase=True),
        type=fields.ID(),
        language=fields.KEYWORD(commas=True, lowercase=True),
        access=fields.ID(),
        collection=fields.ID(),
        decade=fields.KEYWORD(commas=True),
        # Columns (sortable) for the date bounds, so a date range reads one column per segment.
        date_lo=fields.NUMERIC(bits=64, signed=True, sortable=True),
        date_hi=fields.NUMERIC(bits=64, signed=True, sortable=True),
        period_lo=fields.NUMERIC(bits=64, signed=True, sortable=True),
        period_hi=fields.NUMERIC(bits=64, signed=True, sortable=True),
        embargo=fields.NUMERIC(bits=64),  # YYYYMMDD, 0 when none
        title_sort=fields.ID(sortable=True),
    )


SCHEMA = _schema()


def _decades(lo: int | None, hi: int | None) -> list[str]:
    if lo is None or hi is None:
        return []
    first, last = max(lo // 10000, -9999) // 10 * 10, min(hi // 10000, 9999) // 10 * 10
    if last - first > 200:  # an open-ended date says nothing about decades
        return []
    return [f"{d}s" for d in range(first, last + 1, 10)]


def to_document(record: dict, names: dict[str, list[str]], bounds: dict) -> dict:
    """The index document of a record.

    :param record: the record in the SPEC shape.
    :param names: per kind (`person`, `event`, `place`), the names and variants of the linked
        authorities, so that any variant finds the record.
    :param bounds: `date_lo`, `date_hi`, `period_lo`, `period_hi` as YYYYMMDD integers or None.
    """
    embargo = int(record["embargo_until"].replace("-", "")) if record.get("embargo_until") else 0
    doc = {
        "id": record["id"],
        "doctype": "record",
        "seq": bounds["seq"],
        "title": record["title"],
        "summary": record.get("summary") or "",
        "text": record.get("text") or "",
        "person": "\n".join(names.get("person", [])),
        "event": "\n".join(names.get("event", [])),
        "place": "\n".join(names.get("place", [])),
        "subject": "\n".join(record.get("subjects") or []),
        "person_id": ",".join(p["id"] for p in record.get("people", [])),
        "event_id": ",".join(e["id"] for e in record.get("events", [])),
        "place_id": ",".join(p["id"] for p in record.get("places", [])),
        "subject_key": ",".join(s.replace(",", " ") for s in record.get("subjects") or []),
        "type": record["type"],
        "language": ",".join(record.get("language") or []),
        "access": record["access"],
        "collection": record.get("collection") or "",
        "embargo": embargo,
        "title_sort": record["title"].casefold()[:200],
    }
    decades = set(_decades(bounds.get("date_lo"), bounds.get("date_hi")))
    decades.update(_decades(bounds.get("period_lo"), bounds.get("period_hi")))
    doc["decade"] = ",".join(sorted(decades))
    for key in ("date_lo", "date_hi", "period_lo", "period_hi"):
        if bounds.get(key) is not None:
            doc[key] = bounds[key]
    return {k: v for k, v in doc.items() if v != "" or k in ("id",)}


# --- queries: the SPEC query syntax, read forgivingly ------------------------------------------------

# Fields a person may name in `field:value`, and the index field each one searches.
QUERY_FIELDS = {"title": "title", "text": "text", "person": "person", "event": "event",
                "place": "place", "type": "type", "language": "language", "subject": "subject",
                "summary": "summary"}
# Keyword fields whose ids the search layer adds when a query names a known authority.
ID_FIELDS = {"person": "person_id", "event": "event_id", "place": "place_id"}
# Facets: index field -> the name `/search.json` gives it.
FACETS = {"type": "type", "language": "language", "person_id": "person", "event_id": "event",
          "place_id": "place", "decade": "decade", "collection": "collection"}
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
FACET_FIELDS = tuple(FACETS)
BOUND_FIELDS = ("date_lo", "date_hi", "period_lo", "period_hi")
NO_VALUE = 2 ** 62  # a column's stand-in for "no value" is the largest integer
EARLIEST_DAY, LATEST_DAY = -(2 ** 62), 2 ** 62

_TOKEN = re.compile(r'\s+|"[^"]*"|[()]|[^\s()"]+(?:"[^"]*")?|"')


def query_tokens(text: str) -> list[str]:
    """The query split into words, `"phrases"`, parentheses and `field:value` items."""
    return [t for t in _TOKEN.findall(text) if t.strip()]


def sanitize(text: str) -> tuple[str, str | None]:
    """A query string the parser reads as the person meant, and a hint when something was dropped.

    Unclosed quotes and parentheses, `field:` with nothing after it, unknown fields and dangling
    operators (`AND AND`, `kem OR`) are read as plain words, never as an error.
    """
    hints = []
    if text.count('"') % 2:
        cut = text.rfind('"')
        text = text[:cut] + text[cut + 1:]
        hints.append("an unclosed quote")
    if text.count("(") != text.count(")"):
        text = text.replace("(", " ").replace(")", " ")
        hints.append("unbalanced parentheses")
    out: list[str] = []
    for token in query_tokens(text):
        field_, sep, value = token.partition(":")
        if sep and not token.startswith('"'):
            prefix = field_.lstrip("+-")
            if prefix.lower() in QUERY_FIELDS:
                if not value.strip('"'):
                    hints.append(f"“{prefix}:” without a value")
                    continue
                name = QUERY_FIELDS[prefix.lower()]
                if name == "type":
                    value = value.lower().replace(" ", "_")
                token = field_[: len(field_) - len(prefix)] + name + ":" + value
            elif prefix in ID_FIELDS.values():
                token = f'{field_}:"{value.strip(chr(34))}"'  # ids hold hyphens
            elif not prefix:
                token = token.replace(":", " ")
            else:
                hints.append(f"unknown field “{prefix}:” left out")
                token = field_[: len(field_) - len(prefix)] + value
        if not any(ch.isalnum() for ch in token) and token not in ("(", ")"):
            if token:
                hints.append(f"a stray “{token}”")
            continue
        out.append(_hyphenated(token))
    # Operators need something on both sides (NOT on its right).
    cleaned: list[str] = []
    for i, token in enumerate(out):
        if token.upper() in OPERATORS and token.isupper():
            before = cleaned[-1] if cleaned else None
            after = out[i + 1] if i + 1 < len(out) else None
            # (bandit takes `token` for a password: B105 does not apply to query words)
            binary = token != "NOT"  # nosec B105
            if (after is None or after == ")" or after.upper() in OPERATORS
                    or (binary and (before is None or before == "(" or before.upper() in OPERATORS))):
                hints.append(f"a dangling {token}")
                continue
        cleaned.append(token)
    if not cleaned and out:  # only operators: search them as words
        cleaned = [t.lower() for t in out]
    hint = None
    if hints:
        hint = "Read as plain words (" + ", ".join(dict.fromkeys(hints)) + ")."
    return " ".join(cleaned), hint


def _hyphenated(token: str) -> str:
    """`kem-sokha` is one name, not `kem` without `sokha`: quote words with inner hyphens."""
    sign = token[0] if token[0] in "+-" else ""
    body = token[len(sign):]
    head, sep, value = body.rpartition(":") if not body.startswith('"') else ("", "", body)
    if "-" in value.strip("-") and '"' not in value and not value.endswith(("*", "~")):
        return f'{sign}{head}{sep}"{value}"'
    return token


@dataclass
class Filters:
    """What `/search` narrows by besides the query: exact values per facet field and a date range."""
    values: dict[str, list[str]] = field(default_factory=dict)  # index field -> any of these values
    date_from: int | None = None  # YYYYMMDD, inclusive
    date_to: int | None = None

    @property
    def has_dates(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def query(self):
        """The value filters as a Whoosh query (the date range is counted from cached bounds)."""
        parts = []
        for name, wanted in self.values.items():
            if wanted:
                parts.append(Q.Or([Q.Term(name, v) for v in wanted]) if len(wanted) > 1
                             else Q.Term(name, wanted[0]))
        return Q.And(parts) if parts else None


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


def _today() -> int:
    """Today as YYYYMMDD, from the same clock as the store's embargo check."""
    return int(today().replace("-", ""))


class _SegmentValues:
    """One segment's facet values and date bounds per (segment-local) document number.

    Segments never change their documents (deletions only mark them), so this is read once per
    segment: after a save, only the new small segment is read.
    """

    def __init__(self, leaf):
        self.values: dict[str, dict[int, list[str]]] = {}
        fields_ = set(leaf.indexed_field_names())
        for name in FACETS:
            per_doc: dict[int, list[str]] = {}
            if name in fields_:
                for term in leaf.field_terms(name):
                    for docnum in leaf.postings(name, term).all_ids():
                        per_doc.setdefault(docnum, []).append(term)
            self.values[name] = per_doc
        self.bounds: dict[str, dict[int, int]] = {}
        for name in BOUND_FIELDS:
            per_doc_bound: dict[int, int] = {}
            for docnum, value in enumerate(leaf.column_reader(name)):  # sortable: one column read
                if value is not None and abs(value) < NO_VALUE:
                    per_doc_bound[docnum] = value
            self.bounds[name] = per_doc_bound


def _segment_id(leaf) -> str | None:
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    return segment.segment_id() if segment is not None else None


class _FacetTable:
    """Per searcher: each document's facet values and date bounds (SEARCH.md, "Making Whoosh fast").

    Counting facets is then a pass over the matching document numbers, instead of Whoosh's
    `groupedby`, which re-reads every value for every search; a date range is a pass over a dict
    of integers instead of a NumericRange that expands into many terms.
    """

    def __init__(self, searcher, segments: dict[str, _SegmentValues]):
        self.values: dict[str, dict[int, list[str]]] = {name: {} for name in FACETS}
        self.bounds: dict[str, dict[int, int]] = {name: {} for name in BOUND_FIELDS}
        for leaf, offset in searcher.reader().leaf_readers():
            key = _segment_id(leaf)
            part = segments.get(key) if key else None
            if part is None:
                part = _SegmentValues(leaf)
                if key:
                    segments[key] = part
            for name, per_doc in part.values.items():
                self.values[name].update((offset + d, v) for d, v in per_doc.items())
            for name, per_doc_bound in part.bounds.items():
                self.bounds[name].update((offset + d, v) for d, v in per_doc_bound.items())
        self.visible: dict[tuple, frozenset] = {}  # access key -> visible document numbers
        self.ranges: dict[tuple, frozenset] = {}  # (from, to) -> overlapping document numbers
        # A query's matching documents and its ranked first hits, kept while this searcher lives
        # (until the next save): paging, changing facets and sorting reuse them.
        self.matches: OrderedDict[tuple, frozenset] = OrderedDict()
        self.ranked: OrderedDict[tuple, list[tuple[str, float | None]]] = OrderedDict()
        self.facets: OrderedDict[tuple, dict] = OrderedDict()

    @staticmethod
    def remember(cache: OrderedDict, key, make):
        """The cached value of `key`, made (and the oldest dropped) when missing."""
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        value = cache[key] = make()
        if len(cache) > QUERY_CACHE:
            cache.popitem(last=False)
        return value

    def overlapping(self, lo: int | None, hi: int | None) -> frozenset:
        """Documents whose date or period overlaps [lo, hi] (either end may be open)."""
        key = (lo, hi)
        if key not in self.ranges:
            lo = EARLIEST_DAY if lo is None else lo
            hi = LATEST_DAY if hi is None else hi
            found = set()
            for start_name, end_name in (("date_lo", "date_hi"), ("period_lo", "period_hi")):
                ends = self.bounds[end_name]
                for docnum, start in self.bounds[start_name].items():
                    if start <= hi and ends.get(docnum, start) >= lo:
                        found.add(docnum)
            if len(self.ranges) > 64:
                self.ranges.clear()
            self.ranges[key] = frozenset(found)
        return self.ranges[key]

    def count(self, docnums, limit: int | None = None,
              only: tuple[str, ...] = FACET_FIELDS) -> dict[str, list[tuple[str, int]]]:
        result = {}
        for name in only:
            per_doc = self.values[name]
            counts: Counter = Counter()
            get = per_doc.get
            for docnum in docnums:
                values = get(docnum)
                if values:
                    counts.update(values)
            ranked = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))
            result[FACETS[name]] = ranked[:limit] if limit else ranked
        return result


QUERY_CACHE = 64  # queries whose matches and first hits each searcher keeps
RANKED_AT_LEAST = 100  # hits ranked at once: the next pages of a search cost nothing
PROXIMITY_SLOP = 4
PROXIMITY_MAX_DOCS = 1000
SUGGEST_FIELDS = ("title", "summary", "text", "person", "event", "place")


def _with_proximity(query, searcher):
    """The query, scoring higher where its words stand close together in the title or text.

    The words must all match anyway; the sloppy phrase only adds to the score (AndMaybe). Reading
    positions costs time in proportion to the documents holding every word, so when even the
    rarest word is in more than PROXIMITY_MAX_DOCS documents, ranking stays plain BM25F.
    """
    words = []
    for leaf in _positive_leaves(query):
        if isinstance(leaf, Q.Term) and leaf.fieldname == "text" and leaf.text not in words:
            words.append(leaf.text)
    if not 2 <= len(words) <= 8 or isinstance(query, Q.Or):
        return query
    if min(searcher.doc_frequency("text", w) for w in words) > PROXIMITY_MAX_DOCS:
        return query
    near = Q.Or([Q.Phrase("text", words, slop=PROXIMITY_SLOP, boost=2.0),
                 Q.Phrase("title", words, slop=PROXIMITY_SLOP, boost=2.0)])
    return Q.AndMaybe(query, near)


def _positive_leaves(query):
    """The leaf queries of a tree whose matches count for the person (not those under NOT)."""
    if isinstance(query, Q.Not):
        return
    if isinstance(query, Q.AndNot):
        yield from _positive_leaves(query.a)
        return
    if query.is_leaf():
        yield query
        return
    for child in query.children():
        yield from _positive_leaves(child)


class Index:
    """One Whoosh index folder: a process keeps one of these and shares it between threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._ix = None
        self._searcher = None
        self._facets = None  # (searcher, _FacetTable) of the current searcher
        self._segments: dict[str, _SegmentValues] = {}  # segment id -> its values, read once
        self._read_lock = threading.Lock()
        # Whoosh's write lock is a file lock, which does not keep this process's threads apart.
        self.write_lock = threading.RLock()

    # --- opening -----------------------------------------------------------------------------
    @staticmethod
    def exists(path: str | Path) -> bool:
        path = Path(path)
        return path.is_dir() and any(path.glob("_MAIN_*.toc"))

    def create(self) -> "Index":
        """Create an empty index at the path (replacing nothing that exists)."""
        if not self.exists(self.path):
            self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
            FileStorage(str(self.path), supports_mmap=False).create_index(SCHEMA)
        return self

    @property
    def ix(self):
        if self._ix is None:
            storage = FileStorage(str(self.path), supports_mmap=False)
            self._ix = storage.open_index()
        return self._ix

    def close(self) -> None:
        with self._read_lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._facets = None
            self._segments = {}
            if self._ix is not None:
                self._ix.close()
                self._ix = None

    # --- reading -----------------------------------------------------------------------------
    @contextmanager
    def searcher(self):
        """The process's cached searcher, refreshed when the index has changed."""
        with self._read_lock:
            if self._searcher is None:
                self._searcher = self.ix.searcher()
            elif not self._searcher.up_to_date():
                # A new searcher, not `refresh()`: whoosh-reloaded's refresh with reused readers
                # fails (TypeError in FileIndex._reader).
                self._searcher.close()
                self._ix = None  # the folder may have been swapped by a rebuild
                self._searcher = self.ix.searcher()
            yield self._searcher

    def refresh(self) -> None:
        """Make the next search see the latest commit (called after writes)."""
        with self.searcher():
            pass

    def marker(self) -> tuple[int | None, str | None, str | None]:
        """The database change number and archive id this index reflects, and the INDEX_VERSION
        it was built with (None for each when there is no marker)."""
        with self.searcher() as s:
            fields_ = s.document(id=MARKER_ID) or {}
        return fields_.get("seq"), fields_.get("archive"), fields_.get("version")

    def stored_seqs(self) -> dict[str, int]:
        """Id and change number of every record document in the index."""
        with self.searcher() as s:
            return {f["id"]: f.get("seq") for f in s.all_stored_fields() if f.get("id") != MARKER_ID}

    def doc_count(self) -> int:
        with self.searcher() as s:
            return s.doc_count() - (1 if s.document_number(id=MARKER_ID) is not None else 0)

    # --- writing -----------------------------------------------------------------------------
    def writer(self):
        """A Whoosh writer, waiting up to INDEX_TIMEOUT for another writer's lock.

        Never whoosh's multiprocessing writer (`procs=2`): when its parent is killed, its workers
        live on and keep the index locked (found by tests/test_crash.py).
        """
        try:
            return self.ix.writer(timeout=INDEX_TIMEOUT, limitmb=WRITER_MEMORY_MB)
        except LockError as exc:
            raise IndexBusy("the search index is locked by another writer; try again") from exc

    @staticmethod
    def put(writer, document: dict) -> None:
        writer.update_document(**document)

    @staticmethod
    def remove(writer, record_id: str) -> None:
        writer.delete_by_term("id", record_id)

    @staticmethod
    def set_marker(writer, seq: int, archive_id: str) -> None:
        writer.update_document(id=MARKER_ID, doctype="marker", seq=seq, archive=archive_id,
                               version=INDEX_VERSION)

    # --- searching ---------------------------------------------------------------------------
    def access_filter(self, viewer: Viewer):
        """Only records this viewer may see (and never the marker)."""
        parts = [Q.Term("doctype", "record")]
        if not viewer.sees_everything:
            parts.append(Q.Or([Q.Term("access", level) for level in viewer.levels]))
            parts.append(Q.NumericRange("embargo", None, _today()))
        return Q.And(parts)

    def _table(self, s) -> _FacetTable:
        """The facet table of the current searcher (rebuilt when the searcher changes)."""
        if self._facets is None or self._facets[0] is not s:
            table = _FacetTable(s, self._segments)
            live = {_segment_id(leaf) for leaf, _ in s.reader().leaf_readers()}
            for gone in set(self._segments) - live:  # merged away
                del self._segments[gone]
            self._facets = (s, table)
        return self._facets[1]

    @staticmethod
    def _visibility_key(viewer: Viewer) -> tuple:
        return ("all",) if viewer.sees_everything else (tuple(viewer.levels), _today())

    def _visible(self, s, viewer: Viewer) -> frozenset:
        table = self._table(s)
        key = self._visibility_key(viewer)
        if key not in table.visible:
            table.visible[key] = frozenset(s.docs_for_query(self.access_filter(viewer)))
        return table.visible[key]

    def parse(self, text: str):
        """Read a query string; broken syntax is read as plain words, never an error."""
        clean, hint = sanitize(text)
        parser = MultifieldParser(list(TEXT_FIELDS), SCHEMA)
        parser.add_plugin(PlusMinusPlugin())
        parser.add_plugin(FuzzyTermPlugin())
        try:
            return parser.parse(clean), hint
        except Exception:  # whoosh's parser raises many kinds of errors on odd input
            return self.plain_words(text), "The query was read as plain words."

    @staticmethod
    def plain_words(text: str):
        """Every word of the text in any text field, without any query syntax."""
        terms = [t.text for t in analysis.ANALYZER(text, mode="query")]
        if not terms:
            return Q.NullQuery
        return Q.And([Q.Or([Q.Term(name, term) for name in TEXT_FIELDS]) for term in terms])

    def search(self, text: str, viewer: Viewer, page: int = 1, per_page: int = 20,
               sort: str = "relevance", filters: Filters | None = None, facets: bool = False,
               facet_limit: int | None = None) -> Results:
        """Record ids matching a query and filters, best first, limited to what the viewer may see.

        The total is exact (counted from the matching document set, not `len(results)`, which
        undercounts some range queries); facet counts come from the same set.
        """
        text = (text or "").strip()
        query, hint = self.parse(text) if text else (Q.Every(), None)
        if query is Q.NullQuery or isinstance(query, type(Q.NullQuery)):
            query, hint = Q.Every(), hint or "Nothing to search for in the query; showing everything."
        if isinstance(query, Q.Every) and sort == "relevance":
            sort = "date"  # nothing to rank by: oldest first
        page = max(1, page)
        narrowing = filters.query() if filters else None
        with self.searcher() as s:
            sortedby = {"date": lambda: self._by_date(s, newest_first=False),
                        "-date": lambda: self._by_date(s, newest_first=True),
                        "title": lambda: "title_sort"}.get(sort, lambda: None)()
            table = self._table(s)
            visible = self._visible(s, viewer)
            dates_key = (filters.date_from, filters.date_to) if filters and filters.has_dates else None
            if dates_key:
                visible = visible & table.overlapping(*dates_key)
            full = Q.And([query, narrowing]) if narrowing else query
            key = (repr(full), self._visibility_key(viewer), dates_key)
            matched = table.remember(table.matches, key, lambda: visible.intersection(
                s.docs_for_query(full)))
            total = len(matched)
            chosen_ids, scores = [], {}
            wanted = page * per_page
            if total and (page - 1) * per_page < total:
                ranked_key = (key, sort, max(wanted, RANKED_AT_LEAST))
                cached = table.ranked.get(ranked_key)
                if cached is None or len(cached) < min(wanted, total):
                    ranked = _with_proximity(query, s) if sortedby is None else query
                    hits = s.search(ranked, filter=set(matched), limit=max(wanted, RANKED_AT_LEAST),
                                    sortedby=sortedby)
                    # with a sort, the score is a sort key, not a relevance
                    cached = [(h["id"], h.score if sortedby is None else None) for h in hits]
                    table.remember(table.ranked, ranked_key, lambda: cached)
                for record_id, score in cached[(page - 1) * per_page: wanted]:
                    chosen_ids.append(record_id)
                    if score is not None:
                        scores[record_id] = score
            facet_counts = {}
            if facets:
                facet_counts = table.remember(table.facets, (key, facet_limit), lambda: self._facet_counts(
                    s, table, query, filters, visible, matched, facet_limit))
            terms = self._expanded_terms(s, query) if total else []
        return Results(chosen_ids, total, page, per_page, scores, hint, facet_counts, terms)

    @staticmethod
    def _facet_counts(s, table, query, filters, visible, matched, limit) -> dict:
        chosen = [name for name, values in (filters.values if filters else {}).items() if values]
        counts = table.count(matched, limit, tuple(n for n in FACET_FIELDS if n not in chosen))
        for name in chosen:
            # A facet in use counts as if its own filter were off, so its other values
            # show what choosing them as well (either value) would add.
            others = Filters({k: v for k, v in filters.values.items() if k != name})
            rest = others.query()
            wider = visible.intersection(s.docs_for_query(Q.And([query, rest]) if rest else query))
            counts.update(table.count(wider, limit, (name,)))
        return counts

    def matching_ids(self, text: str, viewer: Viewer, filters: Filters | None = None,
                     sort: str = "relevance") -> list[str]:
        """Every matching record id in order (for exports of a search): one ranking of all hits."""
        first = self.search(text, viewer, per_page=1, sort=sort, filters=filters)
        if first.total <= 1:
            return first.ids
        return self.search(text, viewer, per_page=first.total, sort=sort, filters=filters).ids

    def _by_date(self, s, newest_first: bool):
        """Sort by the record's date, else the start of its period; undated records come last."""
        table = self._table(s)
        dates, periods = table.bounds["date_lo"], table.bounds["period_lo"]

        def key(_searcher, docnum: int):
            day = dates.get(docnum, periods.get(docnum))
            return (1, 0) if day is None else (0, -day if newest_first else day)
        return sorting.FunctionFacet(key)

    def expanded_terms(self, text: str) -> list[str]:
        """The index words a query's `word*` and `word~` stand for (to mark them on a record page)."""
        query, _ = self.parse(text)
        with self.searcher() as s:
            return self._expanded_terms(s, query)

    @staticmethod
    def _expanded_terms(s, query, most: int = 40) -> list[str]:
        """The index words a prefix, wildcard or fuzzy query matched, for highlighting."""
        words: list[str] = []
        reader = s.reader()
        for leaf in _positive_leaves(query):
            if (isinstance(leaf, (Q.Prefix, Q.Wildcard, Q.FuzzyTerm))
                    and leaf.field() in ("text", "title", "summary")):
                for word in leaf._btexts(reader):
                    text = word.decode("utf-8") if isinstance(word, bytes) else word
                    if text not in words:
                        words.append(text)
                    if len(words) >= most:
                        return words
        return words

    def suggest(self, text: str, viewer: Viewer) -> str | None:
        """A spelling of the query whose words the viewer's records contain ("Did you mean …")."""
        tokens = query_tokens(text)
        changed = False
        with self.searcher() as s:
            visible = self._visible(s, viewer)

            def seen(word: str) -> bool:
                found = s.docs_for_query(Q.Or([Q.Term(f, word) for f in SUGGEST_FIELDS]))
                return not visible.isdisjoint(found)

            out = []
            for token in tokens:
                plain = token.isalpha() and token not in OPERATORS
                word = token.lower()
                if plain and not seen(word):
                    for candidate in self._candidates(s, word):
                        if candidate != word and seen(candidate):
                            out.append(candidate)
                            changed = True
                            break
                    else:
                        out.append(token)
                else:
                    out.append(token)
        return " ".join(out) if changed else None

    @staticmethod
    def _candidates(s, word: str) -> list[str]:
        """Index words near `word`: fewest edits first (a swap of two letters is one), then commonest."""
        found: dict[str, int] = {}
        for maxdist in (1, 2):  # the nearest words first; a second edit only when none is near
            for name in ("text", "title", "person", "place"):
                # prefix=1: the first letter is rarely the mistake, and it cuts the search 20-fold
                for candidate in s.corrector(name).suggest(word, limit=8, maxdist=maxdist, prefix=1):
                    found[candidate] = found.get(candidate, 0) + s.doc_frequency(name, candidate)
            if found:
                break
        return sorted(found, key=lambda c: (_edits(word, c), -found[c], c))


def _edits(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


class IndexBusy(RuntimeError):
    """Another writer holds the index lock for too long."""


def rebuild(path: str | Path, documents, seq: int, archive_id: str, progress=None) -> int:
    """Build a complete index in `<path>.new` from documents, then swap it in; returns the count.

    Searches keep using the old folder until the swap (moin's `rebuild(tmp=True)` + `move_index`).
    """
    path = Path(path)
    fresh = path.with_name(path.name + ".new")
    if fresh.exists():
        shutil.rmtree(fresh)
    fresh.mkdir(mode=0o700, parents=True)
    ix = FileStorage(str(fresh), supports_mmap=False).create_index(SCHEMA)
    count = 0
    writer = ix.writer(limitmb=WRITER_MEMORY_MB)
    try:
        for document in documents:
            writer.add_document(**document)
            count += 1
            if progress:
                progress(1)
        writer.add_document(id=MARKER_ID, doctype="marker", seq=seq, archive=archive_id,
                            version=INDEX_VERSION)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    ix.close()
    old = path.with_name(path.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if path.exists():
        path.rename(old)
    fresh.rename(path)
    if old.exists():
        shutil.rmtree(old)
    return count
