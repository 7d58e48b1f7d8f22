"""Flask glue: the request's database connection, the process's index, the viewer, errors.

Views reach the store and the index only through `get_db()` and `get_index()`.
"""
from __future__ import annotations

import re
import sqlite3
from functools import wraps

from flask import (Flask, abort, current_app, g, jsonify, redirect, render_template, request, session,
                   url_for)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from . import db as store, records
from .index import IndexBusy, ensure_index, setup as setup_index
from .access import ANONYMOUS, Viewer


csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    csrf.init_app(app)  # every POST, PUT, PATCH and DELETE needs a CSRF token
    database = store.connect(app.config["DATABASE"])
    try:
        store.create_tables(database)
        setup_index()
        app.extensions["archive.index"] = ensure_index(app.config["SEARCH_INDEX"],
                                                       records.IndexSource(database))
    finally:
        database.close()
    app.teardown_appcontext(close_db)
    app.after_request(security_headers)
    app.session_interface = SessionInterface()
    if app.config.get("PROXY_FIX"):  # behind a reverse proxy that terminates HTTPS
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.before_request(load_viewer)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(sqlite3.OperationalError, handle_busy)
    app.register_error_handler(IndexBusy, handle_busy)
    app.context_processor(lambda: {"viewer": get_viewer()})
    register_filters(app)


# No inline scripts or styles, nothing from elsewhere, no framing (see SECURITY.md).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are HttpOnly and SameSite=Lax always, and Secure whenever served over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def get_db():
    """The request's connection to the archive database."""
    if "db" not in g:
        config = current_app.config
        g.db = store.connect(config["DATABASE"], timeout=config["WRITE_TIMEOUT"])
    return g.db


def close_db(exc=None) -> None:
    database = g.pop("db", None)
    if database is not None:
        database.close()


def get_index():
    """The process's search index (one cached searcher, shared by all threads)."""
    return current_app.extensions["archive.index"]


def load_viewer() -> None:
    g.viewer = ANONYMOUS
    username = session.get("user")
    if username:
        user = store.get_user(get_db(), username)
        if user:
            g.viewer = Viewer(user["username"], user["role"])
        else:
            session.clear()


def get_viewer() -> Viewer:
    return g.get("viewer", ANONYMOUS)


def role_required(allowed, who: str):
    """A view for some viewers only (`allowed(viewer)`): others are sent to sign in, or refused
    when signed in. `who` names them in the messages ("archivists")."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            viewer = get_viewer()
            if not viewer.signed_in:
                if "auth.login" in current_app.view_functions and not wants_json():
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                abort(401, f"Sign in as one of the {who} to do this.")
            if not allowed(viewer):
                abort(403, f"Only {who} may do this.")
            return view(*args, **kwargs)
        return wrapped
    return decorator


# Archivists and admins: the archive's editors.
editor_required = role_required(lambda viewer: viewer.can_edit, "archivists")
admin_required = role_required(lambda viewer: viewer.role == "admin", "admins")


def visible_record_or_404(record_id: str, via: str) -> dict:
    """The record as this viewer may see it; a view of one that is not public is logged.

    :raise 404: when missing, deleted or not for this viewer (alike, so nothing is revealed).
    """
    db, viewer = get_db(), get_viewer()
    record = store.get_record(db, record_id, viewer)
    if record is None:
        abort(404, f"Record {record_id} doesn't exist.")
    if not ANONYMOUS.may_see(record["access"], record["embargo_until"]):
        store.log_view(db, record_id, viewer.username, viewer.role, request.remote_addr, via,
                       record["access"], records.now())
    return record


def search_params():
    """The search parameters of the request (`q`, filters, dates, sort, paging), read once.

    :raise 400: on a page or page size that is not a whole number.
    """
    from . import finder
    try:
        return finder.Params.from_args(request.args, current_app.config["RECORDS_PER_PAGE"],
                                       current_app.config["MAX_PER_PAGE"])
    except ValueError as exc:
        abort(400, str(exc))


def wants_json() -> bool:
    return request.path.endswith((".json", ".jsonl", ".jsonld")) or (
        request.accept_mimetypes.best == "application/json")


def json_error(message: str, status: int):
    """The one shape of every JSON error."""
    response = jsonify({"ok": False, "error": message, "status": status})
    response.status_code = status
    return response


def handle_busy(exc: Exception):
    """A write that waited too long for another (an import, a reindex): 503, nothing changed."""
    if isinstance(exc, sqlite3.OperationalError) and "locked" not in str(exc) and "busy" not in str(exc):
        current_app.logger.error("database error", exc_info=exc)  # not contention: a real fault
        return handle_http_error(InternalServerError(original_exception=exc))
    return handle_http_error(ServiceUnavailable(
        "The archive is busy with another change (an import or a reindex, perhaps). Nothing was "
        "saved; please try again in a moment."))


def handle_http_error(exc: HTTPException):
    message = exc.description or exc.name
    if wants_json():
        response = json_error(message, exc.code or 500)
    else:
        response = current_app.make_response(
            (render_template("error.html", code=exc.code, name=exc.name, message=message), exc.code))
    if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


# --- template helpers ------------------------------------------------------------------------------

TYPE_LABELS = {"testimony": "Testimony", "interview": "Interview", "open_letter": "Open letter",
               "petition": "Petition", "statement": "Statement", "document": "Document"}


KHMER_RUN = re.compile("[\u1780-\u17ff\u19e0-\u19ff]+(?:[\\s\u200b-\u200d]+[\u1780-\u17ff\u19e0-\u19ff]+)*")


def script_lang(text: str | None) -> str | None:
    """`km` when most letters of a text are Khmer (so browsers pick a Khmer font), else None.

    Letters are counted, not code points: a Khmer syllable spells its vowel signs and subscripts
    as extra code points, which would otherwise tip a mostly-English title over to Khmer.
    """
    if not text:
        return None
    khmer = other = 0
    for ch in str(text)[:2000]:
        if "\u1780" <= ch <= "\u17b3" or "\u19e0" <= ch <= "\u19ff":
            khmer += 1
        elif ch.isalpha() and not "\u1780" <= ch <= "\u17ff":
            other += 1
    return "km" if khmer and khmer >= other else None


def lang_attr(text: str | None):
    """A ` lang="km"` attribute for Khmer text (or HTML such as a snippet), nothing otherwise."""
    plain = text.striptags() if isinstance(text, Markup) else text
    return Markup(' lang="km"') if script_lang(plain) == "km" else ""


def lang_runs(text) -> Markup:
    """Text (or HTML such as a snippet with `<mark>`) with its Khmer runs in `<span lang="km">`.

    For mixed text whose element is not marked Khmer as a whole (`lang_attr` gave nothing), so that
    a Khmer name or phrase inside English text still gets a Khmer font. Plain text is escaped;
    Markup is kept (tags and entities are ASCII, so a run never crosses one).
    """
    if text is None:
        return Markup("")
    html = str(text) if isinstance(text, Markup) else str(escape(text))
    plain = text.striptags() if isinstance(text, Markup) else text
    # `html` is Markup already or escaped text, and only fixed tags are added: nothing unescaped.
    if script_lang(plain) == "km" or not KHMER_RUN.search(html):
        return Markup(html)  # nosec B704
    return Markup(KHMER_RUN.sub(lambda m: f'<span lang="km">{m.group(0)}</span>', html))  # nosec B704


def register_filters(app: Flask) -> None:
    app.add_template_filter(lang_attr, "lang_attr")
    app.add_template_filter(lang_runs, "lang_runs")
    app.add_template_filter(lambda t: TYPE_LABELS.get(t, t), "type_label")
