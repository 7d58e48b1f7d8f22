"""The one write path: every change to records and authorities goes through here.

A write opens one SQLite transaction and, inside it, one index transaction (`index.transaction()`).
The rows change, every record whose index document is affected (the record itself, or the records of
a person who gained a variant) is re-indexed, the index marker takes the database's new change
number, the index commits, and only then does SQLite commit. An indexing error rolls the SQLite write
back; a crash between the two commits leaves an index ahead of the database, which
`archive.index.ensure_index` finds and repairs at start-up, reading the database through
`IndexSource`.

Validation lives here too (the JSON Schemas, the record's built from `archive/fields.py` and the
authorities' in `schemas/`, plus EDTF dates and links), so the web forms, the importer and the
command line all refuse the same bad input with the same messages.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager

from . import clock, dates, fields, filing, kinds, redaction, store, timecoded
from .access import SYSTEM
from .errors import NotFound, ValidationError  # raised here; callers may catch them here
from .index import Index, parallel, to_document
from .redaction import settle as settle_redactions  # also the importer's first pass
from .index import schema as index_schema
from .messages import Text
from .validation import validate

def _bounds_columns(prefix: str, value: str | None) -> dict:
    b = dates.bounds(value)
    return {f"{prefix}_lo": b.lo if b else None, f"{prefix}_hi": b.hi if b else None}


_text = fields.clean_text


# --- one write -------------------------------------------------------------------------------------

# The fields a record's input gives and its own columns keep (not the id, links or the archive's stamps).
_STORED = tuple(f for f in fields.RECORD_FIELDS
                if f.shape.stored and not f.by_archive and not isinstance(f.shape, fields.Id))
PARALLEL_AT = parallel.WORTH_IT  # records re-indexed by one write from which workers index them
# Why a revision was written when it was not a form's Save, kept beside its content so that the
# history can say so: {"restored_from": 3}, {"undeleted": True}, {"merged_from": id, "merged_into": id}.
NOTE_KEYS = ("restored_from", "undeleted", "merged_from", "merged_into", "unmerged", "unmerged_from")
_NOT_CONTENT = ("created_at", "updated_at", "revision", *NOTE_KEYS)
_ALWAYS_NOTED = ("merged_from", "unmerged")  # a merge and its undo always leave their revisions, to be found


def _repeats(saved: dict, before: dict | None, note: dict | None) -> bool:
    return not any((note or {}).get(k) for k in _ALWAYS_NOTED) and _same_content(saved, before)


def _same_content(saved: dict, before: dict | None) -> bool:
    """Whether a save would repeat the last revision: then no revision is written (docs/architecture.md)."""
    if before is None or before.get("deleted"):
        return False
    return ({k: v for k, v in saved.items() if k not in _NOT_CONTENT}
            == {k: v for k, v in before.items() if k not in _NOT_CONTENT})

Files = filing.Files  # where a write's media files come from (archive/filing.py)


class Write:
    """What one write transaction changes; records touched here are re-indexed before commit."""

    def __init__(self, db, index: Index, user: str | None, seq: int, stamp: str, files: Files | None = None,
                 progress: Callable[[int], None] | None = None, later: ExitStack | None = None):
        self.db = db
        self.index = index
        self.user = user
        self.seq = seq
        self.stamp = stamp
        self.files = files or Files()
        self.progress = progress  # called with 1 for each record indexed
        self.touched: set[str] = set()
        # An import replaces what it names with a new revision even when nothing differs (the import
        # contract); a form's Save, an Undo or a restore that changes nothing writes none.
        self.always_revise = False
        # An import's objects were all validated by its first pass (importer.plan): not again.
        self.checked = False
        self._later = later or ExitStack()  # the index transaction, once open
        self._tx = None
        self._names = NameCache(db)
        self._indexed: set[str] = set()

    def index_as_stored(self, procs: int) -> None:
        """Index each record as it is stored, by `procs` workers, while the next ones are stored.

        Only for a write where no authority a record links changes after the record is stored (an
        import whose authorities all come before its records): the record's document, names of its
        authorities included, is final when it is stored."""
        self._open_index(procs)

    # authorities
    def store_entity(self, kind: str, data: dict, note: dict | None = None) -> str:
        errors = [] if self.checked else validate(kind, {**data, "kind": kind})
        if errors:
            raise ValidationError(errors)
        db = self.db
        entity_id = data.get("id") or store.new_id(db, kind)
        old = store.entity_row(db, kind, entity_id)
        if old is None and data.get("id") and store.id_taken(db, entity_id):
            raise ValidationError([("id", Text("%(id)s is already used by another record or authority",
                                               id=entity_id))])
        row = {"id": entity_id, "name": _text(data["name"]), "note": _text(data.get("note")),
               "created_at": old["created_at"] if old else self.stamp, "updated_at": self.stamp}
        if not row["name"]:
            raise ValidationError([("name", Text("is required"))])
        described = kinds.get(kind)
        if described.has_variants:
            variants = [v for v in dict.fromkeys(_text(v) for v in data.get("variants") or []) if v]
            row["variants"] = json.dumps([v for v in variants if v != row["name"]], ensure_ascii=False)
        if described.date_field:
            field_name = described.date_field
            row[field_name] = dates.check(data.get(field_name))
            row.update(_bounds_columns(field_name, row[field_name]))
        if described.has_coordinates:
            row["lat"], row["lon"] = data.get("lat"), data.get("lon")
        if described.has_part_of:
            row["part_of"] = self._part_of(kind, entity_id, data.get("part_of"))
        db.execute("SAVEPOINT entity_write")
        store.put_entity_row(db, kind, row)
        if described.has_places:
            place_ids = [self.resolve(kinds.PLACE.name, link, f"places.{i}")
                         for i, link in enumerate(data.get("places") or [])]
            store.set_event_places(db, entity_id, place_ids)
        saved = store.entity_json(db, kind, store.entity_row(db, kind, entity_id), SYSTEM)
        last = store.last_revision(db, kind, entity_id)
        if old and not self.always_revise and _repeats(saved, store.revision_data(db, kind, entity_id, last),
                                                       note):
            db.execute("ROLLBACK TO entity_write")  # nothing changed: no revision, nothing re-indexed
            db.execute("RELEASE entity_write")
            return entity_id
        db.execute("RELEASE entity_write")
        store.add_revision(db, kind, entity_id, last + 1, {**saved, **(note or {})}, self.user, self.stamp)
        if old:  # names and variants are indexed with the records
            self.touched.update(store.linked_record_ids(db, kind, entity_id))
        return entity_id

    def _part_of(self, kind: str, entity_id: str, parent: str | None) -> str | None:
        if not parent:
            return None
        seen = {entity_id}
        current = parent
        while current:
            if current in seen:
                raise ValidationError([("part_of", Text("%(parent)s would make %(id)s part of itself",
                                                        parent=parent, id=entity_id))])
            seen.add(current)
            row = store.entity_row(self.db, kind, current)
            if row is None:
                raise ValidationError([("part_of", Text("no %(kind)s with id %(id)s", kind=kinds.kind_word(kind),
                                                             id=current))])
            current = row["part_of"]
        return parent

    def resolve(self, kind: str, link: dict, where: str) -> str:
        """The id of a linked authority, found by id or name, created when unknown."""
        db = self.db
        if link.get("id"):
            entity_id = link["id"]
            if store.entity_row(db, kind, entity_id):
                return entity_id
            target = store.redirect_target(db, kind, entity_id)
            if target:
                return target
            if not link.get("name"):
                raise ValidationError([(f"{where}.id", Text("no %(kind)s with id %(id)s",
                                                            kind=kinds.kind_word(kind), id=entity_id))])
            return self.store_entity(kind, {"id": entity_id, "name": link["name"]})
        found = store.find_by_name(db, kind, link["name"], SYSTEM)
        if found:
            return found
        return self.store_entity(kind, {"name": link["name"]})

    # records
    def store_record(self, data: dict, note: dict | None = None) -> str:
        errors = [] if self.checked else validate("record", data)
        if errors:
            raise ValidationError(errors)
        db = self.db
        old = store.record_row(db, data["id"]) if data.get("id") else None  # a tombstone too
        old_media = fields.FIELDS["media"].shape.from_column(old["media"]) if old else []
        data = {**data, "media": filing.measured_media(self.files, store.media_folder(db),
                                                       data.get("media") or [], old_media)}
        data["segments"] = [self._segment_links(seg, i) for i, seg in enumerate(data.get("segments") or [])]
        record_id = data.get("id") or store.new_id(db, "record")
        if old is None and data.get("id") and store.id_taken(db, record_id):
            raise ValidationError([("id", Text("%(id)s is already used by an authority", id=record_id))])
        links = {}
        for kind in kinds.AUTHORITIES:
            key = kind.plural
            links[key] = [{"id": self.resolve(kind.name, link, f"{key}.{i}"),
                           "role": link.get("role") or "mentioned"}
                          for i, link in enumerate(data.get(key) or [])]
        data = {**data, "redactions": settle_redactions(old, data, self.user, self.stamp)}
        row, cleaned = {"id": record_id}, {}
        for field in _STORED:
            value = cleaned[field.name] = field.shape.clean(data.get(field.name))
            if field.shape.required and not value:
                raise ValidationError([(field.name, Text("is required"))])
            row.update(field.shape.columns(field.name, value))
        row.update({"created_at": old["created_at"] if old else self.stamp, "updated_at": self.stamp,
                    "revision": (old["revision"] + 1) if old else 1, "seq": self.seq, "deleted_at": None})
        db.execute("SAVEPOINT record_write")
        store.put_record_row(db, row)
        store.set_record_links(db, record_id, links["people"], links["events"], links["places"])
        unheard = redaction.segments_anyone_misses(cleaned, clock.today())
        store.set_segment_links(db, record_id, [(kind, link["id"]) for i, seg in enumerate(data["segments"])
                                                if i not in unheard
                                                for key, kind in timecoded.LINK_KINDS for link in seg[key]])
        saved = store.record_json(db, row)
        before = store.revision_data(db, "record", record_id, old["revision"]) if old else None
        if old and not self.always_revise and _repeats(saved, before, note):
            db.execute("ROLLBACK TO record_write")  # nothing changed: no revision, nothing re-indexed
            db.execute("RELEASE record_write")
            return record_id
        db.execute("RELEASE record_write")
        store.add_revision(db, "record", record_id, row["revision"], {**saved, **(note or {})},
                           self.user, self.stamp)
        self.touched.add(record_id)
        if self._tx is not None:
            self._index(record_id)
        return record_id

    def _segment_links(self, seg: dict, i: int) -> dict:
        seg = dict(seg)
        for key, kind in timecoded.LINK_KINDS:
            seg[key] = [{"id": self.resolve(kind, link, f"segments.{i}.{key}.{j}")}
                        for j, link in enumerate(seg.get(key) or [])]
        return seg

    def delete_record(self, record_id: str) -> None:
        """Keep a tombstone: the id stays taken and harvesters can learn of the deletion."""
        old = store.record_row(self.db, record_id)
        if old is None or old["deleted_at"]:
            raise NotFound(Text("Record %(id)s doesn't exist.", id=record_id))
        store.tombstone_record(self.db, record_id, self.stamp, old["revision"] + 1, self.seq)
        data = store.record_json(self.db, store.record_row(self.db, record_id))
        store.add_revision(self.db, "record", record_id, old["revision"] + 1,
                           {**data, "deleted": True}, self.user, self.stamp)
        self.touched.add(record_id)

    def _open_index(self, procs: int) -> None:
        self._tx = self._later.enter_context(self.index.transaction(procs))

    def _index(self, record_id: str) -> None:
        row = store.record_row(self.db, record_id)
        if row is None or row["deleted_at"]:
            self._tx.remove(record_id)
        else:
            self._tx.put(document(self.db, row, self._names))
        self._indexed.add(record_id)
        if self.progress:
            self.progress(1)

    def flush(self) -> None:
        """Index every touched record not indexed yet, move the marker, commit the index.

        Many records at once (an import) are indexed by worker processes (`index.parallel`)."""
        store.set_record_seq(self.db, self.touched, self.seq)
        if self._tx is None:
            self._open_index(parallel.processes() if len(self.touched) >= PARALLEL_AT else 1)
        for record_id in sorted(self.touched - self._indexed):
            self._index(record_id)
        self._tx.set_marker(self.seq, store.get_meta(self.db, "archive_id"))
        self._later.close()  # the index transaction commits


@contextmanager
def writing(db, index: Index, user: str | None = None,
            progress: Callable[[int], None] | None = None, files: Files | None = None):
    """One write: SQLite transaction and index transaction, committed together or not at all.
    Media files are stored (synced, renamed) inside it, before the commit that names them."""
    with index.write_lock, ExitStack() as later:  # the lock: before SQLite's, by every write
        with store.write_transaction(db):
            write = Write(db, index, user, store.next_seq(db), clock.now(), files, progress, later)
            yield write
            write.flush()  # commits the index's transaction (held by `later`) before SQLite's
        # a failure anywhere above leaves `later` to cancel the index's changes
    index.written()


class NameCache:
    """Names and variants of authorities, looked up once per write or rebuild."""

    def __init__(self, db):
        self.db = db
        self._cache: dict[tuple[str, str], list[str]] = {}

    def __call__(self, kind: str, entity_id: str) -> list[str]:
        key = (kind, entity_id)
        if key not in self._cache:
            self._cache[key] = store.entity_index_names(self.db, kind, entity_id)
        return self._cache[key]


def document(db, row: dict, names: NameCache) -> dict:
    """The index document of a record row (its segments' links count as its own, but not those of
    segments hidden from the public, `redaction.index_views`)."""
    record = store.record_json(db, row)
    segments = redaction.index_views(record, clock.today())["public"].get("segments") or []
    linked = {kind.name: [n for link in record[kind.plural] + [x for seg in segments
                                                              for x in seg.get(kind.plural) or []]
                          for n in names(kind.name, link["id"])]
              for kind in kinds.AUTHORITIES}
    bounds = {k: row[k] for k in (*index_schema.BOUND_FIELDS, "seq")}
    return to_document(record, linked, bounds)


# --- the public write functions --------------------------------------------------------------------

def save_record(db, index, data: dict, user: str | None = None, note: dict | None = None,
                files: Files | None = None) -> dict:
    """Store a record (and its media files) and index it; returns it as saved (at its old revision
    when nothing changed). `note` says why, when not a form's Save (`NOTE_KEYS`). :raise ValidationError:"""
    with writing(db, index, user, files=files) as write:
        record_id = write.store_record(data, note)
    return store.get_record(db, record_id, SYSTEM)


def delete_record(db, index, record_id: str, user: str | None = None) -> None:
    """Delete a record, keeping a tombstone. :raise NotFound:"""
    with writing(db, index, user) as write:
        write.delete_record(record_id)


def save_entity(db, index, kind: str, data: dict, user: str | None = None,
                note: dict | None = None) -> dict:
    """Store a person, event or place; its records are re-indexed. :raise ValidationError:"""
    with writing(db, index, user) as write:
        entity_id = write.store_entity(kind, data, note)
    return store.get_entity(db, kind, entity_id, SYSTEM)


# --- redactions that lapse -------------------------------------------------------------------------

LAPSE_MARK = "redactions_lapsed_on"  # meta: the day of the last pass


def lapse_redactions(db, index, today: str | None = None) -> list[str]:
    """Re-index the records whose redactions lapsed since the last pass, so their passages are
    found the day after their `until` without anyone saving them. Run at start-up and daily by the
    server (`home.Archive.start`); writes nothing when nothing lapsed. Returns the records' ids."""
    day = today or clock.today()
    since = store.get_meta(db, LAPSE_MARK)
    ids = store.records_with_lapsed_redactions(db, since, day)
    if ids:
        with writing(db, index, None) as write:
            write.touched.update(ids)
            store.set_meta(db, LAPSE_MARK, day)
    return ids


# --- the database as the index's maintenance reads it ---------------------------------------------

class IndexSource:
    """The database as `archive.index` reads it to find drift, repair and rebuild (`index.Source`)."""

    def __init__(self, db):
        self.db = db

    def state(self) -> tuple[int, str]:
        return store.current_seq(self.db), store.get_meta(self.db, "archive_id")

    def seqs(self) -> dict[str, int]:
        return store.live_record_seqs(self.db)

    def count(self) -> int:
        return store.count_records(self.db, SYSTEM)

    def documents(self, ids: Iterable[str] | None = None) -> Iterator[dict]:
        names = NameCache(self.db)
        rows = (store.iter_record_rows(self.db, SYSTEM) if ids is None
                else (store.record_row(self.db, record_id) for record_id in ids))
        return (document(self.db, row, names) for row in rows)

    def frozen(self):
        return store.write_transaction(self.db)


def import_objects(db, index, objects: Iterable[dict], user: str | None = None,
                   progress: Callable[[str], None] | None = None, files: Files | None = None,
                   index_as_stored: bool = False) -> None:
    """Store objects (authorities and records) validated by `importer.plan` in one write; all or
    nothing.

    `progress` is called with "store" for each object stored and "index" for each record indexed.
    `index_as_stored`: index each record as it is stored, by worker processes (`Write.index_as_stored`:
    only when no authority of the objects comes after a record).
    """
    indexed = (lambda n: progress("index")) if progress else None
    with writing(db, index, user, progress=indexed, files=files) as write:
        write.always_revise = True
        write.checked = True
        if index_as_stored:
            write.index_as_stored(parallel.processes())
        for obj in objects:
            if progress:
                progress("store")
            kind = obj.get("kind") or "record"
            data = {k: v for k, v in obj.items() if k not in ("kind", "created_at", "updated_at", "revision")}
            if kind == "record":
                write.store_record(data)
            else:
                write.store_entity(kind, data)


# --- restore, undelete, merge ----------------------------------------------------------------------

RECORD_INPUT_KEYS = fields.INPUT_KEYS


def _record_input(saved: dict) -> dict:
    """A saved revision turned back into input for `store_record` (links by id, with names)."""
    data = {k: saved.get(k) for k in RECORD_INPUT_KEYS if k in saved}
    for field in fields.of_shape(fields.List):
        data[field.name] = saved.get(field.name) or []
    for field in fields.of_shape(fields.Links):
        keep = ("id", "name", "role") if field.shape.roles else ("id", "name")
        data[field.name] = [{k: v for k, v in link.items() if k in keep and v is not None}
                            for link in saved.get(field.name) or []]
    if data.get("segments"):  # a segment's links by id (a name may be gone: merged away since)
        data["segments"] = [{**seg, **{key: [{"id": link["id"]} for link in seg.get(key) or []]
                                       for key, _ in timecoded.LINK_KINDS}} for seg in data["segments"]]
    return {k: v for k, v in data.items() if v is not None}


record_input = _record_input  # a saved record as input again (for `archive media add`)
