"""Blueprint `editor`: the archivists' pages (record and authority forms, history, delete and undo,
merging) and `/suggest`, the typing help of those forms.

Views turn forms (`forms.py`) into calls of the one write path (`records.py`) and reach the store
through its reads only. A form never loses what was typed: on any error it is shown again with
the messages next to the fields, and nothing is saved until all of it is valid. Unknown names in
link fields create authorities only after the archivist ticks "Create these".
"""
from __future__ import annotations

import difflib

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from . import kinds, linking, records, store
from .access import SYSTEM
from .forms import (ConfirmForm, EventForm, MergeForm, PersonForm, PlaceForm, RecordForm, field_for,
                    lines, record_data)
from .names import name_key
from .web import (editor_required, get_db, get_index, get_viewer, handle_http_error, json_error,
                  load_viewer)

bp = Blueprint("editor", __name__)

# --- /suggest --------------------------------------------------------------------------------------

@bp.get("/suggest")
def suggest():
    """Names and variants starting with `q`, of the authorities the viewer may see."""
    q = request.args.get("q", "").strip()[:200]
    kind = request.args.get("kind", "").strip()
    if kind and not kinds.is_authority(kind):
        return json_error("kind must be person, event or place", 400)
    if not q:
        return jsonify([])
    found = []
    for k in ([kind] if kind else [authority.name for authority in kinds.AUTHORITIES]):
        found.extend(store.suggest_names(get_db(), k, q, get_viewer(), limit=10))
    return jsonify([{"id": f["id"], "name": f["name"], "kind": f["kind"]} for f in found[:20]])


# --- helpers ---------------------------------------------------------------------------------------

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
            form.form_errors.append(f"{path}: {message}" if path else message)
        else:
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(message)


def record_or_404(record_id: str) -> dict:
    record = store.get_record(get_db(), record_id, SYSTEM)
    if record is None:
        abort(404, f"Record {record_id} doesn't exist.")
    return record


# --- records ---------------------------------------------------------------------------------------

@bp.route("/records/new", methods=["GET", "POST"])
@editor_required
def new_record():
    return record_form(None)


@bp.route("/records/<record_id>/edit", methods=["GET", "POST"])
@editor_required
def edit_record(record_id: str):
    return record_form(record_or_404(record_id))


def record_form(current: dict | None):
    db, viewer = get_db(), get_viewer()
    form = RecordForm()
    new_names: list[tuple[str, str]] = []
    status = 200

    def page():
        found = suggested_links(db, viewer, form.text.data, linked_ids_of(db, form, current))
        return render_template("record_form.html", form=form, record=current, new_names=new_names,
                               suggestions=found), status

    if request.method == "GET":
        if current:
            form.fill(current)
        return page()

    apply_ticked(db, form)
    for name in ("date", "period"):
        offered = request.form.get(f"use_{name}")
        if offered:
            getattr(form, name).data = offered
    valid = form.validate()
    if not form.save.data:  # "Preview links", or a suggested date taken: show, save nothing
        return page()
    if not valid:
        status = 400
        return page()
    data = record_data(form)
    new_names = resolve_links(db, data, current)
    if new_names and not form.create_new.data:
        form.form_errors.append("Some names are new to the archive. Tick “Create these” to add them, "
                                "or correct the names, and save again.")
        status = 400
        return page()
    if current:
        data["id"] = current["id"]
        if form.base_revision.data and form.base_revision.data != str(current["revision"]):
            form.form_errors.append(
                f"Someone saved this record while you were editing it (now revision "
                f"{current['revision']}; see its history). Your changes are kept here: check them and "
                f"save again to replace that revision.")
            form.base_revision.data = str(current["revision"])
            status = 409
            return page()
    try:
        saved = records.save_record(db, get_index(), data, viewer.username)
    except records.ValidationError as exc:
        show_errors(form, exc.errors)
        status = 400
        return page()
    created = [f"{name} ({kind})" for kind, name in new_names]
    flash(f"Saved revision {saved['revision']}."
          + (f" New in the archive: {', '.join(created)}." if created else ""), "info")
    return redirect(url_for(".edit_record", record_id=saved["id"]))


@bp.errorhandler(CSRFError)
def expired_form(exc: CSRFError):
    """A form sent after its session ended (signed out, expired): show it again, typed work kept.

    Nothing of the stored record is shown, since the sender may no longer be signed in; the form
    carries a fresh token, so once signed in again, Save works.
    """
    load_viewer()  # the CSRF check ran before the viewer was loaded
    if request.endpoint in ("editor.new_entity", "editor.edit_entity"):
        kind = kinds.by_plural(request.view_args["plural"])
        form = FORMS[kind.name]()
        return render_template("entity_form.html", form=form, kind=kind.name, plural=kind.plural,
                               entity=None, new_names=[], expired=True, action=request.path), 400
    if request.endpoint not in ("editor.new_record", "editor.edit_record"):
        return handle_http_error(exc)
    form = RecordForm()
    return render_template("record_form.html", form=form, record=None, new_names=[], expired=True,
                           action=request.path, suggestions={"names": [], "dates": []}), 400


# --- history, restore, delete, undo ----------------------------------------------------------------

SKIP = ("kind", "created_at", "updated_at", "revision", "deleted")


def shown(key: str, value) -> str:
    if value in (None, "", [], {}):
        return ""
    if key in ("people", "places"):
        return "\n".join(f"{v.get('name')} ({str(v.get('role') or 'mentioned').replace('_', ' ')})"
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
        change = {"field": key.replace("_", " "), "old": old, "new": new, "diff": None}
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
                        "changes": [] if deleted or previous is None else changes(previous, rev["data"])})
        if not deleted:
            previous = rev["data"]
    entries.reverse()
    return entries, previous


@bp.get("/records/<record_id>/history")
@editor_required
def history(record_id: str):
    db = get_db()
    revs = store.revisions(db, "record", record_id)
    if not revs:
        abort(404, f"Record {record_id} doesn't exist.")
    tombstone = store.deleted_record_row(db, record_id)
    entries, last = history_entries(revs)
    title = last["title"] if last else record_id
    return render_template(
        "history.html", entries=entries, title=title, tombstone=tombstone, current=revs[-1]["revision"],
        views=store.record_views(db, record_id),
        undelete_url=url_for(".undelete", record_id=record_id),
        view_url=url_for("public.record_page", record_id=record_id),
        edit_url=url_for(".edit_record", record_id=record_id),
        restore_url=lambda rev: url_for(".restore", record_id=record_id, revision=rev))


@bp.get("/<any(people, events, places):plural>/<entity_id>/history")
@editor_required
def entity_history(plural: str, entity_id: str):
    kind = kinds.by_plural(plural).name
    entity = entity_or_404(kind, entity_id)
    revs = store.revisions(get_db(), kind, entity_id)
    entries, _ = history_entries(revs)
    return render_template(
        "history.html", entries=entries, title=entity["name"], tombstone=None,
        current=revs[-1]["revision"] if revs else 0, undelete_url=None,
        view_url=url_for("public.entity_page", plural=plural, entity_id=entity_id),
        edit_url=url_for(".edit_entity", plural=plural, entity_id=entity_id),
        restore_url=lambda rev: url_for(".restore_entity", plural=plural, entity_id=entity_id,
                                        revision=rev))


@bp.post("/<any(people, events, places):plural>/<entity_id>/history/<int:revision>/restore")
@editor_required
def restore_entity(plural: str, entity_id: str, revision: int):
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form has expired; try again.")
    kind = kinds.by_plural(plural).name
    entity_or_404(kind, entity_id)
    try:
        saved = records.restore_entity(get_db(), get_index(), kind, entity_id, revision,
                                       get_viewer().username)
    except records.NotFound:
        abort(404, f"No revision {revision} of {entity_id}.")
    except records.ValidationError as exc:
        flash(f"Revision {revision} cannot be restored: {exc}", "error")
        return redirect(url_for(".entity_history", plural=plural, entity_id=entity_id))
    flash(f"Revision {revision} of {saved['name']} restored.", "info")
    return redirect(url_for(".entity_history", plural=plural, entity_id=entity_id))


@bp.post("/records/<record_id>/history/<int:revision>/restore")
@editor_required
def restore(record_id: str, revision: int):
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form has expired; try again.")
    db = get_db()
    try:
        saved = records.restore_record(db, get_index(), record_id, revision, get_viewer().username)
    except records.Deleted:
        abort(409, "Undo the deletion first.")
    except records.NotFound:
        abort(404, f"Record {record_id} has no revision {revision}.")
    except records.ValidationError as exc:
        flash(f"Revision {revision} cannot be restored: {exc}", "error")
        return redirect(url_for(".history", record_id=record_id))
    flash(f"Revision {revision} restored as revision {saved['revision']}.", "info")
    return redirect(url_for(".history", record_id=record_id))


@bp.route("/records/<record_id>/delete", methods=["GET", "POST"])
@editor_required
def delete(record_id: str):
    record = record_or_404(record_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        records.delete_record(get_db(), get_index(), record_id, get_viewer().username)
        flash(f"Deleted “{record['title']}”. Its id is kept; you can undo this below.", "info")
        return redirect(url_for(".history", record_id=record_id))
    return render_template("confirm_delete.html", record=record, form=form)


@bp.post("/records/<record_id>/undelete")
@editor_required
def undelete(record_id: str):
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form has expired; try again.")
    try:
        saved = records.undelete_record(get_db(), get_index(), record_id, get_viewer().username)
    except records.NotFound:
        abort(404, f"Record {record_id} is not deleted.")
    flash(f"“{saved['title']}” is back (revision {saved['revision']}).", "info")
    return redirect(url_for("public.record_page", record_id=record_id))


# --- people, events, places ------------------------------------------------------------------------

FORMS = {"person": PersonForm, "event": EventForm, "place": PlaceForm}


def entity_or_404(kind: str, entity_id: str) -> dict:
    """An authority for its archivist pages; a merged id leads to the same page of the kept one."""
    entity = store.get_entity(get_db(), kind, entity_id, SYSTEM)
    if entity is None:
        target = store.redirect_target(get_db(), kind, entity_id)
        if target and request.method == "GET":
            abort(redirect(url_for(request.endpoint, **{**request.view_args, "entity_id": target}), 301))
        abort(404, f"No {kind} {entity_id}.")
    return entity


@bp.route("/<any(people, events, places):plural>/new", methods=["GET", "POST"])
@editor_required
def new_entity(plural: str):
    return entity_form(kinds.by_plural(plural).name, None)


@bp.route("/<any(people, events, places):plural>/<entity_id>/edit", methods=["GET", "POST"])
@editor_required
def edit_entity(plural: str, entity_id: str):
    kind = kinds.by_plural(plural).name
    return entity_form(kind, entity_or_404(kind, entity_id))


def fill_entity(form, kind: str, entity: dict) -> None:
    db, described = get_db(), kinds.get(kind)
    form.name.data, form.note.data = entity["name"], entity.get("note") or ""
    if described.has_variants:
        form.variants.data = "\n".join(entity["variants"])
    if described.date_field:
        getattr(form, described.date_field).data = entity.get(described.date_field) or ""
    if described.has_places:
        form.places.data = "\n".join(p["name"] for p in entity["places"])
    if described.has_part_of and entity.get("part_of"):
        parent = store.entity_row(db, kind, entity["part_of"])
        form.part_of.data = parent["name"] if parent else entity["part_of"]
    if described.has_coordinates:
        form.lat.data = "" if entity.get("lat") is None else str(entity["lat"])
        form.lon.data = "" if entity.get("lon") is None else str(entity["lon"])
    form.base_revision.data = str(store.last_revision(db, kind, entity["id"]))


def entity_form(kind: str, current: dict | None):
    db, viewer, described = get_db(), get_viewer(), kinds.get(kind)
    form = FORMS[kind]()
    status, new_names = 200, []

    def page():
        return render_template("entity_form.html", form=form, kind=kind, plural=described.plural,
                               entity=current, new_names=new_names), status

    if request.method == "GET":
        if current:
            fill_entity(form, kind, current)
        return page()
    if not form.validate():
        status = 400
        return page()
    data = {"name": form.name.data.strip(), "note": (form.note.data or "").strip() or None}
    if current:
        data["id"] = current["id"]
    if described.has_variants:
        data["variants"] = lines(form.variants.data)
    if described.date_field:
        data[described.date_field] = (getattr(form, described.date_field).data or "").strip() or None
    if described.has_places:
        data["places"] = []
        for name in lines(form.places.data):
            found = store.find_by_name(db, kinds.PLACE.name, name, SYSTEM)
            data["places"].append({"id": found} if found else {"name": name})
            if not found:
                new_names.append((kinds.PLACE.name, name))
    if described.has_coordinates:
        data["lat"] = float(form.lat.data) if (form.lat.data or "").strip() else None
        data["lon"] = float(form.lon.data) if (form.lon.data or "").strip() else None
    if described.has_part_of:
        typed = (form.part_of.data or "").strip()
        data["part_of"] = None
        if typed:
            parent = (typed if store.entity_row(db, kind, typed)
                      else store.find_by_name(db, kind, typed, SYSTEM))
            if parent is None:
                form.part_of.errors = [f"no {kind} of that name; add it first"]
                status = 400
                return page()
            data["part_of"] = parent
    if new_names and not form.create_new.data:
        form.form_errors.append("Some places are new to the archive. Tick “Create these” to add them, "
                                "or correct the names, and save again.")
        status = 400
        return page()
    if current and form.base_revision.data and \
            form.base_revision.data != str(store.last_revision(db, kind, current["id"])):
        form.form_errors.append("Someone saved this while you were editing it. Your changes are kept "
                                "here: check them and save again.")
        form.base_revision.data = str(store.last_revision(db, kind, current["id"]))
        status = 409
        return page()
    try:
        saved = records.save_entity(db, get_index(), kind, data, viewer.username)
    except records.ValidationError as exc:
        show_errors(form, exc.errors)
        status = 400
        return page()
    flash(f"Saved {saved['name']}.", "info")
    return redirect(url_for("public.entity_page", plural=described.plural, entity_id=saved["id"]))


@bp.route("/<any(people, events, places):plural>/<entity_id>/merge", methods=["GET", "POST"])
@editor_required
def merge(plural: str, entity_id: str):
    kind = kinds.by_plural(plural).name
    entity = entity_or_404(kind, entity_id)
    db = get_db()
    form = MergeForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            typed = form.into.data.strip()
            keep = typed if store.entity_row(db, kind, typed) else store.find_by_name(db, kind, typed, SYSTEM)
            if keep is None:
                form.into.errors = [f"no {kind} of that name or id"]
            elif keep == entity_id:
                form.into.errors = ["that is this one; choose the one to keep"]
            else:
                try:
                    kept = records.merge_entities(db, get_index(), kind, entity_id, keep,
                                                  get_viewer().username)
                except records.ValidationError as exc:  # e.g. a part-of cycle after the merge
                    form.into.errors = [message for _, message in exc.errors]
                else:
                    flash(f"{entity['name']} was merged into {kept['name']}; its old address now "
                          f"leads here.", "info")
                    return redirect(url_for("public.entity_page", plural=plural, entity_id=keep))
    count = len(store.entity_records(db, kind, entity_id, SYSTEM))
    return render_template("merge.html", form=form, kind=kind, plural=plural, entity=entity,
                           count=count), status
