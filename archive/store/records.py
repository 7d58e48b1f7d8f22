"""Records: their rows and links, their JSON shape, and the viewer-aware reads of them.

`visible_records_sql` is the one definition of which records a viewer may see (access, embargo, and
withdrawn consent); every read here (and every read of authorities, which hides those seen only in
hidden records) builds on it. `viewer_row` makes each record handed to a viewer that viewer's copy
(passages hidden from them read `[redacted]`, archive/redaction.py). Writes are
single row changes that `archive/records.py`, the one write path, composes inside its transaction;
revisions live in `audit`, authorities in `authorities`, the OAI view of records in `harvest`.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import fields, kinds, redaction
from ..access import WITHDRAWN, Viewer
from ..clock import today
from .schema import database_path


# --- what a viewer may see ------------------------------------------------------------------------

def visible_records_sql(viewer: Viewer, alias: str = "r") -> tuple[str, list]:
    """A WHERE clause (and its parameters) for the live records this viewer may see."""
    if viewer.sees_everything:
        return f"{alias}.deleted_at IS NULL", []
    marks = ", ".join("?" for _ in viewer.levels)
    return (f"{alias}.deleted_at IS NULL AND {alias}.access IN ({marks}) "
            f"AND ({alias}.embargo_until IS NULL OR {alias}.embargo_until <= ?) "
            f"AND {alias}.consent_status IS NOT '{WITHDRAWN}'",
            [*viewer.levels, today()])


def viewer_row(row: dict, viewer: Viewer) -> dict:
    """The row as this viewer may read it: passages hidden from them read `[redacted]`
    (`redaction.for_viewer`, the one place a passage is hidden). Rows without redactions pass as
    they are, at the cost of one string comparison."""
    if row.get("redactions") in (None, "[]"):
        return row
    part = {"text": row["text"], "redactions": json.loads(row["redactions"])}
    for key in ("media", "segments"):
        if row.get(key):
            part[key] = json.loads(row[key])
    seen = redaction.for_viewer(part, viewer, today())
    if seen is part:
        return row
    out = {**row, "text": seen["text"], "redactions": json.dumps(seen["redactions"], ensure_ascii=False)}
    for key in ("media", "segments"):
        if seen.get(key) is not part.get(key):
            out[key] = json.dumps(seen[key], ensure_ascii=False)
    return out


# --- rows and links -------------------------------------------------------------------------------

def record_row(db, record_id: str) -> dict | None:
    """The raw row of a record, tombstones included."""
    rows = list(db.query("SELECT * FROM records WHERE id = ?", [record_id]))
    return rows[0] if rows else None


def deleted_record_row(db, record_id: str) -> dict | None:
    """The tombstone of a deleted record, or None."""
    rows = list(db.query("SELECT * FROM records WHERE id = ? AND deleted_at IS NOT NULL", [record_id]))
    return rows[0] if rows else None


def put_record_row(db, row: dict) -> None:
    """Insert or replace a record's row: its fields' columns (`fields.Shape.columns`) and the
    archive's own (`seq`, `deleted_at`)."""
    db.table("records").upsert(row, pk="id")


def set_record_links(db, record_id: str, people: list[dict], events: list[dict],
                     places: list[dict]) -> None:
    """Replace a record's links; each item carries a resolved `id` (and `role`)."""
    for kind, links in zip(kinds.AUTHORITIES, (people, events, places)):
        table = kind.link_table
        db.execute(f"DELETE FROM {table} WHERE record_id = ?", [record_id])
        if kind.link_has_role:  # one link per authority and role
            keys = [(link["id"], link["role"]) for link in links]
        else:  # one link per authority
            keys = [(i,) for i in dict.fromkeys(link["id"] for link in links)]
        seen = set()
        for position, key in enumerate(keys):
            if key not in seen:
                seen.add(key)
                marks = ", ".join("?" for _ in range(len(key) + 2))
                db.execute(f"INSERT INTO {table} VALUES ({marks})", [record_id, *key, position])


def set_segment_links(db, record_id: str, links: Iterable[tuple[str, str]]) -> None:
    """Replace the (kind, id) of the authorities a record's segments link to."""
    db.execute("DELETE FROM segment_links WHERE record_id = ?", [record_id])
    db.conn.executemany("INSERT OR IGNORE INTO segment_links VALUES (?, ?, ?)",
                        [(record_id, kind, entity_id) for kind, entity_id in links])


def media_folder(db) -> Path:
    """Where the archive of this database keeps its files: `media/` beside the database file
    (`records/media/` under the archive folder)."""
    return Path(database_path(db)).parent / "media"


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
    """A record as JSON (`fields.record_schema()`): every field in order, links with names."""
    elsewhere = record_links(db, row["id"])  # the fields not kept in a column of their own
    record = {"kind": "record", **{f.name: f.shape.from_column(row[f.name]) if f.shape.stored
                                   else elsewhere[f.name] for f in fields.RECORD_FIELDS}}
    _name_segment_links(db, record["segments"])
    return record


def _name_segment_links(db, segments: list[dict]) -> None:
    """Segment links with the authorities' names as they are now (a rename reaches them)."""
    for kind in kinds.AUTHORITIES:
        ids = {link["id"] for seg in segments for link in seg.get(kind.plural) or [] if link.get("id")}
        if not ids:
            continue
        marks = ", ".join("?" for _ in ids)
        names = dict(db.execute(f"SELECT id, name FROM {kind.table} WHERE id IN ({marks})", list(ids)).fetchall())
        for seg in segments:
            for link in seg.get(kind.plural) or []:
                link["name"] = names.get(link.get("id"), link.get("name"))


# --- reads for a viewer ---------------------------------------------------------------------------

def get_record(db, record_id: str, viewer: Viewer) -> dict | None:
    """A live record as JSON, or None when missing, deleted or not for this viewer."""
    where, params = visible_records_sql(viewer)
    rows = list(db.query(f"SELECT * FROM records r WHERE r.id = ? AND {where}",
                         [record_id, *params]))
    return record_json(db, viewer_row(rows[0], viewer)) if rows else None


def records_by_ids(db, ids: list[str], viewer: Viewer) -> list[dict]:
    """Rows of the given records in the given order, silently dropping what the viewer may not see
    (each as the viewer may read it, `viewer_row`)."""
    if not ids:
        return []
    where, params = visible_records_sql(viewer)
    marks = ", ".join("?" for _ in ids)
    rows = {r["id"]: r for r in db.query(
        f"SELECT * FROM records r WHERE r.id IN ({marks}) AND {where}", [*ids, *params])}
    return [viewer_row(rows[i], viewer) for i in ids if i in rows]


def count_records(db, viewer: Viewer) -> int:
    where, params = visible_records_sql(viewer)
    return db.execute(f"SELECT count(*) FROM records r WHERE {where}", params).fetchone()[0]


def newest_records(db, viewer: Viewer, limit: int = 10) -> list[dict]:
    where, params = visible_records_sql(viewer)
    return [viewer_row(row, viewer) for row in db.query(
        f"SELECT * FROM records r WHERE {where} ORDER BY r.created_at DESC, r.id LIMIT ?", [*params, limit])]


def iter_record_rows(db, viewer: Viewer, batch: int = 500) -> Iterator[dict]:
    """Every live record the viewer may see, in id order, a batch at a time (constant memory)."""
    where, params = visible_records_sql(viewer)
    last = ""
    while True:
        rows = list(db.query(f"SELECT * FROM records r WHERE r.id > ? AND {where} "
                             f"ORDER BY r.id LIMIT ?", [last, *params, batch]))
        yield from (viewer_row(row, viewer) for row in rows)
        if len(rows) < batch:
            return
        last = rows[-1]["id"]


def records_per_year(db, viewer: Viewer) -> dict[int, int]:
    """How many visible records fall in each year (by their date, else the start of their period)."""
    where, params = visible_records_sql(viewer)
    return {r[0]: r[1] for r in db.execute(
        f"SELECT coalesce(r.date_lo, r.period_lo) / 10000 AS year, count(*) FROM records r "
        f"WHERE {where} AND coalesce(r.date_lo, r.period_lo) BETWEEN 1000101 AND 99991231 "
        f"GROUP BY year ORDER BY year", params)}


def live_record_seqs(db) -> dict[str, int]:
    """Id and change number of every live record: what the index must hold."""
    return {r[0]: r[1] for r in db.execute("SELECT id, seq FROM records WHERE deleted_at IS NULL")}


def records_with_lapsed_redactions(db, since: str | None, today: str) -> list[str]:
    """Live records with a redaction whose `until` day lies in [since, today): lapsed since a pass
    on day `since` (all that lapsed, without one)."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT r.id FROM records r, json_each(r.redactions) j "
        "WHERE r.deleted_at IS NULL AND r.redactions <> '[]' "
        "AND json_extract(j.value, '$.until') < ? AND json_extract(j.value, '$.until') >= ? "
        "ORDER BY r.id", [today, since or ""])]
