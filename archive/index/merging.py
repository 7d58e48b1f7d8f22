"""Segment merges off the save's path: a save never merges, and a merge holds the lock only briefly.

Whoosh merges segments inside `commit()`, while the writer holds the index lock; with its default
policy one save in five rewrote most of the sample index (1.3–4.2 s), and every save queued behind it
waited (docs/search.md, "Saves under load"). Here every commit adds its segment without merging
(`writing.commit`), and when an index has more than MAX_SEGMENTS segments, `merge` joins the
smallest into one:

1. without the lock, the chosen segments are read (whoosh's own `add_reader`, as its merges do) and
   written as one new segment into a private folder inside the index folder;
2. with the lock, for about as long as a save: the deletions the chosen segments received meanwhile
   (saves replace documents) are applied to the new segment, its file is moved in, and a commit
   puts it in place of the chosen ones. When a chosen segment is gone (another process merged it,
   or `archive reindex` swapped the folder) the work is dropped.

`Merger` runs `merge` in a thread of the server process after each write; elsewhere the write path
runs it itself once it has given its locks back (`Index.written`).
"""
from __future__ import annotations

import logging
import os
import secrets
import shutil
import threading
from pathlib import Path

from whoosh.index import TOC
from whoosh.reading import SegmentReader
from whoosh.writing import NO_MERGE

from . import parallel, schema, writing

MAX_SEGMENTS = 10  # more segments than this after a write: merge the smallest
KEEP_SEGMENTS = 4  # ... until this many are left
DELETED_SHARE = 0.3  # a segment of HEAVY_DOCS documents or more with this share deleted is rewritten
HEAVY_DOCS = 100  # (small ones are merged when there are too many: a save deletes the last marker)
FOLDER_PREFIX = ".merge-"  # private folders inside the index folder (whoosh ignores dot files)

log = logging.getLogger(__name__)


def _sizes(storage, segments) -> dict[str, int]:
    """Bytes of each segment's files."""
    sizes = dict.fromkeys((s.segment_id() for s in segments), 0)
    for name in storage.list():
        segment_id = name.split(".", 1)[0]
        if segment_id in sizes:
            sizes[segment_id] += storage.file_length(name)
    return sizes


def _mostly_deleted(segment) -> bool:
    return segment.doc_count_all() >= HEAVY_DOCS and \
        segment.deleted_count() >= DELETED_SHARE * segment.doc_count_all()


def choose(storage, segments: list) -> list:
    """The segments to merge now: the smallest, when there are too many, and any large one that is
    largely deleted documents (nothing when neither)."""
    heavy = [s for s in segments if _mostly_deleted(s)]
    if len(segments) <= MAX_SEGMENTS and not heavy:
        return []
    sizes = _sizes(storage, segments)
    by_size = sorted(segments, key=lambda s: sizes[s.segment_id()])
    chosen = by_size[:len(segments) - KEEP_SEGMENTS + 1] if len(segments) > MAX_SEGMENTS else []
    chosen += [s for s in heavy if s not in chosen]
    return chosen


def clean_leftovers(path: Path) -> None:
    """Remove the private folders of merges whose process died."""
    parallel.clean_leftovers(path, FOLDER_PREFIX)


def merge(index) -> bool:
    """Merge the segments `choose` picks; returns whether a merge was committed.

    A merge is an optimisation: any error is logged and the index stays as it was.
    """
    path, ix = index.path, index.ix
    storage = ix.storage
    try:
        segments = TOC.read(storage, ix.indexname, schema=schema.SCHEMA).segments
    except Exception:  # between the two renames of a rebuild, or no index yet
        return False
    chosen = choose(storage, segments)
    if not chosen:
        return False
    folder = path / f"{FOLDER_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    readers = []
    try:
        for segment in chosen:
            readers.append(SegmentReader(storage, schema.SCHEMA, segment))  # its files stay open
        merged, where = _write_merged(folder, chosen, readers)
        return _attach(index, chosen, merged, where, folder)
    except Exception:
        log.exception("merging %d segments of %s failed; the index is unchanged", len(chosen), path)
        return False
    finally:
        for reader in readers:
            reader.close()
        shutil.rmtree(folder, ignore_errors=True)


def _write_merged(folder: Path, chosen: list, readers: list):
    """The chosen segments' live documents as one segment in `folder` (or None when there are none),
    and where each document went: (segment id, document number) -> number in the new segment."""
    folder.mkdir(mode=0o700)
    ix = writing.storage(folder).create_index(schema.SCHEMA)
    writer = ix.writer(limitmb=writing.WRITER_MEMORY_MB)
    where: dict[tuple[str, int], int] = {}
    for segment, reader in zip(chosen, readers):
        for docnum in reader.all_doc_ids():  # live documents, numbered in this order by add_reader
            where[(segment.segment_id(), docnum)] = len(where)
        writer.add_reader(reader)
    writer.commit(mergetype=NO_MERGE)
    made = TOC.read(ix.storage, ix.indexname, schema=schema.SCHEMA).segments
    return (made[0] if made else None), where


def _attach(index, chosen: list, merged, where: dict, folder: Path) -> bool:
    """Under the lock: the merged segment in place of the chosen ones, if they are all still there."""
    wanted = {s.segment_id() for s in chosen}
    with index.write_lock:
        writer = writing.open_writer(index.ix)
        try:
            now = {s.segment_id(): s for s in writer.segments}
            if not wanted <= set(now):
                writer.cancel()
                return False
            for segment in chosen:  # documents replaced or removed since the merge began
                for docnum in set(now[segment.segment_id()].deleted_docs()) - set(segment.deleted_docs()):
                    merged.delete_document(where[(segment.segment_id(), docnum)])
            if merged is not None:
                for name in os.listdir(folder):
                    if name.startswith(merged.segment_id() + "."):
                        os.replace(folder / name, index.path / name)

            def swap(_writer, segments):
                return [s for s in segments if s.segment_id() not in wanted] + ([merged] if merged else [])
        except BaseException:
            writer.cancel()
            raise
        writing.commit(writer, mergetype=swap)
    return True


class Merger:
    """A thread that merges an index's segments after writes, so that no save waits for a merge."""

    def __init__(self, index):
        self._index = index
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="index-merger", daemon=True)
        clean_leftovers(index.path)
        self._thread.start()

    def nudge(self) -> None:
        """Look at the segments soon (after a write)."""
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            while not self._stopping and merge(self._index):
                pass

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=60)
