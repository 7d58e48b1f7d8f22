"""Writing the index: the one door (`Index.transaction()`), building a fresh index, start-up patches.

It owns the Whoosh writer and its file lock: opening a writer that waits a while for another
writer's lock (`IndexBusy` when it does not come), committing, cancelling, and giving the lock back
when a commit fails (Whoosh keeps it otherwise, and every later save would wait for it). Callers
never see a writer: they put documents, remove records and move the marker through a `Transaction`.
`build` writes a complete index into a new folder and swaps it in. `setup` applies, once, the
patches Whoosh needs in this process.
"""
from __future__ import annotations

import itertools
import secrets
import shutil
from pathlib import Path

import whoosh.codec.base
import whoosh.filedb.compound
import whoosh.filedb.filestore
import whoosh.query.compound
import whoosh.util
import whoosh.writing
from whoosh.matching import ArrayUnionMatcher
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.writing import NO_MERGE

from . import parallel, schema, speedups

INDEX_TIMEOUT = 10.0  # whoosh's default 0 fails at once if another writer holds the lock
WRITER_MEMORY_MB = 32

_PATCHED = (whoosh.util, whoosh.writing, whoosh.codec.base, whoosh.filedb.compound,
            whoosh.filedb.filestore)


class IndexBusy(RuntimeError):
    """Another writer holds the index lock for too long."""


def _unpredictable_name(size: int = 28) -> str:
    """A segment or temporary file name from the OS's random source.

    Whoosh draws these names from the `random` module, which anything in the process may seed
    (Hypothesis seeds it for every example): two writers then choose the same segment name and the
    second commit fails. The OS source cannot be seeded.
    """
    return "".join(secrets.choice(whoosh.util.IDCHARS) for _ in range(size))


def _preloaded_or_matcher(self, subs, searcher, context):
    """Whoosh's `PreloadedOr._matcher` with a score array no larger than the segment.

    Whoosh gives every OR of every segment an array of 2,048 scores, filled and cleared in Python
    loops: on a segment of one saved record that was 0.3 ms per OR and field, and searches slowed
    down with each segment a save added (docs/search.md, "Saves under load").
    """
    scored = context.weighting is not None if context else True
    matchers = [sub.matcher(searcher, context) for sub in subs]
    doccount = searcher.doc_count_all()
    return ArrayUnionMatcher(matchers, doccount, boost=self.boost, scored=scored,
                             partsize=max(1, min(2048, doccount)))


def setup() -> None:
    """Make Whoosh safe and quick in this process; call once at start-up (repeating is harmless).

    Whoosh names segments and temporary files with `random`; this gives it `_unpredictable_name`.
    An OR over a small segment gets a score array of the segment's size (`_preloaded_or_matcher`).
    Field lengths and sorting runs cost per block, not per posting, and short posting lists are
    kept inline (`speedups`).
    """
    for module in _PATCHED:
        module.random_name = _unpredictable_name
    whoosh.query.compound.PreloadedOr._matcher = _preloaded_or_matcher
    speedups.apply()


def storage(path: str | Path) -> FileStorage:
    """The folder as Whoosh storage, without mmap.

    With mmap, Whoosh copies whole segments into private memory on every searcher open and every
    commit (docs/search.md, "Making Whoosh fast").
    """
    return FileStorage(str(path), supports_mmap=False)


def open_writer(ix):
    """A Whoosh writer, waiting up to INDEX_TIMEOUT for another writer's lock. :raise IndexBusy:

    Never whoosh's multiprocessing writer (`procs=2`): when its parent is killed, its workers
    live on and keep the index locked (found by tests/test_crash.py).
    """
    try:
        return ix.writer(timeout=INDEX_TIMEOUT, limitmb=WRITER_MEMORY_MB)
    except LockError as exc:
        raise IndexBusy("the search index is locked by another writer; try again") from exc


def commit(writer, mergetype=NO_MERGE) -> None:
    """Commit a writer; if the commit fails, give its lock back before the error goes on.

    No commit merges segments unless told to: merges run off the save's path (`merging`).
    """
    try:
        writer.commit(mergetype=mergetype)
    except BaseException:
        try:
            writer.cancel()
        except Exception:  # the writer is half-closed; the lock is what matters
            if writer.writelock is not None:
                writer.writelock.release()
        raise


class Transaction:
    """The changes of one index write, committed together when the `with` block ends.

    With `builders` (a bulk write, `parallel.Builders`), the documents put are indexed by worker
    processes: this writer only deletes the versions they replace.
    """

    def __init__(self, writer, builders=None):
        self._writer = writer
        self._builders = builders

    def put(self, document: dict) -> None:
        """Add a record's document, replacing the one with the same id."""
        if self._builders is None:
            self._writer.update_document(**document)
        else:
            self._writer.delete_by_term("id", document["id"])
            self._builders.put(document)

    def remove(self, record_id: str) -> None:
        self._writer.delete_by_term("id", record_id)

    def set_marker(self, seq: int, archive_id: str) -> None:
        """Record the database change number and archive this index now reflects."""
        self._writer.update_document(**schema.marker_document(seq, archive_id))


def commit_with(writer, builders) -> None:
    """Commit a writer, with the segments its `builders` made (if any): all of them or none.
    :raise parallel.WorkerFailed:"""
    if builders is None:
        commit(writer)
        return
    try:
        built = builders.finish()
    except BaseException:
        builders.cancel()
        writer.cancel()
        raise
    try:
        commit(writer, mergetype=parallel.attach(built, writer.storage.folder))
    finally:
        builders.cleanup()


def build(path: str | Path, documents, seq: int, archive_id: str, progress=None,
          procs: int | None = None) -> int:
    """Build a complete index in `<path>.new` from documents, then swap it in; returns the count.

    Searches keep using the old folder until the swap (moin's `rebuild(tmp=True)` + `move_index`).
    The documents are indexed by `procs` worker processes (`parallel`; one: in this process); by
    default one a core when there are `parallel.WORTH_IT` documents or more.
    """
    path = Path(path)
    fresh = path.with_name(path.name + ".new")
    if fresh.exists():
        shutil.rmtree(fresh)
    fresh.mkdir(mode=0o700, parents=True)
    ix = storage(fresh).create_index(schema.SCHEMA)
    count = 0
    documents = iter(documents)
    first = list(itertools.islice(documents, parallel.WORTH_IT))
    documents = itertools.chain(first, documents)
    if procs is None:
        procs = parallel.processes() if len(first) >= parallel.WORTH_IT else 1
    writer = ix.writer(limitmb=WRITER_MEMORY_MB)
    builders = None
    try:
        builders = parallel.Builders(fresh, procs) if procs > 1 else None
        add = builders.put if builders else (lambda document: writer.add_document(**document))
        for document in documents:
            add(document)
            count += 1
            if progress:
                progress(1)
        writer.add_document(**schema.marker_document(seq, archive_id))
    except BaseException:
        if builders:
            builders.cancel()
        writer.cancel()
        raise
    commit_with(writer, builders)
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
