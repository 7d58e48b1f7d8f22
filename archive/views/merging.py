"""Merging a person, event or place into another, and undoing that merge: views of the `editor`
blueprint (`editor.py`), over the write path's `archive/merges.py` (docs/architecture.md, "The one
write path").

Merging takes two steps: the one to keep is chosen (typed, or one of the look-alikes), then a
preview shows what moves and a second POST confirms it. The flash after a merge, and the kept one's
history, offer "Undo this merge" (a CSRF-checked POST), which says why when it is not safe.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from .. import kinds, merges, records, store
from ..i18n import translate
from ..forms import MergeForm
from .common import editor_required, entity_or_404, find_authority, get_db, get_index, get_viewer
from .editing import check_confirmed, look_alikes, merge_preview
from .editor import bp


def undo_url(plural: str, keep_id: str, old_id: str) -> str:
    return url_for("editor.unmerge", plural=plural, keep_id=keep_id, old_id=old_id)


@bp.route("/<any(people, events, places):plural>/<entity_id>/merge", methods=["GET", "POST"])
@editor_required
def merge(plural: str, entity_id: str):
    kind = kinds.by_plural(plural).name
    entity = entity_or_404(kind, entity_id)
    db, viewer = get_db(), get_viewer()
    form = MergeForm()
    status, preview = 200, None
    if request.method == "POST":
        status = 400
        if form.validate():
            keep = find_authority(kind, form.into.data)
            if keep is None:
                form.into.errors = [{"person": gettext("no person of that name or id"),
                                     "event": gettext("no event of that name or id"),
                                     "place": gettext("no place of that name or id")}[kind]]
            elif keep == entity_id:
                form.into.errors = [gettext("that is this one; choose the one to keep")]
            elif request.form.get("confirm") != keep:  # the first step: show what would move
                status, preview = 200, merge_preview(kind, entity, store.get_entity(db, kind, keep, viewer))
            else:
                try:
                    kept = merges.merge_entities(db, get_index(), kind, entity_id, keep, viewer.username)
                except records.ValidationError as exc:  # e.g. a part-of cycle after the merge
                    form.into.errors = [message for _, message in exc.errors]
                else:
                    said = gettext("%(name)s was merged into %(kept)s; its old address now leads here.",
                                   name=entity["name"], kept=kept["name"])
                    undo = render_template("editor/_undo_merge.html", message=said,
                                           action=undo_url(plural, keep, entity_id))
                    # a template's output, escaped by Jinja
                    flash(Markup(undo), "undo")  # nosec B704
                    return redirect(url_for("public.entity_page", plural=plural, entity_id=keep))
    count = len(store.entity_records(db, kind, entity_id, viewer))
    return render_template("editor/merge.html", form=form, kind=kind, plural=plural, entity=entity,
                           count=count, preview=preview, alike=look_alikes(kind, entity)), status


@bp.post("/<any(people, events, places):plural>/<keep_id>/merges/<old_id>/undo")
@editor_required
def unmerge(plural: str, keep_id: str, old_id: str):
    """Undo the merge of `old_id` into `keep_id`. :raise 404: no such merge to undo."""
    check_confirmed()
    kind = kinds.by_plural(plural).name
    db = get_db()
    try:
        back = merges.unmerge_entities(db, get_index(), kind, old_id, keep_id, get_viewer().username)
    except records.ValidationError as exc:
        flash(gettext("The merge cannot be undone: %(reasons)s",
                      reasons=" ".join(translate(message) for _, message in exc.errors)), "error")
        now = store.redirect_target(db, kind, keep_id) or keep_id
        return redirect(url_for(".entity_history", plural=plural, entity_id=now))
    flash(gettext("The merge was undone: %(name)s (%(id)s) is back, with its names and links.",
                  name=back["name"], id=old_id), "info")
    return redirect(url_for("public.entity_page", plural=plural, entity_id=old_id))

