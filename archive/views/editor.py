"""Blueprint `editor`: the archivists' pages (record and authority forms, history, delete and undo)
and `/suggest`, the typing help of those forms. Merging and its undo are in `merging.py`, on this
blueprint.

Views turn forms (`forms.py`) into calls of the one write path (`records.py`) and reach the store
through the store's reads only; their helpers are in `editing.py`, their templates in `templates/editor/`.
A form never loses what was typed: on any error it is shown again with the messages next to the
fields, and nothing is saved until all of it is valid. Unknown names in link fields create
authorities only after the archivist ticks "Create these".
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_wtf.csrf import CSRFError

from .. import kinds, merges, records, revising, store
from ..access import SYSTEM
from ..errors import NotFound
from ..i18n import number, translate
from ..messages import Text
from ..forms import (ConfirmForm, EventForm, PersonForm, PlaceForm, RecordForm, lines,
                     record_data)
from .common import (edit_refused, editor_required, entity_or_404, find_authority, get_db,
                     get_index, get_viewer, load_viewer, record_or_404)
from .editing import (apply_ticked, check_confirmed, history_entries, linked_ids_of,
                      resolve_links, show_errors, suggested_links)
from . import uploads
from .errors import handle_exception, json_error
from .filters import kind_label

bp = Blueprint("editor", __name__)


# --- /suggest --------------------------------------------------------------------------------------

@bp.get("/suggest")
def suggest():
    """Names and variants starting with `q`, of the authorities the viewer may see."""
    q = request.args.get("q", "").strip()[:200]
    kind = request.args.get("kind", "").strip()
    if kind and not kinds.is_authority(kind):
        return json_error(gettext("kind must be person, event or place"), 400)
    if not q:
        return jsonify([])
    found = []
    for k in ([kind] if kind else [authority.name for authority in kinds.AUTHORITIES]):
        found.extend(store.suggest_names(get_db(), k, q, get_viewer(), limit=10))
    return jsonify([{"id": f["id"], "name": f["name"], "kind": f["kind"]} for f in found[:20]])


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
    uploads.allow_large_upload()
    form = RecordForm()
    new_names: list[tuple[str, str]] = []
    status = 200

    def page():
        found = suggested_links(db, viewer, form.text.data, linked_ids_of(db, form, current))
        return render_template("editor/record_form.html", form=form, record=current, new_names=new_names,
                               suggestions=found), status

    if request.method == "GET":
        if current:
            form.fill(current)
            form.segments_lines.data = uploads.segment_lines(current["segments"])
        return page()

    apply_ticked(db, form)
    for name in ("date", "period"):
        offered = request.form.get(f"use_{name}")
        if offered:
            getattr(form, name).data = offered
    valid = form.validate()
    # the names new to the archive are found whatever else is wrong, so that one answer offers
    # every fix at once: the field errors, the dates suggested and "Create these" (issue 15)
    data = record_data(form)
    new_names = resolve_links(db, data, current)
    if not form.save.data:  # "Preview links", or a suggested date taken: show, save nothing
        return page()
    if not valid:
        status = 400
        return page()
    confirmed = {kind for kind, _ in new_names if form.create_new.data or getattr(form, f"create_{kind}").data}
    if any(kind not in confirmed for kind, _ in new_names):
        form.form_errors.append(gettext("Some names are new to the archive. Tick “Create these” to add "
                                        "them, or correct the names, and save again."))
        status = 400
        return page()
    if current:
        data["id"] = current["id"]
        status = edit_refused(form, "record", current["revision"]) or status
        if status != 200:
            return page()
    files = records.Files(max_bytes=int(current_app.config["MEDIA_MAX_BYTES"]))
    data["media"], data["segments"], problems = uploads.recordings_of(
        form, current, files, db, (data.get("language") or [None])[0])
    if problems:
        form.form_errors.extend(problems)
        status = 400
        return page()
    try:
        saved = records.save_record(db, get_index(), data, viewer.username, files=files)
    except records.ValidationError as exc:
        show_errors(form, [(MEDIA_ERRORS.get(path.split(".")[0], path), message) for path, message in exc.errors])
        status = 400
        return page()
    for notice in files.notices[:5]:
        flash(gettext("Transcript: %(notice)s", notice=translate(notice)), "info")
    created = [f"{name} ({kind_label(kind)})" for kind, name in new_names]
    if current and saved["revision"] == current["revision"]:  # the write path keeps no empty revision
        flash(gettext("Nothing changed, so nothing was saved."), "info")
        return redirect(url_for(".edit_record", record_id=saved["id"]))
    saved_revision = gettext("Saved revision %(revision)s.", revision=number(saved["revision"]))
    flash(saved_revision + (" " + gettext("New in the archive: %(names)s.", names=", ".join(created))
                            if created else ""), "info")
    return redirect(url_for(".edit_record", record_id=saved["id"]))


# Where the write path's errors of recordings show on the form.
MEDIA_ERRORS = {"media": "media_upload", "segments": "segments_lines"}


@bp.errorhandler(CSRFError)
def expired_form(exc: CSRFError):
    """A form sent after its session ended (signed out, expired): show it again, typed work kept.

    Nothing of the stored record is shown, since the sender may no longer be signed in; the form
    carries a fresh token, so once signed in again, Save works.
    """
    load_viewer()  # the CSRF check ran before the viewer was loaded
    if request.endpoint in ("editor.new_entity", "editor.edit_entity"):
        kind = kinds.by_plural(request.view_args["plural"]).name
        form = FORMS[kind]()
        return render_template("editor/entity_form.html", form=form, kind=kind, plural=kinds.get(kind).plural,
                               entity=None, new_names=[], expired=True, action=request.path), 400
    if request.endpoint not in ("editor.new_record", "editor.edit_record"):
        return handle_exception(exc)
    form = RecordForm()
    return render_template("editor/record_form.html", form=form, record=None, new_names=[], expired=True,
                           action=request.path, suggestions={"names": [], "dates": []}), 400


# --- history, restore, delete, undo ----------------------------------------------------------------

@bp.get("/records/<record_id>/history")
@editor_required
def history(record_id: str):
    db = get_db()
    revs = store.revisions(db, "record", record_id)
    if not revs:
        raise NotFound(Text("Record %(id)s doesn't exist.", id=record_id))
    tombstone = store.deleted_record_row(db, record_id)
    entries, last = history_entries(revs)
    title = last["title"] if last else record_id
    return render_template(
        "editor/history.html", entries=entries, title=title, tombstone=tombstone,
        current=revs[-1]["revision"],
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
    db = get_db()
    revs = store.revisions(db, kind, entity_id)
    entries, _ = history_entries(revs)
    undoable = {old for old in store.redirected_to(db, kind, entity_id)
                if merges.merged_into(db, kind, old) == entity_id}
    last_merge = {r["data"]["merged_from"]: r["revision"] for r in revs  # its newest merge of each
                  if r["data"].get("merged_from") in undoable and not r["data"].get("merged_into")}
    return render_template(
        "editor/history.html", entries=entries, title=entity["name"], tombstone=None,
        undo_merge_url=lambda e: (url_for(".unmerge", plural=plural, keep_id=entity_id, old_id=e["note"]["merged_from"])
                                  if last_merge.get(e["note"].get("merged_from")) == e["revision"] else None),
        current=revs[-1]["revision"] if revs else 0, undelete_url=None,
        view_url=url_for("public.entity_page", plural=plural, entity_id=entity_id),
        edit_url=url_for(".edit_entity", plural=plural, entity_id=entity_id),
        restore_url=lambda rev: url_for(".restore_entity", plural=plural, entity_id=entity_id,
                                        revision=rev))


@bp.post("/<any(people, events, places):plural>/<entity_id>/history/<int:revision>/restore")
@editor_required
def restore_entity(plural: str, entity_id: str, revision: int):
    check_confirmed()
    kind = kinds.by_plural(plural).name
    entity_or_404(kind, entity_id)
    try:
        saved = revising.restore_entity(get_db(), get_index(), kind, entity_id, revision,
                                       get_viewer().username)
    except records.ValidationError as exc:
        flash(gettext("Revision %(revision)s cannot be restored: %(problem)s", revision=number(revision),
                      problem=translate(exc.message)), "error")
        return redirect(url_for(".entity_history", plural=plural, entity_id=entity_id))
    flash(gettext("Revision %(revision)s of %(name)s restored.", revision=number(revision), name=saved["name"]),
          "info")
    return redirect(url_for(".entity_history", plural=plural, entity_id=entity_id))


@bp.post("/records/<record_id>/history/<int:revision>/restore")
@editor_required
def restore(record_id: str, revision: int):
    check_confirmed()
    before = store.last_revision(get_db(), "record", record_id)
    try:
        saved = revising.restore_record(get_db(), get_index(), record_id, revision, get_viewer().username)
    except records.ValidationError as exc:
        flash(gettext("Revision %(revision)s cannot be restored: %(problem)s", revision=number(revision),
                      problem=translate(exc.message)), "error")
        return redirect(url_for(".history", record_id=record_id))
    if saved["revision"] == before:
        flash(gettext("Revision %(revision)s holds what the record holds now, so nothing was saved.",
                      revision=number(revision)), "info")
        return redirect(url_for(".history", record_id=record_id))
    flash(gettext("Revision %(revision)s restored as revision %(new)s.", revision=number(revision),
                  new=number(saved["revision"])), "info")
    return redirect(url_for(".history", record_id=record_id))


@bp.get("/records/deleted")
@editor_required
def deleted_list():
    """Deleted records, last deleted first, each with its history and an Undo."""
    return render_template("editor/deleted_list.html", deleted=store.deleted_records(get_db()))


@bp.route("/records/<record_id>/delete", methods=["GET", "POST"])
@editor_required
def delete(record_id: str):
    record = record_or_404(record_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        records.delete_record(get_db(), get_index(), record_id, get_viewer().username)
        flash(gettext("Deleted “%(title)s”. Its id is kept; you can undo this below.", title=record["title"]),
              "info")
        return redirect(url_for(".history", record_id=record_id))
    return render_template("editor/confirm_delete.html", record=record, form=form)


@bp.post("/records/<record_id>/undelete")
@editor_required
def undelete(record_id: str):
    check_confirmed()
    saved = revising.undelete_record(get_db(), get_index(), record_id, get_viewer().username)
    flash(gettext("“%(title)s” is back (revision %(revision)s).", title=saved["title"],
                  revision=number(saved["revision"])), "info")
    return redirect(url_for("public.record_page", record_id=record_id))


# --- people, events, places ------------------------------------------------------------------------

FORMS = {"person": PersonForm, "event": EventForm, "place": PlaceForm}


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
        return render_template("editor/entity_form.html", form=form, kind=kind, plural=kinds.get(kind).plural,
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
            parent = find_authority(kind, typed)
            if parent is None:
                form.part_of.errors = [{"person": gettext("no person of that name; add it first"),
                                        "event": gettext("no event of that name; add it first"),
                                        "place": gettext("no place of that name; add it first")}[kind]]
                status = 400
                return page()
            data["part_of"] = parent
    if new_names and not form.create_new.data:
        form.form_errors.append(gettext("Some places are new to the archive. Tick “Create these” to add "
                                        "them, or correct the names, and save again."))
        status = 400
        return page()
    if current:
        status = edit_refused(form, kind, store.last_revision(db, kind, current["id"])) or status
        if status != 200:
            return page()
    before = store.last_revision(db, kind, current["id"]) if current else None
    try:
        saved = records.save_entity(db, get_index(), kind, data, viewer.username)
    except records.ValidationError as exc:
        show_errors(form, exc.errors)
        status = 400
        return page()
    if before is not None and store.last_revision(db, kind, saved["id"]) == before:  # no empty revision
        flash(gettext("Nothing changed, so nothing was saved."), "info")
    else:
        flash(gettext("Saved %(name)s.", name=saved["name"]), "info")
    return redirect(url_for("public.entity_page", plural=described.plural, entity_id=saved["id"]))
