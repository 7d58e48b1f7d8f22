"""The store: SQLite through sqlite-utils, the archive's truth. The only module with SQL.

It owns the schema (created and upgraded here, `PRAGMA user_version` counts the versions), the
viewer-aware reads (every read that lists or shows records or authorities takes a `Viewer` and hides
what that viewer may not see) and the row writes that `records.py`, the one write path, composes.
It knows nothing of Flask or Whoosh.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
import string
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from .access import Viewer
from .clock import today
from .names import name_key

KINDS = ("person", "event", "place")
TABLE = {"record": "records", "person": "people", "event": "events", "place": "places"}
ID_PREFIX = {"record": "r", "person": "p", "event": "e", "place": "l"}
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

# Failed sign-ins, counted per username and per client address to pause guessing (issue 4).
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

# Each entry upgrades the schema by one version; later issues append to it.
MIGRATIONS = [SCHEMA_V1, SCHEMA_V2_SIGN_IN, SCHEMA_V3_VIEW_LOG]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of the archive."""


def connect(path: str | Path, timeout: float = BUSY_TIMEOUT_MS / 1000) -> sqlite_utils.Database:
    """Open the archive database (creating its folder), in WAL mode, waiting up to `timeout`
    seconds for another writer."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")  # safe in WAL mode: a crash loses no committed data
    db = sqlite_utils.Database(conn)
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


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


# --- meta: archive id and the change counter the index marker follows ---------------------------

def get_meta(db, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db, key: str, value: str) -> None:
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])


def current_seq(db) -> int:
    return int(get_meta(db, "seq") or 0)


def next_seq(db) -> int:
    """Advance the change counter; call inside a write transaction."""
    seq = current_seq(db) + 1
    set_meta(db, "seq", str(seq))
    return seq


# --- ids -----------------------------------------------------------------------------------------

_ALPHABET = string.ascii_lowercase + string.digits


def id_taken(db, entity_id: str) -> bool:
    """Whether an id is in use by any kind, kept by a tombstone, or retired by a merge."""
    for table in TABLE.values():
        if db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [entity_id]).fetchone():
            return True
    return bool(db.execute("SELECT 1 FROM redirects WHERE old_id = ?", [entity_id]).fetchone())


def new_id(db, kind: str) -> str:
    """A fresh, URL-safe, never reused id such as `r7q2k9xa`."""
    while True:
        candidate = ID_PREFIX[kind] + "".join(secrets.choice(_ALPHABET) for _ in range(7))
        if not id_taken(db, candidate):
            return candidate


def redirect_target(db, kind: str, entity_id: str) -> str | None:
    row = db.execute("SELECT new_id FROM redirects WHERE kind = ? AND old_id = ?",
                     [kind, entity_id]).fetchone()
    return row[0] if row else None


# --- what a viewer may see -------------------------------------------------------------------------

def visible_records_sql(viewer: Viewer, alias: str = "r") -> tuple[str, list]:
    """A WHERE clause (and its parameters) for the live records this viewer may see."""
    if viewer.sees_everything:
        return f"{alias}.deleted_at IS NULL", []
    marks = ", ".join("?" for _ in viewer.levels)
    return (f"{alias}.deleted_at IS NULL AND {alias}.access IN ({marks}) "
            f"AND ({alias}.embargo_until IS NULL OR {alias}.embargo_until <= ?)",
            [*viewer.levels, today()])


LINK = {"person": ("record_people", "person_id"), "event": ("record_events", "event_id"),
        "place": ("record_places", "place_id")}


def visible_entities_sql(kind: str, viewer: Viewer, alias: str = "a") -> tuple[str, list]:
    """An authority is hidden when it appears only in records the viewer may not see."""
    if viewer.sees_everything:
        return "1", []
    link, column = LINK[kind]
    where, params = visible_records_sql(viewer, "vr")
    return (f"(NOT EXISTS (SELECT 1 FROM {link} vl WHERE vl.{column} = {alias}.id) OR EXISTS "
            f"(SELECT 1 FROM {link} vl JOIN records vr ON vr.id = vl.record_id "
            f"WHERE vl.{column} = {alias}.id AND {where}))", params)


# --- records ---------------------------------------------------------------------------------------

RECORD_COLUMNS = ("id", "type", "title", "summary", "text", "language", "date", "date_lo", "date_hi",
                  "period", "period_lo", "period_hi", "subjects", "collection", "accession", "source",
                  "rights", "access", "embargo_until", "created_at", "updated_at", "revision", "seq",
                  "deleted_at")


def record_row(db, record_id: str) -> dict | None:
    """The raw row of a record, tombstones included."""
    rows = list(db.query("SELECT * FROM records WHERE id = ?", [record_id]))
    return rows[0] if rows else None


def put_record_row(db, row: dict) -> None:
    db.table("records").upsert(row, pk="id")


def set_record_links(db, record_id: str, people: list[dict], events: list[dict],
                     places: list[dict]) -> None:
    """Replace a record's links; each item carries a resolved `id` (and `role`)."""
    for table in ("record_people", "record_events", "record_places"):
        db.execute(f"DELETE FROM {table} WHERE record_id = ?", [record_id])
    seen = set()
    for position, link in enumerate(people):
        if (link["id"], link["role"]) not in seen:
            seen.add((link["id"], link["role"]))
            db.execute("INSERT INTO record_people VALUES (?, ?, ?, ?)",
                       [record_id, link["id"], link["role"], position])
    for position, link in enumerate(dict.fromkeys(e["id"] for e in events)):
        db.execute("INSERT INTO record_events VALUES (?, ?, ?)", [record_id, link, position])
    seen = set()
    for position, link in enumerate(places):
        if (link["id"], link["role"]) not in seen:
            seen.add((link["id"], link["role"]))
            db.execute("INSERT INTO record_places VALUES (?, ?, ?, ?)",
                       [record_id, link["id"], link["role"], position])


def tombstone_record(db, record_id: str, stamp: str, revision: int, seq: int) -> None:
    """Mark a record deleted, keeping its row (and id) as a tombstone."""
    db.execute("UPDATE records SET deleted_at = ?, updated_at = ?, revision = ?, seq = ? WHERE id = ?",
               [stamp, stamp, revision, seq, record_id])


def set_record_seq(db, record_ids: Iterable[str], seq: int) -> None:
    db.conn.executemany("UPDATE records SET seq = ? WHERE id = ?", [(seq, i) for i in record_ids])


def record_links(db, record_id: str) -> dict[str, list[dict]]:
    """People, events and places of a record, in their saved order, with names."""
    people = [dict(r) for r in db.query(
        "SELECT p.id, p.name, l.role FROM record_people l JOIN people p ON p.id = l.person_id "
        "WHERE l.record_id = ? ORDER BY l.position", [record_id])]
    events = [dict(r) for r in db.query(
        "SELECT e.id, e.name, e.date FROM record_events l JOIN events e ON e.id = l.event_id "
        "WHERE l.record_id = ? ORDER BY l.position", [record_id])]
    places = [dict(r) for r in db.query(
        "SELECT p.id, p.name, l.role FROM record_places l JOIN places p ON p.id = l.place_id "
        "WHERE l.record_id = ? ORDER BY l.position", [record_id])]
    return {"people": people, "events": events, "places": places}


def people_of(db, record_ids: list[str]) -> dict[str, list[dict]]:
    """The linked people of several records at once (for lists of results), in their saved order."""
    found: dict[str, list[dict]] = {i: [] for i in record_ids}
    if record_ids:
        marks = ", ".join("?" for _ in record_ids)
        for r in db.query(
                f"SELECT l.record_id, p.id, p.name, l.role FROM record_people l "
                f"JOIN people p ON p.id = l.person_id WHERE l.record_id IN ({marks}) "
                f"ORDER BY l.record_id, l.position", record_ids):
            found[r.pop("record_id")].append(r)
    return found


def record_json(db, row: dict) -> dict:
    """A record in the SPEC shape: every key present, links with names."""
    links = record_links(db, row["id"])
    return {
        "kind": "record",
        "id": row["id"],
        "type": row["type"],
        "title": row["title"],
        "summary": row["summary"],
        "text": row["text"],
        "language": json.loads(row["language"] or "[]"),
        "date": row["date"],
        "period": row["period"],
        "people": links["people"],
        "events": links["events"],
        "places": links["places"],
        "subjects": json.loads(row["subjects"] or "[]"),
        "collection": row["collection"],
        "accession": row["accession"],
        "source": json.loads(row["source"]) if row["source"] else None,
        "rights": row["rights"],
        "access": row["access"],
        "embargo_until": row["embargo_until"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "revision": row["revision"],
    }


def get_record(db, record_id: str, viewer: Viewer) -> dict | None:
    """A live record as JSON, or None when missing, deleted or not for this viewer."""
    where, params = visible_records_sql(viewer)
    rows = list(db.query(f"SELECT * FROM records r WHERE r.id = ? AND {where}",
                         [record_id, *params]))
    return record_json(db, rows[0]) if rows else None


def records_by_ids(db, ids: list[str], viewer: Viewer) -> list[dict]:
    """Rows of the given records in the given order, silently dropping what the viewer may not see."""
    if not ids:
        return []
    where, params = visible_records_sql(viewer)
    marks = ", ".join("?" for _ in ids)
    rows = {r["id"]: r for r in db.query(
        f"SELECT * FROM records r WHERE r.id IN ({marks}) AND {where}", [*ids, *params])}
    return [rows[i] for i in ids if i in rows]


def count_records(db, viewer: Viewer) -> int:
    where, params = visible_records_sql(viewer)
    return db.execute(f"SELECT count(*) FROM records r WHERE {where}", params).fetchone()[0]


def newest_records(db, viewer: Viewer, limit: int = 10) -> list[dict]:
    where, params = visible_records_sql(viewer)
    return list(db.query(f"SELECT * FROM records r WHERE {where} "
                         f"ORDER BY r.created_at DESC, r.id LIMIT ?", [*params, limit]))


def iter_record_rows(db, viewer: Viewer, batch: int = 500) -> Iterator[dict]:
    """Every live record the viewer may see, in id order, a batch at a time (constant memory)."""
    where, params = visible_records_sql(viewer)
    last = ""
    while True:
        rows = list(db.query(f"SELECT * FROM records r WHERE r.id > ? AND {where} "
                             f"ORDER BY r.id LIMIT ?", [last, *params, batch]))
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]["id"]


def live_record_seqs(db) -> dict[str, int]:
    """Id and change number of every live record: what the index must hold."""
    return {r[0]: r[1] for r in db.execute("SELECT id, seq FROM records WHERE deleted_at IS NULL")}


def linked_record_ids(db, kind: str, entity_id: str) -> list[str]:
    """Live records linked to an authority, whoever may see them (for re-indexing)."""
    link, column = LINK[kind]
    return [r[0] for r in db.execute(
        f"SELECT DISTINCT l.record_id FROM {link} l JOIN records r ON r.id = l.record_id "
        f"WHERE l.{column} = ? AND r.deleted_at IS NULL", [entity_id])]


# --- authorities: people, events, places ----------------------------------------------------------

def entity_row(db, kind: str, entity_id: str) -> dict | None:
    rows = list(db.query(f"SELECT * FROM {TABLE[kind]} WHERE id = ?", [entity_id]))
    return rows[0] if rows else None


def put_entity_row(db, kind: str, row: dict) -> None:
    db.table(TABLE[kind]).upsert(row, pk="id")
    names = [row["name"], *json.loads(row.get("variants") or "[]")]
    db.execute("DELETE FROM names WHERE kind = ? AND entity_id = ?", [kind, row["id"]])
    db.conn.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)",
                        [(kind, row["id"], n, name_key(n), int(i == 0)) for i, n in enumerate(names)])


def set_event_places(db, event_id: str, place_ids: list[str]) -> None:
    db.execute("DELETE FROM event_places WHERE event_id = ?", [event_id])
    db.conn.executemany("INSERT INTO event_places VALUES (?, ?, ?)",
                        [(event_id, p, i) for i, p in enumerate(dict.fromkeys(place_ids))])


def find_by_name(db, kind: str, name: str) -> str | None:
    """The id of the authority with this name or variant (ignoring case, accents, spaces)."""
    row = db.execute("SELECT entity_id FROM names WHERE kind = ? AND key = ? "
                     "ORDER BY is_primary DESC, entity_id LIMIT 1",
                     [kind, name_key(name)]).fetchone()
    return row[0] if row else None


def entity_json(db, kind: str, row: dict) -> dict:
    """An authority in the SPEC shape."""
    if kind == "person":
        return {"kind": "person", "id": row["id"], "name": row["name"],
                "variants": json.loads(row["variants"] or "[]"), "dates": row["dates"],
                "note": row["note"]}
    if kind == "place":
        return {"kind": "place", "id": row["id"], "name": row["name"],
                "variants": json.loads(row["variants"] or "[]"), "lat": row["lat"],
                "lon": row["lon"], "part_of": row["part_of"], "note": row["note"]}
    places = [dict(r) for r in db.query(
        "SELECT p.id, p.name FROM event_places l JOIN places p ON p.id = l.place_id "
        "WHERE l.event_id = ? ORDER BY l.position", [row["id"]])]
    return {"kind": "event", "id": row["id"], "name": row["name"], "date": row["date"],
            "places": places, "part_of": row["part_of"], "note": row["note"]}


def get_entity(db, kind: str, entity_id: str, viewer: Viewer) -> dict | None:
    where, params = visible_entities_sql(kind, viewer)
    rows = list(db.query(f"SELECT * FROM {TABLE[kind]} a WHERE a.id = ? AND {where}",
                         [entity_id, *params]))
    return entity_json(db, kind, rows[0]) if rows else None


def iter_entities(db, kind: str, viewer: Viewer) -> Iterator[dict]:
    """Every authority of a kind that the viewer may see, as JSON, in id order.

    Events come parents first, so that an import can resolve `part_of` as it goes.
    """
    where, params = visible_entities_sql(kind, viewer)
    order = "a.id"
    if kind in ("event", "place"):
        # depth in the part_of tree first, so parents precede their parts
        order = (f"(WITH RECURSIVE up(id, depth) AS (SELECT a.id, 0 UNION ALL "
                 f"SELECT t.part_of, up.depth + 1 FROM up JOIN {TABLE[kind]} t ON t.id = up.id "
                 f"WHERE t.part_of IS NOT NULL AND up.depth < 50) SELECT max(depth) FROM up), a.id")
    for row in db.query(f"SELECT * FROM {TABLE[kind]} a WHERE {where} ORDER BY {order}", params):
        yield entity_json(db, kind, row)


def entity_records(db, kind: str, entity_id: str, viewer: Viewer) -> list[dict]:
    """The records linked to an authority that the viewer may see, with the link's role."""
    link, column = LINK[kind]
    role = "l.role" if kind != "event" else "NULL"
    where, params = visible_records_sql(viewer)
    return [dict(r) for r in db.query(
        f"SELECT r.id, r.title, r.type, r.date, r.date_lo, r.language, {role} AS role "
        f"FROM {link} l JOIN records r ON r.id = l.record_id "
        f"WHERE l.{column} = ? AND {where} ORDER BY r.date_lo IS NULL, r.date_lo, r.title",
        [entity_id, *params])]


def entity_index_names(db, kind: str, entity_id: str) -> list[str]:
    """The name and every variant of an authority, for indexing with its records."""
    return [r[0] for r in db.execute(
        "SELECT name FROM names WHERE kind = ? AND entity_id = ? ORDER BY is_primary DESC, rowid",
        [kind, entity_id])]


def sub_events(db, event_id: str, viewer: Viewer) -> list[dict]:
    """The parts of an event that the viewer may see."""
    where, params = visible_entities_sql("event", viewer)
    return [dict(r) for r in db.query(
        f"SELECT a.id, a.name, a.date FROM events a WHERE a.part_of = ? AND {where} "
        f"ORDER BY a.date_lo, a.name", [event_id, *params])]


def count_entities(db, kind: str, viewer: Viewer) -> int:
    where, params = visible_entities_sql(kind, viewer)
    return db.execute(f"SELECT count(*) FROM {TABLE[kind]} a WHERE {where}", params).fetchone()[0]


# --- revisions -------------------------------------------------------------------------------------

def add_revision(db, kind: str, entity_id: str, revision: int, data: dict,
                 saved_by: str | None, saved_at: str) -> None:
    db.execute("INSERT INTO revisions (kind, entity_id, revision, data, saved_by, saved_at) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               [kind, entity_id, revision, json.dumps(data, ensure_ascii=False), saved_by, saved_at])


def revisions(db, kind: str, entity_id: str) -> list[dict]:
    return [{**r, "data": json.loads(r["data"])} for r in db.query(
        "SELECT revision, data, saved_by, saved_at FROM revisions "
        "WHERE kind = ? AND entity_id = ? ORDER BY revision", [kind, entity_id])]


def last_revision(db, kind: str, entity_id: str) -> int:
    row = db.execute("SELECT max(revision) FROM revisions WHERE kind = ? AND entity_id = ?",
                     [kind, entity_id]).fetchone()
    return row[0] or 0


# --- users -----------------------------------------------------------------------------------------

def get_user(db, username: str) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username]))
    return rows[0] if rows else None


def put_user(db, username: str, password_hash: str, role: str, created_at: str) -> None:
    db.table("users").upsert({"username": username, "password_hash": password_hash, "role": role,
                              "created_at": created_at}, pk="username")


# --- backup ----------------------------------------------------------------------------------------

def backup(db, dest: str | Path, into_open=None) -> None:
    """A consistent copy through SQLite's online backup, safe while others write.

    `into_open` is an open connection to `dest` to copy into (for a restore).
    """
    if into_open is not None:
        db.conn.backup(into_open.conn)
        return
    target = sqlite3.connect(str(dest))
    try:
        db.conn.backup(target)
    finally:
        target.close()


# --- harvesting (OAI-PMH) --------------------------------------------------------------------------
# Harvesters see public records only. A record that was once public and is no longer visible (deleted,
# made restricted or private, or embargoed) is listed as deleted, so that harvesters drop their copy;
# a record that was never public is never mentioned. The datestamp is the last change, or the day an
# embargo ended, whichever is later, so that incremental harvests also pick up embargoes that end.

def _harvest_cte() -> str:
    """Rows of harvestable records, with `oai_visible`, `oai_datestamp` and the type and collection
    harvesters know them by: for a record no longer public, those of its last public revision (so
    that a later, private value never reaches them)."""
    visible = ("(r.deleted_at IS NULL AND r.access = 'public' "
               "AND (r.embargo_until IS NULL OR r.embargo_until <= :today))")
    public_revisions = ("FROM revisions v WHERE v.kind = 'record' AND v.entity_id = r.id "
                        "AND json_extract(v.data, '$.access') = 'public' "
                        "AND coalesce(json_extract(v.data, '$.embargo_until'), '') <= :today")
    last_public = f"(SELECT v.data {public_revisions} ORDER BY v.revision DESC LIMIT 1)"
    return (f"WITH h AS (SELECT r.*, {visible} AS oai_visible, "
            f"CASE WHEN {visible} THEN max(r.updated_at, coalesce(r.embargo_until || 'T00:00:00Z', '')) "
            f"ELSE r.updated_at END AS oai_datestamp, "
            f"CASE WHEN {visible} THEN r.type ELSE json_extract({last_public}, '$.type') END AS oai_type, "
            f"CASE WHEN {visible} THEN r.collection "
            f"ELSE json_extract({last_public}, '$.collection') END AS oai_collection "
            f"FROM records r WHERE {visible} OR EXISTS (SELECT 1 {public_revisions})) ")


def _harvest_where(from_: str | None, until: str | None, record_type: str | None,
                   collections: list[str] | None, has_collection: bool = False) -> tuple[str, dict]:
    clauses, params = ["1"], {}
    if from_:
        clauses.append("h.oai_datestamp >= :from_")
        params["from_"] = from_
    if until:
        clauses.append("h.oai_datestamp <= :until")
        params["until"] = until
    if record_type:
        clauses.append("h.oai_type = :record_type")
        params["record_type"] = record_type
    if collections is not None:
        names = {f"c{i}": c for i, c in enumerate(collections)}
        clauses.append(f"h.oai_collection IN ({', '.join(':' + k for k in names) or 'NULL'})")
        params.update(names)
    if has_collection:
        clauses.append("h.oai_collection IS NOT NULL")
    return " AND ".join(clauses), params


def harvest_rows(db, *, after: tuple[str, str] | None = None, from_: str | None = None,
                 until: str | None = None, record_type: str | None = None,
                 collections: list[str] | None = None, has_collection: bool = False,
                 limit: int = 100) -> list[dict]:
    """Harvestable records in (datestamp, id) order after a position; each row has `oai_visible`
    (0 means: report as deleted) and `oai_datestamp`."""
    cte = _harvest_cte()
    where, params = _harvest_where(from_, until, record_type, collections, has_collection)
    if after:
        where += " AND (h.oai_datestamp, h.id) > (:after_stamp, :after_id)"
        params.update(after_stamp=after[0], after_id=after[1])
    return list(db.query(f"{cte} SELECT * FROM h WHERE {where} ORDER BY h.oai_datestamp, h.id "
                         f"LIMIT :limit", {**params, "today": today(), "limit": limit}))


def count_harvest(db, *, from_: str | None = None, until: str | None = None,
                  record_type: str | None = None, collections: list[str] | None = None,
                  has_collection: bool = False) -> int:
    cte = _harvest_cte()
    where, params = _harvest_where(from_, until, record_type, collections, has_collection)
    return db.execute(f"{cte} SELECT count(*) FROM h WHERE {where}",
                      {**params, "today": today()}).fetchone()[0]


def harvest_row(db, record_id: str) -> dict | None:
    cte = _harvest_cte()
    rows = list(db.query(f"{cte} SELECT * FROM h WHERE h.id = :id", {"id": record_id, "today": today()}))
    return rows[0] if rows else None


def earliest_harvest_datestamp(db) -> str | None:
    cte = _harvest_cte()
    return db.execute(f"{cte} SELECT min(oai_datestamp) FROM h", {"today": today()}).fetchone()[0]


def harvest_collections(db) -> list[str]:
    """The collections of the records harvesters see (visible or reported deleted)."""
    cte = _harvest_cte()
    return [r[0] for r in db.execute(f"{cte} SELECT DISTINCT oai_collection FROM h "
                                     f"WHERE oai_collection IS NOT NULL ORDER BY oai_collection",
                                     {"today": today()})]

# === archivist pages (issue 4): users, sign-in failures, names, merges =====================

def list_users(db) -> list[dict]:
    return [dict(r) for r in db.query(
        "SELECT username, role, created_at FROM users ORDER BY username")]


def set_user_role(db, username: str, role: str) -> None:
    db.execute("UPDATE users SET role = ? WHERE username = ?", [role, username])


def set_user_password(db, username: str, password_hash: str) -> None:
    db.execute("UPDATE users SET password_hash = ? WHERE username = ?", [password_hash, username])


def count_admins(db) -> int:
    return db.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()[0]


def add_sign_in_failure(db, scope: str, key: str, at: float) -> None:
    db.execute("INSERT INTO sign_in_failures (scope, key, failed_at) VALUES (?, ?, ?)",
               [scope, key, at])


def sign_in_failures(db, scope: str, key: str, since: float) -> tuple[int, float | None]:
    """How many failures a username or address had since a moment, and the oldest of them."""
    row = db.execute("SELECT count(*), min(failed_at) FROM sign_in_failures "
                     "WHERE scope = ? AND key = ? AND failed_at >= ?", [scope, key, since]).fetchone()
    return row[0], row[1]


def clear_sign_in_failures(db, scope: str, key: str) -> None:
    db.execute("DELETE FROM sign_in_failures WHERE scope = ? AND key = ?", [scope, key])


def forget_sign_in_failures(db, before: float) -> None:
    db.execute("DELETE FROM sign_in_failures WHERE failed_at < ?", [before])


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def suggest_names(db, kind: str, prefix: str, viewer: Viewer, limit: int = 10) -> list[dict]:
    """Authorities of a kind whose name or a variant starts with `prefix` (or has a word that does)."""
    key = name_key(prefix)
    if not key:
        return []
    where, params = visible_entities_sql(kind, viewer)
    rows = db.query(
        f"SELECT n.entity_id AS id, n.name AS matched, a.name AS name, n.is_primary "
        f"FROM names n JOIN {TABLE[kind]} a ON a.id = n.entity_id "
        f"WHERE n.kind = ? AND (n.key LIKE ? ESCAPE '\\' OR n.name LIKE ? ESCAPE '\\') AND {where} "
        f"ORDER BY n.key LIKE ? ESCAPE '\\' DESC, n.is_primary DESC, n.key LIMIT ?",
        [kind, _like_prefix(key), "% " + _like_prefix(prefix.strip()), *params,
         _like_prefix(key), limit * 3])
    found, seen = [], set()
    for r in rows:
        if r["id"] in seen:
            continue
        seen.add(r["id"])
        found.append({"id": r["id"], "name": r["name"], "kind": kind,
                      "matched": r["matched"]})
        if len(found) == limit:
            break
    return found


def authority_names(db, viewer: Viewer) -> list[dict]:
    """Every name and variant of the authorities a viewer may see: kind, id, name, primary name."""
    found = []
    for kind in KINDS:
        where, params = visible_entities_sql(kind, viewer)
        found.extend(dict(r) for r in db.query(
            f"SELECT n.kind, n.entity_id AS id, n.name AS matched, a.name AS name "
            f"FROM names n JOIN {TABLE[kind]} a ON a.id = n.entity_id "
            f"WHERE n.kind = ? AND {where}", [kind, *params]))
    return found


def merge_entity_rows(db, kind: str, old_id: str, keep_id: str) -> None:
    """Move every link of `old_id` to `keep_id`, retire `old_id` and redirect it to `keep_id`."""
    link, column = LINK[kind]
    # INSERT OR IGNORE: a record linked to both keeps one link
    rows = [dict(r) for r in db.query(f"SELECT * FROM {link} WHERE {column} = ?", [old_id])]
    for row in rows:
        row[column] = keep_id
        cols = ", ".join(row)
        db.execute(f"INSERT OR IGNORE INTO {link} ({cols}) VALUES ({', '.join('?' for _ in row)})",
                   list(row.values()))
    db.execute(f"DELETE FROM {link} WHERE {column} = ?", [old_id])
    if kind == "place":
        db.execute("INSERT OR IGNORE INTO event_places (event_id, place_id, position) "
                   "SELECT event_id, ?, position FROM event_places WHERE place_id = ?", [keep_id, old_id])
        db.execute("DELETE FROM event_places WHERE place_id = ?", [old_id])
    if kind in ("event", "place"):
        table = TABLE[kind]
        db.execute(f"UPDATE {table} SET part_of = ? WHERE part_of = ? AND id != ?",
                   [keep_id, old_id, keep_id])
        db.execute(f"UPDATE {table} SET part_of = NULL WHERE id = ? AND part_of = ?", [keep_id, old_id])
    if kind == "event":
        db.execute("DELETE FROM event_places WHERE event_id = ?", [old_id])
    db.execute("DELETE FROM names WHERE kind = ? AND entity_id = ?", [kind, old_id])
    db.execute(f"DELETE FROM {TABLE[kind]} WHERE id = ?", [old_id])
    db.execute("UPDATE redirects SET new_id = ? WHERE kind = ? AND new_id = ?", [keep_id, kind, old_id])
    db.execute("INSERT OR REPLACE INTO redirects (kind, old_id, new_id) VALUES (?, ?, ?)",
               [kind, old_id, keep_id])


def deleted_record_row(db, record_id: str) -> dict | None:
    """The tombstone of a deleted record, or None."""
    rows = list(db.query("SELECT * FROM records WHERE id = ? AND deleted_at IS NOT NULL", [record_id]))
    return rows[0] if rows else None


# --- the view log of records that are not public -----------------------------------------------------

def log_view(db, record_id: str, username: str | None, role: str | None, address: str | None,
             via: str, access: str, viewed_at: str) -> None:
    db.execute("INSERT INTO view_log (record_id, username, role, address, via, access, viewed_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)", [record_id, username, role, address, via, access, viewed_at])


def record_views(db, record_id: str, limit: int = 200) -> list[dict]:
    """The latest views of a record that were logged, newest first."""
    return [dict(r) for r in db.query(
        "SELECT username, role, address, via, access, viewed_at FROM view_log WHERE record_id = ? "
        "ORDER BY viewed_at DESC, id DESC LIMIT ?", [record_id, limit])]


# --- search, browse and timeline reads (issue 3) ----------------------------------------------------

def visible_names_for_keys(db, keys: Iterable[str], viewer: Viewer) -> list[dict]:
    """Authorities (kind, entity_id, key) having a name or variant under one of these name keys."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    found = []
    marks = ", ".join("?" for _ in keys)
    for kind in KINDS:
        where, params = visible_entities_sql(kind, viewer)
        found += [dict(r) for r in db.query(
            f"SELECT DISTINCT n.kind, n.entity_id, n.key FROM names n JOIN {TABLE[kind]} a "
            f"ON a.id = n.entity_id WHERE n.kind = ? AND n.key IN ({marks}) AND {where} "
            f"ORDER BY n.entity_id", [kind, *keys, *params])]
    return found


def entity_labels(db, kind: str, ids: Iterable[str]) -> dict[str, str]:
    """The names of these authorities by id (for facet values, which the index keeps as ids)."""
    ids = list(ids)
    labels: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        labels.update({r[0]: r[1] for r in db.execute(
            f"SELECT id, name FROM {TABLE[kind]} WHERE id IN ({marks})", chunk)})
    return labels


def entities_with_counts(db, kind: str, viewer: Viewer) -> list[dict]:
    """Every authority of a kind the viewer may see, with its variants and its visible records' count."""
    link, column = LINK[kind]
    where, params = visible_entities_sql(kind, viewer)
    rwhere, rparams = visible_records_sql(viewer)
    variants = "a.variants" if kind != "event" else "'[]'"
    extra = "a.date" if kind == "event" else ("a.dates" if kind == "person" else "NULL")
    return [{**dict(r), "variants": json.loads(r["variants"] or "[]")} for r in db.query(
        f"SELECT a.id, a.name, {variants} AS variants, {extra} AS date, "
        f"(SELECT count(DISTINCT l.record_id) FROM {link} l JOIN records r ON r.id = l.record_id "
        f" WHERE l.{column} = a.id AND {rwhere}) AS count "
        f"FROM {TABLE[kind]} a WHERE {where}", [*rparams, *params])]


def records_per_year(db, viewer: Viewer) -> dict[int, int]:
    """How many visible records fall in each year (by their date, else the start of their period)."""
    where, params = visible_records_sql(viewer)
    return {r[0]: r[1] for r in db.execute(
        f"SELECT coalesce(r.date_lo, r.period_lo) / 10000 AS year, count(*) FROM records r "
        f"WHERE {where} AND coalesce(r.date_lo, r.period_lo) BETWEEN 1000101 AND 99991231 "
        f"GROUP BY year ORDER BY year", params)}


def dated_events(db, viewer: Viewer) -> list[dict]:
    """Visible events with a known span, earliest first (for the timeline)."""
    where, params = visible_entities_sql("event", viewer)
    return [dict(r) for r in db.query(
        f"SELECT a.id, a.name, a.date, a.date_lo, a.date_hi, a.part_of FROM events a "
        f"WHERE {where} AND a.date_lo IS NOT NULL AND a.date_hi IS NOT NULL "
        f"AND a.date_lo > 1000101 AND a.date_hi < 99991231 ORDER BY a.date_lo, a.name", params)]
