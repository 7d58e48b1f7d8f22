"""Changes made of earlier revisions, and changes to many records at once: restoring a revision,
bringing back a deleted record, changing the access of a search's records. Each goes through the
one write path (archive/records.py) and is labelled in the history (`records.NOTE_KEYS`);
merges and their undoing are in archive/merges.py.
"""
from __future__ import annotations

from collections.abc import Iterable

from . import kinds, store
from .access import ACCESS_LEVELS
from .errors import Deleted, NotFound, ValidationError
from .messages import Text
from .records import _NOT_CONTENT, _record_input, save_entity, save_record, writing


def restore_record(db, index, record_id: str, revision: int, user: str | None = None) -> dict:
    """Save an earlier revision's content again, as a new revision.

    :raise NotFound: :raise Deleted: a deleted record is brought back only by `undelete_record`.
    """
    if store.deleted_record_row(db, record_id):
        raise Deleted()
    old = {r["revision"]: r["data"] for r in store.revisions(db, "record", record_id)}.get(revision)
    if old is None or old.get("deleted"):
        raise NotFound(Text("Record %(id)s has no revision %(revision)s.", id=record_id, revision=revision))
    return save_record(db, index, {**_record_input(old), "id": record_id}, user, {"restored_from": revision})


def undelete_record(db, index, record_id: str, user: str | None = None) -> dict:
    """Bring a deleted record back as it was before the deletion (a new revision). :raise NotFound:"""
    if store.deleted_record_row(db, record_id) is None:
        raise NotFound(Text("Record %(id)s is not deleted.", id=record_id))
    kept = [r for r in store.revisions(db, "record", record_id) if not r["data"].get("deleted")]
    if not kept:
        raise NotFound(Text("Record %(id)s is not deleted.", id=record_id))
    return save_record(db, index, {**_record_input(kept[-1]["data"]), "id": record_id}, user, {"undeleted": True})


def set_access(db, index, record_ids: Iterable[str], access: str, user: str | None = None) -> int:
    """Give records another access level in one write, each changed record a new revision (none for
    one at that level already); returns how many changed. :raise ValidationError:"""
    if access not in ACCESS_LEVELS:
        raise ValidationError([("access", Text("%(value)s is not one of %(allowed)s", value=repr(access),
                                                allowed=", ".join(ACCESS_LEVELS)))])
    changed = 0
    with writing(db, index, user) as write:
        for record_id in record_ids:
            row = store.record_row(db, record_id)
            if row is None or row["deleted_at"] or row["access"] == access:
                continue
            write.store_record({**_record_input(store.record_json(db, row)), "id": record_id, "access": access})
            changed += 1
    return changed


def restore_entity(db, index, kind: str, entity_id: str, revision: int, user: str | None = None) -> dict:
    """Save an earlier revision of a person, event or place again, as a new revision.

    Ids that were merged away since are followed to the kept authority. :raise NotFound:
    """
    if store.entity_row(db, kind, entity_id) is None:
        raise NotFound(Text("No %(kind)s %(id)s.", kind=kinds.kind_word(kind), id=entity_id))
    old = {r["revision"]: r["data"] for r in store.revisions(db, kind, entity_id)}.get(revision)
    if old is None:
        raise NotFound(Text("No revision %(revision)s of %(id)s.", revision=revision, id=entity_id))
    data = {k: v for k, v in old.items() if k not in ("kind", *_NOT_CONTENT)}
    if data.get("part_of"):
        data["part_of"] = store.redirect_target(db, kind, data["part_of"]) or data["part_of"]
    if kinds.get(kind).has_places:
        data["places"] = [{"id": store.redirect_target(db, kinds.PLACE.name, p["id"]) or p["id"]}
                          for p in data.get("places") or []]
    return save_entity(db, index, kind, {**{k: v for k, v in data.items() if v is not None},
                                         "id": entity_id}, user, {"restored_from": revision})
