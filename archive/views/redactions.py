"""Blueprint `redactions`: archivists hide passages of a record, change and remove them, and read the
access report (docs/architecture.md, "Redactions and consent").

A redaction is saved through the one write path (`records.save_record`) as a new revision of its
record, so the history shows who hid what, and when. The form works without JavaScript (the
passage's words, or its first and last character; a recording's time range, or its transcript's
cues ticked); `static/redact.js` fills it from a selection of the text or of cues.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from .. import records, redaction, silence, store
from ..access import ACCESS_LEVELS, SYSTEM
from ..errors import NotFound
from ..fields import CONSENT_STATUSES
from ..redaction_form import RedactionForm, recording_choices, time_range
from ..messages import Text
from .common import edit_refused, editor_required, get_archive, get_db, get_index, get_viewer

bp = Blueprint("redactions", __name__)


def _record(record_id: str) -> dict:
    record = store.get_record(get_db(), record_id, SYSTEM) if get_viewer().can_edit else None
    if record is None:
        raise NotFound(Text("Record %(id)s doesn't exist.", id=record_id))
    return record


def _span(form: RedactionForm, text: str) -> tuple[int, int] | None:
    """The characters the form names: its passage's words (nearest the start given, if several), or
    its start and end. None (and the form's error) when they cannot be found."""
    start, end = (form.start.data or "").strip(), (form.end.data or "").strip()
    passage = (form.passage.data or "").strip()
    if passage:
        try:
            return redaction.locate(text, passage, int(start) if start else None)
        except redaction.NotFound as exc:
            message = (Text("These words are in the text more than once: select them in the text, or give "
                            "the first and last character.") if "times" in str(exc)
                       else Text("These words are not in the text as written."))
            form.passage.errors = [*form.passage.errors, message]
            return None
    return int(start), int(end)


def redaction_page(record: dict, form: RedactionForm, status: int = 200):
    return render_template("editor/redaction.html", record=record, form=form), status


def _made(form: RedactionForm, record: dict) -> dict | None:
    """The redaction's passage or time range as the form gives it, or None (with the form's error)."""
    if form.timed:
        return time_range(form, record)
    span = _span(form, record["text"])
    return None if span is None else {"start": span[0], "end": span[1]}


@bp.route("/records/<record_id>/redactions", methods=["GET", "POST"])
@bp.route("/records/<record_id>/redactions/<redaction_id>", methods=["GET", "POST"])
@editor_required
def redact(record_id: str, redaction_id: str | None = None):
    """Add a redaction (or change `redaction_id`): the form, then a new revision of the record. A
    time range saved, the recording's silenced copies are made in the background (archive/silence.py).

    :raise 404: when the record or the redaction is missing.
    """
    record = _record(record_id)
    current = {r["id"]: r for r in record["redactions"]}
    if redaction_id and redaction_id not in current:
        raise NotFound(Text("No redaction %(id)s.", id=redaction_id))
    form = RedactionForm()
    form.media.choices = recording_choices(record)
    if request.method == "GET":
        form.base_revision.data = str(record["revision"])
        if redaction_id:
            old = current[redaction_id]
            form.redaction_id.data = redaction_id
            if redaction.is_span(old):
                form.start.data, form.end.data = str(old["start"]), str(old["end"])
            else:
                form.fill_time(old)
            form.reason.data, form.level.data = old.get("reason"), old.get("access")
            form.until.data = old.get("until") or ""
        return redaction_page(record, form)
    if form.cues.data:  # the cues ticked become the range they span, shown again if anything is wrong
        picked = time_range(form, record)
        if picked is None:
            return redaction_page(record, form, 400)
        form.media.data, form.cues.data = picked["media"], []
        form.time_from.data, form.time_to.data = (RedactionForm.seconds(picked[k]) for k in ("from", "to"))
    if not form.validate():
        return redaction_page(record, form, 400)
    status = edit_refused(form, "record", record["revision"])
    if status:
        return redaction_page(record, form, status)
    where = _made(form, record)
    if where is None:
        return redaction_page(record, form, 400)
    made = {**where, "reason": form.reason.data.strip(), "access": form.level.data,
            "until": (form.until.data or "").strip() or None}
    if redaction_id:  # a passage stays a passage: the other kind's keys go
        kept = [{**{k: v for k, v in r.items() if k not in _PLACE}, **made} if r["id"] == redaction_id else r
                for r in record["redactions"]]
    else:
        kept = [*record["redactions"], made]
    try:
        saved = records.save_record(get_db(), get_index(), {**record, "redactions": kept}, get_viewer().username)
    except records.ValidationError as exc:
        form.form_errors.extend(message for _, message in exc.errors)
        return redaction_page(record, form, 400)
    if "media" in made:
        silence.prepare_later(store.media_folder(get_db()), saved, get_archive().clock.today())
        flash(gettext("The time range is silent and its cues hidden for those below its level."), "info")
        return redirect(url_for("public.record_page", record_id=record_id) + "#redactions")
    flash(gettext("The passage is hidden from those below its level."), "info")
    return redirect(url_for("public.record_page", record_id=record_id) + "#redactions")


_PLACE = ("start", "end", "media", "from", "to")


@bp.post("/records/<record_id>/redactions/<redaction_id>/remove")
@editor_required
def remove(record_id: str, redaction_id: str):
    """Remove a redaction: its passage is shown again to everyone who may see the record."""
    record = _record(record_id)
    if redaction_id not in {r["id"] for r in record["redactions"]}:
        raise NotFound(Text("No redaction %(id)s.", id=redaction_id))
    kept = [r for r in record["redactions"] if r["id"] != redaction_id]
    records.save_record(get_db(), get_index(), {**record, "redactions": kept}, get_viewer().username)
    flash(gettext("The redaction was removed."), "info")
    return redirect(url_for("public.record_page", record_id=record_id) + "#redactions")


# --- the access report ------------------------------------------------------------------------------

@bp.get("/reports/access")
@editor_required
def access_report():
    """Records by access level, consent, embargo and number of redactions, with filters."""
    access = request.args.get("access", "")
    consent = request.args.get("consent", "")
    embargoed = request.args.get("embargoed", "")
    redacted = request.args.get("redacted", "")
    rows = store.access_report(get_db(), access=access if access in ACCESS_LEVELS else None,
                               consent=consent if consent in (*CONSENT_STATUSES, "none") else None,
                               embargoed=embargoed == "1", redacted=redacted == "1")
    return render_template("editor/access_report.html", rows=rows, access=access, consent=consent,
                           embargoed=embargoed, redacted=redacted, levels=ACCESS_LEVELS,
                           statuses=CONSENT_STATUSES)
