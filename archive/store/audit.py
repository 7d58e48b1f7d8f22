"""The archive's memory of itself: every saved version of a record or authority (revisions), who
looked at records that are not public or at redacted passages (the view log), and the archivists'
access report (records by access, consent, embargo and redactions).

Both only grow. Deciding what to log and showing the history are left to the views; restoring an
old version goes through the write path (`archive/records.py`).
"""
from __future__ import annotations

import json


# --- revisions ------------------------------------------------------------------------------------

def add_revision(db, kind: str, entity_id: str, revision: int, data: dict,
                 saved_by: str | None, saved_at: str) -> None:
    db.execute("INSERT INTO revisions (kind, entity_id, revision, data, saved_by, saved_at) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               [kind, entity_id, revision, json.dumps(data, ensure_ascii=False), saved_by, saved_at])


def revisions(db, kind: str, entity_id: str) -> list[dict]:
    return [{**r, "data": json.loads(r["data"])} for r in db.query(
        "SELECT revision, data, saved_by, saved_at FROM revisions "
        "WHERE kind = ? AND entity_id = ? ORDER BY revision", [kind, entity_id])]


def revision_data(db, kind: str, entity_id: str, revision: int) -> dict | None:
    """What one revision saved, or None."""
    row = db.execute("SELECT data FROM revisions WHERE kind = ? AND entity_id = ? AND revision = ?",
                     [kind, entity_id, revision]).fetchone()
    return json.loads(row[0]) if row else None


def last_revision(db, kind: str, entity_id: str) -> int:
    row = db.execute("SELECT max(revision) FROM revisions WHERE kind = ? AND entity_id = ?",
                     [kind, entity_id]).fetchone()
    return row[0] or 0


def merge_revisions(db, merged_from: str, merged_into: str | None = None) -> list[dict]:
    """The revisions a merge of `merged_from` wrote: kind, entity_id, revision and saved_at of each (with
    `merged_into`, those of the things whose links moved; without, the kept authority's)."""
    into = "= ?" if merged_into else "IS NULL"
    return [dict(r) for r in db.query(
        "SELECT kind, entity_id, revision, saved_at FROM revisions WHERE json_extract(data, '$.merged_from') = ? "
        f"AND json_extract(data, '$.merged_into') {into} ORDER BY kind, entity_id, revision",
        [merged_from, *([merged_into] if merged_into else [])])]


def deleted_records(db, limit: int = 500) -> list[dict]:
    """Deleted records, last deleted first: id, title, when and by whom (from the revision that
    deleted it), for archivists."""
    return [dict(r) for r in db.query(
        "SELECT r.id, r.title, r.deleted_at, v.saved_by AS deleted_by FROM records r "
        "LEFT JOIN revisions v ON v.kind = 'record' AND v.entity_id = r.id AND v.revision = "
        "(SELECT max(revision) FROM revisions WHERE kind = 'record' AND entity_id = r.id) "
        "WHERE r.deleted_at IS NOT NULL ORDER BY r.deleted_at DESC, r.id LIMIT ?", [limit])]


# --- the view log of records that are not public --------------------------------------------------

def log_view(db, record_id: str, username: str | None, role: str | None, address: str | None,
             via: str, access: str, viewed_at: str) -> None:
    db.execute("INSERT INTO view_log (record_id, username, role, address, via, access, viewed_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)", [record_id, username, role, address, via, access, viewed_at])


def record_views(db, record_id: str, limit: int = 200) -> list[dict]:
    """The latest views of a record that were logged, newest first."""
    return [dict(r) for r in db.query(
        "SELECT username, role, address, via, access, viewed_at FROM view_log WHERE record_id = ? "
        "ORDER BY viewed_at DESC, id DESC LIMIT ?", [record_id, limit])]


# --- the access report --------------------------------------------------------------------------------

def access_report(db, access: str | None = None, consent: str | None = None, embargoed: bool = False,
                  redacted: bool = False, limit: int = 2000) -> list[dict]:
    """Live records with their access level, consent status, embargo and number of redactions,
    filtered (`consent` "none": records without a consent status), ordered by title."""
    clauses, params = ["deleted_at IS NULL"], []
    if access:
        clauses.append("access = ?")
        params.append(access)
    if consent == "none":
        clauses.append("consent_status IS NULL")
    elif consent:
        clauses.append("consent_status = ?")
        params.append(consent)
    if embargoed:
        clauses.append("embargo_until IS NOT NULL")
    if redacted:
        clauses.append("redactions <> '[]'")
    return [dict(r) for r in db.query(
        f"SELECT id, title, access, consent_status, embargo_until, json_array_length(redactions) AS "
        f"redactions, updated_at FROM records WHERE {' AND '.join(clauses)} ORDER BY title, id LIMIT ?",
        [*params, limit])]
