"""Authorities (people, events, places): their rows, names and variants, JSON shape, merges and
redirects, and the viewer-aware reads of them (lists, counts, suggestions, the timeline's events).

An authority is hidden from a viewer when no record that viewer may see reaches it, directly or
through the `part_of` chains and event places a record brings along (`visible_entities_sql`, built
on `records.visible_records_sql`); an authority shown never names a hidden one (`Shown`). Every name
and variant is kept in the `names` table under its name key, for lookups by name. Tables and link
tables come from `kinds`. The write path (`archive/records.py`) validates and composes these row
writes.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator

from .. import kinds
from ..access import Viewer
from ..names import name_key
from .records import visible_records_sql
from .schema import current_seq, database_path


def _link(kind: str) -> tuple[str, str]:
    """The table linking records to authorities of this kind, and its column of their ids."""
    found = kinds.get(kind)
    return found.link_table, found.link_column


# --- what a viewer may see ------------------------------------------------------------------------

def visible_entities_sql(kind: str, viewer: Viewer, alias: str = "a") -> tuple[str, list]:
    """A WHERE clause (and its parameters) for the authorities of a kind this viewer may see.

    Archivists see every authority, even one no record names. Others see a person when a record
    they may see links to it; an event also when it is the `part_of` ancestor of such an event; a
    place also when it is a place of such an event or the `part_of` ancestor of such a place. So an
    authority that only hidden records reach, or no record at all, is hidden, and nothing a viewer
    sees names an authority that viewer may not see. Events and places are tested against their
    visible set, computed once per statement (SQLite evaluates an uncorrelated `IN` only once).
    """
    if viewer.sees_everything:
        return "1", []
    where, params = visible_records_sql(viewer, "vr")

    def linked(kind_name: str) -> str:  # ids of this kind that visible records (or their segments) link to
        link, column = _link(kind_name)
        return (f"SELECT vl.{column} FROM {link} vl JOIN records vr ON vr.id = vl.record_id WHERE {where} "
                f"UNION SELECT vl.entity_id FROM segment_links vl JOIN records vr ON vr.id = vl.record_id "
                f"WHERE vl.kind = '{kind_name}' AND {where}")
    if kind == kinds.PERSON.name:  # no chains: one indexed look-up per person is cheapest
        link, column = _link(kind)
        return (f"(EXISTS (SELECT 1 FROM {link} vl JOIN records vr ON vr.id = vl.record_id "
                f"WHERE vl.{column} = {alias}.id AND {where}) OR EXISTS (SELECT 1 FROM segment_links vl "
                f"JOIN records vr ON vr.id = vl.record_id WHERE vl.kind = 'person' "
                f"AND vl.entity_id = {alias}.id AND {where}))", [*params, *params])
    # UNION (not UNION ALL) also ends a part_of cycle, which the write path refuses anyway
    events = (f"visible_events(id) AS ({linked(kinds.EVENT.name)} UNION SELECT e.part_of FROM events e "
              f"JOIN visible_events v ON e.id = v.id WHERE e.part_of IS NOT NULL)")
    if kind == kinds.EVENT.name:
        return f"{alias}.id IN (WITH RECURSIVE {events} SELECT id FROM visible_events)", [*params, *params]
    places = (f"visible_places(id) AS ({linked(kinds.PLACE.name)} UNION SELECT ep.place_id "
              f"FROM event_places ep JOIN visible_events v ON v.id = ep.event_id UNION SELECT p.part_of "
              f"FROM places p JOIN visible_places v ON p.id = v.id WHERE p.part_of IS NOT NULL)")
    return (f"{alias}.id IN (WITH RECURSIVE {events}, {places} SELECT id FROM visible_places)",
            [*params, *params, *params, *params])


class Shown:
    """Whether a viewer may see an authority, such as one named inside another (an event's places,
    a `part_of`).

    The visible events and places are read once per kind, when first asked, so that a page or a
    whole export reads them once; a person takes one indexed look-up.
    """

    def __init__(self, db, viewer: Viewer):
        self.db, self.viewer, self.ids = db, viewer, {}

    def __call__(self, kind: str, entity_id: str) -> bool:
        if self.viewer.sees_everything:
            return True
        where, params = visible_entities_sql(kind, self.viewer)
        table = kinds.get(kind).table
        if kind == kinds.PERSON.name:
            return self.db.execute(f"SELECT 1 FROM {table} a WHERE a.id = ? AND {where}",
                                   [entity_id, *params]).fetchone() is not None
        if kind not in self.ids:
            self.ids[kind] = {r[0] for r in self.db.execute(f"SELECT a.id FROM {table} a WHERE {where}",
                                                            params)}
        return entity_id in self.ids[kind]


# --- rows, names and links ------------------------------------------------------------------------

def entity_row(db, kind: str, entity_id: str) -> dict | None:
    rows = list(db.query(f"SELECT * FROM {kinds.get(kind).table} WHERE id = ?", [entity_id]))
    return rows[0] if rows else None


def put_entity_row(db, kind: str, row: dict) -> None:
    db.table(kinds.get(kind).table).upsert(row, pk="id")
    names = [row["name"], *json.loads(row.get("variants") or "[]")]
    db.execute("DELETE FROM names WHERE kind = ? AND entity_id = ?", [kind, row["id"]])
    db.conn.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)",
                        [(kind, row["id"], n, name_key(n), int(i == 0)) for i, n in enumerate(names)])


def set_event_places(db, event_id: str, place_ids: list[str]) -> None:
    db.execute("DELETE FROM event_places WHERE event_id = ?", [event_id])
    db.conn.executemany("INSERT INTO event_places VALUES (?, ?, ?)",
                        [(event_id, p, i) for i, p in enumerate(dict.fromkeys(place_ids))])


def find_by_name(db, kind: str, name: str, viewer: Viewer) -> str | None:
    """The id of the authority with this name or variant (ignoring case, accents, spaces) among
    those the viewer may see: a hidden namesake never stands in for a visible one."""
    where, params = visible_entities_sql(kind, viewer)
    row = db.execute(f"SELECT n.entity_id FROM names n JOIN {kinds.get(kind).table} a "
                     f"ON a.id = n.entity_id WHERE n.kind = ? AND n.key = ? AND {where} "
                     f"ORDER BY n.is_primary DESC, n.entity_id LIMIT 1",
                     [kind, name_key(name), *params]).fetchone()
    return row[0] if row else None


def entity_index_names(db, kind: str, entity_id: str) -> list[str]:
    """The name and every variant of an authority, for indexing with its records."""
    return [r[0] for r in db.execute(
        "SELECT name FROM names WHERE kind = ? AND entity_id = ? ORDER BY is_primary DESC, rowid",
        [kind, entity_id])]


def linked_record_ids(db, kind: str, entity_id: str) -> list[str]:
    """Live records linked to an authority, whoever may see them (for re-indexing)."""
    link, column = _link(kind)
    return [r[0] for r in db.execute(
        f"SELECT l.record_id FROM {link} l JOIN records r ON r.id = l.record_id "
        f"WHERE l.{column} = ? AND r.deleted_at IS NULL UNION SELECT l.record_id FROM segment_links l "
        f"JOIN records r ON r.id = l.record_id WHERE l.kind = ? AND l.entity_id = ? AND r.deleted_at IS NULL",
        [entity_id, kind, entity_id])]


def redirect_target(db, kind: str, entity_id: str) -> str | None:
    row = db.execute("SELECT new_id FROM redirects WHERE kind = ? AND old_id = ?",
                     [kind, entity_id]).fetchone()
    return row[0] if row else None


def merge_entity_rows(db, kind: str, old_id: str, keep_id: str) -> None:
    """Move every link of `old_id` to `keep_id`, retire `old_id` and redirect it to `keep_id`."""
    described, (link, column) = kinds.get(kind), _link(kind)
    # INSERT OR IGNORE: a record linked to both keeps one link
    rows = [dict(r) for r in db.query(f"SELECT * FROM {link} WHERE {column} = ?", [old_id])]
    for row in rows:
        row[column] = keep_id
        cols = ", ".join(row)
        db.execute(f"INSERT OR IGNORE INTO {link} ({cols}) VALUES ({', '.join('?' for _ in row)})",
                   list(row.values()))
    db.execute(f"DELETE FROM {link} WHERE {column} = ?", [old_id])
    if described is kinds.PLACE:  # the events that list the old place list the kept one
        db.execute("INSERT OR IGNORE INTO event_places (event_id, place_id, position) "
                   "SELECT event_id, ?, position FROM event_places WHERE place_id = ?", [keep_id, old_id])
        db.execute("DELETE FROM event_places WHERE place_id = ?", [old_id])
    if described.has_part_of:
        table = described.table
        db.execute(f"UPDATE {table} SET part_of = ? WHERE part_of = ? AND id != ?",
                   [keep_id, old_id, keep_id])
        db.execute(f"UPDATE {table} SET part_of = NULL WHERE id = ? AND part_of = ?", [keep_id, old_id])
    if described.has_places:  # the kept one's places are saved again by the write path
        db.execute("DELETE FROM event_places WHERE event_id = ?", [old_id])
    db.execute("DELETE FROM names WHERE kind = ? AND entity_id = ?", [kind, old_id])
    db.execute(f"DELETE FROM {described.table} WHERE id = ?", [old_id])
    db.execute("UPDATE redirects SET new_id = ? WHERE kind = ? AND new_id = ?", [keep_id, kind, old_id])
    db.execute("INSERT OR REPLACE INTO redirects (kind, old_id, new_id) VALUES (?, ?, ?)",
               [kind, old_id, keep_id])


def children_of(db, kind: str, parent_id: str) -> list[str]:
    """The ids of the authorities of a kind that are `part_of` this one."""
    if not kinds.get(kind).has_part_of:
        return []
    return [r[0] for r in db.execute(f"SELECT id FROM {kinds.get(kind).table} WHERE part_of = ? AND id != ? "
                                     "ORDER BY id", [parent_id, parent_id])]


def events_at(db, place_id: str) -> list[str]:
    """The ids of the events that list a place among theirs."""
    return [r[0] for r in db.execute("SELECT event_id FROM event_places WHERE place_id = ? ORDER BY event_id",
                                     [place_id])]


def redirected_to(db, kind: str, new_id: str) -> list[str]:
    """The old ids whose addresses lead to this authority."""
    return [r[0] for r in db.execute("SELECT old_id FROM redirects WHERE kind = ? AND new_id = ? ORDER BY old_id",
                                     [kind, new_id])]


def set_redirect(db, kind: str, old_id: str, new_id: str | None) -> None:
    """Make `old_id` lead to `new_id`, or to nothing (when None: the id is its own again)."""
    db.execute("DELETE FROM redirects WHERE kind = ? AND old_id = ?", [kind, old_id])
    if new_id:
        db.execute("INSERT INTO redirects (kind, old_id, new_id) VALUES (?, ?, ?)", [kind, old_id, new_id])


# --- JSON, and reads for a viewer -----------------------------------------------------------------

def entity_json(db, kind: str, row: dict, viewer: Viewer, shown: Shown | None = None) -> dict:
    """An authority as JSON (`schemas/<kind>.json`): the parts its kind has, always in one order.

    The places and the `part_of` it names are those the viewer may see (`shown` answers that, and
    can be shared by many calls).
    """
    described, shown = kinds.get(kind), shown or Shown(db, viewer)
    found = {"kind": described.name, "id": row["id"], "name": row["name"]}
    if described.has_variants:
        found["variants"] = json.loads(row["variants"] or "[]")
    if described.date_field:
        found[described.date_field] = row[described.date_field]
    if described.has_coordinates:
        found["lat"], found["lon"] = row["lat"], row["lon"]
    if described.has_places:
        found["places"] = [dict(r) for r in db.query(
            "SELECT p.id, p.name FROM event_places l JOIN places p ON p.id = l.place_id "
            "WHERE l.event_id = ? ORDER BY l.position", [row["id"]])
            if shown(kinds.PLACE.name, r["id"])]
    if described.has_part_of:
        parent = row["part_of"]
        found["part_of"] = parent if parent and shown(kind, parent) else None
    found["note"] = row["note"]
    return found


def get_entity(db, kind: str, entity_id: str, viewer: Viewer) -> dict | None:
    """An authority as JSON, or None when missing or not for this viewer."""
    shown, row = Shown(db, viewer), entity_row(db, kind, entity_id)
    if row is None or not shown(kind, entity_id):
        return None
    return entity_json(db, kind, row, viewer, shown)


def iter_entities(db, kind: str, viewer: Viewer) -> Iterator[dict]:
    """Every authority of a kind that the viewer may see, as JSON, in id order.

    Events come parents first, so that an import can resolve `part_of` as it goes.
    """
    where, params = visible_entities_sql(kind, viewer)
    table, order = kinds.get(kind).table, "a.id"
    if kinds.get(kind).has_part_of:
        # depth in the part_of tree first, so parents precede their parts
        order = (f"(WITH RECURSIVE up(id, depth) AS (SELECT a.id, 0 UNION ALL "
                 f"SELECT t.part_of, up.depth + 1 FROM up JOIN {table} t ON t.id = up.id "
                 f"WHERE t.part_of IS NOT NULL AND up.depth < 50) SELECT max(depth) FROM up), a.id")
    shown = Shown(db, viewer)
    for row in db.query(f"SELECT * FROM {table} a WHERE {where} ORDER BY {order}", params):
        yield entity_json(db, kind, row, viewer, shown)


def entity_records(db, kind: str, entity_id: str, viewer: Viewer) -> list[dict]:
    """The records linked to an authority that the viewer may see, with the link's role."""
    link, column = _link(kind)
    role = "l.role" if kinds.get(kind).link_has_role else "NULL"
    where, params = visible_records_sql(viewer)
    return [dict(r) for r in db.query(
        f"SELECT r.id, r.title, r.type, r.date, r.date_lo, r.language, {role} AS role "
        f"FROM {link} l JOIN records r ON r.id = l.record_id "
        f"WHERE l.{column} = ? AND {where} ORDER BY r.date_lo IS NULL, r.date_lo, r.title",
        [entity_id, *params])]


def sub_events(db, event_id: str, viewer: Viewer) -> list[dict]:
    """The parts of an event that the viewer may see."""
    where, params = visible_entities_sql("event", viewer)
    return [dict(r) for r in db.query(
        f"SELECT a.id, a.name, a.date FROM events a WHERE a.part_of = ? AND {where} "
        f"ORDER BY a.date_lo, a.name", [event_id, *params])]


def count_entities(db, kind: str, viewer: Viewer) -> int:
    where, params = visible_entities_sql(kind, viewer)
    table = kinds.get(kind).table
    return db.execute(f"SELECT count(*) FROM {table} a WHERE {where}", params).fetchone()[0]


def entities_with_counts(db, kind: str, viewer: Viewer) -> list[dict]:
    """Every authority of a kind the viewer may see, with its variants and its visible records' count."""
    described, (link, column) = kinds.get(kind), _link(kind)
    where, params = visible_entities_sql(kind, viewer)
    rwhere, rparams = visible_records_sql(viewer)
    variants = "a.variants" if described.has_variants else "'[]'"
    date = f"a.{described.date_field}" if described.date_field else "NULL"
    return [{**dict(r), "variants": json.loads(r["variants"] or "[]")} for r in db.query(
        f"SELECT a.id, a.name, {variants} AS variants, {date} AS date, "
        f"(SELECT count(DISTINCT l.record_id) FROM {link} l JOIN records r ON r.id = l.record_id "
        f" WHERE l.{column} = a.id AND {rwhere}) AS count "
        f"FROM {described.table} a WHERE {where}", [*rparams, *params])]


def dated_events(db, viewer: Viewer) -> list[dict]:
    """Visible events with a known span, earliest first (for the timeline)."""
    where, params = visible_entities_sql("event", viewer)
    return [dict(r) for r in db.query(
        f"SELECT a.id, a.name, a.date, a.date_lo, a.date_hi, a.part_of FROM events a "
        f"WHERE {where} AND a.date_lo IS NOT NULL AND a.date_hi IS NOT NULL "
        f"AND a.date_lo > 1000101 AND a.date_hi < 99991231 ORDER BY a.date_lo, a.name", params)]


# Facet values name people, events and places by id, some hundreds on every search: their names are
# kept per database and kind until the next write (the change number moves), read as first asked for.
_LABELS: dict[tuple[str, str], tuple[int, dict[str, str]]] = {}
_LABELS_LOCK = threading.Lock()
_LABELS_KEPT = 64  # databases and kinds (a process's tests open many databases)


def entity_labels(db, kind: str, ids: Iterable[str]) -> dict[str, str]:
    """The names of these authorities by id (for facet values, which the index keeps as ids)."""
    ids = list(ids)
    kept: dict[str, str] = {}
    if not db.conn.in_transaction:  # (what a write under way reads may yet be rolled back)
        key, seq = (database_path(db), kind), current_seq(db)
        with _LABELS_LOCK:
            kept_seq, kept = _LABELS.get(key, (None, {}))
            if kept_seq != seq:
                if len(_LABELS) >= _LABELS_KEPT:
                    _LABELS.clear()
                kept = {}
                _LABELS[key] = (seq, kept)
    with _LABELS_LOCK:
        labels = {i: kept[i] for i in ids if i in kept}
    missing = [i for i in ids if i not in labels]
    for start in range(0, len(missing), 500):
        chunk = missing[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        labels.update({r[0]: r[1] for r in db.execute(
            f"SELECT id, name FROM {kinds.get(kind).table} WHERE id IN ({marks})", chunk)})
    if missing:
        with _LABELS_LOCK:
            kept.update((i, labels[i]) for i in missing if i in labels)
    return labels


# --- names: suggestions and lookups ---------------------------------------------------------------

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
        f"FROM names n JOIN {kinds.get(kind).table} a ON a.id = n.entity_id "
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
    for kind in kinds.AUTHORITIES:
        where, params = visible_entities_sql(kind.name, viewer)
        found.extend(dict(r) for r in db.query(
            f"SELECT n.kind, n.entity_id AS id, n.name AS matched, a.name AS name "
            f"FROM names n JOIN {kind.table} a ON a.id = n.entity_id "
            f"WHERE n.kind = ? AND {where}", [kind.name, *params]))
    return found


def visible_names_for_keys(db, keys: Iterable[str], viewer: Viewer) -> list[dict]:
    """Authorities (kind, entity_id, key) having a name or variant under one of these name keys."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    found = []
    marks = ", ".join("?" for _ in keys)
    for kind in kinds.AUTHORITIES:
        # most queries name no one: ask the index first, since the visibility of events and places
        # is a set computed over every visible record's links (80 ms at 50,000 records)
        if not db.execute(f"SELECT 1 FROM names WHERE kind = ? AND key IN ({marks}) LIMIT 1",
                          [kind.name, *keys]).fetchone():
            continue
        where, params = visible_entities_sql(kind.name, viewer)
        found += [dict(r) for r in db.query(
            f"SELECT DISTINCT n.kind, n.entity_id, n.key FROM names n JOIN {kind.table} a "
            f"ON a.id = n.entity_id WHERE n.kind = ? AND n.key IN ({marks}) AND {where} "
            f"ORDER BY n.entity_id", [kind.name, *keys, *params])]
    return found
