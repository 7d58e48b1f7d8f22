"""What the archivists' views (editor.py) share: the link fields of the record form (typed names to
ids, suggested links, ticked suggestions), errors shown beside their fields, the confirm buttons'
check, what each revision changed for the history pages, and a merge's look-alikes and preview.
"""
from __future__ import annotations

import difflib

from flask import request

from .. import kinds, linking, records, store
from ..access import SYSTEM
from ..errors import BadRequest
from ..forms import ConfirmForm, RecordForm, field_for, lines
from ..i18n import translate
from ..messages import N_, Text
from ..names import name_key, near
from .common import get_db, get_viewer


# --- the record form's links -----------------------------------------------------------------------

def resolve_links(db, data: dict, current: dict | None) -> list[tuple[str, str]]:
    """Give each typed link the id of a known authority; returns the (kind, name) pairs unknown.

    A name is first matched against the record's own links (so two authorities of one name stay
    apart), then against every name and variant in the archive.
    """
    unknown = []
    for kind in kinds.AUTHORITIES:
        own = {name_key(link["name"]): link["id"] for link in (current or {}).get(kind.plural, [])}
        for link in data[kind.plural]:
            found = own.get(name_key(link["name"])) or store.find_by_name(db, kind.name, link["name"], SYSTEM)
            if found:
                link["id"] = found
            else:
                unknown.append((kind.name, link["name"]))
    return list(dict.fromkeys(unknown))


def suggested_links(db, viewer, text: str | None, linked_ids: set[str]) -> dict:
    """Known authorities and dates the text mentions, leaving out what is linked already."""
    names = [f for f in linking.find_names(text or "", store.authority_names(db, viewer))
             if f.id not in linked_ids]
    return {"names": names, "dates": linking.find_dates(text or "")}


def linked_ids_of(db, form: RecordForm, current: dict | None) -> set[str]:
    """Ids of the authorities the form's link fields name now."""
    ids = set()
    for kind in kinds.AUTHORITIES:
        own = {name_key(link["name"]): link["id"] for link in (current or {}).get(kind.plural, [])}
        for line in lines(getattr(form, kind.plural).data):
            name = line.partition("|")[0].strip()
            found = own.get(name_key(name)) or store.find_by_name(db, kind.name, name, SYSTEM)
            if found:
                ids.add(found)
    return ids


def apply_ticked(db, form: RecordForm) -> None:
    """Ticked suggestions join the link fields; ticked dates fill Date, then Period, when empty."""
    ticked = request.form.getlist("link")
    for value in ticked:
        kind, _, entity_id = value.partition(":")
        if not kinds.is_authority(kind):
            continue
        entity = store.get_entity(db, kind, entity_id, get_viewer())
        if entity is None:
            continue
        field = getattr(form, kinds.get(kind).plural)
        typed = {name_key(line.partition("|")[0]) for line in lines(field.data)}
        if name_key(entity["name"]) not in typed:
            line = f"{entity['name']} | mentioned" if kinds.get(kind).link_has_role else entity["name"]
            field.data = "\n".join([*lines(field.data), line])
    picked = [v.partition(":")[2] for v in ticked if v.startswith("date:")]
    if picked and not (form.date.data or "").strip():
        form.date.data, picked = picked[0], picked[1:]
    if picked and not (form.period.data or "").strip():
        form.period.data = linking.span(picked)


def show_errors(form, errors: list[tuple[str, str]]) -> None:
    for path, message in errors:
        field = field_for(form, path)
        if field is None or not hasattr(field, "errors"):
            form.form_errors.append(Text("%(field)s: %(problem)s", field=path, problem=message) if path else message)
        else:
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(message)


def check_confirmed() -> None:
    """A button that changes something (restore, undo) sends a CSRF-checked form.

    :raise 400: when the form has expired.
    """
    if not ConfirmForm().validate_on_submit():
        raise BadRequest(Text("The form has expired; try again."))


# --- what each revision changed --------------------------------------------------------------------

SKIP = ("kind", "created_at", "updated_at", "revision", "deleted", *records.NOTE_KEYS)
# What the history calls each field (translated on the page).
FIELD_NAMES = {
    "type": N_("type"), "title": N_("title"), "summary": N_("summary"), "text": N_("text"),
    "language": N_("language"), "date": N_("date"), "period": N_("period"), "subjects": N_("subjects"),
    "collection": N_("collection"), "accession": N_("accession"), "source": N_("source"),
    "rights": N_("rights"), "access": N_("access"), "embargo_until": N_("embargo until"),
    "people": N_("people"), "events": N_("events"), "places": N_("places"), "name": N_("name"),
    "variants": N_("variants"), "dates": N_("dates"), "note": N_("note"), "part_of": N_("part of"),
    "lat": N_("latitude"), "lon": N_("longitude"), "media": N_("media"), "id": N_("id"),
}


def shown(key: str, value) -> str:
    if value in (None, "", [], {}):
        return ""
    if key in ("people", "places"):
        return "\n".join(f"{v.get('name')} ({translate(kinds.role_label(v.get('role') or 'mentioned'))})"
                         for v in value)
    if key == "events":
        return "\n".join(v.get("name") or v.get("id") for v in value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items() if v)
    return str(value)


def changes(before: dict | None, after: dict) -> list[dict]:
    """Field by field, what one revision changed from the one before."""
    found = []
    for key in [k for k in after if k not in SKIP]:
        old, new = shown(key, (before or {}).get(key)), shown(key, after.get(key))
        if old == new:
            continue
        change = {"field": FIELD_NAMES.get(key, key.replace("_", " ")), "old": old, "new": new, "diff": None}
        if len(old) > 300 or len(new) > 300:
            change["diff"] = ["…" if line.startswith("@@") else line for line in difflib.unified_diff(
                old.splitlines(), new.splitlines(), lineterm="", n=1)][2:]
        found.append(change)
    return found


def history_entries(revs: list[dict]) -> tuple[list[dict], dict | None]:
    """Revisions newest first, each with what it changed; and the last content before any deletion."""
    entries, previous = [], None
    for rev in revs:
        deleted = bool(rev["data"].get("deleted"))
        entries.append({**rev, "deleted": deleted, "created": previous is None and not deleted,
                        "changes": [] if deleted or previous is None else changes(previous, rev["data"]),
                        "note": {k: rev["data"][k] for k in records.NOTE_KEYS if rev["data"].get(k)}})
        if not deleted:
            previous = rev["data"]
    entries.reverse()
    return entries, previous


# --- merging: look-alikes and the preview ----------------------------------------------------------

def merge_preview(kind: str, entity: dict, keep: dict) -> dict:
    """What merging `entity` into `keep` moves: its records (those not linked to both already) and
    the names the kept one gains as variants."""
    db, viewer = get_db(), get_viewer()
    kept_ids = {r["id"] for r in store.entity_records(db, kind, keep["id"], viewer)}
    moving = store.entity_records(db, kind, entity["id"], viewer)
    names = [entity["name"], *entity.get("variants", [])] if kinds.get(kind).has_variants else []
    known = {name_key(n) for n in [keep["name"], *keep.get("variants", [])]}
    return {"keep": keep, "records": [r for r in moving if r["id"] not in kept_ids],
            "already": [r for r in moving if r["id"] in kept_ids],
            "names": [n for n in dict.fromkeys(names) if name_key(n) not in known]}


def look_alikes(kind: str, entity: dict, most: int = 8) -> list[dict]:
    """Other authorities of the kind whose names look like this one's (never itself), closest first,
    with their dates, record counts and ids."""
    keys = {name_key(n) for n in [entity["name"], *entity.get("variants", [])]}
    found = []
    for other in store.entities_with_counts(get_db(), kind, get_viewer()):
        if other["id"] == entity["id"]:
            continue
        distances = [d for n in [other["name"], *other["variants"]] for k in keys
                     for d in [0 if name_key(n) == k else near(k, name_key(n))] if d is not None]
        words = {w for n in [other["name"]] for w in name_key_words(n)}
        shared = words & {w for w in name_key_words(entity["name"])}
        if distances or shared:
            found.append((min(distances) if distances else 9, other))
    found.sort(key=lambda pair: (pair[0], -pair[1]["count"], pair[1]["name"]))
    return [other for _, other in found[:most]]


def name_key_words(name: str) -> set[str]:
    """The name keys of a name's words of four letters or more ("Sokha" in "Kem Sokha")."""
    return {key for key in map(name_key, name.split()) if len(key) >= 4}
