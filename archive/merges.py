"""Merging one person, event or place into another, and undoing that merge: part of the one write
path (docs/architecture.md, "The one write path"), built on `records.writing`.

A merge moves the links of the authority merged away to the one kept, adds its names to the kept
one's variants and makes its id lead there. Everything it changes gets a revision saying so: the kept
authority `{"merged_from": old}`, and each record whose links moved, each authority whose `part_of`
pointed at the old one and each event that listed the old place `{"merged_from": old, "merged_into":
keep}`. Undoing reads those revisions back: the old authority returns with its id and its last
content, each of those records and authorities gets the links of its revision before the merge, the
kept one loses what the merge added, and the id no longer redirects; each a revision
`{"unmerged": old, "unmerged_from": keep}`. An undo is refused (with every reason) when what the
merge changed was changed again since: the kept one merged into another, a record's links of that
kind edited, or the kept one renamed to a name the merge brought. Records deleted since are left as
they are.
"""
from __future__ import annotations

from . import kinds, store
from .access import SYSTEM
from .errors import NotFound, ValidationError
from .messages import Text
from .names import name_key
from .records import _NOT_CONTENT, _record_input, writing


def _entity_input(data: dict) -> dict:
    """An authority's JSON (or a revision of it) as input for `store_entity`."""
    found = {k: v for k, v in data.items() if k not in ("kind", *_NOT_CONTENT)}
    if "places" in found:
        found["places"] = [{"id": p["id"]} for p in found["places"] or []]
    return {k: v for k, v in found.items() if v is not None}


def merge_entities(db, index, kind: str, old_id: str, keep_id: str, user: str | None = None) -> dict:
    """Merge authority `old_id` into `keep_id`: links move, the old name becomes a variant, the old
    id redirects to the kept one. :raise NotFound: :raise ValidationError:"""
    if old_id == keep_id:
        raise ValidationError([("into", Text("choose another one to merge into"))])
    with writing(db, index, user) as write:
        old, keep = store.entity_row(db, kind, old_id), store.entity_row(db, kind, keep_id)
        if old is None:
            raise NotFound(Text("No %(kind)s %(id)s.", kind=kinds.kind_word(kind), id=old_id))
        if keep is None:
            raise ValidationError([("into", Text("no %(kind)s with id %(id)s", kind=kinds.kind_word(kind),
                                                 id=keep_id))])
        affected = set(store.linked_record_ids(db, kind, old_id))
        moved = [(kind, child) for child in store.children_of(db, kind, old_id) if child != keep_id]
        if kind == kinds.PLACE.name:
            moved += [(kinds.EVENT.name, event) for event in store.events_at(db, old_id)]
        kept = store.entity_json(db, kind, keep, SYSTEM)
        gone = store.entity_json(db, kind, old, SYSTEM)
        store.merge_entity_rows(db, kind, old_id, keep_id)
        data = {k: v for k, v in kept.items() if k not in ("kind",)}
        described = kinds.get(kind)
        if described.has_variants:
            data["variants"] = [*kept["variants"], gone["name"], *gone["variants"]]
        for key in ("note", "dates", "date", "lat", "lon"):
            if key in data and data[key] in (None, "") and gone.get(key) not in (None, ""):
                data[key] = gone[key]
        if described.has_places:
            data["places"] = [{"id": p["id"]} for p in kept["places"] + gone["places"]]
        if data.get("part_of") == old_id:
            data["part_of"] = None
        data = {k: v for k, v in data.items() if v is not None}
        write.store_entity(kind, data, {"merged_from": old_id})
        note = {"merged_from": old_id, "merged_into": keep_id}
        for other_kind, other in moved:  # their part_of or places moved: labelled, so undo finds them
            row = store.entity_row(db, other_kind, other)
            write.store_entity(other_kind, _entity_input(store.entity_json(db, other_kind, row, SYSTEM)), note)
        # the records whose links moved get a revision, so their history shows the change
        for record_id in sorted(affected):
            row = store.record_row(db, record_id)
            write.store_record({**_record_input(store.record_json(db, row)), "id": record_id}, note)
    return store.get_entity(db, kind, keep_id, SYSTEM)


# --- undo ------------------------------------------------------------------------------------------

def merged_into(db, kind: str, old_id: str) -> str | None:
    """The authority `old_id` was merged into, when that merge can be looked at for an undo (it left
    its revision, and `old_id` is not back already)."""
    if store.entity_row(db, kind, old_id) is not None:
        return None
    kept = [r for r in store.merge_revisions(db, old_id) if r["kind"] == kind]
    return kept[-1]["entity_id"] if kept else None


def _refuse(*reasons: Text):
    raise ValidationError([("merge", reason) for reason in reasons])


def _links(record: dict, plural: str) -> tuple:
    return ([(link["id"], link.get("role")) for link in record.get(plural) or []],
            [[link["id"] for link in seg.get(plural) or []] for seg in record.get("segments") or []])


def _plan(db, kind: str, old_id: str, keep_id: str) -> tuple[dict, dict, list, list, list]:
    """What an undo writes: the old authority, the kept one, the other authorities and records
    (each as input for the write path), and the old ids to lead to the old one again."""
    word, plural = kinds.kind_word(kind), kinds.get(kind).plural
    if store.entity_row(db, kind, old_id) is not None:
        raise NotFound(Text("%(id)s is not merged into another.", id=old_id))
    kept_revs = [r for r in store.merge_revisions(db, old_id) if r["kind"] == kind]
    if not kept_revs or kept_revs[-1]["entity_id"] != keep_id:
        raise NotFound(Text("No merge of %(old)s into %(keep)s to undo.", old=old_id, keep=keep_id))
    now_at = store.redirect_target(db, kind, old_id)
    if now_at != keep_id or store.entity_row(db, kind, keep_id) is None:
        _refuse(Text("%(keep)s was itself merged into %(other)s since; undo that merge first.",
                     keep=keep_id, other=now_at or "?"))
    merge_rev = kept_revs[-1]["revision"]
    after = store.revision_data(db, kind, keep_id, merge_rev)
    before = store.revision_data(db, kind, keep_id, merge_rev - 1) or {}
    old_revs = store.revisions(db, kind, old_id)
    if not old_revs:
        _refuse(Text("No saved version of %(id)s is left to bring back.", id=old_id))
    stamp = store_stamp(db, kind, keep_id, merge_rev)
    reasons = []
    # the kept one: what the merge changed and nobody changed since goes back; the added names go
    current = store.entity_json(db, kind, store.entity_row(db, kind, keep_id), SYSTEM)
    added = [v for v in after.get("variants") or [] if v not in (before.get("variants") or [])]
    if name_key(current["name"]) in {name_key(v) for v in added} and current["name"] != before.get("name"):
        reasons.append(Text("%(keep)s is now called “%(name)s”, a name the merge brought; rename it first.",
                            keep=keep_id, name=current["name"]))
    keep_data = _entity_input(current)
    for key in [k for k in after if k not in ("kind", "id", "name", *_NOT_CONTENT)]:
        if current.get(key) == after.get(key):
            keep_data[key] = before.get(key)
        elif key == "variants":
            keep_data[key] = [v for v in current["variants"] if v not in added]
    keep_data = _entity_input(keep_data)
    # the authorities and records the merge moved: back to their links before it, unless changed since
    others, records = [], []
    for found in store.merge_revisions(db, old_id, keep_id):
        if found["saved_at"] != stamp:  # another merge of the same pair, undone since
            continue
        if found["kind"] == "record":
            records.append(found)
        elif found["entity_id"] != old_id:
            others.append(found)
    other_inputs = []
    for found in _last_each(others):
        other_kind, other_id, rev = found["kind"], found["entity_id"], found["revision"]
        row = store.entity_row(db, other_kind, other_id)
        if row is None:
            continue
        now = store.entity_json(db, other_kind, row, SYSTEM)
        merged, earlier = (store.revision_data(db, other_kind, other_id, rev),
                           store.revision_data(db, other_kind, other_id, rev - 1) or {})
        data = _entity_input(now)
        for key in ("part_of", "places"):
            if merged.get(key) != earlier.get(key):
                if now.get(key) != merged.get(key):
                    reasons.append(Text("%(id)s was changed since the merge.", id=other_id))
                data[key] = earlier.get(key)
        other_inputs.append((other_kind, _entity_input(data)))
    record_inputs = []
    for found in _last_each(records):
        record_id, rev = found["entity_id"], found["revision"]
        row = store.record_row(db, record_id)
        if row is None or row["deleted_at"]:
            continue
        now = store.record_json(db, row)
        merged, earlier = (store.revision_data(db, "record", record_id, rev),
                           store.revision_data(db, "record", record_id, rev - 1) or {})
        if _links(now, plural) != _links(merged, plural):
            reasons.append(Text("The %(kind)s links of record %(id)s were changed since the merge.",
                                kind=word, id=record_id))
            continue
        data = {**_record_input(now), "id": record_id, plural: _record_input(earlier).get(plural, [])}
        segments = [dict(seg) for seg in data.get("segments") or []]
        for seg, was in zip(segments, earlier.get("segments") or []):
            seg[plural] = [{"id": link["id"]} for link in was.get(plural) or []]
        data["segments"] = segments
        record_inputs.append(data)
    if reasons:
        _refuse(*reasons)
    old_data = {**_entity_input(old_revs[-1]["data"]), "id": old_id}
    if old_data.get("part_of"):
        old_data["part_of"] = store.redirect_target(db, kind, old_data["part_of"]) or old_data["part_of"]
    if "places" in old_data:
        old_data["places"] = [{"id": store.redirect_target(db, kinds.PLACE.name, p["id"]) or p["id"]}
                              for p in old_data["places"]]
    # ids merged into the old one before lead to it again
    earlier_merged = {r["data"].get("merged_from") for r in old_revs} - {None}
    rechained = [other for other in store.redirected_to(db, kind, keep_id) if other in earlier_merged]
    return old_data, keep_data, other_inputs, record_inputs, rechained


def store_stamp(db, kind: str, entity_id: str, revision: int) -> str:
    """When a revision was saved (a merge's revisions all carry its write's stamp)."""
    return next(r["saved_at"] for r in store.revisions(db, kind, entity_id) if r["revision"] == revision)


def _last_each(found: list[dict]) -> list[dict]:
    """The latest of each thing's merge revisions (a pair merged, undone and merged again)."""
    last: dict[tuple, dict] = {}
    for f in found:
        key = (f["kind"], f["entity_id"])
        if key not in last or f["revision"] > last[key]["revision"]:
            last[key] = f
    return list(last.values())


def unmerge_entities(db, index, kind: str, old_id: str, keep_id: str, user: str | None = None) -> dict:
    """Undo the merge of `old_id` into `keep_id`: the old authority is back, with its id, names and
    exactly the links it had. :raise NotFound: :raise ValidationError: (why it is not safe)"""
    with writing(db, index, user) as write:
        old_data, keep_data, others, record_inputs, rechained = _plan(db, kind, old_id, keep_id)
        note = {"unmerged": old_id, "unmerged_from": keep_id}
        store.set_redirect(db, kind, old_id, None)
        for other in rechained:
            store.set_redirect(db, kind, other, old_id)
        write.store_entity(kind, old_data, note)
        write.store_entity(kind, {**keep_data, "id": keep_id}, note)
        for other_kind, data in others:
            write.store_entity(other_kind, data, note)
        for data in record_inputs:
            write.store_record(data, note)
    return store.get_entity(db, kind, old_id, SYSTEM)
