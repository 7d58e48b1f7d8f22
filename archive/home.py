"""One archive home, opened: its settings, connections to its store, its index and its clock.

An `Archive` is built once per process: by `create_app` (kept in `app.extensions["archive"]`) or by
the command line (`Archive(settings.load({"ARCHIVE_HOME": ...}))`, which `archive serve` then hands
to `create_app`). Views, commands and tests all reach the store and the index through it. Nothing
is opened before it is needed: `db` migrates the store on first use, `index` opens the index on
first use, creating it or repairing it to match the store, and `start()` does both before a server
takes its first request. Commands that must see the index as it is (`reindex --check`) or that
replace it (`reindex`, `restore`) never open it here.
"""
from __future__ import annotations

import csv
import threading
from collections.abc import Mapping
from contextlib import nullcontext

from . import clock, importer, records, store
from .index import ensure_index, setup as setup_index


def setup_process() -> None:
    """The changes the archive makes to the whole process, made here, once, at start-up."""
    # A transcript in one CSV cell passes the csv module's default limit of 128 KiB per field, and
    # the limit belongs to the process, not to a reader.
    if csv.field_size_limit() < importer.CSV_FIELD_LIMIT:
        csv.field_size_limit(importer.CSV_FIELD_LIMIT)
    setup_index()  # Whoosh's patches (see archive/index/__init__.py)


class Archive:
    """The archive of one home folder (see the module's docstring)."""

    def __init__(self, settings: Mapping):
        setup_process()
        self.settings = settings  # `settings.load()`; the app's config when built by create_app
        self.clock = clock.CLOCK  # the process's one clock (see clock.py)
        self._db = None
        self._index = None
        self._opening = threading.Lock()
        self._kept = threading.local()  # each thread's request connection, kept for its next request
        self._kept_all: list = []  # every connection kept, to close them with the archive
        self._kept_lock = threading.Lock()
        self._lapsing: threading.Event | None = None  # stops the daily pass (`lapse_daily`)

    def connect(self):
        """A new connection to the store, waiting up to WRITE_TIMEOUT for another writer; the caller
        closes it (a request reads through its thread's: `request_db`)."""
        return store.connect(self.settings["DATABASE"], timeout=self.settings["WRITE_TIMEOUT"])

    def request_db(self):
        """This thread's connection to the store for a request. It is kept for the thread's next
        request (`request_done`): opening one reads the database's schema, half a millisecond of
        every request."""
        db = getattr(self._kept, "db", None)
        if db is None:
            db = self._kept.db = self.connect()
            with self._kept_lock:
                self._kept_all.append(db)
        return db

    def request_done(self, db, failed: bool) -> None:
        """A request is over: its connection is kept for the thread's next one, unless the request
        failed or left a transaction open (then it is closed, with whatever was left in it)."""
        if failed or db.conn.in_transaction or getattr(self._kept, "db", None) is not db:
            self._forget(db)

    def _forget(self, db) -> None:
        if getattr(self._kept, "db", None) is db:
            del self._kept.db
        with self._kept_lock:
            if db in self._kept_all:
                self._kept_all.remove(db)
        db.close()

    @property
    def db(self):
        """The archive's own connection, for one thread at a time: the command line's and the tests'.
        The store is created or upgraded when it is first opened."""
        if self._db is None:
            db = self.connect()
            store.create_tables(db)
            self._db = db
        return self._db

    @property
    def index(self):
        """The search index, shared by all threads; opened on first use, and then created, or
        repaired to match the store (see `index.ensure_index`)."""
        with self._opening:
            if self._index is None:
                db = self.connect()
                try:
                    store.create_tables(db)
                    index = ensure_index(self.settings["SEARCH_INDEX"], records.IndexSource(db))
                    records.lapse_redactions(db, index)  # what lapsed while the archive was closed
                    self._index = index
                finally:
                    db.close()
        return self._index

    def start(self) -> "Archive":
        """Migrate the store and open the index (a server's start-up)."""
        self.index  # noqa: B018
        return self

    def request_under_way(self):
        """A server's request, counted by the index's lane as plain work under way (the costly
        search in the lane naps while any is), once the index is open."""
        return self._index.lane.plain() if self._index is not None else nullcontext()

    def warm_in_background(self, viewer) -> threading.Thread:
        """In a thread of a server: read what every search needs first, so that the first search
        after a start does not pay for it (at 50,000 records, 2 s and 2 s): the index's facet table
        and counts (`Index.warm_in_background`), then the names of the subjects and collections the
        viewer may see (`store.label_names`)."""
        index = self.index

        def run():
            index.warm_in_background(viewer).join()
            db = self.connect()
            try:
                for field in store.LABEL_FIELDS:
                    store.label_names(db, field, viewer)
            finally:
                db.close()
        thread = threading.Thread(target=run, name="warm", daemon=True)
        thread.start()
        return thread

    def lapse_daily(self, every: float = 3600.0) -> None:
        """In a thread of a server: each day (checked hourly), re-index the records whose redactions
        lapsed (`records.lapse_redactions`)."""
        if self._lapsing is not None:
            return
        self._lapsing = threading.Event()
        stop, index = self._lapsing, self.index

        def run():
            seen = self.clock.today()
            while not stop.wait(every):
                if self.clock.today() != seen:
                    seen = self.clock.today()
                    db = self.connect()
                    try:
                        records.lapse_redactions(db, index)
                    finally:
                        db.close()
        threading.Thread(target=run, name="lapse-redactions", daemon=True).start()

    def close(self) -> None:
        if self._lapsing is not None:
            self._lapsing.set()
            self._lapsing = None
        if self._index is not None:
            self._index.close()
            self._index = None
        if self._db is not None:
            self._db.close()
            self._db = None
        with self._kept_lock:  # other threads' kept connections: closed, and opened anew on use
            kept, self._kept_all = self._kept_all, []
            self._kept = threading.local()
        for db in kept:
            db.close()
