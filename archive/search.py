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

import datetime as dt
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import fields, query as Q
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser, PlusMinusPlugin

from . import analysis
from .access import Viewer

INDEX_TIMEOUT = 10.0  # whoosh's default 0 fails at once if another writer holds the lock
MARKER_ID = "__marker__"
WRITER_MEMORY_MB = 32

# The fields a plain word searches, and the fields `field:value` may name.
TEXT_FIELDS = ("title", "summary", "text", "person", "event", "place", "subject")


def _schema() -> fields.Schema:
    text = analysis.ANALYZER
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        doctype=fields.ID(),  # "record", or "marker" for the marker document
        seq=fields.NUMERIC(stored=True, bits=64),
        archive=fields.ID(stored=True),
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
        date_lo=fields.NUMERIC(bits=64, signed=True, sortable=True),
        date_hi=fields.NUMERIC(bits=64, signed=True),
        period_lo=fields.NUMERIC(bits=64, signed=True),
        period_hi=fields.NUMERIC(bits=64, signed=True),
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


@dataclass
class Results:
    ids: list[str]
    total: int
    page: int
    per_page: int
    scores: dict[str, float] = field(default_factory=dict)
    hint: str | None = None  # a word about how the query was read


def _today() -> int:
    return int(dt.date.today().strftime("%Y%m%d"))


class Index:
    """One Whoosh index folder: a process keeps one of these and shares it between threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._ix = None
        self._searcher = None
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
            self.path.mkdir(parents=True, exist_ok=True)
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

    def marker(self) -> tuple[int | None, str | None]:
        """The database change number and archive id this index reflects."""
        with self.searcher() as s:
            fields_ = s.document(id=MARKER_ID)
        if not fields_:
            return None, None
        return fields_.get("seq"), fields_.get("archive")

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
        writer.update_document(id=MARKER_ID, doctype="marker", seq=seq, archive=archive_id)

    # --- searching ---------------------------------------------------------------------------
    def access_filter(self, viewer: Viewer):
        """Only records this viewer may see (and never the marker)."""
        parts = [Q.Term("doctype", "record")]
        if not viewer.sees_everything:
            parts.append(Q.Or([Q.Term("access", level) for level in viewer.levels]))
            parts.append(Q.NumericRange("embargo", None, _today()))
        return Q.And(parts)

    def parse(self, text: str):
        """Read a query string; broken syntax is read as plain words, never an error."""
        parser = MultifieldParser(list(TEXT_FIELDS), SCHEMA)
        parser.add_plugin(PlusMinusPlugin())
        parser.add_plugin(FuzzyTermPlugin())
        try:
            return parser.parse(text), None
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
               sort: str = "relevance") -> Results:
        """Record ids matching a query, best first, limited to what the viewer may see."""
        text = (text or "").strip()
        query, hint = self.parse(text) if text else (Q.Every(), None)
        sortedby, reverse = {"date": ("date_lo", False), "-date": ("date_lo", True),
                             "title": ("title_sort", False)}.get(sort, (None, False))
        if not text and sortedby is None:
            sortedby, reverse = "date_lo", False
        page = max(1, page)
        with self.searcher() as s:
            hits = s.search(query, filter=self.access_filter(viewer), limit=page * per_page,
                            sortedby=sortedby, reverse=reverse)
            total = len(hits)
            chosen = hits[(page - 1) * per_page: page * per_page]
            ids = [h["id"] for h in chosen]
            scores = {h["id"]: h.score for h in chosen if h.score is not None}
        return Results(ids, total, page, per_page, scores, hint)


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
    fresh.mkdir(parents=True)
    ix = FileStorage(str(fresh), supports_mmap=False).create_index(SCHEMA)
    count = 0
    writer = ix.writer(limitmb=WRITER_MEMORY_MB)
    try:
        for document in documents:
            writer.add_document(**document)
            count += 1
            if progress:
                progress(1)
        writer.add_document(id=MARKER_ID, doctype="marker", seq=seq, archive=archive_id)
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
