"""The database itself: opening it, its schema and migrations, write transactions, the meta table
(archive id and change counter), ids, and backups.

Every other module of the store reads and writes rows of the tables created here. This module knows
no record or authority beyond their tables and id prefixes (from `kinds`), and nothing of Flask or
Whoosh. `PRAGMA user_version` counts the schema versions.
"""
from __future__ import annotations

import os
import secrets
import sqlite3
import string
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from .. import kinds

BUSY_TIMEOUT_MS = 10_000

SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT,
    text TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '[]',       -- JSON list of language codes
    date TEXT, date_lo INTEGER, date_hi INTEGER,
    period TEXT, period_lo INTEGER, period_hi INTEGER,
    subjects TEXT NOT NULL DEFAULT '[]',       -- JSON list
    collection TEXT,
    accession TEXT,
    source TEXT,                               -- JSON object or NULL
    rights TEXT,
    access TEXT NOT NULL CHECK (access IN ('public', 'restricted', 'private')),
    embargo_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL,
    seq INTEGER NOT NULL,                      -- change number of the last write that reached the index
    deleted_at TEXT                            -- a tombstone: the record is gone but its id is kept
);
CREATE INDEX records_date ON records (date_lo, date_hi);
CREATE INDEX records_updated ON records (updated_at);
CREATE TABLE people (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, variants TEXT NOT NULL DEFAULT '[]',
    dates TEXT, dates_lo INTEGER, dates_hi INTEGER, note TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE places (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, variants TEXT NOT NULL DEFAULT '[]',
    lat REAL, lon REAL, part_of TEXT REFERENCES places (id), note TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE events (
    id TEXT PRIMARY KEY, name TEXT NOT NULL,
    date TEXT, date_lo INTEGER, date_hi INTEGER,
    part_of TEXT REFERENCES events (id), note TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE event_places (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    place_id TEXT NOT NULL REFERENCES places (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (event_id, place_id)
);
CREATE TABLE record_people (
    record_id TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id),
    role TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (record_id, person_id, role)
);
CREATE INDEX record_people_person ON record_people (person_id);
CREATE TABLE record_events (
    record_id TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (record_id, event_id)
);
CREATE INDEX record_events_event ON record_events (event_id);
CREATE TABLE record_places (
    record_id TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    place_id TEXT NOT NULL REFERENCES places (id),
    role TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (record_id, place_id, role)
);
CREATE INDEX record_places_place ON record_places (place_id);
-- every name and variant of an authority under its name key, for lookups by name
CREATE TABLE names (
    kind TEXT NOT NULL, entity_id TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL,
    is_primary INTEGER NOT NULL
);
CREATE INDEX names_key ON names (kind, key);
CREATE INDEX names_entity ON names (kind, entity_id);
-- every saved version of a record or an authority, as JSON
CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL, entity_id TEXT NOT NULL, revision INTEGER NOT NULL,
    data TEXT NOT NULL, saved_by TEXT, saved_at TEXT NOT NULL,
    UNIQUE (kind, entity_id, revision)
);
-- an id merged into another answers with the kept one
CREATE TABLE redirects (
    kind TEXT NOT NULL, old_id TEXT NOT NULL, new_id TEXT NOT NULL, PRIMARY KEY (kind, old_id)
);
CREATE TABLE users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('researcher', 'archivist', 'admin')),
    created_at TEXT NOT NULL
);
"""

# Failed sign-ins, counted per username and per client address to pause guessing (replaced in V7).
SCHEMA_V2_SIGN_IN = """
CREATE TABLE sign_in_failures (
    scope TEXT NOT NULL CHECK (scope IN ('user', 'address')),
    key TEXT NOT NULL,
    failed_at REAL NOT NULL                    -- seconds since the epoch
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (scope, key, failed_at);
"""

# Who looked at records that are not public: an audit trail shown on the record's history page.
SCHEMA_V3_VIEW_LOG = """
CREATE TABLE view_log (
    id INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL,
    username TEXT,
    role TEXT,
    address TEXT,
    via TEXT NOT NULL,                         -- page, json, jsonld
    access TEXT NOT NULL,                      -- the record's access level at the time
    viewed_at TEXT NOT NULL
);
CREATE INDEX view_log_record ON view_log (record_id, viewed_at);
"""

# Usernames that differ only in case are one account. Of an older pair, the account made first keeps
# its name and the others get `-<rowid>` (a session of theirs ends; an admin sees the new name).
SCHEMA_V4_USERNAME_NOCASE = """
UPDATE users SET username = username || '-' || rowid WHERE EXISTS (
    SELECT 1 FROM users AS first WHERE first.username = users.username COLLATE NOCASE
    AND (first.created_at, first.username) < (users.created_at, users.username));
CREATE UNIQUE INDEX users_username_nocase ON users (username COLLATE NOCASE);
"""

# Which records a viewer may see, answered from the index alone: the columns sit after `text` in the
# row, so reading them from the table walks each transcript's overflow pages. Every list of people,
# events and places, every suggestion and count checks the visibility of thousands of records.
SCHEMA_V5_VISIBILITY = """
CREATE INDEX records_visibility ON records (id, access, embargo_until, deleted_at);
"""

# Who is signed in: a session is known by the SHA-256 of the random key its cookie carries (the key
# itself is never stored). Signing out, a new password and removing the account delete the rows, so a
# copied cookie stops working at once; `started_at` bounds a session's life, visits or not.
SCHEMA_V6_SESSIONS = """
CREATE TABLE IF NOT EXISTS sessions (
    key_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    started_at REAL NOT NULL                   -- seconds since the epoch
);
CREATE INDEX IF NOT EXISTS sessions_username ON sessions (username);
"""

# Failed sign-ins, each with its username and its address, so that the pause can fall on the guessing
# address and on a username tried from that address, never on the account for everyone. Failures
# counted the old way are dropped: they only ever mattered for the 15 minutes of a window.
SCHEMA_V7_SIGN_IN_PAIRS = """
DROP TABLE IF EXISTS sign_in_failures;
CREATE TABLE sign_in_failures (
    username TEXT NOT NULL,                    -- as typed, folded to lower case
    address TEXT NOT NULL,
    failed_at REAL NOT NULL                    -- seconds since the epoch
);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, failed_at);
CREATE INDEX sign_in_failures_username ON sign_in_failures (username, address, failed_at);
CREATE INDEX sign_in_failures_failed_at ON sign_in_failures (failed_at);
"""

# Events have other names too, as people and places do (`ខ្មែរក្រហម`, `Democratic Kampuchea`).
SCHEMA_V8_EVENT_VARIANTS = """
ALTER TABLE events ADD COLUMN variants TEXT NOT NULL DEFAULT '[]';
"""

# Recordings (docs/architecture.md, "Recordings"): a record's files with their transcripts, and its
# segment index, each JSON in a column (the files themselves live in records/media/, by SHA-256). The
# people, events and places a segment links to are listed in `segment_links`, so that an authority a
# visible record's segment names is visible, and a merge or a new variant reaches that record.
SCHEMA_V9_RECORDINGS = """
ALTER TABLE records ADD COLUMN media TEXT NOT NULL DEFAULT '[]';
ALTER TABLE records ADD COLUMN segments TEXT NOT NULL DEFAULT '[]';
CREATE TABLE segment_links (
    record_id TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'event', 'place')),
    entity_id TEXT NOT NULL,
    PRIMARY KEY (record_id, kind, entity_id)
);
CREATE INDEX segment_links_entity ON segment_links (kind, entity_id);
"""

# Redactions and consent (docs/architecture.md, "Redactions and consent"): passages hidden from
# viewers below a level, and the narrator's consent, as JSON; the consent's status also in a column of
# its own, read by the access rule (withdrawn consent makes a record private), so the visibility
# index covers it.
SCHEMA_V10_REDACTIONS = """
ALTER TABLE records ADD COLUMN redactions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE records ADD COLUMN consent TEXT;
ALTER TABLE records ADD COLUMN consent_status TEXT;
DROP INDEX IF EXISTS records_visibility;
CREATE INDEX records_visibility ON records (id, access, embargo_until, deleted_at, consent_status);
"""

# Each entry upgrades the schema by one version; a new version appends its script here.
MIGRATIONS = [SCHEMA_V1, SCHEMA_V2_SIGN_IN, SCHEMA_V3_VIEW_LOG, SCHEMA_V4_USERNAME_NOCASE,
              SCHEMA_V5_VISIBILITY, SCHEMA_V6_SESSIONS, SCHEMA_V7_SIGN_IN_PAIRS,
              SCHEMA_V8_EVENT_VARIANTS, SCHEMA_V9_RECORDINGS, SCHEMA_V10_REDACTIONS]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of the archive."""


def connect(path: str | Path, timeout: float = BUSY_TIMEOUT_MS / 1000) -> sqlite_utils.Database:
    """Open the archive database (creating its folder), in WAL mode, waiting up to `timeout`
    seconds for another writer."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _create_private(path)
    conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")  # safe in WAL mode: a crash loses no committed data
    db = sqlite_utils.Database(conn)
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


def _create_private(path: Path) -> None:
    """Create a database file readable by its owner only (SQLite gives its -wal and -shm files the
    same mode); an existing file is left as it is."""
    if not path.exists():  # (a backup being restored may be read-only: never open it for writing)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:  # another process was first
            pass


def create_tables(db: sqlite_utils.Database) -> int:
    """Create or upgrade the schema to SCHEMA_VERSION; returns the version found before."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(f"the database has schema version {found}; this archive knows "
                           f"up to {SCHEMA_VERSION}: upgrade the archive software")
    if found == SCHEMA_VERSION:
        return found
    with write_transaction(db):
        again = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
        for version in range(again, SCHEMA_VERSION):
            step = MIGRATIONS[version]
            for statement in _statements(step):
                db.execute(statement)
        if again == 0:
            set_meta(db, "archive_id", secrets.token_hex(8))
            set_meta(db, "seq", "0")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return found


def _statements(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line.split("--")[0] if "--" in line else line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""


@contextmanager
def write_transaction(db: sqlite_utils.Database):
    """One write transaction, taking SQLite's write lock at once (no deadlock on upgrade)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.execute("COMMIT")


# --- meta: archive id and the change counter the index marker follows -----------------------------

def get_meta(db, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db, key: str, value: str) -> None:
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])


def database_path(db) -> str:
    """The file of this connection's database (what keeps a cache of one database apart from another's)."""
    return next(r[2] for r in db.execute("PRAGMA database_list") if r[1] == "main")


def current_seq(db) -> int:
    return int(get_meta(db, "seq") or 0)


def next_seq(db) -> int:
    """Advance the change counter; call inside a write transaction."""
    seq = current_seq(db) + 1
    set_meta(db, "seq", str(seq))
    return seq


# --- ids ------------------------------------------------------------------------------------------

_ALPHABET = string.ascii_lowercase + string.digits


def id_taken(db, entity_id: str) -> bool:
    """Whether an id is in use by any kind, kept by a tombstone, or retired by a merge."""
    for kind in kinds.KINDS:
        if db.execute(f"SELECT 1 FROM {kind.table} WHERE id = ?", [entity_id]).fetchone():
            return True
    return bool(db.execute("SELECT 1 FROM redirects WHERE old_id = ?", [entity_id]).fetchone())


def new_id(db, kind: str) -> str:
    """A fresh, URL-safe, never reused id such as `r7q2k9xa`."""
    while True:
        candidate = kinds.get(kind).id_prefix + "".join(secrets.choice(_ALPHABET) for _ in range(7))
        if not id_taken(db, candidate):
            return candidate


# --- backup ---------------------------------------------------------------------------------------

def backup(db, dest: str | Path, into_open=None) -> None:
    """A consistent copy through SQLite's online backup, safe while others write.

    `into_open` is an open connection to `dest` to copy into (for a restore).
    """
    if into_open is not None:
        db.conn.backup(into_open.conn)
        return
    _create_private(Path(dest))
    target = sqlite3.connect(str(dest))
    try:
        db.conn.backup(target)
    finally:
        target.close()
