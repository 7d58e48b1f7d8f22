"""Blueprint `imports`: archivists bring a whole collection in through the browser.

Two steps, as on the command line: the uploaded file is checked (`importer.plan`) and the report shown;
only a second, confirmed POST imports it (`importer.run`, all or nothing). Between the two steps the
file waits in `records/uploads/` under the archive home, named by a random token; the confirmation
carries only that token, never a path. The check lists the people, events and places the import would
create; one that looks like an existing authority gets a choice in the confirmation form (link it to
the existing one, or create it as new), and the import waits until each has one (`newnames`). The
forms validate; the importer writes. Template: `templates/imports/import.html`.
"""
from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Regexp

from .. import importer
from ..i18n import translate
from .common import editor_required, get_archive, get_db, get_index, get_viewer

bp = Blueprint("imports", __name__)

TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 3600  # an upload nobody confirmed is removed after a day


class UploadForm(FlaskForm):
    file = FileField(_l("File to import (CSV, JSON or JSON Lines)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["csv", "json", "jsonl"], _l("The file name must end in .csv, .json or .jsonl."))])
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Regexp(TOKEN.pattern)])
    submit = SubmitField(_l("Import"))


def uploads() -> Path:
    folder = Path(current_app.config["DATABASE"]).parent / "uploads"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def upload_path(token: str) -> Path | None:
    """The waiting upload of a token, if any (the token is checked, never used as a path as given)."""
    if not TOKEN.match(token or ""):
        return None
    found = [p for p in uploads().glob(f"{token}.*") if p.suffix in importer.SUFFIXES]
    return found[0] if found else None


def remove_stale() -> None:
    cutoff = get_archive().clock.timestamp() - KEEP_SECONDS
    for path in uploads().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


@bp.route("/import", methods=["GET", "POST"])
@editor_required
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("imports/import.html", form=form, plan=None)
    remove_stale()
    suffix = Path(form.file.data.filename or "").suffix.lower()
    token = secrets.token_hex(16)
    path = uploads() / f"{token}{suffix}"
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
        form.file.data.save(f)
    try:
        plan = importer.plan(get_db(), path)
    except BaseException:
        path.unlink(missing_ok=True)  # no upload waits after a refusal, even an unforeseen one
        raise
    confirm = None
    if plan.problems:
        path.unlink(missing_ok=True)
    else:
        confirm = ConfirmForm(formdata=None, token=token)
    return render_template("imports/import.html", form=UploadForm(formdata=None), plan=plan,
                           confirm=confirm, filename=form.file.data.filename)


@bp.post("/import/confirm")
@editor_required
def confirm():
    form = ConfirmForm()
    path = upload_path(form.token.data) if form.validate_on_submit() else None
    if path is None:
        flash(gettext("That upload is no longer waiting to be imported: upload the file again."), "error")
        return redirect(url_for(".upload"))
    checked = importer.plan(get_db(), path)
    mapping, missing = choices(checked)
    if missing and not checked.problems:  # the file waits: the same page, with what is missing
        return render_template("imports/import.html", form=UploadForm(formdata=None), plan=checked,
                               confirm=ConfirmForm(formdata=None, token=form.token.data), filename=None,
                               missing=missing, chosen=request.form), 400
    try:
        result = importer.run(get_db(), get_index(), path, user=get_viewer().username, mapping=mapping)
    except importer.ImportFailed as exc:  # the archive changed since the check
        return render_template("imports/import.html", form=UploadForm(formdata=None),
                               plan=importer.Plan(problems=exc.problems, more=exc.more), confirm=None, filename=None)
    finally:
        path.unlink(missing_ok=True)
    flash(gettext("Imported %(what)s.", what=translate(result.summary())), "success")
    return redirect(url_for(".upload"))


def choices(checked: importer.Plan) -> tuple[dict, list]:
    """The archivist's choice for each new name that looks like an existing one: (kind, name key) →
    the existing id to link to (a "new" choice maps nothing), and the names not chosen for yet."""
    mapping, missing = {}, []
    for new in checked.unsure:
        chosen = request.form.get(new.choice, "")
        if chosen == "new":
            continue
        if chosen in {other["id"] for other in new.near}:
            mapping[new.kind, new.key] = chosen
        else:
            missing.append(new)
    return mapping, missing
