"""Blueprint `auth`: signing in and out, and the admin's page of users.

A sign-in starts a session kept on the server (`accounts.start_session`); the signed cookie carries
only its key, and is made permanent so that it expires after PERMANENT_SESSION_LIFETIME without a
visit, while the session itself ends SESSION_ABSOLUTE_LIFETIME after it started. Signing out, a new
password and removing an account end every session of that account. Repeated failed sign-ins pause
further tries from that client address, and of that username from that address
(`accounts.begin_sign_in`; kept in the database, so every worker process sees them). `next` only
ever leads to a path on this site. The limits are settings (`SIGN_IN_*`, settings.py). Templates:
`templates/auth/`.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext
from flask_wtf.csrf import CSRFError

from .. import accounts, store
from ..access import ROLE_NAMES
from ..errors import BadRequest, ValidationError
from ..forms import ConfirmForm, LoginForm, PasswordResetForm, UserAddForm, UserRoleForm
from ..i18n import translate
from .common import admin_required, get_db, get_viewer, load_viewer, session_lifetime
from .errors import handle_exception

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """A same-site path to go to after signing in; anything else leads home."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if (not target.startswith("/") or target.startswith(("//", "/\\")) or parts.scheme or parts.netloc
            or any(ch in target for ch in "\\\r\n\t")):
        return url_for("public.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        db = get_db()
        username, address = form.username.data.strip(), request.remote_addr or "unknown"
        wait = accounts.begin_sign_in(db, username, address, accounts.SignInLimits.of(current_app.config))
        if wait:
            minutes = -(-wait // 60)
            form.form_errors.append(ngettext("Too many failed sign-ins. Try again in %(num)s minute.",
                                             "Too many failed sign-ins. Try again in %(num)s minutes.",
                                             minutes))
            status = 429
        else:
            viewer = accounts.authenticate(db, username, form.password.data)
            if viewer is None:  # (counted as a failure already, by begin_sign_in)
                form.form_errors.append(_("Wrong username or password."))
                status = 401
            else:
                accounts.signed_in(db, username, address)
                session.clear()  # a fresh session: nothing carried over from before signing in
                session.permanent = True
                session["key"] = accounts.start_session(db, viewer.username, session_lifetime())
                flash(_("Signed in as %(name)s.", name=viewer.username), "info")
                return redirect(safe_next(form.next.data))
    elif request.method == "POST":
        status = 400
    form.password.data = ""
    return render_template("auth/login.html", form=form), status


@bp.errorhandler(CSRFError)
def expired_form(exc: CSRFError):
    """An old sign-in form (its session ended): show a fresh one instead of a bare error."""
    load_viewer()
    if request.endpoint == "auth.login":
        form = LoginForm()
        form.password.data = ""
        form.form_errors.append(_("The sign-in form had expired. Please sign in again."))
        return render_template("auth/login.html", form=form), 400
    return handle_exception(exc)


@bp.post("/logout")
def logout():
    if not ConfirmForm().validate_on_submit():
        raise BadRequest(_("The form has expired; try again."))
    viewer = get_viewer()
    if viewer.signed_in:  # every session of the account, wherever its cookie was copied to
        accounts.end_sessions(get_db(), viewer.username)
    session.clear()
    flash(_("Signed out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    db = get_db()
    add = UserAddForm(prefix="add")
    status = 200
    if add.add.data and add.validate_on_submit():
        try:
            accounts.add_user(db, add.username.data.strip(), add.password.data, add.role.data,
                              replace=False)
        except ValidationError as exc:
            for path, message in exc.errors:
                getattr(add, path, add.username).errors.append(message)
            status = 400
        else:
            flash(_("User %(name)s added.", name=add.username.data.strip()), "info")
            return redirect(url_for(".users"))
    elif add.add.data:
        status = 400
    add.password.data = ""
    people = store.list_users(db)
    for user in people:
        user["role_form"] = UserRoleForm(prefix=f"role-{user['username']}", formdata=None,
                                         role=user["role"])
        user["password_form"] = PasswordResetForm(prefix=f"pw-{user['username']}", formdata=None)
        user["remove_form"] = ConfirmForm(prefix=f"rm-{user['username']}", formdata=None)
    return render_template("auth/users.html", add=add, users=people), status


def change_user(form, change, missing: str, done: str):
    """Apply one admin change to an account from its form; errors come back as a flash."""
    if not form.validate_on_submit():
        raise BadRequest(missing)
    try:
        change()
    except ValidationError as exc:
        flash("; ".join(translate(message) for _field, message in exc.errors), "error")
    else:
        flash(done, "info")
    return redirect(url_for(".users"))


@bp.post("/users/<username>/role")
@admin_required
def user_role(username: str):
    form = UserRoleForm(prefix=f"role-{username}")
    return change_user(form, lambda: accounts.set_role(get_db(), username, form.role.data),
                       _("Choose a role."), _("%(name)s is now %(role)s.", name=username,
                                              role=translate(ROLE_NAMES.get(form.role.data, form.role.data))))


@bp.post("/users/<username>/password")
@admin_required
def user_password(username: str):
    form = PasswordResetForm(prefix=f"pw-{username}")
    # the admin's own session survives a change of their own password; every other one ends
    keep = session.get("key") if username.casefold() == get_viewer().username.casefold() else None
    return change_user(form, lambda: accounts.set_password(get_db(), username, form.password.data, keep),
                       _("Type a new password."), _("The password of %(name)s was reset.", name=username))


@bp.post("/users/<username>/remove")
@admin_required
def user_remove(username: str):
    form = ConfirmForm(prefix=f"rm-{username}")
    return change_user(form, lambda: accounts.remove_user(get_db(), username),
                       _("The form has expired; try again."), _("%(name)s was removed.", name=username))
