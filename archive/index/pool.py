"""The searchers of one index folder: each search borrows one of its own, so searches never wait
for each other.

A Whoosh searcher opened without mmap reads its files by seek-and-read, so two threads must never
share one (docs/search.md, "Query cost in Whoosh": a shared searcher gave wrong results and errors
under four threads). Instead of one searcher behind a lock, a search borrows an idle searcher (or
opens a new one, about 2 ms and three file handles) and gives it back when done. A searcher that no
longer shows the latest commit is replaced by one of the latest, which takes over the old one's
readers of unchanged segments (`Index._open_searcher`): `Searcher.refresh()` is not used, it is
broken in whoosh-reloaded (TypeError after an empty index, merged segments added again, stale
deletions). A few idle searchers are kept; the rest are closed when given back.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager

KEEP_IDLE = 8  # idle searchers kept open between searches


class SearcherPool:
    """Searchers of one folder, lent to one search at a time."""

    def __init__(self, open_searcher, folder, keep: int = KEEP_IDLE):
        # (stale searcher or None) -> a searcher of the latest commit; it may take over the stale
        # one's unchanged segment readers, and closes the rest of it
        self._open = open_searcher
        self._folder = folder
        self._keep = keep
        self._idle: list[tuple] = []  # (searcher, folder identity, epoch)
        self._lock = threading.Lock()
        self._epoch = 0  # `close` starts a new one: searchers lent before it are closed on return

    def _identity(self):
        """The folder's identity: a rebuild swaps folders, and the new one may reach the same
        generation number as the old one, so `up_to_date()` alone would not notice."""
        try:
            st = os.stat(self._folder)
        except FileNotFoundError:  # between the two renames of a swap
            return None
        return (st.st_dev, st.st_ino)

    @contextmanager
    def borrow(self):
        """A searcher of the latest commit, for this caller alone until the block ends."""
        searcher, identity, epoch = self._take()
        try:
            yield searcher
        finally:
            self._give_back(searcher, identity, epoch)

    def _take(self) -> tuple:
        identity = self._identity()
        stale = None  # a searcher of an older commit of this folder, to open the new one from
        while True:
            with self._lock:
                epoch = self._epoch
                if not self._idle:
                    break
                searcher, seen, _ = self._idle.pop()
            if identity is not None and seen == identity:
                if searcher.up_to_date():
                    if stale is not None:
                        stale.close()
                    return searcher, identity, epoch
                if stale is None:
                    stale = searcher
                    continue
            searcher.close()  # an older commit, or a folder swapped away
        return self._open(stale), identity, epoch

    def _give_back(self, searcher, identity, epoch: int) -> None:
        with self._lock:
            if epoch == self._epoch and len(self._idle) < self._keep:
                self._idle.append((searcher, identity, epoch))
                return
        searcher.close()

    def close(self) -> None:
        """Close the idle searchers; those lent out are closed when given back."""
        with self._lock:
            self._epoch += 1
            idle, self._idle = self._idle, []
        for searcher, _, _ in idle:
            searcher.close()
